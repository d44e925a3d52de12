"""The door: the scanner page, its service worker, the desk, the organisers' door console and passes."""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from functools import cache
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from plenary.access import rules as access
from plenary.access.views import manages_programme, scans_at_door
from plenary.checkin import forms, selectors, services
from plenary.checkin.models import CheckIn, StaffAssignment
from plenary.checkin.passes import pass_pdf
from plenary.core.errors import DomainError
from plenary.core.ids import parse_id
from plenary.programmes.models import Session
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration, SeatAllocation

STATIC_DIR = Path(__file__).resolve().parent / "static" / "checkin"
# What the service worker keeps for offline use besides the scanner pages themselves.
OFFLINE_ASSETS = [
    "plenary/css/app.css",
    "plenary/favicon.svg",
    "checkin/scanner.css",
    "checkin/scanner.js",
    "checkin/store.js",
    "vendor/jsQR.js",
]


def scanner_strings() -> dict[str, str]:
    """The words the scanner's script shows, in the page's language."""
    return {
        "checked_in": _("Checked in"),
        "already_checked_in": _("Already checked in at %(time)s"),
        "already_checked_in_here": _("Already scanned on this device at %(time)s"),
        "checked_out": _("Checked out"),
        "not_registered_for_session": _("Not registered for this session"),
        "cancelled": _("Registration cancelled"),
        "unknown_code": _("Unknown pass"),
        "registered_online": _("Registered online — see the desk"),
        "waitlisted": _("On the waiting list — see the desk"),
        "pending": _("Awaiting approval — see the desk"),
        "other_device": _("Also scanned on another device"),
        "offline_decision": _("Offline: decided on this device, will sync"),
        "pending_sync": _("%(count)s scans waiting to sync"),
        "nothing_to_sync": _("All scans synced"),
        "online": _("Online"),
        "offline": _("Offline"),
        "synced": _("Synced %(count)s scans (%(duplicates)s duplicates)"),
        "no_match": _("No one on the roster matches."),
        "check_in_person": _("Check in %(name)s"),
        "camera_unavailable": _("The camera cannot be used here: type the code or use a scanner."),
        "camera_start": _("Scan with camera"),
        "camera_stop": _("Stop camera"),
        "not_allowed": _("You are not assigned to this session."),
        "error": _("The scan could not be sent. Try again."),
    }


@login_required
def home(request):
    sessions = list(
        access.scannable_sessions(request.user).select_related("programme", "venue").order_by("starts_at")
    )
    for session in sessions:
        session.local_starts_at = timezone.localtime(session.starts_at, session.programme.tzinfo)
    return render(request, "checkin/home.html", {"sessions": sessions})


@scans_at_door
def scanner(request, session: Session):
    context = {
        "session": session,
        "counts": selectors.counts(session, fresh=True),
        "strings": scanner_strings(),
        "config": {
            "session_id": session.pk,
            "time_zone": session.programme.time_zone,
            "scan_url": reverse("api-v1:scan"),
            "batch_url": reverse("api-v1:scan_batch"),
            "roster_url": reverse("api-v1:roster", args=[session.pk]),
            "lookup_url": reverse("api-v1:lookup", args=[session.pk]),
            "worker_url": reverse("checkin:service-worker"),
            "worker_scope": reverse("checkin:home"),
            "jsqr_url": staticfiles_storage.url("vendor/jsQR.js"),
        },
    }
    return render(request, "checkin/scanner.html", context)


@cache
def _worker_source() -> str:
    assets = [staticfiles_storage.url(name) for name in OFFLINE_ASSETS]
    source = (STATIC_DIR / "sw.js").read_text(encoding="utf-8")
    version = hashlib.sha256((source + json.dumps(assets)).encode()).hexdigest()[:12]
    return source.replace("__ASSETS__", json.dumps(assets)).replace("__VERSION__", version)


