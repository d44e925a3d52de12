"""The certificate PDF: its text (pypdf and poppler), its embedded font, and Chinese glyphs that really draw."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from plenary.certificates import pdf, services
from plenary.certificates.models import Certificate

from .conftest import attend_all, person


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def certificate(reference_programme, sessions):
    someone = person(reference_programme, 1, name_en="Wong Siu Ling", name_zh="黃小玲")
    attend_all(someone, sessions)
    services.issue_certificates(reference_programme)
    return Certificate.objects.get()


def test_certificate_text_has_both_names_title_hours_and_serial(certificate, reference_programme):
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    assert len(reader.pages) == 1
    page = reader.pages[0]
    assert [round(float(v)) for v in page.mediabox[2:]] == [595, 842]  # A4
    text = page.extract_text()
    assert "Wong Siu Ling" in text
    assert "黃小玲" in text
    assert squash(reference_programme.title_en) in squash(text)
    assert squash(reference_programme.title_zh) in squash(text)
    assert "12.5" in text and "6 / 6" in text
    assert certificate.serial in text
    assert f"/verify/{certificate.serial}/" in text
    assert "Labour and Welfare Bureau" in text and "勞工及福利局" in text


def test_the_font_is_embedded_as_a_subset(certificate):
    with certificate.pdf.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    descriptors = (
        [font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"] for font in fonts.values()]
        if any("/DescendantFonts" in font.get_object() for font in fonts.values())
        else [font.get_object()["/FontDescriptor"] for font in fonts.values()]
    )
    assert descriptors
    for descriptor in descriptors:
        descriptor = descriptor.get_object()
        assert "/FontFile2" in descriptor  # TrueType program embedded
        # A subset's name carries a six-letter tag: ABCDEF+Name.
        assert re.match(r"^/[A-Z]{6}\+", str(descriptor["/FontName"]))
        # Subset, not the whole 5 MB font.
        assert len(descriptor["/FontFile2"].get_object().get_data()) < 200_000


def _render_png(content: bytes, tmp_path, name: str) -> Image.Image:
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "40",
            "-gray",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(source),
            str(tmp_path / name),
        ],
        check=True,
        timeout=60,
    )
    return Image.open(tmp_path / f"{name}.png").convert("L")


def _dark(image: Image.Image) -> int:
    return sum(image.histogram()[:128])


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils (pdftoppm) is not installed")
def test_chinese_names_render_as_glyphs_not_empty_boxes(tmp_path):
    # Kept as a rendering: text extraction reads the font's Unicode map, so a name drawn as empty
    # .notdef boxes would still read back as 黃小玲. Only the drawn shapes can tell.
    name = _render_png(pdf.render_text_sample("黃小玲"), tmp_path, "name")
    other = _render_png(pdf.render_text_sample("陳大文"), tmp_path, "other")
    # Characters the font does not have are drawn as its .notdef glyph: what "empty boxes" look like.
    missing = _render_png(pdf.render_text_sample("\ue000\ue001\ue002"), tmp_path, "missing")

    assert _dark(name) > 1500  # real strokes, not a blank page
    assert _dark(missing) < _dark(name) / 4  # the font's .notdef is (nearly) empty: not what we drew
    difference = ImageChops.difference(name, other)
    assert _dark(ImageChops.invert(difference)) > 500  # different names draw different shapes
    assert _dark(ImageChops.invert(ImageChops.difference(name, missing))) > 500
    assert _dark(ImageChops.invert(ImageChops.difference(other, missing))) > 500


def pdftotext(content: bytes, tmp_path, name: str) -> list[str]:
    """The page's lines as poppler lays them out (what a reader copies), blank lines dropped."""
    source = tmp_path / f"{name}.pdf"
    source.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(source), "-"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return [line.strip() for line in result.stdout.decode().splitlines() if line.strip()]


def line_with(lines: list[str], *parts: str) -> int:
    """The index of the one line holding every part in order (spaces do not matter)."""
    pattern = re.compile(r".*?".join(re.escape(squash(part)) for part in parts))
    found = [index for index, line in enumerate(lines) if pattern.search(squash(line))]
    assert len(found) == 1, f"{parts!r} on lines {found} of:\n" + "\n".join(lines)
    return found[0]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_certificate_reads_back_line_by_line_with_poppler(certificate, reference_programme, tmp_path):
    with certificate.pdf.open("rb") as handle:
        lines = pdftotext(handle.read(), tmp_path, "certificate")
    # Each name stands alone on its line, English above Chinese, both above the programme's title.
    english = lines.index("Wong Siu Ling")
    chinese = lines.index("黃小玲")
    title_zh = line_with(lines, reference_programme.title_zh[:12])
    assert english < chinese < title_zh
    # Label and value on one line: the hours, the sessions, the serial.
    line_with(lines, "CPD hours 持續專業發展時數", "12.5")
    line_with(lines, "Sessions attended 出席節數", "6 / 6")
    line_with(lines, "Serial 編號:", certificate.serial)
    # The Chinese line of the statement, filled in with the sessions, the dates and the hours.
    line_with(
        lines, "出席以上課程 6 節中的 6 節（2022年11月20日至12月3日）", "獲發持續專業發展時數 12.5 小時"
    )
    line_with(lines, "出席證書")
    line_with(lines, "勞工及福利局 ·")
    assert not any("\ufffd" in line or "{" in line for line in lines)  # no unmapped glyph, no unfilled field


