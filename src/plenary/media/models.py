from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.core.i18n import BilingualMixin
from plenary.programmes.models import Session


def _path(folder: str, extension: str) -> str:
    # Random names: an unpublished photo's address cannot be guessed from a published one's.
    return f"photos/{folder}/{uuid.uuid4().hex}.{extension}"


def original_path(instance: Photo, filename: str) -> str:
    return _path("original", filename.rsplit(".", 1)[-1].lower())


def web_path(instance: Photo, filename: str) -> str:
    return _path("web", "jpg")


def thumbnail_path(instance: Photo, filename: str) -> str:
    return _path("thumb", "jpg")


class Photo(BilingualMixin, models.Model):
    """A photo of a session. The stored original has no EXIF metadata: it was re-encoded on upload."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="photos", verbose_name=_("session")
    )
    image = models.ImageField(_("image"), upload_to=original_path, width_field="width", height_field="height")
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    web = models.ImageField(_("web size"), upload_to=web_path, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=thumbnail_path, blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    caption_en = models.CharField(_("caption (English)"), max_length=500, blank=True)
    caption_zh = models.CharField(_("caption (Chinese)"), max_length=500, blank=True)
    photographer = models.CharField(_("photographer"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)
    published = models.BooleanField(_("published"), default=False)
    people_consent = models.BooleanField(
        _("people shown have agreed"),
        default=False,
        help_text=_(
            "Tick when everyone recognisable in the photo agreed to appear, or nobody is recognisable."
        ),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "order", "id"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption_en or self.original_name or f"Photo {self.pk}"

    @property
    def caption(self) -> str:
        return self.localised("caption")

    @property
    def web_url(self) -> str:
        return (self.web or self.image).url

    @property
    def thumbnail_url(self) -> str:
        return (self.thumbnail or self.web or self.image).url


class RemovalRequest(models.Model):
    """Someone asks the organisers to take a public photo down."""

    photo = models.ForeignKey(Photo, on_delete=models.CASCADE, related_name="removal_requests")
    name = models.CharField(_("your name"), max_length=200)
    email = models.EmailField(_("your email"))
    reason = models.TextField(_("why should the photo be removed?"), max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("photo removal request")
        verbose_name_plural = _("photo removal requests")

    def __str__(self) -> str:
        return f"{self.photo} · {self.email}"
