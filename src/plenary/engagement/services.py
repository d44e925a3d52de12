"""Every write about reflections and evaluations, one transaction per use case, audited for organisers."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plenary.access import rules as access
from plenary.core import audit
from plenary.core.errors import DomainError
from plenary.core.privacy import refuse_hkid
from plenary.engagement import selectors
from plenary.engagement.models import REFLECTION_MAX_CHARS, Answer, Question, Reflection, Response, Survey
from plenary.programmes.models import AgendaItem, Session
from plenary.registrations.models import Registration

# The default evaluation every session starts from; organisers may edit each session's copy.
DEFAULT_QUESTIONS = [
    (Question.Kind.RATING, "How useful was the content?", "講座內容有用嗎？", True),
    (Question.Kind.RATING, "How would you rate the speaker?", "您對講者的評價如何？", True),
    (
        Question.Kind.RATING,
        "How were the arrangements (time, venue, online platform)?",
        "活動安排（時間、場地、網上平台）如何？",
        True,
    ),
    (Question.Kind.TEXT, "Any other comments?", "其他意見", False),
]

# Control characters other than tab and newline have no place in plain text a person typed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class AlreadyAnswered(DomainError):
    """The registrant has already answered this session's evaluation."""

    default_message = gettext_lazy("You have already answered this evaluation.")


def clean_plain_text(text: str, *, limit: int = REFLECTION_MAX_CHARS) -> str:
    """Plain text as stored: unified newlines, no control characters, trimmed; too long is an error.

    Nothing is interpreted as HTML: pages escape it on output, so "<script>" shows as typed.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()
    refuse_hkid(text)
    if len(text) > limit:
        raise ValidationError(
            _("Please keep it to %(limit)s characters (it has %(count)s).")
            % {"limit": limit, "count": len(text)}
        )
    return text


@transaction.atomic
def ensure_survey(session: Session) -> Survey:
    """The session's evaluation, created from the default questions the first time it is needed."""
    survey, created = Survey.objects.get_or_create(session=session)
    if created:
        Question.objects.bulk_create(
            Question(survey=survey, order=order, kind=kind, text_en=en, text_zh=zh, required=required)
            for order, (kind, en, zh, required) in enumerate(DEFAULT_QUESTIONS, start=1)
        )
    return survey


@transaction.atomic
def submit_reflection(
    *, registration: Registration, session: Session, text: str, allow_publication: bool
) -> Reflection:
    """Writes or rewrites the registrant's reflection on a session.

    A published reflection keeps its text (organisers chose that text), but its writer may always
    withdraw consent, which takes it off the programme page.
    """
    if not selectors.may_reflect(registration, session):
        raise ValidationError(_("Reflections on this session are not open."))
    text = clean_plain_text(text)
    if not text:
        raise ValidationError(_("Please write your reflection."))
    reflection = (
        Reflection.objects.select_for_update().filter(registration=registration, session=session).first()
    )
    if reflection is None:
        return Reflection.objects.create(
            registration=registration, session=session, text=text, allow_publication=allow_publication
        )
    if reflection.is_published and text != reflection.text and allow_publication:
        raise ValidationError(
            _(
                "Your reflection has been published, so its text can no longer change. You may still withdraw it."
            )
        )
    reflection.text = text
    reflection.allow_publication = allow_publication
    if not allow_publication:
        reflection.published_at = None
    reflection.save()
    return reflection


def _record(actor, changed: Reflection | Survey, before: dict, summary: str) -> None:
    """The audit entry of an organiser's change to a session's reflection or evaluation."""
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.UPDATE,
        instance=changed,
        programme=changed.session.programme,
        before=before,
        after=audit.snapshot(changed),
        summary=summary,
    )


@transaction.atomic
def select_reflection(reflection: Reflection, selected: bool, *, actor) -> Reflection:
    """Marks a reflection selected (or not). Unselecting also unlinks and unpublishes it."""
    before = audit.snapshot(reflection)
    reflection.is_selected = selected
    if not selected:
        reflection.sharing_item = None
        reflection.published_at = None
    reflection.save()
    _record(actor, reflection, before, "Selected" if selected else "Unselected")
    return reflection


