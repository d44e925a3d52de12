"""The facts a press release states, read from the programme's data.

Every number, name and date in a composed release comes from here; the composer only words them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet

from plenary.media.models import Photo
from plenary.media.selectors import public, public_photos
from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, Programme, Session, Speaker
from plenary.publicity.models import PressRelease
from plenary.registrations.selectors import registrant_count

LECTURE_PREFIX_EN = re.compile(r"^\s*lecture(?:\s*\d+)?\s*(?:[:：.\-–—]\s*(?P<topic>.*))?$", re.IGNORECASE)
LECTURE_PREFIX_ZH = re.compile(
    r"^\s*(?:第\s*[0-9一二三四五六七八九十百]+\s*)?[講讲課课](?:座)?\s*(?:[:：.\-–—]\s*(?P<topic>.*))?$"
)


@dataclass
class Lecture:
    session: Session
    topic_en: str
    topic_zh: str
    lecturers: list[Speaker]


@dataclass
class ReleaseFacts:
    programme: Programme
    organisers: list[Organisation]
    workshop_dates: tuple[date, date] | None
    ceremony: Session | None
    lectures: list[Lecture]
    registrants: int
    closing: Session | None
    officials: list[Speaker]
    managers_shared: int
    photos: list[Photo] = field(default_factory=list)
    # Every session the sentences above do not name (workshops, other sessions, a second ceremony,
    # earlier sharing sessions): a release mentions each session of the programme.
    others: list[Session] = field(default_factory=list)

    @property
    def topics(self) -> list[Lecture]:
        return [lecture for lecture in self.lectures if lecture.topic_en or lecture.topic_zh]

    @property
    def lecturers(self) -> list[Speaker]:
        seen: dict[int, Speaker] = {}
        for lecture in self.lectures:
            for speaker in lecture.lecturers:
                seen.setdefault(speaker.pk, speaker)
        return list(seen.values())


def local_date(programme: Programme, session: Session) -> date:
    return session.starts_at.astimezone(programme.tzinfo).date()


def lecture_topic(title: str, pattern: re.Pattern) -> str:
    """ "Lecture 2: Political capacity building" → "Political capacity building"; "Lecture 5" → ""."""
    match = pattern.match(title or "")
    if match is None:
        return (title or "").strip()
    return (match.group("topic") or "").strip()


def officials_in_person(session: Session) -> list[Speaker]:
    """Officials who attended the session in person: its official speakers, in run-down order.

    Speakers are not registrants, so there is no check-in evidence for them yet; when there is,
    this is the one place to refine.
    """
    by_rundown = [
        item.speaker
        for item in session.agenda_items.select_related("speaker").order_by("order", "id")
        if item.speaker is not None and item.speaker.is_official
    ]
    listed = list(session.speakers.filter(is_official=True).order_by("id"))
    ordered: dict[int, Speaker] = {}
    for speaker in by_rundown + listed:
        ordered.setdefault(speaker.pk, speaker)
    return list(ordered.values())


def managers_shared(session: Session) -> int:
    """How many people shared reflections: non-official speakers of the session's sharing items."""
    return (
        session.agenda_items.filter(kind=AgendaItem.Kind.SHARING, speaker__isnull=False)
        .exclude(speaker__is_official=True)
        .values("speaker")
        .distinct()
        .count()
    )


def release_facts(programme: Programme, photos: list[Photo] | None = None) -> ReleaseFacts:
    sessions = list(
        programme.sessions.select_related("venue").prefetch_related("speakers").order_by("starts_at", "id")
    )
    sharing = [s for s in sessions if s.kind == Session.Kind.SHARING]
    closing = sharing[-1] if sharing else None
    return build_facts(
        programme,
        sessions,
        organisers=[co.organisation for co in programme.co_organisers.select_related("organisation")],
        registrants=registrant_count(programme),
        lecturers={s.pk: list(s.speakers.all()) for s in sessions if s.kind == Session.Kind.LECTURE},
        officials=officials_in_person(closing) if closing else [],
        managers=managers_shared(closing) if closing else 0,
        photos=photos,
    )


def build_facts(
    programme: Programme,
    sessions: list[Session],
    *,
    organisers: list[Organisation],
    registrants: int,
    lecturers: dict | None = None,
    officials: list[Speaker] | None = None,
    managers: int = 0,
    photos: list[Photo] | None = None,
) -> ReleaseFacts:
    """The facts from sessions already read (in time order): what each sentence of a release states."""
    lecturers = lecturers or {}
    ceremonies = [s for s in sessions if s.kind == Session.Kind.CEREMONY]
    lecture_sessions = [s for s in sessions if s.kind == Session.Kind.LECTURE]
    sharing = [s for s in sessions if s.kind == Session.Kind.SHARING]
    closing = sharing[-1] if sharing else None
    ceremony = ceremonies[0] if ceremonies else None
    dated = ceremonies[:1] + lecture_sessions or [s for s in sessions if s is not closing] or sessions
    workshop_days = [local_date(programme, s) for s in dated]
    lectures = [
        Lecture(
            session=s,
            topic_en=lecture_topic(s.title_en, LECTURE_PREFIX_EN),
            topic_zh=lecture_topic(s.title_zh, LECTURE_PREFIX_ZH),
            lecturers=list(lecturers.get(s.pk, [])),
        )
        for s in lecture_sessions
    ]
    named = {id(s) for s in [ceremony, closing, *lecture_sessions] if s is not None}
    return ReleaseFacts(
        programme=programme,
        organisers=list(organisers),
        workshop_dates=(min(workshop_days), max(workshop_days)) if workshop_days else None,
        ceremony=ceremony,
        lectures=lectures,
        registrants=registrants,
        closing=closing,
        officials=list(officials or []),
        managers_shared=managers,
        photos=list(photos) if photos is not None else [],
        others=[s for s in sessions if id(s) not in named],
    )


def published_releases() -> QuerySet[PressRelease]:
    return PressRelease.objects.filter(
        status=PressRelease.Status.PUBLISHED, programme__status__in=["published", "archived"]
    ).select_related("programme")


def release_photos(release: PressRelease) -> list[Photo]:
    """The photos a release shows: those chosen for it that are public now (``media.selectors.public``)
    — a photo withdrawn after the release was published leaves its page, API, PDF and .docx at once."""
    return list(public(release.ordered_photos()).select_related("session"))


def selectable_photos(programme: Programme) -> QuerySet[Photo]:
    """Photos a release may carry: the public ones."""
    return public_photos(programme)
