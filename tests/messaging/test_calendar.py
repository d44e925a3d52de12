"""Calendar feeds: stable UIDs, SEQUENCE that rises when a session changes, the programme's zone as a
VTIMEZONE, the personal join link; "Add to calendar" on the programme and private pages."""

from __future__ import annotations

from datetime import timedelta

import icalendar
import pytest
from django.test import Client

from plenary.registrations import services as registrations
from tests.messaging.conftest import hybrid, lecture, register

pytestmark = pytest.mark.django_db


def events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    return cal, {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_the_public_feed_has_every_session_in_the_programmes_zone(small_programme):
    cal, found = events(Client().get(f"/p/{small_programme.slug}/calendar.ics"))
    assert len(found) == 2
    (zone,) = cal.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Hong_Kong"
    session = lecture(small_programme)
    event = found[f"session-{session.pk}@127.0.0.1"]
    assert event["DTSTART"].params["TZID"] == "Asia/Hong_Kong"
    assert event.decoded("DTSTART") == session.starts_at
    assert int(event["SEQUENCE"]) == 0


def test_sequence_rises_when_a_session_moves_and_not_otherwise(small_programme):
    url = f"/p/{small_programme.slug}/calendar.ics"
    session = lecture(small_programme)
    uid = f"session-{session.pk}@127.0.0.1"
    events(Client().get(url))
    _cal, again = events(Client().get(url))
    assert int(again[uid]["SEQUENCE"]) == 0
    session.starts_at += timedelta(hours=1)
    session.ends_at += timedelta(hours=1)
    session.save()
    _cal, moved = events(Client().get(url))
    assert int(moved[uid]["SEQUENCE"]) == 1
    assert moved[uid].decoded("DTSTART") == session.starts_at
    session.title_en = "Opening lecture (new title)"
    session.save()
    _cal, renamed = events(Client().get(url))
    assert int(renamed[uid]["SEQUENCE"]) == 2
    assert set(renamed) == set(moved)  # the UIDs are stable


def test_the_personal_feed_has_the_join_link_and_only_confirmed_places(small_programme):
    room = hybrid(small_programme)
    online = register(small_programme, 1)
    register(small_programme, 2, mode="in_person")
    register(small_programme, 3, mode="in_person")
    waiting = register(small_programme, 4, mode="in_person")
    _cal, found = events(Client().get(f"/me/{online.token}/calendar.ics"))
    session = lecture(small_programme)
    event = found[f"session-{session.pk}-{online.reference}@127.0.0.1"]
    assert f"/j/{online.token}/{session.pk}/" in str(event["URL"])
    assert len(found) == 2
    _cal, waiting_events = events(Client().get(f"/me/{waiting.token}/calendar.ics"))
    assert [str(e["UID"]).split("-")[1] for e in waiting_events.values()] == [str(session.pk)]  # not the room
    registrations.cancel(waiting)
    _cal, none = events(Client().get(f"/me/{waiting.token}/calendar.ics"))
    assert none == {}
    assert room.pk not in [int(uid.split("-")[1]) for uid in none]


def test_unknown_feeds_are_not_found(small_programme):
    assert Client().get("/me/no-such-token/calendar.ics").status_code == 404
    assert Client().get("/p/no-such-programme/calendar.ics").status_code == 404


def test_add_to_calendar_links_on_the_programme_and_private_pages(small_programme):
    person = register(small_programme, 1)
    page = Client().get(f"/p/{small_programme.slug}/").content.decode()
    assert f'href="/p/{small_programme.slug}/calendar.ics"' in page and "Add to calendar" in page
    private = Client().get(f"/me/{person.token}/").content.decode()
    assert f'href="/me/{person.token}/calendar.ics"' in private
