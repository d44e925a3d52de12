"""API rows for press releases and the news."""

from __future__ import annotations

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from plenary.access.api import managed_programme
from plenary.api.schemas import Bilingual
from plenary.core.i18n import bilingual
from plenary.publicity import selectors, services
from plenary.publicity.models import PressRelease

router = Router(tags=["news"])


class PhotoOut(Schema):
    id: int
    url: str
    thumbnail_url: str
    caption: Bilingual
    photographer: str


class ReleaseOut(Schema):
    slug: str
    status: str
    title: Bilingual
    body: Bilingual
    published_at: datetime | None
    programme: str
    url: str
    photos: list[PhotoOut]


def _release(release: PressRelease, request) -> dict:
    from django.urls import reverse

    absolute = request.build_absolute_uri
    return {
        "slug": release.slug,
        "status": release.status,
        "title": bilingual(release.title_en, release.title_zh),
        "body": bilingual(release.body_en, release.body_zh),
        "published_at": release.published_at,
        "programme": release.programme.slug,
        "url": absolute(reverse("publicity:news-detail", kwargs={"slug": release.slug})),
        "photos": [
            {
                "id": photo.pk,
                "url": absolute(photo.web_url),
                "thumbnail_url": absolute(photo.thumbnail_url),
                "caption": bilingual(photo.caption_en, photo.caption_zh),
                "photographer": photo.photographer,
            }
            for photo in selectors.release_photos(release)
        ],
    }


@router.post("programmes/{slug}/press-releases", response={201: ReleaseOut})
def compose_release(request, slug: str):
    """Composes a draft release in both languages from the programme's data and its published photos."""
    programme = managed_programme(request, slug)
    release = services.compose_release(
        programme, actor=request.auth, photos=selectors.selectable_photos(programme)
    )
    return Status(201, _release(release, request))


@router.get("news/{slug}", auth=None, response=ReleaseOut)
def get_news(request, slug: str):
    release = get_object_or_404(selectors.published_releases(), slug=slug)
    return _release(release, request)
