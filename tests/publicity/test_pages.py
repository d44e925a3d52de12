"""The console composes, edits and publishes; the public sees published releases, in both languages and as files."""

from __future__ import annotations

import io

import docx
import pytest
from django.test import Client
from pypdf import PdfReader

from plenary.media import services as media_services
from plenary.media.models import Photo
from plenary.programmes.models import Session
from plenary.publicity import services
from plenary.publicity.models import PressRelease
from tests.media.images import jpeg
from tests.publicity.test_compose import add_registrants

pytestmark = pytest.mark.django_db


@pytest.fixture
def console(organiser):
    client = Client()
    client.force_login(organiser)
    return client


@pytest.fixture
def photo(reference_programme, django_capture_on_commit_callbacks):
    sharing = reference_programme.sessions.get(kind=Session.Kind.SHARING)
    with django_capture_on_commit_callbacks(execute=True):
        photo = media_services.upload_photo(session=sharing, data=jpeg(), filename="hall.jpg")
    Photo.objects.filter(pk=photo.pk).update(
        caption_en="Participants at the summary and sharing session.",
        caption_zh="總結分享會的參加者。",
        photographer="Sample Studio",
        published=True,
        people_consent=True,
    )
    photo.refresh_from_db()
    return photo


def test_organiser_composes_edits_previews_and_publishes(console, reference_programme, photo):
    add_registrants(reference_programme, 150)
    base = f"/manage/p/{reference_programme.slug}/releases/"
    assert console.get(base).status_code == 200
    response = console.post(base)
    release = PressRelease.objects.get()
    assert response.status_code == 302 and response.url == f"{base}{release.pk}/"
    assert list(release.ordered_photos()) == [photo]
    assert "Photo shows participants at the summary and sharing session." in release.body_en
    assert "More than 100 people registered." in release.body_en  # "overwhelming" only from 1 000

    edit = console.get(f"{base}{release.pk}/")
    assert edit.status_code == 200
    sun = reference_programme.speakers.get(name_en="Chris Sun")
    form = {
        "title_en": release.title_en,
        "title_zh": release.title_zh,
        "body_en": release.body_en + "\n\nAn extra paragraph written by staff.",
        "body_zh": release.body_zh,
        "photos": [str(photo.pk)],
        f"remark_{sun.pk}_en": "Mr Sun thanked the participants.",
        f"remark_{sun.pk}_zh": "孫玉菡感謝各參加者。",
    }
    assert console.post(f"{base}{release.pk}/", form).status_code == 302
    release.refresh_from_db()
    assert release.body_en.endswith("An extra paragraph written by staff.")
    assert release.remarks.get().text_zh == "孫玉菡感謝各參加者。"
    console.post(f"{base}{release.pk}/", {**form, "recompose": "1"})
    release.refresh_from_db()
    assert "Mr Sun thanked the participants." in release.paragraphs("en")
    assert "An extra paragraph written by staff." not in release.body_en

    assert Client().get(f"/news/{release.slug}/").status_code == 404
    preview = console.get(f"{base}{release.pk}/preview/")
    assert preview.status_code == 200 and "Mr Sun thanked the participants." in preview.content.decode()

    console.post(f"{base}{release.pk}/publish/")
    release.refresh_from_db()
    assert release.is_published and release.published_at

    public = Client()
    listing = public.get("/news/").content.decode()
    assert release.title_en in listing
    page = public.get(f"/news/{release.slug}/").content.decode()
    assert "Mr Sun thanked the participants." in page
    assert photo.web.url in page and photo.thumbnail.url in page
    assert f"/photos/{photo.pk}/request-removal/" in page
    chinese = public.get(f"/zh-hant/news/{release.slug}/").content.decode()
    assert 'lang="zh-Hant-HK"' in chinese
    assert release.title_zh in chinese and "總結分享會的參加者。" in chinese

    console.post(f"{base}{release.pk}/publish/", {"action": "unpublish"})
    assert public.get(f"/news/{release.slug}/").status_code == 404


def test_outsider_cannot_compose(outsider, reference_programme):
    client = Client()
    client.force_login(outsider)
    assert client.post(f"/manage/p/{reference_programme.slug}/releases/").status_code == 404
    assert PressRelease.objects.count() == 0


def published(programme, photos=()) -> PressRelease:
    release = services.compose_release(programme, photos=list(photos))
    return services.publish_release(release)


def test_release_exports_as_pdf_with_an_embedded_chinese_font(reference_programme, photo):
    add_registrants(reference_programme, 2046)
    release = published(reference_programme, [photo])
    english = Client().get(f"/news/{release.slug}/release.pdf")
    assert english.status_code == 200 and english["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(english.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "more than 2 000 registrants" in text

    chinese = Client().get(f"/zh-hant/news/{release.slug}/release.pdf")
    reader = PdfReader(io.BytesIO(chinese.content))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get("/FontDescriptor")
            if descriptor is not None:
                descriptor = descriptor.get_object()
                fonts.append(
                    (str(font["/BaseFont"]), any(k in descriptor for k in ("/FontFile2", "/FontFile")))
                )
    assert any("PlenaryCJK" in name or "WenQuanYi" in name for name, _embedded in fonts), fonts
    assert all(embedded for _name, embedded in fonts)
    text = "".join(page.extract_text() for page in reader.pages)
    assert "勞工及福利局局長孫玉菡先生" in text.replace("\n", "")
    assert len(reader.pages[-1].images) + sum(len(p.images) for p in reader.pages[:-1]) == 1


def test_release_exports_as_a_word_document(reference_programme, photo):
    release = published(reference_programme, [photo])
    response = Client().get(f"/zh-hant/news/{release.slug}/release.docx")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]
    assert paragraphs[0] == release.title_zh
    assert "圖示總結分享會的參加者。" in paragraphs
    assert len(document.inline_shapes) == 1
    assert Client().get(f"/news/{release.slug}/release.exe").status_code == 404


def test_api_composes_for_organisers_and_serves_published_news(
    api_as, organiser, outsider, reference_programme, photo
):
    add_registrants(reference_programme, 2046)
    url = f"/api/v1/programmes/{reference_programme.slug}/press-releases"
    assert api_as(None).post(url, {}).status_code == 401
    assert api_as(outsider).post(url, {}).status_code == 403
    assert api_as(organiser).post("/api/v1/programmes/nope/press-releases", {}).status_code == 404
    response = api_as(organiser).post(url, {})
    assert response.status_code == 201
    body = response.json()
    assert "more than 2 000 registrants" in body["body"]["en"]
    assert "超過2 000名" in body["body"]["zh_hant"]
    assert body["title"]["zh_hant"].endswith("（附圖）")
    assert body["status"] == "draft"

    news = f"/api/v1/news/{body['slug']}"
    assert api_as(None).get(news).status_code == 404
    services.publish_release(PressRelease.objects.get(slug=body["slug"]))
    public = api_as(None).get(news)
    assert public.status_code == 200
    photos = public.json()["photos"]
    assert photos == [
        {
            "id": photo.pk,
            "url": f"http://testserver{photo.web.url}",
            "thumbnail_url": f"http://testserver{photo.thumbnail.url}",
            "caption": {
                "en": "Participants at the summary and sharing session.",
                "zh_hant": "總結分享會的參加者。",
            },
            "photographer": "Sample Studio",
        }
    ]
