"""The door desk's walk-ins and moves into the room go through the seat owner (registrations/seats.py)."""

from __future__ import annotations

import uuid

import pytest

from plenary.checkin import services as door
from plenary.core.models import AuditEntry
from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def room(session) -> SeatCounter:
    return SeatCounter.objects.get(session=session, mode="in_person")


def confirmed_in_room(session) -> int:
    return SeatAllocation.objects.filter(session=session, mode="in_person", status="confirmed").count()


def test_a_walk_in_takes_the_counted_seat_so_a_later_registration_waits(small_programme, people):
    """The oversell of issue 13: capacity 2, one registration, one walk-in, then another registration
    gave three confirmed seats, because the desk wrote seats the counter never saw."""
    sharing = hybrid(small_programme)
    services.register(small_programme, applicant(1))
    walk_in = services.walk_in(sharing, applicant(2), actor=people["organiser"])
    later = services.register(small_programme, applicant(3))

    assert (walk_in.status, walk_in.source) == ("confirmed", "walk_in")
    assert later.seats.get(session=sharing).status == "waitlisted"
    assert confirmed_in_room(sharing) == 2 == room(sharing).taken == room(sharing).capacity
    assert room(sharing).waiting == 1
    # A walk-in is registered like anyone else: its consents are stored, and the audit log says who.
    assert ConsentRecord.objects.filter(registration=walk_in, kind="pics", given=True).exists()
    assert AuditEntry.objects.filter(
        actor=people["organiser"], summary="registration added at the door"
    ).exists()


def test_a_walk_in_to_a_full_room_is_refused_with_the_capacity_and_nothing_is_stored(small_programme, people):
    sharing = hybrid(small_programme)
    services.register(small_programme, applicant(1))
    services.register(small_programme, applicant(2))

    with pytest.raises(services.RoomFull) as refused:
        services.walk_in(sharing, applicant(3), actor=people["organiser"])

    assert "2 seats" in str(refused.value) and "capacity" in str(refused.value)
    assert not Registration.objects.filter(email="person3@example.org").exists()
    assert room(sharing).taken == 2 == confirmed_in_room(sharing)


def test_a_walk_in_must_acknowledge_the_collection_statement(small_programme, people):
    sharing = hybrid(small_programme)
    with pytest.raises(services.ValidationError) as refused:
        services.walk_in(sharing, applicant(1, consent_pics=False), actor=people["organiser"])
    assert "consent_pics" in refused.value.message_dict


def test_moving_into_the_room_takes_a_counted_seat_and_frees_the_online_place(small_programme, people):
    sharing = hybrid(small_programme)
    online = services.register(small_programme, applicant(1, mode="online"))
    services.register(small_programme, applicant(2))

    seat = services.move_into_room(online, sharing, actor=people["organiser"])

    assert (seat.mode, seat.status) == ("in_person", "confirmed")
    assert room(sharing).taken == 2 == confirmed_in_room(sharing)
    assert SeatCounter.objects.get(session=sharing, mode="online").taken == 0
    answer = door.check_in(code=online.pass_code, session=sharing, client_event_id=uuid.uuid4())
    assert answer.result == "checked_in"


def test_moving_into_a_full_room_is_refused_until_a_seat_is_freed(small_programme, people):
    sharing = hybrid(small_programme)
    first = services.register(small_programme, applicant(1))
    services.register(small_programme, applicant(2))
    online = services.register(small_programme, applicant(3, mode="online"))

    with pytest.raises(services.RoomFull):
        services.move_into_room(online, sharing, actor=people["organiser"])
    assert room(sharing).taken == 2

    services.cancel(first)
    services.move_into_room(online, sharing, actor=people["organiser"])
    online.refresh_from_db()
    assert online.status == "confirmed"
    assert room(sharing).taken == 2 == confirmed_in_room(sharing)


def test_a_waitlisted_person_moved_in_leaves_the_waiting_list(small_programme, people):
    sharing = hybrid(small_programme)
    services.register(small_programme, applicant(1))
    services.register(small_programme, applicant(2))
    waiting = services.register(small_programme, applicant(3))
    assert waiting.seats.get(session=sharing).status == "waitlisted"
    sharing.venue.capacity = 3
    sharing.venue.save()  # raising the capacity promotes in order: the waiting person is seated
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert services.move_into_room(waiting, sharing, actor=people["organiser"]).status == "confirmed"
    assert room(sharing).taken == 3 and room(sharing).waiting == 0


def test_a_capacity_below_the_seats_taken_is_refused(small_programme):
    sharing = hybrid(small_programme)
    services.register(small_programme, applicant(1))
    services.register(small_programme, applicant(2))
    sharing.venue.capacity = 1
    with pytest.raises(services.CapacityBelowSeats):
        sharing.venue.save()
    sharing.venue.refresh_from_db()
    assert sharing.venue.capacity == 2 and room(sharing).capacity == 2


def test_rejecting_a_pending_person_moved_in_at_the_desk_frees_the_seat_they_held(small_programme, people):
    """Found by the seat state machine: a rejection cancelled the seats without freeing the room seat
    that the desk had given the pending person, so the counter kept a seat nobody held."""
    small_programme.requires_approval = True
    small_programme.save()
    sharing = hybrid(small_programme)
    pending = services.register(small_programme, applicant(1))
    assert pending.status == "pending"
    services.move_into_room(pending, sharing, actor=people["organiser"])
    assert room(sharing).taken == 1 == confirmed_in_room(sharing)

    services.reject(pending, actor=people["organiser"], reason="not eligible")

    assert room(sharing).taken == 0 == confirmed_in_room(sharing)
    assert Registration.objects.get(pk=pending.pk).status == "rejected"
