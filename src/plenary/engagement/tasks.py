"""Background jobs for evaluations: thin wrappers over the mail they send."""

from __future__ import annotations

from django_tasks import task

from plenary.engagement import mail
from plenary.messaging import once


@task(takes_context=True)
def email_survey_links(context, session_id: int) -> int:
    """Emails each registrant who has not answered the session's evaluation their private link to it."""
    return mail.send_survey_links(session_id, job=once.job_key(context))
