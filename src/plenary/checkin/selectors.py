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


def door(session_id: int, user) -> tuple[Session | None, bool]:
    """A session (with its programme) and whether ``user`` may scan at its door, in one query.

    ``can_scan()`` and the session lookup written by hand (``core/sql.py``): every door scan asks.
    """
    session_select, session_names = sql.columns(Session, "s")
    programme_select, programme_names = sql.columns(Programme, "p")
    column = sql.column
    organiser, organiser_params = organiser_exists(f"s.{column(Session, 'programme')}", user)
    row = sql.fetchone(
        f"SELECT {session_select}, {programme_select}, "  # noqa: S608 - names from the models, values bound
        f"EXISTS (SELECT 1 FROM {sql.table(StaffAssignment)} a WHERE a.{column(StaffAssignment, 'user')} = %s "
        f"AND a.{column(StaffAssignment, 'session')} = s.id), "
        f"{organiser} "
        f"FROM {sql.table(Session)} s JOIN {sql.table(Programme)} p ON p.id = s.{column(Session, 'programme')} "
        f"WHERE s.id = %s",
        [user.pk, *organiser_params, session_id],
    )
    if row is None:
        return None, False
    count = len(session_names)
    session = sql.hydrate(Session, session_names, row[:count])
    session.programme = sql.hydrate(Programme, programme_names, row[count : count + len(programme_names)])
    assigned, organiser = row[-2:]
    allowed = (
        user.is_authenticated
        and session.mode in ROOM_MODES
        and (user.is_superuser or bool(assigned) or bool(organiser))
    )
    return session, allowed


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
