"""Staff of one's own body: invitations by email, roles, doors and removal. Every change is audited.

Who may call which use case is decided by ``access.rules`` (``staff_bodies``, ``invitable_agencies``,
``changeable_memberships``, ``staff_invitations``); views and tests go through those. An invitation's
link carries a token kept only as a hash (like API tokens, ``api/auth.py``); a fresh token is made
each time the invitation is sent, by the worker that sends it, so no working link ever sits in the
task queue's table.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plenary.core.audit import record, snapshot
from plenary.core.errors import DomainError
from plenary.core.models import AuditEntry
from plenary.core.ratelimit import Limit, hit
from plenary.core.tasks import enqueue_on_commit
from plenary.organisations.models import Invitation, Membership, Organisation

Role = Membership.Role
Action = AuditEntry.Action
BODY_ROLES = (Role.ORGANISER, Role.CHECKIN)
# How long an invitation's link works once sent, and how long a closed invitation (accepted, cancelled
# or expired) is kept before the retention purge deletes it with its email address.
INVITATION_DAYS = 7
CLOSED_INVITATIONS_KEPT_DAYS = 90
# Invitations (and sendings again) per organiser an hour: a stolen session cannot mail the world.
INVITATIONS_PER_HOUR = Limit("staff-invitations", 50)


class InvitationUnusable(DomainError):
    """The link is unknown, replaced, used, cancelled or expired."""

    status = 410


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalised(email: str) -> str:
    return email.strip().lower()


def _account_for(email: str):
    return (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True)
        .order_by("-last_login", "pk")
        .first()
    )


def _check_role(organisation: Organisation, role: str) -> None:
    if role == Role.COORDINATOR and not organisation.is_member_agency:
        raise DomainError(_("Coordinators are invited for a member agency."))
    if role in BODY_ROLES and organisation.is_member_agency:
        raise DomainError(_("Organisers and check-in staff are invited for a body, not a member agency."))
    if role not in Role.values:
        raise DomainError(_("Choose a role."))


def _add_role(*, user, organisation: Organisation, role: str, all_doors: bool, invited_by_body, actor):
    membership, created = Membership.objects.get_or_create(
        user=user,
        organisation=organisation,
        role=role,
        defaults={
            "all_doors": all_doors if role == Role.CHECKIN else False,
            "invited_by_body": invited_by_body if role == Role.COORDINATOR else None,
        },
    )
    if created:
        record(
            actor=actor,
            action=Action.CREATE,
            instance=membership,
            after=snapshot(membership),
            summary=f"{user.get_username()} joins {organisation.name_en} as {role}",
        )
    return membership


def _assign(user, sessions, actor) -> None:
    from plenary.checkin import services as door

    for session in sessions:
        door.assign_staff(user=user, session=session, actor=actor)


@transaction.atomic
def invite(
    *,
    actor,
    email: str,
    organisation: Organisation,
    role: str,
    invited_by_body: Organisation | None,
    all_doors: bool = True,
    sessions=(),
    language: str = "en",
) -> Invitation:
    """Invites a person by email. An existing account gets the role at once (and an email saying so)
    rather than a second account; anyone else gets a link to choose a password."""
    email = _normalised(email)
    _check_role(organisation, role)
    _count_sending(actor)
    sessions = list(sessions) if role == Role.CHECKIN and not all_doors else []
    body = organisation if role in BODY_ROLES else invited_by_body
    existing = _account_for(email)
    if (
        existing is not None
        and Membership.objects.filter(user=existing, organisation=organisation, role=role).exists()
    ):
        raise DomainError(_("%(email)s already has this role.") % {"email": email})
    if existing is None and (
        Invitation.objects.filter(
            email=email, organisation=organisation, role=role, accepted_at=None, cancelled_at=None
        ).exists()
    ):
        raise DomainError(
            _("%(email)s is already invited: send the invitation again instead.") % {"email": email}
        )
    invitation = Invitation.objects.create(
        email=email,
        organisation=organisation,
        role=role,
        all_doors=all_doors if role == Role.CHECKIN else False,
        invited_by_body=body,
        invited_by=actor,
        language=language,
    )
    invitation.sessions.set(sessions)
    record(
        actor=actor,
        action=Action.INVITE,
        instance=invitation,
        after=snapshot(invitation),
        summary=f"{email} invited to {organisation.name_en} as {role}",
    )
    if existing is not None:
        _add_role(
            user=existing,
            organisation=organisation,
            role=role,
            all_doors=invitation.all_doors,
            invited_by_body=body,
            actor=actor,
        )
        _assign(existing, sessions, actor)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), existing
        invitation.save(update_fields=["accepted_at", "accepted_by"])
    _send(invitation)
    return invitation


def _count_sending(actor) -> None:
    hit(
        (INVITATIONS_PER_HOUR, str(getattr(actor, "pk", ""))),
        message=_("You have sent many invitations this hour. Please wait a while and try again."),
    )


def _send(invitation: Invitation) -> None:
    from plenary.organisations import tasks

    enqueue_on_commit(tasks.send_invitation, invitation.pk)


@transaction.atomic
def send_again(*, actor, invitation: Invitation) -> None:
    """A new link (the earlier one stops working) and a new expiry."""
    if not invitation.is_open:
        raise DomainError(_("This invitation is no longer open."))
    _count_sending(actor)
    record(
        actor=actor,
        action=Action.INVITE,
        instance=invitation,
        after=snapshot(invitation),
        summary=f"invitation to {invitation.email} sent again",
    )
    _send(invitation)


@transaction.atomic
def cancel(*, actor, invitation: Invitation) -> None:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise DomainError(_("This invitation is no longer open."))
    before = snapshot(invitation)
    invitation.cancelled_at = timezone.now()
    invitation.save(update_fields=["cancelled_at"])
    record(
        actor=actor,
        action=Action.CANCEL,
        instance=invitation,
        before=before,
        after=snapshot(invitation),
        summary=f"invitation to {invitation.email} cancelled",
    )


def issue_link(invitation_id: int) -> tuple[Invitation, str | None]:
    """For the worker that sends the email: the invitation and a fresh token for its link (None when
    the invitation needs no link: the role was added to an existing account, or it is closed)."""
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().filter(pk=invitation_id).first()
        if invitation is None or invitation.cancelled_at is not None:
            return invitation, None
        now = timezone.now()
        if invitation.accepted_at is not None:
            return invitation, None
        token = secrets.token_urlsafe(32)
        invitation.key_hash = token_hash(token)
        invitation.sent_at = now
        invitation.expires_at = now + datetime.timedelta(days=INVITATION_DAYS)
        invitation.save(update_fields=["key_hash", "sent_at", "expires_at"])
        return invitation, token


def state(invitation: Invitation | None, now: datetime.datetime | None = None) -> str:
    """open, accepted, cancelled, expired, or unknown (no such link: mistyped, or replaced by a newer one)."""
    if invitation is None:
        return "unknown"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.cancelled_at is not None:
        return "cancelled"
    if invitation.expires_at is None or invitation.expires_at <= (now or timezone.now()):
        return "expired"
    return "open"


def invitation_for(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(key_hash=token_hash(token))
        .first()
    )


def _free_username(email: str) -> str:
    User = get_user_model()
    base = email[:140]
    username, n = base, 2
    while User.objects.filter(username__iexact=username).exists():
        username, n = f"{base}-{n}", n + 1
    return username


@transaction.atomic
def accept(*, token: str, password: str, name: str = ""):
    """Opens the account (or, if one with this email exists by now, adds the role to it), sets its
    password and marks the invitation used. The caller has checked the password with Django's
    validators (``SetPasswordForm``)."""
    found = invitation_for(token)
    # Locked, and asked again by its hash: a link sent again meanwhile has replaced this one.
    invitation = (
        Invitation.objects.select_for_update().filter(pk=found.pk, key_hash=found.key_hash).first()
        if found
        else None
    )
    if state(invitation) != "open":
        raise InvitationUnusable(_("This invitation link cannot be used."))
    user = _account_for(invitation.email)
    if user is None:
        user = get_user_model().objects.create_user(
            _free_username(invitation.email), email=invitation.email, first_name=name.strip()[:150]
        )
    elif name.strip() and not user.first_name:
        user.first_name = name.strip()[:150]
    user.set_password(password)
    user.save()
    _add_role(
        user=user,
        organisation=invitation.organisation,
        role=invitation.role,
        all_doors=invitation.all_doors,
        invited_by_body=invitation.invited_by_body,
        actor=user,
    )
    _assign(user, invitation.sessions.all(), invitation.invited_by)
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    record(
        actor=user,
        action=Action.JOIN,
        instance=invitation,
        after=snapshot(invitation),
        summary=f"{invitation.email} accepted the invitation to {invitation.organisation.name_en}",
    )
    return user


def _refuse_self(actor, membership: Membership) -> None:
    if getattr(actor, "pk", None) == membership.user_id:
        raise DomainError(_("You cannot change or remove your own role: ask another organiser of your body."))


def door_sessions(organisation: Organisation):
    """Sessions with a room in the programmes a body co-organises: the doors its staff may be limited to."""
    from plenary.access.rules import ROOM_MODES
    from plenary.programmes.models import Session

    return (
        Session.objects.filter(programme__co_organisers__organisation=organisation, mode__in=ROOM_MODES)
        .select_related("programme")
        .order_by("-starts_at", "pk")
        .distinct()
    )


@transaction.atomic
def change_role(*, actor, membership: Membership, role: str) -> Membership:
    """Organiser ↔ check-in staff within the same body. A new check-in staff member keeps every door of
    the body's programmes until limited to some sessions."""
    _refuse_self(actor, membership)
    if membership.role not in BODY_ROLES or role not in BODY_ROLES:
        raise DomainError(_("Only organisers and check-in staff change roles."))
    if role == membership.role:
        return membership
    before = snapshot(membership)
    twin = Membership.objects.filter(
        user=membership.user, organisation=membership.organisation, role=role
    ).first()
    if twin is not None:  # already held: the other role simply goes
        membership.delete()
        membership = twin
    else:
        membership.role = role
        membership.all_doors = role == Role.CHECKIN
        membership.save(update_fields=["role", "all_doors"])
    record(
        actor=actor,
        action=Action.UPDATE,
        instance=membership,
        before=before,
        after=snapshot(membership),
        summary=f"{membership.user.get_username()} is now {role} of {membership.organisation.name_en}",
    )
    return membership


