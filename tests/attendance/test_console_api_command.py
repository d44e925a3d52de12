"""The organiser console, the API and the command line for attendance."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from plenary.attendance.models import Attendance, AttendanceImport
from plenary.core.models import AuditEntry
from tests.attendance.conftest import FIXTURES, fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(client, organiser):
    client.force_login(organiser)
    return client


def test_upload_shows_the_import_report_and_the_review_list(console, lecture, people, reference_programme):
    url = f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/"
    upload = SimpleUploadedFile("zoom.csv", fixture_bytes("zoom_participants.csv"), "text/csv")
    response = console.post(url, {"file": upload, "format": "auto", "tz": "Asia/Hong_Kong"}, follow=True)
    page = response.content.decode()
    assert "Import report: zoom.csv" in page
    assert "not a date and time" in page  # the rejected row, with its reason
    assert "Visitor Unknown" in page and "LWB Host" in page  # the review list
    batch = AttendanceImport.objects.get()
    response = console.post(
        f"{url}imports/{batch.pk}/match/",
        {"line": 14, "registrant": people["meikuen"].reference},
        follow=True,
    )
    assert "Visitor Unknown" not in response.content.decode()
    assert Attendance.objects.get(registration=people["meikuen"], session=lecture).minutes == 110


def test_a_bad_upload_says_why_and_changes_nothing(console, lecture, people, reference_programme):
    url = f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/"
    upload = SimpleUploadedFile("sales.csv", b"Order,Amount\n1,2\n", "text/csv")
    response = console.post(url, {"file": upload, "format": "auto", "tz": "Asia/Hong_Kong"})
    assert response.status_code == 200
    assert "does not look like a Zoom, Teams or Webex" in response.content.decode()
    assert AttendanceImport.objects.count() == 0


def test_the_matrix_filters_pages_and_exports(console, lecture, people, reference_programme):
    from plenary.attendance import services

    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    url = f"/manage/p/{reference_programme.slug}/attendance/"
    page = console.get(url).content.decode()
    assert "陳嘉欣" in page and "Attendance" in page
    below = console.get(url, {"session": lecture.pk, "below": "on"}).content.decode()
    assert "張志強" in below and "陳嘉欣" not in below  # 70 minutes is below the 96 needed
    export = console.get(url, {"session": lecture.pk, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[people["waiman"].reference][5:7] == (117, "yes")


def test_the_matrix_export_keeps_typed_in_formulas_as_text(console, lecture, people, reference_programme):
    people["waiman"].name_en = '=HYPERLINK("http://evil.example","click")'
    people["waiman"].save()
    url = f"/manage/p/{reference_programme.slug}/attendance/"
    export = console.get(url, {"session": lecture.pk, "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[people["waiman"].reference][1] == '\'=HYPERLINK("http://evil.example","click")'


def test_an_adjustment_from_the_console_is_audited(console, lecture, people, reference_programme):
    url = f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/adjust/"
    console.post(url, {"registrant": people["kayan"].email, "minutes": 100, "reason": "Dial-in"})
    assert Attendance.objects.get(registration=people["kayan"], session=lecture).minutes == 100
    assert AuditEntry.objects.filter(action="update", object_type="attendance event").exists()


def test_outsiders_cannot_see_the_console(client, outsider, lecture, reference_programme):
    client.force_login(outsider)
    assert client.get(f"/manage/p/{reference_programme.slug}/attendance/").status_code == 404


def upload(client, lecture, data=None, **fields):
    body = {"file": SimpleUploadedFile("r.csv", data or fixture_bytes("webex_attendees.csv")), **fields}
    return client.client.post(
        f"/api/v1/sessions/{lecture.pk}/attendance-imports", body, headers=client.headers
    )


def test_api_import_then_attendance(api_as, organiser, lecture, people):
    api = api_as(organiser)
    created = upload(api, lecture)
    assert created.status_code == 201
    assert {key: created.json()[key] for key in ("rows", "participants", "matched", "unmatched")} == {
        "rows": 3,
        "participants": 2,
        "matched": 2,
        "unmatched": 0,
    }
    again = upload(api, lecture)
    assert (again.status_code, again.json()["duplicate"], again.json()["id"]) == (
        200,
        True,
        created.json()["id"],
    )
    rows = {row["reference"]: row for row in api.get(f"/api/v1/sessions/{lecture.pk}/attendance").json()}
    assert rows[people["chikeung"].reference] == {
        "reference": people["chikeung"].reference,
        "mode": "online",
        "minutes": 110,
        "present": True,
    }
    assert rows[people["siuling"].reference]["minutes"] == 0


def test_api_refuses_bad_input_and_strangers_without_500(api_as, organiser, outsider, lecture, people):
    api = api_as(organiser)
    assert upload(api, lecture, b"\x00\x01" * 50).status_code == 422
    assert upload(api, lecture, format="gopher").status_code == 422
    assert upload(api, lecture, tz="Nowhere/City").status_code == 422
    assert (
        api.client.post(
            f"/api/v1/sessions/{lecture.pk}/attendance-imports", {}, headers=api.headers
        ).status_code
        == 422
    )
    assert upload(api, lecture).status_code == 201
    assert upload(api_as(outsider), lecture).status_code == 403
    assert api_as(outsider).get(f"/api/v1/sessions/{lecture.pk}/attendance").status_code == 403
    assert api.get("/api/v1/sessions/999999/attendance").status_code == 404
    assert upload(api_as(None), lecture).status_code == 401


def test_the_command_imports_and_reports(lecture, people):
    out = io.StringIO()
    call_command(
        "import_attendance",
        str(lecture.pk),
        str(FIXTURES / "teams_legacy.csv"),
        "--format",
        "teams",
        stdout=out,
    )
    assert "teams: 4 rows" in out.getvalue() and "without an earlier" in out.getvalue()
    with pytest.raises(CommandError, match="does not look like"):
        call_command("import_attendance", str(lecture.pk), str(FIXTURES / "../conftest.py"))


def test_the_documented_command_line_spelling_works(lecture, people, monkeypatch, capsys):
    from plenary.__main__ import main

    main(
        [
            "plenary",
            "import-attendance",
            str(lecture.pk),
            str(FIXTURES / "teams_legacy.csv"),
            "--format",
            "teams",
        ]
    )
    assert "teams: 4 rows" in capsys.readouterr().out


def test_the_review_list_offers_registrants_who_share_an_ambiguous_name(
    console, lecture, people, reference_programme
):
    from plenary.attendance import services
    from plenary.registrations.models import Registration

    namesake = Registration.objects.create(
        programme=reference_programme, name_en="Wong Wai Man", email="another.wong@example.org"
    )
    report = b"Name,Join Time,Leave Time\r\nWai Man Wong,11/20/2022 02:30:00 PM,11/20/2022 04:30:00 PM\r\n"
    batch = services.import_meeting_report(lecture, report).batch
    assert batch.unmatched_rows[0]["reason"] == "Several registrants have this name."
    url = f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/"
    page = console.get(url).content.decode()
    assert people["waiman"].reference in page and namesake.reference in page
    console.post(f"{url}imports/{batch.pk}/match/", {"line": 2, "registrant": namesake.reference})
    assert Attendance.objects.get(registration=namesake, session=lecture).minutes == 120
