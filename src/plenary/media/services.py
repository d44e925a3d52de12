"""Writes for photos: upload (checked and stripped), renditions, editing, removal requests."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from plenary.core.audit import record
from plenary.core.models import AuditEntry
from plenary.core.tasks import enqueue_on_commit
from plenary.media import images
from plenary.media.models import Photo, RemovalRequest
from plenary.organisations.models import Membership
from plenary.programmes.models import Session

logger = logging.getLogger(__name__)

PhotoRejected = images.PhotoRejected


def upload_photo(*, session: Session, data: bytes, filename: str, actor=None) -> Photo:
    """Stores one checked, metadata-free photo in ``session``; the sizes are made in the background.

    Raises ``PhotoRejected`` (nothing stored) when the file is not an acceptable image.
    """
    clean = images.clean(data)
    stem = (filename or "photo").rsplit(".", 1)[0][:200]
    with transaction.atomic():
        next_order = (session.photos.aggregate(last=Max("order"))["last"] or 0) + 1
        photo = Photo(
            session=session,
            original_name=(filename or "")[:255],
            order=next_order,
            width=clean.width,
            height=clean.height,
            uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        photo.image.save(f"{stem}.{clean.extension}", ContentFile(clean.content), save=False)
        photo.width, photo.height = clean.width, clean.height
        photo.save()
        record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=photo,
            programme=session.programme,
            summary=f"Uploaded photo {filename}"[:300],
        )
        # The task row commits with the photo (core/tasks.py).
        _enqueue_renditions(photo.pk)
    return photo


def _enqueue_renditions(photo_id: int) -> None:
    from plenary.media.tasks import make_renditions as task

    enqueue_on_commit(task, photo_id)


def make_renditions(photo_id: int) -> Photo | None:
    """Makes the web and thumbnail sizes of a photo (idempotent: replaces any earlier ones)."""
    photo = Photo.objects.filter(pk=photo_id).first()
    if photo is None:
        return None
    with photo.image.open("rb") as source:
        data = source.read()
    for field, size in (("web", images.WEB_SIZE), ("thumbnail", images.THUMBNAIL_SIZE)):
        old = getattr(photo, field)
        if old:
            old.delete(save=False)
        getattr(photo, field).save("rendition.jpg", ContentFile(images.rendition(data, size)), save=False)
    Photo.objects.filter(pk=photo.pk).update(web=photo.web.name, thumbnail=photo.thumbnail.name)
    return photo


EDITABLE = ("caption_en", "caption_zh", "photographer", "order", "published", "people_consent")


def _state(photo: Photo) -> dict:
    """The fields staff edit, as stored (the audit's generic snapshot cannot read empty image fields)."""
    stored = Photo.objects.filter(pk=photo.pk).values(*EDITABLE).first() or {}
    return dict(stored)


@transaction.atomic
def update_photos(*, photos: Iterable[Photo], actor) -> int:
    """Saves edited captions, credits, order and flags; one audit entry per changed photo."""
    changed = 0
    for photo in photos:
        before = _state(photo)
        photo.save()
        after = _state(photo)
        if before != after:
            changed += 1
            record(
                actor=actor,
                action=AuditEntry.Action.UPDATE,
                instance=photo,
                programme=photo.session.programme,
                before={k: v for k, v in before.items() if before[k] != after.get(k)},
                after={k: v for k, v in after.items() if before.get(k) != v},
            )
    return changed


def delete_photo(photo: Photo, *, actor) -> None:
    programme = photo.session.programme
    files = [f for f in (photo.image, photo.web, photo.thumbnail) if f]
    with transaction.atomic():
        record(
            actor=actor,
            action=AuditEntry.Action.DELETE,
            instance=photo,
            programme=programme,
            before={**_state(photo), "image": photo.image.name},
        )
        photo.delete()
    for file in files:
        file.storage.delete(file.name)


def organiser_emails(programme) -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True,
        memberships__role=Membership.Role.ORGANISER,
        memberships__organisation__co_organised__programme=programme,
    )
    return sorted({email for email in users.values_list("email", flat=True) if email})


def request_removal(*, photo: Photo, name: str, email: str, reason: str) -> RemovalRequest:
    """Stores a request to take a photo down and tells the programme's organisers by email."""
    programme = photo.session.programme
    with transaction.atomic():
        removal = RemovalRequest.objects.create(photo=photo, name=name, email=email, reason=reason)
        record(
            actor=None,
            action=AuditEntry.Action.CREATE,
            instance=removal,
            programme=programme,
            summary=f"Photo removal requested for photo {photo.pk}",
        )
    recipients = organiser_emails(programme)
    if recipients:
        from django.conf import settings

        link = settings.BASE_URL + reverse(
            "media:manage-photos", kwargs={"slug": programme.slug, "session_id": photo.session_id}
        )
        body = _(
            "%(name)s <%(email)s> asks for a photo of %(session)s to be removed.\n\n"
            "Photo: %(photo)s\nReason:\n%(reason)s\n\nReview the photos: %(link)s"
        ) % {
            "name": name,
            "email": email,
            "session": photo.session.title_en,
            "photo": photo.caption_en or photo.original_name or photo.pk,
            "reason": reason,
            "link": link,
        }
        try:
            send_mail(
                _("Photo removal request: %(programme)s") % {"programme": programme.title_en[:120]},
                body,
                None,
                recipients,
            )
        except OSError:
            # The request is stored and listed in the console even when mail is down.
            logger.exception("Could not email the removal request %s", removal.pk)
    return removal
