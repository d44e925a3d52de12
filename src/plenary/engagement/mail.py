"""Mail inviting registrants to evaluate a session, in each registrant's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from plenary.access import rules as access
from plenary.engagement.models import Response
from plenary.programmes.models import Session
from plenary.registrations.selectors import active_registrations


def send_survey_links(session_id: int, job: str | None = None) -> int:
    """Emails each registrant who may answer the session's evaluation and has not, their private link;
    each once per ``job`` (``messaging/once.py``): a run again after a crash skips those already sent."""
    from plenary.messaging import once

    session = Session.objects.select_related("programme", "survey").get(pk=session_id)
    if getattr(session, "survey", None) is not None and not session.survey.is_open:
        return 0  # closed since the mail was asked for
    answered = Response.objects.filter(survey__session=session).values("registration_id")
    messages = []
    invited = active_registrations(session.programme).exclude(pk__in=answered)
    survey = getattr(session, "survey", None)
    if survey is None or survey.attendees_only:
        invited = invited.filter(pk__in=access.attendees(session))  # only those who may answer
    for registration in invited:
        with translation.override(registration.language):
            link = settings.BASE_URL + reverse(
                "engagement:survey", kwargs={"token": registration.token, "session_id": session.pk}
            )
            body = "\n".join(
                [
                    _("Dear %(name)s,") % {"name": registration.display_name},
                    "",
                    _("Please tell us what you thought of “%(title)s”. It takes two minutes:")
                    % {"title": session.title},
                    link,
                    "",
                    _("This link is personal to you; please do not share it."),
                ]
            )
            messages.append(
                (
                    f"registration:{registration.pk}",
                    EmailMessage(
                        subject=_("Your evaluation: %(title)s") % {"title": session.title},
                        body=body,
                        from_email=settings.DEFAULT_FROM_EMAIL,
                        to=[registration.email],
                    ),
                )
            )
    return once.send_each_once(job or once.job_key(), messages)
