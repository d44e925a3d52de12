"""Privacy (issue 14): HKID numbers refused however they are typed, in every free-text field and at the
desk; private-link pages neither indexed nor cached; tokens out of audit snapshots; photos without
comments or metadata; the door roster without online-only people."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from PIL import Image

from plenary.core.models import AuditEntry
from plenary.core.privacy import looks_like_hkid
from plenary.registrations import services
from tests.checkin.conftest import door, person  # noqa: F401  (fixtures)

HKIDS = [
    "A123456(7)",
    "A123456[7]",
    "A123456-7",
    "Ａ１２３４５６（７）",
    "a 123456 (7)",
    "AB987654{A}",
    "Z123456 7",
]
NOT_HKIDS = ["S12345", "Chan Tai Man", "Room 1234567", "2024-11-27", "陳大文", "A12345(7)"]


@pytest.mark.parametrize("text", HKIDS)
def test_hkid_numbers_are_found_however_they_are_typed(text):
    assert looks_like_hkid(f"my id {text} thanks")


@pytest.mark.parametrize("text", NOT_HKIDS)
def test_ordinary_text_is_not_an_hkid(text):
    assert not looks_like_hkid(text)


@pytest.fixture
def sharing(reference_programme):
    return reference_programme.sessions.select_related("programme", "venue").get(kind="sharing")


@pytest.mark.parametrize("field", ["name_en", "name_zh", "post", "organisation"])
@pytest.mark.parametrize("hkid", ["A123456[7]", "Ａ１２３４５６（７）", "A123456-7"])
def test_the_registration_api_refuses_hkid_numbers_in_any_field(
    api_as, organiser, reference_programme, field, hkid
):
    body = {
        "name_en": "Chan Tai Man",
        "email": "chan@example.org",
        "organisation": "Some NGO",
        "mode": "in_person",
        "consent_pics": True,
    }
    body[field] = f"{body.get(field, '')} {hkid}".strip()
    response = api_as(organiser).post(f"/api/v1/programmes/{reference_programme.slug}/registrations", body)
    assert response.status_code == 422, response.content[:300]
    assert "identity card" in json.dumps(response.json())


@pytest.mark.parametrize("field", ["name_en", "name_zh", "organisation_name"])
def test_the_desk_walk_in_refuses_hkid_numbers(door, sharing, field):  # noqa: F811
    client = Client()
    client.force_login(door)
    data = {
        "action": "walk_in",
        "name_en": "Walk In",
        "name_zh": "",
        "email": "walkin@example.org",
        "organisation_name": "",
        "consent_pics": "on",
    }
    data[field] = (data[field] + " Ａ１２３４５６（７）").strip()
    response = client.post(f"/checkin/{sharing.pk}/desk/", data)
    assert response.status_code == 200
    assert "identity card" in response.content.decode()
    assert not sharing.programme.registrations.filter(email="walkin@example.org").exists()


def test_token_pages_are_neither_indexed_nor_cached(person, sharing):  # noqa: F811
    registration = person()
    client = Client()
    for path in (
        f"/me/{registration.token}/",
        f"/zh-hant/me/{registration.token}/",
        f"/me/{registration.token}/calendar.ics",
        f"/j/{registration.token}/{sharing.pk}/",
        f"/j/{registration.token}/{sharing.pk}/watch/",
        "/me/no-such-token/",
    ):
        response = client.get(path)
        assert response.status_code < 500, path
        assert "noindex" in response.get("X-Robots-Tag", ""), path
        assert response.get("Cache-Control") == "private, no-store", path


def test_audit_snapshots_hold_no_token_or_pass_code(person, organiser):  # noqa: F811
    registration = person()
    services.update_details(registration, {"post": "Manager"}, actor=organiser)
    registration.refresh_from_db()
    entry = AuditEntry.objects.order_by("-pk").first()
    stored = json.dumps([entry.before, entry.after, entry.summary, entry.object_repr])
    assert "Manager" in stored
    assert registration.token not in stored and registration.pass_code not in stored


def test_photo_comments_and_metadata_are_stripped(
    reference_programme, organiser, sharing, settings, tmp_path
):
    from plenary.media import services as media

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    image = Image.new("RGB", (400, 300), "red")
    exif = Image.Exif()
    exif[0x010F] = "SecretCam Maker"  # Make
    image.save(buffer, "JPEG", comment=b"taken at 22 Secret Road by Mr Private", exif=exif.tobytes())
    original = buffer.getvalue()
    assert b"Secret Road" in original and b"SecretCam" in original
    photo = media.upload_photo(session=sharing, data=original, filename="a.jpg", actor=organiser)
    photo.refresh_from_db()
    with photo.image.open("rb") as file:
        stored = file.read()
    assert stored[:2] == b"\xff\xd8"
    assert b"Secret Road" not in stored and b"SecretCam" not in stored
    assert b"\xff\xfe" not in stored.split(b"\xff\xda")[0]  # no COM segment before the image data


def test_the_door_roster_holds_in_person_seats_only(api_as, door, sharing, person):  # noqa: F811
    in_room = person("In Room")
    online = person("Online Only", mode="online")
    roster = api_as(door).get(f"/api/v1/sessions/{sharing.pk}/roster").json()
    names = {entry["name_en"] for entry in roster["entries"]}
    assert "In Room" in names and "Online Only" not in names
    assert online.pass_code not in json.dumps(roster) and in_room.pass_code in json.dumps(roster)
