"""The scanner without its roster (issue 18): a typed reference or name is resolved on the server, a name
several people share is offered as a choice, and nobody who exists is called "Unknown pass"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from plenary.checkin.models import CheckIn
from tests.browser.test_checkin_scanner import expect_result, open_scanner, seat
from tests.checkin.conftest import door_staff_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_references_and_names_are_resolved_on_the_server_when_the_roster_is_not_loaded(
    page, live_server, reference_programme
):
    sharing = reference_programme.sessions.get(kind="sharing")
    door_staff_for(sharing)
    first = seat(reference_programme, sharing, "Chan Tai Man", "陳大文")
    second = seat(reference_programme, sharing, "Chan Tai Ming", "陳大明")
    third = seat(reference_programme, sharing, "Yip Wing Sze", "葉詠詩")
    # The roster never arrives (a slow network at the door): the device knows nobody.
    page.route("**/api/v1/sessions/*/roster", lambda route: route.abort())
    open_scanner(page, live_server, sharing)

    page.fill("#scan-input", first.reference.lower())
    page.get_by_role("button", name="Check in", exact=True).click()
    expect_result(page, "green", "Checked in", "Chan Tai Man")

    page.fill("#scan-input", "Yip Wing")
    page.get_by_role("button", name="Check in", exact=True).click()
    expect_result(page, "green", "Yip Wing Sze")
    assert CheckIn.objects.filter(registration=third).count() == 1

    # A name two people share: a choice, not "Unknown pass".
    page.fill("#scan-input", "Chan Tai M")
    page.get_by_role("button", name="Check in", exact=True).click()
    choice = page.get_by_role("button", name=f"Check in Chan Tai Ming 陳大明 · {second.reference}")
    expect(choice).to_be_visible()
    expect(page.locator("#result")).to_be_hidden()
    choice.click()
    expect_result(page, "green", "Chan Tai Ming")

    # Nobody by that name: said plainly, without a red "Unknown pass" screen.
    page.fill("#scan-input", "Nobody Here")
    page.get_by_role("button", name="Check in", exact=True).click()
    expect(page.locator("#matches")).to_contain_text("No one")
    expect(page.locator("#result")).to_be_hidden()
