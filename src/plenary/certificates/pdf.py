"""The certificate PDF (A4), drawn with ReportLab.

Chosen by measurement (see the README's benchmark figures): WeasyPrint with a full CJK font takes
seconds per certificate because it subsets the whole font every time; ReportLab with its C
accelerator, the font parsed once per process and the QR code drawn as a single path renders dozens
per second. One TrueType font covers English and Chinese; ReportLab embeds a subset of it in every
PDF, so Chinese names show in any viewer.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from plenary.certificates import qr
from plenary.core.pdf import CJK_FONT, cjk_font

FONT = CJK_FONT
INK = Color(0.11, 0.13, 0.2)
MUTED = Color(0.35, 0.37, 0.42)
ACCENT = Color(0.05, 0.33, 0.55)


@dataclass
class Signature:
    name_en: str
    name_zh: str = ""
    post_en: str = ""
    post_zh: str = ""
    image_path: str = ""


@dataclass
class Layout:
    """What every certificate of one programme shares: texts, organisers, signatories, logos."""

    programme_en: str
    programme_zh: str = ""
    dates_en: str = ""
    dates_zh: str = ""
    heading_en: str = "Certificate of Attendance"
    heading_zh: str = ""
    intro_en: str = ""
    intro_zh: str = ""
    statement_en: str = ""
    statement_zh: str = ""
    footer_en: str = ""
    footer_zh: str = ""
    category: str = ""
    category_zh: str = ""
    # For a holder who reads Chinese (zh-Hant) the certificate is wholly Chinese: Chinese texts only,
    # with the English ones standing in only where no Chinese is given (a body or a name without one).
    chinese: bool = False
    organisers: list[tuple[str, str]] = field(default_factory=list)
    signatories: list[Signature] = field(default_factory=list)
    logo_paths: list[str] = field(default_factory=list)
    verify_base: str = "http://127.0.0.1:8000"


@dataclass
class Holder:
    """What differs per certificate."""

    serial: str
    name_en: str
    name_zh: str
    hours: str
    sessions_attended: int
    sessions_total: int
    session_titles: list[str] = field(default_factory=list)
    issued_on: str = ""
    statement: str = ""  # signed statement for offline checks (signing.py), in the QR code's URL fragment


@lru_cache(maxsize=64)
def _image(path: str) -> ImageReader | None:
    try:
        return ImageReader(path)
    except Exception:  # an unreadable upload leaves a blank, never a failed batch
        return None


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


NO_LINE_START = frozenset("，。、；：！？）」』》〉】,.;:!?)")


def wrap(text: str, size: float, width: float) -> list[str]:
    """Lines no wider than ``width``: English breaks at spaces, Chinese between any two characters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        tokens: list[str] = []
        word = ""
        for char in paragraph:
            if char in NO_LINE_START and (word or tokens):
                # Closing punctuation stays with what it closes: no line starts with "）。".
                if word:
                    word += char
                else:
                    tokens[-1] += char
            elif _is_wide(char):
                if word:
                    tokens.append(word)
                    word = ""
                tokens.append(char)
            elif char == " ":
                tokens.append(word + " ")
                word = ""
            else:
                word += char
        if word:
            tokens.append(word)
        line = ""
        for token in tokens:
            candidate = line + token
            if line and pdfmetrics.stringWidth(candidate.rstrip(), FONT, size) > width:
                lines.append(line.rstrip())
                line = token.lstrip()
            else:
                line = candidate
        lines.append(line.rstrip())
    return lines


def _fit(text: str, size: float, width: float, smallest: float = 9) -> float:
    """The largest size up to ``size`` at which ``text`` fits on one line."""
    while size > smallest and pdfmetrics.stringWidth(text, FONT, size) > width:
        size -= 1
    return size


