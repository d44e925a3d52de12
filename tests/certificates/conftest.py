"""Helpers for the certificate tests: people on the reference programme and their attendance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from plenary.attendance.models import AttendanceEvent
from plenary.attendance.services import recompute
from plenary.registrations.models import Registration


def person(programme, number: int, *, organisation=None, name_zh: str = "陳大文", **fields) -> Registration:
    return Registration.objects.create(
        programme=programme,
        name_en=fields.pop("name_en", f"Chan Tai Man {number}"),
        name_zh=name_zh,
        email=fields.pop("email", f"person{number}@example.org"),
        organisation=organisation,
        rsw_number=fields.pop("rsw_number", f"S{number:05d}"),
        status=fields.pop("status", Registration.Status.CONFIRMED),
        **fields,
    )


def attend(registration, session, minutes: int | None = None, *, mode: str = "online", offset: int = 0):
    """Appends a presence event covering ``minutes`` of the session and recomputes attendance."""
    length = int(session.duration.total_seconds() // 60)
    minutes = length if minutes is None else minutes
    start = session.starts_at + timedelta(minutes=offset)
    AttendanceEvent.objects.create(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.QR_SCAN
        if mode == "in_person"
        else AttendanceEvent.Source.MEETING_REPORT,
        mode=mode,
        started_at=start,
        ended_at=start + timedelta(minutes=minutes),
    )
    return recompute(registration, session)


def correct(registration, session, minutes: int, actor=None):
    """An organiser's correction: an ``adjust`` event that sets the minutes, then recompute."""
    AttendanceEvent.objects.create(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.MANUAL,
        kind=AttendanceEvent.Kind.ADJUST,
        mode="online",
        started_at=session.starts_at,
        recorded_by=actor,
        reason="Correction from the meeting host's log",
        evidence={"minutes": minutes},
    )
    return recompute(registration, session)


@pytest.fixture
def sessions(reference_programme):
    """The counting sessions of the reference programme: five 120-minute lectures, a 150-minute sharing."""
    counting = list(
        reference_programme.sessions.filter(counts_towards_certificate=True).order_by("starts_at")
    )
    assert len(counting) == 6
    return counting


@pytest.fixture
def ceremony(reference_programme):
    return reference_programme.sessions.get(kind="ceremony")


def attend_all(registration, sessions, *, sharing_mode: str = "in_person"):
    for session in sessions:
        attend(registration, session, mode=sharing_mode if session.kind == "sharing" else "online")
