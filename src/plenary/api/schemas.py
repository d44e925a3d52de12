"""Shapes shared by the API's routers."""

from __future__ import annotations

from ninja import Schema


class Bilingual(Schema):
    en: str
    zh_hant: str


class Error(Schema):
    detail: object
