import pytest

from plenary.programmes.models import Programme


@pytest.mark.django_db
def test_public_programme_list_and_detail_have_the_contract_shapes(api_as, reference_programme):
    api = api_as(None)
    listing = api.get("/api/v1/programmes")
    assert listing.status_code == 200
    assert [row["slug"] for row in listing.json()] == [reference_programme.slug]

    response = api.get(f"/api/v1/programmes/{reference_programme.slug}")
    assert response.status_code == 200
    body = response.json()
    assert body["title"]["zh_hant"] == "社會福利界學習中國共產黨第二十次全國代表大會精神培訓工作坊"
    assert len(body["organisers"]) == 4
    assert [session["kind"] for session in body["sessions"]].count("lecture") == 5
    sharing = next(session for session in body["sessions"] if session["kind"] == "sharing")
    assert sharing["mode"] == "hybrid"
    assert sharing["venue"]["capacity"] == 200
    assert sharing["starts_at"] == "2022-12-03T14:30:00+08:00"
    assert {speaker["name"]["en"] for speaker in sharing["speakers"]} == {
        "Mr Chris Sun",
        "Miss Charmaine Lee",
    }
    assert sharing["cpd_hours"] == 2.5
    assert body["stats"]["registrants"] == 0


@pytest.mark.django_db
def test_organiser_creates_changes_and_adds_sessions(api_as, organiser, reference_programme):
    api = api_as(organiser)
    response = api.post(
        "/api/v1/programmes",
        {
            "slug": "elderly-care-2027",
            "title": {"en": "Elderly care", "zh_hant": "安老服務"},
            "starts_on": "2027-01-10",
            "ends_on": "2027-01-20",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["organisers"][0]["role"] == "lead"
    assert response.json()["organisers"][0]["acronym"] == "LWB"

    response = api.patch(
        "/api/v1/programmes/elderly-care-2027", {"status": "published", "registration_open": True}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "published"

    response = api.post(
        "/api/v1/programmes/elderly-care-2027/sessions",
        {
            "kind": "sharing",
            "title": "Sharing",
            "starts_at": "2027-01-20T14:30:00+08:00",
            "ends_at": "2027-01-20T17:00:00+08:00",
            "mode": "hybrid",
            "venue": {"name": "Hall B", "capacity": 120},
            "online_capacity": 500,
            "cpd_hours": 2.5,
        },
    )
    assert response.status_code == 201, response.json()
    assert isinstance(response.json()["id"], int)
    assert response.json()["venue"]["capacity"] == 120
    assert Programme.objects.get(slug="elderly-care-2027").sessions.get().venue.name_en == "Hall B"


@pytest.mark.django_db
def test_organiser_of_another_body_gets_403_and_anonymous_gets_401(api_as, outsider, reference_programme):
    slug = reference_programme.slug
    response = api_as(outsider).patch(f"/api/v1/programmes/{slug}", {"status": "archived"})
    assert response.status_code == 403
    assert "detail" in response.json()
    response = api_as(outsider).post(
        f"/api/v1/programmes/{slug}/sessions",
        {
            "kind": "lecture",
            "title": "x",
            "starts_at": "2027-01-20T14:30:00+08:00",
            "ends_at": "2027-01-20T15:30:00+08:00",
            "mode": "online",
            "cpd_hours": 1,
        },
    )
    assert response.status_code == 403
    assert api_as(None).patch(f"/api/v1/programmes/{slug}", {"status": "archived"}).status_code == 401
    reference_programme.refresh_from_db()
    assert reference_programme.status == "published"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/v1/programmes", "{not json"),
        ("post", "/api/v1/programmes", {"slug": "x"}),
        (
            "post",
            "/api/v1/programmes",
            {"slug": "bad slug!", "title": "T", "starts_on": "2027-01-01", "ends_on": "2027-01-02"},
        ),
        (
            "post",
            "/api/v1/programmes",
            {"slug": "x", "title": "T", "starts_on": "2027-02-01", "ends_on": "2027-01-02"},
        ),
        (
            "post",
            "/api/v1/programmes",
            {"slug": "x", "title": "T", "starts_on": "not a date", "ends_on": "2027-01-02"},
        ),
        ("post", "/api/v1/programmes", [1, 2, 3]),
        ("patch", "/api/v1/programmes/{slug}", {"status": "exploded"}),
        ("patch", "/api/v1/programmes/{slug}", {"title": None}),
        ("patch", "/api/v1/programmes/{slug}", {"starts_on": "2023-01-01"}),
        ("post", "/api/v1/programmes/{slug}/sessions", {"kind": "lecture", "title": "x", "mode": "online"}),
        (
            "post",
            "/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": "x",
                "starts_at": "2027-01-20T15:30:00+08:00",
                "ends_at": "2027-01-20T14:30:00+08:00",
                "mode": "online",
                "cpd_hours": 1,
            },
        ),
        (
            "post",
            "/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": "x",
                "starts_at": "2027-01-20T14:30:00+08:00",
                "ends_at": "2027-01-20T15:30:00+08:00",
                "mode": "in_person",
                "venue": None,
                "cpd_hours": 1,
            },
        ),
        (
            "post",
            "/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": "x",
                "starts_at": "2027-01-20T14:30:00+08:00",
                "ends_at": "2027-01-20T15:30:00+08:00",
                "mode": "online",
                "cpd_hours": -1,
            },
        ),
        (
            "post",
            "/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": "x" * 400,
                "starts_at": "2027-01-20T14:30:00+08:00",
                "ends_at": "2027-01-20T15:30:00+08:00",
                "mode": "online",
                "cpd_hours": 1,
            },
        ),
        (
            "post",
            "/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": "x",
                "starts_at": "2027-01-20T14:30:00+08:00",
                "ends_at": "2027-01-20T15:30:00+08:00",
                "mode": "online",
                "cpd_hours": 1,
                "venue": {"name": "Hall", "capacity": 0},
            },
        ),
    ],
)
def test_malformed_requests_get_4xx_json_never_500(
    api_as, organiser, reference_programme, method, path, body
):
    api = api_as(organiser)
    response = getattr(api, method)(path.format(slug=reference_programme.slug), body)
    assert 400 <= response.status_code < 500, response.content
    assert "detail" in response.json()