def qr_segments(data: str) -> str | list[tuple[str, str]]:
    """A link whose fragment is a version-2 statement (digits) as two segments: the link in byte mode and
    the digits in numeric mode (3.3 bits a digit instead of 8); anything else as it is."""
    link, hash_mark, fragment = data.partition("#")
    if hash_mark and fragment.isdigit() and fragment.isascii():
        return [(link + hash_mark, "byte"), (fragment, "numeric")]
    return data


DARK_RUNS = re.compile("1+")


def _qr_path(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """The QR code as one filled path of horizontal runs, written in module units (small integers)."""
    # Encoded by ``certificates/qr.py``: segno's symbol (level M, a fixed mask: choosing the "best" of
    # eight was half the cost of a certificate) with the per-version work done once.
    matrix = qr.rows(qr_segments(data))
    count = len(matrix) + 8  # four modules of quiet zone on each side
    module = size / count
    operators = [
        f"{run.start()} {row_index} {run.end() - run.start()} 1 re"
        for row_index, row in enumerate(matrix)
        for run in DARK_RUNS.finditer(row)
    ]
    canvas.saveState()
    canvas.setFillColor(INK)
    # One module per unit, rows downwards from the top-left module: integers instead of a float per corner
    # (ReportLab's float formatting was most of the cost of a long, signed QR code).
    canvas.transform(module, 0, 0, -module, x + 4 * module, y + size - 4 * module)
    canvas._code.append(" ".join(operators) + " f")  # noqa: SLF001 - raw path operators, as drawPath writes
    canvas.restoreState()


def _centred(canvas: Canvas, text: str, y: float, size: float, color=INK) -> None:
    canvas.setFont(FONT, size)
    canvas.setFillColor(color)
    canvas.drawCentredString(A4[0] / 2, y, text)


CHINESE_LABELS = {
    "dates": "日期",
    "sessions": "出席節數",
    "hours": "持續專業發展時數",
    "serial": "編號：",
    "issued": "發出日期：",
    "verify": "核實：",
}
BILINGUAL_LABELS = {
    "dates": "Dates 日期",
    "sessions": "Sessions attended 出席節數",
    "hours": "CPD hours 持續專業發展時數",
    "serial": "Serial 編號: ",
    "issued": "Issued 發出日期: ",
    "verify": "Verify 核實:",
}


def _either(chinese: str, english: str) -> str:
    return chinese or english


def draw(canvas: Canvas, layout: Layout, holder: Holder) -> None:
    if layout.chinese:
        # One text per place, in Chinese: draw() below then prints nothing twice.
        layout = Layout(
            programme_en=_either(layout.programme_zh, layout.programme_en),
            dates_en=_either(layout.dates_zh, layout.dates_en),
            heading_en=_either(layout.heading_zh, layout.heading_en),
            intro_en=_either(layout.intro_zh, layout.intro_en),
            statement_en=layout.statement_zh,
            footer_en=layout.footer_zh,
            category=layout.category_zh,
            category_zh=layout.category_zh,
            organisers=[(_either(zh, en), "") for en, zh in layout.organisers],
            signatories=[
                Signature(_either(s.name_zh, s.name_en), "", _either(s.post_zh, s.post_en), "", s.image_path)
                for s in layout.signatories
            ],
            logo_paths=layout.logo_paths,
            verify_base=layout.verify_base,
            chinese=True,
        )
        holder = Holder(
            serial=holder.serial,
            name_en=_either(holder.name_zh, holder.name_en),
            name_zh="",
            hours=holder.hours,
            sessions_attended=holder.sessions_attended,
            sessions_total=holder.sessions_total,
            session_titles=holder.session_titles,
            issued_on=holder.issued_on,
            statement=holder.statement,
        )
    labels = CHINESE_LABELS if layout.chinese else BILINGUAL_LABELS
    width, height = A4
    margin = 56
    inner = width - 2 * margin
    canvas.setStrokeColor(ACCENT)
    canvas.setLineWidth(2)
    canvas.rect(28, 28, width - 56, height - 56)
    canvas.setLineWidth(0.5)
    canvas.rect(34, 34, width - 68, height - 68)

    y = height - 70
    logos = [reader for reader in (_image(path) for path in layout.logo_paths) if reader]
    if logos:
        slot = inner / len(logos)
        for index, reader in enumerate(logos):
            image_width, image_height = reader.getSize()
            scale = min(48 / image_height, (slot - 12) / image_width)
            drawn = image_width * scale
            canvas.drawImage(
                reader,
                margin + index * slot + (slot - drawn) / 2,
                y - 48,
                drawn,
                image_height * scale,
                mask="auto",
            )
        y -= 64
    if layout.organisers:
        names_en = " · ".join(en for en, _zh in layout.organisers if en)
        names_zh = " · ".join(zh for _en, zh in layout.organisers if zh)
        for line in wrap(names_en, 8.5, inner):
            _centred(canvas, line, y, 8.5, MUTED)
            y -= 11
        for line in wrap(names_zh, 8.5, inner) if names_zh else []:
            _centred(canvas, line, y, 8.5, MUTED)
            y -= 11
        y -= 14

    _centred(canvas, layout.heading_en, y - 20, _fit(layout.heading_en, 26, inner), ACCENT)
    y -= 30
    if layout.heading_zh:
        _centred(canvas, layout.heading_zh, y - 22, 22, ACCENT)
        y -= 30
    y -= 30
    intro = "  ".join(part for part in (layout.intro_en, layout.intro_zh) if part)
    if intro:
        _centred(canvas, intro, y, 11, MUTED)
        y -= 40
    if holder.name_en:
        size = _fit(holder.name_en, 24, inner)
        _centred(canvas, holder.name_en, y, size)
        y -= size + 10
    if holder.name_zh:
        size = _fit(holder.name_zh, 26, inner)
        _centred(canvas, holder.name_zh, y, size)
        y -= size + 10
    y -= 16
    for line in wrap(layout.programme_en, 13, inner):
        _centred(canvas, line, y, 13)
        y -= 17
    for line in wrap(layout.programme_zh, 13, inner):
        _centred(canvas, line, y, 13)
        y -= 17
    y -= 10
    values = {
        "sessions_attended": holder.sessions_attended,
        "sessions_total": holder.sessions_total,
        "hours": holder.hours,
        "category": layout.category,
        "dates": layout.dates_en,
        "dates_zh": layout.dates_zh or layout.dates_en,
        "programme_en": layout.programme_en,
        "programme_zh": layout.programme_zh or layout.programme_en,
    }
    for statement, category in (
        (layout.statement_en, layout.category),
        (layout.statement_zh, layout.category_zh),
    ):
        if not statement:
            continue
        for line in wrap(fill(statement, {**values, "category": category}), 10.5, inner):
            _centred(canvas, line, y, 10.5)
            y -= 15
        y -= 6

    category = (
        (f"（{layout.category}）" if layout.chinese else f" ({layout.category})") if layout.category else ""
    )
    facts = [
        (labels["dates"], layout.dates_en),
        *([("", layout.dates_zh)] if layout.dates_zh else []),
        (labels["sessions"], f"{holder.sessions_attended} / {holder.sessions_total}"),
        (labels["hours"], holder.hours + category),
    ]
    y -= 6
    for label, value in facts:
        canvas.setFont(FONT, 9.5)
        canvas.setFillColor(MUTED)
        canvas.drawRightString(width / 2 - 8, y, label)
        canvas.setFillColor(INK)
        canvas.drawString(width / 2 + 8, y, value)
        y -= 14
    if holder.session_titles:
        y -= 4
        for line in wrap(" · ".join(holder.session_titles), 7.5, inner)[:4]:
            _centred(canvas, line, y, 7.5, MUTED)
            y -= 10

    signatories = layout.signatories[:4]
    if signatories:
        slot = inner / len(signatories)
        base = 190
        for index, person in enumerate(signatories):
            centre = margin + index * slot + slot / 2
            reader = _image(person.image_path) if person.image_path else None
            if reader:
                image_width, image_height = reader.getSize()
                scale = min(36 / image_height, (slot - 20) / image_width)
                canvas.drawImage(
                    reader,
                    centre - image_width * scale / 2,
                    base + 4,
                    image_width * scale,
                    image_height * scale,
                    mask="auto",
                )
            canvas.setStrokeColor(MUTED)
            canvas.line(centre - slot / 2 + 10, base, centre + slot / 2 - 10, base)
            line_y = base - 12
            for text, size in (
                (person.name_en, 9),
                (person.name_zh, 9),
                (person.post_en, 7.5),
                (person.post_zh, 7.5),
            ):
                if not text:
                    continue
                for line in wrap(text, size, slot - 8)[:2]:
                    canvas.setFont(FONT, size)
                    canvas.setFillColor(INK if size == 9 else MUTED)
                    canvas.drawCentredString(centre, line_y, line)
                    line_y -= size + 2.5

    verify_url = f"{layout.verify_base.rstrip('/')}/verify/{holder.serial}/"
    qr_data = f"{verify_url}#{holder.statement}" if holder.statement else verify_url
    _qr_path(canvas, qr_data, width - margin - 76, 44, 76)
    canvas.setFillColor(INK)
    canvas.setFont(FONT, 10)
    canvas.drawString(margin, 96, f"{labels['serial']}{holder.serial}")
    canvas.setFont(FONT, 8)
    canvas.setFillColor(MUTED)
    if holder.issued_on:
        canvas.drawString(margin, 82, f"{labels['issued']}{holder.issued_on}")
    canvas.drawString(margin, 68, labels["verify"])
    canvas.drawString(margin, 57, verify_url)
    footer = "  ".join(part for part in (layout.footer_en, layout.footer_zh) if part)
    if footer:
        for index, line in enumerate(wrap(footer, 7, inner - 90)[:2]):
            canvas.drawString(margin, 44 - index * 9 + 0, line)


ALLOWED_PLACEHOLDERS = frozenset(
    {
        "sessions_attended",
        "sessions_total",
        "hours",
        "category",
        "dates",
        "dates_zh",
        "programme_en",
        "programme_zh",
    }
)


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def fill(template: str, values: dict) -> str:
    """Fills ``{placeholder}``s; the form only lets known names through, anything else prints as is."""
    try:
        text = template.format_map(_Blank(values))
    except (ValueError, IndexError, KeyError, AttributeError):
        return template
    if not values.get("category"):
        text = re.sub(r"\s*(?:\(\s*\)|（\s*）)", "", text)  # no category: no empty brackets
    if str(values.get("hours", "")) == "1":
        text = re.sub(r"(?<![\d.])1 CPD hours\b", "1 CPD hour", text)  # "1 CPD hour", not "1 CPD hours"
    return text


def render(layout: Layout, holder: Holder) -> bytes:
    """One certificate as PDF bytes."""
    cjk_font()  # parsed once per process: the costly part, shared by every certificate of a batch
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, initialFontName=FONT)
    if layout.chinese:
        canvas.setTitle(f"{layout.heading_zh or layout.heading_en} {holder.serial}")
        canvas.setSubject(layout.programme_zh or layout.programme_en)
    else:
        canvas.setTitle(f"{layout.heading_en} {holder.serial}")
        canvas.setSubject(layout.programme_en)
    canvas.setAuthor("Plenary")
    draw(canvas, layout, holder)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_text_sample(text: str, size: float = 96) -> bytes:
    """A page with only ``text`` in the certificate font, large: tests check that glyphs really draw."""
    cjk_font()  # parsed once per process: the costly part, shared by every certificate of a batch
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, initialFontName=FONT)
    _centred(canvas, text, A4[1] / 2, size)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
