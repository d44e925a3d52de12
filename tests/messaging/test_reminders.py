"""Reminders through a real SMTP server: due at the right minute, in each person's language, with what
they need, exactly once (even with two senders racing on the real database), following a moved session."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection

from plenary.messaging import services
from plenary.messaging.models import Delivery, Message, ReminderRule
from plenary.registrations import services as registrations
from tests.messaging.conftest import hybrid, lecture, register, text_of


@pytest.mark.django_db
def test_a_programme_has_the_default_rules_1_day_and_1_hour(small_programme):
    assert [r.offset_minutes for r in services.reminder_rules(small_programme)] == [1440, 60]


@pytest.mark.django_db
def test_nothing_is_due_before_the_minute(small_programme, smtp):
    register(small_programme, 1)
    start = lecture(small_programme).starts_at
    services.sweep(now=start - timedelta(days=1, minutes=1))
    assert Delivery.objects.count() == 0
    assert smtp.messages == []


@pytest.mark.django_db
def test_the_1_day_reminder_carries_the_personal_join_link_in_the_persons_language(small_programme, smtp):
    english = register(small_programme, 1)
    chinese = register(small_programme, 2, language="zh-hant")
    session = lecture(small_programme)
    result = services.sweep(now=session.starts_at - timedelta(days=1))
    assert result["sent"] == 2
    (mail_en,) = smtp.to("person1@example.org")
    body = text_of(mail_en)
    assert f"/j/{english.token}/{session.pk}/" in body
    assert "Opening lecture" in mail_en["Subject"]
    assert "10:00" in body  # 10:00 in Hong Kong, the programme's zone (02:00 UTC)
    (mail_zh,) = smtp.to("person2@example.org")
    assert "開幕講座" in mail_zh["Subject"]
    assert f"/zh-hant/j/{chinese.token}/{session.pk}/" in text_of(mail_zh)
    assert Message.objects.get().offset_minutes == 1440


@pytest.mark.django_db
def test_in_the_room_the_reminder_gives_venue_and_pass(small_programme, smtp):
    person = register(small_programme, 1, mode="in_person")
    room = hybrid(small_programme)
    services.sweep(now=room.starts_at - timedelta(minutes=60))
    (mail,) = smtp.to("person1@example.org")
    body = text_of(mail)
    assert "Room of small-programme" in body
    assert f"/me/{person.token}/pass.pdf" in body
    assert "/j/" not in body


@pytest.mark.django_db
def test_sweeping_again_and_again_sends_once(small_programme, smtp):
    register(small_programme, 1)
    now = lecture(small_programme).starts_at - timedelta(minutes=50)
    for _ in range(3):
        services.sweep(now=now)
    assert len(smtp.to("person1@example.org")) == 1
    assert Delivery.objects.count() == 1
    # Only the latest due rule goes: no 1-day reminder arrives 50 minutes before.
    assert list(Message.objects.values_list("offset_minutes", flat=True)) == [60]


@pytest.mark.django_db
def test_cancelled_and_waitlisted_people_get_nothing_for_that_session(small_programme, smtp):
    room = hybrid(small_programme)
    people = [register(small_programme, n, mode="in_person") for n in range(4)]
    # Statuses are per session (issue 18): all four hold the online lecture; two wait for the room.
    assert [p.seats.get(session=room).status for p in people] == [
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    registrations.cancel(people[1])  # person 2 is promoted into the freed seat; person 3 still waits
    services.sweep(now=room.starts_at - timedelta(minutes=60))
    assert sorted(m["To"] for m in smtp.messages) == ["person0@example.org", "person2@example.org"]


@pytest.mark.django_db
def test_a_person_still_waiting_for_the_room_gets_no_reminder_of_it(small_programme, smtp):
    room = hybrid(small_programme)
    for n in range(3):
        register(small_programme, n, mode="in_person")
    services.sweep(now=room.starts_at - timedelta(minutes=60))
    assert sorted(m["To"] for m in smtp.messages) == ["person0@example.org", "person1@example.org"]
    assert not Delivery.objects.filter(registration__email="person2@example.org").exists()


@pytest.mark.django_db
def test_a_reminder_follows_a_session_that_moves(small_programme, smtp):
    register(small_programme, 1)
    session = lecture(small_programme)
    old_due = session.starts_at - timedelta(minutes=60)
    session.starts_at += timedelta(days=1)
    session.ends_at += timedelta(days=1)
    session.save()
    services.sweep(now=old_due)
    assert smtp.messages == []  # a day before the new start: nothing due yet (the 1-day one is at the minute)
    assert not Message.objects.exists()
    services.sweep(now=session.starts_at - timedelta(minutes=60))
    assert Message.objects.filter(offset_minutes=60, session=session).exists()
    assert len(smtp.to("person1@example.org")) == 1  # at the new time, only the latest rule due goes
    assert list(Message.objects.values_list("offset_minutes", flat=True)) == [60]


@pytest.mark.django_db
def test_edited_rule_texts_with_merge_fields(small_programme, smtp):
    services.set_reminder_rules(
        small_programme,
        [
            {
                "offset_minutes": 30,
                "subject": {"en": "Soon: {session}", "zh_hant": "快將開始：{session}"},
                "body": "Hi {name}: {join_url}",
            }
        ],
    )
    assert ReminderRule.objects.get(programme=small_programme, offset_minutes=60).enabled is False
    person = register(small_programme, 1)
    session = lecture(small_programme)
    services.sweep(now=session.starts_at - timedelta(minutes=30))
    (mail,) = smtp.to("person1@example.org")
    assert mail["Subject"] == "Soon: Opening lecture"
    assert text_of(mail).strip().startswith("Hi Person 1: http")
    assert f"/j/{person.token}/{session.pk}/" in text_of(mail)


@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_deliver_each_reminder_once(smtp):
    from tests.registrations.conftest import make_programme

    programme = make_programme(slug="race-programme")
    for n in range(12):
        register(programme, n)
    now = lecture(programme).starts_at - timedelta(minutes=60)
    barrier = threading.Barrier(2)
    errors = []

    def sender():
        try:
            barrier.wait()
            for _ in range(3):
                services.sweep(now=now)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert Delivery.objects.count() == 12
    assert Delivery.objects.filter(state="sent").count() == 12
    reminders = [m["To"] for m in smtp.messages if m["Subject"].startswith("Reminder")]
    assert sorted(reminders) == sorted(f"person{n}@example.org" for n in range(12))


@pytest.mark.django_db
def test_console_edits_rules_and_previews_with_a_real_person(small_programme, people):
    from django.test import Client

    person = register(small_programme, 1)
    client = Client()
    client.force_login(people["organiser"])
    url = f"/manage/p/{small_programme.slug}/messages/reminders/"
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="1440"' in page.content.decode() and 'value="60"' in page.content.decode()
    form = {
        "rule-TOTAL_FORMS": "2",
        "rule-INITIAL_FORMS": "0",
        "rule-0-offset_minutes": "120",
        "rule-0-subject_en": "In two hours: {session}",
        "rule-0-body_en": "",
        "rule-1-offset_minutes": "",
    }
    preview = client.post(url, {**form, "action": "preview"}).content.decode()
    assert "In two hours: Opening lecture" in preview
    assert f"/j/{person.token}/" in preview  # the standard text, with their own join link
    assert "開幕講座" in preview  # the Chinese preview
    refused = client.post(url, {**form, "rule-0-body_en": "{whoever}", "action": "save"}).content.decode()
    assert "Unknown merge field {whoever}" in refused
    assert client.post(url, {**form, "action": "save"}).status_code == 302
    assert [r.offset_minutes for r in services.reminder_rules(small_programme)] == [120]
    client.force_login(people["coordinator_a"])
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_console_lists_reminders_with_their_counts(small_programme, people, smtp):
    from django.test import Client

    register(small_programme, 1)
    register(small_programme, 2, email="gone@example.org")
    services.sweep(now=lecture(small_programme).starts_at - timedelta(minutes=60))
    client = Client()
    client.force_login(people["organiser"])
    page = client.get(f"/manage/p/{small_programme.slug}/messages/").content.decode()
    assert "Reminder: Opening lecture (−60 min)" in page
    message = Message.objects.get()
    detail = client.get(f"/manage/p/{small_programme.slug}/messages/{message.pk}/").content.decode()
    assert 'id="count-sent">1<' in detail and 'id="count-failed">1<' in detail
