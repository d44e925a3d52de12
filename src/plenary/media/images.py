"""Checking and re-encoding uploaded photos with Pillow.

Only real images pass: the header must parse, the pixel count must stay under a limit (a small file
can decompress to gigabytes), and the whole image must decode. What is stored is a re-encoding of the
decoded pixels, turned upright from the EXIF orientation, so no metadata (GPS, camera, owner) survives.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from plenary.core.errors import DomainError

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
WEB_SIZE = 1600
THUMBNAIL_SIZE = 400


class PhotoRejected(DomainError, ValueError):
    """The upload is not a photo Plenary can accept; the message says why, in the user's language."""

    status = 422


@dataclass
class CleanImage:
    content: bytes
    extension: str
    width: int
    height: int


def max_bytes() -> int:
    return getattr(settings, "PLENARY_PHOTO_MAX_BYTES", 25 * 1024 * 1024)


def max_pixels() -> int:
    return getattr(settings, "PLENARY_PHOTO_MAX_PIXELS", 60_000_000)


def _decode(data: bytes) -> Image.Image:
    limit = max_pixels()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise PhotoRejected(_("Only JPEG, PNG and WebP photos are accepted."))
                if probe.width * probe.height > limit:
                    raise PhotoRejected(
                        _(
                            "The image is too large: %(pixels)s million pixels (the limit is %(limit)s million)."
                        )
                        % {"pixels": probe.width * probe.height // 1_000_000, "limit": limit // 1_000_000}
                    )
                probe.verify()
            # verify() leaves the image unusable, so decode it afresh, this time in full.
            image = Image.open(io.BytesIO(data))
            image.load()
        except PhotoRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise PhotoRejected(_("The image is too large to open safely.")) from error
        except UnidentifiedImageError as error:
            raise PhotoRejected(_("This file is not an image.")) from error
        except (OSError, SyntaxError, ValueError) as error:
            raise PhotoRejected(_("The image is damaged or incomplete.")) from error
    return image


def clean(data: bytes) -> CleanImage:
    """Checks an upload and returns it re-encoded upright, without metadata."""
    if len(data) > max_bytes():
        raise PhotoRejected(
            _("The file is too big: %(size)s MB (the limit is %(limit)s MB).")
            % {"size": round(len(data) / 1024 / 1024, 1), "limit": max_bytes() // 1024 // 1024}
        )
    if not data:
        raise PhotoRejected(_("The file is empty."))
    image = _decode(data)
    source_format = image.format
    upright = ImageOps.exif_transpose(image)
    if source_format == "JPEG":
        upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
    # Nothing of the file but its pixels (and its colour profile) survives: Pillow would otherwise write
    # back a JPEG comment block, PNG text chunks, XMP and the like from ``info``.
    profile = upright.info.get("icc_profile")
    upright.info = {}
    extra = {"icc_profile": profile} if profile else {}
    output = io.BytesIO()
    if source_format == "JPEG":
        upright.save(output, "JPEG", quality=92, optimize=True, **extra)
    elif source_format == "PNG":
        upright.save(output, "PNG", optimize=True, **extra)
    else:
        upright.save(output, "WEBP", quality=90, **extra)
    return CleanImage(output.getvalue(), FORMATS[source_format], upright.width, upright.height)


def rendition(data: bytes, longest_side: int) -> bytes:
    """A JPEG no larger than ``longest_side`` on its longer edge (transparency on white)."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        if image.mode in ("RGBA", "LA", "P"):
            image = image.convert("RGBA")
            background = Image.new("RGB", image.size, "white")
            background.paste(image, mask=image.getchannel("A"))
            image = background
        elif image.mode != "RGB":
            image = image.convert("RGB")
        image.thumbnail((longest_side, longest_side), Image.Resampling.LANCZOS)
        output = io.BytesIO()
        image.save(output, "JPEG", quality=85, optimize=True, progressive=True)
        return output.getvalue()
