"""Tasks enqueued inside a transaction with the database backend: written with the work, run by the real worker."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django_tasks_db.models import DBTaskResult

from plenary.core.tasks import enqueue_on_commit
from plenary.registrations import services, tasks
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter
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


# --- the registration and its email's task row commit together, on both paths (issue 14) ------------


@pytest.fixture(params=["one-statement", "portable"])
def registration_path(request, settings):
    """Both paths of a registration: PostgreSQL's one statement, and the portable transaction."""
    if request.param == "one-statement" and connection.vendor != "postgresql":
        pytest.skip("the one-statement path exists on PostgreSQL only")
    settings.PLENARY_ONE_STATEMENT_SQL = request.param == "one-statement"
    return request.param


@contextmanager
def queue_refusing_rows():
    """The task table refuses every new row (a trigger): the write of the email's task row fails."""
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_task() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'the queue refuses new rows'; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                f"CREATE TRIGGER refuse_task BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_task()"
            )
        else:
            cursor.execute(
                f"CREATE TRIGGER refuse_task BEFORE INSERT ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'the queue refuses new rows'); END"
            )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER refuse_task ON {table}")
                cursor.execute("DROP FUNCTION refuse_task()")
            else:
                cursor.execute("DROP TRIGGER refuse_task")


def test_a_registration_is_not_stored_when_its_email_task_cannot_be(
    settings, small_programme, registration_path
):
    settings.TASKS = DATABASE_TASKS
    with queue_refusing_rows(), pytest.raises(DatabaseError):
        services.register(small_programme, applicant(1))
    # Neither row: before, the one-statement path committed the registration and only then wrote the
    # task row, so a failure there left a registrant who was never emailed.
    assert not Registration.objects.filter(email="person1@example.org").exists()
    assert not SeatAllocation.objects.exists()
    assert not DBTaskResult.objects.exists()
    assert set(SeatCounter.objects.values_list("taken", flat=True)) <= {0}

    # With the queue working again, the same person registers, and both rows are there.
    registration = services.register(small_programme, applicant(1))
    [row] = DBTaskResult.objects.all()
    assert row.args_kwargs == {"args": [registration.pk, "registered"], "kwargs": {}}


def test_the_task_row_of_either_path_is_the_one_the_backend_writes(
    settings, small_programme, registration_path
):
    settings.TASKS = DATABASE_TASKS
    registration = services.register(small_programme, applicant(1))
    written = DBTaskResult.objects.get()
    reference = DBTaskResult.objects.get(
        pk=tasks.send_registration_email.enqueue(registration.pk, "registered").id
    )
    for name in (
        "status",
        "args_kwargs",
        "priority",
        "task_path",
        "worker_ids",
        "queue_name",
        "backend_name",
        "run_after",
        "return_value",
        "exception_class_path",
        "traceback",
    ):
        assert getattr(written, name) == getattr(reference, name), name
    reference.delete()

    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)  # the worker runs it

    written.refresh_from_db()
    assert written.status == "SUCCESSFUL"
    [message] = mail.outbox
    assert message.to == [registration.email]
