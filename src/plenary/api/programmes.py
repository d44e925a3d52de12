"""API rows for programmes and sessions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from plenary.access import api as access_api
from plenary.access import rules as access
from plenary.api.schemas import Bilingual, BilingualIn, FreeText
from plenary.core.i18n import bilingual
from plenary.organisations.models import Organisation
from plenary.programmes import selectors, services
from plenary.programmes.models import Programme, Session
from plenary.registrations.selectors import registrant_count

router = Router(tags=["programmes"])


class VenueIn(Schema):
    name: FreeText = Field(min_length=1, max_length=200)
    capacity: int = Field(ge=1, le=1_000_000)


class VenueOut(Schema):
    name: Bilingual
    capacity: int


class SpeakerOut(Schema):
    name: Bilingual
    post: Bilingual
    honorific: str


class SessionOut(Schema):
    id: int
    kind: str
    title: Bilingual
    starts_at: datetime
    ends_at: datetime
    mode: str
    venue: VenueOut | None
    online_capacity: int | None
    cpd_hours: float
    counts_towards_certificate: bool
    speakers: list[SpeakerOut]


class OrganiserOut(Schema):
    name: Bilingual
    acronym: str
    kind: str
    role: str


class ProgrammeSummary(Schema):
    slug: str
    title: Bilingual
    starts_on: date
    ends_on: date
    status: str
    registration_open: bool
    url: str


class Stats(Schema):
    registrants: int


class ProgrammeOut(ProgrammeSummary):
    summary: Bilingual
    time_zone: str
    organisers: list[OrganiserOut]
    sessions: list[SessionOut]
    stats: Stats


ProgrammeStatus = Literal["draft", "published", "archived"]


class ProgrammeIn(Schema):
    slug: str = Field(pattern=r"^[-a-zA-Z0-9_]+$", min_length=1, max_length=80)
    title: BilingualIn | FreeText
    starts_on: date
    ends_on: date
    status: Literal["draft", "published"] = "draft"
    registration_open: bool = False
    organisation: str | None = Field(
        None, description="Acronym or English name of the lead body, when the caller is staff of several."
    )


class ProgrammePatch(Schema):
    title: BilingualIn | FreeText | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    status: ProgrammeStatus | None = None
    registration_open: bool | None = None


class SessionIn(Schema):
    kind: Literal["ceremony", "lecture", "sharing", "workshop", "other"]
    title: BilingualIn | FreeText
    starts_at: datetime
    ends_at: datetime
    mode: Literal["online", "in_person", "hybrid"]
    venue: VenueIn | None = None
    online_capacity: int | None = Field(None, ge=1)
    online_url: str | None = Field(None, max_length=200)
    cpd_hours: Decimal = Field(Decimal("0"), ge=0, le=100, decimal_places=2)


def _title_fields(title: BilingualIn | str) -> dict[str, str]:
    if isinstance(title, str):
        return {"title_en": title}
    return {"title_en": title.en, "title_zh": title.zh_hant}


def _local(value: datetime, programme: Programme) -> datetime:
    return timezone.localtime(value, programme.tzinfo)


def _aware(value: datetime, programme: Programme) -> datetime:
    """Times without an offset are read in the programme's zone (invariant 4)."""
    return timezone.make_aware(value, programme.tzinfo) if timezone.is_naive(value) else value


def _programme_summary(programme: Programme, request) -> dict:
    return {
        "slug": programme.slug,
        "title": bilingual(programme.title_en, programme.title_zh),
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "status": programme.status,
        "registration_open": programme.registration_open,
        "url": request.build_absolute_uri(f"/p/{programme.slug}/"),
    }


