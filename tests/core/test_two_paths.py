"""The two SQL paths of a use case store the same rows (``core/sql.py: one_statement_path``).

Each scenario runs twice on the same database, on two programmes built alike: once as it runs in
production (on PostgreSQL, the one-statement paths of a registration and of a door arrival) and once
with ``PLENARY_ONE_STATEMENT_SQL`` off (the portable path). The rows they leave — registrations,
seats, counters, consents, audit entries, check-ins, events, scans, attendance — must be equal.
On SQLite both runs take the portable path.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.checkin import services as door
from plenary.checkin.models import CheckIn, Scan
from plenary.core.models import AuditEntry
from plenary.programmes.models import Session
from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid, make_programme

pytestmark = pytest.mark.django_db(transaction=True)


def registration_rows(programme) -> dict:
    people = Registration.objects.filter(programme=programme).order_by("email")
    return {
        "registrations": [
            (r.email, r.name_en, r.name_zh, r.status, r.source, r.preferred_mode, r.language, r.news_opt_in)
            for r in people
        ],
        "seats": [
            (s.registration.email, s.session.title_en, s.mode, s.status)
            for s in SeatAllocation.objects.filter(registration__programme=programme)
            .select_related("registration", "session")
            .order_by("registration__email", "session__title_en")
        ],
        "counters": sorted(
            (c.session.title_en, c.mode, c.capacity, c.taken, c.waiting)
            for c in SeatCounter.objects.filter(session__programme=programme).select_related("session")
        ),
        "consents": sorted(
            (c.registration.email, c.kind, c.given, c.wording_version, c.language)
            for c in ConsentRecord.objects.filter(registration__programme=programme).select_related(
                "registration"
            )
        ),
        "audit": sorted(
            (e.action, e.object_type, e.summary, e.actor_id)
            for e in AuditEntry.objects.filter(programme=programme, object_type="registration")
        ),
    }


def door_rows(programme) -> dict:
    def person(row):
        return row.registration.email if row.registration_id else None

    return {
        "check_ins": sorted(
            (c.registration.email, c.first_scanned_at, c.device, c.undone_at)
            for c in CheckIn.objects.filter(session__programme=programme).select_related("registration")
        ),
        "events": sorted(
            (
                e.registration.email,
                e.source,
                e.kind,
                e.mode,
                e.started_at,
                e.ended_at,
                e.recorded_by_id,
                str(e.evidence),
            )
            for e in AttendanceEvent.objects.filter(session__programme=programme).select_related(
                "registration"
            )
        ),
        "scans": sorted(
            (person(s) or "", s.result, s.detail, s.scanned_at, s.device)
            for s in Scan.objects.filter(session__programme=programme).select_related("registration")
        ),
        "attendance": sorted(
            (a.registration.email, a.mode, a.minutes, a.present, a.first_seen_at, tuple(a.sources))
            for a in Attendance.objects.filter(session__programme=programme).select_related("registration")
        ),
    }


def run_registrations(slug: str, organiser) -> object:
    programme = make_programme(room=2, slug=slug)
    for number in range(4):
        services.register(programme, applicant(number), source="organiser", actor=organiser)
    services.register(programme, applicant(10, mode="online", news_opt_in=True, language="zh-hant"))
    with pytest.raises(services.AlreadyRegistered):
        services.register(programme, applicant(1))
    return programme


def run_door(slug: str, organiser) -> object:
    programme = make_programme(room=3, slug=slug)
    people = [
        services.register(programme, applicant(number), source="organiser", actor=organiser)
        for number in range(4)
    ]
    room = hybrid(programme)
    # A session that has happened: scans later than "now" would be taken as made now.
    start = datetime(2026, 1, 10, 14, tzinfo=UTC)
    Session.objects.filter(pk=room.pk).update(starts_at=start, ends_at=start + timedelta(hours=3))
    room.refresh_from_db()
    for index, someone in enumerate(people):
        event = uuid.uuid5(uuid.NAMESPACE_URL, f"{slug}/{index}")  # replayed below
        door.check_in(
            code=someone.pass_code,
            session=room,
            client_event_id=event,
            scanned_at=start + timedelta(minutes=index),
            device="phone-a",
            actor=organiser,
        )
        door.check_in(
            code=someone.pass_code,
            session=room,
            client_event_id=event,
            scanned_at=start + timedelta(minutes=index),
            device="phone-a",
            actor=organiser,
        )  # replayed
        door.check_in(
            code=someone.pass_code,
            session=room,
            client_event_id=uuid.uuid4(),
            scanned_at=start + timedelta(minutes=index + 1),
            device="phone-b",
            actor=organiser,
        )
    door.check_in(
        code="P-unknown-pass-code",
        session=room,
        client_event_id=uuid.uuid4(),
        scanned_at=start,
        device="phone-a",
        actor=organiser,
    )
    return programme


@pytest.mark.parametrize(
    ("scenario", "rows"),
    [(run_registrations, registration_rows), (run_door, door_rows)],
    ids=["registration", "door"],
)
def test_the_one_statement_path_and_the_portable_path_store_the_same_rows(scenario, rows, settings):
    assert not connection.in_atomic_block  # or PostgreSQL would take the portable path both times
    organiser = get_user_model().objects.create_user("two-paths")
    settings.PLENARY_ONE_STATEMENT_SQL = True
    fast = rows(scenario("two-paths-fast", organiser))
    settings.PLENARY_ONE_STATEMENT_SQL = False
    portable = rows(scenario("two-paths-portable", organiser))
    assert fast == portable
    assert all(fast.values())  # the scenario stored something of every kind it compares


def test_the_switch_really_chooses_the_path(settings, monkeypatch):
    """On PostgreSQL the one-statement paths run unless switched off; on SQLite they never run."""
    calls = []
    original = services._register_at_once
    monkeypatch.setattr(services, "_register_at_once", lambda *a, **k: calls.append(1) or original(*a, **k))
    organiser = get_user_model().objects.create_user("switch")
    settings.PLENARY_ONE_STATEMENT_SQL = True
    run_registrations("switch-on", organiser)
    on = len(calls)
    settings.PLENARY_ONE_STATEMENT_SQL = False
    run_registrations("switch-off", organiser)
    assert (on, len(calls) - on) == ((6 if connection.vendor == "postgresql" else 0), 0)
