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
    row = _row(task, args)
    if row is None:
        transaction.on_commit(lambda: task.enqueue(*args))
        return
    # Outside a transaction the row is written at once, as ``enqueue()`` would write it.
    sql.insert(DBTaskResult, [row], returning=None)


def _row(task: Any, args: tuple | list) -> dict[str, Any] | None:
    """The task row ``DatabaseBackend.enqueue()`` would write (attribute name → value), or None when
    the task's backend is not the database one."""
    backend = task.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
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
    return {field.attname: field.pre_save(row, True) for field in DBTaskResult._meta.concrete_fields}


def task_row_cte(task: Any, args_sql: str, args_params: list[Any]) -> tuple[str, list[Any]] | None:
    """For a one-statement path (PostgreSQL): ``INSERT INTO <task table> … VALUES (…)``, to be a CTE of
    the statement that makes the change, so the task row commits with it or not at all.

    The task's arguments are SQL (``args_sql``, with ``args_params``) since they may name a row the same
    statement inserts, like ``(SELECT id FROM p), CAST(%s AS text)``. None when the task's backend is
    not the database one: the caller then enqueues after the statement (``enqueue_on_commit``)."""
    row = _row(task, [])
    if row is None:
        return None
    names = [name for name in row if name != "args_kwargs"]
    cells = ["%s"] * len(names)  # typed by their columns
    params = [sql.prepare(DBTaskResult, name, row[name]) for name in names]
    names.append("args_kwargs")
    cells.append(f"jsonb_build_object('args', jsonb_build_array({args_sql}), 'kwargs', '{{}}'::jsonb)")
    params.extend(args_params)
    columns = ", ".join(sql.column(DBTaskResult, name) for name in names)
    return (
        f"INSERT INTO {sql.table(DBTaskResult)} ({columns}) VALUES ({', '.join(cells)})",  # noqa: S608 - names from the model, values bound
        params,
    )
