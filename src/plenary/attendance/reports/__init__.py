"""Meeting-report parsers, one module per format, with automatic detection and an explicit override.

``parse(data, format="auto", zone=...)`` returns a :class:`ParsedReport` of rows (name, email, join,
leave, minutes, registrant reference) and rejected rows with reasons, or raises :class:`ReportError`
when the file as a whole is not a report we can read.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.attendance.reports import teams, webex, zoom, zoom_webinar
from plenary.attendance.reports.common import (
    ParsedReport,
    RejectedRow,
    ReportError,
    ReportRow,
    file_text,
    normalise_name,
    table,
)

PARSERS = {
    zoom.FORMAT: zoom.parse,
    zoom_webinar.FORMAT: zoom_webinar.parse,
    teams.FORMAT: teams.parse,
    webex.FORMAT: webex.parse,
}
FORMATS = ["auto", *PARSERS]

__all__ = [
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


def parse(data: bytes, format: str = "auto", zone: str = "Asia/Hong_Kong") -> ParsedReport:
    if format not in FORMATS:
        raise ReportError(_("Unknown report format “%(format)s”.") % {"format": format})
    rows = table(file_text(data))
    chosen = detect(rows) if format == "auto" else format
    report = PARSERS[chosen](rows, zone)
    report.format = chosen
    return report
