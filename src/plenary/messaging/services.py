"""Every write of messaging: reminder rules, composing and cancelling a message, and the sender.

The sender (``sweep()``, run each minute by every ``plenary worker``, and ``pump()``, also enqueued when
a message is sent now) is safe to run in any number of processes at once:

- a due reminder is *inserted or skipped*: the reminder message is unique per session and offset, the
  delivery per message, person and channel, and both inserts are ``ON CONFLICT DO NOTHING``;
- a sender takes a delivery by a conditional update that writes its own lease token, so two senders
  never hold the same delivery; one that dies lets go when its lease ends (``LEASE``), and the delivery
  is sent by the next sweep.

What "exactly once" can and cannot mean here. SMTP has no idempotency: a server that accepted a
message (250 after DATA) cannot be asked whether it did, and a sender killed after that answer and
before it wrote "sent" leaves the database saying "not known". So the sender marks a batch ``SENDING``
and fixes each delivery's Message-ID *before* it hands anything over, and records outcomes after every
``FLUSH_EVERY`` messages. A delivery found ``SENDING`` under an ended lease is sent again with the same
Message-ID. Guaranteed: every recipient gets the message at least once (barring a permanent failure);
a second copy exists only for a delivery in flight when its sender died (at most ``FLUSH_EVERY`` of
them per dead sender), and it carries the same Message-ID as the first, so mail clients and mailbox
stores that deduplicate by Message-ID show one message. Not guaranteed: that no second copy is ever
transmitted. SMS gateways get the same key as an ``Idempotency-Key`` header.

Due times are computed from each session's start at every sweep, so reminders follow a session that moves.
Only the latest due rule of a session goes out (a person who registers an hour before gets the 1-hour
reminder, not the 1-day one as well). A reminder is for a confirmed place in the session: a person on
the waiting list of that session gets nothing (the promotion email tells them when a place frees), nor
does anyone pending, cancelled or rejected. A person waiting for a room who holds a confirmed online
place in another session is reminded of that session.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, CharField, Exists, F, OuterRef, Q, Value, When
from django.db.models.functions import Cast, Concat
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plenary.core import audit
from plenary.core.i18n import pick
from plenary.core.models import AuditEntry
from plenary.core.privacy import looks_like_hkid
from plenary.core.tasks import enqueue_on_commit
from plenary.messaging import merge, selectors
from plenary.messaging.channels import FAILED, RETRY, SENT, Outgoing, channel
from plenary.messaging.errors import MessageRefused, TooLateToCancel
from plenary.messaging.models import Channels, Delivery, Message, ReminderRule
from plenary.programmes.models import Programme, Session
from plenary.registrations import private_page
from plenary.registrations.models import Registration, SeatAllocation

logger = logging.getLogger(__name__)

DEFAULT_OFFSETS = (24 * 60, 60)
MAX_OFFSET = 30 * 24 * 60
MAX_ATTEMPTS = 5
# How long a sender holds the deliveries it took (a dead sender's are taken again after this).
LEASE = timedelta(seconds=int(os.environ.get("PLENARY_MESSAGE_LEASE_SECONDS", "300")))
BATCH = 100
# Outcomes are written after every this many messages handed over (one UPDATE for the sent ones): the
# most copies a sender killed mid-batch can leave unrecorded, and so the most that can go twice.
FLUSH_EVERY = max(1, int(os.environ.get("PLENARY_MESSAGE_FLUSH_EVERY", "10")))
# At most this many messages a second from one sender (0: as fast as the mail server takes them).
RATE = float(os.environ.get("PLENARY_MESSAGES_PER_SECOND", "0"))
# A reminder goes for a confirmed place in the session; the person's registration may be confirmed, or
# waiting for a room elsewhere while holding this place (an online lecture). Never pending or cancelled.
REMINDED = (Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the n-th temporary failure: 1, 2, 4, 8 … minutes."""
    return timedelta(minutes=2 ** max(0, attempts - 1))


