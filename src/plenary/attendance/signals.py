"""When a session's length or whether it counts towards the certificate changes, or a session is added or
deleted, the programme's certificate progress is recounted in the background (``services.rebuild_progress``);
the readers count exactly until it has been (``selectors.progress_pairs``)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from plenary.attendance.models import ProgressSession
from plenary.programmes.models import Session


@receiver(post_save, sender=Session, dispatch_uid="attendance-progress-session")
@receiver(post_delete, sender=Session, dispatch_uid="attendance-progress-session-delete")
def session_changed(sender, instance: Session, raw: bool = False, **kwargs) -> None:
    from plenary.attendance import services
    from plenary.certificates.services import counting_length

    if raw:
        return
    counted = counting_length(instance) if "created" in kwargs else None  # post_delete has no "created"
    stored = ProgressSession.objects.filter(session_id=instance.pk).values_list("minutes", flat=True).first()
    if counted != stored:
        services.queue_progress_rebuild(instance.programme_id)
