"""`plenary bench registration`: many clients register at once through the HTTP API of a running server.

It creates a fresh programme with one hybrid session (a room of ``--capacity`` seats) through the API,
then ``--n`` registrations from ``--concurrency`` clients (keep-alive connections, half of them asking
for the room), and reports registrations per second, latency percentiles, and whether any seat was
oversold (read from the database the server uses: run it with the same DATABASE_URL).
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.conf import settings
from django.contrib.auth import get_user_model

from plenary.api.auth import create_token
from plenary.organisations.models import Membership, Organisation
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter


def _organiser_token() -> str:
    organisation, _created = Organisation.objects.get_or_create(
        name_en="Benchmark Organisers", defaults={"acronym": "BENCH"}
    )
    user, _created = get_user_model().objects.get_or_create(username="bench-organiser")
    Membership.objects.get_or_create(user=user, organisation=organisation, role=Membership.Role.ORGANISER)
    return create_token(user, name="bench")


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, url: str, token: str):
        parts = urlparse(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.local = threading.local()
        self.opened: list[http.client.HTTPConnection] = []
        self.opened_lock = threading.Lock()

    def close(self) -> None:
        """Closes every thread's connection, so the server's handlers (and their database
        connections) are released."""
        with self.opened_lock:
            for connection in self.opened:
                connection.close()
            self.opened.clear()

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        for attempt in range(2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=120
                )
            try:
                connection.request(method, path, json.dumps(body) if body else None, self.headers)
                response = connection.getresponse()
                data = response.read()
                return response.status, json.loads(data or b"{}")
            except (http.client.HTTPException, ConnectionError):
                connection.close()
                self.local.connection = None
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench registration", description=__doc__)
    parser.add_argument("--url", default=settings.BASE_URL, help="Base URL of the running server.")
    parser.add_argument("--concurrency", "-c", type=int, default=64)
    parser.add_argument("--n", type=int, default=2000, help="Registrations to send.")
    parser.add_argument("--capacity", type=int, default=200, help="Seats in the room.")
    options = parser.parse_args(argv)

    token = _organiser_token()
    client = Client(options.url, token)
    slug = f"bench-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    status, body = client.call(
        "POST",
        "/api/v1/programmes",
        {
            "slug": slug,
            "title": "Benchmark programme",
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-02",
            "status": "published",
            "registration_open": True,
            "organisation": "BENCH",
        },
    )
    if status != 201:
        raise SystemExit(f"Could not create the benchmark programme: {status} {body}")
    starts = datetime(2030, 1, 1, 6, tzinfo=UTC)
    for index, (mode, venue) in enumerate(
        [("online", None), ("hybrid", {"name": f"Bench room {slug}", "capacity": options.capacity})]
    ):
        status, body = client.call(
            "POST",
            f"/api/v1/programmes/{slug}/sessions",
            {
                "kind": "lecture",
                "title": f"Session {index + 1}",
                "starts_at": (starts + timedelta(hours=3 * index)).isoformat(),
                "ends_at": (starts + timedelta(hours=3 * index + 2)).isoformat(),
                "mode": mode,
                "venue": venue,
                "cpd_hours": "2",
            },
        )
        if status != 201:
            raise SystemExit(f"Could not create a session: {status} {body}")

    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()

    def register(number: int) -> None:
        payload = {
            "name_en": f"Bench Person {number}",
            "email": f"bench{number}@{slug}.example.org",
            "organisation": "Benchmark agency",
            "mode": "in_person" if number % 2 == 0 else "online",
            "consent_pics": True,
        }
        started = time.perf_counter()
        code, answer = client.call("POST", f"/api/v1/programmes/{slug}/registrations", payload)
        elapsed = time.perf_counter() - started
        key = str(code) if code != 201 else answer.get("status", "?")
        with lock:
            latencies.append(elapsed)
            statuses[key] = statuses.get(key, 0) + 1

    print(f"Benchmark: {options.n} registrations, {options.concurrency} concurrent clients, {options.url}")
    began = time.perf_counter()
    with ThreadPoolExecutor(options.concurrency) as pool:
        list(pool.map(register, range(options.n)))
    wall = time.perf_counter() - began
    client.close()

    latencies.sort()
    cuts = (
        statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    )
    print(f"  {options.n / wall:.0f} registrations/s over {wall:.1f} s")
    print(
        f"  latency p50 {cuts[49] * 1000:.0f} ms · p95 {cuts[94] * 1000:.0f} ms · p99 {cuts[98] * 1000:.0f} ms"
    )
    print(f"  answers: {dict(sorted(statuses.items()))}")

    registrations = Registration.objects.filter(programme__slug=slug)
    room = SeatAllocation.objects.filter(registration__programme__slug=slug, mode="in_person")
    confirmed = room.filter(status="confirmed").count()
    counter = SeatCounter.objects.get(session__programme__slug=slug, mode="in_person")
    wanted = (options.n + 1) // 2
    ok = (
        confirmed <= options.capacity
        and confirmed == min(options.capacity, wanted)
        and counter.taken == confirmed
        and counter.waiting == room.filter(status="waitlisted").count()
        and registrations.count() == registrations.values("email").distinct().count()
    )
    print(
        f"  room: {confirmed} confirmed of {options.capacity} seats, {counter.waiting} waiting; "
        f"{registrations.count()} registrations stored"
    )
    print("  no seat oversold" if ok else "  SEAT ACCOUNTING FAILED")
    if not ok:
        raise SystemExit(1)
