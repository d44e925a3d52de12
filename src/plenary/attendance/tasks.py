"""Background work of attendance: thin wrappers around the report pulls (``pulls``) and the services."""

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


@task()
def rebuild_progress(programme_id: int) -> bool:
    """Recounts a programme's certificate progress after its sessions changed (``services.rebuild_progress``)."""
    from plenary.attendance import services
    from plenary.programmes.models import Programme

    programme = Programme.objects.filter(pk=programme_id).first()
    return programme is not None and services.rebuild_progress(programme)
