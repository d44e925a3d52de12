"""Personal data Plenary must not collect: a Hong Kong identity card number in any free-text field.

Text is folded before it is searched, so that the ways people type a number all count: NFKC turns
full-width letters, digits and brackets into plain ones (``Ａ１２３４５６（７）``), square and curly
brackets count as round ones (``A123456[7]``), and a space, dot, hyphen or slash may separate the
parts (``A123456-7``, ``A 123456 (7)``).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BRACKETS = str.maketrans({"[": "(", "{": "(", "<": "(", "]": ")", "}": ")", ">": ")"})
_SEPARATOR = r"[\s.\-/_]*"
HKID = re.compile(
    r"(?<![A-Z0-9])[A-Z]{1,2}"
    + _SEPARATOR
    + r"\d{6}"
    + _SEPARATOR
    + r"\(?"
    + _SEPARATOR
    + r"[0-9A]"
    + _SEPARATOR
    + r"\)?(?![0-9])"
)


def fold(text: str) -> str:
    """``text`` as the HKID check reads it: NFKC-normalised, upper case, brackets made round."""
    return unicodedata.normalize("NFKC", text or "").upper().translate(_BRACKETS)


def looks_like_hkid(text: str) -> bool:
    """Whether ``text`` contains something typed like an HKID number (letters, six digits, check digit)."""
    return bool(HKID.search(fold(text)))


HKID_MESSAGE = _("This looks like an identity card number. Please do not give your HKID number.")
# For text that staff type in the console (core/forms.py: NoHkidMixin).
STAFF_HKID_MESSAGE = _(
    "This looks like a Hong Kong identity card number, which Plenary must not hold. Please remove it."
)


def refuse_hkid(text: str) -> None:
    """Raises ValidationError (with ``HKID_MESSAGE``) when ``text`` contains an HKID number."""
    if looks_like_hkid(text):
        raise ValidationError(HKID_MESSAGE)
