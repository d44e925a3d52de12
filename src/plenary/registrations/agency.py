"""The agency coordinator's pages: nominate staff one by one or by upload, see and manage only their
agency's nominations (``access.rules.visible_registrations``: a self-registration that merely names
the agency is not the coordinator's to see, as the collection statement says)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access import rules as access
from plenary.access.views import coordinator_required
from plenary.certificates import selectors as certificate_selectors
from plenary.certificates.models import Certificate
from plenary.core.i18n import is_chinese
from plenary.programmes import selectors as programme_selectors
from plenary.registrations import services, spreadsheets
from plenary.registrations.forms import NominationForm, UploadForm
from plenary.registrations.models import Quota


def _agency(request):
    """The agency the coordinator is working for (their first, or the one chosen with ?agency=)."""
    agencies = access.coordinated_agencies(request.user).order_by("name_en")
    if not agencies.exists():
        raise PermissionDenied
    chosen = request.GET.get("agency") or request.POST.get("agency")
    if chosen and chosen.isdigit():
        agency = agencies.filter(pk=int(chosen)).first()
        if agency is None:
            raise Http404
        return agency, agencies
    return agencies.first(), agencies


def _programme_url(slug: str, agency) -> str:
    return reverse("registrations:agency-programme", args=[slug]) + f"?agency={agency.pk}"


def _programme(slug: str):
    programme = get_object_or_404(programme_selectors.public_programmes(), slug=slug)
    timezone.activate(programme.tzinfo)
    return programme


@coordinator_required
def home(request):
    agency, agencies = _agency(request)
    programmes = programme_selectors.public_programmes().filter(registration_open=True).order_by("-starts_on")
    return render(
        request,
        "registrations/agency/home.html",
        {"agency": agency, "agencies": agencies, "programmes": programmes},
    )


@coordinator_required
def programme(request, slug):
    agency, agencies = _agency(request)
    programme = _programme(slug)
    registrations = (
        access.visible_registrations(request.user, programme)
        .filter(organisation=agency)
        .select_related("nominated_by")
        .order_by("-created_at")
    )
    quota = Quota.objects.filter(programme=programme, organisation=agency).first()
    certificates = (
        certificate_selectors.visible_certificates(request.user, programme) or Certificate.objects.none()
    ).filter(registration__organisation=agency)
    return render(
        request,
        "registrations/agency/programme.html",
        {
            "agency": agency,
            "agencies": agencies,
            "programme": programme,
            "registrations": registrations,
            "quota": quota,
            "certificates": certificates.order_by("serial"),
            "upload_form": UploadForm(),
        },
    )


@coordinator_required
def nominate(request, slug):
    agency, _agencies = _agency(request)
    programme = _programme(slug)
    sessions = list(programme.sessions.select_related("venue"))
    form = NominationForm(request.POST or None, sessions=sessions, agencies=None)
    if request.method == "POST" and form.is_valid():
        applicant = form.applicant(language=get_language() or "en")
        try:
            registration = services.nominate(programme, applicant, coordinator=request.user, agency=agency)
        except services.ValidationError as error:
            for name, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(name if name in form.fields else None, message)
        except services.RegistrationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(name)s is nominated (%(status)s).")
                % {"name": registration.display_name, "status": registration.get_status_display()},
            )
            return redirect(_programme_url(slug, agency))
    return render(
        request,
        "registrations/agency/nominate.html",
        {"agency": agency, "programme": programme, "form": form},
    )


@coordinator_required
def upload(request, slug):
    agency, _agencies = _agency(request)
    programme = _programme(slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    results = None
    refused = ""
    if request.method == "POST" and form.is_valid():
        try:
            rows = spreadsheets.read_rows(form.cleaned_data["file"])
        except spreadsheets.UploadRefused as error:
            refused = str(error.message)
            form.add_error("file", refused)
        else:
            results = services.nominate_rows(
                programme, rows, coordinator=request.user, agency=agency, language=get_language() or "en"
            )
    return render(
        request,
        "registrations/agency/upload.html",
        {
            "agency": agency,
            "programme": programme,
            "form": form,
            "results": results,
            "accepted": sum(1 for r in results or [] if r.accepted),
            "rejected": sum(1 for r in results or [] if not r.accepted),
        },
        status=400 if request.method == "POST" and (refused or form.errors) else 200,
    )


TEMPLATE_EXAMPLE = [
    "Chan Tai Man",
    "陳大文",
    "taiman.chan@example.org",
    "91234567",
    "Social Worker",
    "Family Centre",
    "S12345",
    "online",
]


@coordinator_required
def template(request, slug, kind):
    _agency(request)
    _programme(slug)
    if kind not in ("xlsx", "csv"):
        raise Http404
    # The header row is the column keys the upload reads; the example's mode is a word of the reader's
    # language that the upload understands (spreadsheets.MODE_WORDS), never a code.
    example = [*TEMPLATE_EXAMPLE[:-1], "網上" if is_chinese(get_language()) else "online"]
    if kind == "xlsx":
        content = spreadsheets.xlsx_bytes(spreadsheets.COLUMNS, [example], title="nominations")
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        response = HttpResponse(
            spreadsheets.csv_text(spreadsheets.COLUMNS, [example]),
            content_type="text/csv; charset=utf-8",
        )
    response["Content-Disposition"] = f'attachment; filename="nominations-template.{kind}"'
    return response


@coordinator_required
def cancel(request, slug, reference):
    """Asks first (a page saying who and what is given up), cancels only when confirmed; the list then
    offers to undo it."""
    agency, _agencies = _agency(request)
    programme = _programme(slug)
    registration = get_object_or_404(
        access.visible_registrations(request.user, programme).filter(organisation=agency), reference=reference
    )
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return render(
            request,
            "registrations/agency/cancel.html",
            {"programme": programme, "agency": agency, "registration": registration},
        )
    services.cancel(registration, actor=request.user)
    messages.success(
        request,
        _(
            "Registration %(reference)s is cancelled. If this was a mistake, choose “Undo cancellation” in the list."
        )
        % {"reference": reference},
    )
    return redirect(_programme_url(slug, agency))


@coordinator_required
@require_POST
def register_again(request, slug, reference):
    """Undoes a cancellation: the person gets seats again, taken now in order (``services.register_again``)."""
    agency, _agencies = _agency(request)
    programme = _programme(slug)
    registration = get_object_or_404(
        access.visible_registrations(request.user, programme).filter(organisation=agency), reference=reference
    )
    try:
        services.register_again(
            registration, actor=request.user, reason=gettext_noop("cancellation undone by coordinator")
        )
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Registration %(reference)s is active again: %(status)s.")
            % {"reference": reference, "status": registration.get_status_display()},
        )
    return redirect(_programme_url(slug, agency))
