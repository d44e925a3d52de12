"""A registrant watches a stream in a real browser; the heartbeats become minutes in the matrix."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from plenary.attendance import services
from plenary.attendance.models import Attendance
from plenary.registrations.models import Registration
from plenary.site.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_stream_heartbeats_become_minutes_in_the_matrix(page, live_server, reference_programme, settings):
    settings.ATTENDANCE_HEARTBEAT_SECONDS = 30
    lecture = reference_programme.sessions.get(title_en__startswith="Lecture 1")
    person = Registration.objects.create(
        programme=reference_programme, name_en="Chan Ka Yan", name_zh="陳嘉欣", email="kayan.chan@example.org"
    )
    # The browser's clock is moved 30 s at a time; the server stamps each heartbeat 30 s after the
    # previous one, from the lecture's start, so that a few simulated minutes pass in a second.
    beats = []
    real = services.record_heartbeat

    def simulated(registration, session, viewer, moment=None):
        beats.append(1)
        return real(
            registration, session, viewer, lecture.starts_at + timedelta(seconds=30 * (len(beats) - 1))
        )

    with mock.patch.object(services, "record_heartbeat", side_effect=simulated):
        page.clock.install()
        page.goto(f"{live_server.url}/j/{person.token}/{lecture.pk}/watch/")
        assert page.locator("#stream").get_attribute("data-interval") == "30"
        assert page.locator("iframe[title^='Stream']").count() == 1
        page.wait_for_function("() => document.getElementById('stream-status').textContent !== ''")
        for _beat in range(10):
            page.clock.run_for(30_000)
            page.wait_for_timeout(150)  # let the heartbeat's request finish before the next one
        page.wait_for_function("() => /: (4|5)$/.test(document.getElementById('stream-status').textContent)")
        minutes = Attendance.objects.get(registration=person, session=lecture).minutes
        assert minutes in (4, 5)  # 10–11 beats 30 s apart: 4½–5 minutes, rounded down
        assert_accessible(page)

    page.goto(f"{live_server.url}/accounts/login/?next=/manage/p/{reference_programme.slug}/attendance/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/attendance/")
    row = page.get_by_role("row", name="Chan Ka Yan")
    cell = row.locator(f"td[data-session='{lecture.pk}']")
    assert int(cell.get_attribute("data-minutes")) >= minutes
    assert "Stream heartbeat" in cell.inner_text()
    assert_accessible(page)
