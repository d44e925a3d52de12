"""What every meeting-report parser shares: decoding, tables, headers, times and durations.

Parsers are pure: bytes in, rows out. They never touch the database, so they can be tested with
fixtures alone and reused by the console, the API, the command line and the demo.
"""

from __future__ import annotations

import contextvars
import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext, gettext_noop, override
from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError
from plenary.core.spreadsheets import SpreadsheetRefused, xlsx_rows

MAX_BYTES = 40 * 1024 * 1024
MAX_ROWS = 500_000

# A registrant's reference (registrations.models.new_reference) when someone typed it into their name.
REFERENCE_RE = re.compile(r"\b(R[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8})\b")


class ReportError(DomainError):
    """The file as a whole cannot be read as a meeting report; the message is for the organiser."""

    status = 422


@dataclass
class ReportRow:
    """One line of evidence: somebody was in the meeting from ``joined`` to ``left``."""

    line: int
    name: str
    email: str = ""
    joined: datetime | None = None
    left: datetime | None = None
    minutes: float | None = None
    reference: str = ""
    other_names: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "line": self.line,
            "name": self.name,
            "other_names": self.other_names,
            "email": self.email,
            "joined": self.joined.isoformat() if self.joined else None,
            "left": self.left.isoformat() if self.left else None,
            "minutes": self.minutes,
            "reference": self.reference,
        }


@dataclass
class RejectedRow:
    """A row the parser refused. The reason is kept as its message and values, translated when shown
    (``rejected_reason`` in attendance_labels), so a file imported through the API, a command or a
    pull still reads in Chinese on the Chinese console."""

    line: int
    message: str
    text: str = ""
    params: dict = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return translated_reason(self.message, self.params)

    def as_dict(self) -> dict:
        with override("en"):
            english = translated_reason(self.message, self.params)
        return {
            "line": self.line,
            "reason": english,
            "message": str(self.message),
            "params": self.params,
            "text": self.text[:300],
        }


def translated_reason(message: str, params: dict | None = None) -> str:
    """A rejection reason in the active language (an unknown or older stored text shows as it is)."""
    text = gettext(str(message))
    try:
        return text % params if params else text
    except (KeyError, TypeError, ValueError):
        return str(message)


@dataclass
class ParsedReport:
    format: str
    rows: list[ReportRow] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    skipped: int = 0  # hosts, panelists and no-shows: not evidence, not errors
    meeting: dict = field(default_factory=dict)
    date_order: str = "auto"  # "MD", "DM" or "auto" (no date in the file was ambiguous)

    @property
    def participants(self) -> int:
        return len({row.email.casefold() or normalise_name(row.name) for row in self.rows})


# --- bytes to text -------------------------------------------------------------------------------


