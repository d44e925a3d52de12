"""The personal-data lifecycle's own records: requests from people, anonymisations, retention periods."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration

# PDPO s.19: a data access request is answered within 40 days.
DEADLINE_DAYS = 40


class PrivacyRequest(models.Model):
    """A request to see, correct or erase personal data: from the private page or received otherwise."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Data access")
        CORRECTION = "correction", _("Correction")
        ERASURE = "erasure", _("Erasure")

    class Channel(models.TextChoices):
        PRIVATE_PAGE = "private_page", _("Private page")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("Email")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        REFUSED = "refused", _("Refused")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="privacy_requests")
    registration = models.ForeignKey(
        Registration, on_delete=models.SET_NULL, null=True, blank=True, related_name="privacy_requests"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    channel = models.CharField(_("received by"), max_length=20, choices=Channel.choices)
    received_on = models.DateField(_("received on"))
    requester = models.CharField(_("who asks"), max_length=200, blank=True)
    details = models.TextField(_("what is asked"), max_length=2000, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    outcome = models.CharField(_("answer or reason"), max_length=500, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("answered"), null=True, blank=True)
    export_given_at = models.DateTimeField(_("export given"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        constraints = [
            # One open erasure request per registration: asking twice does not queue twice.
            models.UniqueConstraint(
                fields=["registration"],
                condition=models.Q(kind="erasure", status="open"),
                name="privacy_one_open_erasure",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.received_on}"

    @property
    def deadline(self):
        return self.received_on + timedelta(days=DEADLINE_DAYS)

    @property
    def overdue(self) -> bool:
        return self.status == self.Status.OPEN and timezone.localdate() > self.deadline


class Anonymisation(models.Model):
    """A registration whose personal fields were erased: once only, with who, why and how."""

    class Source(models.TextChoices):
        REQUEST = "request", _("The person's request")
        ORGANISER = "organiser", _("An organiser")
        RETENTION = "retention", _("Retention period ended")

    registration = models.OneToOneField(Registration, on_delete=models.CASCADE, related_name="anonymisation")
    source = models.CharField(_("why"), max_length=20, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("anonymisation")
        verbose_name_plural = _("anonymisations")

    def __str__(self) -> str:
        return f"{self.registration_id} {self.source} {self.at:%Y-%m-%d}"


class Retention(models.Model):
    """How long a programme's personal data are kept after it ends (absent: the platform default)."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="retention")
    days = models.PositiveIntegerField(_("days kept after the programme ends"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention period")
        verbose_name_plural = _("retention periods")

    def __str__(self) -> str:
        return f"{self.programme} · {self.days}"
