"""Demo step: synthetic photos of the sharing session and a published release composed from the data.

The photos are drawn with Pillow (shapes and a "synthetic" label, no people), so nobody real appears.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw

from plenary.media import services as media_services
from plenary.media.models import Photo
from plenary.programmes.models import Session
from plenary.publicity import selectors, services

PHOTOS = [
    (
        "demo-stage.jpg",
        "The stage of the summary and sharing session (a synthetic demo image).",
        "總結分享會的舞台（示範用合成圖像）。",
        (11, 85, 99),
    ),
    (
        "demo-audience.jpg",
        "Participants attending the session in the hall (a synthetic demo image).",
        "參加者在會場出席分享會（示範用合成圖像）。",
        (120, 64, 32),
    ),
    (
        "demo-sharing.jpg",
        "Managers of member organisations share their reflections (a synthetic demo image).",
        "參與機構管理層代表分享體會（示範用合成圖像）。",
        (60, 90, 40),
    ),
    (
        "demo-online.jpg",
        "Participants joining online (a synthetic demo image).",
        "參加者於網上參與（示範用合成圖像）。",
        (70, 50, 120),
    ),
]


def synthetic_photo(rng: random.Random, colour: tuple[int, int, int], label: str) -> bytes:
    """A 1800×1200 drawing of a hall: a stage, a lectern, rows of seats. Clearly not a photograph."""
    width, height = 1800, 1200
    image = Image.new("RGB", (width, height), tuple(min(255, c + 150) for c in colour))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, width, 420), fill=colour)
    draw.rectangle((200, 120, width - 200, 380), fill=tuple(min(255, c + 90) for c in colour))
    draw.rectangle((820, 260, 980, 470), fill=(90, 60, 40))
    for row in range(6):
        for seat in range(16):
            x = 120 + seat * 100 + (row % 2) * 40
            y = 560 + row * 100
            shade = rng.randint(40, 110)
            draw.rounded_rectangle((x, y, x + 70, y + 60), radius=12, fill=(shade, shade, shade + 20))
    draw.rectangle((0, height - 90, width, height), fill=(20, 20, 20))
    draw.text((30, height - 70), f"SYNTHETIC DEMO IMAGE - {label}", fill=(255, 255, 255), font_size=40)
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85)
    return output.getvalue()


def load(context) -> None:
    programme = context.programme
    sharing = programme.sessions.filter(kind=Session.Kind.SHARING).order_by("-starts_at").first()
    if sharing is None:
        return
    rng = random.Random(context.seed)
    for order, (name, caption_en, caption_zh, colour) in enumerate(PHOTOS, start=1):
        photo = sharing.photos.filter(original_name=name).first()
        if photo is None:
            data = synthetic_photo(rng, colour, name.removesuffix(".jpg"))
            photo = media_services.upload_photo(session=sharing, data=data, filename=name)
        if not photo.web:
            media_services.make_renditions(photo.pk)
        Photo.objects.filter(pk=photo.pk).update(
            caption_en=caption_en,
            caption_zh=caption_zh,
            photographer="Plenary demo",
            order=order,
            published=True,
            people_consent=True,
        )
    release = programme.press_releases.order_by("created_at").first()
    photos = list(selectors.selectable_photos(programme).filter(session=sharing)[:3])
    if release is None:
        release = services.compose_release(programme, photos=photos)
    else:
        services.set_photos(release, photos)
        services.recompose_release(release)
    if not release.is_published:
        services.publish_release(release)
    context.log.append(f"publicity: release {release.slug} with {len(photos)} photos")