def _session(session: Session, programme: Programme) -> dict:
    venue = session.venue
    return {
        "id": session.pk,
        "kind": session.kind,
        "title": bilingual(session.title_en, session.title_zh),
        "starts_at": _local(session.starts_at, programme),
        "ends_at": _local(session.ends_at, programme),
        "mode": session.mode,
        "venue": {"name": bilingual(venue.name_en, venue.name_zh), "capacity": venue.capacity}
        if venue
        else None,
        "online_capacity": session.online_capacity,
        "cpd_hours": float(session.cpd_hours),
        "counts_towards_certificate": session.counts_towards_certificate,
        "speakers": [
            {
                "name": bilingual(speaker.display_name_en, speaker.display_name_zh),
                "post": bilingual(speaker.post_en, speaker.post_zh),
                "honorific": speaker.honorific,
            }
            for speaker in session.speakers.all()
        ],
    }


def _programme(programme: Programme, request) -> dict:
    programme = selectors.programme_with_sessions(Programme.objects.filter(pk=programme.pk)).get()
    return {
        **_programme_summary(programme, request),
        "summary": bilingual(programme.summary_en, programme.summary_zh),
        "time_zone": programme.time_zone,
        "organisers": [
            {
                "name": bilingual(co.organisation.name_en, co.organisation.name_zh),
                "acronym": co.organisation.acronym,
                "kind": co.organisation.kind,
                "role": co.role,
            }
            for co in programme.co_organisers.all()
        ],
        "sessions": [_session(session, programme) for session in programme.sessions.all()],
        "stats": {"registrants": registrant_count(programme)},
    }


@router.get("programmes", auth=None, response=list[ProgrammeSummary])
def list_programmes(request):
    return [_programme_summary(programme, request) for programme in selectors.public_programmes()]


@router.get("programmes/{slug}", auth=None, response=ProgrammeOut)
def get_programme(request, slug: str):
    programme = get_object_or_404(selectors.public_programmes(), slug=slug)
    return _programme(programme, request)


@router.post("programmes", response={201: ProgrammeOut})
def create_programme(request, payload: ProgrammeIn):
    user = request.auth
    bodies = access.organiser_bodies(user)
    if payload.organisation:
        organisation = (
            Organisation.objects.filter(acronym__iexact=payload.organisation).first()
            or Organisation.objects.filter(name_en__iexact=payload.organisation).first()
        )
        if organisation is None:
            raise HttpError(422, "No organisation has that acronym or name.")
    elif bodies.count() == 1:
        organisation = bodies.get()
    elif not bodies.exists():
        raise PermissionDenied("Only organiser staff may create programmes.")
    else:
        raise HttpError(
            422, "You are staff of several bodies: say which leads the programme in 'organisation'."
        )
    if Programme.objects.filter(slug=payload.slug).exists():
        raise HttpError(409, "A programme with this slug already exists.")
    programme = services.create_programme(
        actor=user,
        organisation=organisation,
        slug=payload.slug,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        status=payload.status,
        registration_open=payload.registration_open,
        **_title_fields(payload.title),
    )
    return Status(201, _programme(programme, request))


@router.patch("programmes/{slug}", response=ProgrammeOut)
def change_programme(request, slug: str, payload: ProgrammePatch):
    programme = access_api.managed_programme(request, slug)
    changes = payload.dict(exclude_unset=True)
    if "title" in changes:
        if payload.title is None:
            raise HttpError(422, "title cannot be null.")
        changes.update(_title_fields(payload.title))
        del changes["title"]
    if any(value is None for value in changes.values()):
        raise HttpError(422, "Fields cannot be set to null.")
    services.update_programme(actor=request.auth, programme=programme, changes=changes)
    return _programme(programme, request)


@router.post("programmes/{slug}/sessions", response={201: SessionOut})
def add_session(request, slug: str, payload: SessionIn):
    programme = access_api.managed_programme(request, slug)
    session = services.add_session(
        actor=request.auth,
        programme=programme,
        venue=payload.venue.dict() if payload.venue else None,
        cpd_hours=payload.cpd_hours,
        kind=payload.kind,
        mode=payload.mode,
        starts_at=_aware(payload.starts_at, programme),
        ends_at=_aware(payload.ends_at, programme),
        online_capacity=payload.online_capacity,
        online_url=payload.online_url or "",
        **_title_fields(payload.title),
    )
    return Status(201, _session(session, programme))
