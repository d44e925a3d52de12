from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import BilingualMixin
from plenary.media.models import Photo
from plenary.programmes.models import Programme, Speaker


class PressRelease(BilingualMixin, models.Model):
    """A bilingual press release: composed from the programme's data, then edited by staff.

    The body is plain text; a blank line separates paragraphs.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="press_releases")
    slug = models.SlugField(_("web address"), max_length=100, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=400)
    title_zh = models.CharField(_("title (Chinese)"), max_length=400, blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    body_zh = models.TextField(_("text (Chinese)"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    photos = models.ManyToManyField(
        Photo, through="ReleasePhoto", blank=True, related_name="press_releases", verbose_name=_("photos")
    )
    composed_at = models.DateTimeField(_("composed from data"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-created_at"]
        verbose_name = _("press release")
        verbose_name_plural = _("press releases")

    def __str__(self) -> str:
        return self.title_en

    @property
    def title(self) -> str:
        return self.localised("title")

    @property
    def body(self) -> str:
        return self.localised("body")

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def paragraphs(self, language: str | None = None) -> list[str]:
        text = self.localised("body", language)
        return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]

    def ordered_photos(self):
        return self.photos.order_by("releasephoto__order", "releasephoto__id")


class ReleasePhoto(models.Model):
    release = models.ForeignKey(PressRelease, on_delete=models.CASCADE)
    photo = models.ForeignKey(Photo, on_delete=models.CASCADE)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["release", "photo"], name="release_photo_unique")]

    def __str__(self) -> str:
        return f"{self.release_id} · {self.photo_id} · {self.order}"


class SpeakerRemark(models.Model):
    """What a speaker said, as staff summarise it for the release, in both languages."""

    release = models.ForeignKey(PressRelease, on_delete=models.CASCADE, related_name="remarks")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="release_remarks")
    text_en = models.TextField(_("remarks (English)"), blank=True)
    text_zh = models.TextField(_("remarks (Chinese)"), blank=True)

    class Meta:
        verbose_name = _("speaker's remarks")
        verbose_name_plural = _("speakers' remarks")
        constraints = [models.UniqueConstraint(fields=["release", "speaker"], name="remark_one_per_speaker")]

    def __str__(self) -> str:
        return f"{self.speaker} · {self.release}"
