"""Thin pages of the personal-data lifecycle: the person's own (by private link) and the organisers'."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.core.errors import DomainError
from plenary.privacy import selectors, services
from plenary.privacy.forms import DetailsForm, RequestForm, RetentionForm
from plenary.privacy.models import PrivacyRequest
from plenary.registrations.selectors import registration_by_token


def _mine(token: str):
    registration = registration_by_token(token)
    if registration is None:
        raise Http404
    timezone.activate(registration.programme.tzinfo)
    return registration


def _json(registration) -> HttpResponse:
    response = JsonResponse(
        selectors.personal_data(registration), json_dumps_params={"ensure_ascii": False, "indent": 2}
    )
    response["Content-Disposition"] = f'attachment; filename="personal-data-{registration.reference}.json"'
    response["X-Robots-Tag"] = "noindex"
    return response


def _html(request, registration) -> HttpResponse:
    response = render(
        request,
        "privacy/data.html",
        {
            "registration": registration,
            "programme": registration.programme,
            "tables": selectors.personal_tables(registration),
            "generated_at": timezone.now(),
            "statement_version": services.statement_version(),
        },
    )
    if request.GET.get("download") == "1":
        response["Content-Disposition"] = (
            f'attachment; filename="personal-data-{registration.reference}.html"'
        )
    response["X-Robots-Tag"] = "noindex"
    return response


def data_json(request, token):
    return _json(_mine(token))


def data_html(request, token):
    return _html(request, _mine(token))


def data_part(request, token):
    """Everything held, as the tables the private page shows when "Show everything we hold" is opened."""
    registration = _mine(token)
    response = render(request, "privacy/_tables.html", {"tables": selectors.personal_tables(registration)})
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def details(request, token):
    registration = _mine(token)
    form = DetailsForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Check the details you entered."))
        return redirect("registrations:private", token=registration.token)
    try:
        services.correct_details(registration, form.cleaned_data)
    except ValidationError as error:
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, str(problem))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your details are corrected."))
    return redirect("registrations:private", token=registration.token)


@require_POST
def consent(request, token):
    registration = _mine(token)
    try:
        services.set_consent(registration, request.POST.get("kind", ""), request.POST.get("given") == "yes")
    except ValidationError:
        messages.error(request, _("Unknown consent."))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your choice is recorded and applies now."))
    return redirect("registrations:private", token=registration.token)


@require_POST
def erase(request, token):
    registration = _mine(token)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want your personal data erased."))
        return redirect("registrations:private", token=registration.token)
    try:
        services.request_erasure(registration, request.POST.get("details", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your request is sent. The organisers will answer within 40 days."))
    return redirect("registrations:private", token=registration.token)


# --- organisers -----------------------------------------------------------------------------------


@manages_programme
def registration_data(request, programme, reference, kind):
    registration = get_object_or_404(programme.registrations, reference=reference)
    return _json(registration) if kind == "json" else _html(request, registration)


@manages_programme
def requests_log(request, programme):
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    retention_form = RetentionForm(initial={"days": selectors.retention_days(programme)})
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"].strip().upper()
        registration = programme.registrations.filter(reference=reference).first() if reference else None
        if reference and registration is None:
            form.add_error("reference", _("No registration of this programme has this reference."))
        else:
            data = {
                key: form.cleaned_data[key]
                for key in ("kind", "channel", "received_on", "requester", "details")
            }
            services.record_request(programme, registration=registration, actor=request.user, **data)
            messages.success(request, _("The request is logged."))
            return redirect("privacy:requests", slug=programme.slug)
    return render(
        request,
        "privacy/requests.html",
        {
            "programme": programme,
            "form": form,
            "retention_form": retention_form,
            "requests": selectors.requests_of(programme),
            "overdue": selectors.overdue(programme),
            "retention_days": selectors.retention_days(programme),
        },
    )


@manages_programme
@require_POST
def retention(request, programme):
    form = RetentionForm(request.POST)
    if form.is_valid():
        services.set_retention(programme, form.cleaned_data["days"], actor=request.user)
        messages.success(request, _("Saved."))
    else:
        messages.error(request, _("Give a number of days from 1 to 36500."))
    return redirect("privacy:requests", slug=programme.slug)


@manages_programme
@require_POST
def answer(request, programme, pk):
    found = get_object_or_404(PrivacyRequest, programme=programme, pk=pk)
    action = request.POST.get("action", "")
    reason = request.POST.get("reason", "")
    try:
        if (
            found.kind == PrivacyRequest.Kind.ERASURE
            and found.registration
            and action in ("approve", "refuse")
        ):
            services.decide_erasure(found, actor=request.user, approve=action == "approve", reason=reason)
        elif action in ("done", "refuse"):
            services.close_request(
                found,
                actor=request.user,
                outcome=reason,
                refused=action == "refuse",
                export_given=request.POST.get("export_given") == "yes",
            )
        else:
            raise Http404
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Done."))
    return redirect("privacy:requests", slug=programme.slug)
