"""The shared axe helper fails on a serious violation and names it; it passes a clean page."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

CLEAN = """<!doctype html><html lang="en"><head><title>Clean</title></head>
<body><main><h1>Clean</h1><img src="data:," alt="A dot"><button>Save</button></main></body></html>"""
BROKEN = """<!doctype html><html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1><img src="data:,"><button></button></main></body></html>"""


def test_a_clean_page_passes(page):
    page.set_content(CLEAN)
    assert_accessible(page)


def test_a_page_with_serious_violations_fails_with_a_readable_message(page):
    page.set_content(BROKEN)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page, context="a form without labels")
    message = str(failure.value)
    assert "a form without labels" in message
    assert "image-alt" in message and "button-name" in message
    assert "critical" in message