@never_cache
def service_worker(request):
    """The scanner's service worker, served under /checkin/ so that its scope is the scanner only."""
    response = HttpResponse(_worker_source(), content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("checkin:home")
    return response


def _desk_rows(session: Session, people) -> list[dict]:
    people = list(people)
    seats = {
        seat.registration_id: seat
        for seat in SeatAllocation.objects.filter(session=session, registration__in=people)
    }
    check_ins = {
        check_in.registration_id: check_in
        for check_in in CheckIn.objects.filter(
            session=session, registration__in=people, undone_at__isnull=True
        )
    }
    rows = []
    for person in people:
        seat = seats.get(person.pk)
        refused = services.refusal(person, seat)
        rows.append(
            {
                "person": person,
                "seat": seat,
                "check_in": check_ins.get(person.pk),
                "may_enter": refused is None,
                "may_move_in": refused is not None
                and refused[0] == services.Result.NOT_REGISTERED
                and person.status not in (Registration.Status.PENDING,),
            }
        )
    return rows


@scans_at_door
def desk(request, session: Session):
    """Desk work: find someone, check them in by hand, undo a mistake, move them into the room, walk-ins."""
    query = services.printable(request.GET.get("q", ""))
    walk_in = forms.WalkInForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "walk_in":
            walk_in = forms.WalkInForm(request.POST)
            if walk_in.is_valid():
                try:
                    registration = registrations.walk_in(
                        session, walk_in.applicant(language=request.LANGUAGE_CODE), actor=request.user
                    )
                except ValidationError as error:
                    # The registration's field names, shown on the desk form's own fields where it has them.
                    for name, problems in getattr(error, "error_dict", {"__all__": error}).items():
                        name = {"organisation": "organisation_name"}.get(name, name)
                        target = name if name in walk_in.fields else None
                        for problem in ValidationError(problems).messages:
                            walk_in.add_error(target, problem)
                except DomainError as error:
                    messages.error(request, error.message)
                else:
                    _check_in_at_desk(request, session, registration)
                    return redirect(f"{request.path}?q={registration.reference}")
        else:
            registration = get_object_or_404(
                Registration,
                programme=session.programme,
                reference=services.printable(request.POST.get("reference", ""), 12),
            )
            try:
                if action == "undo":
                    services.undo_check_in(
                        registration=registration,
                        session=session,
                        actor=request.user,
                        reason=services.printable(request.POST.get("reason", ""), 300),
                    )
                    messages.success(
                        request, _("Check-in of %(name)s undone.") % {"name": registration.full_name}
                    )
                elif action == "move_in":
                    registrations.move_into_room(registration, session, actor=request.user)
                    messages.success(
                        request, _("%(name)s now has a seat in the room.") % {"name": registration.full_name}
                    )
                    _check_in_at_desk(request, session, registration)
                elif action == "check_in":
                    _check_in_at_desk(request, session, registration)
                else:
                    raise Http404
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            except DomainError as error:
                messages.error(request, error.message)
            return redirect(f"{request.path}?q={query or registration.reference}")
    rows = _desk_rows(session, selectors.find_people(session, query)) if query else []
    return render(
        request,
        "checkin/desk.html",
        {
            "session": session,
            "query": query,
            "rows": rows,
            "walk_in": walk_in,
            "seats_left": selectors.seats_left(session),
            "statement_version": registrations.COLLECTION_STATEMENT_VERSION,
            "counts": selectors.counts(session, fresh=True),
        },
    )


def _check_in_at_desk(request, session: Session, registration: Registration) -> None:
    answer = services.check_in(
        code=registration.pass_code,
        session=session,
        client_event_id=uuid.uuid4(),
        device="desk",
        actor=request.user,
    )
    if answer.result == services.Result.CHECKED_IN:
        messages.success(request, _("%(name)s is checked in.") % {"name": registration.full_name})
    else:
        messages.warning(
            request, f"{registration.full_name}: {scanner_strings().get(answer.result, answer.result)}"
        )


@manages_programme
def console(request, programme):
    """Organisers: who works which door, whether a session asks for check-out, and arrivals so far."""
    sessions = list(programme.sessions.filter(mode__in=selectors.ROOM_MODES).select_related("venue"))
    if request.method == "POST":
        session = get_object_or_404(programme.sessions, pk=parse_id(request.POST.get("session")))
        action = request.POST.get("action")
        if action == "assign":
            form = forms.AssignStaffForm(request.POST, staff=access.door_staff(request.user))
            if form.is_valid():
                services.assign_staff(user=form.cleaned_data["user"], session=session, actor=request.user)
                messages.success(request, _("Staff assigned."))
            else:
                messages.error(request, _("Choose a check-in staff account."))
        elif action == "unassign":
            assignment = get_object_or_404(
                StaffAssignment, session=session, pk=parse_id(request.POST.get("assignment"))
            )
            services.unassign_staff(assignment=assignment, actor=request.user)
            messages.success(request, _("Staff removed from this door."))
        elif action == "settings":
            services.set_door_settings(
                session=session,
                asks_for_check_out=request.POST.get("asks_for_check_out") == "on",
                actor=request.user,
            )
            messages.success(request, _("Door settings saved."))
        return redirect("checkin:console", slug=programme.slug)
    for session in sessions:
        session.door_counts = selectors.counts(session, fresh=True)
        session.staff = list(session.checkin_staff.select_related("user"))
        session.asks_for_check_out = services.asks_for_check_out(session)
    return render(
        request,
        "checkin/console.html",
        {
            "programme": programme,
            "sessions": sessions,
            "assign_form": forms.AssignStaffForm(staff=access.door_staff(request.user)),
        },
    )


def pass_download(request, token: str):
    """A participant's printable pass, from their private link. Only confirmed registrations have one."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{16,64}", token):
        raise Http404
    registration = (
        Registration.objects.select_related("programme", "organisation")
        .filter(token=token, status=Registration.Status.CONFIRMED)
        .first()
    )
    if registration is None:
        raise Http404
    response = HttpResponse(pass_pdf(registration), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="pass-{registration.reference}.pdf"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
