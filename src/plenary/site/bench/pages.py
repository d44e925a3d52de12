"""`plenary bench pages`: the public paths at opening load, measured from outside with wrk.

Run a server first (same DATABASE_URL and data dir as this command), with the two trivial views on:

    PLENARY_BENCH_VIEWS=1 PLENARY_TRUSTED_PROXIES=127.0.0.1 plenary serve --no-worker &
    plenary bench pages --seconds 10

Each path is measured beside the smallest view of the same stack in the same run, so the figures say
how near Plenary is to the stack's own limit on this machine:

- the programme page (English and Chinese, 16 clients) beside ``/bench/fixed/``, a fixed page as large;
- the blank registration form (16 clients);
- the form's POST (64 clients, CSRF on, each a new person, half asking for the room) beside
  ``/bench/insert/``, one INSERT in a transaction; then the room's seats are counted: none oversold;
- the private page ``/me/<token>/`` (32 clients, rotating over 500 of the people registered in that run),
  twice: from cold (each first visit renders the page and keeps it), then the same pages again;
- the API registration (64 clients), which organisers use.

wrk (Debian's package) is the outside load generator; it runs with one thread to leave the server
the other core. Each form POST comes from its own client address (``X-Forwarded-For``, as behind a
reverse proxy): start the server with ``PLENARY_TRUSTED_PROXIES=127.0.0.1`` so that the per-client
registration limit (issue 14) counts those addresses and not the load generator's one socket.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count

from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter
from plenary.site import benchviews
from plenary.site.bench.registrations import _call, _organiser_token

FORM_LUA = """
local n = 0
request = function()
  n = n + 1
  local mode = (n % 2 == 0) and "in_person" or "online"
  local body = "csrfmiddlewaretoken=" .. os.getenv("BENCH_TOKEN")
    .. "&name_en=Bench+Person+" .. n .. "&email=form-" .. os.getenv("BENCH_RUN") .. "-" .. n
    .. "%40bench.example.org&organisation_other=Bench+agency&consent_pics=on&"
    .. os.getenv("BENCH_MODE_FIELD") .. "=" .. mode
  return wrk.format("POST", os.getenv("BENCH_PATH"), {
    ["Cookie"] = "csrftoken=" .. os.getenv("BENCH_COOKIE"),
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["X-Forwarded-For"] = "10." .. math.floor(n / 65536) % 256 .. "." .. math.floor(n / 256) % 256 .. "." .. n % 256,
  }, body)
end
"""

INSERT_LUA = """
request = function()
  return wrk.format("POST", "/bench/insert/", {["Content-Type"] = "application/x-www-form-urlencoded"}, "note=x")
