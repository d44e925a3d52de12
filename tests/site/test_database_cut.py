"""PostgreSQL cut off from a live `plenary serve` (issue 14): the server reaches the database through a
TCP proxy the test starts; while the proxy is cut, the API answers 503 JSON with Retry-After and pages a
503 page in the person's language; once it is restored, requests succeed again without any restart, and
every registration the server acknowledged is in the database."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from plenary.api.auth import create_token
from plenary.registrations.models import Registration
from tests.certificates.test_worker_kill import child_database_url
from tests.site.live import Proxy, Server, call, wait_for

pytestmark = [
    pytest.mark.live,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="a database cut at the network needs a database server (PostgreSQL); SQLite is a file",
    ),
]


def body(n: int) -> dict:
    return {
        "name_en": f"Person {n}",
        "email": f"cut{n}@example.org",
        "organisation": "Some NGO",
        "mode": "online",
        "consent_pics": True,
    }


def test_a_cut_database_answers_503_and_service_resumes_without_restart(reference_programme, tmp_path):
    token = create_token(get_user_model().objects.get(username="organiser"))
    settings_dict = connection.settings_dict
    proxy = Proxy(settings_dict["HOST"] or "127.0.0.1", int(settings_dict["PORT"] or 5432))
    direct = urlparse(child_database_url())
    through_proxy = direct._replace(netloc=direct.netloc.rsplit("@", 1)[0] + f"@127.0.0.1:{proxy.port}")
    registrations = f"/api/v1/programmes/{reference_programme.slug}/registrations"
    acknowledged: set[str] = set()
    number = iter(range(10_000))

    def register() -> int:
        n = next(number)
        answer = call(server.port, "POST", registrations, token=token, data=body(n))
        if answer.status == 201:
            acknowledged.add(f"cut{n}@example.org")
        return answer.status

    server = Server(tmp_path, "--threads", "4", database_url=through_proxy.geturl())
    try:
        assert [register() for _ in range(5)] == [201] * 5
        first = Registration.objects.get(email="cut0@example.org")
        private = f"/me/{first.token}/"

        proxy.cut()

        for _ in range(3):
            answer = call(server.port, "GET", registrations, token=token)
            assert answer.status == 503, answer.body
            assert int(answer.headers["Retry-After"]) > 0
            assert answer.headers["Content-Type"].startswith("application/json")
            assert "database" in answer.json()["detail"]
            assert register() == 503
        page = call(server.port, "GET", f"/zh-hant{private}")
        assert page.status == 503
        assert page.headers["Content-Type"].startswith("text/html")
        assert int(page.headers["Retry-After"]) > 0
        assert "資料庫" in page.body.decode()

        proxy.restore()

        # Back without a restart: the next requests reconnect (the server's connection health check).
        assert wait_for(lambda: call(server.port, "GET", registrations, token=token).status == 200, 20)
        assert [register() for _ in range(5)] == [201] * 5
        assert call(server.port, "GET", private).status == 200
        assert server.process.poll() is None
    finally:
        server.stop()
        proxy.cut()

    stored = set(Registration.objects.filter(email__startswith="cut").values_list("email", flat=True))
    assert len(acknowledged) == 10
    assert acknowledged <= stored  # nothing acknowledged is lost
    assert stored == acknowledged  # and nothing refused was stored behind the person's back
