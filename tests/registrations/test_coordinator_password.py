"""Staff accounts change their own password, or get a link by email (real SMTP) when they forgot it."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from plenary.organisations.models import Membership
from tests.registrations.conftest import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


def test_a_coordinator_who_forgot_the_password_sets_a_new_one_from_the_emailed_link(
    people, smtp_inbox, settings
):
    settings.BASE_URL = "https://plenary.example.org"
    coordinator = people["coordinator_a"]
    coordinator.email = "coord-a@agency-alpha.example.org"
    coordinator.save()
    client = Client()

    page = client.get("/zh-hant/accounts/login/")
    assert "忘記密碼？" in page.content.decode()
    answer = client.post("/zh-hant/accounts/password/reset/", {"email": "COORD-A@agency-alpha.example.org"})
    assert answer.status_code == 302
    assert "請查看你的電郵" in client.get(answer["Location"]).content.decode()

    [message] = smtp_inbox.wait_for("coord-a@agency-alpha.example.org")
    assert message["Subject"] == "Plenary：設定新密碼"
    body = text_of(message)
    assert "coord-a" in body
    [link] = re.findall(r"https://plenary\.example\.org(/zh-hant/accounts/password/reset/\S+/)", body)

    form = client.get(link, follow=True)
    assert "設定新密碼" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-new-Pass-2026", "new_password2": "a-new-Pass-2026"},
        follow=True,
    )
    assert "你的新密碼已儲存" in done.content.decode()
    assert Client().login(username="coord-a", password="a-new-Pass-2026")

    # The link works once.
    again = client.get(link, follow=True)
    assert "此連結已使用或已過期" in again.content.decode()


def test_the_answer_is_the_same_for_an_unknown_address_and_mail_is_rate_limited(people, smtp_inbox):
    coordinator = people["coordinator_b"]
    coordinator.email = "coord-b@agency-beta.example.org"
    coordinator.save()
    client = Client()
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    known = client.post("/accounts/password/reset/", {"email": "coord-b@agency-beta.example.org"})
    assert unknown.status_code == known.status_code == 302
    assert unknown["Location"] == known["Location"]
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "coord-b@agency-beta.example.org"})
    smtp_inbox.wait_for("coord-b@agency-beta.example.org", count=4, timeout=3)
    assert len(smtp_inbox.to("coord-b@agency-beta.example.org")) == 3
    assert smtp_inbox.to("nobody@example.org") == []


def test_a_signed_in_coordinator_changes_the_password_and_a_wrong_old_one_is_refused_in_chinese(people):
    client = Client()
    client.force_login(people["coordinator_a"])
    wrong = client.post(
        "/zh-hant/accounts/password/",
        {"old_password": "not-it", "new_password1": "b-new-Pass-2026", "new_password2": "b-new-Pass-2026"},
    )
    assert wrong.status_code == 200
    assert "舊密碼不正確" in wrong.content.decode()
    right = client.post(
        "/zh-hant/accounts/password/",
        {
            "old_password": "x-pass-12345",
            "new_password1": "b-new-Pass-2026",
            "new_password2": "b-new-Pass-2026",
        },
        follow=True,
    )
    assert "你的密碼已更改" in right.content.decode()
    assert Client().login(username="coord-a", password="b-new-Pass-2026")


def test_door_staff_may_change_their_password_but_nothing_else(people, small_programme):
    door = get_user_model().objects.create_user("door-x", password="x-pass-12345")
    lead = people["organiser"].memberships.first().organisation
    Membership.objects.create(user=door, organisation=lead, role=Membership.Role.CHECKIN)
    client = Client()
    client.force_login(door)
    assert client.get("/accounts/password/").status_code == 200
    assert client.get("/manage/").status_code == 403
