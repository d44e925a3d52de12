from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import pick
from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session


def new_token() -> str:
    """The secret in a participant's private link: 256 random bits."""
    return secrets.token_urlsafe(32)


def new_pass_code() -> str:
    """The code in a participant's pass QR: 160 random bits, unguessable, rotated with the token."""
    return "P" + secrets.token_urlsafe(20)


def new_reference() -> str:
    """A short human reference for desks and phone calls (not a secret)."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "R" + "".join(secrets.choice(alphabet) for _ in range(8))


class Registration(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")
        REJECTED = "rejected", _("Rejected")

    class Source(models.TextChoices):
        SELF = "self", _("Self-registered")
        NOMINATED = "nominated", _("Nominated by agency")
        IMPORTED = "imported", _("Imported")
        ORGANISER = "organiser", _("Added by organiser")
        WALK_IN = "walk_in", _("Walk-in at the door")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    # Indexes are chosen by hand (Meta): each one is written on every registration. The programme
    # leads several composite indexes, and the codes are unique by constraint, which on PostgreSQL
    # spares the second, LIKE-only index Django adds to a unique text field.
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="registrations", db_index=False
    )
    reference = models.CharField(_("reference"), max_length=12, default=new_reference)
    token = models.CharField(max_length=64, default=new_token)
    pass_code = models.CharField(max_length=64, default=new_pass_code)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="registrations",
        verbose_name=_("organisation"),
    )
    organisation_name = models.CharField(_("organisation (as typed)"), max_length=300, blank=True)
    post = models.CharField(_("post"), max_length=200, blank=True)
    service_unit = models.CharField(_("service unit"), max_length=200, blank=True)
    rsw_number = models.CharField(_("Registered Social Worker number"), max_length=20, blank=True)
    preferred_mode = models.CharField(
        _("preferred mode for hybrid sessions"), max_length=20, choices=Mode.choices, default=Mode.ONLINE
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.CONFIRMED)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.SELF)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="nominations"
    )
    news_opt_in = models.BooleanField(_("news of future programmes"), default=False)
    # Reminders and messages by SMS too: only with a mobile number and this consent (issue 15).
    sms_opt_in = models.BooleanField(_("reminders and messages by SMS"), default=False)
    photo_opt_out = models.BooleanField(_("prefers not to appear in photos"), default=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised when the private page's content kept in other apps' rows changes (private_page.py).
    page_version = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["programme", "email"], name="registration_one_per_email"),
            models.UniqueConstraint(fields=["reference"], name="registration_reference_unique"),
            models.UniqueConstraint(fields=["token"], name="registration_token_unique"),
            models.UniqueConstraint(fields=["pass_code"], name="registration_pass_code_unique"),
        ]
        indexes = [
            # The programme's figures (``selectors.tallies``) read only this index on PostgreSQL: status,
            # mode, agency and day of every registration, whatever the programme's size.
            models.Index(
                fields=["programme", "status"],
                include=["preferred_mode", "organisation", "created_at"],
                name="registration_figures",
            ),
            models.Index(fields=["programme", "organisation"]),
            models.Index(fields=["programme", "id"], name="registration_programme_id"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.display_name}"

    @property
    def display_name(self) -> str:
        return pick(self.name_en, self.name_zh)

    @property
    def full_name(self) -> str:
        """Both names where both exist: "Chan Tai Man 陳大文"."""
        return " ".join(part for part in (self.name_en, self.name_zh) if part)


class SeatAllocation(models.Model):
    """A registration's place in one session: in the room or online, confirmed or waiting."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending approval")
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("Waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    # Both are the first column of an index below.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="seats", db_index=False
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats", db_index=False)
    mode = models.CharField(_("mode"), max_length=20, choices=Registration.Mode.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    requested_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "requested_at", "id"]
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="seat_one_per_session"),
        ]
        indexes = [models.Index(fields=["session", "mode", "status"])]

    def __str__(self) -> str:
        return f"{self.registration.reference} · {self.session} · {self.mode} · {self.status}"


class SeatCounter(models.Model):
    """How many places one side (room or online) of a session has and how many are taken.

    Seats are taken with a conditional ``UPDATE ... SET taken = taken + 1 WHERE taken < capacity`` on
    this row inside the registration's transaction, so two requests can never take the last seat.
    ``capacity`` empty means no limit (an online side without a platform cap).
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seat_counters")
    mode = models.CharField(_("mode"), max_length=20, choices=Registration.Mode.choices)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    taken = models.PositiveIntegerField(_("taken"), default=0)
    waiting = models.PositiveIntegerField(_("waiting"), default=0)

    class Meta:
        verbose_name = _("seat counter")
        verbose_name_plural = _("seat counters")
        constraints = [
            models.UniqueConstraint(fields=["session", "mode"], name="seatcounter_one_per_side"),
            # The database holds the bound too: no path, however it is written, oversells a side.
            models.CheckConstraint(
                condition=models.Q(capacity__isnull=True) | models.Q(taken__lte=models.F("capacity")),
                name="seatcounter_taken_within_capacity",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.mode} · {self.taken}/{self.capacity or '∞'}"

    @property
    def free(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.taken)


class Quota(models.Model):
    """How many staff a member agency may nominate to a programme; ``used`` is taken like a seat."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quotas", verbose_name=_("agency")
    )
    places = models.PositiveIntegerField(_("places"))
    used = models.PositiveIntegerField(_("used"), default=0)

    class Meta:
        ordering = ["programme", "organisation__name_en"]
        verbose_name = _("agency quota")
        verbose_name_plural = _("agency quotas")
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="quota_one_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.used}/{self.places}"


class ConsentRecord(models.Model):
    """What a person agreed to, with the wording version they saw and when (PDPO)."""

    class Kind(models.TextChoices):
        COLLECTION_STATEMENT = "pics", _("Personal Information Collection Statement acknowledged")
        NEWS = "news", _("News of future programmes")
        NO_PHOTOS = "no_photos", _("Prefers not to appear in event photos")
        SMS = "sms", _("Reminders and messages by SMS")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="consents")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    given = models.BooleanField(_("given"))
    wording_version = models.CharField(_("wording version"), max_length=40)
    language = models.CharField(_("language"), max_length=10, default="en")
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["registration", "recorded_at", "id"]
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.kind}={self.given} ({self.wording_version})"


class PrivatePageCopy(models.Model):
    """A person's private page as last rendered in one language, with the fingerprint it was rendered for
    (``private_page.py``). Kept in the database, beside the registration, so that every web process and
    node shares one copy and erasure deletes it with the rest of the person's rows."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="page_copies", db_index=False
    )
    language = models.CharField(max_length=10)
    fingerprint = models.CharField(max_length=200)
    html = models.TextField()
    fill = models.TextField(default="{}")  # what the per-request filling needs, as JSON

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["registration", "language"], name="private_page_copy_once"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} · {self.language}"
