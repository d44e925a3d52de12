"""The organiser console for reflections and evaluations: thin views over the services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.engagement import charts, exports, selectors, services, tasks
from plenary.engagement.forms import QuestionFormSet, ReflectionFilterForm
from plenary.engagement.models import Reflection
from plenary.programmes.models import AgendaItem

REFLECTIONS_PAGE = 50


@manages_programme
def reflections(request, programme):
    sessions = [s for s in programme.sessions.all() if s.kind in selectors.REFLECTION_KINDS]
    filters = ReflectionFilterForm(
        request.GET or None, sessions=sessions, agencies=selectors.reflection_agencies(programme)
    )
    session_id = organisation_id = None
    if filters.is_valid():
        session_id = filters.cleaned_data["session"]
        organisation_id = filters.cleaned_data["agency"]
    items = selectors.console_reflections(programme, session_id=session_id, organisation_id=organisation_id)
    sharing_slots = AgendaItem.objects.filter(
        session__programme=programme, kind=AgendaItem.Kind.SHARING
    ).select_related("speaker", "session")
    # A programme of thousands gathers thousands of reflections: a page at a time.
    page = Paginator(items, REFLECTIONS_PAGE).get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    return render(
        request,
        "manage/engagement/reflections.html",
        {
            "programme": programme,
            "nav": "reflections",
            "filters": filters,
            "reflections": page,
            "page": page,
            "sharing_slots": sharing_slots,
            "query": request.GET.urlencode(),
            "pages_query": others.urlencode(),
        },
    )


@manages_programme
@require_POST
def reflection_action(request, programme, pk, action):
    reflection = get_object_or_404(
        Reflection.objects.select_related("session"), session__programme=programme, pk=pk
    )
    try:
        if action == "select":
            services.select_reflection(reflection, True, actor=request.user)
            messages.success(request, _("Reflection selected."))
        elif action == "unselect":
            services.select_reflection(reflection, False, actor=request.user)
            messages.success(request, _("Reflection no longer selected."))
        elif action == "link":
            item_id = request.POST.get("sharing_item") or None
            item = None
            if item_id:
                item = AgendaItem.objects.filter(
                    pk=item_id if str(item_id).isdigit() else 0, session__programme=programme
                ).first()
                if item is None:
                    raise ValidationError(_("Choose a sharing slot of this programme's run-down."))
            services.link_to_sharing_slot(reflection, item, actor=request.user)
            messages.success(request, _("Sharing slot saved."))
        elif action == "publish":
            services.publish_reflection(reflection, True, actor=request.user)
            messages.success(request, _("Reflection published on the programme page."))
        elif action == "unpublish":
            services.publish_reflection(reflection, False, actor=request.user)
            messages.success(request, _("Reflection taken off the programme page."))
        else:
            raise Http404
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    back = request.POST.get("next", "")
    url = f"{request.path.rsplit('/reflections/', 1)[0]}/reflections/"
    return redirect(
        f"{url}?{back}#reflection-{reflection.pk}" if back else f"{url}#reflection-{reflection.pk}"
    )


@manages_programme
def surveys(request, programme):
    return render(
        request,
        "manage/engagement/surveys.html",
        {"programme": programme, "nav": "surveys", "rows": selectors.programme_survey_overview(programme)},
    )


@manages_programme
def survey_results(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    survey = services.ensure_survey(session)
    results = selectors.survey_results(survey)
    for index, result in enumerate(results.questions):
        if result.question.is_rating:
            result.chart = charts.rating_chart(result, f"chart-{index + 1}")
    return render(
        request,
        "manage/engagement/survey_results.html",
        {"programme": programme, "nav": "surveys", "session": session, "survey": survey, "results": results},
    )


@manages_programme
def survey_questions(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    survey = services.ensure_survey(session)
    formset = QuestionFormSet(request.POST or None, queryset=survey.questions.all())
    if request.method == "POST" and formset.is_valid():
        changed = formset.save(commit=False)
        services.save_questions(survey, changed=changed, deleted=formset.deleted_objects, actor=request.user)
        messages.success(request, _("Questions saved."))
        return redirect("engagement:manage-survey", slug=programme.slug, session_id=session.pk)
    return render(
        request,
        "manage/engagement/survey_questions.html",
        {"programme": programme, "nav": "surveys", "session": session, "formset": formset},
    )


@manages_programme
def survey_export(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    survey = services.ensure_survey(session)
    response = HttpResponse(
        exports.survey_xlsx(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{session.pk}.xlsx"'
    return response


@manages_programme
@require_POST
def survey_state(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    if "attendees_only" in request.POST:
        only = request.POST["attendees_only"]
        if only not in ("0", "1"):
            raise Http404
        services.set_survey_attendees_only(services.ensure_survey(session), only == "1", actor=request.user)
        messages.success(
            request,
            _("Only people who attended the session may answer.")
            if only == "1"
            else _("Everyone registered may answer."),
        )
        return redirect("engagement:manage-survey", slug=programme.slug, session_id=session.pk)
    wanted = request.POST.get("open")
    if wanted not in ("0", "1"):
        raise Http404
    survey = services.set_survey_open(services.ensure_survey(session), wanted == "1", actor=request.user)
    if survey.is_open:
        messages.success(request, _("The evaluation accepts responses again."))
    else:
        messages.success(request, _("The evaluation is closed: registrants can no longer answer it."))
    return redirect("engagement:manage-survey", slug=programme.slug, session_id=session.pk)


@manages_programme
@require_POST
def survey_invite(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    if not services.ensure_survey(session).is_open:
        messages.error(request, _("Reopen the evaluation before emailing its link."))
        return redirect("engagement:manage-survey", slug=programme.slug, session_id=session.pk)
    transaction.on_commit(lambda: tasks.email_survey_links.enqueue(session.pk))
    messages.success(
        request, _("The evaluation link is being emailed to registrants who have not answered yet.")
    )
    return redirect("engagement:manage-survey", slug=programme.slug, session_id=session.pk)
