"""The organiser console for attendance: the matrix, per-session summaries, uploads and review."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.attendance import forms, pulls, selectors, services
from plenary.attendance.models import AttendanceImport, MeetingConnection
from plenary.core.ids import parse_id
from plenary.core.spreadsheets import safe_row
from plenary.organisations.models import Organisation

PAGE_SIZE = 50
REVIEW_SIZE = 100


def _find_registrant(programme, text: str):
    text = text.strip()
    registrations = selectors.registrants(programme)
    return (
        registrations.filter(reference__iexact=text).first()
        or registrations.filter(email__iexact=text).first()
    )


@manages_programme
def matrix(request, programme):
    all_sessions = list(programme.sessions.all())
    # A semi-join on the registrations' (programme, organisation) index, not a join over every registration.
    agencies = Organisation.objects.filter(
        pk__in=programme.registrations.filter(organisation__isnull=False).values("organisation_id")
    ).order_by("name_en")
    form = forms.MatrixFilterForm(request.GET or None, agencies=agencies, sessions=all_sessions)
    people = selectors.registrants(programme).order_by("name_en", "pk")
    sessions = all_sessions
    everyone = True  # the list is every registrant: its count is the summaries' "registered"
    if form.is_valid():
        everyone = not (form.cleaned_data["agency"] or form.cleaned_data["below"])
        if form.cleaned_data["agency"]:
            people = people.filter(organisation_id=form.cleaned_data["agency"])
        if form.cleaned_data["session"]:
            sessions = [s for s in all_sessions if s.pk == form.cleaned_data["session"]] or all_sessions
        if form.cleaned_data["below"]:
            people = people.annotate(
                attended=Count(
                    "attendances",
                    filter=Q(attendances__present=True, attendances__session__in=[s.pk for s in sessions]),
                )
            ).filter(attended__lt=len(sessions))
    if request.GET.get("export") == "xlsx":
        return _xlsx(programme, people, sessions)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    cells = selectors.attendance_by_registration([s.pk for s in sessions], [p.pk for p in page])
    rows = [
        (person, [(session, cells.get((person.pk, session.pk))) for session in sessions]) for person in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "manage/attendance/matrix.html",
        {
            "programme": programme,
            "form": form,
            "sessions": sessions,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "summaries": selectors.session_summaries(
                programme, sessions, registered=page.paginator.count if everyone else None
            ),
        },
    )


def _xlsx(programme, people, sessions) -> HttpResponse:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(_("Attendance"))
    header = [_("Reference"), _("Name (English)"), _("Name (Chinese)"), _("Email"), _("Organisation")]
    for session in sessions:
        header += [f"{session.title_en} · {_('minutes')}", f"{session.title_en} · {_('present')}"]
    sheet.append(safe_row(header))
    for chunk_start in range(0, people.count(), 2000):
        chunk = list(people[chunk_start : chunk_start + 2000])
        cells = selectors.attendance_by_registration([s.pk for s in sessions], [p.pk for p in chunk])
        for person in chunk:
            row = [
                person.reference,
                person.name_en,
                person.name_zh,
                person.email,
                person.organisation.name_en if person.organisation else person.organisation_name,
            ]
            for session in sessions:
                cell = cells.get((person.pk, session.pk))
                row += [cell.minutes if cell else 0, _("yes") if cell and cell.present else _("no")]
            sheet.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="attendance-{programme.slug}.xlsx"'
    return response


@manages_programme
def session_page(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    form = forms.ImportForm(
        request.POST or None, request.FILES or None, initial={"tz": programme.time_zone, "format": "auto"}
    )
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.import_meeting_report(
                session,
                form.cleaned_data["file"],
                format=form.cleaned_data["format"],
                date_order=form.cleaned_data["date_order"],
                tz=form.cleaned_data["tz"],
                actor=request.user,
                file_name=form.cleaned_data["file"].name,
            )
        except services.ImportFailed as error:
            form.add_error("file", str(error))
        else:
            if outcome.duplicate:
                messages.warning(request, _("This file was imported before; nothing changed."))
            else:
                messages.success(request, _("Imported."))
            return redirect(f"{request.path}?import={outcome.batch.pk}")
    return _render_session(request, programme, session, form)


def _render_session(request, programme, session, form, meeting_form=None, status=200):
    imports = list(selectors.live_imports(session))
    pending = [(batch, row) for batch in imports for row in batch.unmatched_rows]
    review_total = len(pending)
    review = selectors.with_candidates(programme, pending[:REVIEW_SIZE])
    shown = None
    if (import_id := parse_id(request.GET.get("import", ""))) is not None:
        shown = AttendanceImport.objects.filter(session=session, pk=import_id).first()
    return render(
        request,
        "manage/attendance/session.html",
        {
            "programme": programme,
            "session": session,
            "form": form,
            "imports": imports,
            "shown": shown,
            "summary": selectors.session_summaries(programme, [session])[0],
            "review": review,
            "review_total": review_total,
            "adjust_form": forms.AdjustForm(),
            "threshold": services.threshold_minutes(session),
            **_meeting_context(session, meeting_form),
        },
        status=status,
    )


def _meeting_context(session, form=None) -> dict:
    connection = MeetingConnection.objects.filter(session=session).select_related("last_import").first()
    if form is None:
        initial = {"platform": connection.platform, "meeting_id": connection.meeting_id} if connection else {}
        form = forms.MeetingForm(initial=initial)
    return {"meeting": connection, "meeting_form": form}


@manages_programme
@require_POST
def meeting(request, programme, session_id):
    """Connects the session to a meeting on Zoom, Teams or Webex (or disconnects it); audited."""
    session = get_object_or_404(programme.sessions, pk=session_id)
    if "pull" in request.POST:
        if pulls.request_pull(session, actor=request.user):
            messages.success(request, _("A pull of the report is queued; this page shows how it went."))
        return redirect("attendance:session", slug=programme.slug, session_id=session.pk)
    if "disconnect" in request.POST:
        if pulls.disconnect_meeting(session, actor=request.user):
            messages.success(request, _("The meeting is disconnected; its imported reports stay."))
        return redirect("attendance:session", slug=programme.slug, session_id=session.pk)
    form = forms.MeetingForm(request.POST)
    if form.is_valid():
        try:
            pulls.connect_meeting(
                session, form.cleaned_data["platform"], form.cleaned_data["meeting_id"], actor=request.user
            )
        except pulls.PullError as error:
            form.add_error("meeting_id", str(error))
        else:
            messages.success(
                request,
                _(
                    "Connected. The report will be pulled after the session ends, then again while it settles."
                ),
            )
            try:
                pulls.client_for(form.cleaned_data["platform"])  # reads the credentials; asks nothing yet
            except pulls.PullError as error:
                messages.warning(request, str(error))
            return redirect("attendance:session", slug=programme.slug, session_id=session.pk)
    upload = forms.ImportForm(initial={"tz": programme.time_zone, "format": "auto"})
    return _render_session(request, programme, session, upload, meeting_form=form, status=400)


@manages_programme
@require_POST
def match_row(request, programme, session_id, import_id):
    batch = get_object_or_404(
        AttendanceImport, session__programme=programme, session_id=session_id, pk=import_id
    )
    form = forms.MatchForm(request.POST)
    registration = (
        _find_registrant(programme, request.POST.get("registrant", "")) if form.is_valid() else None
    )
    if registration is None:
        messages.error(request, _("No registrant of this programme has that reference or email."))
    else:
        try:
            count = services.resolve_unmatched(
                batch, form.cleaned_data["line"], registration, actor=request.user
            )
        except services.ImportFailed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Matched to %(name)s (%(count)s rows); later imports will remember it.")
                % {"name": registration.full_name, "count": count},
            )
    return redirect("attendance:session", slug=programme.slug, session_id=session_id)


@manages_programme
@require_POST
def adjust(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    form = forms.AdjustForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the registrant, the minutes and a reason."))
        return redirect("attendance:session", slug=programme.slug, session_id=session.pk)
    registration = _find_registrant(programme, form.cleaned_data["registrant"])
    if registration is None:
        messages.error(request, _("No registrant of this programme has that reference or email."))
    else:
        try:
            attendance = services.adjust_minutes(
                registration,
                session,
                minutes=form.cleaned_data["minutes"],
                reason=form.cleaned_data["reason"],
                actor=request.user,
            )
        except services.ImportFailed as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("%(name)s now has %(minutes)s minutes.")
                % {"name": registration.full_name, "minutes": attendance.minutes},
            )
    return redirect("attendance:session", slug=programme.slug, session_id=session.pk)
