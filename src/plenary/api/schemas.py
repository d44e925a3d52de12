"""Shapes shared by the API's routers."""

from __future__ import annotations

from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator

from plenary.core.privacy import STAFF_HKID_MESSAGE, looks_like_hkid


def _no_hkid(value: str) -> str:
    """Free text staff send to the API is refused, like the console's forms (``core.forms.NoHkidMixin``),
    when it holds something typed like an HKID number: 422, the message in the caller's language."""
    if looks_like_hkid(value):
        raise ValueError(str(STAFF_HKID_MESSAGE))
    return value


# Free text written into the database through the API: titles, names, reasons.
FreeText = Annotated[str, AfterValidator(_no_hkid)]


class Bilingual(Schema):
    en: str
    zh_hant: str


class BilingualIn(Schema):
    en: FreeText
    zh_hant: FreeText


class Error(Schema):
    detail: object
