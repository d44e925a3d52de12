"""The organisers' log of data access, correction and erasure requests: 40-day deadline, overdue list,
answers audited; a refused erasure keeps the data; the collection statement says what the system does."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from plenary.core.models import AuditEntry
from plenary.privacy import services
from plenary.privacy.models import Anonymisation, PrivacyRequest
from plenary.registrations import services as registrations
from tests.registrations.conftest import applicant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def staff(people):
    client = Client()
    client.force_login(people["organiser"])
    return client


@pytest.fixture
def person(small_programme):
    return registrations.register(small_programme, applicant(1))


def test_a_letter_is_logged_with_its_deadline_and_shown_overdue(staff, person, small_programme):
    url = f"/manage/p/{small_programme.slug}/privacy/"
    received = timezone.localdate() - datetime.timedelta(days=45)
    response = staff.post(
        url,
        {
            "kind": "access",
            "channel": "letter",
            "received_on": received.isoformat(),
            "requester": "Person 1",
            "details": "a copy of my data",
            "reference": person.reference.lower(),
        },
    )
    assert response.status_code == 302
    logged = PrivacyRequest.objects.get(kind="access")
    assert logged.registration == person and logged.deadline == received + datetime.timedelta(days=40)
    assert logged.overdue
    assert AuditEntry.objects.filter(object_id=str(logged.pk), action="create").exists()
    page = staff.get(url).content.decode()
    assert "Overdue" in page and "a copy of my data" in page and "overdue" in page
    # Answered, with the export given: no longer overdue; audited.
    staff.post(f"{url}{logged.pk}/", {"action": "done", "reason": "sent by post", "export_given": "yes"})
    logged.refresh_from_db()
    assert logged.status == "done" and logged.export_given_at is not None and not logged.overdue
    assert AuditEntry.objects.filter(object_id=str(logged.pk), action="update").exists()
    assert "Overdue" not in staff.get(url).content.decode()
    # A second answer is refused with a message, not an error page.
    response = staff.post(f"{url}{logged.pk}/", {"action": "done"}, follow=True)
    assert response.status_code == 200 and "already been answered" in response.content.decode()


def test_bad_input_is_answered_in_the_form(staff, small_programme):
    url = f"/zh-hant/manage/p/{small_programme.slug}/privacy/"
    response = staff.post(
        url, {"kind": "access", "channel": "letter", "received_on": "not a date", "reference": "RNOPE"}
    )
    assert response.status_code == 200
    assert PrivacyRequest.objects.count() == 0
    response = staff.post(
        url,
        {"kind": "access", "channel": "letter", "received_on": "2030-01-01", "reference": "RNOPE"},
    )
    assert response.status_code == 200 and PrivacyRequest.objects.count() == 0


def test_refusing_an_erasure_needs_a_reason_and_keeps_the_data(staff, person, small_programme):
    found = services.request_erasure(person)
    url = f"/manage/p/{small_programme.slug}/privacy/{found.pk}/"
    response = staff.post(url, {"action": "refuse", "reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode()
    found.refresh_from_db()
    assert found.status == "open"
    staff.post(url, {"action": "refuse", "reason": "certificate dispute pending"})
    found.refresh_from_db()
    assert found.status == "refused" and found.outcome == "certificate dispute pending"
    person.refresh_from_db()
    assert person.name_en == "Person 1" and not Anonymisation.objects.exists()
    # The person may ask again later.
    assert services.request_erasure(person).status == "open"


def test_only_the_programmes_organisers_see_the_log(people, small_programme):
    client = Client()
    client.force_login(people["coordinator_a"])
    assert client.get(f"/manage/p/{small_programme.slug}/privacy/").status_code == 404


def test_retention_is_set_on_the_log_page_and_shown_in_the_statement(staff, small_programme, settings):
    settings.PLENARY_RETENTION_DAYS = 730
    register = Client().get(f"/p/{small_programme.slug}/register/").content.decode()
    assert registrations.COLLECTION_STATEMENT_VERSION == "pics-2026-3"
    assert "pics-2026-3" in register and "730 days" in register and "40 days" in register
    staff.post(f"/manage/p/{small_programme.slug}/privacy/retention/", {"days": "400"})
    assert "400 days" in Client().get(f"/p/{small_programme.slug}/register/").content.decode()
    response = staff.post(f"/manage/p/{small_programme.slug}/privacy/retention/", {"days": "0"}, follow=True)
    assert (
        response.status_code == 200
        and "400 days" in Client().get(f"/p/{small_programme.slug}/register/").content.decode()
    )
    chinese = Client().get(f"/zh-hant/p/{small_programme.slug}/register/").content.decode()
    assert "400 日" in chinese and "40 日" in chinese
