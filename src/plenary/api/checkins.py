"""The door's API: single scans, offline batches and the roster a scanner keeps for offline use.

Callers authenticate with a bearer token or, from the scanner page, with their signed-in session
(plus the CSRF header). Only staff assigned to the session's door, its organisers and platform
admins may scan.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.security import django_auth

from plenary.access.api import MAX_ID
from plenary.api.auth import bearer
from plenary.checkin import selectors, services
from plenary.programmes.models import Session

router = Router(tags=["check-in"], auth=[bearer, django_auth])

MAX_BATCH = 20_000


class ScanIn(Schema):
    code: Any = Field(None, description="The code read from the pass QR.")
    session_id: int
    client_event_id: uuid.UUID = Field(
        description="A UUID the scanner makes for this scan; replays are recognised."
    )
    scanned_at: datetime | None = Field(None, description="When the pass was scanned (defaults to now).")
    device: str = Field("", max_length=100, description="The scanner's own identifier, to report duplicates.")


class BatchScanIn(Schema):
    code: Any = None
    client_event_id: uuid.UUID
    scanned_at: datetime | None = None
    local_result: str = Field(
        "", max_length=40, description="What the device decided offline (kept for reports)."
    )


class BatchIn(Schema):
    session_id: int
    device: str = Field("", max_length=100)
    scans: list[BatchScanIn] = Field(max_length=MAX_BATCH)


class ScanOut(Schema):
    client_event_id: str
    result: str = Field(
        description="checked_in | already_checked_in | checked_out | not_registered_for_session | cancelled | unknown_code"
    )
    detail: str = Field(description="registered_online | waitlisted | pending | other_device, or empty")
    name: str
    name_en: str
    name_zh: str
    reference: str
    first_checked_in_at: datetime | None
    replayed: bool


class Counts(Schema):
    arrived: int
    expected: int


class ScanReply(ScanOut):
    counts: Counts


class BatchOut(Schema):
    results: list[ScanOut]
    duplicates: int = Field(
        description="Scans of passes that were already checked in (on this or another device)."
    )
    counts: Counts


class RosterEntry(Schema):
    code: str
    reference: str
    name_en: str
    name_zh: str
    state: str = Field(description="expected | online | waitlisted | cancelled")
    checked_in_at: datetime | None


class RosterOut(Schema):
    session_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    asks_for_check_out: bool
    generated_at: datetime
    counts: Counts
    entries: list[RosterEntry]


def door(request, session_id: int, code: str | None = None) -> tuple[Session, selectors.PassAtDoor | None]:
    """The session if the caller may scan at its door (404 when it does not exist, 403 when not theirs),
    and, given a pass code, the pass as ``selectors.door()`` read it in the same query."""
    if not 0 < session_id <= MAX_ID:
        raise Http404
    session, allowed, found = selectors.door(session_id, request.auth, code)
    if session is None:
        raise Http404
    if not allowed:
        raise PermissionDenied("You are not assigned to check people in at this session.")
    return session, found


def _local(value: datetime | None, session: Session) -> datetime | None:
    return timezone.localtime(value, session.programme.tzinfo) if value else None


def _aware(value: datetime | None, session: Session) -> datetime | None:
    if value is None:
        return None
    return timezone.make_aware(value, session.programme.tzinfo) if timezone.is_naive(value) else value


def _out(answer: services.ScanAnswer, session: Session) -> dict:
    return {
        "client_event_id": answer.client_event_id,
        "result": answer.result,
        "detail": answer.detail,
        "name": answer.name,
        "name_en": answer.name_en,
        "name_zh": answer.name_zh,
        "reference": answer.reference,
        "first_checked_in_at": _local(answer.first_checked_in_at, session),
        "replayed": answer.replayed,
    }


def _code(value) -> str:
    return value if isinstance(value, str) else ""


@router.post("checkins", response=ScanReply)
def scan(request, payload: ScanIn):
    code = services.normalise_code(payload.code)
    session, found = door(request, payload.session_id, code)
    answer = services.check_in(
        found=found if code else services.NOT_READ,
        code=_code(payload.code),
        session=session,
        client_event_id=payload.client_event_id,
        scanned_at=_aware(payload.scanned_at, session),
        device=payload.device,
        actor=request.auth,
    )
    return {**_out(answer, session), "counts": selectors.counts(session, arrived=answer.extra.get("arrived"))}


@router.post("checkins/batch", response=BatchOut)
def scan_batch(request, payload: BatchIn):
    session, _found = door(request, payload.session_id)
    answers = services.check_in_batch(
        [
            {
                "code": _code(item.code),
                "client_event_id": item.client_event_id,
                "scanned_at": _aware(item.scanned_at, session),
            }
            for item in payload.scans
        ],
        session=session,
        device=payload.device,
        actor=request.auth,
    )
    duplicates = sum(answer.result == services.Result.ALREADY_CHECKED_IN for answer in answers)
    return {
        "results": [_out(answer, session) for answer in answers],
        "duplicates": duplicates,
        "counts": selectors.counts(session, fresh=True),
    }


@router.get("sessions/{session_id}/roster", response=RosterOut)
def roster(request, session_id: int):
    session, _found = door(request, session_id)
    entries = selectors.roster(session)
    for entry in entries:
        entry["checked_in_at"] = _local(entry["checked_in_at"], session)
    return {
        "session_id": session.pk,
        "title": session.title,
        "starts_at": _local(session.starts_at, session),
        "ends_at": _local(session.ends_at, session),
        "asks_for_check_out": services.asks_for_check_out(session),
        "generated_at": _local(timezone.now(), session),
        "counts": selectors.counts(session, fresh=True),
        "entries": entries,
    }


class LookupEntry(Schema):
    code: str
    reference: str
    name_en: str
    name_zh: str


class LookupOut(Schema):
    matches: list[LookupEntry]


@router.get("sessions/{session_id}/lookup", response=LookupOut)
def lookup(request, session_id: int, q: str = ""):
    """What the scanner asks when its roster is not loaded (or does not know a typed value): the people
    of the session's programme with this reference or pass code, or whose name contains the text — at
    most 8, so that a name several people share is offered as a choice, never as "unknown pass"."""
    session, _found = door(request, session_id)
    query = q.strip()[:100]
    if len(query) < 2:
        return {"matches": []}
    people = selectors.find_at_door(session, query)
    return {
        "matches": [
            {
                "code": person.pass_code,
                "reference": person.reference,
                "name_en": person.name_en,
                "name_zh": person.name_zh,
            }
            for person in people
        ]
    }
