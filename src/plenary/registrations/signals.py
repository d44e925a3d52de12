"""When a venue or session changes, the seat counters follow and waiting lists move up."""

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

    session_id = instance.pk
    transaction.on_commit(lambda: services.sync_capacity(Session(pk=session_id)))


@receiver(post_save, sender=Venue, dispatch_uid="registrations-venue-capacity")
def venue_saved(sender, instance: Venue, raw: bool = False, created: bool = False, **kwargs) -> None:
    if raw or created:
        return
    from plenary.registrations import services

    venue_id = instance.pk
    transaction.on_commit(lambda: services.sync_venue(venue_id))
