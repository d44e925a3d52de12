"""Attendance workflows. Every source appends events; ``recompute()`` derives per-session attendance."""

from __future__ import annotations

from django.db import transaction

from plenary.attendance.intervals import covered_minutes
from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.programmes.models import Session
from plenary.registrations.models import Registration


def threshold_minutes(session: Session) -> int:
    """Minutes needed for a session to count as attended (the programme's share of its length)."""
    length = int(session.duration.total_seconds() // 60)
    return -(-length * session.programme.attendance_threshold_percent // 100)  # ceiling


@transaction.atomic
def recompute(registration: Registration, session: Session) -> Attendance:
    """Derives the attendance of one person at one session from all their events, deterministically.

    Voided events are ignored; a check-out ends the open in-person interval it follows; an ``adjust``
    event, the latest one winning, replaces the computed minutes (with who and why on the event).
    """
    events = list(
        AttendanceEvent.objects.filter(registration=registration, session=session).order_by(
            "started_at", "id"
        )
    )
    voided = {event.voids_id for event in events if event.kind == AttendanceEvent.Kind.VOID}
    live = [event for event in events if event.pk not in voided and event.kind != AttendanceEvent.Kind.VOID]
    checkouts = sorted(event.started_at for event in live if event.kind == AttendanceEvent.Kind.CHECK_OUT)
    intervals, modes, sources = [], set(), set()
    for event in live:
        if event.kind != AttendanceEvent.Kind.PRESENCE:
            continue
        end = event.ended_at or session.ends_at
        if event.ended_at is None:
            later = [moment for moment in checkouts if moment > event.started_at]
            if later:
                end = min(later[0], end)
        intervals.append((event.started_at, end))
        modes.add(event.mode)
        sources.add(event.source)
    minutes = covered_minutes(intervals, session.starts_at, session.ends_at)
    adjustments = [event for event in live if event.kind == AttendanceEvent.Kind.ADJUST]
    if adjustments:
        minutes = int(adjustments[-1].evidence.get("minutes", minutes))
        sources.add(AttendanceEvent.Source.MANUAL)
    first_seen = min((begin for begin, _end in intervals), default=None)
    mode = "hybrid" if len(modes) > 1 else next(iter(modes), "")
    attendance, _created = Attendance.objects.update_or_create(
        registration=registration,
        session=session,
        defaults={
            "minutes": minutes,
            "present": minutes >= threshold_minutes(session) and minutes > 0,
            "mode": mode,
            "first_seen_at": first_seen,
            "sources": sorted(sources),
        },
    )
    return attendance
