"""Microsoft Teams attendance reports.

The current form: UTF-16 tab-separated (despite ``.csv``), numbered sections with localised titles
(``1. Summary``, ``2. Participants``, ``3. In-Meeting Activities``), times like ``7/22/26, 7:02:11
PM`` and durations like ``1h 27m 51s``. The per-join activities are used when present; otherwise
each participant's first join plus their in-meeting duration (never beyond their last leave).

The older form: a ``Meeting Summary`` block, then ``Full Name / User Action / Timestamp`` lines
(``Joined``, ``Joined before``, ``Left``), paired per person in order.
"""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from plenary.attendance.reports.common import (
    ParsedReport,
    RejectedRow,
    ReportError,
    ReportRow,
    cell,
    find_columns,
    find_reference,
    header_key,
    interval_row,
    is_blank,
    keys,
    parse_time,
    split_name,
)

FORMAT = "teams"

NAME = keys("Name", "Full Name", "名稱", "名称", "姓名", "全名", "參與者", "参与者")
EMAIL = keys("Email", "電子郵件", "电子邮件", "電子郵件地址", "Participant ID (UPN)")
PARTICIPANTS = {
    "name": NAME,
    "email": EMAIL,
    "first": keys("First Join", "First join", "第一次加入", "首次加入", "首次加入時間", "最初加入"),
    "last": keys("Last Leave", "Last leave", "最後離開", "最后离开", "上次離開", "最後離開時間"),
    "minutes": keys(
        "In-Meeting Duration",
        "In-meeting duration",
        "Duration",
        "會議中持續時間",
        "会议中持续时间",
        "會議持續時間",
        "持續時間",
        "持续时间",
    ),
}
ACTIVITIES = {
    "name": NAME,
    "email": EMAIL,
    "joined": keys("Join Time", "Join time", "加入時間", "加入时间"),
    "left": keys("Leave Time", "Leave time", "離開時間", "离开时间"),
    "minutes": keys("Duration", "持續時間", "持续时间", "時間長度"),
}
LEGACY = {
    "name": keys("Full Name", "全名", "名稱", "姓名", "Name"),
    "action": keys("User Action", "Activity", "使用者動作", "用户操作", "使用者活動", "用户活动"),
    "time": keys("Timestamp", "時間戳記", "时间戳", "時間戳", "Time"),
}
SUMMARY_END = keys(
    "Meeting End Time", "End time", "End Time", "會議結束時間", "结束时间", "結束時間", "会议结束时间"
)
SUMMARY_START = keys(
    "Meeting Start Time", "Start time", "Start Time", "會議開始時間", "开始时间", "開始時間", "会议开始时间"
)
JOIN_ACTIONS = keys("Joined", "Joined before", "已加入", "加入", "之前已加入", "先前已加入")
LEAVE_ACTIONS = keys("Left", "已離開", "离开", "離開", "已离开")
SECTION_RE = re.compile(r"^\s*\d+\s*[.、．]\s*\S")


def looks_like(rows: list[list[str]]) -> bool:
    for row in rows[:60]:
        columns = find_columns(row, PARTICIPANTS)
        if {"name", "first"} <= columns.keys():
            return True
        if {"name", "action", "time"} <= find_columns(row, LEGACY).keys():
            return True
    numbered = [
        row for row in rows[:60] if row and SECTION_RE.match(row[0]) and len([c for c in row if c]) == 1
    ]
    return len(numbered) >= 2


def parse(rows: list[list[str]], zone: str) -> ParsedReport:
    for row in rows[:80]:
        if {"name", "action", "time"} <= find_columns(row, LEGACY).keys():
            return parse_legacy(rows, zone)
    return parse_sections(rows, zone)


def _summary_times(rows: list[list[str]], zone: str) -> dict:
    meeting = {}
    for row in rows[:40]:
        if len(row) >= 2 and row[1].strip():
            key = header_key(row[0])
            if key in SUMMARY_START:
                meeting["start"] = parse_time(row[1], zone)
            elif key in SUMMARY_END:
                meeting["end"] = parse_time(row[1], zone)
    return meeting


