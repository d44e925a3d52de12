"""Menus show only what the role can open (``access.rules.menu``): every link in the site menu answers,
and door staff see only door items."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db


def menu_links(page: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]*">(.*?)</nav>', page, re.S).group(1)
    return [href for href in re.findall(r'href="([^"]+)"', nav) if not href.startswith(("/zh-hant", "#"))]


@pytest.mark.parametrize("username", [None, "door", "coordinator", "organiser", "admin"])
def test_every_menu_item_opens_for_the_role(reference_programme, username):
    client = Client()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    start = client.get("/checkin/" if username == "door" else "/", follow=True)
    assert start.status_code == 200
    links = menu_links(start.content.decode())
    assert links
    for href in links:
        response = client.get(href, follow=True)
        assert response.status_code == 200, (username, href, response.status_code)
        assert "Not allowed" not in response.content.decode(), (username, href)


def test_door_staff_see_only_door_items(reference_programme):
    client = Client()
    client.force_login(get_user_model().objects.get(username="door"))
    links = menu_links(client.get("/checkin/").content.decode())
    assert "/checkin/" in links
    assert "/" not in links and "/news/" not in links and "/manage/" not in links
    assert all(link.startswith(("/checkin/", "/accounts/")) for link in links), links


def test_coordinators_see_their_agency_page_not_the_console(reference_programme):
    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    links = menu_links(client.get("/").content.decode())
    assert "/agency/" in links and "/manage/" not in links
