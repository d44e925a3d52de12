"""A registration outside any transaction: on PostgreSQL the one-statement path of ``register()``
(``_register_at_once``), on SQLite the ordinary one; the stored rows must be the same."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from plenary.core.models import AuditEntry
from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db(transaction=True)


def test_seats_then_the_waiting_list_with_consents_audit_and_one_per_email(small_programme, monkeypatch):
    taken = []
    at_once = services._register_at_once
    monkeypatch.setattr(
        services, "_register_at_once", lambda *a, **k: taken.append(at_once(*a, **k)) or taken[-1]
    )
    organiser = get_user_model().objects.create_user("organiser-at-once")
    room = hybrid(small_programme)

    people = [
        services.register(
            small_programme, applicant(n), source=Registration.Source.ORGANISER, actor=organiser
        )
        for n in range(3)
    ]

    # PostgreSQL stored each of them in one statement; SQLite took the ordinary path.
    assert len(taken) == (3 if connection.vendor == "postgresql" else 0) and all(taken)
    # The third waits for the room but is confirmed online: confirmed as a whole (statuses per session).
    assert [person.status for person in people] == ["confirmed", "confirmed", "confirmed"]
    stored = {row.pk: row.status for row in Registration.objects.all()}
    assert [stored[person.pk] for person in people] == ["confirmed", "confirmed", "confirmed"]
    counter = SeatCounter.objects.get(session=room, mode="in_person")
    assert (counter.taken, counter.waiting) == (2, 1)
    seats = SeatAllocation.objects.filter(registration=people[2])
    assert {(seat.session_id, seat.mode, seat.status) for seat in seats} == {
        (room.pk, "in_person", "waitlisted"),
        (small_programme.sessions.get(mode="online").pk, "online", "confirmed"),
    }
    assert [seat.pk for seat in people[2].seat_list] == [seat.pk for seat in seats.order_by("session_id")]
    assert ConsentRecord.objects.filter(registration=people[0]).count() == 4  # pics, news, photos, SMS
    assert ConsentRecord.objects.get(registration=people[0], kind="pics").given is True
    entry = AuditEntry.objects.get(object_id=str(people[1].pk))
    assert (entry.actor, entry.programme_id, entry.action) == (organiser, small_programme.pk, "create")

    with pytest.raises(services.AlreadyRegistered):
        services.register(small_programme, applicant(1))
    assert Registration.objects.count() == 3
    counter.refresh_from_db()
    assert (counter.taken, counter.waiting) == (2, 1)  # the refused duplicate took nothing
