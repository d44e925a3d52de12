"""The hand-written SQL path checks a kept connection's health first (issue 14): after the database
drops the connection (a restart, a network cut), the next request reconnects instead of answering 500."""

from __future__ import annotations

import time

import psycopg
import pytest
from django.db import close_old_connections, connection, connections

from plenary.api.auth import forget_tokens

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="kept connections are PostgreSQL's"),
]


def cut_connection() -> None:
    """The database ends this process's connection from its side, as a restart or a proxy cut would."""
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        # pg_terminate_backend only signals: wait until the backend has gone, as a restart or a cut has
        # finished before the next request comes (its goodbye is then on this process's socket).
        deadline = time.monotonic() + 10
        while other.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.01)


def test_the_next_request_after_a_cut_reconnects(api_as, organiser):
    client = api_as(organiser)
    assert client.get("/api/v1/programmes/reference").status_code in (200, 404)
    response = client.get("/api/v1/jobs/1")
    assert response.status_code == 404
    cut_connection()
    close_old_connections()  # what the end of one request and the start of the next do
    forget_tokens()  # the token is looked up again, with the hand-written statement  # what the end of one request and the start of the next do
    response = client.get("/api/v1/jobs/1")
    assert response.status_code == 404, response.content[:300]


def test_a_healthy_kept_connection_is_checked_without_a_round_trip(api_as, organiser, monkeypatch):
    """Django's check (``is_usable``: ``SELECT 1``) runs only when the socket says something happened."""
    client = api_as(organiser)
    assert client.get("/api/v1/jobs/1").status_code == 404
    pinged: list[bool] = []
    wrapper = type(connections["default"])
    usable = wrapper.is_usable

    def counting(self):
        pinged.append(True)
        return usable(self)

    monkeypatch.setattr(wrapper, "is_usable", counting)
    for _request in range(3):
        close_old_connections()
        forget_tokens()
        assert client.get("/api/v1/jobs/1").status_code == 404
    assert pinged == []  # quiet socket: no round trip
    cut_connection()
    close_old_connections()
    forget_tokens()
    response = client.get("/api/v1/jobs/1")
    assert response.status_code == 404, response.content[:300]
    assert pinged == [True]  # the server's goodbye on the socket: the full check, which reconnected
