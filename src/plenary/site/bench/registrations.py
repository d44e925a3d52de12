"""`plenary bench registration`: many clients register at once through the HTTP API of a running server.

It creates a fresh programme with one hybrid session (a room of ``--capacity`` seats) through the API,
then ``--n`` registrations from ``--concurrency`` clients (keep-alive connections, half of them asking
for the room), and reports registrations per second, latency percentiles, and whether any seat was
oversold (read from the database the server uses: run it with the same DATABASE_URL).
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model

from plenary.api.auth import create_token
from plenary.organisations.models import Membership, Organisation
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter
from plenary.site import loadgen


def _organiser_token() -> str:
    organisation, _created = Organisation.objects.get_or_create(
        name_en="Benchmark Organisers", defaults={"acronym": "BENCH"}
    )
    user, _created = get_user_model().objects.get_or_create(username="bench-organiser")
    Membership.objects.get_or_create(user=user, organisation=organisation, role=Membership.Role.ORGANISER)
    return create_token(user, name="bench")


def _call(url: str, token: str, method: str, path: str, body: dict) -> tuple[int, dict]:
    [answer] = loadgen.drive(
        url, [(method, path, body)], concurrency=1, headers={"Authorization": f"Bearer {token}"}
    )
    return answer.status, answer.json()


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench registration", description=__doc__)
    parser.add_argument("--url", default=settings.BASE_URL, help="Base URL of the running server.")
    parser.add_argument("--concurrency", "-c", type=int, default=64)
    parser.add_argument("--n", type=int, default=2000, help="Registrations to send.")
    parser.add_argument("--capacity", type=int, default=200, help="Seats in the room.")
    options = parser.parse_args(argv)

    token = _organiser_token()
    slug = f"bench-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    first = datetime.now(UTC).date() + timedelta(days=30)  # open whenever the benchmark runs
    status, body = _call(
        options.url,
        token,
        "POST",
        "/api/v1/programmes",
        {
            "slug": slug,
            "title": "Benchmark programme",
            "starts_on": first.isoformat(),
            "ends_on": (first + timedelta(days=1)).isoformat(),
            "status": "published",
            "registration_open": True,
            "organisation": "BENCH",
        },
    )
    if status != 201:
        raise SystemExit(f"Could not create the benchmark programme: {status} {body}")
    starts = datetime(first.year, first.month, first.day, 6, tzinfo=UTC)
    for index, (mode, venue) in enumerate(
        [("online", None), ("hybrid", {"name": f"Bench room {slug}", "capacity": options.capacity})]
    ):
        status, body = _call(
            options.url,
            token,
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

    def payload(number: int) -> dict:
        return {
            "name_en": f"Bench Person {number}",
            "email": f"bench{number}@{slug}.example.org",
            "organisation": "Benchmark agency",
            "mode": "in_person" if number % 2 == 0 else "online",
            "consent_pics": True,
        }

    path = f"/api/v1/programmes/{slug}/registrations"
    print(f"Benchmark: {options.n} registrations, {options.concurrency} concurrent clients, {options.url}")
    began = time.perf_counter()
    answers = loadgen.drive(
        options.url,
        (("POST", path, payload(number)) for number in range(options.n)),
        concurrency=options.concurrency,
        headers={"Authorization": f"Bearer {token}"},
    )
    wall = time.perf_counter() - began
    statuses: dict[str, int] = {}
    for answer in answers:
        key = answer.json().get("status", "?") if answer.status == 201 else str(answer.status)
        statuses[key] = statuses.get(key, 0) + 1
    cut = loadgen.percentiles([answer.seconds for answer in answers])
    print(f"  {options.n / wall:.0f} registrations/s over {wall:.1f} s")
    print(f"  latency p50 {cut(0.50):.0f} ms · p95 {cut(0.95):.0f} ms · p99 {cut(0.99):.0f} ms")
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
