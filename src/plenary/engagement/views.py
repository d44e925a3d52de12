"""The registrant's pages behind their private link: write a reflection, answer an evaluation."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from plenary.engagement import selectors, services
from plenary.engagement.forms import ReflectionForm, SurveyForm
from plenary.engagement.models import Reflection, Response
from plenary.registrations.models import Registration


def _registration_or_404(token: str) -> Registration:
    registration = selectors.registration_for_token(token)
    if registration is None:
        raise Http404
    timezone.activate(registration.programme.tzinfo)
    return registration


def feedback(request, token):
    registration = _registration_or_404(token)
    return render(
        request,
        "engagement/feedback.html",
        {"registration": registration, "rows": selectors.feedback_overview(registration)},
    )


def reflect(request, token, session_id):
    registration = _registration_or_404(token)
    session = get_object_or_404(registration.programme.sessions, pk=session_id)
    if not selectors.may_reflect(registration, session):
        raise Http404
    existing = Reflection.objects.filter(registration=registration, session=session).first()
    initial = {"text": existing.text, "allow_publication": existing.allow_publication} if existing else None
    form = ReflectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_reflection(
                registration=registration,
                session=session,
                text=form.cleaned_data["text"],
                allow_publication=form.cleaned_data["allow_publication"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Thank you. Your reflection has been saved."))
            return redirect("engagement:feedback", token=token)
    return render(
        request,
        "engagement/reflect.html",
        {"registration": registration, "session": session, "form": form, "existing": existing},
    )


def survey(request, token, session_id):
    registration = _registration_or_404(token)
    session = get_object_or_404(registration.programme.sessions, pk=session_id)
    if not selectors.may_evaluate(registration, session):
        raise Http404
    survey = services.ensure_survey(session)
    context = {"registration": registration, "session": session}
    if Response.objects.filter(survey=survey, registration=registration).exists():
        return render(request, "engagement/survey_done.html", {**context, "already": True})
    questions = list(survey.questions.all())
    form = SurveyForm(request.POST if request.method == "POST" else None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(registration=registration, survey=survey, answers=form.answers())
        except services.AlreadyAnswered:
            return render(request, "engagement/survey_done.html", {**context, "already": True})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return render(request, "engagement/survey_done.html", {**context, "already": False})
    return render(request, "engagement/survey.html", {**context, "form": form})
