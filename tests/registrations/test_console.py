"""The organiser console for registrations: list, filters, keyset paging, actions, exports."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from plenary.core.models import AuditEntry
from plenary.registrations import services
from plenary.registrations.models import Quota, Registration
from plenary.registrations.spreadsheets import safe_cell
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def url(programme, rest=""):
    return f"/manage/p/{programme.slug}/registrations/{rest}"


def test_list_filters_and_pages_by_key(small_programme, people):
    for n in range(60):
        services.register(small_programme, applicant(n, mode="online"))
    services.nominate(
        small_programme, applicant(100), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    client = signed_in(people["organiser"])
    first = client.get(url(small_programme))
    assert first.status_code == 200
    assert first.context["total"] == 61
    assert len(first.context["rows"]) == 50
    assert first.context["rows"][0].email == "person100@example.org"
    older = client.get(url(small_programme), {"before": first.context["older"]})
    assert len(older.context["rows"]) == 11 and older.context["older"] is None
    back = client.get(url(small_programme), {"after": older.context["newer"]})
    assert [r.pk for r in back.context["rows"]] == [r.pk for r in first.context["rows"]]

    by_agency = client.get(url(small_programme), {"agency": people["agency_a"].pk})
    assert [r.email for r in by_agency.context["rows"]] == ["person100@example.org"]
    in_room = client.get(url(small_programme), {"session": hybrid(small_programme).pk, "mode": "in_person"})
    assert [r.email for r in in_room.context["rows"]] == ["person100@example.org"]
    search = client.get(url(small_programme), {"q": "person42@"})
    assert [r.email for r in search.context["rows"]] == ["person42@example.org"]
    by_status = client.get(url(small_programme), {"status": "waitlisted"})
    assert by_status.context["total"] == 0
    assert client.get(url(small_programme), {"session": "999999", "status": "bogus"}).status_code == 200


def test_outsiders_and_coordinators_cannot_open_the_console(small_programme, people, outsider):
    assert signed_in(outsider).get(url(small_programme)).status_code == 404
    assert signed_in(people["coordinator_a"]).get(url(small_programme)).status_code == 404


def test_manual_add_edit_cancel_approve_reject_are_audited(small_programme, people):
    client = signed_in(people["organiser"])
    response = client.post(
        url(small_programme, "add/"),
        {
            "name_en": "Walk In",
            "email": "walkin@example.org",
            f"mode_{hybrid(small_programme).pk}": "in_person",
            "consent_pics": "on",
            "language": "zh-hant",
        },
    )
    registration = Registration.objects.get(email="walkin@example.org")
    assert (
        response.status_code == 302
        and registration.source == "organiser"
        and registration.language == "zh-hant"
    )
    client.post(
        url(small_programme, f"r/{registration.reference}/"),
        {"name_en": "Walk In Corrected", "language": "en"},
    )
    assert Registration.objects.get(pk=registration.pk).name_en == "Walk In Corrected"
    client.post(url(small_programme, f"r/{registration.reference}/cancel/"))
    assert Registration.objects.get(pk=registration.pk).status == "cancelled"

    small_programme.requires_approval = True
    small_programme.save()
    pending = [services.register(small_programme, applicant(n)) for n in (1, 2)]
    client.post(url(small_programme, f"r/{pending[0].reference}/approve/"))
    client.post(url(small_programme, f"r/{pending[1].reference}/reject/"))
    assert Registration.objects.get(pk=pending[0].pk).status == "confirmed"
    assert Registration.objects.get(pk=pending[1].pk).status == "rejected"
    summaries = set(
        AuditEntry.objects.filter(programme=small_programme, actor=people["organiser"]).values_list(
            "summary", flat=True
        )
    )
    assert {"registration added by organiser", "registration cancelled", "registration approved"} <= summaries
    assert "registration rejected" in summaries


def test_exports_neutralise_formulas(small_programme, people):
    services.register(
        small_programme,
        applicant(
            1, mode="in_person", post='=HYPERLINK("http://evil")', service_unit="+1-2", phone="@SUM(A1)"
        ),
    )
    evil = applicant(2)
    evil.name_en = "-2+3"
    services.register(small_programme, evil)
    client = signed_in(people["organiser"])
    workbook = load_workbook(io.BytesIO(client.get(url(small_programme, "export.xlsx")).content))
    rows = list(workbook.active.iter_rows(values_only=True))
    header = rows[0]
    first = dict(zip(header, rows[1], strict=True))
    assert first["post"] == '\'=HYPERLINK("http://evil")'
    assert first["service_unit"] == "'+1-2" and first["phone"] == "'@SUM(A1)"
    assert first["Sharing session mode"] == "in_person"
    response = client.get(url(small_programme, "export.csv"))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert parsed[1]["name_en"] == "'-2+3"
    assert safe_cell("\tx") == "'\tx" and safe_cell("plain") == "plain" and safe_cell(5) == 5


def test_organisers_set_quotas(small_programme, people):
    services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    client = signed_in(people["organiser"])
    client.post(url(small_programme, "quotas/"), {"organisation": people["agency_a"].pk, "places": 5})
    quota = Quota.objects.get(programme=small_programme, organisation=people["agency_a"])
    assert (quota.places, quota.used) == (5, 1)
    assert "Agency Alpha" in client.get(url(small_programme, "quotas/")).content.decode()


def test_console_programme_page_links_to_registrations(small_programme, people):
    page = signed_in(people["organiser"]).get(f"/manage/p/{small_programme.slug}/").content.decode()
    assert f'href="/manage/p/{small_programme.slug}/registrations/"' in page


def test_organisers_create_coordinator_accounts_that_can_sign_in(small_programme, people):
    client = signed_in(people["organiser"])
    response = client.post(
        url(small_programme, "quotas/"),
        {
            "coordinator-organisation": people["agency_b"].pk,
            "coordinator-username": "new-coordinator",
            "coordinator-email": "coord@example.org",
            "coordinator-name": "New Coordinator",
        },
        follow=True,
    )
    message = [str(m) for m in response.context["messages"]][0]
    password = message.rsplit(": ", 1)[1]
    assert Client().login(username="new-coordinator", password=password)
    from django.contrib.auth import get_user_model

    from plenary.access.rules import coordinated_agencies as coordinator_agencies

    user = get_user_model().objects.get(username="new-coordinator")
    assert list(coordinator_agencies(user)) == [people["agency_b"]]
    again = client.post(
        url(small_programme, "quotas/"),
        {
            "coordinator-organisation": people["agency_b"].pk,
            "coordinator-username": "new-coordinator",
            "coordinator-email": "coord@example.org",
        },
    )
    assert again.status_code == 200 and "taken" in again.content.decode()
