"""Read queries about certificates shared by the console, the API, the private page and exports."""

from __future__ import annotations

from django.db.models import QuerySet

from plenary.access import rules as access
from plenary.certificates.models import Certificate
from plenary.programmes.models import Programme


def visible_certificates(user, programme: Programme) -> QuerySet[Certificate] | None:
    """Certificates of the programme this user may see: all for organisers; for a coordinator, those
    of the registrations they may see (their agencies' nominations, ``access.visible_registrations``).

    None when the user may see none at all (the caller answers 403 or 404).
    """
    certificates = Certificate.objects.filter(programme=programme).select_related("registration")
    if access.manages(user, programme):
        return certificates
    if access.is_coordinator(user):
        return certificates.filter(registration__in=access.visible_registrations(user, programme))
    return None


def find_by_serial(serial: str) -> Certificate | None:
    serial = (serial or "").strip().upper()
    if not serial or len(serial) > 24:
        return None
    return Certificate.objects.select_related("programme").filter(serial=serial).first()


def valid_certificates(programme: Programme) -> QuerySet[Certificate]:
    return Certificate.objects.filter(programme=programme, state=Certificate.State.VALID)


def withdrawn_certificates() -> list[tuple[str, str, object]]:
    """(serial, state, since) of every certificate that is no longer valid: revoked or superseded."""
    return list(
        Certificate.objects.exclude(state=Certificate.State.VALID)
        .order_by("serial")
        .values_list("serial", "state", "revoked_at")
    )
