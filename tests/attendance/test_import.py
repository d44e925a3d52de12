"""Importing meeting reports: hand-checked minutes per person, idempotence, corrections, review."""

from __future__ import annotations

import pytest

from plenary.attendance import services
from plenary.attendance.models import Attendance, AttendanceEvent, AttendanceImport, NameAlias
from plenary.core.models import AuditEntry
from tests.attendance.conftest import fixture_bytes, minutes_of

pytestmark = pytest.mark.django_db


def test_zoom_participants_give_the_union_of_each_persons_rows(lecture, people, organiser):
    outcome = services.import_meeting_report(
        lecture, fixture_bytes("zoom_participants.csv"), actor=organiser, file_name="zoom.csv"
    )
    batch = outcome.batch
    assert (batch.format, batch.rows, batch.matched) == ("zoom", 11, 6)
    assert [row["name"] for row in batch.unmatched_rows] == ["LWB Host", "Visitor Unknown"]
    assert [row["line"] for row in batch.rejected_rows] == [15]
    assert minutes_of(people, lecture) == {
        "kayan": 120,  # joined early, left late: clipped to the session
        "waiman": 117,  # 14:30–15:10 and 15:12:30–16:30 (a rejoin)
        "siuling": 109,  # laptop 14:31–16:00 and phone 15:00–16:20 overlap: 14:31–16:20
        "chikeung": 70,  # "Katie Cheung (Cheung Chi Keung)": matched by the original name
        "meikuen": 105,  # "MEI-KUEN, LAU": order, case and punctuation ignored
        "hoiyan": 115,  # her reference typed into her name
    }
    present = dict(Attendance.objects.filter(session=lecture).values_list("registration__email", "present"))
    assert present["chikeung.cheung@example.org"] is False  # 70 < 96 (80 % of 120)
    assert present["meikuen.lau@example.org"] is True
    assert batch.file.read().startswith(b"Meeting ID")
    assert AuditEntry.objects.filter(action="create", object_type="attendance import").count() == 1


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zoom_participants_zh.csv", {"kayan": 110, "waiman": 60}),
        ("zoom_webinar.csv", {"kayan": 120, "waiman": 60}),
        ("teams_attendance.csv", {"kayan": 115, "waiman": 87}),
        ("teams_participants_zh.csv", {"siuling": 100, "chikeung": 60}),
        ("teams_legacy.csv", {"kayan": 110, "waiman": 90}),
        ("webex_attendees.csv", {"kayan": 120, "chikeung": 110}),
    ],
)
def test_each_format_imports_with_the_right_minutes(lecture, people, name, expected):
    services.import_meeting_report(lecture, fixture_bytes(name))
    assert minutes_of(people, lecture) == expected


def test_sources_add_up_as_a_union_never_a_sum(lecture, people):
    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    services.import_meeting_report(lecture, fixture_bytes("webex_attendees.csv"))
    minutes = minutes_of(people, lecture)
    assert minutes["kayan"] == 120
    assert minutes["chikeung"] == 110  # 14:40–16:30 from Webex covers Zoom's 15:00–16:10


def test_the_same_file_twice_is_recognised_and_changes_nothing(lecture, people):
    first = services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    events = AttendanceEvent.objects.count()
    again = services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    assert again.duplicate and again.batch == first.batch
    assert AttendanceEvent.objects.count() == events
    assert AttendanceImport.objects.count() == 1


def test_a_corrected_export_replaces_the_earlier_import_of_that_session_and_source(lecture, people):
    original = services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv")).batch
    corrected = b"\r\n".join(
        line for line in fixture_bytes("zoom_participants.csv").split(b"\r\n") if b"03:12:30 PM" not in line
    )
    outcome = services.import_meeting_report(lecture, corrected)
    assert outcome.replaced == [original]
    original.refresh_from_db()
    assert original.replaced_by == outcome.batch and original.events.count() == 0
    assert minutes_of(people, lecture)["waiman"] == 40  # the rejoin row is gone
    assert AttendanceEvent.objects.filter(source="meeting_report").count() == 7


def test_an_organisers_match_is_remembered_for_later_imports(lecture, people, organiser, reference_programme):
    batch = services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv")).batch
    visitor = next(row for row in batch.unmatched_rows if row["name"] == "Visitor Unknown")
    assert services.resolve_unmatched(batch, visitor["line"], people["meikuen"], actor=organiser) == 1
    batch.refresh_from_db()
    assert [row["name"] for row in batch.unmatched_rows] == ["LWB Host"]
    assert NameAlias.objects.get().key == "visitor@example.com"
    assert minutes_of(people, lecture)["meikuen"] == 110  # 14:40–15:00 joins her 14:45–16:30
    lecture2 = reference_programme.sessions.get(title_en__startswith="Lecture 2")
    report = b"Name,User Email,Join Time,Leave Time,Duration (Minutes)\r\nVisitor Unknown,VISITOR@example.com,11/22/2022 02:30:00 PM,11/22/2022 03:00:00 PM,30\r\n"
    later = services.import_meeting_report(lecture2, report).batch
    assert (later.matched, later.unmatched_rows) == (1, [])
    assert Attendance.objects.get(session=lecture2, registration=people["meikuen"]).minutes == 30


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("Name,Join Time,Leave Time\nChan,\xe9t\xe9,x".encode("latin-1"), "encoding"),
        (b"Order,Amount\n1,2\n", "does not look like"),
        (
            b"Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\r\n",
            "no attendance rows",
        ),
        (b"Name,Join Time,Leave Time\r\nChan,yesterday,today\r\n", "None of the rows"),
        (b"PK\x03\x04\x14\x00\x00\x00", "damaged"),
    ],
)
def test_a_malformed_file_gets_a_clear_message_and_changes_nothing(lecture, people, data, message):
    with pytest.raises(services.ImportFailed, match=message):
        services.import_meeting_report(lecture, data)
    assert AttendanceImport.objects.count() == 0
    assert AttendanceEvent.objects.count() == 0
    assert Attendance.objects.count() == 0


def test_an_unknown_time_zone_is_refused(lecture, people):
    with pytest.raises(services.ImportFailed, match="not a known time zone"):
        services.import_meeting_report(lecture, fixture_bytes("webex_attendees.csv"), tz="Mars/Olympus")


def test_times_are_read_in_a_declared_zone(lecture, people):
    # Read as UTC, the Webex times fall at 22:30–00:30 Hong Kong time: outside the lecture.
    services.import_meeting_report(lecture, fixture_bytes("webex_attendees.csv"), tz="UTC")
    assert set(Attendance.objects.filter(session=lecture).values_list("minutes", flat=True)) == {0}


def test_an_adjustment_is_an_audited_event_with_a_reason(lecture, people, organiser):
    services.import_meeting_report(lecture, fixture_bytes("zoom_participants.csv"))
    attendance = services.adjust_minutes(
        people["chikeung"], lecture, minutes=100, reason="Joined by phone dial-in", actor=organiser
    )
    assert (attendance.minutes, attendance.present) == (100, True)
    event = AttendanceEvent.objects.get(kind="adjust")
    assert (event.reason, event.recorded_by) == ("Joined by phone dial-in", organiser)
    entry = AuditEntry.objects.get(action="update", object_type="attendance event")
    assert (entry.before, entry.after["minutes"]) == ({"minutes": 70}, 100)
    with pytest.raises(services.ImportFailed):
        services.adjust_minutes(people["chikeung"], lecture, minutes=10, reason=" ", actor=organiser)
