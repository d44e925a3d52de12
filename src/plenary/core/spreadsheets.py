"""Writing spreadsheets that people open in Excel: every export goes through ``safe_cell``."""

from __future__ import annotations

from typing import Any

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet will show as text, never run as a formula: a leading apostrophe keeps it text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values) -> list[Any]:
    return [safe_cell(value) for value in values]