end
"""

PRIVATE_LUA = """
local tokens = {}
for token in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do tokens[#tokens + 1] = token end
local n = 0
request = function()
  n = n + 1
  return wrk.format("GET", "/me/" .. tokens[(n % #tokens) + 1] .. "/")
end
"""

API_LUA = """
local n = 0
request = function()
  n = n + 1
  local mode = (n % 2 == 0) and "in_person" or "online"
  local body = '{"name_en": "Api Person ' .. n .. '", "email": "api-' .. os.getenv("BENCH_RUN") .. '-' .. n
    .. '@bench.example.org", "organisation": "Bench agency", "mode": "' .. mode .. '", "consent_pics": true}'
  return wrk.format("POST", os.getenv("BENCH_PATH"), {
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_API_TOKEN"),
    ["Content-Type"] = "application/json",
  }, body)
end
"""


@dataclass
class Figure:
    rate: float
    p50: float
    p99: float
    requests: int
    bad: int

    def __str__(self) -> str:
        bad = f", {self.bad} non-2xx/3xx" if self.bad else ""
        return f"{self.rate:7.0f} req/s  p50 {self.p50:6.1f} ms  p99 {self.p99:6.1f} ms  ({self.requests} requests{bad})"


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse_wrk(output: str) -> Figure:
    """The rate, the 50th and 99th latency percentiles and the failures from ``wrk --latency``."""
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", output, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    failed = (int(bad.group(1)) if bad else 0) + (sum(map(int, errors.groups())) if errors else 0)
    return Figure(rate, p50, p99, requests, failed)


class Wrk:
    def __init__(self, binary: str, url: str, seconds: int) -> None:
        self.binary, self.url, self.seconds = binary, url.rstrip("/"), seconds

    def __call__(self, path: str, clients: int, script: str | None = None, **env: str) -> Figure:
        command = [self.binary, "-t1", f"-c{clients}", f"-d{self.seconds}s", "--latency", "--timeout", "10s"]
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
            if script:
                lua.write(script)
                lua.flush()
                command += ["-s", lua.name]
            done = subprocess.run(
                [*command, self.url + path],
                capture_output=True,
                text=True,
                env={**os.environ, **env},
                check=True,
            )
        return parse_wrk(done.stdout)


def _bench_programme(url: str, token: str, capacity: int) -> str:
    """An open programme with an online lecture and a hybrid session with a room, made through the API
    (so the same benchmark also runs against an older build of the server, on its own database)."""
    slug = f"bench-pages-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    # A month ahead, so the programme is open whenever the benchmark runs (never past).
    first = datetime.now(UTC).date() + timedelta(days=30)
    programme = {
        "slug": slug,
        "title": "Benchmark programme",
        "starts_on": first.isoformat(),
        "ends_on": (first + timedelta(days=2)).isoformat(),
        "status": "published",
        "registration_open": True,
        "organisation": "BENCH",
    }
    status, body = _call(url, token, "POST", "/api/v1/programmes", programme)
    if status != 201:
        raise SystemExit(f"Could not create the benchmark programme: {status} {body}")
    for index, (mode, venue) in enumerate(
        [("online", None), ("hybrid", {"name": f"Hall {slug}", "capacity": capacity})]
    ):
        session = {
            "kind": "lecture",
            "title": f"Session {index + 1}",
            "starts_at": (
                datetime(first.year, first.month, first.day, 2, tzinfo=UTC) + timedelta(days=index)
            ).isoformat(),
            "ends_at": (
                datetime(first.year, first.month, first.day, 4, tzinfo=UTC) + timedelta(days=index)
            ).isoformat(),
            "mode": mode,
            "venue": venue,
            "cpd_hours": "2",
        }
        status, body = _call(url, token, "POST", f"/api/v1/programmes/{slug}/sessions", session)
        if status != 201:
            raise SystemExit(f"Could not create a session: {status} {body}")
    return slug


def _largest_programme() -> str | None:
    """The published programme with the most registrations among those still open for registration (the
    page at opening load: places left, "Register"), else among all; earlier runs' own programmes aside."""
    # Only columns every build has: the benchmark may measure an older server on its own database.
    published = (
        Programme.objects.filter(status=Programme.Status.PUBLISHED)
        .exclude(slug__startswith="bench-")
        .annotate(n=Count("registrations"))
        .order_by("-n", "slug")
    )
    today = datetime.now(UTC).date()
    open_now = published.filter(registration_open=True, ends_on__gte=today)
    return open_now.values_list("slug", flat=True).first() or published.values_list("slug", flat=True).first()


def _csrf(url: str, path: str) -> tuple[str, str]:
    """A visitor's CSRF cookie and form token, as a browser gets them from the blank form."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(url.rstrip("/") + path, timeout=30).read().decode()  # noqa: S310 - our own server
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise SystemExit(f"{path} shows no registration form: is the programme open?")
    token = found.group(1)
    cookie = next(cookie.value for cookie in jar if cookie.name == settings.CSRF_COOKIE_NAME)
    return cookie, token


def _no_room_oversold(slug: str) -> str:
    counter = SeatCounter.objects.get(session__programme__slug=slug, mode=Registration.Mode.IN_PERSON)
    seats = dict(
        SeatAllocation.objects.filter(session__programme__slug=slug, mode=Registration.Mode.IN_PERSON)
        .values_list("status")
        .annotate(n=Count("id"))
    )
    confirmed = seats.get(SeatAllocation.Status.CONFIRMED, 0)
    ok = confirmed <= counter.capacity and confirmed == counter.taken
    verdict = "no seat oversold" if ok else "SEAT ACCOUNTING FAILED"
    return (
        f"room: {confirmed} confirmed of {counter.capacity}, {seats.get('waitlisted', 0)} waiting — {verdict}"
    )


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench pages", description=__doc__)
    parser.add_argument("--url", default=settings.BASE_URL, help="Base URL of the running server.")
    parser.add_argument("--seconds", type=int, default=10, help="Length of each wrk run.")
    parser.add_argument(
        "--programme",
        help="Slug of the programme whose page is measured (default: the largest open one, else the largest).",
    )
    parser.add_argument("--capacity", type=int, default=500, help="Seats in the benchmark room.")
    parser.add_argument("--wrk", default=shutil.which("wrk"), help="The wrk binary (apt install wrk).")
    options = parser.parse_args(argv)
    if not options.wrk:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    wrk = Wrk(options.wrk, options.url, options.seconds)
    base = options.url.rstrip("/")
    try:
        urllib.request.urlopen(base + "/bench/fixed/", timeout=10).read()  # noqa: S310 - our own server
        trivial = True
        benchviews.create_table()
    except urllib.error.HTTPError:
        trivial = False  # an older build, or PLENARY_BENCH_VIEWS off: the real paths only
    except OSError as error:
        raise SystemExit(f"No server answers at {base} ({error}).") from error

    shown = options.programme or _largest_programme()
    if shown is None:
        raise SystemExit("No published programme: run `plenary demo` first.")
    token = _organiser_token()
    slug = _bench_programme(options.url, token, options.capacity)
    hybrid = (
        Session.objects.filter(programme__slug=slug, mode=Session.Mode.HYBRID)
        .values_list("pk", flat=True)
        .get()
    )
    form = f"/p/{slug}/register/"
    api = f"/api/v1/programmes/{slug}/registrations"
    run_id = f"{time.time_ns()}"
    registered = Registration.objects.filter(programme__slug=shown).count()
    print(f"plenary bench pages · {base} · {connection.vendor} · wrk, {options.seconds} s per path")
    print(
        f"  programme page: {shown} ({registered} registrations); form: {slug} (room of {options.capacity})"
    )

    rows = []
    if trivial:
        rows.append(("trivial: fixed 13 KB page, 16 clients", wrk("/bench/fixed/", 16)))
    rows += [
        ("GET /p/<slug>/, 16 clients", wrk(f"/p/{shown}/", 16)),
        ("GET /zh-hant/p/<slug>/, 16 clients", wrk(f"/zh-hant/p/{shown}/", 16)),
        ("GET registration form, 16 clients", wrk(form, 16)),
    ]
    if trivial:
        rows.append(("trivial: INSERT in a transaction, 64 clients", wrk("/bench/insert/", 64, INSERT_LUA)))
    cookie, csrf = _csrf(options.url, form)
    lua_env = {"BENCH_RUN": run_id, "BENCH_PATH": form, "BENCH_MODE_FIELD": f"mode_{hybrid}"}
    rows.append(
        (
            "POST registration form, 64 clients",
            wrk(form, 64, FORM_LUA, BENCH_TOKEN=csrf, BENCH_COOKIE=cookie, **lua_env),
        )
    )
    stored = Registration.objects.filter(programme__slug=slug).count()
    tokens = ",".join(Registration.objects.filter(programme__slug=slug).values_list("token", flat=True)[:500])
    # Twice: the first run renders each person's page (their first visit: kept from then on, in
    # registrations/private_page.py); the second measures visits to pages already kept.
    rows.append(("GET /me/<token>/, 32 clients (cold)", wrk("/me/x/", 32, PRIVATE_LUA, BENCH_TOKENS=tokens)))
    rows.append(
        ("GET /me/<token>/, 32 clients (pages kept)", wrk("/me/x/", 32, PRIVATE_LUA, BENCH_TOKENS=tokens))
    )
    rows.append(
        (
            "POST /api/v1/…/registrations, 64 clients",
            wrk(api, 64, API_LUA, BENCH_API_TOKEN=token, BENCH_RUN=run_id, BENCH_PATH=api),
        )
    )
    for label, figure in rows:
        print(f"  {label:<46} {figure}")
    time.sleep(3)  # requests wrk left in flight finish before the room is counted
    print(f"  form registrations stored: {stored}; {_no_room_oversold(slug)}")
