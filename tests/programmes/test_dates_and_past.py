"""Sessions lie within their programme's dates (form, service, API); past programmes show as past and
stop offering "Register"."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from plenary.programmes import services as programme_services
from plenary.programmes.forms import SessionForm
from plenary.registrations import services
from tests.registrations.conftest import applicant, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.activate("en")


HK = ZoneInfo("Asia/Hong_Kong")


@pytest.fixture
def small_programme(db):
    return make_programme(slug="dated")


@pytest.fixture
def organiser(db):
    from django.contrib.auth import get_user_model

    from plenary.organisations.models import Membership, Organisation

    user = get_user_model().objects.create_user("dates-organiser", password="x-pass-12345")
    lead = Organisation.objects.get(name_en="Test Bureau")
    Membership.objects.create(user=user, organisation=lead, role=Membership.Role.ORGANISER)
    return user


def form_data(starts: str, ends: str) -> dict:
    return {
        "kind": "lecture",
        "mode": "online",
        "title_en": "Extra lecture",
        "starts_at": starts,
        "ends_at": ends,
        "online_url": "https://meeting.example.org/j/9",
        "cpd_hours": "1",
    }


def test_the_session_form_refuses_a_date_outside_the_programme_and_says_why(small_programme):
    form = SessionForm(form_data("2030-02-01T10:00", "2030-02-01T12:00"), programme=small_programme)
    assert not form.is_valid()
    assert "outside the programme's dates" in form.errors["starts_at"][0]
    assert "10 January 2030" in form.errors["starts_at"][0] or "Jan" in form.errors["starts_at"][0]
    inside = SessionForm(form_data("2030-01-11T10:00", "2030-01-11T12:00"), programme=small_programme)
    assert inside.is_valid(), inside.errors


def test_the_service_refuses_it_too_and_in_chinese(small_programme, organiser):
    with pytest.raises(ValidationError) as refused:
        programme_services.add_session(
            actor=organiser,
            programme=small_programme,
            title_en="Too early",
            kind="lecture",
            mode="online",
            starts_at=datetime(2029, 12, 31, 10, tzinfo=HK),
            ends_at=datetime(2029, 12, 31, 12, tzinfo=HK),
        )
    assert "starts_at" in refused.value.message_dict
    from django.utils import translation

    with translation.override("zh-hant"):
        form = SessionForm(form_data("2030-02-01T10:00", "2030-02-01T12:00"), programme=small_programme)
        assert not form.is_valid()
        assert "日期" in form.errors["starts_at"][0]
        assert "outside" not in form.errors["starts_at"][0]


def test_moving_the_programme_dates_away_from_its_sessions_is_refused(small_programme):
    small_programme.ends_on = date(2030, 1, 11)  # the sharing session is on the 12th
    with pytest.raises(ValidationError, match="Sharing session"):
        small_programme.full_clean()


def test_a_past_programme_shows_as_past_and_offers_no_registration(small_programme):
    today = timezone.localdate()
    small_programme.starts_on = today - timedelta(days=10)
    small_programme.ends_on = today - timedelta(days=1)
    small_programme.save()
    assert small_programme.is_past and not services.registration_is_open(small_programme)
    client = Client()
    page = client.get(f"/p/{small_programme.slug}/").content.decode()
    assert "Past programme" in page and f"/p/{small_programme.slug}/register/" not in page
    assert "Past programme" in client.get("/").content.decode()
    chinese = client.get(f"/zh-hant/p/{small_programme.slug}/").content.decode()
    assert "Past programme" not in chinese and "已結束" in chinese
    form = client.get(f"/p/{small_programme.slug}/register/").content.decode()
    assert "Registration is closed" in form
    with pytest.raises(services.RegistrationClosed):
        services.register(small_programme, applicant(1))


def test_a_current_programme_still_offers_register(db):
    programme = make_programme(slug="current")
    assert not programme.is_past
    page = Client().get(f"/p/{programme.slug}/").content.decode()
    assert f"/p/{programme.slug}/register/" in page
