"""Emails a background job sends one by one, each at most once per run of the job, even when the job is
run again after its worker died (``core.tasks.requeue_orphans`` queues it again from the start).

Each email is recorded (``SentMail``: the job's id and the row it was for) as soon as the mail server has
accepted it; a run of the same job skips what is recorded. Only the email in flight when the worker died can
go twice, and both copies carry the same Message-ID (made from the job and the row), so a mail client shows
one. Organisers' bulk messages and reminders have their own sender with leases (``services.py``); this is
for the small jobs that mail a list once: evaluation links, speakers' run-down slots.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable

from django.core.mail import EmailMessage, get_connection

from plenary.messaging.models import SentMail


def job_key(context=None) -> str:
    """The run's key: the task's id when run by the worker (``takes_context``), else a fresh one."""
    task_result = getattr(context, "task_result", None)
    return f"task:{task_result.id}" if task_result is not None else f"call:{uuid.uuid4().hex}"


def message_id(job: str, recipient: str) -> str:
    from plenary.messaging.services import mail_domain

    digest = hashlib.sha256(f"{job}|{recipient}".encode()).hexdigest()[:32]
    return f"<plenary.job.{digest}@{mail_domain()}>"


def send_each_once(job: str, emails: Iterable[tuple[str, EmailMessage]]) -> int:
    """Sends each ``(recipient, email)`` not yet recorded for ``job`` over one connection; returns how many
    were sent now. A refused email raises, as Django's backend does; those before it stay recorded."""
    done = set(SentMail.objects.filter(job=job).values_list("recipient", flat=True))
    sent = 0
    connection = None
    try:
        for recipient, email in emails:
            if recipient in done:
                continue
            if connection is None:
                connection = get_connection()
                connection.open()
            email.extra_headers["Message-ID"] = message_id(job, recipient)
            email.connection = connection
            if email.send():
                SentMail.objects.get_or_create(job=job, recipient=recipient)
                done.add(recipient)
                sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent
