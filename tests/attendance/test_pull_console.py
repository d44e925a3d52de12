"""The console form that connects a session to its meeting, with the pull status on the session's page."""

from __future__ import annotations

import pytest
from django.utils import timezone

from plenary.attendance import pulls
from plenary.attendance.models import MeetingConnection
from plenary.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def page_url(programme, session) -> str:
    return f"/manage/p/{programme.slug}/attendance/sessions/{session.pk}/"


def test_an_organiser_connects_changes_and_disconnects_a_meeting_and_each_step_is_audited(
    client, organiser, reference_programme, lecture, monkeypatch
):
    monkeypatch.delenv("PLENARY_TEAMS_TENANT_ID", raising=False)
    client.force_login(organiser)
    url = page_url(reference_programme, lecture)
    response = client.post(
        f"{url}meeting/", {"meeting-platform": "teams", "meeting-meeting_id": " MSo1N2M5 "}, follow=True
    )
    page = response.content.decode()
    assert "Connected." in page and "Microsoft Teams" in page and "MSo1N2M5" in page
    assert "Waiting for the session to end" in page and "Not pulled yet" in page
    assert "Microsoft Teams credentials are not configured" in page  # said at once, not at the first pull
    connection = MeetingConnection.objects.get(session=lecture)
    assert (connection.platform, connection.meeting_id, connection.connected_by) == (
        "teams",
        "MSo1N2M5",
        organiser,
    )

    # The worker's last pull shows on the page.
    MeetingConnection.objects.filter(pk=connection.pk).update(
        state="not_ready",
        message="Microsoft Teams has no report for this meeting yet.",
        pulled_at=timezone.now(),
    )
    page = client.get(url).content.decode()
    assert "No report yet" in page and "has no report for this meeting yet" in page

    client.post(f"{url}meeting/", {"meeting-platform": "zoom", "meeting-meeting_id": "81234567890"})
    connection.refresh_from_db()
    assert (connection.platform, connection.state, connection.slot) == ("zoom", "waiting", -1)

    response = client.post(f"{url}meeting/", {"disconnect": "1"}, follow=True)
    assert "The meeting is disconnected" in response.content.decode()
    assert not MeetingConnection.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_type="connected meeting")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_a_bad_meeting_form_says_why_in_the_persons_language_and_connects_nothing(
    client, organiser, reference_programme, lecture
):
    client.force_login(organiser)
    url = f"{page_url(reference_programme, lecture)}meeting/"
    response = client.post(url, {"meeting-platform": "skype", "meeting-meeting_id": ""})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client.post(f"/zh-hant{url}", {"meeting-platform": "zoom", "meeting-meeting_id": "  "})
    assert response.status_code == 400
    page = response.content.decode()
    assert "這個欄位是必須的。" in page and "連接會議" in page
    assert not MeetingConnection.objects.exists()


def test_other_bodies_cannot_connect_a_meeting(client, outsider, reference_programme, lecture):
    client.force_login(outsider)
    response = client.post(
        f"{page_url(reference_programme, lecture)}meeting/",
        {"meeting-platform": "zoom", "meeting-meeting_id": "81234567890"},
    )
    assert response.status_code == 404
    assert not MeetingConnection.objects.exists()


def test_connecting_the_same_meeting_again_keeps_its_schedule(reference_programme, lecture, organiser):
    first = pulls.connect_meeting(lecture, "zoom", "81234567890", actor=organiser)
    MeetingConnection.objects.filter(pk=first.pk).update(slot=1, state="imported")
    again = pulls.connect_meeting(lecture, "zoom", "81234567890", actor=organiser)
    assert (again.slot, again.state) == (1, "imported")
    assert AuditEntry.objects.filter(object_type="connected meeting").count() == 1