# --- reminder rules -------------------------------------------------------------------------------


def reminder_rules(programme: Programme) -> list[ReminderRule]:
    """The programme's reminder rules that are on; a programme without any rule gets the defaults."""
    if not ReminderRule.objects.filter(programme=programme).exists():
        ReminderRule.objects.bulk_create(
            [ReminderRule(programme=programme, offset_minutes=m) for m in DEFAULT_OFFSETS],
            ignore_conflicts=True,
        )
    return list(ReminderRule.objects.filter(programme=programme, enabled=True).order_by("-offset_minutes"))


def _text(value, field: str) -> tuple[str, str]:
    """A bilingual text given as {"en": …, "zh_hant": …} or a plain string (the same in both)."""
    if value is None:
        return "", ""
    if isinstance(value, str):
        return value, value
    if isinstance(value, dict):
        return str(value.get("en") or ""), str(value.get("zh_hant") or value.get("zh") or "")
    raise MessageRefused(_("%(field)s must be a text or an object with en and zh_hant.") % {"field": field})


@transaction.atomic
def set_reminder_rules(programme: Programme, rules: list[dict], *, actor=None) -> list[ReminderRule]:
    """Replaces the programme's reminder rules: those listed are on (texts may be empty: the standard
    reminder), the others are switched off. Refuses bad offsets and unknown merge fields."""
    wanted: dict[int, tuple[str, str, str, str, str]] = {}
    for rule in rules:
        offset = rule.get("offset_minutes")
        if not isinstance(offset, int) or isinstance(offset, bool) or not 1 <= offset <= MAX_OFFSET:
            raise MessageRefused(
                _("A reminder's offset must be a whole number of minutes from 1 to %(max)s.")
                % {"max": MAX_OFFSET}
            )
        if offset in wanted:
            raise MessageRefused(
                _("Two reminders have the same offset (%(offset)s minutes).") % {"offset": offset}
            )
        subject_en, subject_zh = _text(rule.get("subject"), "subject")
        body_en, body_zh = _text(rule.get("body"), "body")
        merge.check(subject_en, subject_zh, body_en, body_zh)
        refuse_hkid(subject_en, subject_zh, body_en, body_zh)
        wanted[offset] = (subject_en, subject_zh, body_en, body_zh, check_channel(rule.get("channel")))
    reminder_rules(programme)  # the defaults exist before they are switched off
    ReminderRule.objects.filter(programme=programme).exclude(offset_minutes__in=list(wanted)).update(
        enabled=False
    )
    for offset, (subject_en, subject_zh, body_en, body_zh, channel_choice) in wanted.items():
        ReminderRule.objects.update_or_create(
            programme=programme,
            offset_minutes=offset,
            defaults={
                "subject_en": subject_en[:300],
                "subject_zh": subject_zh[:300],
                "body_en": body_en,
                "body_zh": body_zh,
                "channel": channel_choice,
                "enabled": True,
            },
        )
    result = reminder_rules(programme)
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=programme,
        programme=programme,
        summary=_("Reminders: %(offsets)s minutes before each session")
        % {"offsets": ", ".join(str(r.offset_minutes) for r in result) or "—"},
    )
    return result


# --- composing and cancelling ---------------------------------------------------------------------


def check_channel(value) -> str:
    """A message's or rule's channels: email (the default), sms or both; refuses anything else."""
    if value in (None, ""):
        return Channels.EMAIL
    if value not in Channels.values:
        raise MessageRefused(_("Send by must be one of: %(known)s.") % {"known": ", ".join(Channels.values)})
    return value


def sms_recipients(people):
    """Those of ``people`` a text message may go to: a mobile number given and SMS agreed to."""
    return people.filter(sms_opt_in=True).exclude(phone="")


