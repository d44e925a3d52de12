"""The daily retention purge: a task that runs the purge and books its next run (03:00, platform zone)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.utils import timezone
from django_tasks import task

from plenary.privacy import services

RUN_AT = datetime.time(3, 0)


def next_run(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next 03:00 in the platform's zone, strictly after now."""
    zone = ZoneInfo(settings.TIME_ZONE)
    local = (now or timezone.now()).astimezone(zone)
    candidate = datetime.datetime.combine(local.date(), RUN_AT, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.datetime.combine(local.date() + datetime.timedelta(days=1), RUN_AT, tzinfo=zone)
    return candidate


@task()
def daily_purge() -> dict[str, int]:
    """Anonymises and deletes what is past each programme's retention period; then books tomorrow's run."""
    report = services.purge()
    schedule_daily_purge()
    return {"registrations": report.registrations, "files": report.files}


def schedule_daily_purge() -> bool:
    """Books the next run unless one is booked (workers call this when they start). True if booked now."""
    backend = daily_purge.get_backend()
    if not backend.supports_defer:
        return False
    if apps.is_installed("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        if DBTaskResult.objects.filter(task_path=daily_purge.module_path, status="READY").exists():
            return False
    daily_purge.using(run_after=next_run()).enqueue()
    return True
