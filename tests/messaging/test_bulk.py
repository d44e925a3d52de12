"""Bulk messages: segments, refusals before anything is queued, who may send to whom, cancelling, the
console composer with its preview and delivery log, and the private page's list of messages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from plenary.attendance.models import Attendance
from plenary.messaging import selectors, services
from plenary.messaging.errors import MessageRefused, TooLateToCancel
from plenary.messaging.models import Delivery, Message
from plenary.registrations import services as registrations
from tests.messaging.conftest import hybrid, lecture, register

pytestmark = pytest.mark.django_db

TEXT = {"subject": ("Hello {name}", "你好 {name}"), "body": ("Dear {name}", "{name} 你好")}


def emails(programme, segment, among=None):
    return sorted(selectors.segment_queryset(programme, segment, among).values_list("email", flat=True))


def nominate(programme, people, n, agency="agency_a"):
    coordinator = people["coordinator_a" if agency == "agency_a" else "coordinator_b"]
    return registrations.nominate(
        programme,
        registrations.Applicant(email=f"nominee{n}@example.org", name_en=f"Nominee {n}", consent_pics=True),
        coordinator=coordinator,
        agency=people[agency],
    )


def test_segments_select_by_status_mode_agency_attendance_and_news(small_programme, people):
    room = hybrid(small_programme)
    a = register(small_programme, 1, mode="in_person", news_opt_in=True)
    register(small_programme, 2, mode="in_person")
    register(small_programme, 3, mode="in_person")  # waits for the room
    nominate(small_programme, people, 4)
    gone = register(small_programme, 5)
    registrations.cancel(gone)
    Attendance.objects.create(registration=a, session=room, mode="in_person", minutes=180, present=True)
    assert emails(small_programme, {}) == [
        "nominee4@example.org",
        "person1@example.org",
        "person2@example.org",
        "person3@example.org",
    ]
    assert emails(small_programme, {"status": ["waitlisted"]}) == ["person3@example.org"]
    assert emails(small_programme, {"mode": "online"}) == ["nominee4@example.org"]
    assert emails(small_programme, {"mode": "in_person", "session_id": room.pk, "status": ["confirmed"]}) == [
        "person1@example.org",
        "person2@example.org",
    ]
    assert emails(small_programme, {"agency": "Agency Alpha"}) == ["nominee4@example.org"]
    assert emails(small_programme, {"session_id": room.pk, "attended": True}) == ["person1@example.org"]
    assert emails(small_programme, {"session_id": room.pk, "attended": False}) == [
        "nominee4@example.org",
        "person2@example.org",
    ]
    assert emails(small_programme, {"news_opt_in": True}) == ["person1@example.org"]
    assert emails(small_programme, {"evaluated": False, "certificate": False}) == emails(small_programme, {})
    lecture_session = lecture(small_programme)
    Attendance.objects.create(
        registration=a, session=lecture_session, mode="online", minutes=120, present=True
    )
    below = emails(small_programme, {"below_threshold": True})
    assert "person1@example.org" not in below and "person2@example.org" in below


@pytest.mark.parametrize(
    ("segment", "words"),
    [
        ({"status": ["cancelled"]}, "status must be one of"),
        ({"colour": "red"}, "Unknown recipient filter: colour"),
        ({"session_id": 999999}, "no session 999999"),
        ({"attended": True}, "Say which session"),
        ({"mode": "by post"}, "in_person or online"),
    ],
)
def test_a_segment_it_cannot_read_is_refused(small_programme, segment, words):
    register(small_programme, 1)
    with pytest.raises(MessageRefused, match=words):
        services.compose(small_programme, segment=segment, **TEXT)
    assert Message.objects.count() == 0


def test_an_unknown_merge_field_or_nobody_is_refused_before_anything_is_queued(small_programme):
    register(small_programme, 1)
    with pytest.raises(MessageRefused, match=r"Unknown merge field \{nmae\}.*\{name\}"):
        services.compose(small_programme, subject=("Hi {nmae}", ""), body=("x", ""))
    with pytest.raises(MessageRefused, match="brace"):
        services.compose(small_programme, subject=("Hi {name", ""), body=("x", ""))
    with pytest.raises(MessageRefused, match="Nobody matches"):
        services.compose(small_programme, segment={"status": ["pending"]}, **TEXT)
    with pytest.raises(MessageRefused, match="subject"):
        services.compose(small_programme, subject=("", ""), body=("x", ""))
    assert (Message.objects.count(), Delivery.objects.count()) == (0, 0)


def test_coordinators_reach_only_their_agencys_nominees(small_programme, people):
    from plenary.access import rules

    register(small_programme, 1, organisation=people["agency_a"])  # names the agency, not nominated
    nominate(small_programme, people, 2)
    nominate(small_programme, people, 3, agency="agency_b")
    coordinator = people["coordinator_a"]
    assert rules.messages_programme(coordinator, small_programme)
    message = services.compose(
        small_programme,
        among=rules.message_recipients(coordinator, small_programme),
        actor=coordinator,
        **TEXT,
    )
    assert list(message.deliveries.values_list("address", flat=True)) == ["nominee2@example.org"]
    assert rules.sees_message(coordinator, message)
    assert not rules.sees_message(people["coordinator_b"], message)


def test_a_scheduled_message_can_be_cancelled_until_it_goes(small_programme, smtp):
    register(small_programme, 1)
    later = services.compose(small_programme, send_at=timezone.now() + timedelta(hours=2), **TEXT)
    services.pump()
    assert smtp.messages == [] and Message.objects.get(pk=later.pk).state == "scheduled"
    services.cancel(later)
    Message.objects.filter(pk=later.pk).update(send_at=timezone.now() - timedelta(minutes=1))
    services.pump()
    assert smtp.messages == []
    now = services.compose(small_programme, **TEXT)
    services.pump()
    assert len(smtp.messages) == 1
    with pytest.raises(TooLateToCancel):
        services.cancel(now)


def test_console_compose_preview_send_log_and_csv(small_programme, people, smtp):
    from plenary.organisations.models import Membership, Organisation

    organiser = people["organiser"]
    organiser.email = "organiser@example.org"
    organiser.save()
    assert Membership.objects.filter(
        user=organiser, organisation=Organisation.objects.get(name_en="Test Bureau")
    )
    register(small_programme, 1)
    register(small_programme, 2, email="gone@example.org")
    client = Client()
    client.force_login(organiser)
    url = f"/manage/p/{small_programme.slug}/messages/new/"
    form = {
        "subject_en": "News for {name}",
        "subject_zh": "",
        "body_en": "Hello {name}",
        "body_zh": "{name}你好",
    }
    page = client.post(url, {**form, "action": "preview"})
    assert page.status_code == 200
    assert "News for Person 1" in page.content.decode()
    assert "參加者1你好" in page.content.decode()
    assert Message.objects.count() == 0
    page = client.post(url, {**form, "subject_en": "News {whom}", "action": "send"})
    assert "Unknown merge field {whom}" in page.content.decode()
    page = client.post(url, {**form, "action": "test"})
    assert [m["To"] for m in smtp.messages] == ["organiser@example.org"]
    assert smtp.messages[0]["Subject"] == "[TEST] News for Person 1"
    response = client.post(url, {**form, "action": "send"})
    message = Message.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/messages/{message.pk}/")
    services.pump()
    detail = client.get(response["Location"]).content.decode()
    assert 'id="count-sent">1<' in detail and 'id="count-failed">1<' in detail
    csv_text = client.get(
        f"/manage/p/{small_programme.slug}/messages/{message.pk}/failures.csv"
    ).content.decode()
    assert "gone@example.org" in csv_text and "550" in csv_text
    assert "News for" in client.get(f"/manage/p/{small_programme.slug}/messages/").content.decode()
    # Someone outside the programme sees nothing of it.
    client.force_login(people["coordinator_b"])
    assert client.get(url).status_code == 404


def test_console_cancel_and_chinese_refusal(small_programme, people):
    register(small_programme, 1)
    client = Client()
    client.force_login(people["organiser"])
    message = services.compose(small_programme, send_at=timezone.now() + timedelta(days=1), **TEXT)
    client.post(f"/manage/p/{small_programme.slug}/messages/{message.pk}/cancel/")
    assert Message.objects.get(pk=message.pk).state == "cancelled"
    page = client.post(
        f"/zh-hant/manage/p/{small_programme.slug}/messages/new/",
        {"subject_en": "x", "body_en": "y", "status": "pending", "action": "send"},
    )
    assert page.status_code == 200
    assert "沒有符合" in page.content.decode()


def test_the_private_page_lists_the_messages_sent_and_calendar_link(small_programme, smtp):
    person = register(small_programme, 1)
    services.compose(small_programme, **TEXT)
    services.pump()
    services.sweep(now=lecture(small_programme).starts_at - timedelta(minutes=60))
    page = Client().get(f"/me/{person.token}/").content.decode()
    assert "Messages sent to you" in page
    assert "Hello Person 1" in page
    assert "Reminder: Opening lecture" in page
    assert f"/me/{person.token}/calendar.ics" in page
