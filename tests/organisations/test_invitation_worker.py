"""The invitation email goes through the real worker (database task backend) to a real SMTP server,
and the queue's table never holds a working link: the worker makes the token when it sends."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from plenary.organisations import services
from plenary.organisations.models import Membership
from tests.registrations.conftest import text_of

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_the_worker_sends_the_invitation_and_the_queue_holds_no_link(
    settings, reference_programme, smtp_inbox
):
    settings.TASKS = DATABASE_TASKS
    settings.BASE_URL = "https://plenary.example.org"
    organiser = get_user_model().objects.get(username="organiser")
    body = organiser.memberships.get(role=Membership.Role.ORGANISER).organisation
    invitation = services.invite(
        actor=organiser, email="queued@example.org", organisation=body, role="checkin", invited_by_body=body
    )
    row = DBTaskResult.objects.get(task_path="plenary.organisations.tasks.send_invitation")
    assert row.args_kwargs == {"args": [invitation.pk], "kwargs": {}}
    invitation.refresh_from_db()
    assert invitation.key_hash is None and invitation.sent_at is None  # no link exists yet

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    [message] = smtp_inbox.wait_for("queued@example.org")
    [link] = re.findall(r"https://plenary\.example\.org(/accounts/invitation/[^/\s]+/)", text_of(message))
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in str(DBTaskResult.objects.filter(pk=row.pk).values().get())
    invitation.refresh_from_db()
    assert invitation.key_hash == services.token_hash(token) and invitation.expires_at is not None
    assert Client().get(link).status_code == 200
