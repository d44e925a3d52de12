"""Tasks enqueued inside a transaction with the database backend: written with the work, run by the real worker."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from plenary.core.tasks import enqueue_on_commit
from plenary.registrations import services, tasks
from tests.registrations.conftest import applicant

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_a_registration_writes_its_email_task_and_the_worker_sends_it(settings, small_programme):
    settings.TASKS = DATABASE_TASKS
    registration = services.register(small_programme, applicant(1))
    row = DBTaskResult.objects.get()
    assert row.task_path == "plenary.registrations.tasks.send_registration_email"
    assert row.args_kwargs == {"args": [registration.pk, "registered"], "kwargs": {}}
    assert row.status == "READY" and mail.outbox == []

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    [message] = mail.outbox
    assert message.to == [registration.email]
    assert "confirmed" in message.subject  # "registered" became what the seats said when it was sent


def test_a_rolled_back_transaction_leaves_no_task(settings, small_programme):
    settings.TASKS = DATABASE_TASKS
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(tasks.send_registration_email, 1, "link")
        assert DBTaskResult.objects.count() == 1
        raise RuntimeError("the work failed")
    assert DBTaskResult.objects.count() == 0


def test_a_waitlisted_registration_is_told_it_waits(settings, small_programme):
    settings.TASKS = DATABASE_TASKS
    people = [services.register(small_programme, applicant(n)) for n in range(3)]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert "waiting list" in subjects[people[2].email]
    assert all("confirmed" in subjects[person.email] for person in people[:2])
