"""Connected meetings are pulled by the worker after the session ends and again while the report settles:
each schedule slot once, through the real task queue, against the Webex stand-in."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plenary.attendance import pulls
from plenary.attendance.models import AttendanceImport, MeetingConnection
from plenary.core.models import AuditEntry
from plenary.programmes.models import Session
from plenary.site import demo
from tests.attendance import stand_ins
from tests.attendance.conftest import minutes_of
from tests.certificates.test_worker_kill import child_database_url

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
PULL_TASK = "plenary.attendance.tasks.pull_connected_report"


def webex_environment(base: str) -> dict[str, str]:
    return {
        "PLENARY_WEBEX_API_URL": f"{base}/v1",
        "PLENARY_WEBEX_CLIENT_ID": "webex-client",
        "PLENARY_WEBEX_CLIENT_SECRET": "webex-secret",
        "PLENARY_WEBEX_REFRESH_TOKEN": "webex-refresh",
    }


@pytest.fixture
def webex(monkeypatch):
    stand_ins.Webex.reset(stage="none")
    with stand_ins.serving(stand_ins.Webex) as base:
        for name, value in webex_environment(base).items():
            monkeypatch.setenv(name, value)
        yield base


def run_worker():
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def connection_of(session) -> MeetingConnection:
    return MeetingConnection.objects.get(session=session)


@pytest.mark.django_db(transaction=True)  # the worker closes its connection after each task
def test_the_worker_pulls_after_the_end_and_again_while_the_report_settles_then_stops(
    settings, webex, lecture, people, organiser
):
    settings.TASKS = DATABASE_TASKS
    pulls.connect_meeting(lecture, "webex", stand_ins.WEBEX_MEETING, actor=organiser)
    assert AuditEntry.objects.filter(object_type="connected meeting", action="create").count() == 1
    end = lecture.ends_at

    assert pulls.schedule_due_pulls(now=end) == 0  # not yet: the first slot is five minutes after the end

    # +6 min: the first slot; Webex has no report yet.
    assert pulls.schedule_due_pulls(now=end + timedelta(minutes=6)) == 1
    assert pulls.schedule_due_pulls(now=end + timedelta(minutes=7)) == 0  # the slot is taken
    run_worker()
    assert connection_of(lecture).state == "not_ready"
    assert not AttendanceImport.objects.exists()

    # +16 min: the report is there.
    stand_ins.Webex.stage = "report"
    assert pulls.schedule_due_pulls(now=end + timedelta(minutes=16)) == 1
    run_worker()
    first = connection_of(lecture)
    assert (first.state, first.last_import.format) == ("imported", "webex")
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}

    # +1 h: the same report again changes nothing.
    assert pulls.schedule_due_pulls(now=end + timedelta(hours=1, minutes=1)) == 1
    run_worker()
    assert connection_of(lecture).state == "unchanged"
    assert AttendanceImport.objects.count() == 1

    # +6 h: the report has settled with one more person; it replaces the earlier import.
    stand_ins.Webex.stage = "settled"
    assert pulls.schedule_due_pulls(now=end + timedelta(hours=6, minutes=1)) == 1
    run_worker()
    last = connection_of(lecture)
    assert last.state == "imported" and last.last_import_id != first.last_import_id
    assert AttendanceImport.objects.get(pk=first.last_import_id).replaced_by_id == last.last_import_id
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90, "waiman": 90}

    # Then it stops.
    assert pulls.schedule_due_pulls(now=end + timedelta(days=3)) == 0
    tasks = DBTaskResult.objects.filter(task_path=PULL_TASK)
    assert sorted(task.args_kwargs["args"][1] for task in tasks) == [0, 1, 2, 3]
    assert set(tasks.values_list("status", flat=True)) == {"SUCCESSFUL"}


@pytest.mark.django_db(transaction=True)
def test_a_worker_that_was_away_pulls_only_the_latest_slot_and_a_new_meeting_starts_again(
    settings, webex, lecture, organiser
):
    settings.TASKS = DATABASE_TASKS
    stand_ins.Webex.stage = "report"
    pulls.connect_meeting(lecture, "webex", stand_ins.WEBEX_MEETING, actor=organiser)
    assert pulls.schedule_due_pulls(now=lecture.ends_at + timedelta(hours=2)) == 1
    assert connection_of(lecture).slot == 2  # +1 h; +5 and +15 min were missed and are not made up
    run_worker()
    assert connection_of(lecture).state == "imported"

    pulls.connect_meeting(lecture, "webex", stand_ins.WEBEX_NOT_ENDED, actor=organiser)
    changed = connection_of(lecture)
    assert (changed.slot, changed.state) == (-1, "waiting")
    assert pulls.schedule_due_pulls(now=lecture.ends_at + timedelta(hours=2)) == 1
    run_worker()
    assert connection_of(lecture).state == "not_ready"
    assert "Webex has no report" in connection_of(lecture).message


@pytest.mark.django_db(transaction=True)
def test_two_workers_sweeping_at_once_pull_each_slot_once(settings):
    """Real processes: two sweeps race for the due slot, then a real worker pulls from the stand-in."""
    settings.TASKS = DATABASE_TASKS
    stand_ins.Webex.reset(stage="report")
    programme, _agencies = demo.load_programme(seed=2022)
    lecture = programme.sessions.get(title_en__startswith="Lecture 1")
    now = timezone.now()
    # The lecture ended twenty minutes ago: the +15 min slot is due.
    Session.objects.filter(pk=lecture.pk).update(
        starts_at=now - timedelta(hours=2, minutes=20), ends_at=now - timedelta(minutes=20)
    )
    pulls.connect_meeting(lecture, "webex", stand_ins.WEBEX_MEETING, actor=None)
    with stand_ins.serving(stand_ins.Webex) as base:
        environment = {
            **os.environ,
            **webex_environment(base),
            "DATABASE_URL": child_database_url(),
            "PLENARY_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "plenary.core.settings",
        }

        def start(*command):
            return subprocess.Popen(
                [sys.executable, "-m", "plenary", *command],
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

        sweeps = [start("queue-report-pulls") for _ in range(2)]
        outputs = sorted(sweep.communicate(timeout=120)[0].decode().strip() for sweep in sweeps)
        assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs
        assert outputs == ["0 pull(s) queued", "1 pull(s) queued"]

        worker = start("worker", "--batch", "--interval", "0.2")
        log = worker.communicate(timeout=300)[0].decode()
        assert worker.returncode == 0, log

    [task] = DBTaskResult.objects.filter(task_path=PULL_TASK)
    assert (task.status, task.args_kwargs["args"][1]) == ("SUCCESSFUL", 1)
    connection = connection_of(lecture)
    assert (connection.slot, connection.state) == (1, "imported")
    assert AttendanceImport.objects.filter(session=lecture).count() == 1
    assert "page:page-3" in stand_ins.Webex.log


@pytest.mark.django_db(transaction=True)
def test_an_organiser_pulls_now_from_the_console_and_the_schedule_goes_on(
    settings, webex, client, lecture, people, organiser
):
    settings.TASKS = DATABASE_TASKS
    stand_ins.Webex.stage = "report"
    pulls.connect_meeting(lecture, "webex", stand_ins.WEBEX_MEETING, actor=organiser)
    client.force_login(organiser)
    url = f"/manage/p/{lecture.programme.slug}/attendance/sessions/{lecture.pk}/"
    response = client.post(f"{url}meeting/", {"pull": "1"}, follow=True)
    assert "A pull of the report is queued" in response.content.decode()
    assert connection_of(lecture).state == "queued"
    run_worker()
    page = client.get(url).content.decode()
    assert "Report imported" in page and "webex-" in page  # the status and the pulled file's name
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}
    assert connection_of(lecture).slot == -1  # the schedule's slots are still to come
    assert AuditEntry.objects.filter(object_type="connected meeting", action="other").count() == 1
