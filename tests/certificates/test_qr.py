"""The fast certificate QR encoder gives exactly segno's symbols (level M, mask 2), for every version a
certificate can need, with one byte segment or a link plus a numeric statement."""

from __future__ import annotations

import random

import pytest
import segno
from segno import consts

from plenary.certificates import pdf, qr

MODES = {"byte": consts.MODE_BYTE, "numeric": consts.MODE_NUMERIC}


def segno_rows(content) -> list[str]:
    if not isinstance(content, str):
        content = [(text, MODES[mode]) for text, mode in content]
    code = segno.make(content, error="m", micro=False, mask=2, boost_error=False)
    return ["".join(str(value) for value in row) for row in code.matrix]


def contents():
    rng = random.Random(20)
    yield "http://127.0.0.1:8000/verify/PLN-2022-0001-BNCH/"
    for length in (1, 2, 3, 17, 40, 100, 200, 400, 700, 1200):
        digits = str(rng.randrange(10 ** (length - 1), 10**length))
        yield [("https://plenary.example/verify/PLN-2022-7QK4-M2ZD/#", "byte"), (digits, "numeric")]
        yield "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789/:.-#") for _ in range(length))


@pytest.mark.parametrize("content", list(contents()), ids=lambda content: str(qr.version_of(content)))
def test_the_fast_encoder_draws_segnos_symbol_bit_for_bit(content):
    assert qr.rows(content) == segno_rows(content)


def test_a_signed_link_becomes_a_byte_and_a_numeric_segment():
    assert pdf.qr_segments("https://x.example/verify/A/#0123") == [
        ("https://x.example/verify/A/#", "byte"),
        ("0123", "numeric"),
    ]
    assert pdf.qr_segments("https://x.example/verify/A/#abc.def") == "https://x.example/verify/A/#abc.def"
    assert pdf.qr_segments("https://x.example/verify/A/") == "https://x.example/verify/A/"
