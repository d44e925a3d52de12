"""Verification, the private page, the organiser console and the API rows of CONTRACT.md."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from openpyxl import load_workbook

from plenary.certificates import services
from plenary.certificates.models import Certificate, CertificateRule, IssueJob
from plenary.organisations.models import Membership
from plenary.registrations.models import Registration

from .conftest import attend, attend_all, person


@pytest.fixture
def issued(reference_programme, sessions, agencies):
    """Three holders: two nominated by the coordinator's agency, one from another agency; one person not
    eligible; and a self-registered holder who only names the coordinator's agency (not theirs to see)."""
    coordinator_agency = Membership.objects.get(user__username="coordinator").organisation
    other_agency = next(agency for agency in agencies if agency != coordinator_agency)
    nominated = Registration.Source.NOMINATED
    people = [
        person(
            reference_programme,
            1,
            organisation=coordinator_agency,
            name_en="Lee Ka Yan",
            name_zh="李嘉欣",
            source=nominated,
        ),
        person(reference_programme, 2, organisation=coordinator_agency, source=nominated),
        person(reference_programme, 3, organisation=other_agency, name_en='=HYPERLINK("http://x")'),
    ]
    for registration in people:
        attend_all(registration, sessions)
    absent = person(reference_programme, 4, organisation=coordinator_agency, source=nominated)
    attend(absent, sessions[0])
    self_registered = person(
        reference_programme, 5, organisation=coordinator_agency, email="self@example.org"
    )
    attend_all(self_registered, sessions)
    services.issue_certificates(reference_programme)
    return {c.registration_id: c for c in Certificate.objects.all()}, people, absent


