"""The Chinese console shows words, not codes: attendance sources and modes, audit field names (issue 18)."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.attendance.test_console_api_command import fixture_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.activate("en")


RAW = re.compile(
    r"\b(?:qr_scan|meeting_report|join_link|stream_heartbeat|in_person|online|body_en|min_percent|True|False)\b"
)


def organiser() -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="organiser"))
    return client


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)  # attributes (class names, data-*) are not shown


def test_the_attendance_matrix_in_chinese_has_no_codes(lecture, people, reference_programme):
    from plenary.attendance import services

    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    page = organiser().get(f"/zh-hant/manage/p/{reference_programme.slug}/attendance/").content.decode()
    text = visible_text(page)
    assert "陳嘉欣" in text
    assert not RAW.search(text), RAW.search(text).group(0)
    assert "會議報告" in text or "Meeting report" not in text


def test_the_audit_log_in_chinese_names_fields_in_chinese(reference_programme):
    from plenary.certificates import services as certificates
    from plenary.programmes.services import save

    rule = certificates.ensure_rule(reference_programme)
    rule.min_percent = 70
    user = get_user_model().objects.get(username="organiser")
    save(rule, actor=user)
    page = organiser().get(f"/zh-hant/manage/p/{reference_programme.slug}/audit/").content.decode()
    text = visible_text(page)
    assert "min_percent" not in text and "certificate rule" not in text
    english = visible_text(organiser().get(f"/manage/p/{reference_programme.slug}/audit/").content.decode())
    assert "min_percent" not in english


def test_the_import_review_reasons_are_in_chinese(lecture, people, reference_programme):
    from plenary.attendance import services

    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    page = (
        organiser()
        .get(f"/zh-hant/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/")
        .content.decode()
    )
    text = visible_text(page)
    assert "No registrant has this email or name." not in text
    assert "Several registrants have this name." not in text


def test_rejected_rows_imported_in_english_read_in_chinese_on_the_chinese_console(
    lecture, people, reference_programme
):
    """A report imported while English was active (the API, a command, a pull) keeps each rejected row's reason
    as its message and values: the Chinese console shows it in Chinese, the API still in English."""
    from django.utils import translation

    from plenary.attendance import services

    with translation.override("en"):
        batch = services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv")).batch
    (rejected,) = batch.rejected_rows
    assert rejected["reason"] == "The join time “not a time” is not a date and time."
    page = (
        organiser()
        .get(
            f"/zh-hant/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/?import={batch.pk}"
        )
        .content.decode()
    )
    text = visible_text(page)
    assert "加入時間「not a time」不是日期及時間。" in text
    assert "is not a date and time" not in text
    english = visible_text(
        organiser()
        .get(f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/?import={batch.pk}")
        .content.decode()
    )
    assert "The join time “not a time” is not a date and time." in english
