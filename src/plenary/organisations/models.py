from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import BilingualMixin


class Organisation(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        STATUTORY = "statutory", _("Statutory body")
        NGO = "ngo", _("Non-governmental organisation")
        COALITION = "coalition", _("Sector coalition")
        ACADEMIC = "academic", _("Academic institution")
        OTHER = "other", _("Other")

    name_en = models.CharField(_("name (English)"), max_length=300)
    name_zh = models.CharField(_("name (Chinese)"), max_length=300, blank=True)
    name_zh_provisional = models.BooleanField(
        _("Chinese name is provisional"),
        default=False,
        help_text=_("Tick when the Chinese name is a working translation not confirmed by the body itself."),
    )
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NGO)
    is_member_agency = models.BooleanField(
        _("member agency"), default=False, help_text=_("A member organisation whose staff attend programmes.")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [models.UniqueConstraint(fields=["name_en"], name="organisation_unique_name_en")]

    def __str__(self) -> str:
        return self.name_en

    @property
    def name(self) -> str:
        return self.localised("name")


class Membership(models.Model):
    """A user's role within an organisation; what the role may do is decided per programme."""

    class Role(models.TextChoices):
        ORGANISER = "organiser", _("Organiser staff")
        COORDINATOR = "coordinator", _("Agency coordinator")
        CHECKIN = "checkin", _("Check-in staff")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    # Check-in staff: every door of the body's programmes, or only the sessions they are assigned to
    # (``checkin.StaffAssignment``). Accounts made before staff invitations keep the assigned doors only.
    all_doors = models.BooleanField(
        _("every door of the body's programmes"),
        default=False,
        help_text=_("Off: only the sessions this person is assigned to."),
    )
    # A coordinator invited by an organiser: that organiser's body, whose organisers may remove them.
    invited_by_body = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class Invitation(models.Model):
    """An organiser's invitation to join a body as organiser or check-in staff, or an agency as its
    coordinator. The link's token is kept only as a hash (like API tokens); it works once, until
    ``expires_at``, and a new one is made each time the invitation is sent."""

    email = models.EmailField(_("email"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    all_doors = models.BooleanField(_("every door of the body's programmes"), default=True)
    sessions = models.ManyToManyField(
        "programmes.Session", blank=True, related_name="+", verbose_name=_("sessions")
    )
    # The body whose organiser invited (for a coordinator, not the agency itself).
    invited_by_body = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=10, default="en")
    key_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("staff invitation")
        verbose_name_plural = _("staff invitations")
        indexes = [models.Index(fields=["organisation", "accepted_at", "cancelled_at"])]

    def __str__(self) -> str:
        return f"{self.email} · {self.organisation} · {self.get_role_display()}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None
