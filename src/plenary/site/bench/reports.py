"""``plenary bench dashboard``: a programme's figures, the coordinator's record and the console at scale.

Builds a throwaway programme with N registrations (default 100 000) from A member agencies (default
300) over 7 sessions — a hybrid opening ceremony, five online lectures and a hybrid sharing — and, for
the coordinator's record, one more agency with ``--nominees`` nominations (default 2 000) spread over
``--programmes`` programmes (default 20: the large one and 19 small ones). Everything goes through the
owners' bulk paths: ``registrations.services.register_many`` places the seats (bulk inserts, the
counters recounted by ``seats.py``); attendance events are copied in bulk (COPY on PostgreSQL) and
derived by ``attendance.services.recompute_many``; certificates follow the programme's rule
(``certificates.services.evaluate``) and are written in bulk without their PDFs (rendered on demand).

Then it times, server-side and in this process, each R times after one warm-up (best, median and the
number of queries): the figures (``reports.selectors.programme_figures``), the stats API (``GET
/api/v1/programmes/{slug}/stats`` with a bearer token), the dashboard page, the coordinator's record
(``/agency/record/`` and one programme of it) and every console page of the programme.

``--keep`` leaves the data in the database and ``--reuse`` times what a ``--keep`` run left, so the
build (minutes at 100 000) is paid once. On PostgreSQL the tables are vacuumed and analysed after the
build, as autovacuum would do on a running server (the index-only scans need the visibility map).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plenary.api.auth import create_token
from plenary.attendance import services as attendance
from plenary.attendance.models import Attendance, AttendanceEvent, Progress
from plenary.certificates import services as certificates
from plenary.certificates.models import Certificate, new_serial
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services as registrations
from plenary.registrations.models import ConsentRecord, Registration, SeatAllocation, SeatCounter
from plenary.reports import selectors

SLUG = "bench-dashboard"
AGENCY_PREFIX = "Bench dashboard agency"
COORDINATED = f"{AGENCY_PREFIX} (coordinated)"
USERNAME = "bench-dashboard-organiser"
COORDINATOR = "bench-dashboard-coordinator"
START = datetime(2022, 11, 20, 6, 30, tzinfo=UTC)

# The console pages of one programme that answer a GET with HTML (exports and PDFs are downloads).
CONSOLE_PAGES = (
    "",
    "edit/",
    "audit/",
    "registrations/",
    "registrations/quotas/",
    "registrations/add/",
    "attendance/",
    "attendance/sessions/{session}/",
    "certificates/",
    "door/",
    "reflections/",
    "surveys/",
    "surveys/{session}/",
    "sessions/{session}/photos/",
    "sessions/{session}/rundown/",
    "messages/",
    "messages/new/",
    "messages/reminders/",
    "privacy/",
    "releases/",
    "dashboard/",
)


def _clean() -> None:
    venues = set()
    for programme in Programme.objects.filter(slug__startswith=SLUG):
        for model, lookup in [
            (Certificate, "programme"),
            (AttendanceEvent, "session__programme"),
            (Attendance, "session__programme"),
            (Progress, "programme"),
            (SeatAllocation, "session__programme"),
            (SeatCounter, "session__programme"),
            (ConsentRecord, "registration__programme"),
            (Registration, "programme"),
        ]:
            queryset = model.objects.filter(**{lookup: programme})
            queryset._raw_delete(queryset.db)
        venues.update(Venue.objects.filter(sessions__programme=programme).distinct())
        programme.delete()
    for venue in venues:  # the programmes share their hall
        venue.delete()
    get_user_model().objects.filter(username__in=[USERNAME, COORDINATOR]).delete()
    Organisation.objects.filter(name_en__startswith=AGENCY_PREFIX).delete()
    Organisation.objects.filter(name_en="Bench dashboard bureau").delete()


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """Inserts plain rows fast: COPY on PostgreSQL, executemany on SQLite (bench data only)."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({placeholders})"  # noqa: S608 - names from the model
        for begin in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[begin : begin + 5000])


def _when(moment: datetime):
    return moment if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(moment)


def _programme(
    slug: str, title: str, lead: Organisation, hall: Venue, lectures: int, offset: int
) -> Programme:
    start = START + timedelta(days=offset)
    programme = Programme.objects.create(
        slug=slug,
        title_en=title,
        starts_on=start.date(),
        ends_on=(start + timedelta(days=lectures + 8)).date(),
        status=Programme.Status.PUBLISHED,
    )
    CoOrganiser.objects.create(programme=programme, organisation=lead, role=CoOrganiser.Role.LEAD)
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
    for day in range(1, lectures + 1):
        sessions.append(
            Session(
                programme=programme,
                title_en=f"Lecture {day}",
                kind=Session.Kind.LECTURE,
                mode=Session.Mode.ONLINE,
                starts_at=start + timedelta(days=day),
                ends_at=start + timedelta(days=day, hours=2),
                cpd_hours=2,
            )
        )
    sessions.append(
        Session(
            programme=programme,
            title_en="Summary and sharing",
            kind=Session.Kind.SHARING,
            mode=Session.Mode.HYBRID,
            venue=hall,
            starts_at=start + timedelta(days=lectures + 8),
            ends_at=start + timedelta(days=lectures + 8, hours=3),
        )
    )
    for session in sessions:
        session.save()  # saves create the seat counters (registrations/signals.py)
    # Counted now, while empty: the attendance triggers keep it from here (a worker would, after the saves).
    attendance.rebuild_progress(programme)
    return programme