def check_texts(subject_en: str, subject_zh: str, body_en: str, body_zh: str) -> None:
    if not (subject_en.strip() or subject_zh.strip()):
        raise MessageRefused(_("Write a subject (in English, Chinese or both)."))
    if not (body_en.strip() or body_zh.strip()):
        raise MessageRefused(_("Write the text of the message (in English, Chinese or both)."))
    merge.check(subject_en, subject_zh, body_en, body_zh)
    refuse_hkid(subject_en, subject_zh, body_en, body_zh)


def refuse_hkid(*texts: str) -> None:
    """A message goes to many people: an identity card number typed into it is refused (PDPO)."""
    if any(looks_like_hkid(text or "") for text in texts):
        raise MessageRefused(
            _(
                "The text looks like it contains an identity card number. Never put an HKID number in a message."
            )
        )


def recipients(programme: Programme, segment: dict, among=None):
    """The registrations a message to ``segment`` would go to; refuses an empty segment."""
    people = selectors.segment_queryset(programme, segment, among)
    if not people.exists():
        raise MessageRefused(
            _("Nobody matches these recipients: nothing was queued. Choose other recipients.")
        )
    return people


def compose(
    programme: Programme,
    *,
    subject: tuple[str, str],
    body: tuple[str, str],
    segment: dict | None = None,
    send_at: datetime | None = None,
    actor=None,
    among=None,
    channel: str | None = None,
) -> Message:
    """Checks a bulk message, then stores it and queues one delivery per recipient, in one transaction.

    Nothing is queued when it is refused (an unknown merge field, nobody to send it to). ``among`` is what
    the sender may see (a coordinator: their agency's nominations); ``send_at`` empty or past: now."""
    subject_en, subject_zh = subject
    body_en, body_zh = body
    check_texts(subject_en, subject_zh, body_en, body_zh)
    channel = check_channel(channel)
    segment = segment or {}
    now = timezone.now()
    send_at = max(send_at or now, now)
    with transaction.atomic():
        people = recipients(programme, segment, among)
        if channel == Channels.SMS and not sms_recipients(people).exists():
            raise MessageRefused(
                _(
                    "None of these recipients gave a mobile number and agreed to SMS: nothing was queued. "
                    "Send by email, or choose other recipients."
                )
            )
        message = Message.objects.create(
            programme=programme,
            kind=Message.Kind.BULK,
            channel=channel,
            subject_en=subject_en[:300],
            subject_zh=subject_zh[:300],
            body_en=body_en,
            body_zh=body_zh,
            segment=segment,
            send_at=send_at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        count = _queue(message, people, send_at)
        Message.objects.filter(pk=message.pk).update(recipients=count)
        message.recipients = count
        audit.record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=message,
            programme=programme,
            summary=_("Message to %(count)s people") % {"count": count},
        )
        if send_at <= now:
            from plenary.messaging.tasks import pump_messages

            enqueue_on_commit(pump_messages)
    return message


def _queue(message: Message, people, when: datetime, session: Session | None = None) -> int:
    """Inserts the deliveries by the message's channels (or skips those that exist); returns how many
    people were offered. A text message is queued only for a person with a mobile number who agreed to
    SMS (checked again when it is sent: a consent withdrawn meanwhile stops it)."""
    channels = Channels.of(message.channel)
    rows = people.values_list("pk", "email", "phone", "sms_opt_in")
    batch, count = [], 0
    for registration_id, email, phone, sms_opt_in in rows.iterator(chunk_size=2000):
        for name in channels:
            if name == Channels.SMS and not (sms_opt_in and phone.strip()):
                continue
            batch.append(
                Delivery(
                    message=message,
                    registration_id=registration_id,
                    session=session,
                    channel=name,
                    address=email if name == Channels.EMAIL else phone.strip(),
                    next_attempt_at=when,
                )
            )
        count += 1
        if len(batch) >= 2000:
            Delivery.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Delivery.objects.bulk_create(batch, ignore_conflicts=True)
    return count