@transaction.atomic
def set_doors(*, actor, membership: Membership, all_doors: bool, sessions=()) -> Membership:
    """Every door of the body's programmes, or only the given sessions (assigned through the door's
    own use case, ``checkin.services.assign_staff``)."""
    from plenary.checkin import services as door
    from plenary.checkin.models import StaffAssignment

    if membership.role != Role.CHECKIN:
        raise DomainError(_("Only check-in staff are limited to doors."))
    allowed = door_sessions(membership.organisation)
    wanted = {session.pk for session in sessions} if not all_doors else set()
    if wanted - set(allowed.filter(pk__in=wanted).values_list("pk", flat=True)):
        raise DomainError(_("Choose sessions of your body's programmes."))
    if not all_doors and not wanted:
        raise DomainError(_("Choose at least one session, or every door."))
    before = snapshot(membership)
    before["sessions"] = sorted(
        StaffAssignment.objects.filter(user=membership.user, session__in=allowed).values_list(
            "session", flat=True
        )
    )
    membership.all_doors = all_doors
    membership.save(update_fields=["all_doors"])
    for assignment in StaffAssignment.objects.filter(user=membership.user, session__in=allowed).exclude(
        session__in=wanted
    ):
        door.unassign_staff(assignment=assignment, actor=actor)
    _assign(membership.user, allowed.filter(pk__in=wanted), actor)
    after = snapshot(membership)
    after["sessions"] = sorted(wanted)
    record(
        actor=actor,
        action=Action.UPDATE,
        instance=membership,
        before=before,
        after=after,
        summary=f"doors of {membership.user.get_username()}: "
        + ("every door" if all_doors else f"{len(wanted)} sessions"),
    )
    return membership


