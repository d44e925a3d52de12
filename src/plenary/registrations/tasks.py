"""Background tasks of registrations: thin wrappers around the email composer."""

from __future__ import annotations

from django_tasks import task

from plenary.registrations import emails


@task()
def send_registration_email(registration_id: int, kind: str) -> None:
    """Sends one of the registration emails (confirmed, waitlisted, pending, promoted, cancelled, link)."""
    emails.send(registration_id, kind)
