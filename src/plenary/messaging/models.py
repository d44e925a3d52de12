"""Messages (reminders and bulk messages) and their delivery log, one row per person, message and channel.

"Exactly once per person, session and reminder rule" is a database fact: a reminder message is unique
per session and offset (``message_one_reminder_per_session_offset``) and a delivery is unique per
message, registration and channel (``delivery_once``). Whoever inserts first wins; everyone else's
insert is skipped (``bulk_create(..., ignore_conflicts=True)``: ``ON CONFLICT DO NOTHING``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import pick
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration


class Channel(models.TextChoices):
    """The channel of one delivery."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")


class Channels(models.TextChoices):
    """The channels a message or a reminder rule goes by. SMS goes only to people who gave a mobile
    number and agreed to SMS (``Registration.sms_opt_in``); the others get no text message."""

    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    BOTH = "both", _("Email and SMS")

    @staticmethod
    def of(value: str) -> tuple[str, ...]:
        """The delivery channels a message's choice means."""
        return {"email": ("email",), "sms": ("sms",), "both": ("email", "sms")}.get(value, ("email",))


class ReminderRule(models.Model):
    """Send a reminder this many minutes before each session of the programme."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="reminder_rules")
    offset_minutes = models.PositiveIntegerField(_("minutes before the session"))
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    channel = models.CharField(_("send by"), max_length=10, choices=Channels.choices, default=Channels.EMAIL)
    # A rule taken out of the list is kept, switched off: a programme with no rule at all gets the defaults.
    enabled = models.BooleanField(_("on"), default=True)

    class Meta:
        ordering = ["programme", "-offset_minutes"]
        verbose_name = _("reminder rule")
        verbose_name_plural = _("reminder rules")
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "offset_minutes"], name="reminderrule_one_per_offset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.programme.slug} −{self.offset_minutes} min"


class Message(models.Model):
    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        BULK = "bulk", _("Message")

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.BULK)
    channel = models.CharField(_("send by"), max_length=10, choices=Channels.choices, default=Channels.EMAIL)
    subject_en = models.CharField(_("subject (English)"), max_length=300, blank=True)
    subject_zh = models.CharField(_("subject (Chinese)"), max_length=300, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    segment = models.JSONField(_("recipients"), default=dict, blank=True)
    # A reminder's session and offset; empty for a bulk message.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    offset_minutes = models.PositiveIntegerField(null=True, blank=True)
    send_at = models.DateTimeField(_("send at"), db_index=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SCHEDULED)
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-send_at", "-id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "offset_minutes"],
                condition=models.Q(kind="reminder"),
                name="message_one_reminder_per_session_offset",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="bulk")
                | models.Q(session__isnull=False, offset_minutes__isnull=False),
                name="message_reminder_has_session",
            ),
        ]

    def __str__(self) -> str:
        if self.subject:
            return self.subject
        if self.kind == self.Kind.REMINDER and self.session_id:
            return f"{self.get_kind_display()}: {self.session.title} (−{self.offset_minutes} min)"
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def subject(self) -> str:
        return pick(self.subject_en, self.subject_zh)


class Delivery(models.Model):
    """One person's copy of a message by one channel.

    A sender takes a batch under its lease and marks it ``SENDING`` (with its ``message_id_header``) before it
    hands anything to the mail server; it records the outcomes afterwards. A delivery still ``SENDING``
    when its lease has ended belonged to a sender that died: it may or may not have been accepted, so it
    is sent again *with the same Message-ID* (at least once; a duplicate is recognisable as such)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        RETRYING = "retrying", _("Retrying")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="deliveries")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    address = models.CharField(_("address"), max_length=254)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    next_attempt_at = models.DateTimeField()
    # A sender holds a delivery while it sends it; a sender that dies lets go when the lease ends.
    lease = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    # The Message-ID header (email) or idempotency key (SMS gateway) of this delivery: fixed when it is
    # first taken, so every copy ever handed over carries the same one.
    message_id_header = models.CharField(_("Message-ID"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["message", "registration", "channel"], name="delivery_once"),
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.address} ({self.state})"


class SessionRevision(models.Model):
    """What a calendar last said about a session, and its SEQUENCE: it rises when the session changes."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="+")
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.session_id} #{self.sequence}"


class SentMail(models.Model):
    """One email a background job has handed to the mail server, so that the job, run again after its
    worker died, skips it (``messaging/once.py``). ``job`` names the run (its task id); ``recipient`` the
    row the email was for ("registration:12", "speaker:3"): no address, no content."""

    job = models.CharField(max_length=100)
    recipient = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email sent by a job")
        verbose_name_plural = _("emails sent by jobs")
        constraints = [models.UniqueConstraint(fields=["job", "recipient"], name="sentmail_once")]

    def __str__(self) -> str:
        return f"{self.job} → {self.recipient}"
