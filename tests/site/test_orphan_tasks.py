"""A task left RUNNING by a worker that died (issue 14): each worker beats, and the sweep of any live
worker queues such a task again, so it runs instead of staying "running" for good."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plenary.certificates import tasks as certificate_tasks
from plenary.core.models import WorkerBeat
from plenary.core.tasks import requeue_orphans
from plenary.media import tasks as media_tasks
from tests.certificates.test_worker_kill import DATABASE_QUEUE, start_worker
from tests.site.live import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def left_running(task, *args, worker: str, seconds_ago: float) -> DBTaskResult:
    """A queue row as a worker leaves it while running ``task``: claimed by ``worker``."""
    row = DBTaskResult.objects.get(pk=task.enqueue(*args).id)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", worker_ids=[worker], started_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return row


def test_the_sweep_queues_again_only_what_a_dead_worker_left(settings):
    settings.TASKS = DATABASE_QUEUE
    stale = settings.PLENARY_JOB_STALE_SECONDS
    WorkerBeat.objects.create(worker_id="alive", beat_at=timezone.now())
    WorkerBeat.objects.create(worker_id="dead", beat_at=timezone.now() - timedelta(seconds=stale + 30))
    orphan = left_running(media_tasks.make_renditions, 1, worker="dead", seconds_ago=stale + 60)
    unknown = left_running(media_tasks.make_renditions, 2, worker="never-beat", seconds_ago=stale + 60)
    busy = left_running(media_tasks.make_renditions, 3, worker="alive", seconds_ago=stale + 60)
    fresh = left_running(media_tasks.make_renditions, 4, worker="dead", seconds_ago=1)
    own = left_running(certificate_tasks.run_issue_job, 5, worker="dead", seconds_ago=stale + 60)

    assert sorted(requeue_orphans()) == sorted([str(orphan.pk), str(unknown.pk)])
    assert requeue_orphans() == []  # a second sweeper finds nothing more

    def status(row):
        return DBTaskResult.objects.get(pk=row.pk).status

    assert (status(orphan), status(unknown)) == ("READY", "READY")
    assert status(busy) == "RUNNING"  # its worker beats: still working on it
    assert status(fresh) == "RUNNING"  # only just started
    assert status(own) == "RUNNING"  # a certificate job keeps its own heartbeat (test_stale_job.py)


@pytest.mark.live
def test_a_live_worker_beats_and_runs_what_a_killed_one_left(settings, tmp_path, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setenv("PLENARY_JOB_STALE_SECONDS", "2")
    monkeypatch.setenv("PLENARY_SWEEP_SECONDS", "0.5")
    first = start_worker(tmp_path, "first")
    try:
        assert wait_for(lambda: WorkerBeat.objects.exists(), 60), (tmp_path / "first.log").read_text()
        [dead] = WorkerBeat.objects.values_list("worker_id", flat=True)
        os.killpg(first.pid, signal.SIGKILL)  # kill -9: its beat stops, its row stays
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
    # A task it had taken when it died (a photo's sizes; the photo is gone, so the task does nothing).
    row = left_running(media_tasks.make_renditions, 999999, worker=dead, seconds_ago=0)
    time.sleep(2.5)
    assert DBTaskResult.objects.get(pk=row.pk).status == "RUNNING"  # nothing else touches it

    second = start_worker(tmp_path, "second")
    try:
        done = wait_for(lambda: DBTaskResult.objects.get(pk=row.pk).status == "SUCCESSFUL", 60, 0.3)
        assert done, (tmp_path / "second.log").read_text()
        assert WorkerBeat.objects.exclude(worker_id=dead).count() == 1  # the live one beats
        row.refresh_from_db()
        assert row.worker_ids[0] == dead and row.worker_ids[-1] != dead  # the live worker ran it
    finally:
        os.killpg(second.pid, signal.SIGTERM)
        second.wait(timeout=30)
    assert not WorkerBeat.objects.exclude(worker_id=dead).exists()  # a clean stop says goodbye
