"""The evaluation export: one row per response, one column per question, safe to open in Excel."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from plenary.core.spreadsheets import safe_cell
from plenary.engagement import selectors
from plenary.engagement.models import Answer


def survey_xlsx(survey) -> bytes:
    questions = list(survey.questions.all())
    answers: dict[int, dict[int, Answer]] = {}
    for answer in Answer.objects.filter(response__survey=survey):
        answers.setdefault(answer.response_id, {})[answer.question_id] = answer
    book = Workbook()
    sheet = book.active
    sheet.title = _("Responses")[:31]
    sheet.append(
        [_("Reference"), _("Name"), _("Agency"), _("Submitted")]
        + [safe_cell(q.text) for q in questions]  # in the reader's language, as the summary below
    )
    tz = survey.session.programme.tzinfo
    for response in survey.responses.select_related("registration__organisation"):
        registration = response.registration
        agency = (
            registration.organisation.name if registration.organisation else registration.organisation_name
        )
        row = [
            registration.reference,
            registration.full_name,
            agency,
            timezone.localtime(response.submitted_at, tz).strftime("%Y-%m-%d %H:%M"),
        ]
        for question in questions:
            answer = answers.get(response.pk, {}).get(question.pk)
            if answer is None:
                row.append(None)
            else:
                row.append(answer.rating if question.is_rating else answer.text)
        sheet.append([safe_cell(value) for value in row])
    summary = book.create_sheet(_("Summary")[:31])
    results = selectors.survey_results(survey)
    summary.append([_("Responses"), results.responses])
    summary.append([_("Could answer"), results.eligible])
    summary.append(
        [
            _("Response rate") + " (%)",
            round(results.response_rate, 1) if results.response_rate is not None else None,
        ]
    )
    summary.append([])
    summary.append([_("Question"), _("Answers"), _("Average"), "5", "4", "3", "2", "1"])
    for result in results.questions:
        if result.question.is_rating:
            summary.append(
                [safe_cell(result.question.text), result.answered, result.average]
                + [count for _rating, count, _share in result.distribution]
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
