"""When a venue or session changes, the seat counters follow and waiting lists move up.

In the same transaction as the change (not after it): a capacity below the seats already confirmed
is refused by ``seats.follow_capacity()`` and the change is rolled back with it, whichever path saved
it — the console, the API, the admin or the demo.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from plenary.programmes.models import Session, Venue


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
