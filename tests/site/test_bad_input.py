"""Bad input answers 4xx with a message, never 500 (issue 14): malformed ids, tokens, forms, bodies and files."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import Client

from tests.checkin.conftest import door, person  # noqa: F401  (fixtures)

BIG = "21929285098550185984"  # above 2**63: no database column holds it


def message_of(response) -> str:
    if response["Content-Type"].startswith("application/json"):
        return str(json.loads(response.content)["detail"])
    return response.content.decode()


@pytest.fixture
def sharing(reference_programme):
    return reference_programme.sessions.select_related("programme", "venue").get(kind="sharing")


@pytest.fixture
def organiser_api(api_as, organiser):
    return api_as(organiser)


@pytest.fixture
def admin_api(api_as, admin_user_demo):
    return api_as(admin_user_demo)


@pytest.mark.parametrize(
    "method,path,body",
    [
        ("get", f"/api/v1/sessions/{BIG}/roster", None),
        ("get", f"/api/v1/sessions/{BIG}/attendance", None),
        (
            "post",
            "/api/v1/checkins",
            {"code": "X", "session_id": int(BIG), "client_event_id": "4d7a3b0e-2b7e-4c1e-9a55-0e4f6f0b6c11"},
        ),
        (
            "post",
            "/api/v1/checkins",
            {"code": "X", "session_id": -1, "client_event_id": "4d7a3b0e-2b7e-4c1e-9a55-0e4f6f0b6c12"},
        ),
        ("get", f"/api/v1/jobs/{BIG}", None),
        ("get", f"/api/v1/messages/{BIG}", None),
        ("post", "/api/v1/checkins", "{not json"),
    ],
)
def test_api_ids_out_of_range_and_bad_json_are_4xx(admin_api, method, path, body):
    response = getattr(admin_api, method)(path, body)
    assert 400 <= response.status_code < 500, response.content[:300]
    assert message_of(response)


def test_api_ids_as_organiser(organiser_api):
    for path in (f"/api/v1/sessions/{BIG}/roster", f"/api/v1/sessions/{BIG}/attendance"):
        response = organiser_api.get(path)
        assert 400 <= response.status_code < 500


MALFORMED_MULTIPART = (
    b'--XYZ\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n'
    b"Content-Type: text/csv\r\n\r\nabc"  # no closing boundary
)


def test_malformed_multipart_on_the_api(organiser_api, sharing):
    response = organiser_api.client.post(
        f"/api/v1/sessions/{sharing.pk}/attendance-imports",
        MALFORMED_MULTIPART,
        content_type="multipart/form-data; boundary=XYZ",
        headers=organiser_api.headers,
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert message_of(response)


def test_malformed_multipart_on_a_page(reference_programme):
    client = Client(enforce_csrf_checks=False)
    response = client.post(
        f"/p/{reference_programme.slug}/register/",
        MALFORMED_MULTIPART,
        content_type="multipart/form-data; boundary=XYZ",
    )
    assert response.status_code < 500


@pytest.mark.parametrize("token", ["令牌", "abc%00def", "x" * 300, "%F0%9F%98%80"])
def test_odd_participant_tokens_are_not_found(db, token):
    client = Client()
    for suffix in ("", "mode/", "calendar.ics", "data.json"):
        response = client.get(f"/me/{token}/{suffix}")
        assert 400 <= response.status_code < 500, (token, suffix, response.status_code)


def test_mode_change_with_a_non_numeric_session(person):  # noqa: F811
    registration = person()
    client = Client()
    for value in ("abc", BIG, "-1", "1.5"):
        response = client.post(f"/me/{registration.token}/mode/", {"session": value, "mode": "online"})
        assert 300 <= response.status_code < 500, (value, response.status_code)


@pytest.fixture
def organiser_browser(organiser):
    client = Client()
    client.force_login(organiser)
    return client


@pytest.mark.parametrize("value", ["abc", BIG, "", "٣"])
def test_console_forms_with_bad_ids(organiser_browser, reference_programme, person, value):  # noqa: F811
    slug = reference_programme.slug
    registration = person()
    posts = [
        (
            f"/manage/p/{slug}/registrations/r/{registration.reference}/mode/",
            {"session": value, "mode": "online"},
        ),
        (f"/manage/p/{slug}/door/", {"session": value, "action": "assign"}),
        (f"/manage/p/{slug}/door/", {"session": value, "action": "unassign", "assignment": value}),
    ]
    for path, data in posts:
        response = organiser_browser.post(path, data)
        assert 300 <= response.status_code < 500, (path, response.status_code)
    sharing = reference_programme.sessions.get(kind="sharing")
    response = organiser_browser.get(f"/manage/p/{slug}/attendance/sessions/{sharing.pk}/", {"import": value})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/manage/p/{slug}/attendance/sessions/" + BIG + "/",
        "/checkin/" + BIG + "/",
        "/checkin/" + BIG + "/desk/",
        "/j/sometoken/" + BIG + "/",
    ],
)
def test_paths_with_ids_too_large_are_not_found(organiser_browser, reference_programme, path):
    response = organiser_browser.get(path.format(slug=reference_programme.slug))
    assert response.status_code == 404


def test_an_oversized_api_body_answers_413_json(admin_api, settings):
    settings.PLENARY_MAX_REQUEST_BYTES = 1024 * 1024
    response = admin_api.post("/api/v1/checkins", "x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "too large" in json.loads(response.content)["detail"]


def test_a_body_over_the_form_limit_answers_413_json(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = admin_api.post("/api/v1/checkins", json.dumps({"code": "x" * 2000}))
    assert response.status_code == 413
    assert json.loads(response.content)["detail"]


def test_an_oversized_form_is_a_413_page_in_the_persons_language(reference_programme, settings):
    settings.PLENARY_MAX_REQUEST_BYTES = 1000
    client = Client()
    response = client.post(f"/zh-hant/p/{reference_programme.slug}/register/", {"name_en": "x" * 2000})
    assert response.status_code == 413
    assert "text/html" in response["Content-Type"]
    assert "太大" in response.content.decode()


def test_private_tokens_are_masked_in_logs(person, caplog):  # noqa: F811
    registration = person()
    Client().post(f"/me/{registration.token}/nothing-here/")
    Client().post(f"/me/{registration.token}/mode/", {"session": "abc"})
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "/me/" in logged
    assert registration.token not in logged


def _xlsx(rows) -> bytes:
    from plenary.registrations.spreadsheets import xlsx_bytes

    return xlsx_bytes(["name_en", "email"], rows)


def _zip_bomb() -> bytes:
    """A valid-looking workbook whose sheet expands a thousandfold (a run of one repeated byte)."""
    good = zipfile.ZipFile(io.BytesIO(_xlsx([["A", "a@example.org"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", b"</sheetData>" + b" " * (30 * 1024 * 1024))
            bomb.writestr(info.filename, data)
    return out.getvalue()


BAD_WORKBOOKS = {
    "truncated": lambda: _xlsx([["A", "a@example.org"]] * 50)[:-200],
    "cut in half": lambda: _xlsx([["A", "a@example.org"]] * 50)[:900],
    "zip bomb": _zip_bomb,
    "not a zip": lambda: b"PK\x03\x04" + b"garbage" * 100,
}


@pytest.mark.parametrize("kind", list(BAD_WORKBOOKS))
def test_bad_workbooks_on_the_agency_upload(reference_programme, kind):
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(get_user_model().objects.get(username="coordinator"))
    upload = SimpleUploadedFile("nominees.xlsx", BAD_WORKBOOKS[kind]())
    response = client.post(
        f"/agency/p/{reference_programme.slug}/upload/", {"file": upload, "consent_pics": "on"}
    )
    assert response.status_code == 400
    assert "spreadsheet" in response.content.decode().lower()
    if kind == "zip bomb":
        assert "unreasonable size" in response.content.decode()


@pytest.mark.parametrize("kind", list(BAD_WORKBOOKS))
def test_bad_workbooks_on_the_attendance_import_api(organiser_api, sharing, kind):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("report.xlsx", BAD_WORKBOOKS[kind]())
    response = organiser_api.client.post(
        f"/api/v1/sessions/{sharing.pk}/attendance-imports", {"file": upload}, headers=organiser_api.headers
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert "spreadsheet" in message_of(response).lower() or "file" in message_of(response).lower()
