"""Whatever the public programme page shows has changed: raise its content version (pages.py).

Receivers rather than calls in each service, so that every path that saves these models — the
console, the API, the admin, the demo — keeps the cached pages true.
"""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker, Venue
from plenary.programmes.pages import content_changed


@receiver(post_save, sender=Programme, dispatch_uid="pages-programme")
def programme_saved(sender, instance: Programme, **kwargs) -> None:
    content_changed(instance.pk)


@receiver(post_save, sender=CoOrganiser, dispatch_uid="pages-coorganiser")
@receiver(post_delete, sender=CoOrganiser, dispatch_uid="pages-coorganiser-delete")
@receiver(post_save, sender=Session, dispatch_uid="pages-session")
@receiver(post_delete, sender=Session, dispatch_uid="pages-session-delete")
@receiver(post_save, sender=Speaker, dispatch_uid="pages-speaker")
@receiver(post_delete, sender=Speaker, dispatch_uid="pages-speaker-delete")
def part_saved(sender, instance, **kwargs) -> None:
    content_changed(instance.programme_id)


@receiver(post_save, sender=AgendaItem, dispatch_uid="pages-agenda")
@receiver(post_delete, sender=AgendaItem, dispatch_uid="pages-agenda-delete")
def agenda_saved(sender, instance: AgendaItem, **kwargs) -> None:
    content_changed(*Programme.objects.filter(sessions=instance.session_id).values_list("pk", flat=True))


@receiver(m2m_changed, sender=Session.speakers.through, dispatch_uid="pages-session-speakers")
def speakers_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    if not action.startswith("post_"):
        return
    # Either side of the relation (a session's speakers or a speaker's sessions) has a programme.
    content_changed(instance.programme_id)


@receiver(post_save, sender=Venue, dispatch_uid="pages-venue")
@receiver(pre_delete, sender=Venue, dispatch_uid="pages-venue-delete")
def venue_saved(sender, instance: Venue, **kwargs) -> None:
    content_changed(*Programme.objects.filter(sessions__venue=instance.pk).values_list("pk", flat=True))


@receiver(post_save, sender=Organisation, dispatch_uid="pages-organisation")
def organisation_saved(sender, instance: Organisation, created: bool = False, **kwargs) -> None:
    # A body's name shows as an organiser, a speaker's body, a reflection's author's agency and in the
    # registration form's list of agencies: such changes are rare, so every programme's pages are
    # rendered afresh.
    if not created or instance.is_member_agency:
        content_changed(every=True)
