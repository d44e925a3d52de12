"""Calendar feeds: a programme's sessions (public) and one person's (with their join links).

UIDs are stable (``session-<id>@<host>``; a person's feed adds their reference), ``SEQUENCE`` rises
whenever what the feed says about a session changes (``SessionRevision``: a fingerprint of its times,
title, place and link, compared at every read with a conditional update), and the programme's zone is
given as a ``VTIMEZONE`` with times written in it.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlparse

import icalendar
from django.conf import settings
from django.db import IntegrityError
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation

from plenary.core.i18n import pick
from plenary.messaging.models import SessionRevision
from plenary.messaging.selectors import absolute
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation


def _fingerprint(session: Session) -> str:
    venue = session.venue
    parts = [
        session.starts_at.isoformat(),
        session.ends_at.isoformat(),
        session.title_en,
        session.title_zh,
        session.mode,
        session.online_url,
        venue.name_en if venue else "",
        venue.address_en if venue else "",
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def sequences(sessions: list[Session]) -> dict[int, int]:
    """Each session's SEQUENCE: 0 at first, one more whenever its fingerprint changes."""
    known = {r.session_id: r for r in SessionRevision.objects.filter(session__in=[s.pk for s in sessions])}
    result = {}
    for session in sessions:
        fingerprint = _fingerprint(session)
        revision = known.get(session.pk)
        if revision is None:
            try:
                SessionRevision.objects.create(session=session, sequence=0, fingerprint=fingerprint)
            except IntegrityError:  # another request wrote it first
                revision = SessionRevision.objects.get(session=session)
            else:
                result[session.pk] = 0
                continue
        if revision.fingerprint != fingerprint:
            SessionRevision.objects.filter(session=session, fingerprint=revision.fingerprint).update(
                sequence=F("sequence") + 1, fingerprint=fingerprint
            )
            revision = SessionRevision.objects.get(session=session)
        result[session.pk] = revision.sequence
    return result


def _calendar(programme: Programme, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Plenary//Calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", programme.time_zone)
    return cal


def _event(session: Session, uid: str, sequence: int, programme: Programme) -> icalendar.Event:
    zone = programme.tzinfo
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("summary", f"{programme.title} · {session.title}")
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("dtstamp", timezone.now())
    return event


def _host() -> str:
    return urlparse(settings.BASE_URL).hostname or "plenary"


def programme_feed(programme: Programme) -> bytes:
    sessions = list(programme.sessions.select_related("venue").order_by("starts_at", "pk"))
    seq = sequences(sessions)
    cal = _calendar(programme, programme.title)
    page = absolute(reverse("programmes:detail", args=[programme.slug]))
    for session in sessions:
        event = _event(session, f"session-{session.pk}@{_host()}", seq[session.pk], programme)
        if session.venue_id and session.mode != Session.Mode.ONLINE:
            event.add("location", pick(session.venue.name_en, session.venue.name_zh))
        event.add("url", page)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def personal_feed(registration: Registration) -> bytes:
    """The sessions this person holds a confirmed place in, with their own join link or venue."""
    programme = registration.programme
    with translation.override(registration.language):
        seats = list(
            SeatAllocation.objects.filter(registration=registration, status=SeatAllocation.Status.CONFIRMED)
            .select_related("session", "session__venue")
            .order_by("session__starts_at")
        )
        if registration.status not in (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED):
            seats = []
        seq = sequences([s.session for s in seats])
        cal = _calendar(programme, programme.title)
        private = absolute(reverse("registrations:private", args=[registration.token]))
        for seat in seats:
            session = seat.session
            event = _event(
                session,
                f"session-{session.pk}-{registration.reference}@{_host()}",
                seq[session.pk],
                programme,
            )
            if seat.mode == Registration.Mode.IN_PERSON and session.venue_id:
                event.add("location", pick(session.venue.name_en, session.venue.name_zh))
                event.add("url", private)
            elif session.online_url:
                join = absolute(reverse("attendance:join", args=[registration.token, session.pk]))
                event.add("location", join)
                event.add("url", join)
                event.add("description", join)
            cal.add_component(event)
        cal.add_missing_timezones()
        return cal.to_ical()