def decode(data: bytes) -> str:
    """Text of a CSV/TSV export: UTF-8 (with or without BOM) or UTF-16 (Teams and Webex)."""
    if not data.strip():
        raise ReportError(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise ReportError(_("The file is larger than %(size)s MB.") % {"size": MAX_BYTES // 1024 // 1024})
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif data[:200].count(b"\x00") > 20:
        encoding = "utf-16-le" if data[1:2] == b"\x00" else "utf-16-be"
    else:
        encoding = "utf-8-sig"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ReportError(
            _("The file is not in a text encoding we can read (UTF-8 or UTF-16). Export it again as CSV.")
        ) from error
    sample = text[:4000]
    controls = sum(1 for char in sample if unicodedata.category(char) == "Cc" and char not in "\t\r\n")
    if "\x00" in text or controls > len(sample) // 100:
        raise ReportError(_("The file is not a text file. Upload the CSV export of the meeting report."))
    return text


def xlsx_to_text(data: bytes) -> str:
    """The first sheet of a spreadsheet as tab-separated text, through the shared guard (zip bombs,
    damaged or truncated files)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    try:
        for count, values in enumerate(xlsx_rows(data)):
            if count > MAX_ROWS:
                raise ReportError(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
            writer.writerow(["" if value is None else _cell_text(value) for value in values])
    except SpreadsheetRefused as error:
        raise ReportError(error.message) from error
    return out.getvalue()


def _cell_text(value) -> str:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def file_text(data: bytes) -> str:
    if data.startswith(b"PK\x03\x04"):
        return xlsx_to_text(data)
    return decode(data)


def table(text: str) -> list[list[str]]:
    """Rows of cells; tab-separated when the text is, comma-separated otherwise."""
    head = text[:4000]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise ReportError(_("The file is not a well-formed CSV file.")) from error
    if len(rows) > MAX_ROWS:
        raise ReportError(_("The file has more than %(rows)s rows.") % {"rows": MAX_ROWS})
    return rows  # cells are stripped where they are read (cell()), not all up front


# --- headers -------------------------------------------------------------------------------------


_FORMAT_IN_HEADER = re.compile(r"\(?\b(?:dd|mm)[/.\-](?:mm|dd)[/.\-]y{2,4}\b\)?")


def header_key(cell: str) -> str:
    """A header cell reduced for comparison: full-width forms folded, case and punctuation ignored."""
    cell = unicodedata.normalize("NFKC", cell).casefold()
    if "dd" in cell or "mm" in cell:  # "Join Time (DD/MM/YYYY)": the hint is read by date_order()
        cell = _FORMAT_IN_HEADER.sub("", cell)
    return re.sub(r"[\s()\[\]{}:：#._\-/]+", "", cell)


def find_columns(row: list[str], aliases: dict[str, set[str]]) -> dict[str, int]:
    """Column of each field in a header row; a duplicated header keeps its first column."""
    columns: dict[str, int] = {}
    keys = [header_key(cell) for cell in row]
    for name, options in aliases.items():
        for index, key in enumerate(keys):
            if key in options:
                columns[name] = index
                break
    return columns


def keys(*labels: str) -> set[str]:
    return {header_key(label) for label in labels}


def cell(row: list[str], columns: dict[str, int], name: str) -> str:
    index = columns.get(name)
    if index is None or index >= len(row):
        return ""
    value = row[index].strip()
    return "" if value in ("--", "-") else value


def is_blank(row: list[str]) -> bool:
    return not "".join(row).strip()


# --- names ---------------------------------------------------------------------------------------


_ORIGINAL_NAME = re.compile(r"(.+?)\s*\(([^()]+)\)")


def split_name(value: str) -> tuple[str, list[str]]:
    """``"Katie (Chan Ka Yan)"`` → ``("Katie", ["Chan Ka Yan"])``: Zoom's "Name (Original Name)"."""
    if not value.isascii():
        value = unicodedata.normalize("NFKC", value)
    value = value.strip()
    match = _ORIGINAL_NAME.fullmatch(value) if value.endswith(")") else None
    if match:
        return match.group(1).strip(), [match.group(2).strip()]
    return value, []


_PUNCTUATION = re.compile(r"[^\w\s]|_")


def normalise_name(value: str) -> str:
    """English names: case, spacing, punctuation and the order of parts ignored. Chinese: exact."""
    if value.isascii():
        return " ".join(sorted(_PUNCTUATION.sub(" ", value.lower()).split()))
    value = unicodedata.normalize("NFKC", value).strip()
    if any("\u3400" <= char <= "\u9fff" for char in value):
        return "".join(value.split())
    return " ".join(sorted(_PUNCTUATION.sub(" ", value.casefold()).split()))


def find_reference(*values: str) -> str:
    for value in values:
        if not value or "R" not in value:
            continue
        match = REFERENCE_RE.search(value)
        if match:
            return match.group(1)
    return ""


# --- times ---------------------------------------------------------------------------------------

# Day/month order of numeric dates like 05/11/2030: "MD" (month first), "DM" (day first), or "auto" (month
# first unless the first number cannot be a month). ``parse()`` decides it once per file from the file's own
# evidence (date_order()) and sets it here for the parsers, so every parser reads it without passing it on.
DATE_ORDERS = ("auto", "MD", "DM")
_ORDER: contextvars.ContextVar[str] = contextvars.ContextVar("plenary_report_date_order", default="auto")

_TIME_RE = re.compile(
    r"^(?P<a>\d{1,4})[/.\-](?P<b>\d{1,2})[/.\-](?P<c>\d{1,4})[,\sT]*"
    r"(?P<ampm1>AM|PM)?\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm2>AM|PM)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE,
)
# "Nov 26, 2030 14:31:00", "November 26 2030 2:31 PM", "26 Nov 2030 14:31", "Thu, Nov 26, 2030 ...".
_NAMED_RE = re.compile(
    r"^(?:[A-Za-z]{3,9}\.?,?\s+(?=[A-Za-z]{3}|\d{1,2}\s+[A-Za-z]))?"
    r"(?:(?P<mon1>[A-Za-z]{3,9})\.?\s+(?P<d1>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y1>\d{4})"
    r"|(?P<d2>\d{1,2})\s+(?P<mon2>[A-Za-z]{3,9})\.?,?\s+(?P<y2>\d{4}))"
    r"[,\sT]*(?P<ampm1>AM|PM)?\s*(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:\.\d+)?)?\s*(?P<ampm2>AM|PM)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|UTC|GMT)?$",
    re.IGNORECASE,
)
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
_LOCAL_WORDS = [
    ("上午", " AM "),
    ("下午", " PM "),
    ("凌晨", " AM "),
    ("早上", " AM "),
    ("中午", " PM "),
    ("晚上", " PM "),
    ("午前", " AM "),
    ("午後", " PM "),
    ("年", "/"),
    ("月", "/"),
    ("日", " "),
    ("號", " "),
    ("a.m.", "AM"),
    ("p.m.", "PM"),
]
_CHINESE_WEEKDAY = re.compile(r"[（(]?(?:星期|週|周|礼拜|禮拜)[一二三四五六日天][)）]?")


def parse_time(text: str, zone: str, order: str | None = None) -> datetime | None:
    """A report's wall-clock time read in ``zone`` (unless it names its own), as UTC; None if unreadable.

    Numeric dates follow ``order`` (default: the file's order set by ``parse()``; "auto" reads month first
    unless the first number cannot be a month); two-digit years are 20xx; 上午/下午 and month names read.
    """
    return _parse_time(text, zone, order or _ORDER.get())


@lru_cache(maxsize=65536)
def _parse_time(text: str, zone: str, order: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
        text = _CHINESE_WEEKDAY.sub(" ", text)
        for word, replacement in _LOCAL_WORDS:
            if word in text:
                text = text.replace(word, replacement)
    elif "." in text and ("a.m." in text.lower() or "p.m." in text.lower()):
        text = re.sub(r"(?i)a\.m\.", "AM", re.sub(r"(?i)p\.m\.", "PM", text))
    text = re.sub(r"\s+", " ", text).strip()
    match = _TIME_RE.match(text)
    if match:
        a, b, c = int(match["a"]), int(match["b"]), int(match["c"])
        if len(match["a"]) == 4:
            year, month, day = a, b, c
        else:
            year = c + 2000 if c < 100 else c
            if order == "DM":
                day, month = a, b
            elif order == "MD":
                month, day = a, b
            else:
                month, day = (a, b) if a <= 12 else (b, a)
    else:
        match = _NAMED_RE.match(text)
        if not match:
            return None
        month = MONTHS.get((match["mon1"] or match["mon2"]).casefold())
        if month is None:
            return None
        day, year = int(match["d1"] or match["d2"]), int(match["y1"] or match["y2"])
    hour, minute, second = int(match["h"]), int(match["m"]), int(match["s"] or 0)
    ampm = (match["ampm1"] or match["ampm2"] or "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    try:
        naive = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - wall clock, zoned below
    except ValueError:
        return None
    zone_text = (match["zone"] or "").upper()
    if zone_text in ("Z", "UTC", "GMT"):
        return naive.replace(tzinfo=UTC)
    if zone_text:
        sign = 1 if zone_text[0] == "+" else -1
        digits = zone_text[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return (naive - sign * offset).replace(tzinfo=UTC)
    return naive.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


# A numeric date with the year last (the year-first forms are never ambiguous).
# Only dates followed by a time count, so that a version number like 5.16.10 is not taken for a date.
_NUMERIC_DATE = re.compile(
    r"(?<![\d/.\-])(\d{1,2})([/.\-])(\d{1,2})\2(\d{4}|\d{2})(?![\d/.\-])"
    r"(?=[,\sT]*(?:\d{1,2}:\d{2}|[AaPp][Mm]|上午|下午))"
)
_ORDER_HINT = re.compile(r"\b(dd|mm)[/.\-](mm|dd)[/.\-](yyyy|yy)\b", re.IGNORECASE)


def date_order(text: str) -> tuple[str, str]:
    """The day/month order of a report's numeric dates, from its own evidence, and an example date.

    Evidence: a header that names the format ("DD/MM/YYYY"), or the first date whose first number is over
    12 (day first) or whose second is (month first); a later date that contradicts it is a rejected row.
    Returns ("auto", "") when no date is ambiguous, and ("?", example) when some are and nothing in the
    file says which order it uses.
    """
    hint = _ORDER_HINT.search(text, 0, 20_000)
    if hint:
        return ("DM" if hint[1].lower() == "dd" else "MD"), ""
    ambiguous = ""
    for match in _NUMERIC_DATE.finditer(text):
        a, b = int(match[1]), int(match[3])
        if a > 12 and b <= 12:
            return "DM", ""
        if b > 12 and a <= 12:
            return "MD", ""
        if a != b and not ambiguous and 1 <= a <= 12 and 1 <= b <= 12:
            ambiguous = match[0]
    return ("?", ambiguous) if ambiguous else ("auto", "")


_DURATION_PART = re.compile(
    r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|小時|小时|時間|mins?|minutes?|m|分鐘|分钟|分|secs?|seconds?|s|秒)",
    re.IGNORECASE,
)


def parse_minutes(text: str) -> float | None:
    """Minutes from ``"122"``, ``"1h 27m 51s"``, ``"1 小時 27 分鐘"``, ``"01:27:51"`` or ``"87 mins"``."""
    if text.isdigit():
        return float(text)
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    clock = re.fullmatch(r"(\d+):(\d{2})(?::(\d{2}))?", text)
    if clock:
        hours, minutes, seconds = int(clock[1]), int(clock[2]), int(clock[3] or 0)
        if clock[3] is None:  # mm:ss is rarer than hh:mm in these exports
            return hours * 60 + minutes
        return hours * 60 + minutes + seconds / 60
    total, found = 0.0, False
    for number, unit in _DURATION_PART.findall(text):
        found = True
        unit = unit.casefold()
        value = float(number)
        if unit.startswith("h") or unit in ("小時", "小时", "時間"):
            total += value * 60
        elif unit.startswith("s") or unit == "秒":
            total += value / 60
        else:
            total += value
    return round(total, 4) if found else None


def interval_row(
    line: int,
    *,
    name: str,
    email: str,
    joined_text: str,
    left_text: str,
    minutes_text: str,
    zone: str,
    reference: str = "",
    raw: list[str],
) -> ReportRow | RejectedRow:
    """A row with a join and leave time (or a join time and a duration), checked."""
    display, others = split_name(name)
    if not display and not email:
        return RejectedRow(line, gettext_noop("No name or email."), "\t".join(raw))
    joined = parse_time(joined_text, zone) if joined_text else None
    left = parse_time(left_text, zone) if left_text else None
    minutes = parse_minutes(minutes_text) if minutes_text else None
    if joined_text and joined is None:
        return RejectedRow(
            line,
            gettext_noop("The join time “%(value)s” is not a date and time."),
            "\t".join(raw),
            {"value": joined_text},
        )
    if left_text and left is None:
        return RejectedRow(
            line,
            gettext_noop("The leave time “%(value)s” is not a date and time."),
            "\t".join(raw),
            {"value": left_text},
        )
    if minutes_text and minutes is None:
        return RejectedRow(
            line,
            gettext_noop("The duration “%(value)s” is not a duration."),
            "\t".join(raw),
            {"value": minutes_text},
        )
    if joined is None:
        return RejectedRow(line, gettext_noop("No join time."), "\t".join(raw))
    if left is None and minutes is not None:
        left = joined + timedelta(seconds=round(minutes * 60))
    if left is None:
        return RejectedRow(line, gettext_noop("No leave time or duration."), "\t".join(raw))
    if left < joined:
        return RejectedRow(line, gettext_noop("The leave time is before the join time."), "\t".join(raw))
    if email and "@" not in email:
        email = ""
    return ReportRow(
        line=line,
        name=display or email,
        other_names=others,
        email=email,
        joined=joined,
        left=left,
        minutes=minutes,
        reference=reference or find_reference(name, email),
    )
