"""Supervision (issue 14): `plenary serve` keeps serving and restarts a killed worker; `plenary worker`
outlives a database error and resumes its queue when the database is back. Real processes, real signals."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.core.test_serve import children_of, free_port

pytestmark = pytest.mark.live

ENQUEUE = "from plenary.media.tasks import make_renditions; print(make_renditions.enqueue(999999).id)"
STATUS = "from django_tasks_db.models import DBTaskResult; print(DBTaskResult.objects.get(id='{id}').status)"


def environment(data_dir: Path) -> dict:
    env = {**os.environ, "PLENARY_DATA_DIR": str(data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)  # its own SQLite database: the suite's test database is not touched
    return env


def plenary(env, *args, timeout=120) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "plenary", *args], env=env, check=True, timeout=timeout, capture_output=True
    )
    return done.stdout.decode().strip().splitlines()[-1] if done.stdout.strip() else ""


def answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return response.status == 200
    except OSError:
        return False


def workers_of(pid: int) -> set[int]:
    """The background worker processes among the server's children (not gunicorn's)."""
    found = set()
    for child in children_of(pid):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if b"worker" in command and b"gunicorn" not in command and state != "Z":
            found.add(child)
    return found


def wait_for(condition, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def test_a_killed_worker_is_restarted_and_the_site_keeps_serving(tmp_path):
    env = environment(tmp_path)
    plenary(env, "migrate", "-v0")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "plenary", "serve", "--port", str(port), "--workers", "1", "--threads", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: nothing it started outlives the test
    )
    try:
        assert wait_for(lambda: answers(port), 30)
        assert len(wait_for(lambda: workers_of(server.pid), 15)) == 1
        for _round in range(2):  # twice: the second restart waits longer (backoff), and still comes
            old = next(iter(workers_of(server.pid)))
            os.kill(old, signal.SIGKILL)
            time.sleep(0.5)
            assert server.poll() is None, "serve stopped because its worker died"
            assert answers(port)
            new = wait_for(lambda old=old: workers_of(server.pid) - {old}, 15)
            assert new, "no new worker was started"
            assert answers(port)
        # The new worker really works the queue.
        task_id = plenary(env, "shell", "-c", ENQUEUE)
        assert wait_for(lambda: plenary(env, "shell", "-c", STATUS.format(id=task_id)) != "READY", 30, 0.5)
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=30) == 0
    finally:
        left = children_of(server.pid)  # before the server goes: its orphans could not be found after
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGKILL)


QUEUE_TABLE, ASIDE_TABLE = "django_tasks_database_dbtaskresult", "queue_aside"


def rename(database: Path, old: str, new: str) -> None:
    with sqlite3.connect(database, timeout=30) as other:
        other.execute(f"ALTER TABLE {old} RENAME TO {new}")


def test_the_worker_survives_a_database_error_and_resumes(tmp_path):
    env = environment(tmp_path)
    plenary(env, "migrate", "-v0")
    database = tmp_path / "plenary.sqlite3"
    worker = subprocess.Popen(
        [sys.executable, "-m", "plenary", "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        time.sleep(3)
        assert worker.poll() is None
        # The queue's table goes away (as in a database being restored): the worker's next poll fails
        # with a database error, whether or not it keeps its connection between polls.
        rename(database, QUEUE_TABLE, ASIDE_TABLE)
        time.sleep(4)
        assert worker.poll() is None, worker.stdout.read().decode()[-2000:]
        # The table comes back; work enqueued now is done by the same worker process.
        rename(database, ASIDE_TABLE, QUEUE_TABLE)
        task_id = plenary(env, "shell", "-c", ENQUEUE)
        assert wait_for(lambda: plenary(env, "shell", "-c", STATUS.format(id=task_id)) != "READY", 45, 0.5)
        assert worker.poll() is None
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) in (0, 1)
        assert b"retrying" in worker.stdout.read()
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
