"""Read queries about certificates shared by the console, the API, the private page and exports."""

from __future__ import annotations

from django.db.models import QuerySet

from plenary.certificates.models import Certificate
from plenary.organisations.models import Membership, Organisation
from plenary.programmes import selectors as programme_selectors
from plenary.programmes.models import Programme


def coordinated_organisations(user) -> QuerySet[Organisation]:
    """The member agencies for which this user is coordinator."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.COORDINATOR
    ).distinct()


def visible_certificates(user, programme: Programme) -> QuerySet[Certificate] | None:
    """Certificates of the programme this user may see: all for organisers, own agency for coordinators.

    None when the user may see none at all (the caller answers 403 or 404).
    """
    certificates = Certificate.objects.filter(programme=programme).select_related("registration")
    if programme_selectors.can_manage(user, programme):
        return certificates
    agencies = coordinated_organisations(user)
    if agencies.exists():
        return certificates.filter(registration__organisation__in=agencies)
    return None


def find_by_serial(serial: str) -> Certificate | None:
    serial = (serial or "").strip().upper()
    if not serial or len(serial) > 24:
        return None
    return Certificate.objects.select_related("programme").filter(serial=serial).first()


def valid_certificates(programme: Programme) -> QuerySet[Certificate]:
    return Certificate.objects.filter(programme=programme, state=Certificate.State.VALID)
