"""GET /api/v1/programmes/{slug}/stats: the hand-computed figures, for the programme's organisers only."""

from __future__ import annotations

URL = "/api/v1/programmes/stats-programme/stats"


def test_organiser_gets_the_figures(stats, api_as):
    response = api_as(stats["organiser"]).get(URL)
    assert response.status_code == 200, response.content
    body = response.json()
    registrations = body["registrations"]
    assert registrations["total"] == 5
    assert registrations["by_status"] == {
        "pending": 0,
        "confirmed": 4,
        "waitlisted": 0,
        "cancelled": 1,
        "rejected": 0,
    }
    assert registrations["by_mode"] == {"in_person": 3, "online": 1}
    assert registrations["by_agency"] == [
        {"agency_id": stats["alpha"].pk, "agency": {"en": "Agency Alpha", "zh_hant": "甲機構"}, "count": 2},
        {"agency_id": stats["beta"].pk, "agency": {"en": "Agency Beta", "zh_hant": "乙機構"}, "count": 1},
        {"agency_id": None, "agency": None, "count": 1},
    ]
    assert [day["cumulative"] for day in registrations["by_day"]][-1] == 5
    assert registrations["waiting"] == 1
    lecture, sharing = body["sessions"]
    assert {key: lecture[key] for key in ("id", "expected", "arrived", "online_present", "present")} == {
        "id": stats["lecture"].pk,
        "expected": 4,
        "arrived": 0,
        "online_present": 2,
        "present": 2,
    }
    assert {key: sharing[key] for key in ("id", "expected", "arrived", "online_present", "present")} == {
        "id": stats["sharing"].pk,
        "expected": 3,
        "arrived": 2,
        "online_present": 0,
        "present": 2,
    }
    assert sharing["waiting"] == {"in_person": 1, "online": 0}
    assert [(b["from_percent"], b["to_percent"], b["count"]) for b in sharing["minutes"]] == [
        (0, 24, 0),
        (25, 49, 0),
        (50, 74, 1),
        (75, 99, 1),
        (100, 100, 1),
    ]
    assert lecture["evaluation_responses"] == 2 and lecture["average_rating"] == 4.0
    assert body["completion"] == {"confirmed": 4, "eligible": 2, "rate": 50.0}
    assert body["certificates"] == {"issued": 2}
    assert body["evaluations"] == {
        # Evaluations are for those who attended (issue 18): two at the lecture, two at the sharing.
        "responses": 2,
        "eligible": 4,
        "response_rate": 50.0,
        "average_rating": 4.0,
    }


def test_organiser_of_another_body_is_refused(stats, api_as):
    response = api_as(stats["outsider"]).get(URL)
    assert response.status_code == 403
    assert "organiser" in response.json()["detail"]


def test_anonymous_needs_a_token(stats, api_as):
    response = api_as(None).get(URL)
    assert response.status_code == 401


def test_unknown_programme_is_not_found(stats, api_as):
    response = api_as(stats["organiser"]).get("/api/v1/programmes/no-such-programme/stats")
    assert response.status_code == 404


def test_the_route_is_in_the_openapi_document(stats, api_as):
    document = api_as(None).get("/api/v1/openapi.json").json()
    assert "/api/v1/programmes/{slug}/stats" in document["paths"]
