"""One publication rule (``media.selectors.PUBLIC``): a photo is public only while it is published with
the consent of the people shown — on release pages, in the API, the PDF and .docx, and as a file."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.test import Client

from plenary.media import services as media
from plenary.media.models import Photo
from plenary.programmes.models import Session
from plenary.publicity import exports, services
from plenary.publicity.models import PressRelease
from tests.media import images

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files(photo: Photo) -> list[str]:
    """The addresses of every stored file of a photo (the original, and its renditions if made)."""
    return [field.url for field in (photo.image, photo.web, photo.thumbnail) if field]


@pytest.fixture
def published_release(reference_programme, organiser, django_capture_on_commit_callbacks):
    sharing = reference_programme.sessions.get(kind=Session.Kind.SHARING)
    photos = []
    for name, caption in (("stage.jpg", "Officials on stage"), ("hall.jpg", "The hall")):
        with django_capture_on_commit_callbacks(execute=True):
            photo = media.upload_photo(session=sharing, data=images.jpeg(), filename=name, actor=organiser)
        photo.caption_en, photo.published, photo.people_consent = caption, True, True
        photo.save()
        photos.append(Photo.objects.get(pk=photo.pk))
    release = services.compose_release(reference_programme, actor=organiser, photos=photos)
    services.publish_release(release, actor=organiser)
    return PressRelease.objects.get(pk=release.pk), photos


def test_a_withdrawn_photo_leaves_the_published_release_and_its_files_stop_being_served(
    published_release, organiser
):
    release, (kept, withdrawn) = published_release
    page = Client().get(f"/news/{release.slug}/").content.decode()
    assert withdrawn.web_url in page and kept.web_url in page
    for url in files(withdrawn):
        assert Client().get(url).status_code == 200

    withdrawn.published = False
    media.update_photos(photos=[withdrawn], actor=organiser)

    page = Client().get(f"/news/{release.slug}/").content.decode()
    assert withdrawn.web_url not in page and kept.web_url in page
    api = Client().get(f"/api/v1/news/{release.slug}").json()
    assert [photo["caption"]["en"] for photo in api["photos"]] == ["Officials on stage"]
    docx = zipfile.ZipFile(io.BytesIO(exports.release_docx(release, "en")))
    document = docx.read("word/document.xml").decode()
    assert "Officials on stage" in document and "The hall" not in document
    assert len([name for name in docx.namelist() if name.startswith("word/media/")]) == 1
    for url in files(withdrawn):
        assert Client().get(url).status_code == 404  # not to the public …
    console = Client()
    console.force_login(organiser)
    assert console.get(withdrawn.web_url).status_code == 200  # … but to the programme's organisers
    assert Client().get(kept.web_url).status_code == 200


def test_a_photo_without_the_consent_of_the_people_shown_is_not_public(published_release):
    release, (_kept, photo) = published_release
    Photo.objects.filter(pk=photo.pk).update(people_consent=False)
    assert Client().get(photo.image.url).status_code == 404
    assert photo.web_url not in Client().get(f"/news/{release.slug}/").content.decode()


def test_nothing_else_in_the_data_dir_is_served(published_release, media_root):
    (media_root / "reports").mkdir(parents=True, exist_ok=True)
    (media_root / "reports" / "zoom.csv").write_text("Name,Email\nChan,chan@example.org\n")
    (media_root / "photos" / "stray.jpg").write_bytes(images.jpeg())
    assert Client().get("/media/reports/zoom.csv").status_code == 404
    assert Client().get("/media/photos/stray.jpg").status_code == 404
    assert Client().get("/media/photos/../reports/zoom.csv").status_code == 404
