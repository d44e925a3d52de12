"""People who appear in the meeting-report fixtures, registered for the reference programme."""

from __future__ import annotations

from pathlib import Path

import pytest

from plenary.registrations.models import Registration

FIXTURES = Path(__file__).parent / "fixtures"

PEOPLE = [
    ("kayan", "Chan Ka Yan", "陳嘉欣", "kayan.chan@example.org", None),
    ("waiman", "Wong Wai Man", "黃偉文", "waiman.wong@example.org", None),
    ("siuling", "Lee Siu Ling", "李小玲", "siuling.lee@example.org", None),
    ("chikeung", "Cheung Chi Keung", "張志強", "chikeung.cheung@example.org", None),
    ("meikuen", "Lau Mei Kuen", "劉美娟", "meikuen.lau@example.org", None),
    ("hoiyan", "Ho Hoi Yan", "何凱欣", "hoiyan.ho@example.org", "RHKHY2345"),
]


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.fixture
def lecture(reference_programme):
    """Lecture 1: 20 November 2022, 14:30–16:30 Hong Kong time (120 minutes; 96 needed)."""
    return reference_programme.sessions.get(title_en__startswith="Lecture 1")


@pytest.fixture
def people(reference_programme):
    made = {}
    for key, name_en, name_zh, email, reference in PEOPLE:
        extra = {"reference": reference} if reference else {}
        made[key] = Registration.objects.create(
            programme=reference_programme, name_en=name_en, name_zh=name_zh, email=email, **extra
        )
    return made


def minutes_of(people, session) -> dict[str, int]:
    from plenary.attendance.models import Attendance

    by_id = {registration.pk: key for key, registration in people.items()}
    return {
        by_id[row.registration_id]: row.minutes
        for row in Attendance.objects.filter(session=session, registration_id__in=by_id)
        if row.minutes or row.sources
    }
