"""Certificates of attendance: the rule per programme, the certificates issued, and the issuing jobs."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration

# No 0/O, 1/I/L: a serial is read aloud and typed from paper.
SERIAL_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

DEFAULT_HEADING_EN = "Certificate of Attendance"
DEFAULT_HEADING_ZH = "出席證書"
DEFAULT_INTRO_EN = "This is to certify that"
DEFAULT_INTRO_ZH = "茲證明"
DEFAULT_STATEMENT_EN = (
    "attended {sessions_attended} of {sessions_total} sessions of the programme, held {dates}, "
    "and is awarded {hours} CPD hours ({category})."
)
DEFAULT_STATEMENT_ZH = "出席以上課程 {sessions_total} 節中的 {sessions_attended} 節（{dates_zh}），獲發持續專業發展時數 {hours} 小時（{category}）。"


def new_serial(year: int) -> str:
    """Like PLN-2022-7QK4-M2ZD: 40 random bits, so serials cannot be guessed from one another."""
    body = "".join(secrets.choice(SERIAL_ALPHABET) for _ in range(8))
    return f"PLN-{year}-{body[:4]}-{body[4:]}"


class CertificateRule(models.Model):
    """How a programme decides who gets a certificate and for how many hours, and how it looks."""

    class Mode(models.TextChoices):
        SESSIONS = "sessions", _("Attended at least N of the counting sessions")
        MINUTES = "minutes", _("Attended at least a share of the counting minutes")

    class Hours(models.TextChoices):
        SESSIONS = "sessions", _("CPD hours of the sessions attended")
        PRORATED = "prorated", _("CPD hours pro-rated by the minutes attended")

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="certificate_rule")
    mode = models.CharField(_("eligibility"), max_length=20, choices=Mode.choices, default=Mode.MINUTES)
    min_sessions = models.PositiveSmallIntegerField(
        _("sessions needed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("For “at least N sessions”. Empty means all counting sessions."),
    )
    min_percent = models.PositiveSmallIntegerField(
        _("share of minutes needed (%)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    hours_method = models.CharField(
        _("hours on the certificate"), max_length=20, choices=Hours.choices, default=Hours.SESSIONS
    )
    cpd_category = models.CharField(_("CPD category"), max_length=100, blank=True, default="Structured")
    # The category in the Chinese statement: a Chinese certificate carries no English word.
    cpd_category_zh = models.CharField(
        _("CPD category (Chinese)"), max_length=50, blank=True, default="結構性"
    )
    heading_en = models.CharField(_("heading (English)"), max_length=120, default=DEFAULT_HEADING_EN)
    heading_zh = models.CharField(
        _("heading (Chinese)"), max_length=60, blank=True, default=DEFAULT_HEADING_ZH
    )
    intro_en = models.CharField(_("line before the name (English)"), max_length=200, default=DEFAULT_INTRO_EN)
    intro_zh = models.CharField(
        _("line before the name (Chinese)"), max_length=100, blank=True, default=DEFAULT_INTRO_ZH
    )
    statement_en = models.TextField(
        _("statement (English)"),
        default=DEFAULT_STATEMENT_EN,
        help_text=_(
            "Placeholders: {sessions_attended}, {sessions_total}, {hours}, {category}, {dates}, {dates_zh}, "
            "{programme_en}, {programme_zh}."
        ),
    )
    statement_zh = models.TextField(_("statement (Chinese)"), blank=True, default=DEFAULT_STATEMENT_ZH)
    footer_en = models.CharField(_("footnote (English)"), max_length=300, blank=True)
    footer_zh = models.CharField(_("footnote (Chinese)"), max_length=150, blank=True)
    show_logos = models.BooleanField(_("show the organisers' logos"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("certificate rule")
        verbose_name_plural = _("certificate rules")

    def __str__(self) -> str:
        return f"{self.programme} · {self.get_mode_display()}"


class Signatory(models.Model):
    """One of up to four people who sign the certificates of a programme."""

    rule = models.ForeignKey(CertificateRule, on_delete=models.CASCADE, related_name="signatories")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    post_en = models.CharField(_("post (English)"), max_length=200, blank=True)
    post_zh = models.CharField(_("post (Chinese)"), max_length=100, blank=True)
    signature = models.ImageField(_("signature image"), upload_to="certificates/signatures/", blank=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")

    def __str__(self) -> str:
        return self.name_en


class OrganiserLogo(models.Model):
    """A co-organising body's logo, printed above the heading."""

    rule = models.ForeignKey(CertificateRule, on_delete=models.CASCADE, related_name="logos")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    image = models.ImageField(_("logo"), upload_to="certificates/logos/")
    description = models.CharField(_("whose logo"), max_length=200)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("organiser logo")
        verbose_name_plural = _("organiser logos")

    def __str__(self) -> str:
        return self.description


class Certificate(models.Model):
    class State(models.TextChoices):
        VALID = "valid", _("Valid")
        SUPERSEDED = "superseded", _("Superseded")
        REVOKED = "revoked", _("Revoked")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="certificates")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="certificates")
    serial = models.CharField(_("serial"), max_length=24, unique=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.VALID)
    # The name as printed: verification shows what the paper says, even if the registration changes.
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    hours = models.DecimalField(_("CPD hours"), max_digits=6, decimal_places=2, default=Decimal("0"))
    sessions_attended = models.PositiveSmallIntegerField(_("sessions attended"), default=0)
    sessions_total = models.PositiveSmallIntegerField(_("counting sessions"), default=0)
    minutes_attended = models.PositiveIntegerField(_("minutes attended"), default=0)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked or superseded"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="supersedes"
    )
    pdf = models.FileField(_("PDF"), upload_to="certificates/pdf/", blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issued_at", "id"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        constraints = [
            # However often or however many workers issue, one person holds one valid certificate.
            models.UniqueConstraint(
                fields=["programme", "registration"],
                condition=models.Q(state="valid"),
                name="certificate_one_valid_per_registration",
            )
        ]
        indexes = [models.Index(fields=["programme", "state"])]

    def __str__(self) -> str:
        return self.serial

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name_en, self.name_zh) if part)

    @property
    def is_valid(self) -> bool:
        return self.state == self.State.VALID


class IssueJob(models.Model):
    """One run of issuing for a programme; the console and the API poll its progress."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="certificate_jobs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    superseded = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Written by the run that holds the job while it works; a heartbeat older than
    # PLENARY_JOB_STALE_SECONDS means its worker died, and the job is picked up again.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # Which run holds the job: a run that finds another one holding it stops (``services.py``).
    runner = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("certificate issuing job")
        verbose_name_plural = _("certificate issuing jobs")

    def __str__(self) -> str:
        return f"{self.programme} {self.state} {self.done}/{self.total}"

    @property
    def percent(self) -> int:
        return int(self.done * 100 / self.total) if self.total else (100 if self.state == "done" else 0)

    @property
    def is_finished(self) -> bool:
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_stalled(self) -> bool:
        """Running, but its heartbeat is stale: the worker died and the job will be picked up again."""
        from datetime import timedelta

        from django.utils import timezone

        beat = self.heartbeat_at or self.updated_at
        return (
            self.state == self.State.RUNNING
            and beat is not None
            and beat < timezone.now() - timedelta(seconds=settings.PLENARY_JOB_STALE_SECONDS)
        )
