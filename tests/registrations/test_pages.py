"""The public registration form, the private page and the emails, with a real SMTP server."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Registration
from tests.registrations.conftest import applicant, attachment_types, hybrid, text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def form_data(programme, n=1, **extra) -> dict:
    data = {
        "name_en": f"Person {n}",
        "name_zh": "陳大文",
        "email": f"person{n}@example.org",
        "organisation_other": "Sample Community Centre",
        "post": "Social Worker",
        "rsw_number": "S12345",
        f"mode_{hybrid(programme).pk}": "in_person",
        "consent_pics": "on",
    }
    data.update(extra)
    return data


def test_register_page_is_bilingual_and_linked_from_the_programme(small_programme):
    client = Client()
    page = client.get(f"/p/{small_programme.slug}/")
    assert f'href="/p/{small_programme.slug}/register/"' in page.content.decode()
    english = client.get(f"/p/{small_programme.slug}/register/")
    assert english.status_code == 200 and 'lang="en"' in english.content.decode()
    assert "Personal Information Collection Statement" in english.content.decode()
    chinese = client.get(f"/zh-hant/p/{small_programme.slug}/register/")
    assert chinese.status_code == 200 and 'lang="zh-Hant-HK"' in chinese.content.decode()
    assert "分享會" in chinese.content.decode()  # the hybrid session's title, for its mode choice
    # The news opt-in is not ticked in advance.
    assert re.search(r'<input[^>]*name="news_opt_in"[^>]*checked', english.content.decode()) is None


def test_registering_emails_the_private_link_with_the_pass_and_calendar(
    small_programme, smtp_inbox, django_capture_on_commit_callbacks
):
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{small_programme.slug}/register/", form_data(small_programme))
    registration = Registration.objects.get()
    # The same answer as for an address already registered: the link goes by email (issue 14).
    assert response.status_code == 302 and response.url == f"/p/{small_programme.slug}/register/received/"
    assert registration.status == "confirmed" and registration.rsw_number == "S12345"
    assert registration.organisation_name == "Sample Community Centre"
    assert ConsentRecord.objects.filter(registration=registration, kind="pics", given=True).exists()
    assert ConsentRecord.objects.get(registration=registration, kind="news").given is False

    [message] = smtp_inbox.wait_for("person1@example.org")
    assert message["Subject"].startswith("Your registration is confirmed")
    assert f"/me/{registration.token}/" in text_of(message)
    assert attachment_types(message) == ["image/png", "text/calendar"]
    calendar = next(p for p in message.iter_attachments() if p.get_content_type() == "text/calendar")
    assert calendar.get_content().count("BEGIN:VEVENT") == 2

    private = client.get(f"/me/{registration.token}/")
    assert private.status_code == 200 and "<svg" in private.content.decode()


def test_chinese_registrant_gets_the_email_in_chinese(
    small_programme, smtp_inbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(f"/zh-hant/p/{small_programme.slug}/register/", form_data(small_programme))
    registration = Registration.objects.get()
    assert registration.language == "zh-hant"
    [message] = smtp_inbox.wait_for("person1@example.org")
    assert f"/zh-hant/me/{registration.token}/" in text_of(message)
    assert "小型課程" in message["Subject"]


def test_a_second_attempt_with_the_same_email_answers_as_a_new_one_and_mails_the_link_again(
    small_programme, smtp_inbox, django_capture_on_commit_callbacks
):
    registration = services.register(small_programme, applicant(1))
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/p/{small_programme.slug}/register/", form_data(small_programme))
        other = dict(form_data(small_programme), email="someone.new@example.org")
        new = client.post(f"/p/{small_programme.slug}/register/", other)
    assert (response.status_code, response.url) == (new.status_code, new.url)  # nothing tells them apart
    page = client.get(response.url)
    assert "Check your email" in page.content.decode()
    assert registration.token not in page.content.decode()
    [message] = smtp_inbox.wait_for("person1@example.org")
    assert message["Subject"].startswith("Your private link")
    assert registration.token in text_of(message)


def test_invalid_input_gives_messages_not_errors(small_programme):
    response = Client().post(
        f"/p/{small_programme.slug}/register/",
        {"email": "nope", "rsw_number": "K9", f"mode_{hybrid(small_programme).pk}": "flying"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'aria-invalid="true"' in html
    assert "Enter a valid email address." in html
    assert "Please read and acknowledge" in html
    assert Registration.objects.count() == 0


def test_send_my_link_again_answers_the_same_and_is_rate_limited(
    small_programme, smtp_inbox, django_capture_on_commit_callbacks
):
    services.register(small_programme, applicant(1))
    client = Client()
    url = f"/p/{small_programme.slug}/register/link/"
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "person1@example.org"})
        unknown = client.post(url, {"email": "nobody@example.org"})
        for _ in range(5):
            client.post(url, {"email": "person1@example.org"})
    strip = lambda r: r.content.decode().replace("nobody@example.org", "").replace("person1@example.org", "")  # noqa: E731
    assert strip(known) == strip(unknown)
    smtp_inbox.wait_for("person1@example.org", count=3)
    assert len(smtp_inbox.to("person1@example.org")) == 3
    assert smtp_inbox.to("nobody@example.org") == []


def test_private_page_switches_mode_cancels_and_renews(
    small_programme, smtp_inbox, django_capture_on_commit_callbacks
):
    room = hybrid(small_programme)
    registration = services.register(small_programme, applicant(1))
    client = Client()
    page = f"/me/{registration.token}/"
    client.post(page + "mode/", {"session": room.pk, "mode": "online"})
    assert registration.seats.get(session=room).mode == "online"

    with django_capture_on_commit_callbacks(execute=True):
        client.post(page + "renew/")
    old_token = registration.token
    registration.refresh_from_db()
    assert registration.token != old_token
    assert client.get(page).status_code == 404
    page = f"/me/{registration.token}/"

    client.post(page + "cancel/", {})
    assert Registration.objects.get(pk=registration.pk).status == "confirmed"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page + "cancel/", {"confirm": "yes"})
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"
    subjects = [m["Subject"] for m in smtp_inbox.wait_for("person1@example.org", count=2)]
    assert any(s.startswith("Your private link") for s in subjects)
    assert any(s.startswith("Your registration is cancelled") for s in subjects)


def test_unknown_private_link_is_not_found():
    assert Client().get("/me/not-a-real-token/").status_code == 404


def test_private_page_shows_the_place_in_the_waiting_list(small_programme):
    people = [services.register(small_programme, applicant(n)) for n in range(4)]
    page = Client().get(f"/me/{people[3].token}/").content.decode()
    assert "number 2 in the queue" in page
    assert "<svg" not in page
