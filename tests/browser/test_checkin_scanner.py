"""The door scanner in a real browser: manual entry, a keyboard-wedge scanner, offline scans and sync."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from playwright.sync_api import expect

from plenary.checkin.models import CheckIn, StaffAssignment
from plenary.registrations.models import Registration, SeatAllocation
from tests.browser.axe import assert_accessible
from tests.checkin.conftest import door_staff_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def seat(
    programme,
    session,
    name_en,
    name_zh,
    *,
    mode="in_person",
    status="confirmed",
    registration_status="confirmed",
):
    registration = Registration.objects.create(
        programme=programme,
        name_en=name_en,
        name_zh=name_zh,
        email=f"{name_en.replace(' ', '.').lower()}@example.org",
        status=registration_status,
    )
    SeatAllocation.objects.create(registration=registration, session=session, mode=mode, status=status)
    return registration


def expect_result(page, colour: str, *texts: str) -> None:
    result = page.locator("#result")
    expect(result).to_be_visible()
    expect(result).to_have_class(re.compile(rf"\bresult-{colour}\b"))
    for text in texts:
        expect(result).to_contain_text(text)
    page.locator("#result-close").click()
    result.wait_for(state="hidden")


def open_scanner(page, live_server, session) -> None:
    """Signs in as door staff and waits until the scanner has its roster."""
    page.goto(f"{live_server.url}/accounts/login/?next=/checkin/{session.pk}/")
    page.fill("#id_username", "door")
    page.fill("#id_password", "door-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/checkin/{session.pk}/")
    page.wait_for_selector("#scanner[data-ready=true]")


def test_door_staff_scan_by_hand_and_by_wedge_then_offline_and_the_server_counts_each_pass_once(
    page, live_server, reference_programme, api_as
):
    sharing = reference_programme.sessions.get(kind="sharing")
    door = door_staff_for(sharing)
    people = [
        seat(reference_programme, sharing, name, zh)
        for name, zh in [
            ("Chan Ka Yan", "陳嘉欣"),
            ("Wong Wai Man", "黃偉文"),
            ("Lee Siu Ling", "李小玲"),
            ("Cheung Chi Keung", "張志強"),
            ("Lau Mei Kuen", "劉美娟"),
            ("Ho Hoi Yan", "何凱欣"),
            ("Ng Kin Wah", "吳健華"),
        ]
    ]
    online = seat(reference_programme, sharing, "Leung Yuk Ying", "梁玉瑩", mode="online")
    cancelled = seat(reference_programme, sharing, "Lam Tsz Ching", "林梓晴", status="cancelled")

    console_errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    open_scanner(page, live_server, sharing)
    assert page.locator("#expected").inner_text() == "7"
    # The service worker that keeps the scanner for offline use is scoped to the scanner only.
    scope = page.evaluate("navigator.serviceWorker.ready.then(registration => registration.scope)")
    assert scope == f"{live_server.url}/checkin/"
    assert_accessible(page)

    # Manual entry: a reference typed at the desk, then the button.
    page.fill("#scan-input", people[0].reference)
    page.get_by_role("button", name="Check in", exact=True).click()
    expect_result(page, "green", "Checked in", "Chan Ka Yan 陳嘉欣")
    # Search by name: one tap on the match.
    page.fill("#scan-input", "Wong Wai")
    page.get_by_role("button", name=re.compile("Check in Wong Wai Man")).click()
    expect_result(page, "green", "Wong Wai Man")
    # A keyboard-wedge scanner types the code and presses Enter into the focused field.
    page.locator("#scan-input").focus()
    page.keyboard.type(people[2].pass_code + "\n")
    expect_result(page, "green", "Lee Siu Ling")
    page.keyboard.type(people[0].pass_code + "\n")
    expect_result(page, "amber", "Already checked in at", "Chan Ka Yan")
    page.keyboard.type(online.pass_code + "\n")
    expect_result(page, "amber", "Registered online — see the desk", "Leung Yuk Ying")
    page.keyboard.type(cancelled.pass_code + "\n")
    expect_result(page, "red", "Registration cancelled")
    page.keyboard.type("Pforged-code-that-is-not-ours\n")
    expect_result(page, "red", "Unknown pass")
    assert page.locator("#arrived").inner_text() == "3"
    assert CheckIn.objects.count() == 3

    # The venue's network drops: scans are decided on the device and queued.
    page.context.set_offline(True)
    expect(page.locator("#network")).to_contain_text("Offline")
    for registration in people[3:7]:
        page.keyboard.type(registration.pass_code + "\n")
        expect_result(page, "green", registration.name_en, "Offline")
    page.keyboard.type(people[3].pass_code + "\n")
    expect_result(page, "amber", "Already scanned on this device", "Cheung Chi Keung")
    page.wait_for_selector("#sync-status[data-pending='5']")
    assert CheckIn.objects.count() == 3

    # Back online: the queue goes to the server in one batch, each scan with its client event id.
    with page.expect_request("**/api/v1/checkins/batch") as sync_request:
        page.context.set_offline(False)
    page.wait_for_selector("#sync-status[data-pending='0']")
    assert CheckIn.objects.count() == 3 + 4
    assert page.locator("#arrived").inner_text() == "7"

    replay = api_as(door).post("/api/v1/checkins/batch", sync_request.value.post_data_json)
    assert replay.status_code == 200
    assert all(item["replayed"] for item in replay.json()["results"])
    assert CheckIn.objects.count() == 7
    assert_accessible(page)
    assert console_errors == []


def test_the_scanner_opens_and_decides_without_a_network_once_it_has_been_loaded(
    page, live_server, reference_programme
):
    sharing = reference_programme.sessions.get(kind="sharing")
    door = get_user_model().objects.get(username="door")
    StaffAssignment.objects.create(user=door, session=sharing)
    guest = seat(reference_programme, sharing, "Yeung Ho Yin", "楊浩賢")
    client = Client()
    client.force_login(door)
    cookie = client.cookies["sessionid"]
    page.context.add_cookies([{"name": "sessionid", "value": cookie.value, "url": live_server.url}])

    page.goto(f"{live_server.url}/checkin/{sharing.pk}/")
    page.wait_for_selector("#scanner[data-ready=true]")
    page.evaluate("navigator.serviceWorker.ready")
    page.reload()  # now under the service worker, which keeps a copy of the page
    page.wait_for_selector("#scanner[data-ready=true]")
    assert page.evaluate("navigator.serviceWorker.controller !== null")

    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#scanner[data-ready=true]")
    expect(page.locator("#network")).to_contain_text("Offline")
    page.locator("#scan-input").focus()
    page.keyboard.type(guest.pass_code + "\n")
    expect_result(page, "green", "Yeung Ho Yin 楊浩賢", "Offline")
    page.wait_for_selector("#sync-status[data-pending='1']")

    page.context.set_offline(False)
    page.wait_for_selector("#sync-status[data-pending='0']")
    assert CheckIn.objects.filter(registration=guest).count() == 1
