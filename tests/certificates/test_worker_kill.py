"""Killing the worker half-way through a 500-certificate job, then running again, gives exactly 500."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django.db import connection
from django.db.models import Count

from plenary.attendance.models import Attendance
from plenary.certificates import services, tasks
from plenary.certificates.models import Certificate, IssueJob
from plenary.registrations.models import Registration
from plenary.site import demo

COUNT = 500


def child_database_url() -> str:
    """The test database, as a DATABASE_URL for a separate process."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    credentials = quote(config["USER"] or "postgres")
    if config.get("PASSWORD"):
        credentials += ":" + quote(config["PASSWORD"])
    return (
        f"postgres://{credentials}@{config['HOST'] or '127.0.0.1'}:{config['PORT'] or 5432}/{config['NAME']}"
    )


def start_worker(tmp_path, name: str, *extra: str) -> subprocess.Popen:
    environment = {
        **os.environ,
        "DATABASE_URL": child_database_url(),
        "PLENARY_LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "plenary.core.settings",
    }
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [sys.executable, "-m", "plenary", "worker", "--interval", "0.2", *extra],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def programme_with_attendance(count: int):
    """The reference programme with ``count`` people who attended every counting session."""
    programme, _agencies = demo.load_programme(seed=2022)
    sessions = list(programme.sessions.filter(counts_towards_certificate=True))
    Registration.objects.bulk_create(
        Registration(programme=programme, name_en=f"Person {n}", name_zh="陳大文", email=f"p{n}@example.org")
        for n in range(count)
    )
    Attendance.objects.bulk_create(
        Attendance(
            registration=registration,
            session=session,
            mode="online",
            minutes=int(session.duration.total_seconds() // 60),
            present=True,
        )
        for registration in Registration.objects.filter(programme=programme)
        for session in sessions
    )
    return programme


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_job_and_running_again_gives_exactly_500(settings, tmp_path, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setenv(
        "PLENARY_JOB_STALE_SECONDS", "2"
    )  # the workers' stale limit (tests/certificates/test_stale_job.py)
    programme = programme_with_attendance(COUNT)

    job = services.start_issue_job(programme, actor=None)  # enqueued in the database queue
    worker = start_worker(tmp_path, "first")
    try:
        deadline = time.monotonic() + 300
        while Certificate.objects.filter(programme=programme).count() < 60:
            assert worker.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline, "the worker made no progress"
            time.sleep(0.2)
        os.killpg(worker.pid, signal.SIGKILL)  # kill -9, mid-way through the job
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)

    half = Certificate.objects.filter(programme=programme).count()
    assert 0 < half < COUNT
    assert IssueJob.objects.get(pk=job.pk).state == "running"  # it died without finishing

    # A fresh worker that stops when the queue is empty picks the job up again: its heartbeat is stale.
    time.sleep(2.5)
    second = start_worker(tmp_path, "second", "--batch")
    assert second.wait(timeout=600) == 0, (tmp_path / "second.log").read_text()

    certificates = Certificate.objects.filter(programme=programme)
    assert certificates.filter(state="valid").count() == COUNT
    assert certificates.count() == COUNT  # nothing superseded, nothing duplicated
    assert not certificates.values("registration").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not certificates.filter(pdf="").exists()
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.issued) == ("done", COUNT, COUNT, COUNT - half)


@pytest.mark.django_db(transaction=True)
def test_two_workers_issuing_the_same_programme_at_once_never_duplicate(settings, tmp_path):
    settings.TASKS = DATABASE_QUEUE
    programme = programme_with_attendance(200)
    # Two runs queued at once (as two organisers pressing the button on two web servers would).
    tasks.run_issue_job.enqueue(services.start_issue_job(programme, actor=None).pk)
    workers = [start_worker(tmp_path, f"racer-{n}", "--batch") for n in range(2)]
    for n, worker in enumerate(workers):
        assert worker.wait(timeout=600) == 0, (tmp_path / f"racer-{n}.log").read_text()

    certificates = Certificate.objects.filter(programme=programme)
    assert certificates.filter(state="valid").count() == 200
    assert certificates.count() == 200
    assert not certificates.filter(pdf="").exists()
