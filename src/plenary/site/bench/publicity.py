"""`plenary bench publicity [--photos N] [--size PIXELS]`: photo intake and release composing.

Measures, on the demo programme (load it first with `plenary demo`): uploading N synthetic photos
(check, strip, re-encode), making their web and thumbnail sizes, composing a release from the data,
and exporting it as PDF and .docx. Everything it creates is removed afterwards.
"""

from __future__ import annotations

import argparse
import io
import time

from PIL import Image

from plenary.media import services as media_services
from plenary.programmes.models import Programme, Session
from plenary.publicity import exports, services
from plenary.site.demo import PROGRAMME_SLUG


def _photo(size: int, shade: int) -> bytes:
    image = Image.new("RGB", (size, size * 2 // 3), (shade % 255, 90, 140))
    output = io.BytesIO()
    image.save(output, "JPEG", quality=90)
    return output.getvalue()


def _timed(label: str, count: int, action) -> None:
    started = time.perf_counter()
    for index in range(count):
        action(index)
    elapsed = time.perf_counter() - started
    print(f"{label:<28} {count:>5} × {elapsed / count * 1000:8.1f} ms  (total {elapsed:.2f} s)")


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench publicity")
    parser.add_argument("--photos", type=int, default=20)
    parser.add_argument("--size", type=int, default=3000, help="longer side of each photo, in pixels")
    options = parser.parse_args(argv)
    programme = Programme.objects.filter(slug=PROGRAMME_SLUG).first()
    if programme is None:
        raise SystemExit("Load the demo first: plenary demo")
    sharing = programme.sessions.filter(kind=Session.Kind.SHARING).first()
    data = [_photo(options.size, index) for index in range(options.photos)]
    photos = []
    try:
        _timed(
            f"upload ({options.size}px JPEG)",
            options.photos,
            lambda i: photos.append(
                media_services.upload_photo(session=sharing, data=data[i], filename=f"b{i}.jpg")
            ),
        )
        _timed(
            "web + thumbnail sizes", options.photos, lambda i: media_services.make_renditions(photos[i].pk)
        )
        releases = []
        _timed("compose release", 10, lambda i: releases.append(services.compose_release(programme)))
        _timed("export PDF (zh-hant)", 5, lambda i: exports.release_pdf(releases[0], "zh-hant"))
        _timed("export .docx", 5, lambda i: exports.release_docx(releases[0], "en"))
    finally:
        for photo in photos:
            media_services.delete_photo(photo, actor=None)
        programme.press_releases.filter(status="draft", remarks__isnull=True, photos__isnull=True).delete()
