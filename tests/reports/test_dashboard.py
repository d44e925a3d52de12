"""The dashboard page in both languages, who may open it, and its XLSX export with the same figures."""

from __future__ import annotations

import io
import re

from django.test import Client
from openpyxl import load_workbook

URL = "/manage/p/stats-programme/dashboard/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cells(html: str, row_header: str) -> list[str]:
    """The data cells of the table row whose header is ``row_header``."""
    match = re.search(rf'<th scope="row">{re.escape(row_header)}</th>(.*?)</tr>', html, re.S)
    assert match, f"no row {row_header!r}"
    return re.findall(r'<td class="number">(.*?)</td>', match.group(1), re.S)


def test_the_dashboard_shows_the_hand_computed_figures_in_english(stats):
    response = signed_in(stats["organiser"]).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html
    assert cells(html, "Confirmed") == ["4"]
    assert cells(html, "Waiting list") == ["0"]
    assert cells(html, "Cancelled") == ["1"]
    assert cells(html, "In person") == ["3"]
    assert cells(html, "Agency Alpha") == ["2"]
    assert cells(html, "Other agencies and none named") == ["1"]
    # Minutes tables, one per session: lecture 0, 0, 1, 0, 2 and sharing 0, 0, 1, 1, 1.
    for label, counts in [("0–24 % of the session", ["0", "0"]), ("50–74 % of the session", ["1", "1"])]:
        assert [cells(part, label)[0] for part in html.split("<h3>")[1:]] == counts
    assert [cells(part, "all of the session")[0] for part in html.split("<h3>")[1:]] == ["2", "1"]
    # Headline boxes: completion and certificates.
    assert "<dt>Eligible for a certificate</dt><dd>2 / 4</dd>" in html
    assert "<dt>Certificates issued</dt><dd>2</dd>" in html
    assert "<dt>Completion rate</dt><dd>50.0 %</dd>" in html
    assert "<dt>Average rating (1–5)</dt><dd>4.00</dd>" in html
    # Each chart is a named image with its figures in words, beside a table.
    charts = re.findall(r'<svg class="report-chart"[^>]*role="img"[^>]*aria-labelledby="([^"]+)"', html)
    assert len(charts) == 7  # over time, status, mode, agency, present per session, minutes × 2
    for labelled_by in charts:
        title, desc = labelled_by.split()
        assert f'<title id="{title}">' in html and f'<desc id="{desc}">' in html
    assert "Confirmed: 4; Waiting list: 0" in html
    assert "dashboard.css" in html
    assert 'href="/manage/p/stats-programme/dashboard/figures.xlsx"' in html


def test_the_dashboard_in_chinese(stats):
    response = signed_in(stats["organiser"]).get("/zh-hant" + URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-Hant' in html
    assert "儀表板" in html
    assert cells(html, "甲機構") == ["2"]
    assert "合資格獲發證書" in html
    assert "Registrations by status" not in html
    assert 'href="/zh-hant/manage/p/stats-programme/dashboard/figures.xlsx"' in html


def test_only_the_programmes_organisers_see_it(stats):
    assert signed_in(stats["outsider"]).get(URL).status_code == 404
    assert signed_in(stats["outsider"]).get(URL + "figures.xlsx").status_code == 404
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_console_leads_to_the_dashboard(stats):
    client = signed_in(stats["organiser"])
    assert 'href="/manage/p/stats-programme/dashboard/"' in client.get("/manage/").content.decode()
    assert (
        'href="/manage/p/stats-programme/dashboard/"'
        in client.get("/manage/p/stats-programme/").content.decode()
    )


def test_the_export_holds_every_figure(stats):
    response = signed_in(stats["organiser"]).get(URL + "figures.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [
        "Summary",
        "By status",
        "By mode",
        "By agency",
        "By day",
        "Sessions",
        "Minutes",
    ]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Registrations"] == "5"
    assert summary["Eligible for a certificate"] == "2 / 4"
    assert summary["Certificates issued"] == "2"
    status = dict(book["By status"].iter_rows(min_row=2, values_only=True))
    assert status == {"Pending approval": 0, "Confirmed": 4, "Waiting list": 0, "Cancelled": 1, "Rejected": 0}
    agencies = list(book["By agency"].iter_rows(min_row=2, values_only=True))
    assert agencies == [("Agency Alpha", 2), ("Agency Beta", 1), ("Other agencies and none named", 1)]
    days = list(book["By day"].iter_rows(min_row=2, values_only=True))
    assert days[-1][2] == 5
    sessions = list(book["Sessions"].iter_rows(min_row=2, values_only=True))
    assert [row[:9] for row in sessions] == [
        ("Lecture", 4, 0, 4, 0, 2, 2, 0, 0),
        ("Sharing", 3, 2, 1, 2, 0, 2, 1, 0),
    ]
    assert sessions[0][9:] == (2, 100, 4)
    minutes = list(book["Minutes"].iter_rows(min_row=2, values_only=True))
    assert minutes == [("Lecture", 0, 0, 1, 0, 2), ("Sharing", 0, 0, 1, 1, 1)]


def test_the_export_in_chinese(stats):
    response = signed_in(stats["organiser"]).get("/zh-hant" + URL + "figures.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert "按狀態" in book.sheetnames
