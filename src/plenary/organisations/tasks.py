"""Background tasks of organisations: a thin wrapper around the invitation email."""

from __future__ import annotations

from django_tasks import task

from plenary.organisations import emails


@task()
def send_invitation(invitation_id: int) -> None:
    """Sends an invitation (with a fresh link) or tells an existing account its new role."""
    emails.send_invitation(invitation_id)
