"""The public programme page is cached per content version and language, yet never stale.

Every change an organiser can make to what the page shows is made here through the models' own
save paths (as the console, the API and the admin do) and the very next request must show it.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from plenary.engagement.models import Reflection
from plenary.organisations.models import Organisation
from plenary.programmes import pages
from plenary.programmes.models import AgendaItem, Programme, Speaker, Venue
from plenary.registrations import services
from tests.registrations.conftest import applicant

pytestmark = pytest.mark.django_db


def page(client, programme, language="", **headers):
    prefix = f"/{language}" if language else ""
    return client.get(f"{prefix}/p/{programme.slug}/", **headers)


def html(client, programme, language=""):
    response = page(client, programme, language)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def fresh_places(monkeypatch):
    """Places left are read from the counters on every request (normally up to 5 s old)."""
    monkeypatch.setattr(pages, "PLACES_SECONDS", 0)


def test_the_page_is_rendered_once_per_version_and_language(
    client, small_programme, django_assert_max_num_queries
):
    first = html(client, small_programme)
    assert "Sharing session" in first
    html(client, small_programme, "zh-hant")
    # Cached now: one lookup of the programme's head row (places left are cached for a few seconds).
    # On PostgreSQL that lookup is a prepared statement on psycopg's own cursor, which Django's query
    # capture does not see: at most one query either way.
    with django_assert_max_num_queries(1):
        assert html(client, small_programme) == first
    with django_assert_max_num_queries(1):
        assert "分享會" in html(client, small_programme, "zh-hant")


def test_session_speaker_agenda_and_programme_edits_show_at_once(client, small_programme):
    html(client, small_programme)
    session = small_programme.sessions.get(title_en="Sharing session")
    session.title_en = "Sharing and reflections"
    session.save()
    assert "Sharing and reflections" in html(client, small_programme)

    speaker = Speaker.objects.create(programme=small_programme, name_en="Ada Wong", post_en="Director")
    html(client, small_programme)
    session.speakers.add(speaker)
    assert "Ada Wong" in html(client, small_programme)

    AgendaItem.objects.create(session=session, title_en="Opening words", duration_minutes=10)
    assert "Opening words" in html(client, small_programme)

    small_programme.summary_en = "A new summary for the sector."
    small_programme.save()
    assert "A new summary for the sector." in html(client, small_programme)

    session.delete()
    assert "Sharing and reflections" not in html(client, small_programme)


def test_venue_and_organisation_renames_show_at_once(client, small_programme):
    html(client, small_programme)
    venue = Venue.objects.get(name_en="Room of small-programme")
    venue.name_en = "Main Hall"
    venue.save()
    assert "Main Hall" in html(client, small_programme)
    lead = Organisation.objects.get(name_en="Test Bureau")
    lead.name_en = "Test Bureau of Welfare"
    lead.save()
    assert "Test Bureau of Welfare" in html(client, small_programme)


def test_publishing_and_withdrawing_a_reflection_shows_at_once(client, small_programme):
    registration = services.register(small_programme, applicant(1, "online"))
    session = small_programme.sessions.get(title_en="Opening lecture")
    reflection = Reflection.objects.create(
        registration=registration,
        session=session,
        text="It changed how I plan my week.",
        allow_publication=True,
        is_selected=True,
    )
    assert "It changed how I plan my week." not in html(client, small_programme)
    reflection.published_at = timezone.now()
    reflection.save()
    assert "It changed how I plan my week." in html(client, small_programme)
    registration.name_en = "Corrected Name"
    registration.save()
    assert "Corrected Name" in html(client, small_programme)
    reflection.published_at = None
    reflection.save()
    assert "It changed how I plan my week." not in html(client, small_programme)


def test_places_left_follow_the_seat_counters(client, small_programme, fresh_places):
    assert "2 places left" in html(client, small_programme)
    services.register(small_programme, applicant(1, "in_person"))
    assert "1 place left" in html(client, small_programme)
    services.register(small_programme, applicant(2, "in_person"))
    assert "Room full: waiting list" in html(client, small_programme)
    assert "名額已滿" in html(client, small_programme, "zh-hant")


def test_places_left_are_cached_for_a_few_seconds_only(client, small_programme):
    assert "2 places left" in html(client, small_programme)
    services.register(small_programme, applicant(1, "in_person"))
    assert "2 places left" in html(client, small_programme)  # within PLACES_SECONDS
    from django.core.cache import cache

    cache.delete(f"programme-places:{small_programme.pk}")  # what expiry does after 5 s
    assert "1 place left" in html(client, small_programme)


def test_register_button_follows_the_flag_and_the_closing_time(client, small_programme):
    assert f'href="/p/{small_programme.slug}/register/"' in html(client, small_programme)
    Programme.objects.filter(pk=small_programme.pk).update(
        registration_closes_at=timezone.now() - timedelta(minutes=1)
    )
    text = html(client, small_programme)
    assert "/register/" not in text and "Registration is closed." in text


def test_a_past_programme_says_it_has_ended(client, small_programme):
    Programme.objects.filter(pk=small_programme.pk).update(
        starts_on=date(2022, 1, 10), ends_on=date(2022, 1, 12)
    )
    text = html(client, small_programme)
    assert "Past programme" in text and "This programme has ended; registration is closed." in text
    assert "/register/" not in text and "places left" not in text


def test_conditional_requests_get_304_until_something_changes(client, small_programme, fresh_places):
    first = page(client, small_programme)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"
    assert page(client, small_programme, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert page(client, small_programme, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    # The other language is another representation.
    assert page(client, small_programme, "zh-hant", HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A seat taken changes the page: a new ETag.
    services.register(small_programme, applicant(1, "in_person"))
    after = page(client, small_programme, HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    # An edit changes it too.
    small_programme.title_en = "Small programme, renamed"
    small_programme.save()
    edited = page(client, small_programme, HTTP_IF_NONE_MATCH=after["ETag"])
    assert edited.status_code == 200 and "Small programme, renamed" in edited.content.decode()


def test_signed_in_visitors_get_their_own_frame_around_the_cached_article(client, small_programme, people):
    html(client, small_programme)  # cached for anonymous visitors
    client.force_login(people["organiser"])
    response = page(client, small_programme)
    text = response.content.decode()
    assert "Sign out" in text and "Sharing session" in text
    assert "ETag" not in response.headers
    client.logout()
    assert "Sign out" not in html(client, small_programme)


def test_unknown_and_draft_programmes_are_404(client, small_programme):
    assert client.get("/p/no-such-programme/").status_code == 404
    assert client.get("/p/" + "x" * 90 + "/").status_code == 404
    small_programme.status = Programme.Status.DRAFT
    small_programme.save()
    assert page(client, small_programme).status_code == 404