def _register(programme: Programme, people: list[tuple], rng: random.Random, days: int = 28) -> list:
    """Registers (email, name, agency) in order through the seat owner, spread over ``days`` days."""
    arrivals = [
        registrations.Arrival(
            registrations.Applicant(
                email=email,
                name_en=name,
                organisation=agency,
                preferred_mode="in_person" if rng.random() < 0.2 else "online",
                consent_pics=True,
            ),
            source=Registration.Source.NOMINATED,
            cancelled=rng.random() < 0.03,
        )
        for email, name, agency in people
    ]
    made = registrations.register_many(programme, arrivals)
    ids = sorted(person.pk for person in made)
    first = START + timedelta(days=(programme.starts_on - START.date()).days - days)
    with transaction.atomic():
        for day in range(days):
            part = ids[day * len(ids) // days : (day + 1) * len(ids) // days]
            if part:
                Registration.objects.filter(pk__gte=part[0], pk__lte=part[-1], programme=programme).update(
                    created_at=first + timedelta(days=day)
                )
    return made


def _attend(programme: Programme, people: list, rng: random.Random) -> int:
    """Three quarters of the confirmed attend each session for a random stay: one presence event each,
    copied in bulk, then derived by the attendance owner."""
    events = 0
    recorded = _when(timezone.now())
    for session in programme.sessions.order_by("starts_at"):
        length = int(session.duration.total_seconds() // 60)
        rows, ids = [], []
        for person in people:
            if person.status != Registration.Status.CONFIRMED or rng.random() < 0.25:
                continue
            mode = "in_person" if session.has_room and person.preferred_mode == "in_person" else "online"
            stay = rng.randint(5, length)
            rows.append(
                (
                    person.pk,
                    session.pk,
                    AttendanceEvent.Source.QR_SCAN
                    if mode == "in_person"
                    else AttendanceEvent.Source.JOIN_LINK,
                    AttendanceEvent.Kind.PRESENCE,
                    mode,
                    _when(session.starts_at),
                    _when(session.starts_at + timedelta(minutes=stay)),
                    "",
                    "{}",
                    recorded,
                )
            )
            ids.append(person.pk)
        with transaction.atomic():
            _copy(
                AttendanceEvent,
                [
                    "registration",
                    "session",
                    "source",
                    "kind",
                    "mode",
                    "started_at",
                    "ended_at",
                    "reason",
                    "evidence",
                    "recorded_at",
                ],
                rows,
            )
        attendance.recompute_many(session, ids)
        events += len(rows)
    return events


def _certify(programme: Programme) -> int:
    """Certificates for everyone the rule makes eligible, written in bulk (PDFs are made on demand)."""
    due = [evaluation for evaluation in certificates.evaluate(programme) if evaluation.eligible]
    Certificate.objects.bulk_create(
        [
            Certificate(
                programme=programme,
                registration=evaluation.registration,
                serial=new_serial(programme.starts_on.year),
                name_en=evaluation.registration.name_en,
                name_zh=evaluation.registration.name_zh,
                hours=evaluation.hours,
                sessions_attended=evaluation.sessions_attended,
                sessions_total=evaluation.sessions_total,
                minutes_attended=evaluation.minutes_attended,
            )
            for evaluation in due
        ],
        batch_size=2000,
    )
    return len(due)


def _build(options, rng: random.Random) -> None:
    began = time.perf_counter()
    lead = Organisation.objects.create(name_en="Bench dashboard bureau")
    agencies = Organisation.objects.bulk_create(
        [
            Organisation(name_en=f"{AGENCY_PREFIX} {index}", is_member_agency=True)
            for index in range(options.agencies)
        ]
    )
    coordinated = Organisation.objects.create(name_en=COORDINATED, is_member_agency=True)
    user = get_user_model().objects.create_user(USERNAME, password=None)
    Membership.objects.create(user=user, organisation=lead, role=Membership.Role.ORGANISER)
    coordinator = get_user_model().objects.create_user(COORDINATOR, password=None)
    Membership.objects.create(user=coordinator, organisation=coordinated, role=Membership.Role.COORDINATOR)
    hall = Venue.objects.create(name_en="Bench hall", capacity=800, owner=lead)
    programmes = max(options.programmes, 1)
    per_programme = options.nominees // programmes

    programme = _programme(SLUG, "Dashboard benchmark", lead, hall, lectures=5, offset=0)
    weights = [1 / (rank + 1) for rank in range(len(agencies))]
    people = [
        (
            f"p{index}@bench-dashboard.example.org",
            f"Bench Person {index}",
            rng.choices(agencies, weights)[0] if rng.random() < 0.9 else None,
        )
        for index in range(options.registrations - per_programme)
    ]
    # The coordinated agency's nominees arrive among the others.
    for index in range(per_programme):
        people.insert(
            rng.randrange(len(people) + 1),
            (f"staff{index}@bench-coordinated.example.org", f"Staff Member {index}", coordinated),
        )
    made = _register(programme, people, rng)
    print(f"registrations: {len(made)} in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    events = _attend(programme, made, rng)
    print(f"attendance: {events} events over 7 sessions in {time.perf_counter() - began:.1f} s")
    began = time.perf_counter()
    issued = _certify(programme)
    print(f"certificates: {issued} in {time.perf_counter() - began:.1f} s")

    began = time.perf_counter()
    nominees = per_programme
    for number in range(1, programmes):
        # Past programmes of the same agency: its staff come back (the same emails) with newcomers.
        small = _programme(
            f"{SLUG}-{number}",
            f"Dashboard benchmark, earlier programme {number}",
            lead,
            hall,
            2,
            -40 * number,
        )
        staff = [
            (
                f"staff{(index + number * 37) % (2 * per_programme)}@bench-coordinated.example.org",
                "",
                coordinated,
            )
            for index in range(per_programme)
        ]
        staff = [(email, f"Staff {email.split('@')[0][5:]}", agency) for email, _n, agency in staff]
        others = [
            (f"o{number}-{index}@bench-dashboard.example.org", f"Other {index}", rng.choice(agencies))
            for index in range(4 * per_programme)
        ]
        everyone = staff + others
        rng.shuffle(everyone)
        made = _register(small, everyone, rng, days=14)
        _attend(small, made, rng)
        _certify(small)
        nominees += per_programme
    print(
        f"coordinator: {nominees} nominations of one agency over {programmes} programmes "
        f"in {time.perf_counter() - began:.1f} s"
    )


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


def _page(client: Client, path: str):
    def get():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return get


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench dashboard")
    parser.add_argument("--registrations", type=int, default=100_000)
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--nominees", type=int, default=2000, help="of the coordinated agency, in all")
    parser.add_argument("--programmes", type=int, default=20, help="the coordinated agency's programmes")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="leave the data in the database")
    parser.add_argument("--reuse", action="store_true", help="time what an earlier --keep run left")
    parser.add_argument("--only", default="", help="time only the timings whose label contains this")
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    if not (options.reuse and Programme.objects.filter(slug=SLUG).exists()):
        _clean()
    try:
        if not Programme.objects.filter(slug=SLUG).exists():
            _build(options, rng)
            if connection.vendor == "postgresql":
                # As autovacuum would on a running server (it is off on the machines measured on):
                # fresh statistics, and the visibility map that index-only scans read.
                # (VACUUM cannot run inside a transaction: a test's run gets fresh statistics only.)
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        programme = Programme.objects.get(slug=SLUG)
        user = get_user_model().objects.get(username=USERNAME)
        coordinator = get_user_model().objects.get(username=COORDINATOR)
        print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.1f}")
        figures = selectors.programme_figures(programme)
        print(
            f"figures: {figures.total} registrations, {len(figures.by_agency)} agency rows, "
            f"{len(figures.by_day)} days, eligible {figures.eligible} of {figures.confirmed}"
        )

        def timed(label: str, call) -> None:
            if options.only in label:
                _time(label, options.repeat, call)

        timed("figures (selectors)", lambda: selectors.programme_figures(programme))
        token = create_token(user)
        api = Client(SERVER_NAME="127.0.0.1")

        def stats():
            response = api.get(
                f"/api/v1/programmes/{SLUG}/stats", headers={"Authorization": f"Bearer {token}"}
            )
            assert response.status_code == 200, response.content[:200]

        timed("GET stats API", stats)
        page = Client(SERVER_NAME="127.0.0.1")
        page.force_login(user)
        timed("dashboard page", _page(page, f"/manage/p/{SLUG}/dashboard/"))
        agency = Client(SERVER_NAME="127.0.0.1")
        agency.force_login(coordinator)
        timed("coordinator record /agency/record/", _page(agency, "/agency/record/"))
        timed(
            "coordinator record of the large programme",
            _page(agency, f"/agency/record/p/{SLUG}/"),
        )
        session = programme.sessions.order_by("starts_at").first()
        for path in CONSOLE_PAGES:
            url = f"/manage/p/{SLUG}/{path.format(session=session.pk)}"
            timed(f"console {url}", _page(page, url))
    finally:
        if not options.keep:
            _clean()
