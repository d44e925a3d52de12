"""Read queries for the door: who may scan where, the roster a scanner keeps offline, the counters."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet

from plenary.checkin.models import CheckIn, StaffAssignment
from plenary.core import sql
from plenary.organisations.models import Membership
from plenary.programmes.models import Programme, Session
from plenary.programmes.selectors import managed_programmes, organiser_exists
from plenary.registrations.models import Registration, SeatAllocation

ROOM_MODES = (Session.Mode.IN_PERSON, Session.Mode.HYBRID)


def is_checkin_only(user) -> bool:
    """True for accounts whose only role is check-in staff: they may use the scanner and nothing else."""
    if not user.is_authenticated or user.is_superuser or user.is_staff:
        return False
    known = getattr(user, "_plenary_checkin_only", None)  # read with the API token
    if known is not None:
        return known
    roles = getattr(user, "_plenary_roles", None)
    if roles is None:
        roles = user._plenary_roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return roles == {Membership.Role.CHECKIN}


def scannable_sessions(user) -> QuerySet[Session]:
    """Sessions with a room whose door this user may work: assigned ones, or any of a programme they manage."""
    if not user.is_authenticated:
        return Session.objects.none()
    sessions = Session.objects.filter(mode__in=ROOM_MODES).select_related("programme", "venue")
    if user.is_superuser:
        return sessions
    return sessions.filter(
        Q(checkin_staff__user=user) | Q(programme__in=managed_programmes(user).values("pk"))
    ).distinct()


def can_scan(user, session: Session) -> bool:
    if not user.is_authenticated or session.mode not in ROOM_MODES:
        return False
    if user.is_superuser or StaffAssignment.objects.filter(user=user, session=session).exists():
        return True
    return managed_programmes(user).filter(pk=session.programme_id).exists()


# What the door's one-statement path needs to know of a pass (``services._first_arrival``): the
# registration, its seat and check-in at the session, and the person's attendance events there (one
# row per event). Read with the session in ``door()``, or on its own by ``pass_at_door()``.
PASS_FIELDS = ("id", "programme_id", "reference", "pass_code", "name_en", "name_zh", "status")


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


def pass_at_door(code: str, session: Session) -> list[tuple]:
    """The pass rows (see ``PASS_FIELDS``) for ``code`` at ``session``; none if no such pass."""
    rows = sql.fetchall(
        f"SELECT {_pass_columns()} FROM (SELECT 1 AS one) one {_pass_joins('%s', '%s')}",  # noqa: S608 - names from the models, values bound
        [code, session.programme_id, session.pk, session.pk, session.pk],
    )
    return [row for row in rows if row[0] is not None]


def door(session_id: int, user, code: str | None = None) -> tuple[Session | None, bool, list[tuple] | None]:
    """A session (with its programme), whether ``user`` may scan at its door and, given a pass code,
    the pass rows as ``pass_at_door()`` reads them — all in one query.

    ``can_scan()`` and the lookups written by hand (``core/sql.py``): every door scan asks.
    """
    session_select, session_names = sql.columns(Session, "s")
    programme_select, programme_names = sql.columns(Programme, "p")
    column = sql.column
    organiser, organiser_params = organiser_exists(f"s.{column(Session, 'programme')}", user)
    programme_id = f"s.{column(Session, 'programme')}"
    rows = sql.fetchall(
        f"SELECT {session_select}, {programme_select}, "  # noqa: S608 - names from the models, values bound
        f"EXISTS (SELECT 1 FROM {sql.table(StaffAssignment)} a WHERE a.{column(StaffAssignment, 'user')} = %s "
        f"AND a.{column(StaffAssignment, 'session')} = s.id), "
        f"{organiser}"
        + (f", {_pass_columns()} " if code else " ")
        + f"FROM {sql.table(Session)} s JOIN {sql.table(Programme)} p ON p.id = {programme_id} "
        + (_pass_joins("s.id", programme_id) + " " if code else "")
        + "WHERE s.id = %s",
        [user.pk, *organiser_params, *([code] if code else []), session_id],
    )
    if not rows:
        return None, False, None
    row = rows[0]
    count, more = len(session_names), len(session_names) + len(programme_names)
    session = sql.hydrate(Session, session_names, row[:count])
    session.programme = sql.hydrate(Programme, programme_names, row[count:more])
    assigned, organiser = row[more : more + 2]
    allowed = (
        user.is_authenticated
        and session.mode in ROOM_MODES
        and (user.is_superuser or bool(assigned) or bool(organiser))
    )
    passes = None
    if code:
        passes = [found[more + 2 :] for found in rows if found[more + 2] is not None]
    return session, allowed, passes


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
    if session.venue is None:
        return 0
    taken = SeatAllocation.objects.filter(
        session=session, mode=Registration.Mode.IN_PERSON, status=SeatAllocation.Status.CONFIRMED
    ).count()
    return max(session.venue.capacity - taken, 0)


def roster(session: Session) -> list[dict]:
    """Everyone with a place in this session (codes, names and state only), for the scanner's offline copy.

    ``state`` lets a scanner decide offline as the server would: ``expected`` (green on first scan),
    ``online`` and ``waitlisted`` (amber: see the desk), ``cancelled`` (red).
    """
    arrivals = dict(
        CheckIn.objects.filter(session=session, undone_at__isnull=True).values_list(
            "registration_id", "first_scanned_at"
        )
    )
    rows = []
    seats = SeatAllocation.objects.filter(session=session).values_list(
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
