"""The programme dashboard in a real browser, in both languages, checked with axe-core, and as printed."""

import pytest

from plenary.reports.selectors import programme_figures
from plenary.site.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboard_in_both_languages_and_printed(page, live_server, reference_programme):
    figures = programme_figures(reference_programme)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "organiser")
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    page.goto(f"{live_server.url}/manage/")
    with page.expect_navigation():
        page.get_by_role("link", name=reference_programme.title_en).click()
    assert page.url.endswith(f"/manage/p/{reference_programme.slug}/dashboard/")
    assert_accessible(page)
    chart = page.get_by_role("img", name="Registrations by status")
    assert chart.is_visible()
    headline = page.locator(".headline div").first
    assert headline.locator("dd").inner_text() == str(figures.total)
    assert page.locator("svg.report-chart").count() == 5 + len(figures.sessions)
    page.emulate_media(media="print")
    assert not page.locator(".console-nav").is_visible()
    assert not page.get_by_role("link", name="Download every figure (XLSX)").is_visible()
    assert chart.is_visible()
    page.emulate_media(media="screen")

    page.goto(f"{live_server.url}/zh-hant/manage/p/{reference_programme.slug}/dashboard/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.get_by_role("img", name="按狀態劃分的登記").is_visible()
    assert_accessible(page)
