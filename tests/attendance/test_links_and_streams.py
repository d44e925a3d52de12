"""Personal join links and stream heartbeats."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from plenary.attendance import services
from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.registrations.models import Registration

pytestmark = pytest.mark.django_db


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_personal_link_records_the_join_and_redirects_to_the_meeting(client, lecture, people):
    person = people["kayan"]
    with at(lecture.starts_at + timedelta(minutes=2)):
        response = client.get(f"/j/{person.token}/{lecture.pk}/")
    assert response.status_code == 302
    assert response["Location"] == lecture.online_url
    event = AttendanceEvent.objects.get()
    assert (event.source, event.registration) == ("join_link", person)
    assert Attendance.objects.get().sources == ["join_link"]


def test_before_the_window_the_link_shows_the_start_time_not_the_meeting(client, lecture, people):
    with at(lecture.starts_at - timedelta(hours=2)):
        response = client.get(f"/j/{people['kayan'].token}/{lecture.pk}/")
    assert response.status_code == 200
    assert lecture.online_url not in response.content.decode()
    assert "14:30" in response.content.decode() or "2:30" in response.content.decode()
    assert AttendanceEvent.objects.count() == 0


def test_the_window_opens_thirty_minutes_before(client, lecture, people, settings):
    with at(lecture.starts_at - timedelta(minutes=29)):
        assert client.get(f"/j/{people['kayan'].token}/{lecture.pk}/").status_code == 302
    settings.ATTENDANCE_JOIN_OPENS_MINUTES = 10
    with at(lecture.starts_at - timedelta(minutes=29)):
        assert client.get(f"/j/{people['kayan'].token}/{lecture.pk}/").status_code == 200


def test_non_registrants_never_see_the_meeting_url(client, lecture, people):
    people["waiman"].status = Registration.Status.CANCELLED
    people["waiman"].save()
    with at(lecture.starts_at):
        for token in ("not-a-token", people["waiman"].token):
            response = client.get(f"/j/{token}/{lecture.pk}/")
            assert response.status_code == 404
            assert lecture.online_url not in response.content.decode()


def test_heartbeats_become_intervals_and_a_long_gap_is_not_counted(lecture, people, settings):
    settings.ATTENDANCE_HEARTBEAT_SECONDS = 30
    person = people["kayan"]
    viewer = services.open_stream(person, lecture)
    start = lecture.starts_at
    for second in range(0, 10 * 60 + 1, 30):  # 14:30–14:40 every 30 s
        services.record_heartbeat(person, lecture, viewer, start + timedelta(seconds=second))
    for second in range(20 * 60, 25 * 60 + 1, 45):  # a gap, then 14:50–14:54:30 (45 s < 60 s)
        services.record_heartbeat(person, lecture, viewer, start + timedelta(seconds=second))
    events = AttendanceEvent.objects.filter(source="stream_heartbeat").order_by("started_at")
    assert [(e.started_at - start, e.ended_at - start) for e in events] == [
        (timedelta(0), timedelta(minutes=10)),
        (timedelta(minutes=20), timedelta(seconds=24 * 60 + 30)),
    ]
    assert Attendance.objects.get(registration=person, session=lecture).minutes == 14


def test_heartbeats_outside_the_window_are_ignored(lecture, people):
    person = people["kayan"]
    viewer = services.open_stream(person, lecture)
    assert services.record_heartbeat(
        person, lecture, viewer, lecture.ends_at + timedelta(minutes=1)
    ).result == ("outside_window")
    assert services.record_heartbeat(
        person, lecture, viewer, lecture.starts_at - timedelta(hours=1)
    ).result == ("outside_window")
    assert AttendanceEvent.objects.count() == 0


def test_a_second_device_takes_over_and_the_first_is_told_to_stop(client, lecture, people):
    person = people["kayan"]
    first = client.get(f"/j/{person.token}/{lecture.pk}/watch/")
    second = Client().get(f"/j/{person.token}/{lecture.pk}/watch/")
    first_viewer = first.context["viewer"]
    second_viewer = second.context["viewer"]
    url = f"/j/{person.token}/{lecture.pk}/heartbeat/"
    with at(lecture.starts_at + timedelta(minutes=5)):
        stale = client.post(url, {"viewer": first_viewer})
        fresh = client.post(url, {"viewer": second_viewer})
    assert (stale.status_code, stale.json()["result"]) == (409, "taken_over")
    assert (fresh.status_code, fresh.json()["result"]) == (200, "counted")


def test_the_stream_page_plays_video_or_embeds_a_provider_without_inline_script(client, lecture, people):
    person = people["kayan"]
    page = client.get(f"/j/{person.token}/{lecture.pk}/watch/").content.decode()
    assert '<iframe src="https://stream.example.org/lecture-1"' in page
    assert 'data-interval="45"' in page and "attendance/heartbeat.js" in page
    assert "<script>" not in page
    lecture.stream_url = "https://cdn.example.org/lecture-1.mp4"
    lecture.save()
    assert "<video" in client.get(f"/j/{person.token}/{lecture.pk}/watch/").content.decode()


def test_a_session_of_another_programme_is_not_found(client, lecture, people, reference_programme):
    from plenary.programmes.models import Programme

    other = Programme.objects.create(
        slug="other", title_en="Other", starts_on="2022-01-01", ends_on="2022-01-02"
    )
    elsewhere = other.sessions.create(
        title_en="Elsewhere",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=1),
        online_url="https://x.example.org/",
    )
    assert client.get(f"/j/{people['kayan'].token}/{elsewhere.pk}/").status_code == 404
