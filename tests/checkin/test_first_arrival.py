"""A first arrival outside any transaction: on PostgreSQL the one-statement path of ``check_in()``
(``_first_arrival``), on SQLite the ordinary one; the outcome must be the same row for row."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection

from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.checkin import selectors, services
from plenary.checkin.models import CheckIn, Scan

pytestmark = pytest.mark.django_db(transaction=True)


def scan(someone, session, *, at, event_id=None, device="phone-a", actor=None):
    return services.check_in(
        code=someone.pass_code,
        session=session,
        client_event_id=event_id or uuid.uuid4(),
        scanned_at=at,
        device=device,
        actor=actor,
    )


def test_first_arrival_writes_check_in_event_scan_and_attendance(sharing, person, door, monkeypatch):
    assert not connection.in_atomic_block  # so PostgreSQL takes the one-statement path
    taken = []
    one_statement = services._first_arrival
    monkeypatch.setattr(
        services, "_first_arrival", lambda *args: taken.append(one_statement(*args)) or taken[-1]
    )
    someone = person("Chan Tai Man", "陳大文")
    arrival = sharing.starts_at + timedelta(minutes=30)

    answer = scan(someone, sharing, at=arrival, actor=door)

    assert bool(taken and taken[0]) == (connection.vendor == "postgresql")
    assert (answer.result, answer.name, answer.first_checked_in_at) == (
        "checked_in",
        "Chan Tai Man 陳大文",
        arrival,
    )
    check_in = CheckIn.objects.get(registration=someone, session=sharing)
    assert (check_in.first_scanned_at, check_in.device, check_in.undone_at) == (arrival, "phone-a", None)
    event = AttendanceEvent.objects.get(registration=someone, session=sharing)
    assert (event.source, event.kind, event.mode, event.started_at, event.ended_at) == (
        "qr_scan",
        "presence",
        "in_person",
        arrival,
        None,
    )
    assert event.recorded_by == door and event.evidence == {"device": "phone-a"}
    stored = Scan.objects.get(client_event_id=answer.client_event_id)
    assert (stored.result, stored.registration, stored.actor) == ("checked_in", someone, door)
    attendance = Attendance.objects.get(registration=someone, session=sharing)
    assert (attendance.minutes, attendance.mode, attendance.present) == (120, "in_person", True)
    assert attendance.sources == ["qr_scan"]
    # The arrivals the scanner shows include this one.
    assert selectors.counts(sharing, arrived=answer.extra.get("arrived"))["arrived"] == 1


def test_an_earlier_online_event_is_counted_with_the_arrival(sharing, person):
    someone = person()
    AttendanceEvent.objects.create(
        registration=someone,
        session=sharing,
        source=AttendanceEvent.Source.STREAM_HEARTBEAT,
        kind=AttendanceEvent.Kind.PRESENCE,
        mode=AttendanceEvent.Mode.ONLINE,
        started_at=sharing.starts_at,
        ended_at=sharing.starts_at + timedelta(minutes=20),
    )
    scan(someone, sharing, at=sharing.starts_at + timedelta(minutes=60))
    attendance = Attendance.objects.get(registration=someone, session=sharing)
    assert (attendance.minutes, attendance.mode) == (
        20 + 90,
        "hybrid",
    )  # 20 online, then 60 minutes in to the end
    assert attendance.first_seen_at == sharing.starts_at


def test_a_second_scan_and_a_replay_change_nothing(sharing, person):
    someone = person()
    arrival = sharing.starts_at - timedelta(minutes=5)
    first = scan(someone, sharing, at=arrival)
    again = scan(someone, sharing, at=arrival + timedelta(minutes=1), device="phone-b")
    replay = scan(someone, sharing, at=arrival, event_id=first.client_event_id)

    assert again.result == "already_checked_in" and again.first_checked_in_at == arrival
    assert replay.replayed and replay.result == "checked_in"
    assert CheckIn.objects.filter(registration=someone, session=sharing).count() == 1
    assert AttendanceEvent.objects.filter(registration=someone, session=sharing).count() == 1
    assert Scan.objects.filter(registration=someone).count() == 2
