"""Background jobs for programmes: thin wrappers over the mail they send."""

from __future__ import annotations

from django_tasks import task

from plenary.programmes import mail


@task()
def email_speaker_slots(session_id: int) -> int:
    """Sends each speaker with an email address their slot in the session's run-down."""
    return mail.send_speaker_slots(session_id)
