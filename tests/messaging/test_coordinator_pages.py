"""Coordinators see the message pages in their agency's layout: every link on them opens for the
coordinator (the console's menu, whose pages they cannot open, is not shown), and the agency's page of
the programme leads to the messages (``access.rules.programme_menu``)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from plenary.access import rules
from plenary.messaging import services
from tests.messaging.test_bulk import TEXT, nominate

pytestmark = pytest.mark.django_db


def links(page: str) -> set[str]:
    return {
        href
        for href in re.findall(r'href="(/[^"]*)"', page)
        if not href.startswith(("/static/", "/zh-hant/", "/media/")) and "logout" not in href
    }


def test_every_link_on_a_coordinators_message_pages_opens_for_them(small_programme, people):
    nominate(small_programme, people, 1)
    coordinator = people["coordinator_a"]
    message = services.compose(
        small_programme,
        **TEXT,
        actor=coordinator,
        among=rules.message_recipients(coordinator, small_programme),
    )
    client = Client()
    client.force_login(coordinator)
    base = f"/manage/p/{small_programme.slug}/messages/"
    pages = [base, base + "new/", f"{base}{message.pk}/"]
    seen = set()
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert f"/manage/p/{small_programme.slug}/dashboard/" not in page  # the console's menu is not shown
        assert f"/agency/p/{small_programme.slug}/" in page  # their agency's page of the programme is
        seen |= links(page)
    assert f"/agency/record/p/{small_programme.slug}/" in seen and base + "new/" in seen
    for href in sorted(seen):
        response = client.get(href, follow=True)
        assert response.status_code == 200, href
        assert "Not allowed" not in response.content.decode(), href


def test_the_agency_page_leads_to_messages_only_where_the_agency_has_nominees(small_programme, people):
    nominate(small_programme, people, 1)
    client = Client()
    client.force_login(people["coordinator_a"])
    page = client.get(f"/agency/p/{small_programme.slug}/").content.decode()
    assert f'href="/manage/p/{small_programme.slug}/messages/"' in page
    client.force_login(people["coordinator_b"])  # an agency with nobody in the programme
    page = client.get(f"/agency/p/{small_programme.slug}/").content.decode()
    assert "/messages/" not in page
    assert rules.programme_menu(people["coordinator_b"], small_programme) == [
        "registrations:agency-programme"
    ]
    assert rules.programme_menu(people["organiser"], small_programme) == []


def test_organisers_keep_the_console_menu_on_message_pages(small_programme, people):
    client = Client()
    client.force_login(people["organiser"])
    page = client.get(f"/manage/p/{small_programme.slug}/messages/").content.decode()
    assert f"/manage/p/{small_programme.slug}/dashboard/" in page
    assert f"/manage/p/{small_programme.slug}/messages/reminders/" in page
