"""The certificates console and verification page in a real browser, checked with axe-core."""

import pytest
from playwright.sync_api import expect

from plenary.certificates import services
from plenary.certificates.models import Certificate, IssueJob
from plenary.site.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.certificates.conftest import attend_all, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_console_progress_bar_follows_the_job_and_the_page_is_accessible(
    page, live_server, reference_programme
):
    sessions = list(reference_programme.sessions.filter(counts_towards_certificate=True))
    attend_all(person(reference_programme, 1, name_en="Ho Wing Sze", name_zh="何詠詩"), sessions)
    job = IssueJob.objects.create(programme=reference_programme, state="running", done=3, total=10)

    sign_in(page, live_server, "organiser")
    page.goto(f"{live_server.url}/manage/p/{reference_programme.slug}/certificates/")
    assert page.get_by_role("heading", name="Certificates", exact=True).is_visible()
    assert page.locator("#job-bar").get_attribute("value") == "3"
    assert_accessible(page)

    # The bar refreshes by itself (htmx polling, no inline script) as the job advances.
    IssueJob.objects.filter(pk=job.pk).update(state="done", done=10)
    expect(page.locator("#job-bar")).to_have_attribute("value", "10")
    expect(page.locator("#job-progress")).to_contain_text("10 of 10 certificates")

    page.get_by_role("button", name="Issue certificates").click()
    page.wait_for_url("**/certificates/#issue")
    assert Certificate.objects.filter(state="valid").count() == 1
    assert page.get_by_text("Ho Wing Sze 何詠詩").first.is_visible()


def test_verification_page_in_both_languages(page, live_server, reference_programme):
    sessions = list(reference_programme.sessions.filter(counts_towards_certificate=True))
    attend_all(person(reference_programme, 1, name_en="Ho Wing Sze", name_zh="何詠詩"), sessions)
    services.issue_certificates(reference_programme)
    serial = Certificate.objects.get().serial

    page.goto(f"{live_server.url}/verify/{serial}/")
    assert "This certificate is valid." in page.locator("main").inner_text()
    assert_accessible(page)
    page.goto(f"{live_server.url}/zh-hant/verify/{serial}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert "何詠詩" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/verify/PLN-2022-NOPE-NOPE/")
    assert page.get_by_role("heading", name="Certificate not found").is_visible()
    assert_accessible(page)
