"""API rows for messaging (CONTRACT.md): bulk messages, their state and counts, reminder rules."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Body, Field, Router, Schema, Status

from plenary.access import api as access_api
from plenary.messaging import selectors, services

router = Router(tags=["messaging"])


class TextIn(Schema):
    en: str = ""
    zh_hant: str = ""


class MessageIn(Schema):
    subject: TextIn | str
    body: TextIn | str
    segment: dict = {}
    send_at: datetime | None = None
    channel: str = Field("email", description="email, sms or both; SMS only to those who agreed to it.")


class MessageCreated(Schema):
    id: int
    recipients: int


class MessageOut(Schema):
    id: int
    kind: str
    state: str
    send_at: datetime
    recipients: int
    queued: int
    sent: int
    failed: int
    retrying: int


class RuleIO(Schema):
    offset_minutes: int
    subject: TextIn | str = ""
    body: TextIn | str = ""
    channel: str = "email"


def _pair(value: TextIn | str) -> tuple[str, str]:
    if isinstance(value, str):
        return value, value
    return value.en, value.zh_hant


def _rule(rule) -> dict:
    return {
        "offset_minutes": rule.offset_minutes,
        "subject": {"en": rule.subject_en, "zh_hant": rule.subject_zh},
        "body": {"en": rule.body_en, "zh_hant": rule.body_zh},
        "channel": rule.channel,
    }


@router.post("programmes/{slug}/messages", response={201: MessageCreated})
def send_message(request, slug: str, payload: MessageIn):
    """Queues a bulk message to a segment (``{}``: everyone active), now or at ``send_at``."""
    programme, among = access_api.messaging_programme(request, slug)
    send_at = payload.send_at
    if send_at is not None and timezone.is_naive(send_at):
        send_at = timezone.make_aware(send_at, programme.tzinfo)
    message = services.compose(
        programme,
        subject=_pair(payload.subject),
        body=_pair(payload.body),
        segment=payload.segment,
        send_at=send_at,
        actor=request.auth,
        among=among,
        channel=payload.channel,
    )
    return Status(201, {"id": message.pk, "recipients": message.recipients})


@router.get("messages/{message_id}", response=MessageOut)
def message_state(request, message_id: int):
    message = access_api.message(request, message_id)
    return {
        "id": message.pk,
        "kind": message.kind,
        "state": message.state,
        "send_at": message.send_at,
        **selectors.counts(message),
    }


@router.get("programmes/{slug}/reminders", response=list[RuleIO])
def reminders(request, slug: str):
    programme = access_api.managed_programme(request, slug)
    return [_rule(rule) for rule in services.reminder_rules(programme)]


@router.put("programmes/{slug}/reminders", response=list[RuleIO])
def set_reminders(request, slug: str, payload: list[RuleIO] = Body(...)):  # noqa: B008 - ninja's way
    programme = access_api.managed_programme(request, slug)
    rules = [
        {
            "offset_minutes": r.offset_minutes,
            "subject": _text(r.subject),
            "body": _text(r.body),
            "channel": r.channel,
        }
        for r in payload
    ]
    return [_rule(rule) for rule in services.set_reminder_rules(programme, rules, actor=request.auth)]


def _text(value: TextIn | str):
    return value if isinstance(value, str) else {"en": value.en, "zh_hant": value.zh_hant}
