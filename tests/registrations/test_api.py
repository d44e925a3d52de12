"""The registrations rows of the JSON API: create, list (scoped), cancel."""

from __future__ import annotations

import pytest

from plenary.registrations import services
from plenary.registrations.models import Registration
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def body(n: int, **extra) -> dict:
    return {
        "name_en": f"Person {n}",
        "email": f"person{n}@example.org",
        "organisation": "Agency Alpha",
        "mode": "in_person",
        "consent_pics": True,
        **extra,
    }


def test_organiser_registers_someone_and_gets_the_pass_and_private_url(small_programme, people, api_as):
    response = api_as(people["organiser"]).post(
        f"/api/v1/programmes/{small_programme.slug}/registrations", body(1)
    )
    assert response.status_code == 201, response.content
    data = response.json()
    registration = Registration.objects.get(reference=data["reference"])
    assert data["status"] == "confirmed"
    assert data["pass_code"] == registration.pass_code
    assert data["private_url"].endswith(f"/me/{registration.token}/")
    assert [(seat["mode"], seat["status"]) for seat in data["seats"]] == [("in_person", "confirmed")]
    assert registration.organisation == people["agency_a"]
    assert registration.source == "organiser"


def test_duplicate_email_is_a_conflict_and_bad_fields_are_422(small_programme, people, api_as):
    client = api_as(people["organiser"])
    url = f"/api/v1/programmes/{small_programme.slug}/registrations"
    assert client.post(url, body(1)).status_code == 201
    assert client.post(url, body(1, email="PERSON1@example.org")).status_code == 409
    bad = client.post(url, body(2, email="nope", consent_pics=False))
    assert bad.status_code == 422
    assert set(bad.json()["detail"]) >= {"email", "consent_pics"}
    assert client.post(url, body(3, mode="teleport")).status_code == 422
    assert client.post(url, "not json").status_code in (400, 422)


def test_coordinator_nominates_for_own_agency_and_lists_only_it(small_programme, people, api_as):
    url = f"/api/v1/programmes/{small_programme.slug}/registrations"
    response = api_as(people["coordinator_a"]).post(url, body(1, organisation="Agency Beta"))
    assert response.status_code == 201
    assert Registration.objects.get(reference=response.json()["reference"]).organisation == people["agency_a"]
    api_as(people["coordinator_b"]).post(url, body(2))
    # Only the room, which is full: the whole registration waits.
    services.register(small_programme, applicant(3), sessions=[hybrid(small_programme).pk])

    seen_by_a = api_as(people["coordinator_a"]).get(url).json()["items"]
    assert [item["email"] for item in seen_by_a] == ["person1@example.org"]
    organiser = api_as(people["organiser"])
    assert len(organiser.get(url).json()["items"]) == 3
    waiting = organiser.get(url, {"status": "waitlisted"}).json()["items"]
    assert [item["email"] for item in waiting] == ["person3@example.org"]
    assert api_as(None).get(url).status_code == 401


def test_list_is_paged_by_cursor(small_programme, people, api_as):
    for n in range(5):
        services.register(small_programme, applicant(n, mode="online"))
    client = api_as(people["organiser"])
    url = f"/api/v1/programmes/{small_programme.slug}/registrations"
    first = client.get(url, {"limit": 3}).json()
    second = client.get(url, {"limit": 3, "after": first["next_after"]}).json()
    assert len(first["items"]) == 3 and len(second["items"]) == 2 and second["next_after"] is None


def test_cancel_by_organiser_by_own_coordinator_or_by_participant_token(small_programme, people, api_as):
    own = services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    other = services.nominate(
        small_programme, applicant(2), coordinator=people["coordinator_b"], agency=people["agency_b"]
    )
    coordinator = api_as(people["coordinator_a"])
    assert coordinator.delete(f"/api/v1/registrations/{other.reference}").status_code == 404
    assert coordinator.delete(f"/api/v1/registrations/{own.reference}").json()["status"] == "cancelled"

    me = services.register(small_programme, applicant(3))
    anonymous = api_as(None)
    assert anonymous.delete(f"/api/v1/registrations/{me.reference}").status_code == 401
    assert anonymous.delete(f"/api/v1/registrations/{me.reference}?token=wrong").status_code == 404
    response = anonymous.delete(
        f"/api/v1/registrations/{me.reference}", headers={"X-Participant-Token": me.token}
    )
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert api_as(people["organiser"]).delete(f"/api/v1/registrations/{other.reference}").status_code == 200
    assert Registration.objects.get(pk=other.pk).status == "cancelled"


def test_people_without_a_role_cannot_register_or_list(small_programme, outsider, api_as):
    url = f"/api/v1/programmes/{small_programme.slug}/registrations"
    assert api_as(outsider).post(url, body(1)).status_code == 403
    assert api_as(outsider).get(url).status_code == 403
