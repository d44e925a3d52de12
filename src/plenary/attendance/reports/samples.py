"""Writes meeting reports in the real export formats, for the demo and the benchmark.

The output goes through the same parsers and import service as an organiser's upload, so the demo
and the benchmark exercise the real code path.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo


@dataclass
class SampleRow:
    name: str
    email: str
    joined: datetime
    left: datetime


def _csv(rows: Iterable[list[str]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return out.getvalue()


def _us(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%m/%d/%Y %I:%M:%S %p")


def _minutes(row: SampleRow) -> int:
    return max(1, math.ceil((row.left - row.joined).total_seconds() / 60))  # Zoom rounds up


def zoom_participants(
    topic: str, start: datetime, end: datetime, rows: list[SampleRow], zone: ZoneInfo
) -> bytes:
    people = len({row.email or row.name for row in rows})
    lines = [
        ["Meeting ID", "Topic", "Start Time", "End Time", "User Email", "Duration (Minutes)", "Participants"],
        [
            "812 3456 7890",
            topic,
            _us(start, zone),
            _us(end, zone),
            "host@example.org",
            str(_minutes(SampleRow("", "", start, end))),
            str(people),
        ],
        [],
        ["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)", "Guest"],
    ]
    lines += [
        [
            row.name,
            row.email,
            _us(row.joined, zone),
            _us(row.left, zone),
            str(_minutes(row)),
            "No" if row.email else "Yes",
        ]
        for row in rows
    ]
    return ("\ufeff" + _csv(lines)).encode("utf-8")


def zoom_webinar(
    topic: str,
    start: datetime,
    end: datetime,
    rows: list[SampleRow],
    no_shows: list[tuple[str, str]],
    zone: ZoneInfo,
) -> bytes:
    lines = [
        ["Attendee Report"],
        ["Report Generated:", _us(end, zone)],
        [
            "Topic",
            "Webinar ID",
            "Actual Start Time",
            "Actual Duration (minutes)",
            "# Registered",
            "Unique Viewers",
        ],
        [
            topic,
            "812 0000 1111",
            _us(start, zone),
            str(_minutes(SampleRow("", "", start, end))),
            str(len(rows) + len(no_shows)),
            str(len(rows)),
        ],
        ["Host Details"],
        [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Country/Region Name",
        ],
        [
            "Yes",
            "Programme Host",
            "host@example.org",
            _us(start, zone),
            _us(end, zone),
            str(_minutes(SampleRow("", "", start, end))),
            "Hong Kong SAR",
        ],
        ["Attendee Details"],
        [
            "Attended",
            "User Name (Original Name)",
            "Email",
            "Join Time",
            "Leave Time",
            "Time in Session (minutes)",
            "Is Guest",
            "Country/Region Name",
        ],
    ]
    lines += [
        [
            "Yes",
            row.name,
            row.email,
            _us(row.joined, zone),
            _us(row.left, zone),
            str(_minutes(row)),
            "No",
            "Hong Kong SAR",
        ]
        for row in rows
    ]
    lines += [["No", name, email, "--", "--", "--", "No", "--"] for name, email in no_shows]
    return _csv(lines).encode("utf-8")


def _teams_time(moment: datetime, zone: ZoneInfo) -> str:
    local = moment.astimezone(zone)
    return f"{local.month}/{local.day}/{local:%y}, {local.hour % 12 or 12}:{local:%M:%S} {'AM' if local.hour < 12 else 'PM'}"


def _teams_duration(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h {minutes}m {seconds}s" if hours else f"{minutes}m {seconds}s"


def teams(topic: str, start: datetime, end: datetime, rows: list[SampleRow], zone: ZoneInfo) -> bytes:
    """The current Teams attendance report: UTF-16, tab-separated, numbered sections."""
    by_person: dict[str, list[SampleRow]] = {}
    for row in rows:
        by_person.setdefault(row.email or row.name, []).append(row)
    lines = [
        ["1. Summary"],
        ["Meeting title", topic],
        ["Attended participants", str(len(by_person))],
        ["Start time", _teams_time(start, zone)],
        ["End time", _teams_time(end, zone)],
        ["Meeting duration", _teams_duration((end - start).total_seconds())],
        [],
        ["2. Participants"],
        ["Name", "First Join", "Last Leave", "In-Meeting Duration", "Email", "Participant ID (UPN)", "Role"],
    ]
    for person in by_person.values():
        first, last = min(r.joined for r in person), max(r.left for r in person)
        total = sum((r.left - r.joined).total_seconds() for r in person)
        lines.append(
            [
                person[0].name,
                _teams_time(first, zone),
                _teams_time(last, zone),
                _teams_duration(total),
                person[0].email,
                person[0].email,
                "Attendee",
            ]
        )
    lines += [
        [],
        ["3. In-Meeting Activities"],
        ["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"],
    ]
    lines += [
        [
            row.name,
            _teams_time(row.joined, zone),
            _teams_time(row.left, zone),
            _teams_duration((row.left - row.joined).total_seconds()),
            row.email,
            "Attendee",
        ]
        for row in rows
    ]
    return _csv(lines, "\t").encode("utf-16")


def webex(topic: str, rows: list[SampleRow], zone: ZoneInfo) -> bytes:
    """A Webex attendee export: UTF-16, tab-separated."""
    lines = [
        [
            "Meeting Name",
            "Meeting Number",
            "Name",
            "Attendee Email",
            "Join Time",
            "Leave Time",
            "Attendance Duration",
            "Attendee Type",
            "Client Type",
        ]
    ]
    lines += [
        [
            topic,
            "2511 234 5678",
            row.name,
            row.email,
            row.joined.astimezone(zone).strftime("%m/%d/%Y %I:%M %p"),
            row.left.astimezone(zone).strftime("%m/%d/%Y %I:%M %p"),
            f"{_minutes(row)} mins",
            "Attendee",
            "Webex Desktop",
        ]
        for row in rows
    ]
    return _csv(lines, "\t").encode("utf-16")
