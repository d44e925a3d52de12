"""The coordinator's record across programmes: only their agency's nominations, past programmes included,
with attendance, certificates and CPD hours per staff member (page and CSV)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from plenary.certificates import services as certificates
from plenary.organisations.models import Membership
from plenary.programmes.models import Session
from plenary.registrations import services as registrations
from tests.registrations.conftest import make_programme

URL = "/agency/record/"


@pytest.fixture
def record(stats):
    """CPD hours on the stats programme's sessions (2 + 3), certificates re-issued (r1: 5 hours), and a
    current programme where Alpha nominated r1 again."""
    Session.objects.filter(pk=stats["lecture"].pk).update(cpd_hours=Decimal("2"))
    Session.objects.filter(pk=stats["sharing"].pk).update(cpd_hours=Decimal("3"))
    certificates.issue_certificates(stats["programme"])
    User = get_user_model()
    coordinator_a = stats["coordinator_a"]
    coordinator_b = User.objects.create_user("stats-coord-b", password="x-pass-12345")
    Membership.objects.create(
        user=coordinator_b, organisation=stats["beta"], role=Membership.Role.COORDINATOR
    )
    current = make_programme(slug="next-programme")
    registrations.nominate(
        current,
        registrations.Applicant(email="one@example.org", name_en="one", consent_pics=True),
        coordinator=coordinator_a,
        agency=stats["alpha"],
    )
    return {**stats, "coordinator_b": coordinator_b, "current": current}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_record_lists_current_and_past_programmes_with_figures(record):
    from plenary.reports.selectors import agency_record

    rows, people = agency_record(record["coordinator_a"], record["alpha"])
    assert [
        (row.programme.slug, row.nominees, row.confirmed, row.attended, row.certificates, row.hours)
        for row in rows
    ] == [
        ("next-programme", 1, 1, 0, 0, 0),
        # r1 and r2 nominated and present at one session at least; only r1 earned a certificate (5 hours).
        ("stats-programme", 2, 2, 2, 1, Decimal("5")),
    ]
    assert [(p["registration__email"], p["programmes"], p["hours"]) for p in people] == [
        ("one@example.org", 1, Decimal("5"))
    ]


def test_the_page_and_the_csv(record):
    client = signed_in(record["coordinator_a"])
    html = client.get(URL).content.decode()
    assert "Stats programme" in html and "Small programme" in html
    assert 'href="/agency/record/cpd.csv?agency=' in html
    assert 'href="/agency/record/?agency=' in client.get("/agency/").content.decode()
    response = client.get(URL + "cpd.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Email", "Name (English)", "Name (Chinese)", "Programmes", "CPD hours"],
        ["one@example.org", "one", "", "1", "5.00"],
    ]


def test_the_page_in_chinese(record):
    html = signed_in(record["coordinator_a"]).get("/zh-hant" + URL).content.decode()
    assert "本機構紀錄" in html and "統計課程" in html


def test_a_coordinator_sees_only_their_agency(record):
    client = signed_in(record["coordinator_b"])
    html = client.get(URL).content.decode()
    # Beta's only registration was added by an organiser: not a nomination, not Beta's coordinator's to see.
    assert "Stats programme" not in html and "one@example.org" not in html
    assert client.get(URL, {"agency": record["alpha"].pk}).status_code == 404
    assert client.get(URL + "cpd.csv", {"agency": record["alpha"].pk}).status_code == 404
    assert client.get(URL, {"agency": "x"}).status_code == 404
    assert signed_in(record["organiser"]).get(URL).status_code == 403
    assert Client().get(URL).status_code == 302


def test_one_programme_of_the_record_shows_seats_attendance_and_certificates(record):
    from plenary.certificates.models import Certificate

    client = signed_in(record["coordinator_a"])
    assert 'href="/agency/record/p/stats-programme/?agency=' in client.get(URL).content.decode()
    html = client.get(URL + "p/stats-programme/").content.decode()
    r1 = record["people"][0]
    serial = Certificate.objects.get(registration=r1, state="valid").serial
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>(.*?)</tr>', html, re.S))
    assert set(rows) == {"one", "two"}  # Alpha's nominations only: not r3 (Beta), r4 or r5
    assert "120 minutes · present" in rows["one"] and "180 minutes · present" in rows["one"]
    assert f"{serial} · 5 CPD hours" in rows["one"]
    assert "60 minutes" in rows["two"] and "150 minutes · present" in rows["two"]
    assert "In person · Confirmed" in rows["two"]
    assert rows["two"].rstrip().endswith("<td>—</td>")  # no certificate


def test_a_programme_without_the_agencys_nominees_reveals_nothing(record):
    assert signed_in(record["coordinator_b"]).get(URL + "p/stats-programme/").status_code == 404
    client = signed_in(record["coordinator_a"])
    assert client.get(URL + "p/no-such-programme/").status_code == 404
    assert client.get(URL + "p/stats-programme/", {"agency": record["beta"].pk}).status_code == 404
