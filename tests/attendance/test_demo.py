"""The demo step fills the five lectures through the real import code, deterministically."""

from __future__ import annotations

import random

import pytest

from plenary.attendance.models import Attendance, AttendanceImport
from plenary.registrations.models import Registration
from plenary.site.demo import DemoContext, person_name
from plenary.site.demo import attendance as demo

pytestmark = pytest.mark.django_db


def test_demo_attendance_has_full_stays_late_joins_and_dropouts_in_four_formats(reference_programme):
    rng = random.Random(7)
    for index in range(120):
        name_en, name_zh = person_name(rng)
        Registration.objects.create(
            programme=reference_programme,
            name_en=name_en,
            name_zh=name_zh,
            email=f"person{index}@example.org",
        )
    context = DemoContext(programme=reference_programme, rng=random.Random(1), registrants=120, seed=2022)
    demo.load(context)
    imports = AttendanceImport.objects.all()
    assert sorted({batch.format for batch in imports}) == ["teams", "webex", "zoom", "zoom-webinar"]
    assert imports.count() == 5
    lectures = reference_programme.sessions.filter(kind="lecture")
    for lecture in lectures:
        minutes = list(Attendance.objects.filter(session=lecture).values_list("minutes", flat=True))
        assert max(minutes) == 120  # full stays
        assert any(40 <= value < 96 for value in minutes)  # late joins and dropouts
        assert sum(value >= 96 for value in minutes) > len(minutes) // 2
    assert any(batch.unmatched_rows for batch in imports)  # guests and ambiguous names to review
    before = sorted(Attendance.objects.values_list("registration_id", "session_id", "minutes"))
    demo.load(DemoContext(programme=reference_programme, rng=random.Random(1), registrants=120, seed=2022))
    assert AttendanceImport.objects.count() == 5
    assert sorted(Attendance.objects.values_list("registration_id", "session_id", "minutes")) == before
