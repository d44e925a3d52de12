"""The offline certificate checker in a real Chromium: loaded once online, then the network is cut and
a certificate's QR content is checked with WebCrypto Ed25519 against the keys kept in localStorage."""

import json

import pytest
from playwright.sync_api import expect

from plenary.certificates import services, signing
from plenary.certificates.models import Certificate
from tests.browser.axe import assert_accessible
from tests.certificates.conftest import attend_all, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def qr_content(live_server, certificate) -> str:
    certificate = Certificate.objects.select_related("programme").get(pk=certificate.pk)
    return f"{live_server.url}/verify/{certificate.serial}/#{services.holder_for(certificate).statement}"


def test_offline_checker_says_valid_forged_and_revoked_without_the_network(
    page, live_server, reference_programme, settings, tmp_path, monkeypatch
):
    monkeypatch.delenv(signing.ENV_KEY, raising=False)
    settings.DATA_DIR = tmp_path
    sessions = list(reference_programme.sessions.filter(counts_towards_certificate=True))
    attend_all(person(reference_programme, 1, name_en="Ho Wing Sze", name_zh="何詠詩"), sessions)
    attend_all(person(reference_programme, 2, name_en="Lee Siu Ling", name_zh="李小玲"), sessions)
    services.issue_certificates(reference_programme)
    valid, withdrawn = Certificate.objects.order_by("name_en")
    good = qr_content(live_server, valid)
    revoked = qr_content(live_server, withdrawn)
    services.revoke(withdrawn, reason="Attendance record was wrong", actor=None)
    assert good.rsplit("#", 1)[1].isdigit()  # a version-2 statement
    number = int(good.rsplit("#", 1)[1])
    data = bytearray(number.to_bytes((number.bit_length() + 7) // 8, "big"))
    data[-65] = ord("8") if data[-65] == ord("9") else ord("9")  # the hours' last digit: more CPD hours
    altered = good.rsplit("#", 1)[0] + "#" + str(int.from_bytes(data, "big"))
    # A certificate printed before version 2 (base64url JSON) still verifies; altered, it is refused.
    certificate = Certificate.objects.select_related("programme").get(pk=valid.pk)
    old_token = signing.statement(
        serial=certificate.serial,
        name_en=certificate.name_en,
        name_zh=certificate.name_zh,
        programme=certificate.programme.title_en,
        hours=services._hours_text(certificate.hours),
        issued="2022-12-03",
        version=1,
    )
    old = good.rsplit("#", 1)[0] + "#" + old_token
    payload, signature = old_token.split(".")
    values = json.loads(signing.unb64(payload))
    values[5] = "99"
    old_altered = (
        good.rsplit("#", 1)[0] + "#" + signing.b64(json.dumps(values, separators=(",", ":")).encode())
    )
    old_altered += "." + signature

    page.goto(f"{live_server.url}/verify/offline/")
    expect(page.locator("#offline-sync")).to_contain_text("last synchronised")
    assert_accessible(page)
    assert page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)

    box, check, result = (
        page.get_by_label("Content of the QR code"),
        page.get_by_role("button", name="Check"),
        page.locator("#offline-result"),
    )
    box.fill(good)
    check.click()
    expect(result).to_have_attribute("data-state", "valid")
    expect(result).to_contain_text("Genuine")
    expect(page.locator("#offline-facts")).to_contain_text("何詠詩")

    box.fill(altered)
    check.click()
    expect(result).to_have_attribute("data-state", "forged")
    expect(result).to_contain_text("Forged or altered")

    box.fill(old)
    check.click()
    expect(result).to_have_attribute("data-state", "valid")
    expect(page.locator("#offline-facts")).to_contain_text("2022-12-03")
    box.fill(old_altered)
    check.click()
    expect(result).to_have_attribute("data-state", "forged")

    box.fill(revoked)
    check.click()
    expect(result).to_have_attribute("data-state", "revoked")
    expect(result).to_contain_text("Revoked as of the last synchronisation")

    box.fill("https://example.org/not-a-certificate")
    check.click()
    expect(result).to_have_attribute("data-state", "malformed")

    # Scanning the QR code with a phone opens its link: offline, the service worker answers with the checker,
    # which checks the statement in the link's fragment by itself.
    page.goto(good)
    expect(page.locator("#offline-result")).to_have_attribute("data-state", "valid")
    page.goto(altered)
    expect(page.locator("#offline-result")).to_have_attribute("data-state", "forged")
    page.context.set_offline(False)
    page.goto(good)
    page.reload()  # the same page with another fragment is not fetched again: online, the server answers
    assert "This certificate is valid." in page.locator("main").inner_text()
