"""Sign-in help in a real browser, in Traditional Chinese, checked with axe-core."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_forgotten_password_pages_have_no_serious_accessibility_violation(page, live_server):
    page.goto(f"{live_server.url}/zh-hant/accounts/login/")
    page.get_by_role("link", name="忘記密碼？").click()
    page.wait_for_url("**/zh-hant/accounts/password/reset/")
    assert page.locator("h1").inner_text() == "忘記密碼？"
    assert_accessible(page)
    page.get_by_label("電郵").fill("someone@example.org")
    page.get_by_role("button", name="寄給我連結").click()
    page.wait_for_url("**/zh-hant/accounts/password/reset/sent/")
    assert page.get_by_role("status").inner_text().startswith("如該地址屬於職員帳戶")
    assert_accessible(page)
