"""The organiser console in a real browser: sign in, edit, see the change in the audit log."""

import pytest

from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_organiser_signs_in_edits_a_session_and_finds_it_in_the_audit_log(
    page, live_server, reference_programme
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill("plenary-demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/manage/")
    assert_accessible(page)

    # The programme list opens the programme's dashboard (issue 17); its sessions are on the overview.
    page.get_by_role("link", name=reference_programme.title_en).click()
    page.wait_for_url("**/dashboard/")
    assert_accessible(page)
    page.get_by_role("link", name="Overview", exact=True).click()
    page.get_by_role("link", name="Summary and sharing session").click()
    page.get_by_label("CPD hours").fill("-1")
    page.get_by_role("button", name="Save").click()
    error = page.locator(".field-error").first
    assert error.is_visible()
    assert page.get_by_label("CPD hours").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("CPD hours").fill("3")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("status").filter(has_text="Saved.").wait_for()
    page.get_by_role("link", name="Audit log").click()
    row = page.locator("tbody tr").first
    assert "Summary and sharing session" in row.inner_text()
    assert "3.00" in row.inner_text()
    assert_accessible(page)
