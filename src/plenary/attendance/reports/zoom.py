"""Zoom meeting participant exports.

Shapes seen in the field: an optional meeting-info block (``Meeting ID,Topic,Start Time,…`` and one
line of values) followed by a blank line; then ``Name (Original Name),User Email,Join Time,Leave
Time,Duration (Minutes),…`` with one row per join. Rejoins and second devices give overlapping rows;
durations are rounded up; times carry no zone. Headers may be localised or duplicated, and some
exports repeat the header line part-way down.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.attendance.reports.common import (
    ParsedReport,
    ReportError,
    ReportRow,
    cell,
    find_columns,
    interval_row,
    is_blank,
    keys,
    parse_time,
)

FORMAT = "zoom"

COLUMNS = {
    "name": keys(
        "Name (Original Name)",
        "Name (original name)",
        "User Name (Original Name)",
        "Name",
        "User Name",
        "Participant",
        "名稱（原始名稱）",
        "名称（原始名称）",
        "名稱",
        "名称",
        "姓名",
        "參與者",
        "参会者",
    ),
    "email": keys(
        "User Email", "Email", "使用者電子郵件", "使用者電郵", "用户邮箱", "電子郵件", "电子邮件", "電郵"
    ),
    "joined": keys("Join Time", "Join time", "加入時間", "加入时间", "入会时间", "入會時間"),
    "left": keys("Leave Time", "Leave time", "離開時間", "离开时间", "离会时间", "離會時間"),
    "minutes": keys(
        "Duration (Minutes)",
        "Duration (minutes)",
        "Duration",
        "持續時間（分鐘）",
        "持续时间（分钟）",
        "时长（分钟）",
        "時長（分鐘）",
    ),
    "reference": keys("Registrant ID", "Registrant reference", "Reference", "登記編號"),
}
MEETING = {
    "meeting_id": keys("Meeting ID", "會議 ID", "会议 ID", "會議ID", "会议ID"),
    "topic": keys("Topic", "主題", "主题"),
    "start": keys("Start Time", "開始時間", "开始时间"),
    "end": keys("End Time", "結束時間", "结束时间"),
}


def is_participant_header(row: list[str]) -> bool:
    columns = find_columns(row, COLUMNS)
    return {"name", "joined"} <= columns.keys() and ("left" in columns or "minutes" in columns)


def parse_rows(rows: list[list[str]], zone: str, *, format: str = FORMAT, columns_table=None) -> ParsedReport:
    """Rows after a header line, any header repeats skipped; used by Zoom and by Webex."""
    columns_table = columns_table or COLUMNS
    report = ParsedReport(format=format)
    columns: dict[str, int] | None = None
    header_raw: list[str] = []
    expect_meeting_values = None
    for number, row in enumerate(rows, start=1):
        if is_blank(row):
            continue
        if expect_meeting_values is not None:
            report.meeting = {
                name: parse_time(row[index], zone) if name in ("start", "end") else row[index]
                for name, index in expect_meeting_values.items()
                if index < len(row)
            }
            expect_meeting_values = None
            continue
        if columns is None:
            meeting = find_columns(row, MEETING)
            if {"meeting_id", "topic"} <= meeting.keys():
                expect_meeting_values = meeting
                continue
            found = find_columns(row, columns_table)
            if {"name", "joined"} <= found.keys() and ("left" in found or "minutes" in found):
                columns, header_raw = found, row
            continue
        if row == header_raw:
            continue  # the header again, part-way down
        result = interval_row(
            number,
            name=cell(row, columns, "name"),
            email=cell(row, columns, "email"),
            joined_text=cell(row, columns, "joined"),
            left_text=cell(row, columns, "left"),
            minutes_text=cell(row, columns, "minutes"),
            reference=cell(row, columns, "reference"),
            zone=zone,
            raw=row,
        )
        if isinstance(result, ReportRow):
            report.rows.append(result)
        else:
            report.rejected.append(result)
    if columns is None:
        raise ReportError(_("No participant header (name, join time, leave time) was found."))
    return report


def parse(rows: list[list[str]], zone: str) -> ParsedReport:
    return parse_rows(rows, zone)
