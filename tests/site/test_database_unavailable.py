"""While the database is locked, a write answers 503 with Retry-After (JSON in the API, a page in the
person's language elsewhere) and stores nothing partial (issue 14)."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock"),
]


@pytest.fixture
def lock():
    """lock() → another process's write transaction holds SQLite's lock; this one waits only 0.2 s."""
    held = []

    def take():
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA busy_timeout = 200")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        held.append(other)

    yield take
    for other in held:
        other.execute("ROLLBACK")
        other.close()


def body():
    return {
        "name_en": "Locked Out",
        "email": "locked@example.org",
        "organisation": "Some NGO",
        "mode": "in_person",
        "consent_pics": True,
    }


def test_a_locked_database_answers_503_json_with_retry_after(api_as, organiser, reference_programme, lock):
    client = api_as(organiser)
    client.client.raise_request_exception = False  # the test client would re-raise what it logs
    lock()
    response = client.post(f"/api/v1/programmes/{reference_programme.slug}/registrations", body())
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert "database" in response.json()["detail"]


def test_a_locked_database_is_a_friendly_page(reference_programme, lock):
    # The reference programme (2022) is past and takes no registrations; this test needs it open.
    Programme.objects.filter(pk=reference_programme.pk).update(ends_on=date(2099, 12, 31))
    sharing = reference_programme.sessions.get(kind="sharing")
    client = Client(raise_request_exception=False)
    lock()
    data = {
        "name_en": "Locked Out",
        "email": "locked@example.org",
        "organisation_other": "Some NGO",
        f"mode_{sharing.pk}": "in_person",
        "consent_pics": "on",
    }
    response = client.post(f"/zh-hant/p/{reference_programme.slug}/register/", data)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert "資料庫" in response.content.decode()


def test_nothing_partial_is_stored(api_as, organiser, reference_programme, lock):
    client = api_as(organiser)
    client.client.raise_request_exception = False
    lock()
    assert (
        client.post(f"/api/v1/programmes/{reference_programme.slug}/registrations", body()).status_code == 503
    )
    assert not Registration.objects.filter(email="locked@example.org").exists()
