"""Report dialects: every date format, day/month order from the file's own evidence, header variants,
encodings. Each fixture is a small hand-written export; the minutes asserted were worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from plenary.attendance import reports, services
from plenary.attendance.models import AttendanceImport
from plenary.attendance.reports.common import parse_time
from plenary.core.models import AuditEntry
from tests.attendance.conftest import fixture_bytes, minutes_of

HK = "Asia/Hong_Kong"


def hk(day, hour, minute, month=11):
    return datetime(2022, month, day, hour, minute, tzinfo=ZoneInfo(HK))


# (file, detected format, day/month order found, rows as (name, join in Hong Kong, minutes))
DIALECTS = [
    (
        "zoom_named_months.csv",  # "Nov 20, 2022 14:31:00", newer lower-case headers, UTF-8 without BOM
        "zoom",
        "auto",
        [
            ("Chan Ka Yan", hk(20, 14, 31), 90),
            ("Wong Wai Man", hk(20, 14, 40), 30),
            ("Wong Wai Man", hk(20, 15, 20), 40),
        ],
    ),
    (
        "zoom_day_first.csv",  # "20/11/2022 14:30", UTF-8 with BOM, meeting block
        "zoom",
        "DM",
        [("Chan Ka Yan", hk(20, 14, 30), 75), ("Lee Siu Ling", hk(20, 14, 35), 115)],
    ),
    (
        "zoom_webinar_day_first_header.csv",  # rows 05/11/2022 settled by the header's "13/11/2022"
        "zoom-webinar",
        "DM",
        [("Chan Ka Yan", hk(5, 14, 30), 90), ("Wong Wai Man", hk(5, 15, 0), 90)],
    ),
    (
        "teams_zh_utf16.csv",  # UTF-16 with BOM, Chinese sections, "2022/11/20 下午 02:31:00"
        "teams",
        "auto",
        [("陳嘉欣", hk(20, 14, 31), 30), ("陳嘉欣", hk(20, 15, 11), 50), ("黃偉文", hk(20, 14, 30), 120)],
    ),
    (
        "teams_en_gb.csv",  # "20/11/2022, 14:40:00", "First join"/"In-meeting duration" spelling
        "teams",
        "DM",
        [("Lee Siu Ling", hk(20, 14, 40), 100), ("Cheung Chi Keung", hk(20, 14, 30), 90)],
    ),
    (
        "webex_zh.csv",  # UTF-16, Chinese headers, "2022年11月20日 下午3:00"
        "webex",
        "auto",
        [("陳嘉欣", hk(20, 14, 30), 90), ("張志強", hk(20, 15, 0), 90)],
    ),
    (
        "webex_iso.csv",  # ISO 8601 with Z and with +08:00
        "webex",
        "auto",
        [("Lau Mei Kuen", hk(20, 14, 30), 45), ("Ho Hoi Yan", hk(20, 14, 45), 90)],
    ),
    (
        "webex_attendees.csv",  # "11/20/2022 2:30 PM", month first
        "webex",
        "MD",
        [
            ("Chan Ka Yan", hk(20, 14, 30), 120),
            ("Cheung Chi Keung", hk(20, 14, 40), 60),
            ("Cheung Chi Keung", hk(20, 15, 30), 60),
        ],
    ),
]


@pytest.mark.parametrize(("name", "format", "order", "expected"), DIALECTS)
def test_each_dialect_gives_the_hand_checked_rows(name, format, order, expected):
    report = reports.parse(fixture_bytes(name), zone=HK)
    assert (report.format, report.date_order, report.rejected) == (format, order, [])
    assert [
        (row.name, row.joined, (row.left - row.joined).total_seconds() / 60) for row in report.rows
    ] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nov 26, 2030 14:31:00", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("November 26 2030 2:31 PM", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("26 Nov 2030 14:31", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("Tue, Nov 26, 2030 2:31:00 PM", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("11/26/2030 02:31:00 PM", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("26/11/2030 14:31", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("2030-11-26T14:31:00+08:00", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("2030/11/26 下午 02:31:00", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("2030年11月26日 14:31", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("2030年11月26日 星期二 下午2:31", datetime(2030, 11, 26, 6, 31, tzinfo=UTC)),
        ("2030/11/26 晚上 08:00", datetime(2030, 11, 26, 12, 0, tzinfo=UTC)),
        ("Smarch 26, 2030 14:31", None),
    ],
)
def test_every_vendor_date_format_reads(text, expected):
    assert parse_time(text, HK) == expected


def test_the_organisers_date_order_is_followed_and_impossible_dates_refused():
    assert parse_time("05/11/2030 14:31", HK, "DM") == datetime(2030, 11, 5, 6, 31, tzinfo=UTC)
    assert parse_time("05/11/2030 14:31", HK, "MD") == datetime(2030, 5, 11, 6, 31, tzinfo=UTC)
    assert parse_time("11/26/2030 14:31", HK, "DM") is None


def test_dates_that_read_either_way_are_asked_about_not_guessed():
    with pytest.raises(reports.AmbiguousDates, match="05/11/2022"):
        reports.parse(fixture_bytes("zoom_ambiguous.csv"), zone=HK)
    day_first = reports.parse(fixture_bytes("zoom_ambiguous.csv"), zone=HK, date_order="DM")
    month_first = reports.parse(fixture_bytes("zoom_ambiguous.csv"), zone=HK, date_order="MD")
    assert day_first.rows[0].joined == hk(5, 14, 30)
    assert month_first.rows[0].joined == hk(11, 14, 30, month=5)


def test_a_date_that_contradicts_the_files_order_is_a_rejected_row_not_a_guess():
    data = fixture_bytes("zoom_day_first.csv").replace(b"20/11/2022 15:45", b"11/20/2022 15:45")
    report = reports.parse(data, zone=HK)
    assert [row.name for row in report.rows] == ["Lee Siu Ling"]
    assert "11/20/2022 15:45" in report.rejected[0].reason


def test_a_version_number_is_not_taken_for_a_date():
    data = (
        fixture_bytes("zoom_day_first.csv")
        .replace(b",Guest", b",Guest,Version")
        .replace(b",No\r\n", b",No,5.16.10 (26186)\r\n")
    )
    report = reports.parse(data, zone=HK)
    assert (report.date_order, report.rows[0].joined) == ("DM", hk(20, 14, 30))


def test_a_header_that_names_the_date_format_decides():
    data = fixture_bytes("zoom_ambiguous.csv").replace(b"Join Time,", b"Join Time (DD/MM/YYYY),")
    assert reports.parse(data, zone=HK).rows[0].joined == hk(5, 14, 30)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zoom_named_months.csv", {"kayan": 90, "waiman": 70}),
        ("zoom_day_first.csv", {"kayan": 75, "siuling": 115}),
        ("teams_zh_utf16.csv", {"kayan": 80, "waiman": 120}),
        ("teams_en_gb.csv", {"siuling": 100, "chikeung": 90}),
        ("webex_zh.csv", {"kayan": 90, "chikeung": 90}),
        ("webex_iso.csv", {"meikuen": 45, "hoiyan": 90}),
    ],
)
def test_each_dialect_imports_to_the_hand_checked_minutes(lecture, people, name, expected):
    services.import_meeting_report(lecture, fixture_bytes(name), file_name=name)
    assert minutes_of(people, lecture) == expected


def test_the_sessions_own_date_settles_an_ambiguous_file_and_otherwise_the_organiser_is_asked(
    lecture, people
):
    with pytest.raises(services.ImportFailed, match="day first or month first"):
        services.import_meeting_report(lecture, fixture_bytes("zoom_ambiguous.csv"))
    assert not AttendanceImport.objects.exists()
    services.import_meeting_report(lecture, fixture_bytes("zoom_ambiguous.csv"), date_order="DM")
    assert minutes_of(people, lecture) == {"kayan": 0, "siuling": 0}  # 5 November is not this lecture's day

    lecture.starts_at, lecture.ends_at = hk(5, 14, 30), hk(5, 16, 30)
    lecture.save()
    AttendanceImport.objects.all().delete()
    outcome = services.import_meeting_report(lecture, fixture_bytes("zoom_ambiguous.csv"))
    assert outcome.batch.matched == 2
    assert minutes_of(people, lecture) == {"kayan": 75, "siuling": 115}


def test_a_replaced_file_may_come_back_and_each_replacement_is_audited(lecture, people):
    first = services.import_meeting_report(lecture, fixture_bytes("zoom_day_first.csv")).batch
    corrected = fixture_bytes("zoom_day_first.csv").replace(b"20/11/2022 15:45,75", b"20/11/2022 16:15,105")
    second = services.import_meeting_report(lecture, corrected)
    assert not second.duplicate and second.replaced == [first]
    assert minutes_of(people, lecture) == {"kayan": 105, "siuling": 115}
    again = services.import_meeting_report(lecture, fixture_bytes("zoom_day_first.csv"))
    assert not again.duplicate and again.replaced == [second.batch]
    assert minutes_of(people, lecture) == {"kayan": 75, "siuling": 115}
    assert services.import_meeting_report(lecture, fixture_bytes("zoom_day_first.csv")).duplicate
    replacements = AuditEntry.objects.filter(action=AuditEntry.Action.UPDATE, summary__contains="replaced by")
    assert sorted(int(entry.object_id) for entry in replacements) == sorted([first.pk, second.batch.pk])
    assert all(entry.after["replaced_by"] for entry in replacements)


def test_a_personal_join_link_followed_just_before_matches_a_nameless_row(lecture, people):
    services.record_join(people["meikuen"], lecture, hk(20, 14, 43))
    services.record_join(people["hoiyan"], lecture, hk(20, 15, 30))
    services.record_join(people["siuling"], lecture, hk(20, 15, 31))  # two clicks in one window: no match
    report = (
        b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n"
        b"iPad,,11/20/2022 02:45:00 PM,11/20/2022 04:15:00 PM,90\r\n"
        b"Guest 2,,11/20/2022 03:32:00 PM,11/20/2022 04:02:00 PM,30\r\n"
        b"Guest 3,,11/20/2022 04:00:00 PM,11/20/2022 04:10:00 PM,10\r\n"
    )
    batch = services.import_meeting_report(lecture, report).batch
    assert batch.matched == 1
    assert sorted(row["name"] for row in batch.unmatched_rows) == ["Guest 2", "Guest 3"]
    assert minutes_of(people, lecture)["meikuen"] == 90
    event = batch.events.get()
    assert (event.registration_id, event.evidence["matched_by"]) == (people["meikuen"].pk, "join_link")


def test_the_console_and_the_api_ask_for_the_date_order_and_take_the_answer(
    client, api_as, organiser, lecture, people, reference_programme
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(organiser)
    url = f"/manage/p/{reference_programme.slug}/attendance/sessions/{lecture.pk}/"

    def form(**fields):
        upload = SimpleUploadedFile("ambiguous.csv", fixture_bytes("zoom_ambiguous.csv"), "text/csv")
        return client.post(url, {"file": upload, "format": "auto", "tz": HK, **fields}, follow=True)

    page = form().content.decode()
    assert "could be day first or month first" in page and "Date order" in page
    assert AttendanceImport.objects.count() == 0
    zh = client.post(
        f"/zh-hant{url}",
        {
            "file": SimpleUploadedFile("a.csv", fixture_bytes("zoom_ambiguous.csv")),
            "format": "auto",
            "tz": HK,
        },
    ).content.decode()
    assert "可以是日在前，也可以是月在前" in zh
    assert "Import report: ambiguous.csv" in form(date_order="DM").content.decode()
    assert AttendanceImport.objects.get().rows == 2

    api = api_as(organiser)
    body = {
        "file": SimpleUploadedFile("b.csv", fixture_bytes("zoom_ambiguous.csv").replace(b"14:30", b"14:31"))
    }
    refused = api.client.post(f"/api/v1/sessions/{lecture.pk}/attendance-imports", body, headers=api.headers)
    assert refused.status_code == 422 and "day first or month first" in refused.json()["detail"]
    body = {
        "file": SimpleUploadedFile("b.csv", fixture_bytes("zoom_ambiguous.csv").replace(b"14:30", b"14:31")),
        "date_order": "MD",
    }
    created = api.client.post(f"/api/v1/sessions/{lecture.pk}/attendance-imports", body, headers=api.headers)
    assert created.status_code == 201
