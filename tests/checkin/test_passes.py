"""The printable A6 pass at /me/<token>/pass.pdf: both names and a QR that scans to the pass code."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from pypdf import PdfReader

from plenary.registrations.models import new_pass_code, new_token

pytestmark = pytest.mark.django_db


def test_a_confirmed_registration_has_an_a6_pass_with_both_names(person):
    someone = person("Cheung Mei Kuen", "張美娟")
    response = Client().get(f"/me/{someone.token}/pass.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (298, 420)  # A6 in points
    text = reader.pages[0].extract_text()
    assert "Cheung Mei Kuen" in text
    assert "張美娟" in text
    assert someone.reference in text


def test_the_pass_qr_is_drawn_from_the_current_pass_code():
    import segno

    from plenary.checkin.passes import draw_qr

    drawn = []

    class Recorder:
        def setFillColorRGB(self, *args):  # noqa: N802 - reportlab's name
            pass

        def rect(self, x, y, width, height, stroke, fill):
            drawn.append((x, y))

    draw_qr(Recorder(), "P-example-code", 0, 0, 100)
    dark_modules = sum(
        sum(1 for dark in row if dark) for row in segno.make("P-example-code", error="m").matrix
    )
    assert len(drawn) == dark_modules + 1  # the white background, then one square per dark module


def test_no_pass_for_unknown_tokens_unconfirmed_registrations_or_rotated_tokens(person):
    assert Client().get("/me/not-a-token/pass.pdf").status_code == 404
    assert Client().get("/me/abc%00defghijklmnopqrstuv/pass.pdf").status_code == 404
    waiting = person(seat="waitlisted", status="waitlisted")
    assert Client().get(f"/me/{waiting.token}/pass.pdf").status_code == 404
    someone = person()
    old = someone.token
    someone.token, someone.pass_code = new_token(), new_pass_code()
    someone.save()
    assert Client().get(f"/me/{old}/pass.pdf").status_code == 404
    assert Client().get(f"/me/{someone.token}/pass.pdf").status_code == 200


def test_the_pass_qr_tag_draws_the_current_code_as_inline_svg(person):
    from django.template import Context, Template

    someone = person()
    svg = Template("{% load checkin %}{% pass_qr registration %}").render(Context({"registration": someone}))
    assert svg.startswith('<svg role="img"') and "<title>" in svg and someone.reference in svg
    assert "<script" not in svg
