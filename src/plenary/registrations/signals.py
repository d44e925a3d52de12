"""When a venue or session changes, the seat counters follow and waiting lists move up.

In the same transaction as the change (not after it): a capacity below the seats already confirmed
is refused by ``seats.follow_capacity()`` and the change is rolled back with it, whichever path saved
it — the console, the API, the admin or the demo.

When a certificate or a privacy request of a person is saved or deleted, their private page's version
rises (``private_page.py``), whichever path saved it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from plenary.certificates.models import Certificate
from plenary.privacy.models import PrivacyRequest
from plenary.programmes.models import Session, Venue
from plenary.registrations.private_page import page_changed


@receiver(post_save, sender=Session, dispatch_uid="registrations-session-capacity")
def session_saved(sender, instance: Session, raw: bool = False, **kwargs) -> None:
    if raw:
        return
    from plenary.registrations import services

    with transaction.atomic():
        services.follow_capacity([instance.pk])


@receiver(post_save, sender=Venue, dispatch_uid="registrations-venue-capacity")
def venue_saved(sender, instance: Venue, raw: bool = False, created: bool = False, **kwargs) -> None:
    if raw or created:
        return
    from plenary.registrations import services

    with transaction.atomic():
        services.follow_capacity(list(instance.sessions.values_list("pk", flat=True)))


@receiver(post_save, sender=Certificate, dispatch_uid="private-page-certificate")
@receiver(post_delete, sender=Certificate, dispatch_uid="private-page-certificate-delete")
@receiver(post_save, sender=PrivacyRequest, dispatch_uid="private-page-privacy-request")
@receiver(post_delete, sender=PrivacyRequest, dispatch_uid="private-page-privacy-request-delete")
def shown_on_private_page(sender, instance, raw: bool = False, **kwargs) -> None:
    if not raw and instance.registration_id:
        page_changed(instance.registration_id)
