"""``plenary bench import [--rows N] [--registrations M]``: import and match a large Zoom report.

Builds a throwaway programme with M registrations and a Zoom participants export of N rows (rejoins,
name-only rows, guests), times ``import_meeting_report`` end to end (parse, match, events, bulk
recompute) and removes everything again.
"""

from __future__ import annotations

import argparse
import os
import random
import time
from datetime import UTC, date, datetime, timedelta

from django.db import transaction

from plenary.attendance import reports, services
from plenary.attendance.models import (
    Attendance,
    AttendanceEvent,
    AttendanceImport,
    NameAlias,
    Progress,
    StreamViewer,
)
from plenary.attendance.reports.samples import SampleRow, zoom_participants
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration

SLUG = "bench-attendance-import"


def _clean() -> None:
    for programme in Programme.objects.filter(slug=SLUG):
        for model, lookup in [
            (AttendanceEvent, "session__programme"),
            (Attendance, "session__programme"),
            (Progress, "programme"),
            (AttendanceImport, "session__programme"),
            (StreamViewer, "session__programme"),
            (NameAlias, "programme"),
            (Registration, "programme"),
        ]:
            queryset = model.objects.filter(**{lookup: programme})
            queryset._raw_delete(queryset.db)
        programme.delete()


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench import")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--registrations", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)
    _clean()
    start = datetime(2022, 11, 20, 6, 30, tzinfo=UTC)
    with transaction.atomic():
        programme = Programme.objects.create(
            slug=SLUG, title_en="Benchmark", starts_on=date(2022, 11, 20), ends_on=date(2022, 11, 20)
        )
        session = Session.objects.create(
            programme=programme,
            title_en="Benchmark lecture",
            starts_at=start,
            ends_at=start + timedelta(hours=2),
        )
        people = [
            Registration(
                programme=programme, name_en=f"Person {index} Bench", email=f"p{index}@bench.example.org"
            )
            for index in range(options.registrations)
        ]
        Registration.objects.bulk_create(people, batch_size=5000)
    rows = []
    for index in range(options.rows):
        who = index % options.registrations
        email = f"P{who}@bench.example.org" if rng.random() < 0.9 else ""
        name = f"Bench Person {who}" if rng.random() < 0.95 else f"Guest {index}"
        joined = start + timedelta(seconds=rng.randint(-600, 6000))
        rows.append(SampleRow(name, email, joined, joined + timedelta(seconds=rng.randint(60, 7200))))
    data = zoom_participants("Benchmark", start, start + timedelta(hours=2), rows, programme.tzinfo)
    print(f"file: {len(data) / 1e6:.1f} MB, {options.rows} rows; {options.registrations} registrations")
    try:
        began = time.perf_counter()
        parsed = reports.parse(data, zone=programme.time_zone)
        parse_seconds = time.perf_counter() - began
        reports.common.parse_time.cache_clear()
        began, cpu = time.perf_counter(), time.process_time()
        outcome = services.import_meeting_report(session, data, file_name="bench.csv")
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        batch = outcome.batch
        print(f"parse alone: {parse_seconds:.2f} s ({len(parsed.rows)} rows)")
        print(
            f"import: {seconds:.2f} s wall, {cpu:.2f} s CPU in this process — {batch.rows} rows, {batch.participants} participants, "
            f"{batch.matched} matched, {len(batch.unmatched_rows)} unmatched, "
            f"{Attendance.objects.filter(session=session).count()} attendance rows"
        )
        print(
            f"target under 5 s: {'met' if seconds < 5 else 'NOT met'} (load average {os.getloadavg()[0]:.1f})"
        )
    finally:
        _clean()
