"""The scanner's camera path in a real browser: Chromium's fake camera shows a printed pass."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from plenary.checkin.models import CheckIn
from plenary.registrations.emails import pass_png
from tests.browser.test_checkin_scanner import open_scanner, seat
from tests.checkin.conftest import door_staff_for
from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 640, 480


def camera_file(path, picture: Image.Image) -> None:
    """A Y4M video (what Chromium's fake camera plays in a loop) of the picture on a grey desk."""
    frame = Image.new("RGB", (WIDTH, HEIGHT), (200, 200, 200))
    picture = picture.convert("RGB").resize((300, 300), Image.NEAREST)
    frame.paste(picture, ((WIDTH - 300) // 2, (HEIGHT - 300) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (WIDTH // 2, HEIGHT // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as video:
        video.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            video.write(b"FRAME\n" + planes)


def test_door_staff_check_a_pass_in_with_the_phone_camera(
    browser, live_server, reference_programme, tmp_path
):
    sharing = reference_programme.sessions.get(kind="sharing")
    door_staff_for(sharing)
    person = seat(reference_programme, sharing, "Chan Ka Yan", "陳嘉欣")
    video = tmp_path / "pass.y4m"
    camera_file(video, Image.open(io.BytesIO(pass_png(person))))

    phone = browser.browser_type.launch(
        executable_path=CHROMIUM,
        args=[
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = phone.new_context(locale="en-GB", timezone_id="Asia/Hong_Kong")
        context.grant_permissions(["camera"], origin=live_server.url)
        page = context.new_page()
        page.set_default_timeout(15_000)
        open_scanner(page, live_server, sharing)

        page.get_by_role("button", name="Scan with camera").click()
        result = page.locator("#result")
        expect(result).to_be_visible()
        expect(result).to_contain_text("Checked in")
        expect(result).to_contain_text("Chan Ka Yan 陳嘉欣")
        # Headless Chromium on Linux has no BarcodeDetector: the locked jsQR decoder read the frames.
        if not page.evaluate("'BarcodeDetector' in window"):
            assert page.evaluate("typeof window.jsQR") == "function"
        assert CheckIn.objects.filter(registration=person, session=sharing).count() == 1
        context.close()
    finally:
        phone.close()
