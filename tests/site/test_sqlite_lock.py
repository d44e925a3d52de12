"""SQLite's write lock held by another process (issue 14): a live server's web request waits for it only
PLENARY_SQLITE_WEB_BUSY_SECONDS, then answers a clean 503 with Retry-After while the lock is still held,
and stores nothing partial; the worker and commands keep the long wait."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from plenary.api.auth import create_token
from plenary.programmes.models import Programme
from plenary.registrations.models import Registration
from tests.certificates.test_worker_kill import child_database_url
from tests.site.live import Server, call, form_session

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's write lock (PostgreSQL locks rows)"),
]

# Longer than the web tier's wait (5 s), shorter than the 30 s every process waited before: a request
# that still waited the old 30 s would get the lock when it is let go, and store the registration.
HELD_SECONDS = 20


class HeldLock:
    """Another connection (as another process would) holds SQLite's write lock: BEGIN IMMEDIATE."""

    def __init__(self, seconds: float):
        self.other = sqlite3.connect(
            connection.settings_dict["NAME"], isolation_level=None, check_same_thread=False
        )
        self.other.execute("BEGIN IMMEDIATE")
        self.released = threading.Event()
        self.timer = threading.Timer(seconds, self.release)
        self.timer.start()

    def release(self) -> None:
        if not self.released.is_set():
            self.other.execute("ROLLBACK")
            self.other.close()
            self.released.set()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.timer.cancel()
        self.release()


def test_a_held_write_lock_answers_503_before_it_is_let_go_and_stores_nothing(reference_programme, tmp_path):
    # The reference programme (2022) is past and takes no registrations from the public form.
    Programme.objects.filter(pk=reference_programme.pk).update(ends_on=date(2099, 12, 31))
    sharing = reference_programme.sessions.get(kind="sharing")
    token = create_token(get_user_model().objects.get(username="organiser"))
    server = Server(tmp_path, "--no-worker", "--threads", "2")
    try:
        form_path = f"/zh-hant/p/{reference_programme.slug}/register/"
        cookie, csrf = form_session(server.port, form_path)  # the blank form, before the lock is taken
        with HeldLock(HELD_SECONDS) as lock:
            api = call(
                server.port,
                "POST",
                f"/api/v1/programmes/{reference_programme.slug}/registrations",
                token=token,
                data={
                    "name_en": "Locked Out",
                    "email": "locked@example.org",
                    "organisation": "Some NGO",
                    "mode": "in_person",
                    "consent_pics": True,
                },
            )
            assert not lock.released.is_set(), "the request waited until the lock was let go"
            assert api.status == 503, api.body
            assert int(api.headers["Retry-After"]) > 0
            assert "database" in api.json()["detail"]

            page = call(
                server.port,
                "POST",
                form_path,
                cookie=cookie,
                form={
                    "csrfmiddlewaretoken": csrf,
                    "name_en": "Locked Out Too",
                    "email": "locked2@example.org",
                    "organisation_other": "Some NGO",
                    f"mode_{sharing.pk}": "in_person",
                    "consent_pics": "on",
                },
            )
            assert not lock.released.is_set(), "the request waited until the lock was let go"
            assert page.status == 503, page.body[:300]
            assert page.headers["Content-Type"].startswith("text/html")
            assert int(page.headers["Retry-After"]) > 0
            assert "資料庫" in page.body.decode()
        # Let go: the server serves writes again, without a restart.
        assert call(server.port, "GET", "/healthz").status == 200
    finally:
        server.stop()
    assert not Registration.objects.filter(email__startswith="locked").exists()  # nothing partial


def test_the_worker_and_commands_keep_the_long_wait(tmp_path):
    """Only the web tier (site/wsgi.py) waits briefly; a task may wait, nobody is watching it."""
    environment = {**os.environ, "DATABASE_URL": child_database_url()}
    shown = subprocess.run(
        [
            sys.executable,
            "-m",
            "plenary",
            "shell",
            "-c",
            "from django.db import connection; connection.ensure_connection(); "
            "print(connection.connection.execute('PRAGMA busy_timeout').fetchone()[0])",
        ],
        env=environment,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert shown.stdout.decode().split()[-1] == "30000"
