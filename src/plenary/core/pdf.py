"""What every PDF of Plenary shares: a font with Chinese glyphs, embedded as a subset.

Certificates, passes, run-downs and press releases all draw with ReportLab, and all of them must show
Chinese in any viewer, so the font is a TrueType file embedded in the PDF (Debian's fonts-wqy-microhei by
default; set PLENARY_CJK_FONT to another .ttf/.ttc). It is parsed once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

CJK_FONT = "PlenaryCJK"


@cache
def cjk_font() -> str:
    """Registers the CJK TrueType font with ReportLab (once per process) and returns its name."""
    path = Path(settings.PLENARY_CJK_FONT)
    if not path.exists():
        raise ImproperlyConfigured(
            f"No font with Chinese glyphs at {path}: install Debian's fonts-wqy-microhei "
            "or point PLENARY_CJK_FONT at a TrueType font."
        )
    pdfmetrics.registerFont(TTFont(CJK_FONT, str(path), subfontIndex=0))
    return CJK_FONT
