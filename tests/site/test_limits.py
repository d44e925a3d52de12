"""Limits across processes (issue 14): login throttling, link resends, photo-removal requests and API
token guessing count in the shared "limits" cache (the database cache here, the real backend), per
account and per client, with the client taken from a trusted proxy's header; a throttled person is told
so in their language, the API answers 429 JSON with Retry-After."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import connection
from django.test import Client

from plenary.core.ratelimit import Limit

PASSWORD = "right-password-42"


@pytest.fixture(autouse=True)
def no_limits_used(db):
    caches["limits"].clear()
    yield
    with contextlib.suppress(Exception):  # a Redis server a test started may be gone already
        caches["limits"].clear()


@pytest.fixture
def staff(db):
    user = get_user_model().objects.create_user("staff-member", "staff@example.org", PASSWORD)
    return user


def sign_in(client, password, *, prefix="", **headers):
    return client.post(
        f"{prefix}/accounts/login/", {"username": "staff-member", "password": password}, headers=headers
    )


def test_wrong_passwords_throttle_the_account_even_with_the_right_one(staff):
    client = Client()
    for _ in range(10):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with its error
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed sign-ins" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From elsewhere too: the count is the account's.
    other = Client(REMOTE_ADDR="10.9.9.9")
    assert sign_in(other, PASSWORD).status_code == 429


def test_the_throttle_page_is_in_the_persons_language(staff):
    client = Client()
    for _ in range(10):
        sign_in(client, "wrong", prefix="/zh-hant")
    response = sign_in(client, PASSWORD, prefix="/zh-hant")
    assert response.status_code == 429
    assert "登入失敗次數過多" in response.content.decode()


def test_a_right_password_before_the_limit_signs_in_and_clears_the_count(staff):
    client = Client()
    for _ in range(9):
        sign_in(client, "wrong")
    assert sign_in(client, PASSWORD).status_code == 302
    for _ in range(9):
        assert sign_in(Client(), "wrong").status_code == 200


def test_clients_behind_a_trusted_proxy_are_counted_apart(settings, db):
    settings.PLENARY_TRUSTED_PROXIES = ["127.0.0.1"]
    for number in range(2):
        get_user_model().objects.create_user(f"someone-{number}", password="x")
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for number in range(30):  # thirty accounts' wrong passwords from one client behind the proxy
        proxy.post(
            "/accounts/login/",
            {"username": f"guess-{number}", "password": "wrong"},
            headers={"X-Forwarded-For": "203.0.113.7"},
        )
    again = {"username": "someone-0", "password": "x"}
    assert (
        proxy.post("/accounts/login/", again, headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    )
    # Another client behind the same proxy is not throttled.
    assert (
        proxy.post("/accounts/login/", again, headers={"X-Forwarded-For": "198.51.100.2"}).status_code == 302
    )


def test_a_forwarded_header_from_an_untrusted_address_is_ignored(settings, db):
    settings.PLENARY_TRUSTED_PROXIES = []
    client = Client(REMOTE_ADDR="192.0.2.50")
    for number in range(30):
        client.post(
            "/accounts/login/",
            {"username": f"guess-{number}", "password": "wrong"},
            headers={"X-Forwarded-For": f"198.51.100.{number}"},  # spoofed: changes nothing
        )
    response = client.post("/accounts/login/", {"username": "guess-99", "password": "wrong"})
    assert response.status_code == 429


def test_guessing_api_tokens_gets_429_json_with_retry_after(db):
    client = Client(REMOTE_ADDR="192.0.2.60")
    for number in range(60):
        response = client.get("/api/v1/jobs/1", headers={"Authorization": f"Bearer guess-{number}"})
        assert response.status_code == 401
    response = client.get("/api/v1/jobs/1", headers={"Authorization": "Bearer guess-last"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "unknown token" in json.loads(response.content)["detail"]


def test_link_resends_beyond_the_limit_are_told_not_silently_dropped(
    reference_programme,
):
    url = f"/p/{reference_programme.slug}/register/link/"
    client = Client()
    for _ in range(3):
        assert client.post(url, {"email": "someone@example.org"}).status_code == 200
    response = client.post(url, {"email": "someone@example.org"})
    assert response.status_code == 429
    assert "Too many requests for this link" in response.content.decode()


def test_photo_removal_requests_are_throttled(reference_programme, organiser, settings, tmp_path):
    from plenary.media import services as media
    from plenary.media.models import Photo
    from tests.media import images

    settings.MEDIA_ROOT = tmp_path
    sharing = reference_programme.sessions.get(kind="sharing")
    photo = media.upload_photo(session=sharing, data=images.jpeg(), filename="a.jpg", actor=organiser)
    Photo.objects.filter(pk=photo.pk).update(published=True, people_consent=True)
    client = Client()
    url = f"/photos/{photo.pk}/request-removal/"
    data = {"name": "A Person", "email": "a@example.org", "reason": "That is me."}
    statuses = [client.post(url, data).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429


@pytest.mark.django_db(transaction=True)
def test_counts_are_shared_with_another_process(settings):
    """Another process (another gunicorn worker, another node) counts against the same limit."""
    if connection.vendor == "sqlite":
        url = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    caches["limits"].clear()
    env = {**os.environ, "DATABASE_URL": url}
    code = "from plenary.core.ratelimit import Limit; [Limit('shared', 5).count('k') for _ in range(3)]"
    subprocess.run([sys.executable, "-m", "plenary", "shell", "-c", code], env=env, check=True, timeout=120)
    assert Limit("shared", 5).used("k")[0] == 3
    caches["limits"].clear()


@pytest.fixture
def redis_limits(settings, tmp_path):
    """A real Redis server (started here) as the limits cache, as with REDIS_URL set."""
    import shutil
    import socket
    import time

    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    settings.CACHES = {
        **settings.CACHES,
        # As core/settings.py configures it when REDIS_URL is set.
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "limits",
        },
    }
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield url
    server.terminate()
    server.wait(timeout=10)


def test_login_throttling_counts_in_redis_shared_with_another_process(staff, redis_limits):
    client = Client()
    for _ in range(9):
        sign_in(client, "wrong")
    # A tenth failure made by another process (another node) through the same Redis.
    code = "from plenary.core.ratelimit import Limit; Limit('login-account', 10, 900).count('staff-member')"
    env = {**os.environ, "REDIS_URL": redis_limits}
    subprocess.run([sys.executable, "-m", "plenary", "shell", "-c", code], env=env, check=True, timeout=120)
    assert sign_in(client, PASSWORD).status_code == 429


def test_limit_rows_name_nobody(db):
    """Some limits count per email address: the table holds a digest of the key, never the address."""
    limit = Limit("reg-link-address", 3)
    assert limit.count("7:someone@example.org")[0] == 1
    assert limit.count("7:someone@example.org")[0] == 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key, value FROM plenary_limits")
        rows = cursor.fetchall()
    assert rows and not any("someone" in key or "example.org" in key for key, _value in rows)
    assert limit.used("7:someone@example.org")[0] == 2
    assert limit.used("7:someone-else@example.org")[0] == 0


def test_a_count_whose_window_has_ended_starts_again(db):
    from datetime import UTC, datetime

    limit = Limit("short", 2, 60)
    limit.count("k")
    limit.count("k")
    assert limit.used("k")[0] == 2
    past = connection.ops.adapt_datetimefield_value(datetime(2000, 1, 1, tzinfo=UTC))
    with connection.cursor() as cursor:  # as the row stands once its window is over
        cursor.execute("UPDATE plenary_limits SET expires = %s", [past])
    assert limit.used("k")[0] == 0
    assert limit.count("k")[0] == 1


@pytest.mark.django_db(transaction=True)
def test_uses_counted_by_processes_at_once_are_never_lost():
    """Each use is one statement that adds and reads the count: two processes counting at the same
    moment lose none (a read, then a write, as Django's database cache does ``incr()``, would)."""
    if connection.vendor == "sqlite":
        url = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        s = connection.settings_dict
        url = f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    caches["limits"].clear()
    env = {**os.environ, "DATABASE_URL": url}
    code = "from plenary.core.ratelimit import Limit; [Limit('racing', 1000).count('k') for _ in range(60)]"
    racers = [
        subprocess.Popen([sys.executable, "-m", "plenary", "shell", "-c", code], env=env) for _ in range(3)
    ]
    assert [racer.wait(timeout=180) for racer in racers] == [0, 0, 0]
    assert Limit("racing", 1000).used("k")[0] == 180
    caches["limits"].clear()