@transaction.atomic
def link_to_sharing_slot(reflection: Reflection, item: AgendaItem | None, *, actor) -> Reflection:
    """Links a selected reflection to a sharing slot of the same programme's run-down (or unlinks it)."""
    if item is not None:
        if not reflection.is_selected:
            raise ValidationError(_("Select the reflection before linking it to a sharing slot."))
        if (
            item.kind != AgendaItem.Kind.SHARING
            or item.session.programme_id != reflection.session.programme_id
        ):
            raise ValidationError(_("Choose a sharing slot of this programme's run-down."))
    before = audit.snapshot(reflection)
    reflection.sharing_item = item
    reflection.save()
    _record(actor, reflection, before, f"Linked to sharing slot {item.pk}" if item else "Unlinked")
    return reflection


@transaction.atomic
def publish_reflection(reflection: Reflection, publish: bool, *, actor) -> Reflection:
    """Publishes a selected reflection on the programme page, only with its writer's consent."""
    if publish:
        if not reflection.allow_publication:
            raise ValidationError(_("The writer has not agreed to publication."))
        if not reflection.is_selected:
            raise ValidationError(_("Select the reflection before publishing it."))
    before = audit.snapshot(reflection)
    reflection.published_at = (reflection.published_at or timezone.now()) if publish else None
    reflection.save()
    _record(actor, reflection, before, "Published" if publish else "Unpublished")
    return reflection


@transaction.atomic
def set_survey_open(survey: Survey, is_open: bool, *, actor) -> Survey:
    """Opens or closes a session's evaluation to responses (a closed one is not offered or emailed)."""
    survey = Survey.objects.select_for_update().select_related("session__programme").get(pk=survey.pk)
    if survey.is_open == is_open:
        return survey
    before = audit.snapshot(survey)
    survey.is_open = is_open
    survey.save(update_fields=["is_open"])
    _record(actor, survey, before, "Evaluation opened" if is_open else "Evaluation closed")
    return survey


@transaction.atomic
def set_survey_attendees_only(survey: Survey, attendees_only: bool, *, actor) -> Survey:
    """Whether only people who attended the session may answer its evaluation (on by default)."""
    survey = Survey.objects.select_for_update().select_related("session__programme").get(pk=survey.pk)
    if survey.attendees_only == attendees_only:
        return survey
    before = audit.snapshot(survey)
    survey.attendees_only = attendees_only
    survey.save(update_fields=["attendees_only"])
    _record(
        actor,
        survey,
        before,
        "Evaluation for attendees only" if attendees_only else "Evaluation for everyone",
    )
    return survey


def submit_response(*, registration: Registration, survey: Survey, answers: dict[int, Any]) -> Response:
    """Stores a registrant's evaluation. ``answers`` maps question id → rating (1–5) or text.

    One response per registrant per session: a second one raises AlreadyAnswered, also when two
    submissions race (the database's unique constraint decides).
    """
    if not selectors.may_evaluate(registration, survey.session):
        if survey.is_open and not access.evaluates(registration, survey.session):
            raise ValidationError(_("This evaluation is for the people who attended the session."))
        raise ValidationError(_("This evaluation is not open."))
    try:
        with transaction.atomic():
            response = Response.objects.create(survey=survey, registration=registration)
            rows = []
            for question in survey.questions.all():
                value = answers.get(question.pk)
                if question.is_rating:
                    rating = int(value) if value not in (None, "") else None
                    if rating is not None and not 1 <= rating <= 5:
                        raise ValidationError(_("Ratings go from 1 to 5."))
                    if rating is None and question.required:
                        raise ValidationError(_("Please answer every required question."))
                    if rating is not None:
                        rows.append(Answer(response=response, question=question, rating=rating))
                else:
                    text = clean_plain_text(str(value or ""))
                    if text:
                        rows.append(Answer(response=response, question=question, text=text))
                    elif question.required:
                        raise ValidationError(_("Please answer every required question."))
            Answer.objects.bulk_create(rows)
    except IntegrityError as error:
        if Response.objects.filter(survey=survey, registration=registration).exists():
            raise AlreadyAnswered from error
        raise
    return response


@transaction.atomic
def save_questions(survey: Survey, *, changed: list[Question], deleted: list[Question], actor) -> None:
    """Saves the organiser's edits to a survey's questions (new or changed, and deleted), each change
    in the audit log."""
    programme = survey.session.programme
    for question in deleted:
        if question.pk:
            audit.record(
                actor=actor,
                action=audit.AuditEntry.Action.DELETE,
                instance=question,
                programme=programme,
                before=audit.snapshot(question),
            )
            question.delete()
    for question in changed:
        before = audit.snapshot(question) if question.pk else None  # read back from the database
        question.survey = survey
        question.save()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE if before else audit.AuditEntry.Action.CREATE,
            instance=question,
            programme=programme,
            before=before,
            after=audit.snapshot(question),
        )
