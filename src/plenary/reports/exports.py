"""Every figure of the dashboard in one workbook, a sheet per table, in the active language."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook

from plenary.core.spreadsheets import safe_cell
from plenary.reports import tables
from plenary.reports.selectors import Figures


def _sheet(book: Workbook, title: str, header: list, rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append([safe_cell(value) for value in header])
    for row in rows:
        sheet.append([safe_cell(value) for value in row])


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def dashboard_xlsx(figures: Figures) -> bytes:
    book = Workbook()
    book.remove(book.active)
    programme = figures.programme
    _sheet(
        book,
        _("Summary"),
        [_("Programme"), programme.title],
        [[label, value] for label, value in tables.headline(figures)],
    )
    _sheet(
        book,
        _("By status"),
        [_("Status"), _("Registrations")],
        [list(row) for row in tables.status_rows(figures)],
    )
    _sheet(
        book, _("By mode"), [_("Mode"), _("Registrations")], [list(row) for row in tables.mode_rows(figures)]
    )
    _sheet(
        book,
        _("By agency"),
        [_("Agency"), _("Registrations")],
        [list(row) for row in tables.agency_rows(figures)],
    )
    _sheet(
        book,
        _("By day"),
        [_("Day"), _("Registrations"), _("Cumulative")],
        [[row.day, row.count, row.cumulative] for row in figures.by_day],
    )
    _sheet(
        book,
        _("Sessions"),
        [
            _("Session"),
            _("Expected"),
            _("Expected in the room"),
            _("Expected online"),
            _("Arrived in the room"),
            _("Present online"),
            _("Present (threshold)"),
            _("Waiting for the room"),
            _("Waiting online"),
            _("Evaluation responses"),
            _("Response rate (%)"),
            _("Average rating"),
        ],
        [
            [
                row.session.title,
                row.expected,
                row.expected_in_person,
                row.expected_online,
                row.arrived,
                row.online_present,
                row.present,
                row.waiting_in_person,
                row.waiting_online,
                row.responses,
                _rate(row.response_rate),
                row.average_rating,
            ]
            for row in figures.sessions
        ],
    )
    _sheet(
        book,
        _("Minutes"),
        [_("Session"), *tables.bin_labels()],
        [[row.session.title, *row.minutes] for row in figures.sessions],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
