"""In a real browser: upload photos, caption them, compose and publish a release, read it in both languages."""

from __future__ import annotations

import pytest

from plenary.media.models import Photo
from plenary.programmes.models import Session
from plenary.publicity.models import PressRelease
from plenary.site.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible
from tests.media.images import jpeg, png
from tests.publicity.test_compose import add_registrants

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def sign_in(page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("organiser")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/manage/")


def test_photos_to_published_release_in_both_languages(page, live_server, reference_programme):
    add_registrants(reference_programme, 2046)
    sharing = reference_programme.sessions.get(kind=Session.Kind.SHARING)
    base = live_server.url
    sign_in(page, base)

    page.goto(f"{base}/manage/p/{reference_programme.slug}/sessions/{sharing.pk}/photos/")
    assert_accessible(page)
    page.get_by_label("Photos (JPEG, PNG or WebP)").set_input_files(
        [
            {"name": "stage.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1600, 1000)},
            {"name": "hall.png", "mimeType": "image/png", "buffer": png(800, 600)},
            {"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"meeting notes, not a photo"},
        ]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    page.wait_for_selector("[data-photo-upload][data-upload-done='2']")
    assert "Finished: 2 uploaded, 1 refused." in page.locator("[data-upload-status]").inner_text()
    assert "This file is not an image." in page.locator(".upload-refused").inner_text()
    assert Photo.objects.filter(session=sharing).count() == 2
    assert all(photo.thumbnail for photo in Photo.objects.all())

    page.get_by_role("link", name="Edit captions").click()
    page.wait_for_selector("#id_form-1-caption_en")
    assert_accessible(page)
    captions = [
        ("Officials and participants at the sharing session.", "官員與參加者出席分享會。"),
        ("A manager shares reflections.", "機構管理層代表分享體會。"),
    ]
    for index, (english, chinese) in enumerate(captions):
        page.locator(f"#id_form-{index}-caption_en").fill(english)
        page.locator(f"#id_form-{index}-caption_zh").fill(chinese)
        page.locator(f"#id_form-{index}-published").check()
        page.locator(f"#id_form-{index}-people_consent").check()
    page.get_by_role("button", name="Save photos").click()
    page.wait_for_selector(".message")
    assert Photo.objects.filter(published=True).count() == 2

    page.get_by_role("link", name="Photos and press releases").click()
    page.get_by_role("button", name="Compose a draft from the programme's data").click()
    page.wait_for_url("**/releases/*/")
    assert "more than 2 000 registrants" in page.get_by_label("Text (English)").input_value()
    assert_accessible(page)
    page.get_by_role("link", name="Preview").click()
    assert page.get_by_text("Preview: this is how the release will look once published.").is_visible()
    assert_accessible(page)
    page.go_back()
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_selector("text=The release is published.")
    release = PressRelease.objects.get()
    assert release.is_published

    page.goto(f"{base}/news/{release.slug}/")
    assert page.locator("h1").inner_text() == release.title_en
    assert page.get_by_text("Photo shows officials and participants at the sharing session.").is_visible()
    assert_accessible(page)

    # The lightbox: opens on the photo, arrows move, Escape closes and focus returns.
    first = page.locator("[data-lightbox-item]").first
    first.click()
    dialog = page.locator("dialog[data-lightbox]")
    assert dialog.evaluate("d => d.open")
    assert page.locator("[data-lightbox-caption]").inner_text() == captions[0][0]
    assert_accessible(page)
    page.keyboard.press("ArrowRight")
    assert page.locator("[data-lightbox-caption]").inner_text() == captions[1][0]
    page.keyboard.press("ArrowLeft")
    assert page.locator("[data-lightbox-caption]").inner_text() == captions[0][0]
    page.keyboard.press("Escape")
    assert not dialog.evaluate("d => d.open")
    assert first.evaluate("element => element === document.activeElement")

    page.goto(f"{base}/zh-hant/news/{release.slug}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert page.locator("h1").inner_text() == release.title_zh
    assert page.get_by_text("圖示官員與參加者出席分享會。").is_visible()
    page.locator("[data-lightbox-item]").nth(1).click()
    assert page.locator("[data-lightbox-caption]").inner_text() == captions[1][1]
    page.keyboard.press("Escape")
    assert_accessible(page)
