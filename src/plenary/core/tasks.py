"""Enqueuing background work together with the change that causes it, and running again the work of a
worker that died."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks_db import DatabaseBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max

from plenary.core import sql

logger = logging.getLogger(__name__)

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


# --- tasks whose worker died ------------------------------------------------------------------------

# Tasks that keep their own heartbeat and pick themselves up (a certificate issuing job): left alone here.
_OWN_HEARTBEAT: set[str] = set()


def keeps_own_heartbeat(task: Any) -> Any:
    """Marks ``task`` as recovering on its own when its worker dies; ``requeue_orphans`` leaves it be."""
    _OWN_HEARTBEAT.add(task.module_path)
    return task


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.PLENARY_JOB_STALE_SECONDS)


def beat_every() -> float:
    """Seconds between heartbeats: several within the stale limit, so one slow write is no false alarm."""
    return max(min(settings.PLENARY_JOB_STALE_SECONDS / 4, 10.0), 0.2)


def beat(worker_id: str) -> None:
    """The worker ``worker_id`` is alive (its heartbeat thread calls this every ``beat_every()`` s)."""
    from plenary.core.models import WorkerBeat

    WorkerBeat.objects.update_or_create(worker_id=worker_id, defaults={"beat_at": timezone.now()})


def forget(worker_id: str) -> None:
    """The worker stops cleanly: nothing of its is an orphan."""
    from plenary.core.models import WorkerBeat

    WorkerBeat.objects.filter(worker_id=worker_id).delete()


def requeue_orphans() -> list[str]:
    """Queues again every task left RUNNING by a worker that stopped beating more than
    ``PLENARY_JOB_STALE_SECONDS`` ago (killed, out of memory, its node lost); returns their ids.

    Without this, a task whose worker died stayed RUNNING for good and was never run. The task runs
    again from the start, so tasks must be safe to repeat: sending e-mails records each one sent and
    skips it next time (only the one in flight at the kill can go twice), recounts and renditions are
    idempotent. Tasks with their own heartbeat (``keeps_own_heartbeat``) are left to their own sweep.
    """
    from plenary.core.models import WorkerBeat

    now = timezone.now()
    cutoff = now - stale_after()
    live = set(WorkerBeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True))
    orphans = [
        row_id
        for row_id, worker_ids in DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff)
        .exclude(task_path__in=_OWN_HEARTBEAT)
        .values_list("id", "worker_ids")
        if not worker_ids or worker_ids[-1] not in live
    ]
    requeued = []
    for row_id in orphans:
        # Conditional: a row another sweeper queued again (and a worker took) meanwhile is not touched.
        if DBTaskResult.objects.filter(pk=row_id, status="RUNNING", started_at__lt=cutoff).update(
            status="READY", started_at=None
        ):
            logger.warning("Task %s was left running by a worker that died; queued again.", row_id)
            requeued.append(str(row_id))
    WorkerBeat.objects.filter(beat_at__lt=now - 10 * stale_after()).delete()  # workers long gone
    return requeued
