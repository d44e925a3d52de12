"""Stale long jobs (issue 14): a certificate issuing job writes a heartbeat while it runs; when its worker
is killed (-9) mid-batch, the job is picked up again (by the next worker's sweep, or at once by pressing
"Issue certificates" again) and finishes, every certificate issued exactly once."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from plenary.api.auth import create_token
from plenary.certificates import services, tasks
from plenary.certificates.models import Certificate, IssueJob
from tests.certificates.conftest import attend_all, person
from tests.certificates.test_worker_kill import DATABASE_QUEUE, programme_with_attendance
from tests.site.live import Server, answers, call, wait_for

COUNT = 300


def assert_each_issued_once(programme, count: int) -> None:
    certificates = Certificate.objects.filter(programme=programme)
    assert certificates.filter(state="valid").count() == count
    assert certificates.count() == count  # nothing superseded, nothing duplicated
    assert not certificates.values("registration").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not certificates.filter(pdf="").exists()


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_resumed_by_the_next_worker_and_issues_each_once(settings, tmp_path):
    settings.TASKS = DATABASE_QUEUE
    programme = programme_with_attendance(COUNT)
    token = create_token(get_user_model().objects.get(username="organiser"))
    # A short stale limit and a frequent sweep, so the test does not wait the production minute.
    server = Server(tmp_path, "--threads", "2", PLENARY_JOB_STALE_SECONDS="3", PLENARY_SWEEP_SECONDS="0.5")
    try:
        [worker] = wait_for(server.workers, 15)
        job = services.start_issue_job(programme, actor=None)  # its task row goes to the database queue
        deadline = time.monotonic() + 300
        while Certificate.objects.filter(programme=programme).count() < 40:
            assert time.monotonic() < deadline, f"the worker made no progress\n{server.output()}"
            time.sleep(0.1)
        os.kill(worker, signal.SIGKILL)  # kill -9, mid-batch
        time.sleep(0.3)
        half = Certificate.objects.filter(programme=programme).count()
        assert 0 < half < COUNT, "the worker finished before it was killed"
        assert IssueJob.objects.get(pk=job.pk).state == "running"

        # The site answers throughout; serve starts a new worker, whose sweep finds the job's heartbeat
        # stale and queues it again; the job then finishes on its own, nobody pressing anything.
        seen = set()
        while True:
            assert answers(server.port), server.output()
            progress = call(server.port, "GET", f"/api/v1/jobs/{job.pk}", token=token)
            assert progress.status == 200, progress.body
            seen.add(progress.json()["state"])
            if progress.json()["state"] == "done":
                break
            assert time.monotonic() < deadline, f"the job was not resumed: {seen}\n{server.output()}"
            time.sleep(0.3)
        assert server.process.poll() is None
    finally:
        server.stop()

    assert_each_issued_once(programme, COUNT)
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == ("done", COUNT, COUNT)
    assert job.issued == COUNT - half  # the resumed run issued only what the dead one had not
    runs = DBTaskResult.objects.filter(task_path=tasks.run_issue_job.module_path)
    # The dead run's queue row is no longer "running" for good: it is marked failed, and the new one ran.
    assert sorted(runs.values_list("status", flat=True)) == ["FAILED", "SUCCESSFUL"]


def stall(job: IssueJob, seconds_ago: float) -> None:
    """Makes ``job`` look like a run whose worker died ``seconds_ago`` after issuing some certificates."""
    moment = timezone.now() - timedelta(seconds=seconds_ago)
    IssueJob.objects.filter(pk=job.pk).update(
        state="running", runner="dead-run", heartbeat_at=moment, updated_at=moment, started_at=moment
    )


@pytest.mark.django_db(transaction=True)
def test_pressing_issue_again_resumes_a_stale_job_at_once(reference_programme, sessions, organiser, settings):
    people = [person(reference_programme, n, email=f"p{n}@example.org") for n in range(4)]
    for each in people:
        attend_all(each, sessions)
    job = IssueJob.objects.create(programme=reference_programme, created_by=organiser)
    # The dead run had issued two of the four certificates.
    for evaluation in [e for e in services.evaluate(reference_programme) if e.eligible][:2]:
        services.issue_one(reference_programme, evaluation)
    stall(job, settings.PLENARY_JOB_STALE_SECONDS + 5)
    assert IssueJob.objects.get(pk=job.pk).is_stalled

    again = services.start_issue_job(reference_programme, actor=organiser)  # the tasks run at once here

    assert again.pk == job.pk  # the same job carries on, rather than a new one beside a "running" ghost
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.issued) == ("done", 4, 4, 2)
    assert_each_issued_once(reference_programme, 4)


@pytest.mark.django_db(transaction=True)
def test_a_job_with_a_fresh_heartbeat_is_left_to_its_run(reference_programme, organiser, settings):
    job = IssueJob.objects.create(programme=reference_programme, created_by=organiser)
    stall(job, 1)  # beat a second ago: alive
    assert services.start_issue_job(reference_programme, actor=organiser).pk == job.pk
    assert services.resume_stale_jobs() == []
    # A second run of the same job (a duplicate task row) finds it held and does nothing.
    assert services.run_issue_job(job.pk).runner == "dead-run"
    assert IssueJob.objects.get(pk=job.pk).state == "running"
    assert not Certificate.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_sweep_queues_a_stale_job_again_and_marks_the_dead_run(reference_programme, organiser, settings):
    settings.TASKS = DATABASE_QUEUE
    job = services.start_issue_job(reference_programme, actor=organiser)
    dead = DBTaskResult.objects.get(task_path=tasks.run_issue_job.module_path)
    DBTaskResult.objects.filter(pk=dead.pk).update(status="RUNNING", started_at=timezone.now())
    stall(job, settings.PLENARY_JOB_STALE_SECONDS + 5)

    assert services.resume_stale_jobs() == [job.pk]
    assert services.resume_stale_jobs() == []  # a second sweeper finds nothing left to do

    job.refresh_from_db()
    assert job.state == "queued"
    dead.refresh_from_db()
    assert dead.status == "FAILED"
    [fresh] = DBTaskResult.objects.filter(task_path=tasks.run_issue_job.module_path, status="READY")
    assert fresh.args_kwargs == {"args": [job.pk], "kwargs": {}}
