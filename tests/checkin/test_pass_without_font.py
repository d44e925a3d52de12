"""A pass asked for while the server lacks the CJK font: a clear page in the reader's language, not a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from plenary.core.pdf import FontMissing, cjk_font

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.fixture
def no_font(settings, tmp_path):
    cjk_font.cache_clear()
    settings.PLENARY_CJK_FONT = str(tmp_path / "missing.ttc")
    yield
    cjk_font.cache_clear()


def test_cjk_font_refuses_with_a_domain_error(no_font):
    with pytest.raises(FontMissing):
        cjk_font()


def test_the_pass_without_the_font_says_why_in_english(no_font, person):
    someone = person()
    response = Client().get(f"/me/{someone.token}/pass.pdf")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "lacks the font it needs for Chinese text" in page
    assert "Something went wrong" not in page


def test_the_pass_without_the_font_says_why_in_chinese(no_font, person):
    someone = person()
    response = Client().get(f"/zh-hant/me/{someone.token}/pass.pdf")
    assert response.status_code == 503
    page = response.content.decode()
    assert "字型" in page
    assert "lacks the font" not in page