def logged_in(username: str) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_verification_page_shows_state_name_programme_hours_and_date(
    client, issued, reference_programme, organiser
):
    certificates, people, _absent = issued
    certificate = certificates[people[0].pk]
    response = client.get(f"/verify/{certificate.serial}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "This certificate is valid." in page
    assert "Lee Ka Yan" in page and "李嘉欣" in page
    assert reference_programme.title_zh in page and "12.5" in page
    # Nothing more: no email, RSW number or organisation.
    assert people[0].email not in page and people[0].rsw_number not in page
    # Lower case and surrounding spaces are forgiven.
    assert client.get(f"/verify/{certificate.serial.lower()}/").status_code == 200

    services.revoke(certificate, reason="Duplicate registration", actor=organiser)
    page = client.get(f"/verify/{certificate.serial}/").content.decode()
    assert "revoked" in page and "Duplicate registration" not in page


@pytest.mark.parametrize("serial", ["PLN-2022-AAAA-BBBB", "nothing", "%3Cscript%3E", "x" * 300])
def test_a_made_up_serial_is_not_found_never_an_error(client, db, serial):
    response = client.get(f"/verify/{serial}/")
    assert response.status_code == 404
    assert "Certificate not found" in response.content.decode()
    api = client.get(f"/api/v1/certificates/{serial}")
    assert api.status_code == 404 and "detail" in api.json()


def test_verify_lookup_form_redirects_to_the_certificate(client, issued):
    certificates, people, _absent = issued
    serial = certificates[people[0].pk].serial
    response = client.get("/verify/", {"serial": f"  {serial.lower()} "})
    assert response.status_code == 302 and response.url.endswith(f"/verify/{serial}/")
    assert client.get("/verify/").status_code == 200


def test_public_api_verification(api_as, issued, reference_programme):
    certificates, people, _absent = issued
    certificate = certificates[people[0].pk]
    response = api_as(None).get(f"/api/v1/certificates/{certificate.serial}")
    assert response.status_code == 200
    assert response.json() == {
        "serial": certificate.serial,
        "valid": True,
        "state": "valid",
        "revoked": False,
        "superseded": False,
        "name": "Lee Ka Yan 李嘉欣",
        "programme": {"en": reference_programme.title_en, "zh_hant": reference_programme.title_zh},
        "hours": 12.5,
        "issued_on": certificate.issued_at.astimezone(reference_programme.tzinfo).date().isoformat(),
    }


def test_issue_through_the_api_then_poll_the_job(
    api_as, organiser, outsider, reference_programme, sessions, django_capture_on_commit_callbacks
):
    attend_all(person(reference_programme, 1), sessions)
    slug = reference_programme.slug
    assert api_as(outsider).post(f"/api/v1/programmes/{slug}/certificates/issue").status_code == 403
    assert api_as(None).post(f"/api/v1/programmes/{slug}/certificates/issue").status_code == 401
    client = api_as(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/v1/programmes/{slug}/certificates/issue")
    assert response.status_code == 202
    job_id = response.json()["job"]
    progress = client.get(f"/api/v1/jobs/{job_id}").json()
    assert (progress["state"], progress["done"], progress["total"]) == ("done", 1, 1)
    # Another body's organiser learns nothing of it; a colleague of a co-organising body follows it
    # (the programme's organisers, whoever started the job, as on the console).
    assert api_as(outsider).get(f"/api/v1/jobs/{job_id}").status_code == 404
    from django.contrib.auth import get_user_model

    from plenary.organisations.models import Membership

    colleague = get_user_model().objects.create_user("colleague")
    body = reference_programme.co_organisers.order_by("-order").first().organisation
    Membership.objects.create(user=colleague, organisation=body, role=Membership.Role.ORGANISER)
    assert api_as(colleague).get(f"/api/v1/jobs/{job_id}").json()["state"] == "done"
    assert client.get("/api/v1/jobs/999999").status_code == 404


def test_certificate_list_for_organisers_and_coordinators(
    api_as, organiser, outsider, issued, reference_programme
):
    certificates, people, _absent = issued
    slug = reference_programme.slug
    rows = api_as(organiser).get(f"/api/v1/programmes/{slug}/certificates").json()
    assert len(rows) == 4  # the three holders and the self-registered one
    row = next(row for row in rows if row["reference"] == people[0].reference)
    assert (
        row["serial"] == certificates[people[0].pk].serial
        and row["hours"] == 12.5
        and row["state"] == "valid"
    )
    assert row["pdf_url"].endswith(f"/api/v1/programmes/{slug}/certificates/{row['serial']}/pdf")
    by_token = api_as(organiser).get(row["pdf_url"].split("testserver")[-1])
    assert by_token.status_code == 200 and b"".join(by_token.streaming_content).startswith(b"%PDF")
    assert api_as(outsider).get(row["pdf_url"].split("testserver")[-1]).status_code == 404
    assert api_as(None).get(row["pdf_url"].split("testserver")[-1]).status_code == 401

    coordinator = get_user_model().objects.get(username="coordinator")
    own = api_as(coordinator).get(f"/api/v1/programmes/{slug}/certificates").json()
    assert {row["reference"] for row in own} == {people[0].reference, people[1].reference}
    assert api_as(outsider).get(f"/api/v1/programmes/{slug}/certificates").status_code == 403

    pdf = logged_in("organiser").get(row["pdf_url"].split("testserver")[-1])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    other = certificates[people[2].pk].serial
    assert logged_in("coordinator").get(f"/manage/p/{slug}/certificates/{other}.pdf").status_code == 404


def test_participant_sees_and_downloads_their_certificate(client, issued):
    certificates, people, absent = issued
    certificate = certificates[people[0].pk]
    token = people[0].token
    page = client.get(f"/me/{token}/certificates/")
    assert page.status_code == 200 and certificate.serial in page.content.decode()
    download = client.get(f"/me/{token}/certificates/{certificate.serial}.pdf")
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    # Another person's token cannot open it; an unknown token finds nothing.
    assert client.get(f"/me/{people[1].token}/certificates/{certificate.serial}.pdf").status_code == 404
    assert client.get("/me/not-a-token/certificates/").status_code == 404
    assert "No certificate yet" in client.get(f"/me/{absent.token}/certificates/").content.decode()


def test_zip_downloads_for_organisers_and_coordinators(issued, reference_programme):
    certificates, people, _absent = issued
    slug = reference_programme.slug

    def names(username):
        response = logged_in(username).get(f"/manage/p/{slug}/certificates/all.zip")
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        assert all(archive.read(name).startswith(b"%PDF") for name in archive.namelist())
        return {name.split(" ")[0].removesuffix(".pdf") for name in archive.namelist()}

    assert names("organiser") == {c.serial for c in certificates.values()}
    assert names("coordinator") == {certificates[people[0].pk].serial, certificates[people[1].pk].serial}
    assert logged_in("outsider").get(f"/manage/p/{slug}/certificates/all.zip").status_code == 404


def test_a_coordinator_finds_the_agency_certificates_on_the_agency_page_and_downloads_them(
    issued, reference_programme
):
    certificates, people, _absent = issued
    slug = reference_programme.slug
    own = people[0].organisation
    other = people[2].organisation
    coordinator = logged_in("coordinator")

    page = coordinator.get(f"/zh-hant/agency/p/{slug}/?agency={own.pk}").content.decode()
    assert "貴機構職員的出席證書" in page
    assert f"/manage/p/{slug}/certificates/all.zip?agency={own.pk}" in page
    mine = {certificates[people[0].pk].serial, certificates[people[1].pk].serial}
    assert all(serial in page for serial in mine)
    assert certificates[people[2].pk].serial not in page

    def serials(client, agency):
        response = client.get(f"/manage/p/{slug}/certificates/all.zip", {"agency": agency})
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        return {name.split(" ")[0].removesuffix(".pdf") for name in archive.namelist()}

    assert serials(coordinator, own.pk) == mine
    # Another agency's id narrows nothing open to a coordinator: their visible set is their own.
    assert serials(coordinator, other.pk) == set()
    assert serials(logged_in("organiser"), other.pk) == {certificates[people[2].pk].serial}
    assert coordinator.get(f"/manage/p/{slug}/certificates/all.zip", {"agency": "x"}).status_code == 404
    rows = coordinator.get(f"/manage/p/{slug}/certificates/cpd.csv", {"agency": own.pk}).content.decode()
    assert len([line for line in rows.splitlines() if line.strip()]) == 1 + len(mine)


def test_cpd_export_csv_and_xlsx_neutralise_formulas(issued, reference_programme):
    _certificates, people, _absent = issued
    client = logged_in("organiser")
    slug = reference_programme.slug
    response = client.get(f"/manage/p/{slug}/certificates/cpd.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:9] == [
        "Name (English)",
        "Name (Chinese)",
        "RSW number",
        "Email",
        "Organisation",
        "Activity title",
        "CPD category",
        "Dates",
        "Hours attended",
    ]
    by_email = {row[3]: row for row in rows[1:]}
    assert len(by_email) == 4
    first = by_email[people[0].email]
    assert first[0] == "Lee Ka Yan" and first[1] == "李嘉欣" and first[2] == people[0].rsw_number
    assert first[5] == reference_programme.title_en and first[7] == "20 November – 3 December 2022"
    assert float(first[8]) == 12.5
    assert by_email[people[2].email][0] == '\'=HYPERLINK("http://x")'

    workbook = load_workbook(io.BytesIO(client.get(f"/manage/p/{slug}/certificates/cpd.xlsx").content))
    sheet = workbook.active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(values) == 5
    assert any(row[0] == '\'=HYPERLINK("http://x")' for row in values)
    assert all(not str(row[0]).startswith("=") for row in values)
    assert logged_in("outsider").get(f"/manage/p/{slug}/certificates/cpd.csv").status_code == 404


def test_console_preview_rule_form_issue_progress_and_revoke(
    issued, reference_programme, sessions, django_capture_on_commit_callbacks
):
    certificates, people, absent = issued
    client = logged_in("organiser")
    url = f"/manage/p/{reference_programme.slug}/certificates/"
    page = client.get(url).content.decode()
    assert "attended 120 of 750 minutes (16.0 %); needs 80 %" in page
    assert certificates[people[0].pk].serial in page
    assert f'href="{url}"' in client.get(f"/manage/p/{reference_programme.slug}/").content.decode()

    form = {
        "mode": "sessions",
        "min_sessions": "1",
        "min_percent": "80",
        "hours_method": "sessions",
        "cpd_category": "Structured",
        "heading_en": "Certificate of Attendance",
        "heading_zh": "出席證書",
        "intro_en": "This is to certify that",
        "intro_zh": "茲證明",
        "statement_en": "attended {sessions_attended} sessions for {hours} hours",
        "statement_zh": "",
        "footer_en": "",
        "footer_zh": "",
        "show_logos": "on",
        "signatories-TOTAL_FORMS": "1",
        "signatories-INITIAL_FORMS": "0",
        "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "4",
        "signatories-0-order": "0",
        "signatories-0-name_en": "Chris Sun",
        "signatories-0-name_zh": "孫玉菡",
        "signatories-0-post_en": "Secretary for Labour and Welfare",
        "signatories-0-post_zh": "勞工及福利局局長",
        "logos-TOTAL_FORMS": "0",
        "logos-INITIAL_FORMS": "0",
        "logos-MIN_NUM_FORMS": "0",
        "logos-MAX_NUM_FORMS": "4",
    }
    bad = client.post(url, {**form, "statement_en": "for {secret.__class__}"})
    assert bad.status_code == 200 and "Unknown placeholder" in bad.content.decode()
    assert client.post(url, {**form, "min_sessions": "9"}).status_code == 200
    assert client.post(url, form).status_code == 302
    rule = CertificateRule.objects.get(programme=reference_programme)
    assert (rule.mode, rule.min_sessions, rule.signatories.get().name_zh) == ("sessions", 1, "孫玉菡")
    preview = client.get(f"{url}preview.pdf")
    assert preview.status_code == 200 and preview.content.startswith(b"%PDF")

    # With the new rule (one session is enough) the fourth person becomes eligible.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{url}issue/")
    assert response.status_code == 302
    job = IssueJob.objects.get()
    assert (job.state, job.issued) == ("done", 1)
    fragment = client.get(f"{url}jobs/{job.pk}/").content.decode()
    assert "<progress" in fragment and "hx-get" not in fragment  # finished: polling stops
    assert Certificate.objects.filter(registration=absent, state="valid").exists()

    serial = certificates[people[1].pk].serial
    client.post(f"{url}{serial}/revoke/", {"reason": "Registered twice"})
    assert Certificate.objects.get(serial=serial).state == "revoked"


def test_running_job_fragment_keeps_polling(reference_programme, organiser):
    job = IssueJob.objects.create(
        programme=reference_programme, created_by=organiser, state="running", done=5, total=20
    )
    fragment = logged_in("organiser").get(f"/manage/p/{reference_programme.slug}/certificates/jobs/{job.pk}/")
    html = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="5"' in html and 'max="20"' in html


def test_outsiders_cannot_open_the_console(reference_programme):
    assert logged_in("outsider").get(f"/manage/p/{reference_programme.slug}/certificates/").status_code == 404
    assert Client().get(f"/manage/p/{reference_programme.slug}/certificates/").status_code == 302


def test_a_rule_change_previews_the_revocations_and_applies_only_when_confirmed(
    issued, reference_programme, sessions, django_capture_on_commit_callbacks
):
    _certificates, _people, absent = issued
    client = logged_in("organiser")
    url = f"/manage/p/{reference_programme.slug}/certificates/"
    page = client.get(url).content.decode()
    # The rule form comes first, before the lists, framed like the other panels.
    assert page.index('id="rule"') < page.index('id="issue"') < page.index('id="issued"')
    assert 'class="panel rule-panel"' in page
    form = {
        "mode": "sessions", "min_sessions": "1", "min_percent": "80", "hours_method": "sessions",
        "cpd_category": "Structured", "heading_en": "Certificate of Attendance", "heading_zh": "出席證書",
        "intro_en": "This is to certify that", "intro_zh": "茲證明",
        "statement_en": "attended {sessions_attended} sessions for {hours} CPD hours", "statement_zh": "",
        "footer_en": "", "footer_zh": "", "show_logos": "on",
        "signatories-TOTAL_FORMS": "0", "signatories-INITIAL_FORMS": "0", "signatories-MIN_NUM_FORMS": "0",
        "signatories-MAX_NUM_FORMS": "4", "logos-TOTAL_FORMS": "0", "logos-INITIAL_FORMS": "0",
        "logos-MIN_NUM_FORMS": "0", "logos-MAX_NUM_FORMS": "4",
    }  # fmt: skip
    # Lowering the bar revokes nothing: saved at once, and it says who else is eligible now.
    saved = client.post(url, form, follow=True).content.decode()
    assert "1 more person is eligible now" in saved
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"{url}issue/")
    held = Certificate.objects.get(registration=absent, state="valid")

    # Raising it again would take the certificate back: previewed, nothing saved.
    stricter = {**form, "min_sessions": str(len(sessions))}
    preview = client.post(url, stricter)
    text = preview.content.decode()
    assert preview.status_code == 200
    assert "This change would revoke 1 certificate" in text and held.serial in text
    assert CertificateRule.objects.get(programme=reference_programme).min_sessions == 1
    assert Certificate.objects.get(pk=held.pk).state == "valid"
    assert 'name="confirm" value="yes"' in text

    confirmed = client.post(url, {**stricter, "confirm": "yes"}, follow=True).content.decode()
    assert "1 certificate was revoked" in confirmed
    assert CertificateRule.objects.get(programme=reference_programme).min_sessions == len(sessions)
    held.refresh_from_db()
    assert held.state == "revoked" and "No longer eligible" in held.reason


def test_one_cpd_hour_is_singular_in_both_languages():
    from decimal import Decimal

    from django.utils import translation

    from plenary.certificates.pdf import fill
    from plenary.certificates.templatetags.certificates import cpd_hours

    assert cpd_hours(Decimal("1")) == "1 CPD hour"
    assert cpd_hours(Decimal("1.5")) == "1.5 CPD hours"
    assert cpd_hours(Decimal("6.00")) == "6 CPD hours"
    assert fill("is awarded {hours} CPD hours.", {"hours": "1"}) == "is awarded 1 CPD hour."
    assert fill("is awarded {hours} CPD hours.", {"hours": "11"}) == "is awarded 11 CPD hours."
    with translation.override("zh-hant"):
        assert "CPD hour" not in cpd_hours(Decimal("1")) and "1" in cpd_hours(Decimal("1"))
