"""Public pages of registrations: the form, the private participant page, the link re-sender."""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.core.ids import parse_id
from plenary.core.ratelimit import Limit, Throttled, client_address, hit
from plenary.organisations.models import Organisation
from plenary.programmes import pages
from plenary.programmes import selectors as programme_selectors
from plenary.registrations import private_page, selectors, services
from plenary.registrations.forms import RegistrationForm, ResendLinkForm
from plenary.registrations.models import Registration

# Mail that anyone can ask Plenary to send, and registrations from one client (core/ratelimit.py).
LINK_MAILS_PER_ADDRESS = Limit("reg-link-address", 3)
LINK_MAILS_PER_CLIENT = Limit("reg-link-client", 20)
REGISTRATIONS_PER_CLIENT = Limit("register-client", 100)


def send_link_politely(request, programme, email: str) -> None:
    """Sends the private link to the address itself, a few times an hour per address and per client;
    beyond that the person is told to wait (Throttled), never told it was sent when it was not."""
    email = services.normalise_email(email)
    hit(
        (LINK_MAILS_PER_ADDRESS, f"{programme.pk}:{email}"),
        (LINK_MAILS_PER_CLIENT, client_address(request)),
        message=_("Too many requests for this link. Please wait an hour and try again, or check your inbox."),
    )
    services.resend_link(programme, email)


def _programme(slug: str):
    programme = get_object_or_404(programme_selectors.public_programmes(), slug=slug)
    timezone.activate(programme.tzinfo)
    return programme


BLANK_FORM_SECONDS = 24 * 3600
CSRF_SLOT = "csrf-token-slot-for-this-visitor"


def blank_form(request, slug: str):
    """The empty form for a visitor without a session, rendered once per content version and language.

    The agencies, the hybrid sessions and every label come from the programme's content version
    (``programmes/pages.py``), so an edit shows at once; only the CSRF token differs per visitor and
    is put in per request. None when registration is not open (the full path explains why).
    """
    row = pages.head(slug)
    if not services.registration_is_open(pages.programme_of(row)):
        return None
    key = f"register-form:{row['pk']}:{row['content_version']}:{get_language()}"
    page = cache.get(key)
    if page is None:
        programme = _programme(slug)
        page = _form_page(request, programme, _blank(programme), csrf_token=CSRF_SLOT).content.decode()
        cache.set(key, page, BLANK_FORM_SECONDS)
    response = HttpResponse(page.replace(CSRF_SLOT, get_token(request)))
    response["Cache-Control"] = "private, no-cache"
    return response


def _form_parts(slug: str):
    """The programme and its sessions as the form needs them, kept per content version
    (``programmes/pages.py``): a submitted form then costs one indexed lookup for them, not two ORM
    queries. What changes without a new version (open, closing time, dates) comes from that lookup."""
    row = pages.head(slug)
    key = f"register-parts:{row['pk']}:{row['content_version']}"
    parts = cache.get(key)
    if parts is None:
        programme = programme_selectors.public_programmes().get(pk=row["pk"])
        parts = (programme, list(programme.sessions.select_related("venue")))
        cache.set(key, parts, BLANK_FORM_SECONDS)
    programme, sessions = parts
    for name in ("registration_open", "registration_closes_at", "ends_on", "time_zone"):
        setattr(programme, name, row[name])
    timezone.activate(programme.tzinfo)
    return programme, sessions


def _blank(programme, data=None, sessions=None) -> RegistrationForm:
    if sessions is None:
        sessions = list(programme.sessions.select_related("venue"))
    agencies = Organisation.objects.filter(is_member_agency=True).order_by("name_en")
    return RegistrationForm(data, sessions=sessions, agencies=agencies)


def _form_page(request, programme, form, **extra):
    return render(
        request,
        "registrations/register.html",
        {
            "programme": programme,
            "form": form,
            "statement_version": services.COLLECTION_STATEMENT_VERSION,
            **extra,
        },
    )


def register(request, slug):
    if request.method == "GET" and not request.GET and pages.anonymous(request):
        response = blank_form(request, slug)
        if response is not None:
            return response
    programme, sessions = _form_parts(slug)
    if not services.registration_is_open(programme):
        return render(request, "registrations/closed.html", {"programme": programme}, status=200)
    form = _blank(programme, request.POST or None, sessions)
    if request.method == "POST" and form.is_valid():
        hit(
            (REGISTRATIONS_PER_CLIENT, client_address(request)),
            message=_("Too many registrations from your network. Please wait a while and try again."),
        )
        applicant = form.applicant(language=get_language() or "en")
        # A new address and one already registered get the same answer (the same page, the link by
        # email to the address itself), so the form tells no one who is registered.
        try:
            services.register(programme, applicant)
        except services.AlreadyRegistered as already:
            if already.registration.status == Registration.Status.CANCELLED:
                # Cancelled before: registered again, with the same private link (emailed, never shown
                # here: knowing an address is not knowing its link) and new seats taken now, in order.
                with contextlib.suppress(services.RegistrationError):
                    services.register_again(already.registration, applicant)
            else:
                # The address had its link several times this hour: the answer stays the same still.
                with contextlib.suppress(Throttled):
                    send_link_politely(request, programme, applicant.email)
            # Known or new, cancelled or not: the same answer, "check your email" (issue 14).
            return redirect("registrations:received", slug=programme.slug)
        except services.RegistrationClosed:
            return render(request, "registrations/closed.html", {"programme": programme})
        except services.ValidationError as error:
            for name, errors in error.message_dict.items():
                target = name if name in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            return redirect("registrations:received", slug=programme.slug)
    return _form_page(request, programme, form)


def received(request, slug):
    """Where every registration ends: the private link is on its way to the address given."""
    programme = _programme(slug)
    return render(request, "registrations/received.html", {"programme": programme})


def resend(request, slug):
    programme = _programme(slug)
    form = ResendLinkForm(request.POST or None)
    sent = False
    if request.method == "POST" and form.is_valid():
        send_link_politely(request, programme, form.cleaned_data["email"])
        sent = True
    return render(request, "registrations/resend.html", {"programme": programme, "form": form, "sent": sent})


def _registration(token: str) -> Registration:
    registration = selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    timezone.activate(registration.programme.tzinfo)
    return registration


def private(request, token):
    """The person's own page: cached per registration and language (``private_page.py``)."""
    return private_page.private_page(request, token)


@require_POST
def private_mode(request, token):
    registration = _registration(token)
    session = get_object_or_404(registration.programme.sessions, pk=parse_id(request.POST.get("session")))
    try:
        services.change_mode(registration, session, request.POST.get("mode", ""))
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Your mode is changed."))
    return redirect("registrations:private", token=registration.token)


@require_POST
def private_cancel(request, token):
    registration = _registration(token)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want to cancel."))
    else:
        services.cancel(registration)
        messages.success(request, _("Your registration is cancelled."))
    return redirect("registrations:private", token=registration.token)


@require_POST
def private_again(request, token):
    """A cancelled person registers again from their own page: same link and pass, new seats in order."""
    registration = _registration(token)
    try:
        registration = services.register_again(registration)
    except services.RegistrationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("You are registered again: %(status)s. We have emailed you the details.")
            % {"status": registration.get_status_display()},
        )
    return redirect("registrations:private", token=registration.token)


@require_POST
def private_rotate(request, token):
    registration = _registration(token)
    services.rotate_token(registration)
    messages.success(
        request,
        _(
            "Your private link and pass have been renewed. The old link no longer works; we emailed you the new one."
        ),
    )
    return redirect("registrations:private", token=registration.token)
