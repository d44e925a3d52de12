"""Read queries for the door: who may scan where, the roster a scanner keeps offline, the counters."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Q, QuerySet

from plenary.access import rules as access
from plenary.checkin.models import CheckIn
from plenary.core import sql
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation

ROOM_MODES = access.ROOM_MODES


# What the door needs to know of a pass: the registration, its seat and check-in at the session, and
# the person's attendance events there (one row per event). Read with the session in ``door()``, or on
# its own by ``pass_at_door()``, and handed on as a ``PassAtDoor``.
PASS_FIELDS = ("id", "programme_id", "reference", "pass_code", "name_en", "name_zh", "status")
SEAT_FIELDS = ("id", "mode", "status")


@dataclass(frozen=True)
class PassAtDoor:
    """A pass as the door reads it: whose it is, their seat in the session, whether they were checked
    in before (``check_in_id``) and their attendance events at the session so far."""

    registration: Registration
    seat: SeatAllocation | None
    check_in_id: int | None
    events: list = field(default_factory=list)


def pass_record(rows: list[tuple], session_id: int) -> PassAtDoor | None:
    """The rows of ``_pass_columns()`` (one per event) as one ``PassAtDoor``; None for no pass."""
    from plenary.attendance.services import facts

    rows = [row for row in rows if row[0] is not None]
    if not rows:
        return None
    first = rows[0]
    registration = sql.hydrate(Registration, PASS_FIELDS, first[: len(PASS_FIELDS)])
    seat_values = first[len(PASS_FIELDS) : len(PASS_FIELDS) + len(SEAT_FIELDS)]
    seat = None
    if seat_values[0] is not None:
        seat = sql.hydrate(
            SeatAllocation,
            ("registration_id", "session_id", *SEAT_FIELDS),
            (registration.pk, session_id, *seat_values),
        )
        seat.registration = registration
    check_in = len(PASS_FIELDS) + len(SEAT_FIELDS)
    events = facts(row[check_in + 1 :] for row in rows if row[check_in + 1] is not None)
    return PassAtDoor(registration, seat, first[check_in], events)


def _pass_columns() -> str:
    from plenary.attendance.services import event_fact_columns

    column = sql.column
    return (
        f"{', '.join('r.' + column(Registration, name) for name in PASS_FIELDS)}, "
        f"st.id, st.{column(SeatAllocation, 'mode')}, st.{column(SeatAllocation, 'status')}, ci.id, "
        f"{event_fact_columns('e')}"
    )


def _pass_joins(session_id_sql: str, programme_id_sql: str) -> str:
    """LEFT JOINs from the pass (its code the first parameter) to its seat, check-in and events."""
    from plenary.attendance.models import AttendanceEvent

    column = sql.column
    return (
        f"LEFT JOIN {sql.table(Registration)} r ON r.{column(Registration, 'pass_code')} = %s "
        f"AND r.{column(Registration, 'programme')} = {programme_id_sql} "
        f"LEFT JOIN {sql.table(SeatAllocation)} st ON st.{column(SeatAllocation, 'registration')} = r.id "
        f"AND st.{column(SeatAllocation, 'session')} = {session_id_sql} "
        f"LEFT JOIN {sql.table(CheckIn)} ci ON ci.{column(CheckIn, 'registration')} = r.id "
        f"AND ci.{column(CheckIn, 'session')} = {session_id_sql} "
        f"LEFT JOIN {sql.table(AttendanceEvent)} e ON e.{column(AttendanceEvent, 'registration')} = r.id "
        f"AND e.{column(AttendanceEvent, 'session')} = {session_id_sql}"
    )


def pass_at_door(code: str, session: Session) -> PassAtDoor | None:
    """The pass with ``code`` at ``session``; None if there is no such pass in its programme."""
    rows = sql.fetchall(
        f"SELECT {_pass_columns()} FROM (SELECT 1 AS one) one {_pass_joins('%s', '%s')}",  # noqa: S608 - names from the models, values bound
        [code, session.programme_id, session.pk, session.pk, session.pk],
    )
    return pass_record(rows, session.pk)


def door(session_id: int, user, code: str | None = None) -> tuple[Session | None, bool, PassAtDoor | None]:
    """A session (with its programme), whether ``user`` may scan at its door (``access.scans_sql()``,
    the twin of ``access.scans()``) and, given a pass code, the pass as ``pass_at_door()`` reads it —
    all in one query written by hand (``core/sql.py``): every door scan asks.
    """
    session_select, session_names = sql.columns(Session, "s")
    programme_select, programme_names = sql.columns(Programme, "p")
    column = sql.column
    allowed_sql, allowed_params = access.scans_sql("s", user)
    programme_id = f"s.{column(Session, 'programme')}"
    rows = sql.fetchall(
        f"SELECT {session_select}, {programme_select}, {allowed_sql}"  # noqa: S608 - names from the models, values bound
        + (f", {_pass_columns()} " if code else " ")
        + f"FROM {sql.table(Session)} s JOIN {sql.table(Programme)} p ON p.id = {programme_id} "
        + (_pass_joins("s.id", programme_id) + " " if code else "")
        + "WHERE s.id = %s",
        [*allowed_params, *([code] if code else []), session_id],
    )
    if not rows:
        return None, False, None
    row = rows[0]
    count, more = len(session_names), len(session_names) + len(programme_names)
    session = sql.hydrate(Session, session_names, row[:count])
    session.programme = sql.hydrate(Programme, programme_names, row[count:more])
    allowed = bool(row[more])
    found = pass_record([row[more + 1 :] for row in rows], session.pk) if code else None
    return session, allowed, found


def expected_seats(session: Session) -> QuerySet[SeatAllocation]:
    """Confirmed in-room seats of confirmed registrations: the people the door expects."""
    return SeatAllocation.objects.filter(
        session=session,
        mode=Registration.Mode.IN_PERSON,
        status=SeatAllocation.Status.CONFIRMED,
        registration__status=Registration.Status.CONFIRMED,
    )


def counts(session: Session, *, fresh: bool = False, arrived: int | None = None) -> dict[str, int]:
    """Arrivals against expected, for the live counter.

    Scanners ask with every scan, hundreds of times a second at peak: the expected figure, which changes
    only at the desk and in registration, is cached for half a minute unless ``fresh``.
    """
    key = f"checkin:expected:{session.pk}"
    expected = None if fresh else cache.get(key)
    if expected is None:
        expected = expected_seats(session).count()
        cache.set(key, expected, timeout=30)
    if arrived is not None:  # counted already, with the scan that asks
        return {"arrived": arrived, "expected": expected}
    [arrived] = sql.fetchone(
        f"SELECT COUNT(*) FROM {sql.table(CheckIn)} WHERE {sql.column(CheckIn, 'session')} = %s "  # noqa: S608 - names from the model, values bound
        f"AND {sql.column(CheckIn, 'undone_at')} IS NULL",
        [session.pk],
    )
    return {"arrived": arrived, "expected": expected}


def forget_counts(session: Session) -> None:
    cache.delete(f"checkin:expected:{session.pk}")


def seats_left(session: Session) -> int:
    """Free seats in the session's room, from its seat counter (the seat owner keeps it exact)."""
    from plenary.registrations.selectors import room_left

    return room_left(session)


