"""The API rows of CONTRACT.md for messaging: send, state and counts, reminder rules; who may call them."""

from __future__ import annotations

import pytest

from plenary.messaging import services
from plenary.messaging.models import Message
from plenary.registrations import services as registrations
from tests.messaging.conftest import register

pytestmark = pytest.mark.django_db

BODY = {
    "subject": {"en": "Hello {name}", "zh_hant": "你好 {name}"},
    "body": {"en": "See {private_url}", "zh_hant": "請看 {private_url}"},
}


def test_post_a_message_then_read_its_state_and_counts(small_programme, people, api_as, smtp):
    register(small_programme, 1)
    register(small_programme, 2, email="gone@example.org")
    api = api_as(people["organiser"])
    response = api.post(f"/api/v1/programmes/{small_programme.slug}/messages", {**BODY, "segment": {}})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["recipients"] == 2
    state = api.get(f"/api/v1/messages/{created['id']}").json()
    # Sent now: the sender takes it at its next pass (a task is enqueued on commit; here, by hand).
    assert (state["state"], state["recipients"], state["queued"], state["sent"]) == ("scheduled", 2, 2, 0)
    services.pump()
    state = api.get(f"/api/v1/messages/{created['id']}").json()
    assert {k: state[k] for k in ("state", "recipients", "queued", "sent", "failed")} == {
        "state": "sent",
        "recipients": 2,
        "queued": 0,
        "sent": 1,
        "failed": 1,
    }


def test_refusals_are_clear_4xx_and_queue_nothing(small_programme, people, api_as):
    register(small_programme, 1)
    api = api_as(people["organiser"])
    url = f"/api/v1/programmes/{small_programme.slug}/messages"
    bad_field = api.post(url, {**BODY, "subject": {"en": "Hi {nmae}", "zh_hant": ""}})
    assert bad_field.status_code == 422
    assert "Unknown merge field {nmae}" in bad_field.json()["detail"]
    empty = api.post(url, {**BODY, "segment": {"status": ["pending"]}})
    assert empty.status_code == 422 and "Nobody matches" in empty.json()["detail"]
    assert api.post(url, {"subject": "x"}).status_code == 422
    assert Message.objects.count() == 0


def test_who_may_send_and_read(small_programme, people, api_as):
    register(small_programme, 1)
    registrations.nominate(
        small_programme,
        registrations.Applicant(email="nominee@example.org", name_en="Nominee", consent_pics=True),
        coordinator=people["coordinator_a"],
        agency=people["agency_a"],
    )
    url = f"/api/v1/programmes/{small_programme.slug}/messages"
    coordinator = api_as(people["coordinator_a"])
    response = coordinator.post(url, {**BODY, "segment": {}})
    assert response.status_code == 201 and response.json()["recipients"] == 1
    message_id = response.json()["id"]
    assert coordinator.get(f"/api/v1/messages/{message_id}").status_code == 200
    other = api_as(people["coordinator_b"])
    assert other.post(url, BODY).status_code == 403
    assert other.get(f"/api/v1/messages/{message_id}").status_code == 404
    assert api_as(None).post(url, BODY).status_code == 401
    assert api_as(people["organiser"]).get("/api/v1/messages/99999999999999999999").status_code == 404


def test_reminder_rules_read_and_replaced(small_programme, people, api_as):
    api = api_as(people["organiser"])
    url = f"/api/v1/programmes/{small_programme.slug}/reminders"
    assert [r["offset_minutes"] for r in api.get(url).json()] == [1440, 60]
    new = [
        {
            "offset_minutes": 120,
            "subject": {"en": "Soon: {session}", "zh_hant": "快將開始：{session}"},
            "body": "",
        },
        {"offset_minutes": 15},
    ]
    response = api._call("put", url, new)
    assert response.status_code == 200, response.content
    assert [r["offset_minutes"] for r in response.json()] == [120, 15]
    assert api.get(url).json()[0]["subject"] == {"en": "Soon: {session}", "zh_hant": "快將開始：{session}"}
    bad = api._call("put", url, [{"offset_minutes": 0}])
    assert bad.status_code == 422 and "offset" in bad.json()["detail"]
    bad = api._call("put", url, [{"offset_minutes": 30, "body": "{unknown}"}])
    assert bad.status_code == 422
    assert api_as(people["coordinator_a"]).get(url).status_code == 403
    assert api._call("put", url, []).json() == []
    assert api.get(url).json() == []  # switched off, not back to the defaults


def test_the_openapi_document_lists_the_messaging_rows(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "post" in paths["/api/v1/programmes/{slug}/messages"]
    assert "get" in paths["/api/v1/messages/{message_id}"]
    assert {"get", "put"} <= set(paths["/api/v1/programmes/{slug}/reminders"])


def test_the_channel_is_chosen_in_the_api_for_messages_and_reminder_rules(small_programme, people, api_as):
    register(small_programme, 1, phone="+852 9000 0001", sms_opt_in=True)
    register(small_programme, 2)
    api = api_as(people["organiser"])
    url = f"/api/v1/programmes/{small_programme.slug}/messages"
    created = api.post(url, {**BODY, "channel": "both"})
    assert created.status_code == 201 and created.json()["recipients"] == 2
    message = Message.objects.get(pk=created.json()["id"])
    assert message.channel == "both"
    assert sorted(message.deliveries.values_list("channel", flat=True)) == ["email", "email", "sms"]
    refused = api.post(url, {**BODY, "channel": "fax"})
    assert refused.status_code == 422 and "Send by must be one of" in refused.json()["detail"]
    rules_url = f"/api/v1/programmes/{small_programme.slug}/reminders"
    saved = api._call("put", rules_url, [{"offset_minutes": 60, "channel": "sms"}, {"offset_minutes": 1440}])
    assert saved.status_code == 200, saved.content
    assert {r["offset_minutes"]: r["channel"] for r in api.get(rules_url).json()} == {
        1440: "email",
        60: "sms",
    }
