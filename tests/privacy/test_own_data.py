"""The private page shows everything held; the person corrects details, gives or withdraws consents and
downloads their data; organisers download the same from the console."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from plenary.core.models import AuditEntry
from plenary.privacy.models import PrivacyRequest
from plenary.registrations import services
from plenary.registrations.models import ConsentRecord, Registration
from tests.registrations.conftest import applicant

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]


@pytest.fixture
def person(small_programme):
    return services.register(
        small_programme,
        applicant(1, phone="91234567", rsw_number="S12345", post="Social Worker", news_opt_in=True),
    )


def test_private_page_shows_everything_held(person):
    page = Client().get(f"/me/{person.token}/").content.decode()
    for value in ("Person 1", "參加者1", "person1@example.org", "91234567", "S12345", "Social Worker"):
        assert value in page
    assert "Opening lecture" in page  # seats, per session
    assert f"/me/{person.token}/data.json" in page
    # "Show everything we hold" opens the full list from the catalogue, loaded when opened.
    assert f'hx-get="/me/{person.token}/data/part/"' in page
    part = Client().get(f"/me/{person.token}/data/part/").content.decode()
    assert services.COLLECTION_STATEMENT_VERSION in part  # the consent's wording version
    for value in ("person1@example.org", "S12345", "Opening lecture"):
        assert value in part
    assert Client().get("/me/not-a-token/data/part/").status_code == 404


def test_json_export_holds_every_exported_field(person):
    response = Client().get(f"/me/{person.token}/data.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    row = data["registration"][0]
    assert (
        row["email"] == "person1@example.org"
        and row["rsw_number"] == "S12345"
        and row["name_zh"] == "參加者1"
    )
    assert "token" not in row and "pass_code" not in row
    kinds = {consent["kind"]["value"]: consent for consent in data["consents"]}
    assert (
        kinds["news"]["given"] is True
        and kinds["pics"]["wording_version"] == services.COLLECTION_STATEMENT_VERSION
    )
    assert {seat["session"] for seat in data["seats"]} == {"Opening lecture", "Sharing session"}
    assert data["collection_statement"] == services.COLLECTION_STATEMENT_VERSION


def test_readable_download(person):
    response = Client().get(f"/zh-hant/me/{person.token}/data/?download=1")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "S12345" in response.content.decode()


def test_unknown_token_is_404():
    assert Client().get("/me/not-a-token/data.json").status_code == 404


def test_correcting_details_is_checked_and_audited(person):
    client = Client()
    response = client.post(
        f"/me/{person.token}/details/",
        {
            "name_en": "Person One",
            "name_zh": "參加者1",
            "phone": "98765432",
            "rsw_number": "s 54321",
            "post": "",
        },
        follow=True,
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert (person.name_en, person.phone, person.rsw_number, person.post) == (
        "Person One",
        "98765432",
        "S54321",
        "",
    )
    entry = AuditEntry.objects.filter(object_id=str(person.pk), action="update").latest("id")
    assert entry.before["phone"] == "91234567" and entry.after["phone"] == "98765432"
    assert PrivacyRequest.objects.get(registration=person, kind="correction").status == "done"
    # An HKID number instead of an RSW number is refused, in the person's language.
    response = client.post(
        f"/zh-hant/me/{person.token}/details/",
        {"name_en": "Person One", "rsw_number": "A123456(7)"},
        follow=True,
    )
    assert "身份證" in response.content.decode()
    person.refresh_from_db()
    assert person.rsw_number == "S54321"


def test_consents_are_withdrawn_and_given_again_with_a_new_record_each_time(person, people):
    client = Client()
    client.post(f"/me/{person.token}/consent/", {"kind": "news", "given": "no"})
    client.post(f"/me/{person.token}/consent/", {"kind": "no_photos", "given": "yes"})
    person.refresh_from_db()
    assert person.news_opt_in is False and person.photo_opt_out is True
    client.post(f"/me/{person.token}/consent/", {"kind": "news", "given": "yes"})
    person.refresh_from_db()
    assert person.news_opt_in is True
    # The opt-out reaches the organisers' photo page at once.
    staff = Client()
    staff.force_login(people["organiser"])
    session = person.programme.sessions.get(title_en="Sharing session")
    photos = staff.get(f"/manage/p/{person.programme.slug}/sessions/{session.pk}/photos/").content.decode()
    assert "Person 1" in photos.split('id="opt-outs"')[1].split("</section>")[0]
    news = list(person.consents.filter(kind=ConsentRecord.Kind.NEWS).values_list("given", flat=True))
    assert news == [True, False, True]
    # An unknown kind changes nothing.
    response = client.post(f"/me/{person.token}/consent/", {"kind": "pics", "given": "no"}, follow=True)
    assert response.status_code == 200
    assert person.consents.filter(kind="pics", given=False).count() == 0


def test_organisers_download_from_the_console_others_cannot(person, people):
    client = Client()
    url = f"/manage/p/{person.programme.slug}/registrations/r/{person.reference}/data.json"
    assert client.get(url).status_code == 302  # to the sign-in page
    client.force_login(people["coordinator_a"])
    assert client.get(url).status_code == 404
    client.force_login(people["organiser"])
    assert json.loads(client.get(url).content)["registration"][0]["phone"] == "91234567"
    html = client.get(url.replace("data.json", "data.html"))
    assert html.status_code == 200 and "91234567" in html.content.decode()
    detail = client.get(
        f"/manage/p/{person.programme.slug}/registrations/r/{person.reference}/"
    ).content.decode()
    assert "data.json" in detail


def test_registration_model_is_not_changed_by_reading(person):
    before = Registration.objects.get(pk=person.pk).updated_at
    Client().get(f"/me/{person.token}/data.json")
    assert Registration.objects.get(pk=person.pk).updated_at == before
