"""Every write of messaging: reminder rules, composing and cancelling a message, and the sender.

The sender (``sweep()``, run each minute by every ``plenary worker``, and ``pump()``, also enqueued when
a message is sent now) is safe to run in any number of processes at once:

- a due reminder is *inserted or skipped*: the reminder message is unique per session and offset, the
  delivery per message, person and channel, and both inserts are ``ON CONFLICT DO NOTHING``;
- a sender takes a delivery by a conditional update that writes its own lease token, so two senders
  never hold the same delivery; one that dies lets go when its lease ends (``LEASE``), and the delivery
  is sent by the next sweep.

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
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plenary.core import audit
from plenary.core.i18n import pick
from plenary.core.models import AuditEntry
from plenary.core.tasks import enqueue_on_commit
from plenary.messaging import merge, selectors
from plenary.messaging.channels import FAILED, RETRY, SENT, Outgoing, channel
from plenary.messaging.errors import MessageRefused, TooLateToCancel
from plenary.messaging.models import Delivery, Message, ReminderRule
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
    wanted: dict[int, tuple[str, str, str, str]] = {}
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
        wanted[offset] = (subject_en, subject_zh, body_en, body_zh)
    reminder_rules(programme)  # the defaults exist before they are switched off
    ReminderRule.objects.filter(programme=programme).exclude(offset_minutes__in=list(wanted)).update(
        enabled=False
    )
    for offset, (subject_en, subject_zh, body_en, body_zh) in wanted.items():
        ReminderRule.objects.update_or_create(
            programme=programme,
            offset_minutes=offset,
            defaults={
                "subject_en": subject_en[:300],
                "subject_zh": subject_zh[:300],
                "body_en": body_en,
                "body_zh": body_zh,
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


def check_texts(subject_en: str, subject_zh: str, body_en: str, body_zh: str) -> None:
    if not (subject_en.strip() or subject_zh.strip()):
        raise MessageRefused(_("Write a subject (in English, Chinese or both)."))
    if not (body_en.strip() or body_zh.strip()):
        raise MessageRefused(_("Write the text of the message (in English, Chinese or both)."))
    merge.check(subject_en, subject_zh, body_en, body_zh)


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
) -> Message:
    """Checks a bulk message, then stores it and queues one delivery per recipient, in one transaction.

    Nothing is queued when it is refused (an unknown merge field, nobody to send it to). ``among`` is what
    the sender may see (a coordinator: their agency's nominations); ``send_at`` empty or past: now."""
    subject_en, subject_zh = subject
    body_en, body_zh = body
    check_texts(subject_en, subject_zh, body_en, body_zh)
    segment = segment or {}
    now = timezone.now()
    send_at = max(send_at or now, now)
    with transaction.atomic():
        people = recipients(programme, segment, among)
        message = Message.objects.create(
            programme=programme,
            kind=Message.Kind.BULK,
            subject_en=subject_en[:300],
            subject_zh=subject_zh[:300],
            body_en=body_en,
            body_zh=body_zh,
            segment=segment,
            send_at=send_at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        count = _queue(message, people.values_list("pk", "email"), send_at)
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


def _queue(message: Message, rows, when: datetime, session: Session | None = None) -> int:
    """Inserts the deliveries (or skips those that exist); returns how many rows were offered."""
    batch, count = [], 0
    for registration_id, email in rows.iterator(chunk_size=2000):
        batch.append(
            Delivery(
                message=message,
                registration_id=registration_id,
                session=session,
                channel=message.channel,
                address=email,
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
                send_at=due_at,
                state=Message.State.SENDING,
            )
        ],
        ignore_conflicts=True,
    )
    message = Message.objects.get(
        kind=Message.Kind.REMINDER, session=session, offset_minutes=rule.offset_minutes
    )
    people = (
        Registration.objects.filter(
            status__in=REMINDED,
            seats__session=session,
            seats__status=SeatAllocation.Status.CONFIRMED,
        )
        .exclude(Exists(Delivery.objects.filter(message=message, registration=OuterRef("pk"))))
        .values_list("pk", "email")
    )
    before = message.deliveries.count()
    _queue(message, people, timezone.now(), session=session)
    after = message.deliveries.count()
    if after != before:
        Message.objects.filter(pk=message.pk).update(recipients=after, state=Message.State.SENDING)
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
    while limit is None or handled < limit:
        taken = _take(BATCH if limit is None else min(BATCH, limit - handled))
        if not taken:
            break
        for state, n in _send(taken).items():
            totals[state] += n
        handled += len(taken)
    _finish_messages()
    return {"sent": totals[SENT], "retrying": totals[RETRY], "failed": totals[FAILED]}


def _take(size: int) -> list[Delivery]:
    """Takes up to ``size`` due deliveries under a fresh lease (a conditional update: never two senders)."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(
            state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING),
            next_attempt_at__lte=now,
            message__state=Message.State.SENDING,
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:size]
    )
    ids = list(due)
    if not ids:
        return []
    token = secrets.token_hex(16)
    Delivery.objects.filter(pk__in=ids, state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING)).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    ).update(lease=token, leased_until=now + LEASE)
    return list(
        Delivery.objects.filter(lease=token)
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


def _render(delivery: Delivery, seat) -> tuple[str, str]:
    return render(delivery.message, delivery.registration, delivery.session, seat)


def render(
    message: Message, registration: Registration, session=None, seat=None, language=None
) -> tuple[str, str]:
    """The subject and text one person receives (in their language, or ``language`` for a preview)."""
    wants_session = message.kind == Message.Kind.REMINDER or bool(
        selectors.SESSION_FIELDS
        & set(
            merge.fields_in(
                " ".join((message.subject_en, message.subject_zh, message.body_en, message.body_zh))
            )
        )
    )
    language = language or registration.language
    values = selectors.person_values(registration, session, seat, language, next_session=wants_session)
    with translation.override(language), timezone.override(message.programme.tzinfo):
        subject = pick(message.subject_en, message.subject_zh)
        body = pick(message.body_en, message.body_zh)
        if message.kind == Message.Kind.REMINDER:
            subject = subject or _("Reminder: %(session)s, %(starts)s") % values
            if not body:
                body = render_to_string(
                    "messaging/email/reminder.txt", {"v": values, "offset": message.offset_minutes}
                ).strip()
        return merge.fill(subject, values), merge.fill(body, values)


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


def _send(taken: list[Delivery]) -> dict[str, int]:
    seats = {
        (s.registration_id, s.session_id): s
        for s in SeatAllocation.objects.filter(
            registration__in=[d.registration_id for d in taken],
            session__in={d.session_id for d in taken if d.session_id},
        )
    }
    counts = {SENT: 0, RETRY: 0, FAILED: 0}
    by_channel: dict[str, list[tuple[Delivery, Outgoing]]] = {}
    for delivery in taken:
        seat = seats.get((delivery.registration_id, delivery.session_id))
        if delivery.message.kind == Message.Kind.REMINDER and not (
            delivery.registration.status in REMINDED
            and seat is not None
            and seat.status == SeatAllocation.Status.CONFIRMED
        ):
            # No longer confirmed for the session: no reminder (a later sweep queues one if that changes).
            delivery.delete()
            continue
        try:
            subject, body = _render(delivery, seat)
        except Exception as error:  # noqa: BLE001 - one bad message must not hold up the batch
            logger.exception("Could not compose delivery %s", delivery.pk)
            Delivery.objects.filter(pk=delivery.pk, lease=delivery.lease).update(
                state=Delivery.State.FAILED,
                attempts=delivery.attempts + 1,
                last_error=f"could not compose: {error}"[:500],
                lease="",
                leased_until=None,
            )
            counts[FAILED] += 1
            continue
        by_channel.setdefault(delivery.channel, []).append(
            (delivery, Outgoing(delivery.pk, delivery.address, subject, body))
        )
    sent_to: list[int] = []
    for name, items in by_channel.items():
        held = {delivery.pk: delivery for delivery, _item in items}
        pace = _Pace(RATE)
        for key, outcome in channel(name).send([item for _d, item in items]):
            pace.wait()
            delivery = held[key]
            now = timezone.now()
            attempts = delivery.attempts + 1
            update = {"attempts": attempts, "last_error": outcome.error, "lease": "", "leased_until": None}
            if outcome.state == SENT:
                update.update(state=Delivery.State.SENT, sent_at=now, last_error="")
                if delivery.registration_id:
                    sent_to.append(delivery.registration_id)
            elif outcome.state == RETRY and attempts < MAX_ATTEMPTS:
                update.update(state=Delivery.State.RETRYING, next_attempt_at=now + backoff(attempts))
            else:  # failed for good: next_attempt_at keeps when the last attempt was
                update.update(state=Delivery.State.FAILED, next_attempt_at=now)
            counts[outcome.state if outcome.state != RETRY or attempts < MAX_ATTEMPTS else FAILED] += 1
            Delivery.objects.filter(pk=delivery.pk, lease=delivery.lease).update(**update)
    # The private page lists the messages sent (registrations/private_page.py).
    private_page.page_changed(*set(sent_to))
    return counts


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
    open_deliveries = Delivery.objects.filter(
        message=OuterRef("pk"), state__in=(Delivery.State.QUEUED, Delivery.State.RETRYING)
    )
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
