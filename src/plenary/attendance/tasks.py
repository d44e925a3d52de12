"""Background work of attendance: thin wrappers around the report pulls (``pulls``)."""

from __future__ import annotations

from django_tasks import task

from plenary.attendance import pulls


@task()
def pull_connected_report(connection_id: int, slot: int | None) -> str:
    """Pulls a connected meeting's report for the schedule slot claimed for it (None: "pull now")."""
    return pulls.run_scheduled_pull(connection_id, slot)


@task()
def sweep_report_pulls() -> int:
    """Queues the pulls that are due (``plenary worker`` also does this each minute)."""
    return pulls.schedule_due_pulls()
