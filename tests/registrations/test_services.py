"""Registration use cases against the real database: seats, waiting lists, quotas, statuses."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Quota, Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def seat(registration, session):
    return SeatAllocation.objects.get(registration=registration, session=session)


def counter(session, mode="in_person"):
    return SeatCounter.objects.get(session=session, mode=mode)


def test_room_seats_are_given_in_order_then_people_wait(small_programme):
    room = hybrid(small_programme)
    first, second, third = (services.register(small_programme, applicant(n)) for n in range(3))
    assert [seat(r, room).status for r in (first, second, third)] == ["confirmed", "confirmed", "waitlisted"]
    # Statuses are per session: the third waits for the room but is confirmed for the online lecture,
    # so the registration as a whole is confirmed (issue 18), not "Waiting list".
    assert third.status == "confirmed"
    assert (counter(room).taken, counter(room).waiting) == (2, 1)
    online_lecture = small_programme.sessions.get(mode="online")
    assert seat(third, online_lecture).status == "confirmed"
    assert seat(third, online_lecture).mode == "online"


def test_online_choice_on_a_hybrid_session_takes_no_room_seat(small_programme):
    room = hybrid(small_programme)
    for n in range(5):
        services.register(small_programme, applicant(n, mode="online"))
    assert counter(room).taken == 0
    assert Registration.objects.filter(status="confirmed").count() == 5


def test_online_side_with_a_cap_has_its_own_waiting_list(db):
    from tests.registrations.conftest import make_programme

    programme = make_programme(room=1, online=1, slug="capped")
    room = hybrid(programme)
    online_first = services.register(programme, applicant(1, mode="online"))
    online_second = services.register(programme, applicant(2, mode="online"))
    in_person = services.register(programme, applicant(3, mode="in_person"))
    assert [seat(r, room).status for r in (online_first, online_second, in_person)] == [
        "confirmed",
        "waitlisted",
        "confirmed",
    ]
    assert online_second.status == "confirmed"  # the online lecture is confirmed
    assert counter(room, "online").waiting == 1
    assert counter(room, "in_person").waiting == 0


def test_cancelling_promotes_the_first_in_the_waiting_list_and_emails_them(
    small_programme, django_capture_on_commit_callbacks
):
    room = hybrid(small_programme)
    people = [services.register(small_programme, applicant(n)) for n in range(5)]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel(people[0])
    people = [Registration.objects.get(pk=p.pk) for p in people]
    assert [p.status for p in people] == ["cancelled", "confirmed", "confirmed", "confirmed", "confirmed"]
    assert [seat(p, room).status for p in people] == [
        "cancelled",
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert (counter(room).taken, counter(room).waiting) == (2, 2)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects["person2@example.org"].startswith("A place has become available")
    assert subjects["person0@example.org"].startswith("Your registration is cancelled")
    # Cancelling twice changes nothing.
    services.cancel(people[0])
    assert counter(room).taken == 2


def test_a_capacity_increase_promotes_the_waiting_list(small_programme, django_capture_on_commit_callbacks):
    room = hybrid(small_programme)
    people = [services.register(small_programme, applicant(n)) for n in range(4)]
    venue = room.venue
    venue.capacity = 3
    with django_capture_on_commit_callbacks(execute=True):
        venue.save()
    statuses = [seat(p, room).status for p in people]
    assert statuses == ["confirmed", "confirmed", "confirmed", "waitlisted"]
    assert counter(room).capacity == 3 and counter(room).taken == 3


def test_switching_mode_frees_the_room_seat_for_the_next_person(small_programme):
    room = hybrid(small_programme)
    people = [services.register(small_programme, applicant(n)) for n in range(3)]
    services.change_mode(people[0], room, "online")
    assert seat(people[0], room).mode == "online"
    assert seat(people[0], room).status == "confirmed"
    assert Registration.objects.get(pk=people[2].pk).status == "confirmed"
    # The room is full again: switching back is refused and nothing changes.
    with pytest.raises(services.SeatsUnavailable):
        services.change_mode(people[0], room, "in_person")
    assert seat(people[0], room).mode == "online"
    assert counter(room).taken == 2


def test_one_registration_per_email_whatever_the_case(small_programme):
    services.register(small_programme, applicant(1))
    duplicate = applicant(1)
    duplicate.email = "PERSON1@Example.org "
    with pytest.raises(services.AlreadyRegistered):
        services.register(small_programme, duplicate)
    assert Registration.objects.count() == 1


def test_bad_fields_are_reported_per_field_and_hkid_numbers_refused(small_programme):
    bad = services.Applicant(email="not-an-email", rsw_number="A123456(7)", consent_pics=False)
    with pytest.raises(ValidationError) as error:
        services.register(small_programme, bad)
    assert set(error.value.message_dict) == {"email", "name_en", "rsw_number", "consent_pics"}
    assert "HKID" in error.value.message_dict["rsw_number"][0]
    assert Registration.objects.count() == 0


def test_consents_are_stored_with_wording_version(small_programme):
    registration = services.register(small_programme, applicant(1, news_opt_in=True))
    consents = {c.kind: c for c in ConsentRecord.objects.filter(registration=registration)}
    assert (
        consents["pics"].given and consents["pics"].wording_version == services.COLLECTION_STATEMENT_VERSION
    )
    assert consents["news"].given is True
    assert consents["no_photos"].given is False
    assert registration.news_opt_in is True


def test_approval_flow_pending_then_seats_on_approval(small_programme, people):
    small_programme.requires_approval = True
    small_programme.save()
    room = hybrid(small_programme)
    registration = services.register(small_programme, applicant(1))
    assert registration.status == "pending"
    assert seat(registration, room).status == "pending"
    assert counter(room).taken == 0
    approved = services.approve(registration, actor=people["organiser"])
    assert approved.status == "confirmed"
    assert counter(room).taken == 1
    other = services.register(small_programme, applicant(2))
    rejected = services.reject(other, actor=people["organiser"])
    assert rejected.status == "rejected"
    with pytest.raises(services.WrongStatus):
        services.approve(rejected, actor=people["organiser"])


def test_nominations_stay_within_the_agency_quota_and_cancelling_frees_it(small_programme, people):
    Quota.objects.create(programme=small_programme, organisation=people["agency_a"], places=1)
    first = services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    assert first.source == "nominated" and first.organisation == people["agency_a"]
    with pytest.raises(services.OverQuota):
        services.nominate(
            small_programme, applicant(2), coordinator=people["coordinator_a"], agency=people["agency_a"]
        )
    assert not Registration.objects.filter(email="person2@example.org").exists()
    services.cancel(first)
    services.nominate(
        small_programme, applicant(2), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    assert Quota.objects.get().used == 1


def test_a_coordinator_cannot_nominate_for_another_agency(small_programme, people):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.nominate(
            small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_b"]
        )


def test_rotating_the_token_changes_the_link_and_the_pass(small_programme):
    registration = services.register(small_programme, applicant(1))
    token, code = registration.token, registration.pass_code
    services.rotate_token(registration)
    registration.refresh_from_db()
    assert registration.token != token and registration.pass_code != code
    assert len(registration.token) >= 40


def test_closed_programme_refuses_self_registration(small_programme):
    small_programme.registration_open = False
    small_programme.save()
    with pytest.raises(services.RegistrationClosed):
        services.register(small_programme, applicant(1))


def test_hkid_numbers_are_refused_in_free_text_too(small_programme):
    sneaky = applicant(1, post="Officer A123456(7)")
    with pytest.raises(ValidationError) as error:
        services.register(small_programme, sneaky)
    assert "HKID" in error.value.message_dict["post"][0]
    assert services.register(small_programme, applicant(2, post="SWO II", phone="+852 9123 4567")).pk
