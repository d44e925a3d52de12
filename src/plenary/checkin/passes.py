"""The printable A6 pass: the person's name in both languages and the QR of their pass code."""

from __future__ import annotations

import io

import segno
from reportlab.lib.pagesizes import A6
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from plenary.core.pdf import cjk_font
from plenary.registrations.models import Registration


def draw_qr(pdf: canvas.Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draws the QR matrix as filled squares: sharp at any print size, no image needed."""
    qr = segno.make(data, error="m", micro=False)
    matrix = list(qr.matrix)
    modules = len(matrix) + 8  # four modules of quiet zone on each side
    cell = size / modules
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, size, size, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 4 + 1) * cell
        for column_index, dark in enumerate(row):
            if dark:
                pdf.rect(x + (column_index + 4) * cell, top, cell, cell, stroke=0, fill=1)


def _fit(pdf: canvas.Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 7 and pdf.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def pass_pdf(registration: Registration) -> bytes:
    """An A6 portrait pass for one registration."""
    programme = registration.programme
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = A6
    pdf = canvas.Canvas(buffer, pagesize=A6, pageCompression=1)
    pdf.setTitle(f"Pass {registration.reference}")
    pdf.setAuthor("Plenary")
    margin = 8 * mm
    usable = width - 2 * margin

    pdf.setFillColorRGB(0.043, 0.333, 0.388)
    pdf.rect(0, height - 22 * mm, width, 22 * mm, stroke=0, fill=1)
    pdf.setFillColorRGB(1, 1, 1)
    title_en = programme.title_en
    size = _fit(pdf, title_en, font, 8, usable)
    pdf.setFont(font, size)
    pdf.drawString(margin, height - 9 * mm, title_en[:120])
    if programme.title_zh:
        size = _fit(pdf, programme.title_zh, font, 9, usable)
        pdf.setFont(font, size)
        pdf.drawString(margin, height - 16 * mm, programme.title_zh)

    pdf.setFillColorRGB(0, 0, 0)
    y = height - 34 * mm
    if registration.name_zh:
        size = _fit(pdf, registration.name_zh, font, 24, usable)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, registration.name_zh)
        y -= 9 * mm
    if registration.name_en:
        size = _fit(pdf, registration.name_en, font, 16, usable)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, registration.name_en)
        y -= 7 * mm
    organisation = registration.organisation
    org_line = (
        " ".join(part for part in (organisation.name_en, organisation.name_zh) if part)
        if organisation
        else registration.organisation_name
    )
    if org_line:
        size = _fit(pdf, org_line, font, 8, usable)
        pdf.setFont(font, size)
        pdf.drawCentredString(width / 2, y, org_line)

    qr_size = 52 * mm
    draw_qr(pdf, registration.pass_code, (width - qr_size) / 2, 14 * mm, qr_size)
    pdf.setFont(font, 8)
    pdf.drawCentredString(width / 2, 10 * mm, f"{registration.reference} · 入場證 Pass")
    pdf.setFont(font, 6.5)
    pdf.drawCentredString(width / 2, 6 * mm, "Show this code at the door · 請於入口出示此二維碼")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
