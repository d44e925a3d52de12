"""Meeting-report parsers, one module per format, with automatic detection and an explicit override.

``parse(data, format="auto", zone=...)`` returns a :class:`ParsedReport` of rows (name, email, join,
leave, minutes, registrant reference) and rejected rows with reasons, or raises :class:`ReportError`
when the file as a whole is not a report we can read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.attendance.reports import teams, webex, zoom, zoom_webinar
from plenary.attendance.reports.common import (
    _ORDER,
    DATE_ORDERS,
    ParsedReport,
    RejectedRow,
    ReportError,
    ReportRow,
    file_text,
    normalise_name,
    table,
)
from plenary.attendance.reports.common import date_order as file_date_order


class AmbiguousDates(ReportError):
    """Numeric dates that read either way and nothing in the file to say which: asked, never guessed."""


PARSERS = {
    zoom.FORMAT: zoom.parse,
    zoom_webinar.FORMAT: zoom_webinar.parse,
    teams.FORMAT: teams.parse,
    webex.FORMAT: webex.parse,
}
FORMATS = ["auto", *PARSERS]

__all__ = [
    "AmbiguousDates",
    "DATE_ORDERS",
    "FORMATS",
    "ParsedReport",
    "RejectedRow",
    "ReportError",
    "ReportRow",
    "detect",
    "normalise_name",
    "parse",
]


def detect(rows: list[list[str]]) -> str:
    if zoom_webinar.looks_like(rows):
        return zoom_webinar.FORMAT
    if teams.looks_like(rows):
        return teams.FORMAT
    if webex.looks_like(rows):
        return webex.FORMAT
    if any(zoom.is_participant_header(row) for row in rows[:40]):
        return zoom.FORMAT
    raise ReportError(
        _(
            "This file does not look like a Zoom, Teams or Webex attendance report. Choose the format if you know it."
        )
    )


def parse(
    data: bytes, format: str = "auto", zone: str = "Asia/Hong_Kong", date_order: str = "auto"
) -> ParsedReport:
    """``date_order`` "auto" decides day/month order from the file's own evidence and refuses a file whose
    dates could be read either way; "DM" (day first) or "MD" (month first) is the organiser's answer."""
    if format not in FORMATS:
        raise ReportError(_("Unknown report format “%(format)s”.") % {"format": format})
    if date_order not in DATE_ORDERS:
        raise ReportError(_("Unknown date order “%(order)s”.") % {"order": date_order})
    text = file_text(data)
    rows = table(text)
    chosen = detect(rows) if format == "auto" else format
    order = date_order
    if order == "auto":
        order, example = file_date_order(text)
        if order == "?":
            raise AmbiguousDates(
                _(
                    "The dates in this file, such as “%(example)s”, could be day first or month first, and "
                    "nothing in the file says which. Choose the date order and import it again."
                )
                % {"example": example}
            )
    token = _ORDER.set(order)
    try:
        report = PARSERS[chosen](rows, zone)
    finally:
        _ORDER.reset(token)
    report.format = chosen
    report.date_order = order
    return report
