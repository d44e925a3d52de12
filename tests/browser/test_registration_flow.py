"""A registrant in Traditional Chinese: form, email over real SMTP, private page, pass, mode, cancel."""

import re

import pytest

from plenary.registrations.models import Registration
from tests.browser.axe import assert_accessible
from tests.registrations.conftest import hybrid, make_programme, smtp_inbox, text_of  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_in_chinese_receive_the_link_see_the_pass_switch_mode_and_cancel(
    page,
    live_server,
    smtp_inbox,  # noqa: F811 - the fixture imported above
):
    programme = make_programme(room=5, slug="browser-flow")
    room = hybrid(programme)

    page.goto(f"{live_server.url}/zh-hant/p/{programme.slug}/")
    page.locator(f"a[href='/zh-hant/p/{programme.slug}/register/']").click()
    page.wait_for_url(f"**/zh-hant/p/{programme.slug}/register/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert_accessible(page)

    page.locator("input[name=name_zh]").fill("陳大文")
    page.locator("input[name=email]").fill("chan.taiman@example.org")
    page.locator("input[name=organisation_other]").fill("示例社區中心")
    page.locator("input[name=rsw_number]").fill("S12345")
    page.locator(f"input[name=mode_{room.pk}][value=in_person]").check()
    page.locator("input[name=consent_pics]").check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**/zh-hant/p/{programme.slug}/register/received/")  # the link goes by email only

    registration = Registration.objects.get(email="chan.taiman@example.org")
    [message] = smtp_inbox.wait_for("chan.taiman@example.org")
    link = re.search(r"https?://\S+/zh-hant/me/\S+/", text_of(message)).group(0)
    assert registration.token in link

    page.goto(f"{live_server.url}/zh-hant/me/{registration.token}/")
    assert "陳大文" in page.locator("main").inner_text()
    assert page.locator(".pass svg").is_visible()
    assert_accessible(page)

    page.locator("form[action$='/mode/'] button").click()
    page.wait_for_load_state()
    assert registration.seats.get(session=room).mode == "online"

    page.locator("#id_confirm").check()
    page.locator("form[action$='/cancel/'] button").click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.status == "cancelled"
    assert page.locator(".pass svg").count() == 0
    assert_accessible(page)
