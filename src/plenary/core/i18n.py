"""Bilingual content fields: stored in both languages, shown in the reader's."""

from __future__ import annotations

from django.utils.translation import get_language


def is_chinese(language: str | None = None) -> bool:
    return (language or get_language() or "en").lower().startswith("zh")


def pick(english: str, chinese: str, language: str | None = None) -> str:
    """The text in the reader's language, falling back to the other one when it is empty."""
    if is_chinese(language):
        return chinese or english
    return english or chinese


def bilingual(english: str, chinese: str) -> dict[str, str]:
    """The API's shape for bilingual text (CONTRACT.md)."""
    return {"en": english, "zh_hant": chinese}


class BilingualMixin:
    """Adds ``<field>`` properties reading ``<field>_en`` / ``<field>_zh`` in the active language."""

    def localised(self, field: str, language: str | None = None) -> str:
        return pick(getattr(self, f"{field}_en"), getattr(self, f"{field}_zh"), language)
