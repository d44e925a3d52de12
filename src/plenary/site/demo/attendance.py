"""Demo step: realistic online attendance for the five lectures, imported from generated reports.

Each lecture gets a report in a real export format (Zoom participants, Zoom webinar, Teams, Webex),
written for the programme's active registrants with full stays, late joins, rejoins, second devices,
dropouts, no-shows and a few guests nobody registered, then imported through the same service an
organiser's upload uses. Deterministic for the seed; importing the same file again changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta

from plenary.attendance import services
from plenary.attendance.reports import samples
from plenary.attendance.reports.samples import SampleRow
from plenary.programmes.models import Session
from plenary.registrations.models import Registration

FORMATS = ["zoom", "zoom-webinar", "teams", "zoom", "webex"]
GUESTS = [("iPad", ""), ("Meeting Room 3", ""), ("Guest", "guest@example.net")]


def _rows_for(person: Registration, session: Session, rng: random.Random) -> list[SampleRow]:
    start, end = session.starts_at, session.ends_at
    length = (end - start).total_seconds() / 60

    def minute(value: float):
        return start + timedelta(seconds=int(value * 60))

    roll = rng.random()
    name = person.name_en or person.name_zh
    style = rng.random()
    if style < 0.15 and person.name_zh:
        name = person.name_zh
    elif style < 0.25 and person.name_en:
        name = f"{person.name_en.split(' ', 1)[-1]} ({person.name_en})"  # renamed in the meeting
    email = person.email if rng.random() < 0.85 else ""
    if rng.random() < 0.1:
        email = email.upper()
    if roll < 0.08:
        return []  # registered, did not come
    if roll < 0.6:  # full stay
        return [SampleRow(name, email, minute(rng.uniform(-8, 3)), minute(length + rng.uniform(-2, 8)))]
    if roll < 0.75:  # late join
        return [SampleRow(name, email, minute(rng.uniform(10, 45)), minute(length + rng.uniform(-1, 5)))]
    if roll < 0.87:  # dropped and rejoined
        drop = rng.uniform(20, length - 20)
        back = drop + rng.uniform(1, 12)
        return [
            SampleRow(name, email, minute(rng.uniform(-5, 5)), minute(drop)),
            SampleRow(name, email, minute(back), minute(length + rng.uniform(0, 5))),
        ]
    if roll < 0.92:  # a laptop and a phone at once
        return [
            SampleRow(name, email, minute(rng.uniform(-5, 5)), minute(length)),
            SampleRow(
                f"{name}'s iPhone ({name})", "", minute(rng.uniform(10, 40)), minute(rng.uniform(60, length))
            ),
        ]
    return [SampleRow(name, email, minute(rng.uniform(-5, 10)), minute(rng.uniform(25, 80)))]  # dropped out


def report_for(session: Session, people: list[Registration], format: str, rng: random.Random) -> bytes:
    zone = session.programme.tzinfo
    rows, no_shows = [], []
    for person in people:
        mine = _rows_for(person, session, rng)
        rows += mine
        if not mine:
            no_shows.append((person.name_en or person.name_zh, person.email))
    for guest_name, guest_email in GUESTS:
        rows.append(
            SampleRow(
                guest_name,
                guest_email,
                session.starts_at + timedelta(minutes=rng.randint(0, 30)),
                session.starts_at + timedelta(minutes=rng.randint(40, 100)),
            )
        )
    rows.sort(key=lambda row: row.joined)
    title = session.title_en
    if format == "zoom":
        return samples.zoom_participants(
            title,
            session.starts_at - timedelta(minutes=10),
            session.ends_at + timedelta(minutes=10),
            rows,
            zone,
        )
    if format == "zoom-webinar":
        return samples.zoom_webinar(
            title,
            session.starts_at - timedelta(minutes=10),
            session.ends_at + timedelta(minutes=10),
            rows,
            no_shows,
            zone,
        )
    if format == "teams":
        return samples.teams(
            title,
            session.starts_at - timedelta(minutes=10),
            session.ends_at + timedelta(minutes=10),
            rows,
            zone,
        )
    return samples.webex(title, rows, zone)


def load(context) -> None:
    programme = context.programme
    people = list(services_registrants(programme))
    if not people:
        context.log.append("attendance: no registrations yet, no attendance generated")
        return
    lectures = list(programme.sessions.filter(kind=Session.Kind.LECTURE).order_by("starts_at"))
    for number, (lecture, format) in enumerate(zip(lectures, FORMATS, strict=False), start=1):
        rng = random.Random(f"{context.seed}-attendance-{number}")
        data = report_for(lecture, people, format, rng)
        extension = "csv"
        outcome = services.import_meeting_report(
            lecture, data, format=format, file_name=f"lecture-{number}-{format}.{extension}"
        )
        batch = outcome.batch
        context.log.append(
            f"attendance: lecture {number} ({batch.format}): {batch.rows} rows, {batch.matched} matched"
            + (" (already imported)" if outcome.duplicate else "")
        )


def services_registrants(programme):
    return Registration.objects.filter(programme=programme, status__in=services.ACTIVE_STATUSES).order_by(
        "pk"
    )
