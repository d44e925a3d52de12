"""Webex attendee exports: UTF-16 tab-separated, one row per join, durations in minutes or hh:mm:ss."""

from __future__ import annotations

from plenary.attendance.reports import zoom
from plenary.attendance.reports.common import ParsedReport, find_columns, header_key, keys

FORMAT = "webex"

COLUMNS = {
    "name": keys(
        "Name", "Attendee Name", "Participant Name", "Display Name", "Attendee", "姓名", "名稱", "名称"
    ),
    "email": keys(
        "Email",
        "Attendee Email",
        "Email Address",
        "Participant Email",
        "電子郵件",
        "电子邮件",
        "電郵地址",
        "與會者電子郵件",
        "与会者电子邮件",
        "參加者電子郵件",
        "参加者电子邮件",
    ),
    "joined": keys("Join Time", "Joined", "Join time", "Start Time", "加入時間", "加入时间"),
    "left": keys("Leave Time", "Left", "Leave time", "End Time", "離開時間", "离开时间"),
    "minutes": keys(
        "Duration",
        "Attendance Duration",
        "Duration (mins)",
        "Duration (minutes)",
        "Attendance (mins)",
        "持續時間",
        "持续时间",
        "出席時間",
        "出席时间",
        "出席時間長度",
    ),
    "reference": keys("Registration ID", "Registrant ID", "Reference"),
}


def looks_like(rows: list[list[str]]) -> bool:
    for row in rows[:20]:
        columns = find_columns(row, COLUMNS)
        if {"name", "joined"} <= columns.keys() and any(
            header_key(cell)
            in keys(
                "Attendee Email",
                "Attendance Duration",
                "Attendee Name",
                "Attendee Type",
                "Network",
                "Client Type",
                "與會者電子郵件",
                "与会者电子邮件",
                "與會者類型",
                "与会者类型",
                "出席時間",
                "出席时间",
            )
            for cell in row
        ):
            return True
    return False


def parse(rows: list[list[str]], zone: str) -> ParsedReport:
    return zoom.parse_rows(rows, zone, format=FORMAT, columns_table=COLUMNS)
