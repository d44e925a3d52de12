"""Background tasks: thin wrappers around the services."""

from __future__ import annotations

from django_tasks import task

from plenary.certificates import services
from plenary.programmes.models import Programme


@task()
def run_issue_job(job_id: int) -> int:
    return services.run_issue_job(job_id).done


@task()
def email_certificates(programme_id: int) -> int:
    programme = Programme.objects.filter(pk=programme_id).first()
    return services.email_certificates(programme) if programme else 0
