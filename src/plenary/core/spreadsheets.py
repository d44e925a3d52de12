"""Spreadsheets: every export goes through ``safe_cell``, every uploaded XLSX through ``xlsx_rows``."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError

# A cell starting with one of these is read as a formula by spreadsheet programs (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet will show as text, never run as a formula: a leading apostrophe keeps it text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values) -> list[Any]:
    return [safe_cell(value) for value in values]


# Reading spreadsheets that people upload: every XLSX reader goes through ``xlsx_rows``.

# An .xlsx is a zip archive. One that would expand beyond this, or by more than this ratio over its own
# size, is refused before it is opened (a 463 KB "zip bomb" expanding to 157 MB took a minute and 260 MB).
MAX_XLSX_EXPANDED = 80 * 1024 * 1024
MAX_XLSX_RATIO = 100


class SpreadsheetRefused(DomainError):
    """An uploaded spreadsheet that cannot be read safely; the message says why, for the person."""

    status = 422


def xlsx_rows(data: bytes, *, max_expanded: int = MAX_XLSX_EXPANDED, max_ratio: int = MAX_XLSX_RATIO):
    """The rows (tuples of values) of the first sheet of an XLSX file, refusing damaged or truncated
    files, zip bombs (by total expanded size and by ratio) and anything the parser chokes on."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise SpreadsheetRefused(
            _("This spreadsheet cannot be read: it is damaged or truncated. Save it again and retry.")
        ) from error
    expanded = sum(info.file_size for info in members)
    if expanded > max_expanded or expanded > max_ratio * max(len(data), 1):
        raise SpreadsheetRefused(
            _("The spreadsheet expands to an unreasonable size, so it was not opened. Save it again as XLSX.")
        )
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (KeyError, ValueError, zip and XML errors)
        raise SpreadsheetRefused(_("This file cannot be read as an XLSX spreadsheet.")) from error
    try:
        if not workbook.worksheets:
            raise SpreadsheetRefused(_("The spreadsheet has no sheet."))
        yield from workbook.worksheets[0].iter_rows(values_only=True)
    except SpreadsheetRefused:
        raise
    except GeneratorExit:
        raise
    except Exception as error:  # a sheet cut off half-way, broken XML, a bad cell value
        raise SpreadsheetRefused(
            _("The spreadsheet could not be read: it may be damaged or truncated.")
        ) from error
    finally:
        workbook.close()
