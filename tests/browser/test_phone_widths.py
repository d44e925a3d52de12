"""At 390×844 every page a participant, a coordinator or door staff uses fits without sideways scrolling
(``scrollWidth <= innerWidth``), keeps its main action on screen (the form's button, each table row's
action: join, switch, cancel or undo, check in), and axe finds no serious violation."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from plenary.registrations import services
from tests.browser.axe import serious_violations
from tests.checkin.conftest import door_staff_for
from tests.registrations.conftest import applicant, make_programme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-GB", timezone_id="Asia/Hong_Kong", viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def fits(page, url: str, shot: str = "") -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (url, widths)
    assert serious_violations(page) == [], url
    # PLENARY_SCREENSHOTS=docs/phone refreshes the README's phone screenshots.
    folder = os.environ.get("PLENARY_SCREENSHOTS")
    if folder and shot:
        language = "zh-hant" if "/zh-hant/" in url else "en"
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{shot}-{language}.png"))


def on_screen(page, locator) -> None:
    box = locator.first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, box


def action_on_screen(page, url: str, selector: str) -> None:
    """The page's main action, found by ``selector``, lies within the phone's width (not off to the side
    in a table that scrolls sideways)."""
    page.goto(url)
    page.wait_for_load_state("load")
    on_screen(page, page.locator(selector))


def nominee(programme, agency, n: int, mode: str = "online"):
    """A nomination of the agency, loaded as a bulk arrival (also into past programmes, as the demo does)."""
    from plenary.registrations.models import Registration

    (registration,) = services.register_many(
        programme,
        [
            services.Arrival(
                applicant=applicant(n, mode=mode, organisation=agency), source=Registration.Source.NOMINATED
            )
        ],
    )
    return registration


def sign_in(page, live_server, username: str, next_url: str) -> None:
    user = get_user_model().objects.get(username=username)
    user.set_password("phone-password-1")
    user.save()
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("#id_username", username)
    page.fill("#id_password", "phone-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_participant_pages_fit_a_phone(phone, live_server, language):
    programme = make_programme(room=5, slug="phone-programme")
    registration = services.register(programme, applicant(1, mode="online"))
    base = f"{live_server.url}{language}"
    for path in ("/", f"/p/{programme.slug}/", f"/p/{programme.slug}/register/",
                 f"/me/{registration.token}/feedback/", f"/me/{registration.token}/certificates/"):  # fmt: skip
        fits(phone, base + path)
    fits(phone, f"{base}/me/{registration.token}/", shot="private-page")
    phone.goto(f"{base}/me/{registration.token}/")
    on_screen(phone, phone.locator("a[href*='/j/']"))  # "Join online" stays visible
    on_screen(phone, phone.locator("form[action*='/mode/'] button"))  # "Switch to in person"
    action_on_screen(phone, f"{base}/p/{programme.slug}/register/", "form button[type=submit]")
    action_on_screen(phone, f"{base}/p/{programme.slug}/", f"a[href$='/p/{programme.slug}/register/']")


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_coordinator_pages_fit_a_phone(phone, live_server, reference_programme, language):
    from plenary.organisations.models import Membership

    agency = Membership.objects.get(user__username="coordinator", role="coordinator").organisation
    cancelled = nominee(reference_programme, agency, 1)
    services.cancel(cancelled)
    nominee(reference_programme, agency, 2)
    sign_in(phone, live_server, "coordinator", f"{language}/agency/")
    slug = reference_programme.slug
    base = f"{live_server.url}{language}"
    for path in ("/agency/", f"/agency/p/{slug}/nominate/", f"/agency/p/{slug}/upload/", "/agency/record/",
                 f"/agency/record/p/{slug}/"):  # fmt: skip
        fits(phone, base + path)
    fits(phone, f"{base}/agency/p/{slug}/", shot="agency")
    # Each nomination's action (cancel, or undo a cancellation) stays on screen, and so do the forms' buttons.
    on_screen(phone, phone.locator("a[href*='/cancel/']"))
    on_screen(phone, phone.locator("form[action*='/again/'] button"))
    action_on_screen(phone, f"{base}/agency/p/{slug}/nominate/", "form button[type=submit]")
    action_on_screen(phone, f"{base}/agency/p/{slug}/upload/", "form button[type=submit]")
    action_on_screen(phone, f"{base}/agency/record/", "a.button[href*='csv']")


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_door_pages_fit_a_phone(phone, live_server, reference_programme, language):
    from plenary.checkin import services as checkin

    sharing = reference_programme.sessions.get(kind="sharing")
    door = door_staff_for(sharing)
    waiting = nominee(reference_programme, None, 3, mode="in_person")
    arrived = nominee(reference_programme, None, 4, mode="in_person")
    checkin.check_in(code=arrived.pass_code, session=sharing, client_event_id=uuid.uuid4(), actor=door)
    sign_in(phone, live_server, "door", f"{language}/checkin/")
    for path in ("/checkin/", f"/checkin/{sharing.pk}/"):
        fits(phone, f"{live_server.url}{language}{path}")
    fits(phone, f"{live_server.url}{language}/checkin/{sharing.pk}/desk/", shot="door-desk")
    # The desk's search results: each person's action (check in, undo) on screen, not off to the side.
    desk = f"{live_server.url}{language}/checkin/{sharing.pk}/desk/"
    fits(phone, f"{desk}?q=Person")
    on_screen(phone, phone.locator(f"form:has(input[value='{waiting.reference}']) button[type=submit]"))
    on_screen(phone, phone.locator(f"form:has(input[value='{arrived.reference}']) button[type=submit]"))
    action_on_screen(phone, desk, "form:has(input[value='walk_in']) button[type=submit]")
