"""A release as a PDF (ReportLab, with an embedded CJK TrueType font) and as a Word document."""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from plenary.core.pdf import cjk_font
from plenary.publicity import selectors
from plenary.publicity.models import PressRelease


def _texts(release: PressRelease, language: str) -> tuple[str, list[str], list[tuple[str, str]]]:
    title = release.localised("title", language)
    paragraphs = release.paragraphs(language)
    photos = [
        (photo.web.path if photo.web else photo.image.path, photo.localised("caption", language))
        for photo in selectors.release_photos(release)
    ]
    return title, paragraphs, photos


def _date(release: PressRelease, language: str) -> str:
    if not release.published_at:
        return ""
    day = release.published_at.astimezone(release.programme.tzinfo).date()
    if language.startswith("zh"):
        return f"{day.year}年{day.month}月{day.day}日"
    return day.strftime("%-d %B %Y")


def release_pdf(release: PressRelease, language: str = "en") -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer

    font = cjk_font()
    chinese = language.startswith("zh")
    body = ParagraphStyle(
        "body", fontName=font, fontSize=11, leading=17, spaceAfter=8, wordWrap="CJK" if chinese else None
    )
    heading = ParagraphStyle("title", parent=body, fontSize=16, leading=22, spaceAfter=12)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=13, textColor="#555555")
    title, paragraphs, photos = _texts(release, language)
    output = io.BytesIO()
    document = SimpleDocTemplate(
        output, pagesize=A4, title=title, author="Plenary", leftMargin=20 * mm, rightMargin=20 * mm
    )
    story = [Paragraph(escape(title), heading)]
    published = _date(release, language)
    if published:
        story.append(Paragraph(escape(published), small))
    story.extend(Paragraph(escape(text), body) for text in paragraphs)
    width = A4[0] - 40 * mm
    for path, caption in photos:
        if not Path(path).exists():
            continue
        image = Image(path)
        scale = min(1.0, width / image.imageWidth, (110 * mm) / image.imageHeight)
        image.drawWidth, image.drawHeight = image.imageWidth * scale, image.imageHeight * scale
        story.extend([Spacer(1, 6), image, Paragraph(escape(caption), small)])
    document.build(story)
    return output.getvalue()


def release_docx(release: PressRelease, language: str = "en") -> bytes:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Cm

    title, paragraphs, photos = _texts(release, language)
    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.language = "zh-HK" if language.startswith("zh") else "en-GB"
    style = document.styles["Normal"]
    # Word picks the East Asian font separately; name one that Traditional Chinese readers have.
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "Microsoft JhengHei")
    document.add_heading(title, level=1)
    published = _date(release, language)
    if published:
        document.add_paragraph(published)
    for text in paragraphs:
        document.add_paragraph(text)
    for path, caption in photos:
        if Path(path).exists():
            document.add_picture(path, width=Cm(15))
            document.add_paragraph(caption, style="Caption")
    output = io.BytesIO()
    document.save(output)
    return output.getvalue()
