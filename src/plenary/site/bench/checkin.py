"""`plenary bench checkin`: door scans per second against a running server, and an offline batch sync.

Creates its own programme (slug ``bench-checkin``) with a hybrid session and a roster of registrations in
the server's database (run it with the server's DATABASE_URL), then
1. sends ``--n`` single scans of distinct passes from ``--concurrency`` concurrent scanners (keep-alive
   HTTP connections, bearer token), reporting scans per second and p50/p95/p99 latency;
2. syncs ``--batch`` queued offline scans (a fifth of them repeats, as from several devices) through
   ``POST /api/v1/checkins/batch`` in chunks of ``--chunk``, reporting the total time;
then checks that every pass was counted once, and removes its programme unless ``--keep``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from plenary.api.auth import create_token
from plenary.checkin.models import CheckIn, StaffAssignment
from plenary.programmes.models import Programme, Session, Venue
from plenary.registrations import services
from plenary.registrations.models import Registration
from plenary.site import loadgen

SLUG = "bench-checkin"


def _clean() -> None:
    """Removes the benchmark programme; retried while the background worker still recomputes attendance."""
    for attempt in range(30):
        programme = Programme.objects.filter(slug=SLUG).first()
        if programme is None:
            return
        venues = list(Venue.objects.filter(sessions__programme=programme).distinct())
        try:
            with transaction.atomic():
                programme.delete()
                for venue in venues:
                    if not venue.sessions.exists():
                        venue.delete()
            return
        except IntegrityError:
            if attempt == 29:
                raise
            time.sleep(1)


@transaction.atomic
def _setup(people: int) -> tuple[Session, str, list[str]]:
    _clean()
    now = datetime.now(UTC)
    programme = Programme.objects.create(
        slug=SLUG,
        title_en="Benchmark programme (check-in)",
        starts_on=now.date(),
        ends_on=now.date(),
        status=Programme.Status.DRAFT,
    )
    venue = Venue.objects.create(name_en="Benchmark hall", capacity=people)
    session = Session.objects.create(
        programme=programme,
        kind=Session.Kind.SHARING,
        mode=Session.Mode.HYBRID,
        title_en="Benchmark session",
        starts_at=now - timedelta(minutes=30),
        ends_at=now + timedelta(hours=2),
        venue=venue,
    )
    # Through the seat owner, in bulk (the demo's path): one transaction, the room's counter kept.
    registrations = services.register_many(
        programme,
        [
            services.Arrival(
                services.Applicant(
                    email=f"bench{index}@example.org",
                    name_en=f"Bench Person {index}",
                    name_zh=f"測試{index}",
                    preferred_mode=Registration.Mode.IN_PERSON,
                    consent_pics=True,
                )
            )
            for index in range(people)
        ],
    )
    user, _created = get_user_model().objects.get_or_create(username="bench-door")
    StaffAssignment.objects.get_or_create(user=user, session=session)
    token = create_token(user, name="bench")
    return session, token, [registration.pass_code for registration in registrations]


class Client:
    """One keep-alive HTTP connection, as one scanner phone would hold."""

    def __init__(self, url: str, token: str):
        parts = urlparse(url)
        self.host, self.port = parts.hostname, parts.port or 80
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)

    def post(self, path: str, payload: dict) -> tuple[int, dict]:
        body = json.dumps(payload)
        for attempt in range(2):
            try:
                self.connection.request("POST", path, body=body, headers=self.headers)
                response = self.connection.getresponse()
                data = response.read()
                return response.status, json.loads(data) if data else {}
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
                if attempt:
                    raise
        raise RuntimeError("unreachable")


def single_scans(url: str, token: str, session: Session, codes: list[str], concurrency: int) -> dict:
    started = time.perf_counter()
    try:
        answers = loadgen.drive(
            url,
            (
                (
                    "POST",
                    "/api/v1/checkins",
                    {"code": code, "session_id": session.pk, "client_event_id": str(uuid.uuid4())},
                )
                for code in codes
            ),
            concurrency=concurrency,
            headers={"Authorization": f"Bearer {token}"},
        )
        errors: list[str] = []
    except OSError as error:
        answers, errors = [], [repr(error)]
    wall = time.perf_counter() - started
    results: dict[str, int] = {}
    for answer in answers:
        key = (
            answer.json().get("result", f"HTTP {answer.status}")
            if answer.status == 200
            else f"HTTP {answer.status}"
        )
        results[key] = results.get(key, 0) + 1
    cut = loadgen.percentiles([answer.seconds for answer in answers])
    return {
        "scans": len(answers),
        "seconds": wall,
        "per_second": len(answers) / wall if wall else 0.0,
        "p50_ms": cut(0.50),
        "p95_ms": cut(0.95),
        "p99_ms": cut(0.99),
        "results": results,
        "errors": errors[:5],
        "error_count": len(errors),
    }


def batch_sync(url: str, token: str, session: Session, codes: list[str], total: int, chunk: int) -> dict:
    rng = random.Random(2022)
    distinct = codes[: max(1, total * 4 // 5)]
    queued = list(distinct) + [rng.choice(distinct) for _ in range(total - len(distinct))]
    rng.shuffle(queued)
    start = datetime.now(UTC) - timedelta(minutes=30)
    scans = [
        {
            "code": code,
            "client_event_id": str(uuid.uuid4()),
            "scanned_at": (start + timedelta(seconds=index * 1800 / total)).isoformat(),
        }
        for index, code in enumerate(queued)
    ]
    client = Client(url, token)
    results: dict[str, int] = {}
    started = time.perf_counter()
    for offset in range(0, len(scans), chunk):
        status, data = client.post(
            "/api/v1/checkins/batch",
            {"session_id": session.pk, "device": "bench-offline", "scans": scans[offset : offset + chunk]},
        )
        if status != 200:
            raise SystemExit(f"The batch endpoint answered HTTP {status}: {data}")
        for item in data["results"]:
            results[item["result"]] = results.get(item["result"], 0) + 1
    wall = time.perf_counter() - started
    return {"scans": len(scans), "distinct": len(distinct), "seconds": wall, "results": results}


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench checkin", description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the running server")
    parser.add_argument("--concurrency", type=int, default=32, help="concurrent scanners")
    parser.add_argument("--n", type=int, default=4000, help="single scans to send")
    parser.add_argument("--batch", type=int, default=10_000, help="queued offline scans to sync")
    parser.add_argument(
        "--chunk", type=int, default=1000, help="scans per batch request (the scanner sends 1000)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the benchmark programme afterwards")
    args = parser.parse_args(argv)

    people = args.n + args.batch
    print(f"Setting up a roster of {people} people …", flush=True)
    session, token, codes = _setup(people)
    single_codes, batch_codes = codes[: args.n], codes[args.n :]
    try:
        print(f"Single scans: {args.n} distinct passes, {args.concurrency} concurrent scanners → {args.url}")
        single = single_scans(args.url, token, session, single_codes, args.concurrency)
        print(
            f"  {single['scans']} scans in {single['seconds']:.2f} s = {single['per_second']:.0f} scans/s; "
            f"latency p50 {single['p50_ms']:.1f} ms, p95 {single['p95_ms']:.1f} ms, p99 {single['p99_ms']:.1f} ms"
        )
        print(f"  results: {single['results']}; errors: {single['error_count']} {single['errors']}")
        if args.batch:
            print(f"Offline sync: {args.batch} queued scans in requests of {args.chunk}")
            batch = batch_sync(args.url, token, session, batch_codes, args.batch, args.chunk)
            print(
                f"  {batch['scans']} scans ({batch['distinct']} distinct passes) synced in {batch['seconds']:.2f} s "
                f"= {batch['scans'] / batch['seconds']:.0f} scans/s; results: {batch['results']}"
            )
            expected = single["results"].get("checked_in", 0) + batch["distinct"]
        else:
            expected = single["results"].get("checked_in", 0)
        counted = CheckIn.objects.filter(session=session).count()
        print(
            f"Check-ins in the database: {counted} (expected {expected}): {'OK' if counted == expected else 'MISMATCH'}"
        )
    finally:
        if not args.keep:
            _clean()
