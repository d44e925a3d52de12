"""The printable run-down: one A4 page (or more) per session, in English or Traditional Chinese."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from plenary.core.pdf import cjk_font
from plenary.programmes import selectors
from plenary.programmes.models import Session


def rundown_pdf(session: Session, language: str) -> bytes:
    """The session's run-down as PDF bytes, with every text in ``language`` ("en" or "zh-hant")."""
    font = cjk_font()
    title_style = ParagraphStyle("title", fontName=font, fontSize=16, leading=21, spaceAfter=4)
    meta_style = ParagraphStyle("meta", fontName=font, fontSize=10, leading=14, textColor=colors.grey)
    cell = ParagraphStyle("cell", fontName=font, fontSize=10, leading=13)
    head = ParagraphStyle("head", parent=cell, textColor=colors.white)
    warn = ParagraphStyle("warn", parent=cell, textColor=colors.HexColor("#8a1c1c"))

    def para(text: str, style=cell) -> Paragraph:
        return Paragraph(escape(text), style)

    buffer = io.BytesIO()
    with translation.override(language), timezone.override(session.programme.tzinfo):
        slots = selectors.rundown(session)
        overrun = selectors.rundown_overrun_minutes(session, slots)
        local = timezone.localtime
        story = [
            para(session.programme.title, meta_style),
            para(_("Run-down: %(title)s") % {"title": session.title}, title_style),
            para(
                f"{local(session.starts_at):%Y-%m-%d %H:%M}–{local(session.ends_at):%H:%M}"
                + (f" · {session.venue.name}" if session.venue else ""),
                meta_style,
            ),
            Spacer(1, 6 * mm),
        ]
        rows = [
            [para(_("Time"), head), para(_("Item"), head), para(_("Speaker"), head), para(_("Minutes"), head)]
        ]
        for slot in slots:
            item = slot["item"]
            speaker = ""
            if item.speaker:
                speaker = item.speaker.display_name
                if item.speaker.post:
                    speaker += f", {item.speaker.post}"
            rows.append(
                [
                    para(f"{local(slot['starts_at']):%H:%M}–{local(slot['ends_at']):%H:%M}"),
                    para(f"{item.title} ({item.get_kind_display()})"),
                    para(speaker),
                    para(str(item.duration_minutes)),
                ]
            )
        table = Table(rows, colWidths=[28 * mm, 72 * mm, 62 * mm, 18 * mm], repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#0b5563")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#c8d0d4")),
                    ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f7")]),
                ]
            )
        )
        story.append(table)
        if overrun:
            story += [
                Spacer(1, 4 * mm),
                para(
                    ngettext(
                        "Warning: the run-down overruns the session by %(minutes)s minute.",
                        "Warning: the run-down overruns the session by %(minutes)s minutes.",
                        overrun,
                    )
                    % {"minutes": overrun},
                    warn,
                ),
            ]
        doc = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            title=_("Run-down: %(title)s") % {"title": session.title},
            leftMargin=15 * mm,
            rightMargin=15 * mm,
            topMargin=15 * mm,
            bottomMargin=15 * mm,
        )
        doc.build(story)
    return buffer.getvalue()
