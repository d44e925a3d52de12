"""Background jobs for programmes: thin wrappers over the mail they send."""

from __future__ import annotations

from django_tasks import task

from plenary.messaging import once
from plenary.programmes import mail


@task(takes_context=True)
def email_speaker_slots(context, session_id: int) -> int:
    """Sends each speaker with an email address their slot in the session's run-down."""
    return mail.send_speaker_slots(session_id, job=once.job_key(context))