@transaction.atomic
def remove(*, actor, membership: Membership) -> None:
    """Takes the role away. Check-in staff also leave the doors of the body's programmes, unless they
    still work for another co-organiser of that programme."""
    from plenary.checkin import services as door
    from plenary.checkin.models import StaffAssignment

    _refuse_self(actor, membership)
    if membership.role == Role.CHECKIN:
        elsewhere = Membership.objects.filter(user=membership.user, role__in=BODY_ROLES).exclude(
            pk=membership.pk
        )
        assignments = StaffAssignment.objects.filter(
            user=membership.user, session__in=door_sessions(membership.organisation)
        ).exclude(session__programme__co_organisers__organisation__in=elsewhere.values("organisation"))
        for assignment in assignments.select_related("session", "session__programme", "user"):
            door.unassign_staff(assignment=assignment, actor=actor)
    record(
        actor=actor,
        action=Action.DELETE,
        instance=membership,
        before=snapshot(membership),
        summary=f"{membership.user.get_username()} removed from {membership.organisation.name_en}",
    )
    membership.delete()


def purge_invitations(*, older_than: datetime.datetime, dry_run: bool = False) -> int:
    """Deletes invitations closed before ``older_than`` — accepted, cancelled, or expired unused — with
    the email addresses they hold (the accounts they made are staff accounts, kept)."""
    closed = Invitation.objects.filter(
        Q(accepted_at__lt=older_than)
        | Q(cancelled_at__lt=older_than)
        | Q(accepted_at=None, cancelled_at=None, expires_at__lt=older_than)
        | Q(accepted_at=None, cancelled_at=None, expires_at=None, created_at__lt=older_than)
    )
    count = closed.count()
    if not dry_run and count:
        closed.delete()
    return count
