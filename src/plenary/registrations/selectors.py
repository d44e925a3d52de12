"""Read queries about registrations shared by pages, the API, reports and publicity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import connection
from django.db.models import CharField, Count, Q, QuerySet
from django.db.models.functions import Cast, Substr, TruncDate

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter

ACTIVE_STATUSES = (Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def active_registrations(programme: Programme) -> QuerySet[Registration]:
    """Registrations that still stand: not cancelled or rejected."""
    return programme.registrations.filter(status__in=ACTIVE_STATUSES)


def registrant_count(programme: Programme) -> int:
    """How many people registered for the programme, as a press release counts them.

    A registrant who later cancelled still registered, so only rejected registrations are left out.
    """
    return programme.registrations.exclude(status=Registration.Status.REJECTED).count()


def seats_of(registration: Registration) -> list[SeatAllocation]:
    return list(
        registration.seats.select_related("session", "session__venue").order_by("session__starts_at", "id")
    )


def offers_pass(registration: Registration, seats: list[SeatAllocation]) -> bool:
    """A pass (for the door) whenever any in-person seat is confirmed; an online-only confirmed
    registration keeps its pass too. Not while every in-person seat still waits."""
    if registration.status != Registration.Status.CONFIRMED:
        return False
    active = [seat for seat in seats if seat.status != SeatAllocation.Status.CANCELLED]
    in_person = [seat for seat in active if seat.mode == Registration.Mode.IN_PERSON]
    return not in_person or any(seat.status == SeatAllocation.Status.CONFIRMED for seat in in_person)


def seat_summary(programme: Programme) -> list[dict]:
    """Per session and side: places, taken, waiting (from the counters)."""
    rows = []
    counters = SeatCounter.objects.filter(session__programme=programme).select_related("session")
    for counter in counters.order_by("session__starts_at", "mode"):
        rows.append(
            {
                "session": counter.session,
                "mode": counter.mode,
                "capacity": counter.capacity,
                "taken": counter.taken,
                "waiting": counter.waiting,
            }
        )
    return rows


def sides(programme_id: int) -> dict[tuple[int, str], tuple[int | None, int]]:
    """Each side's (capacity, taken) by (session id, mode), from the counters: one narrow query."""
    rows = SeatCounter.objects.filter(session__programme_id=programme_id).values_list(
        "session_id", "mode", "capacity", "taken"
    )
    return {(session_id, mode): (capacity, taken) for session_id, mode, capacity, taken in rows}


def rooms_left(programme_id: int) -> dict[int, int]:
    """Free places in the room of each of a programme's sessions that has a limited room, from the counters."""
    rows = SeatCounter.objects.filter(
        session__programme_id=programme_id, mode=Registration.Mode.IN_PERSON, capacity__isnull=False
    ).values_list("session_id", "capacity", "taken")
    return {session_id: max(capacity - taken, 0) for session_id, capacity, taken in rows}


def room_left(session) -> int:
    """Free seats in a session's room (0 without a room), as its seat counter holds them."""
    from plenary.registrations import seats

    if not session.has_room:
        return 0
    counter = seats.counters_for([session]).get((session.pk, Registration.Mode.IN_PERSON))
    if counter is None or counter.capacity is None:
        return 0
    return max(counter.capacity - counter.taken, 0)


def registration_by_token(token: str) -> Registration | None:
    if not token or len(token) > 64:
        return None
    return Registration.objects.select_related("programme", "organisation").filter(token=token).first()


def waiting_position(seat: SeatAllocation) -> int | None:
    """Where a waiting seat stands in its side's queue (1 = next to be promoted)."""
    if seat.status != SeatAllocation.Status.WAITLISTED:
        return None
    ahead = SeatAllocation.objects.filter(
        session_id=seat.session_id, mode=seat.mode, status=SeatAllocation.Status.WAITLISTED
    ).filter(Q(requested_at__lt=seat.requested_at) | Q(requested_at=seat.requested_at, pk__lt=seat.pk))
    return ahead.count() + 1


@dataclass
class Counts:
    """A programme's registrations counted: every one by status, the standing ones by preferred mode
    and per agency (the ``top`` largest as (organisation id, count); ``rest`` every other agency and
    those naming none)."""

    by_status: dict[str, int]
    by_mode: dict[str, int]
    top: list[tuple[int, int]]
    rest: int


def counts(programme: Programme, top: int = 10) -> Counts:
    """One grouped query by status, mode and agency, which the ``registration_figures`` index answers
    on its own on PostgreSQL: a few thousand groups at most, however many registrations."""
    by_status = dict.fromkeys(Registration.Status.values, 0)
    by_mode = dict.fromkeys(Registration.Mode.values, 0)
    agencies: dict[int | None, int] = {}
    rows = (
        programme.registrations.values_list("status", "preferred_mode", "organisation_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    for status, mode, organisation_id, n in rows:
        by_status[status] = by_status.get(status, 0) + n
        if status in ACTIVE_STATUSES:
            by_mode[mode] = by_mode.get(mode, 0) + n
            agencies[organisation_id] = agencies.get(organisation_id, 0) + n
    named = sorted(
        ((pk, n) for pk, n in agencies.items() if pk is not None), key=lambda row: (-row[1], row[0])
    )
    rest = agencies.get(None, 0) + sum(n for _pk, n in named[top:])
    return Counts(by_status=by_status, by_mode=by_mode, top=named[:top], rest=rest)


def daily_counts(programme: Programme) -> list[tuple]:
    """(day in the programme's zone, registrations made that day), every registration, oldest first.

    On SQLite the day of each row would be a Python function call per registration (``TruncDate``):
    there the database groups by the minute in UTC, from the stored text, and each minute is given its
    day here — exact for every zone, whose offsets are whole minutes."""
    if connection.vendor != "sqlite":
        return list(
            programme.registrations.annotate(day=TruncDate("created_at", tzinfo=programme.tzinfo))
            .values_list("day")
            .annotate(n=Count("*"))
            .order_by("day")
        )
    minutes = (
        programme.registrations.annotate(minute=Substr(Cast("created_at", CharField()), 1, 16))
        .values_list("minute")
        .annotate(n=Count("*"))
        .order_by()
    )
    days: dict = {}
    for minute, n in minutes:
        day = datetime.fromisoformat(minute).replace(tzinfo=UTC).astimezone(programme.tzinfo).date()
        days[day] = days.get(day, 0) + n
    return sorted(days.items())


def expected_per_session(programme: Programme) -> dict[int, dict[str, int]]:
    """Per session: confirmed seats, in the room and online (a cancelled or rejected registration
    holds none: ``seats.py`` cancels its seats), counted on the (session, mode, status) index alone."""
    figures: dict[int, dict[str, int]] = {}
    rows = (
        SeatAllocation.objects.filter(
            session__in=programme.sessions.values("pk"), status=SeatAllocation.Status.CONFIRMED
        )
        .values_list("session_id", "mode")
        .annotate(n=Count("*"))
        .order_by()
    )
    for session_id, mode, n in rows:
        figures.setdefault(session_id, dict.fromkeys(Registration.Mode.values, 0))[mode] = n
    return figures
