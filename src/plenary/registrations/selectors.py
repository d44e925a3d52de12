"""Read queries about registrations shared by pages, the API, reports and publicity."""

from __future__ import annotations

from django.db.models import QuerySet

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration

ACTIVE_STATUSES = (Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def active_registrations(programme: Programme) -> QuerySet[Registration]:
    """Registrations that still stand: not cancelled or rejected."""
    return programme.registrations.filter(status__in=ACTIVE_STATUSES)


def registrant_count(programme: Programme) -> int:
    """How many people registered for the programme, as a press release counts them.

    A registrant who later cancelled still registered, so only rejected registrations are left out.
    """
    return programme.registrations.exclude(status=Registration.Status.REJECTED).count()
