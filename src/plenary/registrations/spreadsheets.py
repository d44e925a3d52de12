"""Reading nomination uploads (XLSX or CSV) and writing exports with formula injection neutralised."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError
from plenary.core.spreadsheets import SpreadsheetRefused, safe_cell, xlsx_rows

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
COLUMNS = ["name_en", "name_zh", "email", "phone", "post", "service_unit", "rsw_number", "mode"]
MODE_WORDS = {
    "in_person": "in_person",
    "in person": "in_person",
    "in-person": "in_person",
    "room": "in_person",
    "現場": "in_person",
    "親身出席": "in_person",
    "online": "online",
    "網上": "online",
    "線上": "online",
    "": "online",
}


class UploadRefused(DomainError):
    """The uploaded spreadsheet cannot be read at all; the message says why, for the coordinator."""

    status = 422


def _header(value: Any) -> str:
    return str(value or "").strip().lower().replace(" ", "_").replace("-", "_")


def read_rows(upload) -> list[dict[str, str]]:
    """The data rows of an uploaded spreadsheet as dicts keyed by the template's column names.

    Raises UploadRefused for files too large, not spreadsheets, unreadable, or without an email column.
    """
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(_("The file is larger than 2 MB. Split it into smaller files."))
    name = (upload.name or "").lower()
    content = upload.read()
    if name.endswith(".xlsx") or content[:4] == b"PK\x03\x04":
        table = _xlsx(content)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _csv(content)
    else:
        raise UploadRefused(
            _("This is not a spreadsheet. Upload an XLSX or CSV file made from the template.")
        )
    if not table:
        raise UploadRefused(_("The file is empty."))
    headers = [_header(value) for value in table[0]]
    if "email" not in headers:
        raise UploadRefused(_("The first row must hold the template's column names, including email."))
    rows = []
    for values in table[1:]:
        cells = ["" if value is None else str(value).strip() for value in values]
        if not any(cells):
            continue
        rows.append(
            {header: cells[i] if i < len(cells) else "" for i, header in enumerate(headers) if header}
        )
        if len(rows) > MAX_ROWS:
            raise UploadRefused(_("The file has more than 2 000 rows. Split it into smaller files."))
    return rows


def _xlsx(content: bytes) -> list[list[Any]]:
    table = []
    try:
        for row in xlsx_rows(content):
            table.append(list(row))
            if len(table) > MAX_ROWS + 1:
                raise UploadRefused(_("The file has more than 2 000 rows. Split it into smaller files."))
    except SpreadsheetRefused as error:
        raise UploadRefused(error.message) from error
    return table


def _csv(content: bytes) -> list[list[str]]:
    if b"\x00" in content[:1024]:
        raise UploadRefused(
            _("This is not a spreadsheet. Upload an XLSX or CSV file made from the template.")
        )
    for encoding in ("utf-8-sig", "big5hkscs"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UploadRefused(_("This CSV file is not in UTF-8. Save it as “CSV UTF-8” and try again."))
    try:
        return list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    except csv.Error as error:
        raise UploadRefused(_("This CSV file cannot be read.")) from error


def xlsx_bytes(headers: list[str], rows: Iterable[list[Any]], title: str = "Sheet") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append([safe_cell(h) for h in headers])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_text(headers: list[str], rows: Iterable[list[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow([safe_cell("" if value is None else str(value)) for value in row])
    return "\ufeff" + buffer.getvalue()
