"""API rows of the personal-data lifecycle: anonymise a registration (organisers)."""

from __future__ import annotations

from datetime import datetime

from ninja import Field, Router, Schema

from plenary.access import api as access_api
from plenary.api.schemas import FreeText
from plenary.privacy import services
from plenary.privacy.models import Anonymisation

router = Router(tags=["privacy"])


class AnonymiseIn(Schema):
    reason: FreeText = Field(
        min_length=1, max_length=500, description="Why: a request received, a court order…"
    )


class AnonymisedOut(Schema):
    reference: str
    anonymised_at: datetime
    source: str


@router.post(
    "registrations/{reference}/anonymise",
    response=AnonymisedOut,
    summary="Erase a person's personal data",
)
def anonymise(request, reference: str, payload: AnonymiseIn):
    """Organisers of its programme. Afterwards no name, email, phone or RSW number of the person remains;
    counts, seats, minutes and certificates (without the name) stay. A second erasure answers 409."""
    registration = access_api.managed_registration(request, reference)
    done = services.anonymise(
        registration, actor=request.auth, reason=payload.reason, source=Anonymisation.Source.ORGANISER
    )
    return {"reference": registration.reference, "anonymised_at": done.at, "source": done.source}
