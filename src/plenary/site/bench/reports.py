"""``plenary bench dashboard [--registrations N] [--agencies A] [--repeat R]``: a programme's figures at scale.

Builds a throwaway programme with N registrations (default 100 000) from A member agencies (default
300) over 7 sessions — a hybrid opening ceremony, five online lectures and a hybrid sharing — through
the owners' bulk paths (``registrations.services.register_many``, which places the seats; attendance
events inserted in bulk and derived by ``attendance.services.recompute_many``), then times, server-side
and in this process: the figures (``reports.selectors.programme_figures``), the stats API
(``GET /api/v1/programmes/{slug}/stats`` with a bearer token) and the dashboard page. Each is run R
times after one warm-up; the best and the median are printed with the number of queries. Everything
is removed again at the end. No certificates are issued and no evaluations answered: those figures are
counts over their own small tables.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from plenary.api.auth import create_token
from plenary.attendance import services as attendance
from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services as registrations
from plenary.registrations.models import ConsentRecord, Registration, SeatAllocation, SeatCounter
from plenary.reports import selectors

SLUG = "bench-dashboard"
AGENCY_PREFIX = "Bench dashboard agency"
USERNAME = "bench-dashboard-organiser"


def _clean() -> None:
    for programme in Programme.objects.filter(slug=SLUG):
        for model, lookup in [
            (AttendanceEvent, "session__programme"),
            (Attendance, "session__programme"),
            (SeatAllocation, "session__programme"),
            (SeatCounter, "session__programme"),
            (ConsentRecord, "registration__programme"),
            (Registration, "programme"),
        ]:
            queryset = model.objects.filter(**{lookup: programme})
            queryset._raw_delete(queryset.db)
        venues = list(Venue.objects.filter(sessions__programme=programme).distinct())
        programme.delete()
        for venue in venues:
            venue.delete()
    get_user_model().objects.filter(username=USERNAME).delete()
    Organisation.objects.filter(name_en__startswith=AGENCY_PREFIX).delete()
    Organisation.objects.filter(name_en="Bench dashboard bureau").delete()


def _build(options, rng: random.Random) -> tuple[Programme, object]:
    start = datetime(2022, 11, 20, 6, 30, tzinfo=UTC)
    lead = Organisation.objects.create(name_en="Bench dashboard bureau")
    agencies = Organisation.objects.bulk_create(
        [
            Organisation(name_en=f"{AGENCY_PREFIX} {index}", is_member_agency=True)
            for index in range(options.agencies)
        ]
    )
    user = get_user_model().objects.create_user(USERNAME, password=None)
    Membership.objects.create(user=user, organisation=lead, role=Membership.Role.ORGANISER)
    programme = Programme.objects.create(
        slug=SLUG,
        title_en="Dashboard benchmark",
        starts_on=date(2022, 11, 20),
        ends_on=date(2022, 12, 3),
        status=Programme.Status.PUBLISHED,
    )
    CoOrganiser.objects.create(programme=programme, organisation=lead, role=CoOrganiser.Role.LEAD)
    hall = Venue.objects.create(name_en="Bench hall", capacity=800, owner=lead)
    sessions = [
        Session(
            programme=programme,
            title_en="Opening ceremony",
            kind=Session.Kind.CEREMONY,
            mode=Session.Mode.HYBRID,
            venue=hall,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
    ]
    for day in range(1, 6):
        sessions.append(
            Session(
                programme=programme,
                title_en=f"Lecture {day}",
                kind=Session.Kind.LECTURE,
                mode=Session.Mode.ONLINE,
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=2),
            )
        )
    sessions.append(
        Session(
            programme=programme,
            title_en="Summary and sharing",
            kind=Session.Kind.SHARING,
            mode=Session.Mode.HYBRID,
            venue=hall,
            starts_at=start + timedelta(days=13),
            ends_at=start + timedelta(days=13, hours=3),
        )
    )
    for session in sessions:
        session.save()  # saves create the seat counters (registrations/signals.py)
    weights = [1 / (rank + 1) for rank in range(len(agencies))]
    arrivals = [
        registrations.Arrival(
            registrations.Applicant(
                email=f"p{index}@bench-dashboard.example.org",
                name_en=f"Bench Person {index}",
                organisation=rng.choices(agencies, weights)[0] if rng.random() < 0.9 else None,
                preferred_mode="in_person" if rng.random() < 0.2 else "online",
                consent_pics=True,
            ),
            source=Registration.Source.NOMINATED,
            cancelled=rng.random() < 0.03,
        )
        for index in range(options.registrations)
    ]
    began = time.perf_counter()
    people = registrations.register_many(programme, arrivals)
    # Spread the registrations over the four weeks before the programme.
    first = start - timedelta(days=28)
    with transaction.atomic():
        for day in range(28):
            ids = [person.pk for index, person in enumerate(people) if index * 28 // len(people) == day]
            Registration.objects.filter(pk__in=ids).update(created_at=first + timedelta(days=day))
    print(f"registrations: {len(people)} in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    events = 0
    for session in sessions:
        length = int(session.duration.total_seconds() // 60)
        rows = []
        for person in people:
            if person.status != Registration.Status.CONFIRMED or rng.random() < 0.25:
                continue
            mode = "in_person" if session.has_room and person.preferred_mode == "in_person" else "online"
            stay = rng.randint(5, length)
            rows.append(
                AttendanceEvent(
                    registration_id=person.pk,
                    session=session,
                    source=AttendanceEvent.Source.QR_SCAN
                    if mode == "in_person"
                    else AttendanceEvent.Source.JOIN_LINK,
                    mode=mode,
                    started_at=session.starts_at,
                    ended_at=session.starts_at + timedelta(minutes=stay),
                )
            )
        AttendanceEvent.objects.bulk_create(rows, batch_size=5000)
        attendance.recompute_many(session, [row.registration_id for row in rows])
        events += len(rows)
    print(f"attendance: {events} events over {len(sessions)} sessions in {time.perf_counter() - began:.1f} s")
    return programme, user


def _time(label: str, repeat: int, call) -> None:
    call()  # warm-up: first compilation of templates and queries
    seconds, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            call()
            seconds.append(time.perf_counter() - began)
        queries = len(captured.captured_queries)
    print(
        f"{label}: best {min(seconds) * 1000:.0f} ms, median {statistics.median(seconds) * 1000:.0f} ms "
        f"over {repeat} runs, {queries} queries"
    )


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench dashboard")
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the programme in the database")
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    _clean()
    try:
        programme, user = _build(options, rng)
        if connection.vendor == "postgresql":
            # Fresh statistics, as autovacuum would gather them (it is off on the machines measured on).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
        figures = selectors.programme_figures(programme)
        print(
            f"figures: {figures.total} registrations, {len(figures.by_agency)} agency rows, "
            f"{len(figures.by_day)} days, eligible {figures.eligible} of {figures.confirmed}"
        )
        _time("figures (selectors)", options.repeat, lambda: selectors.programme_figures(programme))
        token = create_token(user)
        api = Client(SERVER_NAME="127.0.0.1")
        path = f"/api/v1/programmes/{SLUG}/stats"

        def stats():
            response = api.get(path, headers={"Authorization": f"Bearer {token}"})
            assert response.status_code == 200, response.content[:200]

        _time("GET stats API", options.repeat, stats)
        page = Client(SERVER_NAME="127.0.0.1")
        page.force_login(user)

        def dashboard():
            response = page.get(f"/manage/p/{SLUG}/dashboard/")
            assert response.status_code == 200, response.status_code

        _time("dashboard page", options.repeat, dashboard)
    finally:
        if not options.keep:
            _clean()
