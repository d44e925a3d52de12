"""Coordinators nominate within their quota, upload spreadsheets, and see only their own agency."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from plenary.registrations import services
from plenary.registrations.models import Quota, Registration
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name_en", "name_zh", "email", "phone", "post", "service_unit", "rsw_number", "mode"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_upload_keeps_good_rows_and_reports_each_bad_one(small_programme, people):
    Quota.objects.create(programme=small_programme, organisation=people["agency_a"], places=3)
    services.register(small_programme, applicant(9))  # person9 registered already, on their own
    content = xlsx(
        [
            ["Good One", "", "good1@example.org", "", "SW", "", "", "online"],
            ["Bad Email", "", "not-an-email", "", "", "", "", "online"],
            ["Good Two", "", "good2@example.org", "", "", "", "S12345", "in person"],
            ["Again", "", "GOOD1@example.org", "", "", "", "", "online"],
            ["Registered", "", "person9@example.org", "", "", "", "", "online"],
            ["Teleporter", "", "tele@example.org", "", "", "", "", "hologram"],
            ["Good Three", "陳三", "good3@example.org", "", "", "", "", "現場"],
            ["One Too Many", "", "extra@example.org", "", "", "", "", "online"],
        ]
    )
    client = signed_in(people["coordinator_a"])
    response = client.post(
        f"/agency/p/{small_programme.slug}/upload/",
        {"file": SimpleUploadedFile("staff.xlsx", content), "consent_pics": "on"},
    )
    assert response.status_code == 200
    results = {row.row: row for row in response.context["results"]}
    assert [n for n, row in results.items() if row.accepted] == [2, 4, 8]
    assert "Bad email" in results[3].reason
    assert "Duplicate" in results[5].reason and "earlier in the file" in results[5].reason
    assert "Duplicate" in results[6].reason
    assert "Unknown session mode" in results[7].reason
    assert "Over quota" in results[9].reason
    nominated = Registration.objects.filter(organisation=people["agency_a"], source="nominated")
    assert sorted(nominated.values_list("email", flat=True)) == [
        "good1@example.org",
        "good2@example.org",
        "good3@example.org",
    ]
    assert (
        nominated.get(email="good2@example.org").seats.get(session=hybrid(small_programme)).mode
        == "in_person"
    )
    assert Quota.objects.get().used == 3


def test_csv_upload_and_templates(small_programme, people):
    client = signed_in(people["coordinator_a"])
    template = client.get(f"/agency/p/{small_programme.slug}/template.xlsx")
    assert template.status_code == 200
    headers = [cell.value for cell in load_workbook(io.BytesIO(template.content)).active[1]]
    assert headers[:3] == ["name_en", "name_zh", "email"]
    csv_template = client.get(f"/agency/p/{small_programme.slug}/template.csv")
    assert csv_template.content.decode("utf-8-sig").startswith("name_en,name_zh,email")
    content = b"email,name_en,mode\ncsv1@example.org,Csv One,online\n"
    response = client.post(
        f"/agency/p/{small_programme.slug}/upload/",
        {"file": SimpleUploadedFile("staff.csv", content), "consent_pics": "on"},
    )
    assert [row.accepted for row in response.context["results"]] == [True]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "not a spreadsheet"),
        ("fake.xlsx", b"PK\x03\x04 this is no workbook", "cannot be read"),
        ("huge.csv", b"email\n" + b"a@example.org\n" * 200_000, "larger than 2 MB"),
        ("empty.csv", b"", "empty"),
        ("noheader.csv", b"someone@example.org,Someone\n", "column names"),
    ],
)
def test_bad_uploads_are_refused_clearly(small_programme, people, name, content, message):
    client = signed_in(people["coordinator_a"])
    response = client.post(
        f"/agency/p/{small_programme.slug}/upload/",
        {"file": SimpleUploadedFile(name, content), "consent_pics": "on"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Registration.objects.count() == 0


def test_coordinator_sees_and_cancels_only_their_own_agency(small_programme, people):
    own = services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    other = services.nominate(
        small_programme, applicant(2), coordinator=people["coordinator_b"], agency=people["agency_b"]
    )
    client = signed_in(people["coordinator_a"])
    page = client.get(f"/agency/p/{small_programme.slug}/").content.decode()
    assert own.email in page and other.email not in page
    assert client.get(f"/agency/p/{small_programme.slug}/?agency={people['agency_b'].pk}").status_code == 404
    assert client.post(f"/agency/p/{small_programme.slug}/r/{other.reference}/cancel/").status_code == 404
    assert Registration.objects.get(pk=other.pk).status == "confirmed"
    client.post(f"/agency/p/{small_programme.slug}/r/{own.reference}/cancel/", {"confirm": "yes"})
    assert Registration.objects.get(pk=own.pk).status == "cancelled"


def test_nominate_one_by_one(small_programme, people):
    client = signed_in(people["coordinator_a"])
    response = client.post(
        f"/agency/p/{small_programme.slug}/nominate/",
        {
            "name_en": "Staff Member",
            "email": "staff@example.org",
            f"mode_{hybrid(small_programme).pk}": "in_person",
            "consent_pics": "on",
        },
    )
    assert response.status_code == 302
    registration = Registration.objects.get(email="staff@example.org")
    assert (
        registration.organisation == people["agency_a"]
        and registration.nominated_by == people["coordinator_a"]
    )


def test_people_who_are_not_coordinators_are_refused(small_programme, people):
    assert signed_in(people["organiser"]).get("/agency/").status_code == 403
    assert Client().get("/agency/").status_code == 302


def test_the_chinese_upload_report_gives_every_reason_in_chinese(small_programme, people):
    """Row reasons in the coordinator's language: no code (in_person), no field name (service_unit)."""
    import re

    from django.utils import translation

    Quota.objects.create(programme=small_programme, organisation=people["agency_a"], places=5)
    content = xlsx(
        [
            ["Bad Email", "", "not-an-email", "", "", "", "", "網上"],
            ["Teleporter", "", "tele@example.org", "", "", "", "", "hologram"],
            ["Again", "", "tele2@example.org", "", "", "", "S1", "網上"],
        ]
    )
    try:
        response = signed_in(people["coordinator_a"]).post(
            f"/zh-hant/agency/p/{small_programme.slug}/upload/",
            {"file": SimpleUploadedFile("staff.xlsx", content), "consent_pics": "on"},
        )
        reasons = [row.reason for row in response.context["results"] if not row.accepted]
    finally:
        translation.activate("en")
    assert len(reasons) >= 2
    assert "未知的參與模式「hologram」" in " ".join(reasons)
    for reason in reasons:
        english = [
            word
            for word in re.findall(r"\b[A-Za-z_]{2,}\b", reason)  # words (an example like S12345 is no word)
            if word not in ("hologram", "not", "an", "email")  # the values the file itself held
        ]
        assert english == [], reason