def test_signatures_and_logos_are_drawn(reference_programme, sessions, tmp_path):
    from django.core.files.base import ContentFile

    from plenary.certificates.models import CertificateRule, OrganiserLogo, Signatory

    def png(colour) -> ContentFile:
        buffer = io.BytesIO()
        Image.new("RGB", (240, 80), colour).save(buffer, "PNG")
        return ContentFile(buffer.getvalue(), name="image.png")

    rule = CertificateRule.objects.create(programme=reference_programme)
    for order in range(4):
        signatory = Signatory(
            rule=rule, order=order, name_en=f"Signer {order}", name_zh="簽署人", post_en="Post"
        )
        signatory.signature.save("signature.png", png("navy"))
    OrganiserLogo(rule=rule, description="LWB").image.save("logo.png", png("teal"))
    someone = person(reference_programme, 1)
    attend_all(someone, sessions)
    services.issue_certificates(reference_programme)
    with Certificate.objects.get().pdf.open("rb") as handle:
        page = PdfReader(io.BytesIO(handle.read())).pages[0]
    assert len(page["/Resources"]["/XObject"]) == 2  # one logo, one signature image shared by four
    text = page.extract_text()
    assert all(f"Signer {order}" in text for order in range(4))


def latin_words(line: str, *allowed: str) -> list[str]:
    """English words left on a line once the allowed texts (serial, verify link) are taken out."""
    for text in allowed:
        line = line.replace(text, " ")
    return re.findall(r"[A-Za-z]+", line)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_a_holder_who_reads_chinese_gets_a_wholly_chinese_certificate(
    reference_programme, sessions, tmp_path
):
    from django.conf import settings

    from plenary.certificates.models import Signatory

    rule = services.ensure_rule(reference_programme)
    Signatory.objects.create(
        rule=rule, name_en="Chris Sun", name_zh="孫玉菡先生", post_en="Secretary", post_zh="勞工及福利局局長"
    )
    someone = person(reference_programme, 1, name_en="Wong Siu Ling", name_zh="黃小玲", language="zh-hant")
    attend_all(someone, sessions)
    services.issue_certificates(reference_programme)
    certificate = Certificate.objects.get()
    with certificate.pdf.open("rb") as handle:
        lines = pdftotext(handle.read(), tmp_path, "chinese")
    link = f"{settings.BASE_URL.rstrip('/')}/verify/{certificate.serial}/"
    # Latin letters only in the serial and the verify link: no English word anywhere.
    english = {line: words for line in lines if (words := latin_words(line, link, certificate.serial))}
    assert english == {}, "\n".join(lines)
    assert "Wong Siu Ling" not in "\n".join(lines)
    line_with(lines, "黃小玲")
    line_with(lines, reference_programme.title_zh[:12])
    line_with(lines, "持續專業發展時數", "12.5（結構性）")
    line_with(lines, "出席節數", "6 / 6")
    line_with(lines, "獲發持續專業發展時數 12.5 小時")
    assert "獲發持續專業發展時數12.5小時（結構性）。" in squash("".join(lines))  # the Chinese category
    assert not any(line.startswith(("）", "。", "，")) for line in lines)  # no line opens with a closing mark
    line_with(lines, "編號：", certificate.serial)
    line_with(lines, "發出日期：", "年")
    line_with(lines, "第1講")  # the sessions attended, by their Chinese titles
    line_with(lines, "孫玉菡先生")
    assert not any("\ufffd" in line or "{" in line for line in lines)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_bilingual_certificates_chinese_statement_has_no_english(certificate, tmp_path):
    with certificate.pdf.open("rb") as handle:
        lines = pdftotext(handle.read(), tmp_path, "bilingual")
    start = line_with(lines, "出席以上課程")
    statement = "".join(lines[start : start + 2])  # the statement, wrapped on one or two lines
    assert "（結構性）。" in statement
    assert latin_words(statement.split("。")[0]) == [], statement
    line_with(lines, "12.5 CPD hours (Structured).")  # the English statement keeps the English category


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed")
def test_the_chinese_console_previews_the_chinese_certificate(
    reference_programme, organiser, client, tmp_path
):
    client.force_login(organiser)
    response = client.get(f"/zh-hant/manage/p/{reference_programme.slug}/certificates/preview.pdf")
    assert response.status_code == 200
    lines = pdftotext(response.content, tmp_path, "preview")
    line_with(lines, "陳大文（示例）")
    assert not any("Certificate of Attendance" in line or "CPD hours" in line for line in lines)
    from django.utils import translation

    translation.activate("en")
