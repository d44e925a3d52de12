"""axe-core finds no serious or critical violation on the pages no other browser test checked (issue 18):
the home page, news, sign-in, the agency quotas page, the door console, the import review page and the
error pages (403, 404 and 500) — in both languages."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.attendance.test_console_api_command import fixture_bytes
from tests.browser.axe import serious_violations
from tests.browser.test_phone_widths import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page, url: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response.status == status, url
    assert serious_violations(page) == [], url


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_public_and_error_pages(page, live_server, reference_programme, language):
    base = f"{live_server.url}{language}"
    checked(page, f"{base}/")
    checked(page, f"{base}/news/")
    checked(page, f"{base}/accounts/login/")
    checked(page, f"{base}/no-such-page/", 404)
    get_user_model().objects.create_user("nobody-special", password="phone-password-1")
    sign_in(page, live_server, "nobody-special", f"{language}/")
    checked(page, f"{base}/manage/p/{reference_programme.slug}/certificates/", 404)


@pytest.mark.urls("tests.browser.urls_with_failure")
@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_the_500_page(page, live_server, language):
    """A view that fails gets the real handler500's page: in the visitor's language, and accessible."""
    response = page.goto(f"{live_server.url}{language}/test-failure/")
    assert response.status == 500
    assert serious_violations(page) == []
    heading = page.locator("h1").inner_text()
    assert heading == ("發生錯誤" if language else "Something went wrong")
    assert page.locator("html").get_attribute("lang") == ("zh-Hant-HK" if language else "en")
    assert "RuntimeError" not in page.content() and "Traceback" not in page.content()


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_organiser_pages(page, live_server, reference_programme, language):
    from plenary.attendance import services

    lecture = reference_programme.sessions.get(title_en__startswith="Lecture 1")
    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    sign_in(page, live_server, "organiser", f"{language}/manage/")
    slug = reference_programme.slug
    base = f"{live_server.url}{language}"
    checked(page, f"{base}/manage/p/{slug}/registrations/quotas/")
    checked(page, f"{base}/manage/p/{slug}/door/")
    checked(page, f"{base}/manage/p/{slug}/attendance/sessions/{lecture.pk}/")
    checked(page, f"{base}/manage/p/{slug}/certificates/")


def test_door_staff_elsewhere_get_a_clear_403(page, live_server, reference_programme):
    from tests.checkin.conftest import door_staff_for

    door_staff_for(reference_programme.sessions.get(kind="sharing"))
    sign_in(page, live_server, "door", "/checkin/")
    checked(page, f"{live_server.url}/manage/", 403)
    checked(page, f"{live_server.url}/zh-hant/news/", 403)