def roster(session: Session) -> list[dict]:
    """Everyone with an in-person seat in this session (codes, names and state only), for the scanner's
    offline copy. People who take part online only are left out: a door has no business holding their
    names and pass codes (scanned at the door, the server still answers for them).

    ``state`` lets a scanner decide offline as the server would: ``expected`` (green on first scan),
    ``waitlisted`` (amber: see the desk), ``cancelled`` (red).
    """
    arrivals = dict(
        CheckIn.objects.filter(session=session, undone_at__isnull=True).values_list(
            "registration_id", "first_scanned_at"
        )
    )
    rows = []
    seats = SeatAllocation.objects.filter(session=session, mode=Registration.Mode.IN_PERSON).values_list(
        "registration_id",
        "mode",
        "status",
        "registration__pass_code",
        "registration__reference",
        "registration__name_en",
        "registration__name_zh",
        "registration__status",
    )
    for registration_id, mode, status, code, reference, name_en, name_zh, registration_status in seats:
        if (
            registration_status in (Registration.Status.CANCELLED, Registration.Status.REJECTED)
            or status == SeatAllocation.Status.CANCELLED
        ):
            state = "cancelled"
        elif status == SeatAllocation.Status.WAITLISTED or registration_status in (
            Registration.Status.WAITLISTED,
            Registration.Status.PENDING,
        ):
            state = "waitlisted"
        elif mode == Registration.Mode.ONLINE:
            state = "online"
        else:
            state = "expected"
        rows.append(
            {
                "code": code,
                "reference": reference,
                "name_en": name_en,
                "name_zh": name_zh,
                "state": state,
                "checked_in_at": arrivals.get(registration_id),
            }
        )
    return rows


def find_people(session: Session, query: str, limit: int = 30) -> QuerySet[Registration]:
    """Registrations of the session's programme matching a name, reference or email, for the desk."""
    query = query.strip()
    if not query:
        return Registration.objects.none()
    return (
        Registration.objects.filter(programme_id=session.programme_id)
        .filter(
            Q(name_en__icontains=query)
            | Q(name_zh__icontains=query)
            | Q(reference__iexact=query)
            | Q(email__iexact=query)
        )
        .order_by("name_en")[:limit]
    )


def find_at_door(session: Session, query: str, limit: int = 8) -> list[Registration]:
    """For the scanner without its roster: an exact reference or pass code first, else names containing
    the text, among the registrations of the session's programme."""
    query = query.strip()
    people = Registration.objects.filter(programme_id=session.programme_id)
    exact = list(people.filter(Q(reference__iexact=query) | Q(pass_code=query))[:1])
    if exact:
        return exact
    return list(
        people.filter(Q(name_en__icontains=query) | Q(name_zh__icontains=query)).order_by("name_en", "id")[
            :limit
        ]
    )