def parse_sections(rows: list[list[str]], zone: str) -> ParsedReport:
    participants = ParsedReport(format=FORMAT)
    activities = ParsedReport(format=FORMAT)
    meeting = _summary_times(rows, zone)
    target, columns, header = None, None, []
    for number, row in enumerate(rows, start=1):
        if is_blank(row):
            continue
        filled = [value for value in row if value.strip()]
        if len(filled) == 1 and SECTION_RE.match(filled[0]):
            target, columns = None, None
            continue
        keys_of_row = [header_key(value) for value in row]
        found = find_columns(row, ACTIVITIES)
        if {"name", "joined", "left"} <= found.keys():
            target, columns, header = activities, found, keys_of_row
            continue
        found = find_columns(row, PARTICIPANTS)
        if {"name", "first"} <= found.keys():
            target, columns, header = participants, found, keys_of_row
            continue
        if target is None or keys_of_row == header:
            continue
        if target is activities:
            result = interval_row(
                number,
                name=cell(row, columns, "name"),
                email=cell(row, columns, "email"),
                joined_text=cell(row, columns, "joined"),
                left_text=cell(row, columns, "left"),
                minutes_text=cell(row, columns, "minutes"),
                zone=zone,
                raw=row,
            )
        else:
            duration = cell(row, columns, "minutes")
            result = interval_row(
                number,
                name=cell(row, columns, "name"),
                email=cell(row, columns, "email"),
                joined_text=cell(row, columns, "first"),
                left_text="" if duration else cell(row, columns, "last"),
                minutes_text=duration,
                zone=zone,
                raw=row,
            )
            last = parse_time(cell(row, columns, "last"), zone)
            if isinstance(result, ReportRow) and last is not None and result.left > last:
                result.left = last
        (target.rows if isinstance(result, ReportRow) else target.rejected).append(result)
    report = activities if (activities.rows or activities.rejected) else participants
    if columns is None and not (
        participants.rows or participants.rejected or activities.rows or activities.rejected
    ):
        raise ReportError(_("No participants table (name, first join, duration) was found."))
    report.meeting = meeting
    return report


def parse_legacy(rows: list[list[str]], zone: str) -> ParsedReport:
    report = ParsedReport(format=FORMAT)
    meeting = _summary_times(rows, zone)
    columns = None
    open_joins: dict[str, tuple[int, object, str]] = {}
    last_seen = None
    for number, row in enumerate(rows, start=1):
        if is_blank(row):
            continue
        if columns is None:
            found = find_columns(row, LEGACY)
            if {"name", "action", "time"} <= found.keys():
                columns = found
            continue
        name = cell(row, columns, "name")
        action = header_key(cell(row, columns, "action"))
        moment = parse_time(cell(row, columns, "time"), zone)
        raw = "\t".join(row)
        if not name:
            report.rejected.append(RejectedRow(number, gettext_noop("No name."), raw))
            continue
        if moment is None:
            report.rejected.append(
                RejectedRow(
                    number,
                    gettext_noop("The time “%(value)s” is not a date and time."),
                    raw,
                    {"value": cell(row, columns, "time")},
                )
            )
            continue
        last_seen = max(last_seen, moment) if last_seen else moment
        if action in JOIN_ACTIONS:
            open_joins.setdefault(name, (number, moment, name))
        elif action in LEAVE_ACTIONS:
            if name not in open_joins:
                report.rejected.append(
                    RejectedRow(number, gettext_noop("“Left” without an earlier “Joined”."), raw)
                )
                continue
            line, joined, _name = open_joins.pop(name)
            report.rows.append(_legacy_row(line, name, joined, moment))
        else:
            report.rejected.append(
                RejectedRow(
                    number,
                    gettext_noop("Unknown action “%(value)s”."),
                    raw,
                    {"value": cell(row, columns, "action")},
                )
            )
    end = meeting.get("end") or last_seen
    for name, (line, joined, _name) in open_joins.items():
        # Still in the meeting when the report was taken: present until the meeting ended.
        report.rows.append(_legacy_row(line, name, joined, max(end, joined)))
    if columns is None:
        raise ReportError(_("No Full Name / User Action / Timestamp table was found."))
    report.rows.sort(key=lambda row: row.line)
    report.meeting = meeting
    return report


def _legacy_row(line, name, joined, left) -> ReportRow:
    display, others = split_name(name)
    return ReportRow(
        line=line,
        name=display,
        other_names=others,
        joined=joined,
        left=left,
        minutes=round((left - joined) / timedelta(minutes=1), 2),
        reference=find_reference(name),
    )