@pytest.mark.django_db
def test_duplicate_slug_is_a_conflict(api_as, organiser, reference_programme):
    response = api_as(organiser).post(
        "/api/v1/programmes",
        {
            "slug": reference_programme.slug,
            "title": "Again",
            "starts_on": "2027-01-01",
            "ends_on": "2027-01-02",
        },
    )
    assert response.status_code == 409


@pytest.mark.django_db
def test_bad_tokens_are_refused(api_as, reference_programme):
    from tests.conftest import ApiClient

    client = ApiClient("pln_not-a-real-token")
    assert client.post("/api/v1/programmes", {}).status_code == 401
    response = api_as(None).client.post(
        "/api/v1/programmes", "{}", content_type="application/json", headers={"Authorization": "Basic abc"}
    )
    assert response.status_code == 401


@pytest.mark.django_db
def test_openapi_document_describes_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/programmes/{slug}" in paths
    assert "/api/v1/programmes/{slug}/sessions" in paths
    assert client.get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("number", ["A123456(7)", "A123456-7", "Ａ１２３４５６（７）"])
def test_api_text_refuses_an_hkid_number_in_the_callers_language_and_writes_nothing(
    api_as, organiser, reference_programme, number
):
    """The API's free text (titles, venue names) is checked like the console's forms (issue 14)."""
    from plenary.core.privacy import STAFF_HKID_MESSAGE

    api = api_as(organiser)
    programmes = Programme.objects.count()
    response = api.post(
        "/api/v1/programmes",
        {
            "slug": "hkid-title",
            "title": {"en": f"Workshop for {number}", "zh_hant": "工作坊"},
            "starts_on": "2027-01-10",
            "ends_on": "2027-01-20",
        },
    )
    assert response.status_code == 422, response.json()
    assert str(STAFF_HKID_MESSAGE) in str(response.json())
    assert Programme.objects.count() == programmes
    response = api.patch(f"/api/v1/programmes/{reference_programme.slug}", {"title": f"Title {number}"})
    assert response.status_code == 422
    reference_programme.refresh_from_db()
    assert number not in reference_programme.title_en
    sessions = reference_programme.sessions.count()
    response = api.post(
        f"/api/v1/programmes/{reference_programme.slug}/sessions",
        {
            "kind": "sharing",
            "title": "Sharing",
            "starts_at": "2027-01-20T14:30:00+08:00",
            "ends_at": "2027-01-20T17:00:00+08:00",
            "mode": "in_person",
            "venue": {"name": f"Room of {number}", "capacity": 20},
        },
    )
    assert response.status_code == 422
    assert reference_programme.sessions.count() == sessions
    # In Traditional Chinese for a caller who asks for it.
    response = api.patch(
        f"/api/v1/programmes/{reference_programme.slug}",
        {"title": f"Title {number}"},
        headers={"Accept-Language": "zh-hant"},
    )
    assert response.status_code == 422
    assert "身份證" in str(response.json()), response.json()
