"""Read queries about registrations shared by pages, the API, reports and publicity."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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
