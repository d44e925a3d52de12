"""The message composer (preview, refusal, send), the delivery log, the reminders page and the private
page's messages, SMS choice and calendar link in a real browser, checked with axe; a coordinator's message
pages in the agency's layout."""

import pytest

from plenary.messaging import services as messaging
from plenary.registrations import services
from tests.browser.axe import assert_accessible
from tests.browser.test_registration_consoles import sign_in
from tests.registrations.conftest import applicant, make_programme, people  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_preview_refuse_send_and_log(page, live_server, people):  # noqa: F811
    programme = make_programme(room=2, slug="messages-a11y")
    person = services.register(programme, applicant(1, phone="+852 9123 4567", sms_opt_in=True))
    sign_in(page, live_server, "lead-organiser")
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/new/")
    assert_accessible(page)
    page.locator("input[name=subject_en]").fill("News for {name}")
    page.locator("textarea[name=body_en]").fill("Hello {name}, your page: {private_url}")
    page.get_by_label("Send by").select_option("both")
    page.locator("button[value=preview]").click()
    page.wait_for_load_state()
    assert "News for Person 1" in page.content()
    assert "1 of them also by SMS" in page.locator("#sms-count").inner_text()
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
    assert page.locator("#count-sent").inner_text() == "2"  # the email and the text message
    assert page.locator("#count-sms").inner_text() == "1 sent of 1"
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/reminders/")
    assert_accessible(page)
    page.goto(f"{live_server.url}/me/{person.token}/")
    assert "News for Person 1" in page.content()
    assert page.locator(f"a[href='/me/{person.token}/calendar.ics']").count() == 1
    assert_accessible(page)

    assert "Stop SMS" in page.content()


def test_a_coordinators_message_pages_show_their_agencys_menu(page, live_server, people):  # noqa: F811
    programme = make_programme(room=2, slug="messages-agency")
    services.nominate(
        programme,
        applicant(1, mode="online"),
        coordinator=people["coordinator_a"],
        agency=people["agency_a"],
    )
    sign_in(page, live_server, "coord-a")
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/new/")
    menu = page.get_by_role("navigation", name="Your agency in this programme")
    assert menu.get_by_role("link", name="Messages").count() == 1
    assert page.get_by_role("link", name="Dashboard").count() == 0
    assert_accessible(page)
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/messages/")
    assert_accessible(page)
