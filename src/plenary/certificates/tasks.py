"""Background tasks: thin wrappers around the services."""

from __future__ import annotations

from django_tasks import task

from plenary.certificates import services
from plenary.core.tasks import keeps_own_heartbeat
from plenary.programmes.models import Programme


@keeps_own_heartbeat  # the job row's heartbeat: a stale job is queued again by services.resume_stale_jobs
@task()
def run_issue_job(job_id: int) -> int:
    return services.run_issue_job(job_id).done


@task()
def email_certificates(programme_id: int) -> int:
    programme = Programme.objects.filter(pk=programme_id).first()
    return services.email_certificates(programme) if programme else 0
