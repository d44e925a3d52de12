"""What participants give back: written reflections on lectures, and evaluation surveys of sessions."""

from __future__ import annotations

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import BilingualMixin
from plenary.programmes.models import AgendaItem, Session
from plenary.registrations.models import Registration

REFLECTION_MAX_CHARS = 2000


class Reflection(models.Model):
    """A registrant's written reflection on a session, plain text in either language.

    Organisers may select it, link it to a sharing slot of the run-down, and publish it; publication
    needs the writer's consent (``allow_publication``), which the writer can withdraw.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="reflections")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="reflections")
    text = models.TextField(_("reflection"), validators=[MaxLengthValidator(REFLECTION_MAX_CHARS)])
    allow_publication = models.BooleanField(_("may be published on the programme page"), default=False)
    is_selected = models.BooleanField(_("selected"), default=False)
    sharing_item = models.ForeignKey(
        AgendaItem,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reflections",
        verbose_name=_("sharing slot"),
    )
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("reflection")
        verbose_name_plural = _("reflections")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="reflection_one_per_session"),
        ]
        indexes = [models.Index(fields=["session", "published_at"])]

    def __str__(self) -> str:
        return f"{self.registration.reference} · {self.session}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Survey(models.Model):
    """A session's evaluation: its questions, copied from the default template and editable."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="survey")
    is_open = models.BooleanField(_("accepting responses"), default=True)
    attendees_only = models.BooleanField(
        _("only people who attended may answer"),
        default=True,
        help_text=_("Attendance comes from door scans, online joins and imported meeting reports."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation survey")
        verbose_name_plural = _("evaluation surveys")

    def __str__(self) -> str:
        return f"{self.session}"


class Question(BilingualMixin, models.Model):
    class Kind(models.TextChoices):
        RATING = "rating", _("Rating from 1 to 5")
        TEXT = "text", _("Free text")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.RATING)
    text_en = models.CharField(_("question (English)"), max_length=300)
    text_zh = models.CharField(_("question (Chinese)"), max_length=300, blank=True)
    required = models.BooleanField(_("must be answered"), default=True)

    class Meta:
        ordering = ["survey", "order", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text_en

    @property
    def text(self) -> str:
        return self.localised("text")

    @property
    def is_rating(self) -> bool:
        return self.kind == self.Kind.RATING


class Response(models.Model):
    """One registrant's answers to one session's survey: at most one each."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="survey_responses")
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["survey", "submitted_at", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.UniqueConstraint(fields=["survey", "registration"], name="response_one_per_registrant"),
        ]

    def __str__(self) -> str:
        return f"{self.registration.reference} · {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    text = models.TextField(blank=True, validators=[MaxLengthValidator(REFLECTION_MAX_CHARS)])

    class Meta:
        ordering = ["response", "question__order", "question_id"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question}: {self.rating or self.text[:40]}"
