"""POST /api/v1/checkins, the offline batch and the roster, with bearer tokens and with the session."""

from __future__ import annotations

import json
import uuid

import pytest
from django.test import Client

from plenary.checkin.models import CheckIn

pytestmark = pytest.mark.django_db


def body(code, session, **extra):
    return {"code": code, "session_id": session.pk, "client_event_id": str(uuid.uuid4()), **extra}


def test_a_scan_answers_the_result_name_and_first_check_in_time_and_replays_are_idempotent(
    api_as, door, sharing, person
):
    someone = person("Lee Siu Ling", "李小玲")
    api = api_as(door)
    first = body(someone.pass_code, sharing, scanned_at="2022-12-03T14:02:00+08:00")

    response = api.post("/api/v1/checkins", first)
    assert response.status_code == 200
    data = response.json()
    assert data["result"] == "checked_in"
    assert data["name"] == "Lee Siu Ling 李小玲"
    assert data["first_checked_in_at"] == "2022-12-03T14:02:00+08:00"
    assert data["counts"] == {"arrived": 1, "expected": 1}

    again = api.post("/api/v1/checkins", body(someone.pass_code, sharing)).json()
    assert again["result"] == "already_checked_in"
    assert again["first_checked_in_at"] == "2022-12-03T14:02:00+08:00"

    replay = api.post("/api/v1/checkins", first).json()
    assert replay["result"] == "checked_in" and replay["replayed"] is True
    assert CheckIn.objects.count() == 1


@pytest.mark.parametrize(
    "code",
    [
        "",
        "x",
        "P" + "A" * 27,
        "../../etc/passwd",
        "A" * 5000,
        "' OR 1=1 --",
        "陳",
        None,
        7,
        [1, 2],
        {"a": 1},
        True,
    ],
)
def test_forged_or_malformed_codes_are_answered_unknown_code_never_an_error(api_as, door, sharing, code):
    response = api_as(door).post("/api/v1/checkins", body(code, sharing))
    assert response.status_code == 200
    assert response.json()["result"] == "unknown_code"


def test_bad_requests_get_clear_errors(api_as, door, sharing, person):
    api = api_as(door)
    odd_device = api.post("/api/v1/checkins", body(person().pass_code, sharing, device="phone\x00\n1"))
    assert odd_device.status_code == 200 and odd_device.json()["result"] == "checked_in"
    assert (
        api.post(
            "/api/v1/checkins", {"code": "x", "session_id": sharing.pk, "client_event_id": "nope"}
        ).status_code
        == 422
    )
    assert api.post("/api/v1/checkins", "{not json", content_type="application/json").status_code in (
        400,
        422,
    )
    assert api.post("/api/v1/checkins", body("x", sharing, session_id=999999)).status_code == 404
    assert api_as(None).post("/api/v1/checkins", body("x", sharing)).status_code == 401


def test_only_assigned_staff_organisers_and_admins_may_scan_a_session(
    api_as, door, sharing, person, organiser, outsider, admin_user_demo, reference_programme
):
    someone = person()
    lecture = reference_programme.sessions.filter(kind="lecture").first()
    assert api_as(outsider).post("/api/v1/checkins", body(someone.pass_code, sharing)).status_code == 403
    assert api_as(door).post("/api/v1/checkins", body(someone.pass_code, lecture)).status_code == 403
    assert api_as(organiser).post("/api/v1/checkins", body(someone.pass_code, sharing)).status_code == 200
    assert api_as(admin_user_demo).get(f"/api/v1/sessions/{sharing.pk}/roster").status_code == 200


def test_a_batch_from_an_offline_device_reports_duplicates_and_never_double_counts(
    api_as, door, sharing, person
):
    one, two = person(), person()
    api = api_as(door)
    api.post(
        "/api/v1/checkins",
        body(one.pass_code, sharing, device="phone-a", scanned_at="2022-12-03T14:20:00+08:00"),
    )
    scans = [
        {
            "code": one.pass_code,
            "client_event_id": str(uuid.uuid4()),
            "scanned_at": "2022-12-03T14:10:00+08:00",
        },
        {
            "code": two.pass_code,
            "client_event_id": str(uuid.uuid4()),
            "scanned_at": "2022-12-03T14:11:00+08:00",
        },
        {
            "code": two.pass_code,
            "client_event_id": str(uuid.uuid4()),
            "scanned_at": "2022-12-03T14:12:00+08:00",
        },
        {"code": "forged", "client_event_id": str(uuid.uuid4()), "scanned_at": "2022-12-03T14:13:00+08:00"},
    ]
    payload = {"session_id": sharing.pk, "device": "phone-b", "scans": scans}

    reply = api.post("/api/v1/checkins/batch", payload).json()

    assert [item["result"] for item in reply["results"]] == [
        "already_checked_in",
        "checked_in",
        "already_checked_in",
        "unknown_code",
    ]
    assert reply["results"][0]["detail"] == "other_device"
    assert (
        reply["results"][0]["first_checked_in_at"] == "2022-12-03T14:10:00+08:00"
    )  # the earliest scan counts
    assert reply["duplicates"] == 2
    assert reply["counts"] == {"arrived": 2, "expected": 2}

    replay = api.post("/api/v1/checkins/batch", payload).json()
    assert [item["result"] for item in replay["results"]] == [item["result"] for item in reply["results"]]
    assert all(item["replayed"] for item in replay["results"])
    assert CheckIn.objects.count() == 2


def test_the_roster_holds_codes_names_and_states_only(api_as, door, sharing, person):
    seated, _online, _waiting = (
        person("A Seated"),
        person("B Online", mode="online"),
        person("C Waiting", seat="waitlisted"),
    )
    api_as(door).post("/api/v1/checkins", body(seated.pass_code, sharing))
    roster = api_as(door).get(f"/api/v1/sessions/{sharing.pk}/roster").json()
    assert roster["counts"] == {"arrived": 1, "expected": 1}
    entries = {entry["name_en"]: entry for entry in roster["entries"]}
    assert set(entries) == {"A Seated", "C Waiting"}  # the door holds no online-only names (issue 14)
    assert set(entries["A Seated"]) == {"code", "reference", "name_en", "name_zh", "state", "checked_in_at"}
    assert (entries["A Seated"]["state"], entries["C Waiting"]["state"]) == ("expected", "waitlisted")
    assert entries["A Seated"]["checked_in_at"] and entries["C Waiting"]["checked_in_at"] is None
    assert _online.pass_code not in json.dumps(roster)
    assert "email" not in json.dumps(roster)


def test_the_scanner_page_calls_the_api_with_its_session_and_csrf_header(door, sharing, person):
    someone = person()
    client = Client(enforce_csrf_checks=True)
    client.force_login(door)
    page = client.get(f"/checkin/{sharing.pk}/")
    assert page.status_code == 200
    token = page.context["csrf_token"]
    payload = json.dumps(body(someone.pass_code, sharing))
    refused = client.post("/api/v1/checkins", payload, content_type="application/json")
    assert refused.status_code in (401, 403)
    accepted = client.post(
        "/api/v1/checkins", payload, content_type="application/json", headers={"X-CSRFToken": str(token)}
    )
    assert accepted.status_code == 200 and accepted.json()["result"] == "checked_in"
