"""What every PDF of Plenary shares: a font with Chinese glyphs, embedded as a subset.

Certificates, passes, run-downs and press releases all draw with ReportLab, and all of them must show
Chinese in any viewer, so the font is a TrueType file embedded in the PDF (Debian's fonts-wqy-microhei by
default; set PLENARY_CJK_FONT to another .ttf/.ttc). It is parsed once per process.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from plenary.core.errors import DomainError

logger = logging.getLogger(__name__)

CJK_FONT = "PlenaryCJK"


class FontMissing(DomainError, ImproperlyConfigured):
    """The server lacks the font PDFs need: the reader is told so in their language, the log says how to fix it."""

    status = 503
    default_message = _(
        "This document cannot be made as a PDF right now: the server lacks the font it needs for Chinese text. "
        "Please tell the organisers; your registration and records are not affected."
    )


@cache
def cjk_font() -> str:
    """Registers the CJK TrueType font with ReportLab (once per process) and returns its name."""
    path = Path(settings.PLENARY_CJK_FONT)
    if not path.exists():
        logger.error(
            "No font with Chinese glyphs at %s: install Debian's fonts-wqy-microhei "
            "(sudo apt-get install fonts-wqy-microhei) or point PLENARY_CJK_FONT at a TrueType font.",
            path,
        )
        raise FontMissing()
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=0))
    return CJK_FONT
