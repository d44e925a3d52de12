"""Door check-in: who may scan where, every scan received, and one check-in per person and session.

The attendance evidence itself lives in ``attendance.AttendanceEvent``; a ``CheckIn`` is the door's
own state (first arrival, checked out, undone), kept unique per registration and session so that two
scanners racing on the same pass can never count it twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.programmes.models import Session
from plenary.registrations.models import Registration


class StaffAssignment(models.Model):
    """A check-in staff member (or any organiser) assigned to scan at one session's door."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="checkin_assignments"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checkin_staff")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "user__username"]
        verbose_name = _("check-in staff assignment")
        verbose_name_plural = _("check-in staff assignments")
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="checkin_staff_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.session}"


class DoorSettings(models.Model):
    """How the door works for one session (absent: the defaults)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="door")
    asks_for_check_out = models.BooleanField(
        _("asks for check-out"),
        default=False,
        help_text=_("A second scan on the way out ends the person's time in the room."),
    )

    class Meta:
        verbose_name = _("door settings")
        verbose_name_plural = _("door settings")

    def __str__(self) -> str:
        return f"{self.session}: check-out {'on' if self.asks_for_check_out else 'off'}"


class CheckIn(models.Model):
    """A person's arrival at a session: one row per registration and session, whatever the scanners do."""

    # Both are the first column of an index below.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="check_ins", db_index=False
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="check_ins", db_index=False)
    first_scanned_at = models.DateTimeField(_("first checked in at"))
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "first_scanned_at", "id"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="checkin_one_per_session")
        ]
        indexes = [models.Index(fields=["session", "undone_at"])]

    def __str__(self) -> str:
        return f"{self.registration.reference} · {self.session} · {self.first_scanned_at:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None


class Scan(models.Model):
    """Every scan the server received, answered or not: the door's log and the key of idempotency."""

    class Result(models.TextChoices):
        CHECKED_IN = "checked_in", _("Checked in")
        ALREADY_CHECKED_IN = "already_checked_in", _("Already checked in")
        CHECKED_OUT = "checked_out", _("Checked out")
        NOT_REGISTERED = "not_registered_for_session", _("Not registered for this session")
        CANCELLED = "cancelled", _("Cancelled")
        UNKNOWN_CODE = "unknown_code", _("Unknown code")

    class Detail(models.TextChoices):
        NONE = "", _("(none)")
        REGISTERED_ONLINE = "registered_online", _("Registered online")
        WAITLISTED = "waitlisted", _("On the waiting list")
        PENDING = "pending", _("Awaiting approval")
        OTHER_DEVICE = "other_device", _("Already scanned on another device")

    # Unique by constraint (Meta), and the session leads an index there: every scan writes each index.
    client_event_id = models.CharField(max_length=64)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="scans", db_index=False)
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, null=True, blank=True, related_name="scans"
    )
    code = models.CharField(_("code"), max_length=100, blank=True)
    scanned_at = models.DateTimeField(_("scanned at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    device = models.CharField(_("device"), max_length=100, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    result = models.CharField(_("result"), max_length=40, choices=Result.choices)
    detail = models.CharField(_("detail"), max_length=40, choices=Detail.choices, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("scan")
        verbose_name_plural = _("scans")
        constraints = [models.UniqueConstraint(fields=["client_event_id"], name="scan_client_event_unique")]
        indexes = [models.Index(fields=["session", "registration"])]

    def __str__(self) -> str:
        return f"{self.session_id} {self.code[:12]} {self.result}"
