"""Registration pages for coordinators and organisers, and the form's error state, checked with axe."""

import pytest

from plenary.registrations import services
from tests.browser.axe import assert_accessible
from tests.registrations.conftest import applicant, make_programme, people  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill("x-pass-12345")
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()


def test_form_errors_agency_and_console_pages_have_no_serious_violation(
    page,
    live_server,
    people,  # noqa: F811 - the fixture imported above
):
    programme = make_programme(room=2, slug="a11y")
    services.nominate(programme, applicant(1), coordinator=people["coordinator_a"], agency=people["agency_a"])
    services.register(programme, applicant(2))

    page.goto(f"{live_server.url}/p/{programme.slug}/register/")
    page.locator("input[name=email]").fill("not-an-email")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[aria-invalid=true]").count() >= 2
    assert_accessible(page)

    sign_in(page, live_server, "coord-a")
    page.goto(f"{live_server.url}/agency/p/{programme.slug}/")
    assert "person1@example.org" in page.content() and "person2@example.org" not in page.content()
    assert_accessible(page)
    page.goto(f"{live_server.url}/agency/p/{programme.slug}/nominate/")
    assert_accessible(page)

    page.context.clear_cookies()
    sign_in(page, live_server, "lead-organiser")
    page.goto(f"{live_server.url}/manage/p/{programme.slug}/registrations/")
    assert page.locator("tbody tr").count() >= 2
    assert_accessible(page)
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    assert_accessible(page)
