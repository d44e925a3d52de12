"""The public programme page in a real browser, in both languages, checked with axe-core."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_programme_page_in_both_languages_has_no_serious_accessibility_violation(
    page, live_server, reference_programme
):
    page.goto(f"{live_server.url}/p/{reference_programme.slug}/")
    assert page.locator("h1").inner_text().startswith("Training workshops on the spirit")
    assert page.locator("li.session").count() == 7
    assert_accessible(page)

    page.get_by_role("link", name="繁體中文").click()
    page.wait_for_url(f"**/zh-hant/p/{reference_programme.slug}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert "社會福利界學習" in page.locator("h1").inner_text()
    assert page.get_by_role("heading", name="主辦機構").is_visible()
    assert_accessible(page)


def test_keyboard_users_can_skip_to_the_content(page, live_server, reference_programme):
    page.goto(f"{live_server.url}/p/{reference_programme.slug}/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
