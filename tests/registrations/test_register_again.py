"""Cancelling is not a dead end: the person registers again (same link, new seats in order), from the form
or their private page; a coordinator confirms before cancelling and can undo it."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from plenary.registrations import services
from plenary.registrations.models import Quota, Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid
from tests.registrations.test_agency import signed_in
from tests.registrations.test_pages import form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def counter(session, mode="in_person"):
    return SeatCounter.objects.get(session=session, mode=mode)


def test_registering_again_takes_new_seats_in_order_with_the_same_link(small_programme):
    room = hybrid(small_programme)
    people = [services.register(small_programme, applicant(n)) for n in range(4)]  # room of 2: 2 wait
    token, reference, pass_code = people[0].token, people[0].reference, people[0].pass_code
    services.cancel(people[0])
    assert Registration.objects.get(pk=people[2].pk).status == "confirmed"  # promoted
    again = services.register_again(Registration.objects.get(pk=people[0].pk))
    assert (again.token, again.reference, again.pass_code) == (token, reference, pass_code)
    # The room is full again: the returning person waits behind person 3, who waited first.
    room_seat = SeatAllocation.objects.get(registration=again, session=room)
    assert room_seat.status == "waitlisted"
    waiting = SeatAllocation.objects.filter(session=room, status="waitlisted").order_by("requested_at", "id")
    assert [seat.registration_id for seat in waiting] == [people[3].pk, again.pk]
    assert (counter(room).taken, counter(room).waiting) == (2, 2)
    # The online lecture has no limit: confirmed there, so the registration is not "Waiting list" as a whole.
    assert SeatAllocation.objects.get(registration=again, session__mode="online").status == "confirmed"
    # Once is enough: an active registration cannot "register again".
    with pytest.raises(services.WrongStatus):
        services.register_again(again)


def test_the_form_with_a_cancelled_email_registers_again_and_emails_the_same_link(
    small_programme, django_capture_on_commit_callbacks
):
    registration = services.register(small_programme, applicant(1))
    services.cancel(registration)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(f"/p/{small_programme.slug}/register/", form_data(small_programme, 1))
    # The same answer as for a new or a known address (issue 14): "check your email", no link shown.
    assert response.status_code == 302
    assert response["Location"] == f"/p/{small_programme.slug}/register/received/"
    registration.refresh_from_db()
    assert registration.status == "confirmed"
    [message] = [m for m in mail.outbox if m.to == ["person1@example.org"]]
    assert message.subject.startswith("Your registration is confirmed")
    assert f"/me/{registration.token}/" in message.body


def test_the_private_page_of_a_cancelled_registration_offers_to_register_again(
    small_programme, django_capture_on_commit_callbacks
):
    registration = services.register(small_programme, applicant(1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(registration)
    [cancelled_mail] = mail.outbox
    assert "Register again" in cancelled_mail.body
    assert "please register again" not in cancelled_mail.body
    client = Client()
    page = client.get(f"/me/{registration.token}/").content.decode()
    assert "Register again" in page
    response = client.post(f"/me/{registration.token}/again/", follow=True)
    assert "You are registered again" in response.content.decode()
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    assert "Register again" not in client.get(f"/me/{registration.token}/").content.decode()


def test_coordinator_confirms_before_cancelling_and_can_undo(small_programme, people):
    Quota.objects.create(programme=small_programme, organisation=people["agency_a"], places=1)
    own = services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    client = signed_in(people["coordinator_a"])
    listing = client.get(f"/agency/p/{small_programme.slug}/").content.decode()
    assert f"/agency/p/{small_programme.slug}/r/{own.reference}/cancel/" in listing
    url = f"/agency/p/{small_programme.slug}/r/{own.reference}/cancel/?agency={people['agency_a'].pk}"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Yes, cancel this registration" in confirm.content.decode()
    client.post(url, {})  # not confirmed: nothing happens
    assert Registration.objects.get(pk=own.pk).status == "confirmed"
    listing = client.post(url, {"confirm": "yes"}, follow=True).content.decode()
    assert Registration.objects.get(pk=own.pk).status == "cancelled"
    assert Quota.objects.get().used == 0
    assert "Undo cancellation" in listing
    undo = f"/agency/p/{small_programme.slug}/r/{own.reference}/again/?agency={people['agency_a'].pk}"
    client.post(undo)
    assert Registration.objects.get(pk=own.pk).status == "confirmed"
    assert Quota.objects.get().used == 1
    # Another agency's coordinator cannot undo it.
    services.cancel(own)
    other = signed_in(people["coordinator_b"])
    assert other.post(f"/agency/p/{small_programme.slug}/r/{own.reference}/again/").status_code == 404
