"""Background work of the door: recomputing attendance after a large offline sync."""

from __future__ import annotations

from django_tasks import task

from plenary.attendance.services import recompute
from plenary.programmes.models import Session
from plenary.registrations.models import Registration


@task()
def recompute_attendance(session_id: int, registration_ids: list[int]) -> int:
    session = Session.objects.select_related("programme").get(pk=session_id)
    registrations = Registration.objects.filter(pk__in=registration_ids)
    count = 0
    for registration in registrations.iterator(chunk_size=500):
        recompute(registration, session)
        count += 1
    return count