def cancel(message: Message, *, actor=None) -> None:
    """Cancels a scheduled message before it goes (a conditional update: the sender may be starting)."""
    changed = Message.objects.filter(
        pk=message.pk, state=Message.State.SCHEDULED, kind=Message.Kind.BULK
    ).update(state=Message.State.CANCELLED)
    if not changed:
        raise TooLateToCancel
    message.state = Message.State.CANCELLED
    audit.record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=message,
        programme=message.programme_id,
        summary=_("Message cancelled before it went"),
    )


# --- reminders due --------------------------------------------------------------------------------


def queue_due_reminders(now: datetime | None = None) -> int:
    """Inserts the deliveries of every reminder due now (or skips those already there); returns how
    many were new. Due: the latest rule whose time (session start − offset) has come, before the start."""
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            starts_at__gt=now,
            starts_at__lte=now + timedelta(minutes=MAX_OFFSET),
            programme__status=Programme.Status.PUBLISHED,
        )
        .select_related("programme")
        .order_by("starts_at")
    )
    rules_of: dict[int, list[ReminderRule]] = {}
    new = 0
    for session in sessions:
        if session.programme_id not in rules_of:
            rules_of[session.programme_id] = reminder_rules(session.programme)
        due = [
            r
            for r in rules_of[session.programme_id]
            if session.starts_at - timedelta(minutes=r.offset_minutes) <= now
        ]
        if not due:
            continue
        rule = min(due, key=lambda r: r.offset_minutes)
        new += _queue_reminder(session, rule, session.starts_at - timedelta(minutes=rule.offset_minutes))
    return new


def _queue_reminder(session: Session, rule: ReminderRule, due_at: datetime) -> int:
    Message.objects.bulk_create(
        [
            Message(
                programme_id=session.programme_id,
                kind=Message.Kind.REMINDER,
                session=session,
                offset_minutes=rule.offset_minutes,
                subject_en=rule.subject_en,
                subject_zh=rule.subject_zh,
                body_en=rule.body_en,
                body_zh=rule.body_zh,
                channel=rule.channel,
                send_at=due_at,
                state=Message.State.SENDING,
            )
        ],
        ignore_conflicts=True,
    )
    message = Message.objects.get(
        kind=Message.Kind.REMINDER, session=session, offset_minutes=rule.offset_minutes
    )
    people = Registration.objects.filter(
        status__in=REMINDED,
        seats__session=session,
        seats__status=SeatAllocation.Status.CONFIRMED,
    ).exclude(Exists(Delivery.objects.filter(message=message, registration=OuterRef("pk"))))
    before = message.deliveries.count()
    _queue(message, people, timezone.now(), session=session)
    after = message.deliveries.count()
    if after != before:
        people_count = message.deliveries.values("registration").distinct().count()
        Message.objects.filter(pk=message.pk).update(recipients=people_count, state=Message.State.SENDING)
    return after - before


# --- the sender -----------------------------------------------------------------------------------


def sweep(now: datetime | None = None) -> dict[str, int]:
    """What every worker runs each minute: queue the reminders due, then send what is due."""
    queued = queue_due_reminders(now)
    return {"queued": queued, **pump()}


def pump(limit: int | None = None) -> dict[str, int]:
    """Sends due deliveries in batches until none is left (or ``limit`` were handled)."""
    now = timezone.now()
    Message.objects.filter(state=Message.State.SCHEDULED, send_at__lte=now).update(
        state=Message.State.SENDING
    )
    totals = {SENT: 0, RETRY: 0, FAILED: 0}
    handled = 0
    texts: dict[int, _Texts] = {}  # a message's texts per language, prepared once for all its batches
    while limit is None or handled < limit:
        token, taken = _take(BATCH if limit is None else min(BATCH, limit - handled))
        if not taken:
            break
        for state, n in _send(taken, token, texts).items():
            totals[state] += n
        handled += len(taken)
    _finish_messages()
    return {"sent": totals[SENT], "retrying": totals[RETRY], "failed": totals[FAILED]}


OPEN_STATES = (Delivery.State.QUEUED, Delivery.State.RETRYING, Delivery.State.SENDING)


