"""The staff page of the console (organisers: the people of their own bodies) and an invitation's link.

Thin: who may see or change what comes from ``access.rules``; every change is a use case of
``organisations.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _

from plenary.access import rules as access
from plenary.access.views import organiser_required
from plenary.checkin.models import StaffAssignment
from plenary.core.errors import DomainError
from plenary.organisations import forms, selectors, services
from plenary.organisations.models import Membership

Role = Membership.Role


def _door_sessions(user):
    """Door sessions of the programmes of the caller's bodies (what a door limit may name)."""
    from plenary.programmes.models import Session

    return (
        Session.objects.filter(
            programme__co_organisers__organisation__in=access.staff_bodies(user).values("pk"),
            mode__in=access.ROOM_MODES,
        )
        .select_related("programme")
        .order_by("-starts_at", "pk")
        .distinct()
    )


@organiser_required
def staff(request):
    """Everyone of the caller's bodies, the coordinators they work with, and open invitations."""
    people = list(
        access.staff_memberships(request.user).order_by("organisation__name_en", "role", "user__username")
    )
    changeable = set(access.changeable_memberships(request.user).values_list("pk", flat=True))
    door_people = [m.user_id for m in people if m.role == Role.CHECKIN and not m.all_doors]
    limits: dict[int, list] = {}
    for assignment in StaffAssignment.objects.filter(
        user__in=door_people, session__in=_door_sessions(request.user)
    ).select_related("session"):
        limits.setdefault(assignment.user_id, []).append(assignment.session)
    for membership in people:
        membership.changeable = membership.pk in changeable
        membership.limited_to = limits.get(membership.user_id, []) if membership.role == Role.CHECKIN else []
    invitations = list(access.staff_invitations(request.user).filter(accepted_at=None, cancelled_at=None))
    for invitation in invitations:
        invitation.state = services.state(invitation)
    return render(
        request,
        "staff/staff.html",
        {
            "body_staff": [m for m in people if m.role != Role.COORDINATOR],
            "coordinators": [m for m in people if m.role == Role.COORDINATOR],
            "invitations": invitations,
            "changes": selectors.staff_changes(access.staff_bodies(request.user)),
        },
    )


@organiser_required
def invite(request):
    bodies = access.staff_bodies(request.user)
    agencies = access.invitable_agencies(request.user)
    form = forms.InviteForm(
        request.POST or None, bodies=bodies, agencies=agencies, sessions=_door_sessions(request.user)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organisation = data["organisation"]
        inviter_bodies = access.organiser_bodies(request.user)
        try:
            invitation = services.invite(
                actor=request.user,
                email=data["email"],
                organisation=organisation,
                role=data["role"],
                # For a coordinator: the caller's body (the first, if several), whose organisers manage them.
                invited_by_body=organisation if data["role"] != Role.COORDINATOR else inviter_bodies.first(),
                all_doors=data["doors"] == "all",
                sessions=data["sessions"] or [],
                language=translation.get_language() or "en",
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            if invitation.accepted_at is not None:
                messages.success(
                    request,
                    _("%(email)s already has an account: the role is added, and an email tells them.")
                    % {"email": invitation.email},
                )
            else:
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
            return redirect("staff:list")
    return render(request, "staff/invite.html", {"form": form, "days": services.INVITATION_DAYS})


@organiser_required
def membership(request, pk: int):
    """One person's role in one body, and for check-in staff their doors."""
    found = get_object_or_404(access.changeable_memberships(request.user), pk=pk)
    sessions = services.door_sessions(found.organisation)
    assigned = list(
        StaffAssignment.objects.filter(user=found.user, session__in=sessions).values_list(
            "session", flat=True
        )
    )
    role_form = forms.RoleForm(initial={"role": found.role}, prefix="role")
    doors_form = forms.DoorsForm(
        initial={"doors": "all" if found.all_doors else "some", "sessions": assigned},
        sessions=sessions,
        prefix="doors",
    )
    if request.method == "POST":
        try:
            if request.POST.get("action") == "role":
                role_form = forms.RoleForm(request.POST, prefix="role")
                if role_form.is_valid():
                    services.change_role(
                        actor=request.user, membership=found, role=role_form.cleaned_data["role"]
                    )
                    messages.success(request, _("Role changed."))
                    return redirect("staff:list")
            elif request.POST.get("action") == "doors":
                doors_form = forms.DoorsForm(request.POST, sessions=sessions, prefix="doors")
                if doors_form.is_valid():
                    services.set_doors(
                        actor=request.user,
                        membership=found,
                        all_doors=doors_form.cleaned_data["doors"] == "all",
                        sessions=doors_form.cleaned_data["sessions"] or [],
                    )
                    messages.success(request, _("Doors saved."))
                    return redirect("staff:list")
        except DomainError as error:
            messages.error(request, error.message)
    return render(
        request,
        "staff/membership.html",
        {
            "membership": found,
            "role_form": role_form,
            "doors_form": doors_form,
            "is_self": found.user == request.user,
        },
    )


@organiser_required
def remove(request, pk: int):
    found = get_object_or_404(access.changeable_memberships(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.remove(actor=request.user, membership=found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("%(name)s no longer has the role %(role)s at %(body)s.")
            % {
                "name": found.user.get_username(),
                "role": found.get_role_display(),
                "body": found.organisation.name,
            },
        )
    return redirect("staff:list")


def _invitation_action(request, pk: int, use_case, done: str):
    found = get_object_or_404(access.staff_invitations(request.user), pk=pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        use_case(actor=request.user, invitation=found)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"email": found.email})
    return redirect("staff:list")


@organiser_required
def invitation_cancel(request, pk: int):
    return _invitation_action(request, pk, services.cancel, _("The invitation to %(email)s is cancelled."))


@organiser_required
def invitation_resend(request, pk: int):
    return _invitation_action(
        request,
        pk,
        services.send_again,
        _("A new link is on its way to %(email)s; the earlier one no longer works."),
    )


# --- the invitation's link -------------------------------------------------------------------------


def accept_invitation(request, token: str):
    """Choose a password (Django's validators) and land signed in; a link that cannot be used says why."""
    invitation = services.invitation_for(token)
    state = services.state(invitation)
    if state != "open":
        return render(
            request,
            "staff/invitation_closed.html",
            {"state": state, "invitation": invitation},
            status=404 if state == "unknown" else 410,
        )
    account = get_user_model()(username=invitation.email, email=invitation.email)
    form = forms.AcceptInvitationForm(account, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept(
                token=token,
                password=form.cleaned_data["new_password1"],
                name=form.cleaned_data.get("name", ""),
            )
        except services.InvitationUnusable:
            return render(request, "staff/invitation_closed.html", {"state": "accepted"}, status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome. Your account is ready; you sign in as %(username)s.")
            % {"username": user.get_username()},
        )
        return redirect(access.landing(user) or "programmes:home")
    response = render(request, "staff/accept.html", {"form": form, "invitation": invitation})
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
