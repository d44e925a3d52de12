"""Enqueuing background work together with the change that causes it."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from plenary.core import sql

_validated: set[str] = set()


def enqueue_on_commit(task: Any, *args: Any) -> None:
    """Enqueues ``task`` so that it runs only if the current transaction commits.

    With the database backend (the default) the task's row is written inside the transaction itself:
    it commits or rolls back with the work (a transactional outbox), and a registration costs one
    commit instead of two. The row is the one ``DatabaseBackend.enqueue()`` writes, written by hand
    (``core/sql.py``): on the registration path the backend's ORM insert was a sixth of the CPU. A test
    runs such a row through the real worker, so a change in django-tasks-db cannot go unnoticed.
    With any other backend, the task is enqueued the ordinary way after the commit.
    """
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        transaction.on_commit(lambda: task.enqueue(*args))
        return
    # Outside a transaction the row is written at once, as ``enqueue()`` would write it.
    if task.module_path not in _validated:
        backend.validate_task(task)
        _validated.add(task.module_path)
    row = DBTaskResult(
        id=backend._get_id(),
        args_kwargs=normalize_json({"args": list(args), "kwargs": {}}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=backend.alias,
        exception_class_path="",
        traceback="",
    )
    sql.insert(
        DBTaskResult,
        [{field.attname: field.pre_save(row, True) for field in DBTaskResult._meta.concrete_fields}],
        returning=None,
    )
