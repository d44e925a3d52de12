"""Checkbox labels follow the sentence they are (Chinese house style: no "。：", no English ":" after a
full stop) — the label comes after the box, so no colon is added (issue 18)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.activate("en")


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_no_colon_after_a_checkbox_label(small_programme, language):
    page = Client().get(f"{language}/p/{small_programme.slug}/register/").content.decode()
    labels = re.findall(r'<input type="checkbox"[^>]*>\s*<label[^>]*>(.*?)</label>', page, re.S)
    assert labels, "the form has checkboxes"
    for label in labels:
        assert not label.strip().endswith((":", "：")), label
    assert "。：" not in page and ".:" not in page
