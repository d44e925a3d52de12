"""The invitation email, in the language the organiser invited in."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plenary.organisations import services


def send_invitation(invitation_id: int) -> None:
    invitation, token = services.issue_link(invitation_id)
    if invitation is None or invitation.cancelled_at is not None:
        return
    if token is None and invitation.sent_at is not None:
        return  # an existing account was told once already
    language = invitation.language if invitation.language in dict(settings.LANGUAGES) else "en"
    base = settings.BASE_URL.rstrip("/")
    with translation.override(language):
        context = {
            "invitation": invitation,
            "organisation": invitation.organisation.name,
            "role": invitation.get_role_display(),
            "inviter": _inviter(invitation),
            "link": base + reverse("accounts:invitation", args=[token]) if token else "",
            "sign_in": base + reverse("accounts:login"),
            "reset": base + reverse("accounts:password-reset"),
            "days": services.INVITATION_DAYS,
        }
        subject = (
            _("Plenary: you are invited to join %(organisation)s")
            if token
            else _("Plenary: your new role at %(organisation)s")
        ) % {"organisation": context["organisation"]}
        body = render_to_string("accounts/invitation_email.txt", context)
    EmailMessage(subject, body, to=[invitation.email]).send()
    if token is None:
        type(invitation).objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


def _inviter(invitation) -> str:
    person = invitation.invited_by
    if person is None:
        return _("An organiser")
    return person.get_full_name() or person.get_username()
