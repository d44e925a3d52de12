"""The message composer (preview, refusal, send), the delivery log, the reminders page and the private
page's messages and calendar link in a real browser, checked with axe."""

import pytest

from plenary.messaging import services as messaging
from plenary.registrations import services
from tests.browser.axe import assert_accessible
from tests.browser.test_registration_consoles import sign_in
from tests.registrations.conftest import applicant, make_programme, people  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_preview_refuse_send_and_log(page, live_server, people):  # noqa: F811
    programme = make_programme(room=2, slug="messages-a11y")
    person = services.register(programme, applicant(1))
    sign_in(page, live_server, "lead-organiser")
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/new/")
    assert_accessible(page)
    page.locator("input[name=subject_en]").fill("News for {name}")
    page.locator("textarea[name=body_en]").fill("Hello {name}, your page: {private_url}")
    page.locator("button[value=preview]").click()
    page.wait_for_load_state()
    assert "News for Person 1" in page.content()
    assert_accessible(page)
    page.locator("textarea[name=body_en]").fill("Hello {nmae}")
    page.locator("button[value=send]").click()
    page.wait_for_load_state()
    assert "Unknown merge field {nmae}" in page.content()
    page.locator("textarea[name=body_en]").fill("Hello {name}")
    page.locator("button[value=send]").click()
    page.wait_for_load_state()
    assert "Message queued for 1 person." in page.content()
    assert_accessible(page)
    messaging.pump()
    page.reload()
    assert page.locator("#count-sent").inner_text() == "1"
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/reminders/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/me/{person.token}/")
    assert "News for Person 1" in page.content()
    assert page.locator(f"a[href='/me/{person.token}/calendar.ics']").count() == 1
    assert_accessible(page)
