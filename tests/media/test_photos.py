"""Photo uploads: only real images are kept, without metadata, upright, with web and thumbnail sizes."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from PIL import Image

from plenary.media import services
from plenary.media.models import Photo, RemovalRequest
from plenary.programmes.models import Session
from plenary.registrations.models import Registration, SeatAllocation
from tests.media import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sharing(reference_programme):
    return reference_programme.sessions.get(kind=Session.Kind.SHARING)


@pytest.fixture
def console(organiser):
    client = Client()
    client.force_login(organiser)
    return client


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def upload(client, programme, session, *files, **headers):
    from django.core.files.uploadedfile import SimpleUploadedFile

    url = f"/manage/p/{programme.slug}/sessions/{session.pk}/photos/upload/"
    payload = {"photos": [SimpleUploadedFile(name, data) for name, data in files]}
    return client.post(url, payload, headers=headers, follow=not headers)


def test_uploaded_jpeg_is_served_without_gps_or_other_exif(
    console, reference_programme, sharing, media_root, django_capture_on_commit_callbacks
):
    original = images.jpeg(gps=True)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the GPS block is really there
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(console, reference_programme, sharing, ("harbour.jpg", original))
    assert response.status_code == 200
    photo = Photo.objects.get()
    assert (photo.width, photo.height) == (1200, 800)
    photo.published, photo.people_consent = True, True
    photo.save()
    for field in (photo.image, photo.web, photo.thumbnail):
        served = Client().get(field.url)
        assert served.status_code == 200
        data = b"".join(served.streaming_content)
        with Image.open(io.BytesIO(data)) as image:
            assert len(image.getexif()) == 0
            assert "exif" not in image.info
        assert b"Sample Camera Maker" not in data and b"Exif" not in data[:200]
    with Image.open(photo.web.path) as web, Image.open(photo.thumbnail.path) as thumb:
        assert max(web.size) == 1200  # never enlarged
        assert max(thumb.size) == 400


def test_orientation_is_applied_before_the_metadata_goes(sharing):
    # Orientation 6: the camera was turned; the pixels are stored landscape but show portrait.
    photo = services.upload_photo(
        session=sharing, data=images.jpeg(600, 400, orientation=6), filename="a.jpg"
    )
    assert (photo.width, photo.height) == (400, 600)
    with Image.open(photo.image.path) as stored:
        assert stored.size == (400, 600)
        assert 0x0112 not in stored.getexif()


def test_large_photo_gets_a_web_size_and_a_thumbnail(sharing, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = services.upload_photo(session=sharing, data=images.jpeg(2400, 1600), filename="big.jpg")
    photo.refresh_from_db()
    with Image.open(photo.web.path) as web, Image.open(photo.thumbnail.path) as thumb:
        assert web.size == (1600, 1067)
        assert thumb.size == (400, 267)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("notes.jpg", b"These are meeting notes, not a photo.\n" * 20, "This file is not an image."),
        ("cut.jpg", images.jpeg()[:3000], "The image is damaged or incomplete."),
        ("cut.png", images.png()[:200], "The image is damaged or incomplete."),
        ("bomb.png", images.bomb(), "too large"),
        ("empty.jpg", b"", "The file is empty."),
    ],
)
def test_bad_files_are_refused_with_a_clear_message_and_nothing_is_stored(
    console, reference_programme, sharing, media_root, name, data, message
):
    response = upload(console, reference_programme, sharing, (name, data))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{name} was refused" in page
    assert message in page
    assert Photo.objects.count() == 0
    assert stored_files(media_root) == []


def test_a_file_over_the_size_limit_is_refused(console, reference_programme, sharing, media_root, settings):
    settings.PLENARY_PHOTO_MAX_BYTES = 50_000
    response = upload(console, reference_programme, sharing, ("huge.jpg", images.jpeg(2400, 1600)))
    assert "huge.jpg was refused: The file is too big" in response.content.decode()
    assert Photo.objects.count() == 0 and stored_files(media_root) == []


def test_bulk_upload_keeps_the_good_files_and_reports_the_bad_ones_as_json(
    console, reference_programme, sharing
):
    response = upload(
        console,
        reference_programme,
        sharing,
        ("one.jpg", images.jpeg()),
        ("two.png", images.png()),
        ("fake.jpg", b"GIF89a not really"),
        X_Requested_With="fetch",
    )
    assert response.status_code == 201
    body = response.json()
    assert [item["name"] for item in body["stored"]] == ["one.jpg", "two.png"]
    assert body["refused"] == [{"name": "fake.jpg", "message": "This file is not an image."}]
    assert list(sharing.photos.values_list("order", flat=True)) == [1, 2]


def test_photo_page_shows_who_asked_not_to_appear_and_saves_captions(console, reference_programme, sharing):
    shy = Registration.objects.create(
        programme=reference_programme, email="shy@example.org", name_en="Shy Person", photo_opt_out=True
    )
    SeatAllocation.objects.create(registration=shy, session=sharing, mode="in_person", status="confirmed")
    other = Registration.objects.create(
        programme=reference_programme, email="other@example.org", name_en="Camera Friendly"
    )
    SeatAllocation.objects.create(registration=other, session=sharing, mode="in_person", status="confirmed")
    Registration.objects.create(
        programme=reference_programme, email="away@example.org", name_en="Not Here", photo_opt_out=True
    )
    photo = services.upload_photo(session=sharing, data=images.jpeg(), filename="hall.jpg")
    url = f"/manage/p/{reference_programme.slug}/sessions/{sharing.pk}/photos/"
    page = console.get(url).content.decode()
    assert "Shy Person" in page and "Camera Friendly" not in page and "Not Here" not in page

    form = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(photo.pk),
        "form-0-caption_en": "Participants at the sharing session",
        "form-0-caption_zh": "分享會參加者",
        "form-0-photographer": "Sample Studio",
        "form-0-order": "3",
        "form-0-published": "on",
    }
    refused = console.post(url, form)
    assert refused.status_code == 200 and "have agreed" in refused.content.decode()
    photo.refresh_from_db()
    assert not photo.published
    console.post(url, {**form, "form-0-people_consent": "on"})
    photo.refresh_from_db()
    assert (photo.caption_zh, photo.order, photo.published) == ("分享會參加者", 3, True)


def test_outsiders_cannot_see_or_upload_photos(outsider, reference_programme, sharing):
    client = Client()
    client.force_login(outsider)
    assert (
        client.get(f"/manage/p/{reference_programme.slug}/sessions/{sharing.pk}/photos/").status_code == 404
    )
    response = upload(
        client, reference_programme, sharing, ("one.jpg", images.jpeg()), X_Requested_With="fetch"
    )
    assert response.status_code == 404
    assert Photo.objects.count() == 0


def test_removal_request_is_stored_and_emailed_to_the_organisers(reference_programme, sharing, organiser):
    photo = services.upload_photo(session=sharing, data=images.jpeg(), filename="hall.jpg")
    url = f"/photos/{photo.pk}/request-removal/"
    assert Client().get(url).status_code == 404  # not public yet
    photo.published = photo.people_consent = True
    photo.save()
    client = Client()
    invalid = client.post(url, {"name": "", "email": "not-an-email", "reason": ""})
    assert invalid.status_code == 200 and RemovalRequest.objects.count() == 0
    response = client.post(url, {"name": "Chan Tai Man", "email": "tm@example.org", "reason": "I am in it."})
    assert response.status_code == 200
    assert RemovalRequest.objects.get().email == "tm@example.org"
    assert len(mail.outbox) == 1
    assert organiser.email in mail.outbox[0].to
    assert "I am in it." in mail.outbox[0].body
    console = Client()
    console.force_login(organiser)
    page = console.get(f"/manage/p/{reference_programme.slug}/sessions/{sharing.pk}/photos/").content.decode()
    assert "Requests to remove a photo" in page and "tm@example.org" in page