def _free(now: datetime) -> Q:
    """Deliveries no live sender holds: never leased, or their lease has ended."""
    return Q(leased_until__isnull=True) | Q(leased_until__lt=now)


def mail_domain() -> str:
    """The domain part of Plenary's Message-IDs: the site's own host name."""
    from urllib.parse import urlsplit

    from django.conf import settings

    return urlsplit(getattr(settings, "BASE_URL", "") or "").hostname or "plenary.invalid"


def _take(size: int) -> tuple[str, list[Delivery]]:
    """Takes up to ``size`` deliveries under a fresh lease (a conditional update: never two senders):
    those due, and those a dead sender left ``SENDING``. The same update marks them ``SENDING`` and
    fixes the Message-ID of each that has none yet, before anything is handed to a mail server."""
    now = timezone.now()
    ready = Q(state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING), next_attempt_at__lte=now) | Q(
        state=Delivery.State.SENDING
    )
    due = (
        Delivery.objects.filter(ready, message__state=Message.State.SENDING)
        .filter(_free(now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:size]
    )
    ids = list(due)
    if not ids:
        return "", []
    token = secrets.token_hex(16)
    header = Concat(
        Value("<plenary."),
        Cast("id", output_field=CharField()),
        Value("."),
        Cast("message", output_field=CharField()),
        Value(f"@{mail_domain()}>"),
        output_field=CharField(),
    )
    Delivery.objects.filter(pk__in=ids, state__in=OPEN_STATES).filter(_free(now)).update(
        lease=token,
        leased_until=now + LEASE,
        state=Delivery.State.SENDING,
        message_id_header=Case(
            When(message_id_header="", then=header), default=F("message_id_header"), output_field=CharField()
        ),
    )
    taken = list(
        Delivery.objects.filter(lease=token, state=Delivery.State.SENDING)
        .select_related(
            "message",
            "message__programme",
            "registration",
            "registration__programme",
            "session",
            "session__venue",
        )
        .order_by("id")
    )
    return token, taken


class _Texts:
    """One message's subject and text templates per language, picked, checked and (for a reminder's
    standard text) rendered once for all its recipients; each person's copy is then a merge fill."""

    def __init__(self, message: Message):
        self.message = message
        self.wants_session = message.kind == Message.Kind.REMINDER or bool(
            selectors.SESSION_FIELDS
            & set(
                merge.fields_in(
                    " ".join((message.subject_en, message.subject_zh, message.body_en, message.body_zh))
                )
            )
        )
        self._templates: dict[tuple, tuple[str, str]] = {}

    def fill(self, registration: Registration, session=None, seat=None, language=None) -> tuple[str, str]:
        language = language or registration.language
        values = selectors.person_values(
            registration, session, seat, language, next_session=self.wants_session
        )
        # A reminder's standard text says different things to people in the room and online.
        key = (language, *(bool(values[name]) for name in ("venue", "join_url", "pass_url")))
        if key not in self._templates:
            self._templates[key] = self._prepare(language, values)
        subject, body = self._templates[key]
        return merge.fill(subject, values), merge.fill(body, values)

    def _prepare(self, language: str, values: dict[str, str]) -> tuple[str, str]:
        message = self.message
        with translation.override(language), timezone.override(message.programme.tzinfo):
            subject = pick(message.subject_en, message.subject_zh)
            body = pick(message.body_en, message.body_zh)
            if message.kind == Message.Kind.REMINDER:
                if not subject:
                    subject = _braced(_("Reminder: %(session)s, %(starts)s")) % {
                        "session": "{session}",
                        "starts": "{starts}",
                    }
                if not body:
                    shaped = ("venue", "join_url", "pass_url")  # what the text shows only when there is one
                    marks = {
                        name: "" if name in shaped and not values.get(name) else f"\x00{name}\x00"
                        for name in merge.FIELDS
                    }
                    text = render_to_string(
                        "messaging/email/reminder.txt", {"v": marks, "offset": message.offset_minutes}
                    ).strip()
                    body = _braced(text)
                    for name in merge.FIELDS:
                        body = body.replace(f"\x00{name}\x00", "{" + name + "}")
        return subject, body


def _braced(text: str) -> str:
    """Literal text as a merge template: its own braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


def render(
    message: Message, registration: Registration, session=None, seat=None, language=None
) -> tuple[str, str]:
    """The subject and text one person receives (in their language, or ``language`` for a preview)."""
    return _Texts(message).fill(registration, session, seat, language)


def preview_reminder(programme: Programme, rule: ReminderRule, language: str) -> dict | None:
    """A rule's reminder as a real person would receive it for the programme's next session (None when
    nobody holds a confirmed place in a session still to come)."""
    seat = (
        SeatAllocation.objects.filter(
            session__programme=programme,
            session__starts_at__gt=timezone.now(),
            status=SeatAllocation.Status.CONFIRMED,
            registration__status__in=REMINDED,
        )
        .select_related("registration", "registration__programme", "session", "session__venue")
        .order_by("session__starts_at", "registration_id")
        .first()
    )
    if seat is None:
        return None
    message = Message(
        programme=programme,
        kind=Message.Kind.REMINDER,
        session=seat.session,
        offset_minutes=rule.offset_minutes,
        subject_en=rule.subject_en,
        subject_zh=rule.subject_zh,
        body_en=rule.body_en,
        body_zh=rule.body_zh,
    )
    subject, body = render(message, seat.registration, seat.session, seat, language)
    return {"person": seat.registration, "session": seat.session, "subject": subject, "body": body}


def _send(taken: list[Delivery], token: str, texts: dict[int, _Texts]) -> dict[str, int]:
    session_ids = {d.session_id for d in taken if d.session_id}
    seats = (
        {
            (s.registration_id, s.session_id): s
            for s in SeatAllocation.objects.filter(
                registration__in=[d.registration_id for d in taken], session__in=session_ids
            )
        }
        if session_ids
        else {}
    )
    counts = {SENT: 0, RETRY: 0, FAILED: 0}
    by_channel: dict[str, list[tuple[Delivery, Outgoing]]] = {}
    dropped = []
    for delivery in taken:
        registration = delivery.registration
        seat = seats.get((delivery.registration_id, delivery.session_id))
        if delivery.message.kind == Message.Kind.REMINDER and not (
            registration.status in REMINDED
            and seat is not None
            and seat.status == SeatAllocation.Status.CONFIRMED
        ):
            # No longer confirmed for the session: no reminder (a later sweep queues one if that changes).
            dropped.append(delivery.pk)
            continue
        address = delivery.address
        if delivery.channel == Channels.SMS:
            # The consent and the number as they are now: a withdrawn consent stops what was queued.
            address = registration.phone.strip()
            if not (registration.sms_opt_in and address):
                dropped.append(delivery.pk)
                continue
            if address != delivery.address:
                Delivery.objects.filter(pk=delivery.pk, lease=token).update(address=address)
        try:
            if delivery.message_id not in texts:
                texts[delivery.message_id] = _Texts(delivery.message)
            subject, body = texts[delivery.message_id].fill(registration, delivery.session, seat)
        except Exception as error:  # noqa: BLE001 - one bad message must not hold up the batch
            logger.exception("Could not compose delivery %s", delivery.pk)
            Delivery.objects.filter(pk=delivery.pk, lease=token).update(
                state=Delivery.State.FAILED,
                attempts=delivery.attempts + 1,
                last_error=f"could not compose: {error}"[:500],
                lease="",
                leased_until=None,
            )
            counts[FAILED] += 1
            continue
        by_channel.setdefault(delivery.channel, []).append(
            (delivery, Outgoing(delivery.pk, address, subject, body, message_id=delivery.message_id_header))
        )
    if dropped:
        Delivery.objects.filter(pk__in=dropped, lease=token).delete()
    for name, items in by_channel.items():
        held = {delivery.pk: delivery for delivery, _item in items}
        pace = _Pace(RATE)
        log = _Log(token)
        for key, outcome in channel(name).send([item for _d, item in items]):
            pace.wait()
            counts[log.add(held[key], outcome)] += 1
        log.flush()
    return counts


class _Log:
    """Writes a batch's outcomes: the sent ones in one UPDATE after every ``FLUSH_EVERY`` messages
    (and at the end), a retry or a failure at once. Only rows still under this sender's lease."""

    def __init__(self, token: str):
        self.token = token
        self.sent: list[int] = []
        self.sent_to: set[int] = set()  # registrations whose private page lists the message
        self.pending = 0
        self.renewed = time.monotonic()

    def add(self, delivery: Delivery, outcome) -> str:
        attempts = delivery.attempts + 1
        self.pending += 1
        if outcome.state == SENT:
            self.sent.append(delivery.pk)
            if delivery.registration_id:
                self.sent_to.add(delivery.registration_id)
            state = SENT
        else:
            now = timezone.now()
            update = {"attempts": attempts, "last_error": outcome.error, "lease": "", "leased_until": None}
            if outcome.state == RETRY and attempts < MAX_ATTEMPTS:
                update.update(state=Delivery.State.RETRYING, next_attempt_at=now + backoff(attempts))
                state = RETRY
            else:  # failed for good: next_attempt_at keeps when the last attempt was
                update.update(state=Delivery.State.FAILED, next_attempt_at=now)
                state = FAILED
            Delivery.objects.filter(pk=delivery.pk, lease=self.token).update(**update)
        if self.pending >= FLUSH_EVERY:
            self.flush()
        return state

    def flush(self) -> None:
        if self.sent:
            Delivery.objects.filter(pk__in=self.sent, lease=self.token).update(
                state=Delivery.State.SENT,
                sent_at=timezone.now(),
                attempts=F("attempts") + 1,
                last_error="",
                lease="",
                leased_until=None,
            )
            # The private page lists the messages sent (registrations/private_page.py).
            private_page.page_changed(*self.sent_to)
        self.sent, self.sent_to, self.pending = [], set(), 0
        if time.monotonic() - self.renewed > LEASE.total_seconds() / 3:
            # A slow batch keeps its lease, so no other sender takes what this one is still sending.
            Delivery.objects.filter(lease=self.token, state=Delivery.State.SENDING).update(
                leased_until=timezone.now() + LEASE
            )
            self.renewed = time.monotonic()


class _Pace:
    """Keeps one sender under ``rate`` messages a second (a mail relay's limit)."""

    def __init__(self, rate: float):
        self.interval = 1 / rate if rate > 0 else 0.0
        self.next = time.monotonic()

    def wait(self) -> None:
        if not self.interval:
            return
        now = time.monotonic()
        if now < self.next:
            time.sleep(self.next - now)
        self.next = max(now, self.next) + self.interval


def _finish_messages() -> None:
    """A message whose deliveries are all sent or failed is sent."""
    open_deliveries = Delivery.objects.filter(message=OuterRef("pk"), state__in=OPEN_STATES)
    Message.objects.filter(state=Message.State.SENDING).exclude(Exists(open_deliveries)).update(
        state=Message.State.SENT
    )


def send_test(message_fields: dict, registration: Registration, to: str) -> None:
    """Sends the message as ``registration`` would receive it to ``to`` (the sender's own address)."""
    check_texts(*message_fields["subject"], *message_fields["body"])
    values = selectors.person_values(registration)
    with translation.override(registration.language):
        subject = merge.fill(pick(*message_fields["subject"]), values)
        body = merge.fill(pick(*message_fields["body"]), values)
    ((_key, outcome),) = channel("email").send([Outgoing(0, to, "[TEST] " + subject, body)])
    if outcome.state != SENT:
        raise MessageRefused(_("The test message could not be sent: %(error)s") % {"error": outcome.error})
