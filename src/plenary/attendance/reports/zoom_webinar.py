"""Zoom webinar attendee reports.

A title line (``Attendee Report``), a summary block, then sections (``Host Details``, ``Panelist
Details``, ``Attendee Details``, sometimes ``Other Attended``), each with its own header. Attendees
who registered but did not come are listed with ``Attended`` = ``No`` and ``--`` for their times.
Only attendees are evidence; hosts, panelists and no-shows are counted as skipped.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.attendance.reports.common import (
    ParsedReport,
    ReportError,
    ReportRow,
    cell,
    find_columns,
    header_key,
    interval_row,
    is_blank,
    keys,
)

FORMAT = "zoom-webinar"

COLUMNS = {
    "attended": keys("Attended", "已出席", "是否出席", "出席"),
    "name": keys(
        "User Name (Original Name)",
        "User Name",
        "Name (Original Name)",
        "Name",
        "使用者名稱（原始名稱）",
        "用户名（原始名称）",
        "名稱",
    ),
    "first": keys("First Name", "名字", "名"),
    "last": keys("Last Name", "姓氏", "姓"),
    "email": keys("Email", "User Email", "電子郵件", "电子邮件", "邮箱"),
    "joined": keys("Join Time", "加入時間", "加入时间", "入会时间"),
    "left": keys("Leave Time", "離開時間", "离开时间", "离会时间"),
    "minutes": keys(
        "Time in Session (minutes)",
        "Time in Session",
        "Duration (Minutes)",
        "在會議中的時間（分鐘）",
        "在会话中的时间（分钟）",
    ),
    "reference": keys("Registrant ID", "Reference", "Registration reference"),
}
TITLE = keys("Attendee Report", "出席者報告", "参会者报告", "出席者报告")
ATTENDEE_SECTIONS = keys(
    "Attendee Details",
    "Other Attended",
    "出席者詳細資料",
    "出席者详细信息",
    "參與者詳細資料",
    "参会者详细信息",
)
OTHER_SECTIONS = keys(
    "Host Details",
    "Panelist Details",
    "主持人詳細資料",
    "主持人详细信息",
    "小組成員詳細資料",
    "嘉宾详细信息",
    "小组成员详细信息",
)
YES = keys("Yes", "是", "Y", "True")


def looks_like(rows: list[list[str]]) -> bool:
    for row in rows[:40]:
        first = header_key(row[0]) if row else ""
        if first in TITLE or first in ATTENDEE_SECTIONS or first in OTHER_SECTIONS:
            return True
        if {"attended", "joined"} <= find_columns(row, COLUMNS).keys():
            return True
    return False


def parse(rows: list[list[str]], zone: str) -> ParsedReport:
    report = ParsedReport(format=FORMAT)
    section = "attendee"  # an export cut down to the attendee table has no section titles
    columns: dict[str, int] | None = None
    header: list[str] = []
    seen_header = False
    for number, row in enumerate(rows, start=1):
        if is_blank(row):
            continue
        filled = [value for value in row if value.strip()]
        key = header_key(filled[0])
        if len(filled) == 1 and key in ATTENDEE_SECTIONS | OTHER_SECTIONS:
            section = "attendee" if key in ATTENDEE_SECTIONS else "other"
            columns = None
            continue
        if len(filled) <= 2 and (key in TITLE or columns is None):
            continue  # title, "Report Generated:" and similar lines
        found = find_columns(row, COLUMNS)
        if {"attended", "joined"} <= found.keys() and (
            "name" in found or "first" in found or "email" in found
        ):
            columns, header, seen_header = found, [header_key(value) for value in row], True
            continue
        if columns is None or [header_key(value) for value in row] == header:
            continue
        if section != "attendee" or header_key(cell(row, columns, "attended")) not in YES:
            report.skipped += 1
            continue
        name = cell(row, columns, "name") or " ".join(
            part for part in (cell(row, columns, "first"), cell(row, columns, "last")) if part
        )
        result = interval_row(
            number,
            name=name,
            email=cell(row, columns, "email"),
            joined_text=cell(row, columns, "joined"),
            left_text=cell(row, columns, "left"),
            minutes_text=cell(row, columns, "minutes"),
            reference=cell(row, columns, "reference"),
            zone=zone,
            raw=row,
        )
        (report.rows if isinstance(result, ReportRow) else report.rejected).append(result)
    if not seen_header:
        raise ReportError(_("No attendee table (Attended, name, join time) was found."))
    return report
