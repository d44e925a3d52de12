"""Published reflections show on the public programme page: keep its cached copy true (programmes/pages.py)."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from plenary.engagement.models import Reflection
from plenary.programmes.models import Programme
from plenary.programmes.pages import content_changed
from plenary.registrations.models import Registration


@receiver(post_save, sender=Reflection, dispatch_uid="pages-reflection")
@receiver(post_delete, sender=Reflection, dispatch_uid="pages-reflection-delete")
def reflection_saved(sender, instance: Reflection, created: bool = False, **kwargs) -> None:
    # A new unpublished reflection is not on the page; any other change may be (publish, withdraw, edit).
    if created and instance.published_at is None:
        return
    content_changed(*Programme.objects.filter(sessions=instance.session_id).values_list("pk", flat=True))


@receiver(post_save, sender=Registration, dispatch_uid="pages-reflection-author")
def author_saved(sender, instance: Registration, created: bool = False, **kwargs) -> None:
    # The page names a published reflection's author and agency; a corrected or erased name must show.
    if created:
        return
    if Reflection.objects.filter(registration=instance.pk, published_at__isnull=False).exists():
        content_changed(instance.programme_id)
