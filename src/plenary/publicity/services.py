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


def _split(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace("\r\n", "\n").split("\n\n") if part.strip()]


def _merge_paragraphs(body: str, old: str, new: str, position: int) -> str:
    """The body with a remark's old paragraphs replaced by its new ones (or inserted at ``position``)."""
    paragraphs = _split(body)
    old_parts, new_parts = _split(old), _split(new)
    if old_parts and all(part in paragraphs for part in old_parts):
        at = paragraphs.index(old_parts[0])
        paragraphs = [part for part in paragraphs if part not in old_parts]
        paragraphs[at:at] = new_parts
    elif new_parts:
        fresh = [part for part in new_parts if part not in paragraphs]
        at = min(position, len(paragraphs))
        paragraphs[at:at] = fresh
    return "\n\n".join(paragraphs)


@transaction.atomic
def set_remark(release: PressRelease, speaker: Speaker, *, text_en: str, text_zh: str, actor=None) -> None:
    """Stores (or clears, when both texts are empty) what a speaker said, for the release, and puts it
    into the release's text at once — replacing the remark's earlier wording where the text has it, else
    where the composer would — so it reaches the published text without composing again (which would
    discard the organiser's edits)."""
    previous = SpeakerRemark.objects.filter(release=release, speaker=speaker).first()
    old_en, old_zh = (previous.text_en, previous.text_zh) if previous else ("", "")
    new_en, new_zh = text_en.strip(), text_zh.strip()
    if (old_en, old_zh) == (new_en, new_zh):
        return
    if not (new_en or new_zh):
        SpeakerRemark.objects.filter(release=release, speaker=speaker).delete()
    else:
        SpeakerRemark.objects.update_or_create(
            release=release, speaker=speaker, defaults={"text_en": new_en, "text_zh": new_zh}
        )
    position = composer.remarks_position(selectors.release_facts(release.programme))
    release.body_en = _merge_paragraphs(release.body_en, old_en, new_en, position)
    release.body_zh = _merge_paragraphs(release.body_zh, old_zh, new_zh, position)
    release.save(update_fields=["body_en", "body_zh", "updated_at"])
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
