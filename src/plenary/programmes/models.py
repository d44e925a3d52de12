from __future__ import annotations

import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import BilingualMixin, is_chinese
from plenary.organisations.models import Organisation


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a known time zone."), params={"zone": value})


class Programme(BilingualMixin, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        ARCHIVED = "archived", _("Archived")

    slug = models.SlugField(_("web address"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=settings.TIME_ZONE, validators=[validate_time_zone]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    registration_open = models.BooleanField(_("registration open"), default=False)
    registration_closes_at = models.DateTimeField(_("registration closes"), null=True, blank=True)
    requires_approval = models.BooleanField(_("registrations need organiser approval"), default=False)
    attendance_threshold_percent = models.PositiveSmallIntegerField(
        _("attendance threshold (percentage of a session)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("A session counts as attended when a person was there for at least this share of it."),
    )
    organisers = models.ManyToManyField(
        Organisation, through="CoOrganiser", related_name="programmes", verbose_name=_("co-organisers")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by programmes.pages.content_changed() whenever anything the public page shows changes:
    # the page is cached per version and language and answers conditional requests from these two.
    content_version = models.PositiveIntegerField(default=0, editable=False)
    content_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_on", "slug"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="programme_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title_en

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The last day cannot be before the first day.")})
        if self.pk and self.starts_on and self.ends_on:
            zone = self.tzinfo
            outside = [
                session
                for session in self.sessions.all()
                if not self.starts_on <= session.starts_at.astimezone(zone).date() <= self.ends_on
                or not self.starts_on <= session.ends_at.astimezone(zone).date() <= self.ends_on
            ]
            if outside:
                raise ValidationError(
                    _(
                        "These sessions would fall outside the programme's dates: %(sessions)s. Move them first."
                    )
                    % {"sessions": ", ".join(session.title for session in outside)}
                )

    @property
    def is_past(self) -> bool:
        """The programme's last day is over (in its own time zone): shown as past, no more registering."""
        if not self.ends_on:
            return False
        return self.ends_on < timezone.localtime(timezone.now(), self.tzinfo).date()

    @property
    def accepts_registrations(self) -> bool:
        return bool(self.registration_open) and not self.is_past

    @property
    def title(self) -> str:
        return self.localised("title")

    @property
    def summary(self) -> str:
        return self.localised("summary")

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def zone_label(self) -> str:
        """The time zone as readers say it ("Hong Kong time", 香港時間), not as a code (Asia/Hong_Kong)."""
        return str(_("Hong Kong time")) if self.time_zone == "Asia/Hong_Kong" else self.time_zone

    @property
    def is_public(self) -> bool:
        return self.status in (self.Status.PUBLISHED, self.Status.ARCHIVED)


class CoOrganiser(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead organiser")
        CO_ORGANISER = "co_organiser", _("Co-organiser")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="co_organisers")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="co_organised")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CO_ORGANISER)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("co-organiser")
        verbose_name_plural = _("co-organisers")
        constraints = [
            models.UniqueConstraint(fields=["programme", "organisation"], name="coorganiser_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_role_display()})"


class SavedWithSeats(models.Model):
    """A model whose saving moves seat counters (``registrations/signals.py``): saved in a transaction
    of its own, so a change the seat owner refuses (a capacity below the seats taken) is undone."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)


class Venue(BilingualMixin, SavedWithSeats):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    address_en = models.CharField(_("address (English)"), max_length=300, blank=True)
    address_zh = models.CharField(_("address (Chinese)"), max_length=300, blank=True)
    capacity = models.PositiveIntegerField(_("capacity"), validators=[MinValueValidator(1)])
    # The body whose organisers may edit the venue and use it for their programmes' sessions.
    # Empty: only a platform admin may edit it.
    owner = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="venues",
        verbose_name=_("owned by"),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("venue")
        verbose_name_plural = _("venues")

    def __str__(self) -> str:
        return f"{self.name_en} ({self.capacity})"

    @property
    def name(self) -> str:
        return self.localised("name")

    @property
    def address(self) -> str:
        return self.localised("address")


class Speaker(BilingualMixin, models.Model):
    class Honorific(models.TextChoices):
        NONE = "", _("(none)")
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        MISS = "miss", _("Miss")
        MRS = "mrs", _("Mrs")
        DR = "dr", _("Dr")
        PROF = "prof", _("Professor")

    # How each language writes the title: English before the name without a full stop
    # (Hong Kong Government style, "Mr Chris Sun"); Chinese after the name ("孫玉菡先生").
    HONORIFIC_EN = {"mr": "Mr", "ms": "Ms", "miss": "Miss", "mrs": "Mrs", "dr": "Dr", "prof": "Professor"}
    HONORIFIC_ZH = {"mr": "先生", "ms": "女士", "miss": "女士", "mrs": "女士", "dr": "博士", "prof": "教授"}

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="speakers")
    honorific = models.CharField(_("honorific"), max_length=10, choices=Honorific.choices, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    post_en = models.CharField(_("post (English)"), max_length=300, blank=True)
    post_zh = models.CharField(_("post (Chinese)"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="speakers"
    )
    is_official = models.BooleanField(
        _("official"), default=False, help_text=_("A government official, named with their post in releases.")
    )
    email = models.EmailField(
        _("email"), blank=True, help_text=_("Used only to send the speaker their slot in the run-down.")
    )

    class Meta:
        ordering = ["programme", "name_en"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")

    def __str__(self) -> str:
        return self.display_name_en

    @property
    def display_name_en(self) -> str:
        title = self.HONORIFIC_EN.get(self.honorific, "")
        return f"{title} {self.name_en}".strip()

    @property
    def display_name_zh(self) -> str:
        if not self.name_zh:
            return self.display_name_en
        return f"{self.name_zh}{self.HONORIFIC_ZH.get(self.honorific, '')}"

    @property
    def display_name(self) -> str:
        return self.display_name_zh if is_chinese() else self.display_name_en

    @property
    def post(self) -> str:
        return self.localised("post")

    @property
    def name_and_post(self) -> str:
        """How a list of speakers names them: "Mr Chris Sun, Secretary for Labour and Welfare";
        in Chinese the post comes first and runs into the name: "勞工及福利局局長孫玉菡先生"."""
        if is_chinese():
            return self.with_post_zh
        return f"{self.display_name_en}, {self.post_en}" if self.post_en else self.display_name_en

    @property
    def with_post_en(self) -> str:
        """ "the Secretary for Labour and Welfare, Mr Chris Sun" (the press-release form)."""
        return f"the {self.post_en}, {self.display_name_en}" if self.post_en else self.display_name_en

    @property
    def with_post_zh(self) -> str:
        """ "勞工及福利局局長孫玉菡先生": in Chinese the post runs straight into the name."""
        return f"{self.post_zh}{self.display_name_zh}" if self.post_zh else self.display_name_zh


class Session(BilingualMixin, SavedWithSeats):
    class Kind(models.TextChoices):
        CEREMONY = "ceremony", _("Ceremony")
        LECTURE = "lecture", _("Lecture")
        SHARING = "sharing", _("Sharing session")
        WORKSHOP = "workshop", _("Workshop")
        OTHER = "other", _("Other")

    class Mode(models.TextChoices):
        ONLINE = "online", _("Online")
        IN_PERSON = "in_person", _("In person")
        HYBRID = "hybrid", _("Hybrid (in person and online)")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.LECTURE)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.ONLINE)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    venue = models.ForeignKey(
        Venue,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("venue"),
    )
    online_url = models.URLField(_("online meeting link"), blank=True)
    stream_url = models.URLField(_("stream or recording link"), blank=True)
    online_capacity = models.PositiveIntegerField(
        _("online places"), null=True, blank=True, help_text=_("Leave empty for no limit.")
    )
    cpd_hours = models.DecimalField(
        _("CPD hours"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(0)],
    )
    counts_towards_certificate = models.BooleanField(_("counts towards the certificate"), default=True)
    speakers = models.ManyToManyField(
        Speaker, blank=True, related_name="sessions", verbose_name=_("speakers")
    )

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title_en

    def clean(self) -> None:
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            errors["ends_at"] = _("A session must end after it starts.")
        if self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID) and not self.venue_id:
            errors["venue"] = _("An in-person or hybrid session needs a venue.")
        programme = self.programme if self.programme_id else None
        if programme is not None and programme.starts_on and programme.ends_on:
            zone = programme.tzinfo
            first, last = programme.starts_on, programme.ends_on
            for field, moment in (("starts_at", self.starts_at), ("ends_at", self.ends_at)):
                if field in errors or moment is None:
                    continue
                day = moment.astimezone(zone).date()
                if not first <= day <= last:
                    errors[field] = _(
                        "%(day)s is outside the programme's dates (%(first)s – %(last)s). Choose a date within "
                        "them, or change the programme's dates first."
                    ) % {
                        "day": date_format(day, "DATE_FORMAT"),
                        "first": date_format(first, "DATE_FORMAT"),
                        "last": date_format(last, "DATE_FORMAT"),
                    }
        if errors:
            raise ValidationError(errors)

    @property
    def title(self) -> str:
        return self.localised("title")

    @property
    def description(self) -> str:
        return self.localised("description")

    @property
    def duration(self) -> timedelta:
        return self.ends_at - self.starts_at

    @property
    def has_room(self) -> bool:
        return self.mode in (self.Mode.IN_PERSON, self.Mode.HYBRID)

    @property
    def is_online(self) -> bool:
        return self.mode in (self.Mode.ONLINE, self.Mode.HYBRID)


class AgendaItem(BilingualMixin, models.Model):
    """One line of a session's run-down. Start times follow from the order and the durations."""

    class Kind(models.TextChoices):
        WELCOME = "welcome", _("Welcome")
        REMARKS = "remarks", _("Remarks")
        LECTURE = "lecture", _("Lecture")
        SHARING = "sharing", _("Sharing")
        QA = "qa", _("Questions and answers")
        PHOTO = "photo", _("Group photo")
        BREAK = "break", _("Break")
        OTHER = "other", _("Other")

    class Language(models.TextChoices):
        CANTONESE = "yue", _("Cantonese")
        PUTONGHUA = "cmn", _("Putonghua")
        ENGLISH = "en", _("English")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    order = models.PositiveIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh = models.CharField(_("title (Chinese)"), max_length=300, blank=True)
    speaker = models.ForeignKey(
        Speaker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("speaker"),
    )
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("run-down item")
        verbose_name_plural = _("run-down items")

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return self.localised("title")
