"""A registrations export asked for in Chinese has Chinese column names and values: no "waitlisted",
"nominated" or "True" (issue 18). The English export keeps the codes other systems read."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from plenary.registrations import services
from tests.registrations.conftest import applicant
from tests.registrations.test_agency import signed_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    from django.utils import translation

    yield
    translation.activate("en")


CODES = {
    "waitlisted",
    "confirmed",
    "nominated",
    "self",
    "in_person",
    "online",
    "True",
    "False",
    "status",
    "source",
}


def test_the_chinese_export_speaks_chinese(small_programme, people):
    for n in range(3):
        services.register(small_programme, applicant(n, news_opt_in=True))
    services.nominate(
        small_programme, applicant(9), coordinator=people["coordinator_a"], agency=people["agency_a"]
    )
    client = signed_in(people["organiser"])
    workbook = load_workbook(
        io.BytesIO(client.get(f"/zh-hant/manage/p/{small_programme.slug}/registrations/export.xlsx").content)
    )
    cells = {
        str(cell) for row in workbook.active.iter_rows(values_only=True) for cell in row if cell is not None
    }
    assert not cells & CODES, cells & CODES
    assert "候補名單" in cells  # the waiting seat, in words
    assert "是" in cells
    english = client.get(f"/manage/p/{small_programme.slug}/registrations/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(english.streaming_content).decode("utf-8-sig"))))
    assert {row["status"] for row in rows} >= {"confirmed"}
