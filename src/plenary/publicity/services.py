"""Writes for press releases: compose from data, edit, choose photos, enter remarks, publish."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from plenary.core.audit import record, snapshot
from plenary.core.models import AuditEntry
from plenary.media.models import Photo
from plenary.programmes.models import Programme, Speaker
from plenary.publicity import composer, selectors
from plenary.publicity.models import PressRelease, ReleasePhoto, SpeakerRemark


def _unique_slug(base: str) -> str:
    base = slugify(base)[:80].strip("-") or "release"
    slug, number = base, 1
    while PressRelease.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base[:76]}-{number}"
    return slug


def _draft(release: PressRelease) -> composer.Draft:
    photos = selectors.release_photos(release) if release.pk else []
    facts = selectors.release_facts(release.programme, photos)
    remarks = (
        [composer.Remark(r.speaker_id, r.text_en, r.text_zh) for r in release.remarks.all()]
        if release.pk
        else []
    )
    return composer.compose(facts, remarks)


@transaction.atomic
def compose_release(
    programme: Programme, *, actor=None, photos: Iterable[Photo] | None = None
) -> PressRelease:
    """Creates a draft release in both languages from the programme's data (and any chosen photos)."""
    release = PressRelease(programme=programme)
    chosen = list(photos or [])
    draft = composer.compose(selectors.release_facts(programme, chosen))
    release.title_en, release.title_zh = draft.title_en, draft.title_zh
    release.body_en, release.body_zh = draft.body_en, draft.body_zh
    release.slug = _unique_slug(draft.title_en.replace("(with photos)", ""))
    release.composed_at = timezone.now()
    release.save()
    for order, photo in enumerate(chosen, start=1):
        ReleasePhoto.objects.create(release=release, photo=photo, order=order)
    record(
        actor=actor,
        action=AuditEntry.Action.CREATE,
        instance=release,
        programme=programme,
        after=snapshot(release),
    )
    return release


@transaction.atomic
def recompose_release(release: PressRelease, *, actor=None) -> PressRelease:
    """Replaces the title and text with a fresh composition from today's data, remarks and photos."""
    before = snapshot(release)
    draft = _draft(release)
    release.title_en, release.title_zh = draft.title_en, draft.title_zh
    release.body_en, release.body_zh = draft.body_en, draft.body_zh
    release.composed_at = timezone.now()
    release.save()
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=release,
        programme=release.programme,
        before=before,
        after=snapshot(release),
        summary="Composed again from the programme's data",
    )
    return release


@transaction.atomic
def update_release(release: PressRelease, *, actor=None, **fields) -> PressRelease:
    before = snapshot(release)
    for name in ("title_en", "title_zh", "body_en", "body_zh"):
        if name in fields:
            setattr(release, name, fields[name])
    release.full_clean(exclude=["photos"])
    release.save()
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=release,
        programme=release.programme,
        before=before,
        after=snapshot(release),
    )
    return release


@transaction.atomic
def set_photos(release: PressRelease, photos: Iterable[Photo], *, actor=None) -> None:
    """The photos the release carries, in the order given; only the programme's published photos."""
    allowed = set(selectors.selectable_photos(release.programme).values_list("pk", flat=True))
    chosen = [photo for photo in photos if photo.pk in allowed]
    ReleasePhoto.objects.filter(release=release).delete()
    for order, photo in enumerate(chosen, start=1):
        ReleasePhoto.objects.create(release=release, photo=photo, order=order)
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=release,
        programme=release.programme,
        summary=f"Photos: {[photo.pk for photo in chosen]}"[:300],
    )


@transaction.atomic
def set_remark(release: PressRelease, speaker: Speaker, *, text_en: str, text_zh: str, actor=None) -> None:
    """Stores (or clears, when both texts are empty) what a speaker said, for the release."""
    if not (text_en.strip() or text_zh.strip()):
        SpeakerRemark.objects.filter(release=release, speaker=speaker).delete()
        return
    SpeakerRemark.objects.update_or_create(
        release=release, speaker=speaker, defaults={"text_en": text_en.strip(), "text_zh": text_zh.strip()}
    )
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=release,
        programme=release.programme,
        summary=f"Remarks of {speaker.display_name_en}"[:300],
    )


@transaction.atomic
def publish_release(release: PressRelease, *, actor=None) -> PressRelease:
    before = snapshot(release)
    release.status = PressRelease.Status.PUBLISHED
    release.published_at = release.published_at or timezone.now()
    release.save(update_fields=["status", "published_at", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.PUBLISH,
        instance=release,
        programme=release.programme,
        before=before,
        after=snapshot(release),
    )
    return release


@transaction.atomic
def unpublish_release(release: PressRelease, *, actor=None) -> PressRelease:
    before = snapshot(release)
    release.status = PressRelease.Status.DRAFT
    release.save(update_fields=["status", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.UNPUBLISH,
        instance=release,
        programme=release.programme,
        before=before,
        after=snapshot(release),
    )
    return release
