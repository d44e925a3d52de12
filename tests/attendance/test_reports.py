"""Each meeting-report format, with its quirks, parses into the right rows (pure, no database)."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime

import pytest

from plenary.attendance import reports
from plenary.attendance.reports.common import normalise_name, parse_minutes, parse_time
from tests.attendance.conftest import fixture_bytes

HK = "Asia/Hong_Kong"


def utc(hour, minute, second=0):
    return datetime(2022, 11, 20, hour, minute, second, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "format", "rows", "rejected", "skipped"),
    [
        ("zoom_participants.csv", "zoom", 10, 1, 0),
        ("zoom_participants_zh.csv", "zoom", 2, 0, 0),
        ("zoom_webinar.csv", "zoom-webinar", 3, 0, 3),
        ("teams_attendance.csv", "teams", 4, 0, 0),
        ("teams_participants_zh.csv", "teams", 2, 0, 0),
        ("teams_legacy.csv", "teams", 3, 1, 0),
        ("webex_attendees.csv", "webex", 3, 0, 0),
    ],
)
def test_each_fixture_is_detected_and_parsed(name, format, rows, rejected, skipped):
    report = reports.parse(fixture_bytes(name), zone=HK)
    assert report.format == format
    assert (len(report.rows), len(report.rejected), report.skipped) == (rows, rejected, skipped)


def test_zoom_reads_the_meeting_block_original_names_and_references():
    report = reports.parse(fixture_bytes("zoom_participants.csv"), zone=HK)
    assert report.meeting["topic"] == "Lecture 1"
    assert report.meeting["start"] == utc(6, 20, 5)
    phone = next(row for row in report.rows if row.name == "Siu Ling's iPhone")
    assert phone.other_names == ["Lee Siu Ling"]
    assert (phone.joined, phone.left) == (utc(7, 0), utc(8, 20))
    assert next(row for row in report.rows if row.name == "何凱欣").reference == "RHKHY2345"
    assert "not a time" in report.rejected[0].reason


def test_localised_zoom_keeps_the_first_of_duplicated_headers_and_skips_repeated_header_lines():
    report = reports.parse(fixture_bytes("zoom_participants_zh.csv"), zone=HK)
    first, second = report.rows
    assert (first.name, first.email) == ("陳嘉欣", "")
    assert (second.joined, second.left) == (utc(6, 30), utc(7, 30))  # 下午 02:30 in Hong Kong


def test_teams_prefers_per_join_activities_and_reads_utf16_and_durations():
    report = reports.parse(fixture_bytes("teams_attendance.csv"), zone=HK)
    chan = [row for row in report.rows if row.name == "Chan Ka Yan"]
    assert [(row.joined, row.left) for row in chan] == [(utc(6, 30), utc(7, 30)), (utc(7, 35), utc(8, 30))]


def test_teams_participants_only_uses_first_join_plus_duration():
    report = reports.parse(fixture_bytes("teams_participants_zh.csv"), zone=HK)
    lee = report.rows[0]
    assert (lee.name, lee.joined, lee.left) == ("李小玲", utc(6, 35), utc(8, 15, 10))


def test_legacy_teams_pairs_joins_and_leaves_and_closes_open_joins_at_the_meeting_end():
    report = reports.parse(fixture_bytes("teams_legacy.csv"), zone=HK)
    chan = [(row.joined, row.left) for row in report.rows if row.name == "Chan Ka Yan"]
    assert chan == [(utc(6, 30), utc(7, 0)), (utc(7, 10), utc(8, 41, 30))]
    assert "Left" in report.rejected[0].reason


def test_the_format_can_be_chosen_and_a_wrong_choice_is_a_clear_error():
    assert reports.parse(fixture_bytes("webex_attendees.csv"), format="zoom", zone=HK).format == "zoom"
    with pytest.raises(reports.ReportError, match="attendee table"):
        reports.parse(fixture_bytes("zoom_participants.csv"), format="zoom-webinar", zone=HK)


def test_times_are_read_in_the_declared_zone():
    report = reports.parse(fixture_bytes("webex_attendees.csv"), zone="UTC")
    assert report.rows[0].joined == utc(14, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7/22/26, 7:02:11 PM", datetime(2026, 7, 22, 11, 2, 11, tzinfo=UTC)),
        ("2026/7/22 下午7:02:11", datetime(2026, 7, 22, 11, 2, 11, tzinfo=UTC)),
        ("22/07/2026 19:02", datetime(2026, 7, 22, 11, 2, tzinfo=UTC)),
        ("2026-07-22T11:02:11Z", datetime(2026, 7, 22, 11, 2, 11, tzinfo=UTC)),
        ("12/01/2026 12:05:00 AM", datetime(2026, 11, 30, 16, 5, tzinfo=UTC)),
        ("--", None),
        ("13/13/2026 10:00", None),
    ],
)
def test_parse_time(text, expected):
    assert parse_time(text, HK) == expected


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("122", 122),
        ("1h 27m 51s", 87.85),
        ("1 小時 40 分鐘", 100),
        ("01:27:51", 87.85),
        ("87 mins", 87),
        ("45s", 0.75),
    ],
)
def test_parse_minutes(text, minutes):
    assert parse_minutes(text) == pytest.approx(minutes)


def test_names_ignore_case_spacing_punctuation_and_order_but_chinese_is_exact():
    assert normalise_name("MEI-KUEN, LAU") == normalise_name("Lau  Mei Kuen")
    assert normalise_name("陳 嘉欣") == "陳嘉欣" != normalise_name("陳嘉")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        ("Name,Join Time\nChan,\xe9t\xe9".encode("latin-1"), "encoding"),
        (b"\xff\xfeN\x00a\x00m", "encoding"),  # UTF-16 cut in the middle of a character
        (b"Order,Amount\n1,2\n", "does not look like"),
        (b"PK\x03\x04truncated", "damaged"),
        (b"\x00\x01\x02" * 100, "not a text file"),
    ],
)
def test_malformed_files_give_a_clear_error(data, message):
    with pytest.raises(reports.ReportError, match=message):
        reports.parse(data, zone=HK)


def test_a_spreadsheet_bomb_is_refused_before_it_is_opened():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (200 * 1024 * 1024))
    with pytest.raises(reports.ReportError, match="unreasonable size"):
        reports.parse(buffer.getvalue(), zone=HK)


def test_a_real_spreadsheet_export_is_read():
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"])
    sheet.append(
        [
            "Chan Ka Yan",
            "kayan.chan@example.org",
            datetime(2022, 11, 20, 14, 30),
            datetime(2022, 11, 20, 15, 0),
            30,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    report = reports.parse(buffer.getvalue(), zone=HK)
    assert (report.format, report.rows[0].joined) == ("zoom", utc(6, 30))
