"""Public pages of registrations: the form, the private participant page, the link re-sender."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from plenary.core.ratelimit import rate_limited
from plenary.organisations.models import Organisation
from plenary.programmes import selectors as programme_selectors
from plenary.registrations import selectors, services
from plenary.registrations.emails import pass_svg
from plenary.registrations.forms import RegistrationForm, ResendLinkForm
from plenary.registrations.models import Registration

LINK_MAILS_PER_ADDRESS = 3
LINK_MAILS_PER_CLIENT = 20


def send_link_politely(request, programme, email: str) -> None:
    """Sends the private link unless this address or client asked too often (silently either way)."""
    email = services.normalise_email(email)
    client = request.META.get("REMOTE_ADDR", "")
    if rate_limited(
        (f"reg-link:{programme.pk}:{email}", LINK_MAILS_PER_ADDRESS),
        (f"reg-link-client:{client}", LINK_MAILS_PER_CLIENT),
    ):
        return
    services.resend_link(programme, email)


def _programme(slug: str):
    programme = get_object_or_404(programme_selectors.public_programmes(), slug=slug)
    timezone.activate(programme.tzinfo)
    return programme


def register(request, slug):
    programme = _programme(slug)
    sessions = list(programme.sessions.select_related("venue"))
    if not services.registration_is_open(programme):
        return render(request, "registrations/closed.html", {"programme": programme}, status=200)
    agencies = Organisation.objects.filter(is_member_agency=True).order_by("name_en")
    form = RegistrationForm(request.POST or None, sessions=sessions, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        applicant = form.applicant(language=get_language() or "en")
        try:
            registration = services.register(programme, applicant)
        except services.AlreadyRegistered as already:
            if already.registration.status == Registration.Status.CANCELLED:
                # Cancelled before: registered again, with the same private link (emailed, never shown
                # here: knowing an address is not knowing its link) and new seats taken now, in order.
                try:
                    services.register_again(already.registration, applicant)
                except services.RegistrationError as error:
                    form.add_error(None, str(error.message))
                else:
                    return render(
                        request,
                        "registrations/already.html",
                        {"programme": programme, "email": applicant.email, "again": True},
                    )
            else:
                send_link_politely(request, programme, applicant.email)
                return render(
                    request,
                    "registrations/already.html",
                    {"programme": programme, "email": applicant.email},
                )
        except services.RegistrationClosed:
            return render(request, "registrations/closed.html", {"programme": programme})
        except services.ValidationError as error:
            for name, errors in error.message_dict.items():
                target = name if name in form.fields else None
                for message in errors:
                    form.add_error(target, message)
        else:
            messages.success(
                request, _("Thank you. Your registration is received; we have emailed you this page's link.")
            )
            return redirect("registrations:private", token=registration.token)
    return render(
        request,
        "registrations/register.html",
        {
            "programme": programme,
            "form": form,
            "statement_version": services.COLLECTION_STATEMENT_VERSION,
        },
    )


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
    registration = _registration(token)
    seats = selectors.seats_of(registration)
    counters = {
        (row["session"].pk, row["mode"]): row for row in selectors.seat_summary(registration.programme)
    }
    rows = []
    for seat in seats:
        other = (
            Registration.Mode.ONLINE
            if seat.mode == Registration.Mode.IN_PERSON
            else Registration.Mode.IN_PERSON
        )
        other_side = counters.get((seat.session_id, other))
        can_switch = (
            seat.session.mode == "hybrid"
            and seat.status != "cancelled"
            and registration.status not in ("cancelled", "rejected")
            and (
                other_side is None
                or other_side["capacity"] is None
                or other_side["taken"] < other_side["capacity"]
            )
        )
        rows.append(
            {
                "seat": seat,
                "other_mode": other,
                "can_switch": can_switch,
                "position": selectors.waiting_position(seat),
            }
        )
    active = registration.status in ("pending", "confirmed", "waitlisted")
    can_register_again = registration.status == "cancelled" and services.registration_is_open(
        registration.programme
    )
    response = render(
        request,
        "registrations/private.html",
        {
            "registration": registration,
            "programme": registration.programme,
            "rows": rows,
            "active": active,
            "can_register_again": can_register_again,
            "waiting_sessions": sum(1 for row in rows if row["seat"].status == "waitlisted")
            if registration.status == "confirmed"
            else 0,
            "pass_svg": pass_svg(registration) if selectors.offers_pass(registration, seats) else "",
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def private_mode(request, token):
    registration = _registration(token)
    session = get_object_or_404(registration.programme.sessions, pk=request.POST.get("session", "0") or 0)
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
