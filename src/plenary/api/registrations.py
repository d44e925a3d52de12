"""API rows for registrations: create (organiser or coordinator), list, cancel."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from plenary.access import api as access_api
from plenary.access import rules as access
from plenary.api.auth import bearer
from plenary.api.schemas import Bilingual
from plenary.core.i18n import bilingual
from plenary.organisations.selectors import named
from plenary.programmes.selectors import programme_and_role
from plenary.registrations import selectors, services
from plenary.registrations.emails import private_url
from plenary.registrations.models import Registration, SeatAllocation

router = Router(tags=["registrations"])

ModeIn = Literal["in_person", "online"]


class RegistrationIn(Schema):
    name_en: str = Field("", max_length=200)
    name_zh: str = Field("", max_length=100)
    email: str = Field(max_length=254)
    phone: str = Field("", max_length=30)
    organisation: str = Field("", max_length=300)
    post: str = Field("", max_length=200)
    service_unit: str = Field("", max_length=200)
    rsw_number: str = Field("", max_length=20)
    mode: ModeIn = "online"
    modes: dict[int, ModeIn] | None = Field(None, description="Per hybrid session id, when they differ.")
    language: Literal["en", "zh-hant"] = "en"
    consent_pics: bool = False
    news_opt_in: bool = False
    photo_opt_out: bool = False
    sms_opt_in: bool = Field(False, description="Reminders and messages by SMS too (needs a mobile phone).")


class SeatOut(Schema):
    session_id: int
    title: Bilingual
    mode: str
    status: str


class RegistrationOut(Schema):
    reference: str
    status: str
    source: str
    name_en: str
    name_zh: str
    email: str
    organisation: str
    created_at: datetime
    seats: list[SeatOut]


class CreatedOut(RegistrationOut):
    pass_code: str
    private_url: str


class Page(Schema):
    items: list[RegistrationOut]
    next_after: int | None


class ListFilters(Schema):
    status: Literal["pending", "confirmed", "waitlisted", "cancelled", "rejected"] | None = None
    after: int | None = Field(
        None, ge=0, le=2**63 - 1, description="Continue after this cursor (from next_after)."
    )
    limit: int = Field(50, ge=1, le=500)


def _out(registration: Registration, seats=None) -> dict:
    seats = seats if seats is not None else selectors.seats_of(registration)
    organisation = registration.organisation
    return {
        "reference": registration.reference,
        "status": registration.status,
        "source": registration.source,
        "name_en": registration.name_en,
        "name_zh": registration.name_zh,
        "email": registration.email,
        "organisation": organisation.name_en if organisation else registration.organisation_name,
        "created_at": registration.created_at,
        "seats": [
            {
                "session_id": seat.session_id,
                "title": bilingual(seat.session.title_en, seat.session.title_zh),
                "mode": seat.mode,
                "status": seat.status,
            }
            for seat in seats
            if seat.session.has_room
        ],
    }


@router.post(
    "programmes/{slug}/registrations",
    response={201: CreatedOut},
    summary="Register a person (organiser) or nominate a member of staff (coordinator)",
)
def create_registration(request, slug: str, payload: RegistrationIn):
    user = request.auth
    programme, manages = programme_and_role(slug, user)
    if programme is None:
        raise HttpError(404, "Not found.")
    applicant = services.Applicant(
        email=payload.email,
        name_en=payload.name_en,
        name_zh=payload.name_zh,
        phone=payload.phone,
        post=payload.post,
        service_unit=payload.service_unit,
        rsw_number=payload.rsw_number,
        preferred_mode=payload.mode,
        modes=dict(payload.modes or {}),
        language=payload.language,
        consent_pics=payload.consent_pics,
        news_opt_in=payload.news_opt_in,
        photo_opt_out=payload.photo_opt_out,
        sms_opt_in=payload.sms_opt_in,
    )
    try:
        if manages:
            applicant.organisation = named(payload.organisation)
            applicant.organisation_name = "" if applicant.organisation else payload.organisation.strip()
            registration = services.register(
                programme, applicant, source=Registration.Source.ORGANISER, actor=user
            )
        else:
            agencies = list(access.coordinated_agencies(user))
            if not agencies:
                raise PermissionDenied(
                    "Only organisers of this programme and agency coordinators may register people."
                )
            agency = agencies[0]
            if len(agencies) > 1:
                chosen = named(payload.organisation)
                if chosen not in agencies:
                    raise HttpError(
                        422, "You coordinate several agencies: name one of them in 'organisation'."
                    )
                agency = chosen
            registration = services.nominate(programme, applicant, coordinator=user, agency=agency)
    except services.RegistrationError as error:
        raise HttpError(error.status, str(error.message)) from error
    return Status(
        201,
        {
            **_out(registration, registration.seat_list),
            "pass_code": registration.pass_code,
            "private_url": private_url(registration, base=request.build_absolute_uri("/")),
        },
    )


@router.get("programmes/{slug}/registrations", response=Page)
def list_registrations(request, slug: str, filters: Query[ListFilters]):
    _programme, queryset = access_api.registrations_of(request, slug)
    queryset = queryset.select_related("organisation")
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.after:
        queryset = queryset.filter(pk__gt=filters.after)
    rows = list(queryset.order_by("pk")[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    seats: dict[int, list] = {}
    for seat in (
        SeatAllocation.objects.filter(registration__in=rows)
        .select_related("session")
        .order_by("session__starts_at", "id")
    ):
        seats.setdefault(seat.registration_id, []).append(seat)
    return {
        "items": [_out(row, seats.get(row.pk, [])) for row in rows],
        "next_after": rows[-1].pk if more and rows else None,
    }


@router.delete(
    "registrations/{reference}",
    auth=None,
    response=RegistrationOut,
    summary="Cancel a registration (organiser, the agency's coordinator, or the participant's token)",
)
def cancel_registration(request, reference: str, token: str | None = None):
    registration = (
        Registration.objects.select_related("programme", "organisation").filter(reference=reference).first()
    )
    participant_token = token or request.headers.get("X-Participant-Token")
    actor = None
    if participant_token:
        if registration is None or not secrets.compare_digest(participant_token, registration.token):
            raise HttpError(404, "Not found.")
    else:
        user = bearer(request)
        if user is None:
            raise HttpError(
                401, "Authentication required: send Authorization: Bearer <token> or the participant token."
            )
        if registration is None or not access.sees_registration(user, registration):
            raise HttpError(404, "Not found.")
        actor = user
    services.cancel(registration, actor=actor)
    registration.refresh_from_db()
    return _out(registration)


@router.get("registrations/{reference}", response=RegistrationOut, summary="One registration")
def get_registration(request, reference: str):
    """Organisers of its programme, or the coordinator of the agency that nominated it."""
    registration = access_api.registration(request, reference)
    return _out(
        registration, list(registration.seats.select_related("session").order_by("session__starts_at", "id"))
    )
