"""check_in() and the desk's workflows against the real database."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.checkin import services
from plenary.checkin.models import CheckIn, DoorSettings, Scan
from plenary.core.models import AuditEntry
from plenary.registrations.models import Registration, new_pass_code

pytestmark = pytest.mark.django_db


def scan(registration_or_code, session, *, at=None, device="phone-a", event_id=None, actor=None):
    code = getattr(registration_or_code, "pass_code", registration_or_code)
    return services.check_in(
        code=code,
        session=session,
        client_event_id=event_id or uuid.uuid4(),
        scanned_at=at,
        device=device,
        actor=actor,
    )


def test_first_scan_checks_in_and_counts_minutes_from_the_scan_to_the_session_end(sharing, person, door):
    someone = person("Chan Tai Man", "陳大文")
    arrival = sharing.starts_at + timedelta(minutes=30)

    answer = scan(someone, sharing, at=arrival, actor=door)

    assert answer.result == "checked_in"
    assert answer.name == "Chan Tai Man 陳大文"
    assert answer.first_checked_in_at == arrival
    event = AttendanceEvent.objects.get(registration=someone, session=sharing)
    assert (event.source, event.kind, event.mode, event.started_at) == (
        "qr_scan",
        "presence",
        "in_person",
        arrival,
    )
    assert event.recorded_by == door
    attendance = Attendance.objects.get(registration=someone, session=sharing)
    assert attendance.minutes == int((sharing.ends_at - arrival).total_seconds() // 60) == 120
    assert attendance.mode == "in_person"


def test_a_second_scan_answers_already_checked_in_with_the_first_time(sharing, person):
    someone = person()
    first = sharing.starts_at - timedelta(minutes=12)
    scan(someone, sharing, at=first)

    again = scan(someone, sharing, at=first + timedelta(minutes=3), device="phone-a")
    other = scan(someone, sharing, at=first + timedelta(minutes=4), device="phone-b")

    assert (again.result, again.detail, again.first_checked_in_at) == ("already_checked_in", "", first)
    assert (other.result, other.detail) == ("already_checked_in", "other_device")
    assert CheckIn.objects.filter(registration=someone).count() == 1
    assert AttendanceEvent.objects.filter(registration=someone).count() == 1


def test_replaying_a_client_event_id_changes_nothing_and_returns_the_original_answer(sharing, person):
    someone = person()
    event_id = uuid.uuid4()
    first = scan(someone, sharing, event_id=event_id)
    scan(someone, sharing)  # a genuine second scan in between
    replay = scan(someone, sharing, event_id=event_id, at=sharing.starts_at - timedelta(hours=1))

    assert first.result == replay.result == "checked_in"
    assert replay.replayed and replay.first_checked_in_at == first.first_checked_in_at
    assert Scan.objects.filter(client_event_id=str(event_id)).count() == 1
    assert AttendanceEvent.objects.filter(registration=someone).count() == 1


def test_an_earlier_offline_scan_arriving_late_moves_the_first_check_in_earlier_without_counting_twice(
    sharing, person
):
    someone = person()
    online_scan = sharing.starts_at + timedelta(minutes=20)
    offline_scan = sharing.starts_at - timedelta(minutes=5)
    assert scan(someone, sharing, at=online_scan, device="phone-a").result == "checked_in"

    late = scan(someone, sharing, at=offline_scan, device="phone-b")

    assert (late.result, late.detail) == ("already_checked_in", "other_device")
    check_in = CheckIn.objects.get(registration=someone, session=sharing)
    assert check_in.first_scanned_at == offline_scan
    assert AttendanceEvent.objects.filter(registration=someone, kind="presence").count() == 2
    attendance = Attendance.objects.get(registration=someone, session=sharing)
    assert attendance.minutes == 150  # the whole session, once
    assert attendance.first_seen_at == offline_scan


@pytest.mark.parametrize(
    ("kwargs", "result", "detail"),
    [
        ({"mode": "online"}, "not_registered_for_session", "registered_online"),
        ({"seat": "waitlisted"}, "not_registered_for_session", "waitlisted"),
        ({"seat": "waitlisted", "status": "waitlisted"}, "not_registered_for_session", "waitlisted"),
        ({"status": "pending"}, "not_registered_for_session", "pending"),
        ({"seat": "cancelled"}, "cancelled", ""),
        ({"status": "cancelled"}, "cancelled", ""),
        ({"seat": None}, "not_registered_for_session", ""),
    ],
)
def test_people_without_a_confirmed_seat_in_the_room_are_not_checked_in(
    sharing, person, kwargs, result, detail
):
    someone = person(**kwargs)
    answer = scan(someone, sharing)
    assert (answer.result, answer.detail) == (result, detail)
    assert answer.name.startswith("Chan Tai Man")
    assert not CheckIn.objects.exists() and not AttendanceEvent.objects.exists()
    assert Scan.objects.get().result == result


@pytest.mark.parametrize(
    "code",
    [
        "",
        "P" + "x" * 27,
        "'; DROP TABLE registrations_registration; --",
        "陳大文",
        "A" * 10_000,
        "P\x00abcdef",
        None,
        12345,
        ["P123"],
        {"code": "x"},
    ],
)
def test_forged_or_malformed_codes_are_unknown(sharing, person, code):
    person()
    answer = scan(code, sharing)
    assert answer.result == "unknown_code" and answer.name == ""
    assert not CheckIn.objects.exists()


def test_a_code_from_another_programme_is_unknown(sharing, person, reference_programme):
    from plenary.programmes.models import Programme

    other = Programme.objects.create(
        slug="other", title_en="Other", starts_on="2023-01-01", ends_on="2023-01-02"
    )
    stranger = Registration.objects.create(programme=other, name_en="Stranger", email="s@example.org")
    assert scan(stranger, sharing).result == "unknown_code"


def test_a_rotated_pass_code_makes_the_old_pass_unknown(sharing, person):
    someone = person()
    old_code = someone.pass_code
    someone.pass_code = new_pass_code()
    someone.save()
    assert scan(old_code, sharing).result == "unknown_code"
    assert scan(someone.pass_code, sharing).result == "checked_in"


def test_sessions_that_ask_for_check_out_end_the_interval_on_the_second_scan(sharing, person):
    DoorSettings.objects.create(session=sharing, asks_for_check_out=True)
    someone = person()
    arrival = sharing.starts_at
    assert scan(someone, sharing, at=arrival).result == "checked_in"
    # A double scan at the door is not a check-out.
    assert scan(someone, sharing, at=arrival + timedelta(seconds=20)).result == "already_checked_in"
    out = scan(someone, sharing, at=arrival + timedelta(minutes=90))
    assert out.result == "checked_out"
    assert Attendance.objects.get(registration=someone, session=sharing).minutes == 90
    # Back in for the last half hour.
    assert scan(someone, sharing, at=arrival + timedelta(minutes=120)).result == "checked_in"
    assert Attendance.objects.get(registration=someone, session=sharing).minutes == 120


def test_undo_is_an_audited_correction_and_a_new_scan_counts_again(sharing, person, door):
    someone = person()
    scan(someone, sharing, at=sharing.starts_at)

    services.undo_check_in(registration=someone, session=sharing, actor=door, reason="Wrong person scanned")

    presence = AttendanceEvent.objects.get(registration=someone, kind="presence")
    void = AttendanceEvent.objects.get(registration=someone, kind="void")
    assert void.voids == presence and void.recorded_by == door and void.reason == "Wrong person scanned"
    assert Attendance.objects.get(registration=someone, session=sharing).minutes == 0
    assert AuditEntry.objects.filter(actor=door, summary__contains="Wrong person scanned").exists()
    assert CheckIn.objects.get(registration=someone).undone_at is not None
    with pytest.raises(ValidationError):
        services.undo_check_in(registration=someone, session=sharing, actor=door)

    later = sharing.starts_at + timedelta(minutes=50)
    answer = scan(someone, sharing, at=later)
    assert answer.result == "checked_in" and answer.first_checked_in_at == later
    assert Attendance.objects.get(registration=someone, session=sharing).minutes == 100


def test_a_batch_is_answered_earliest_first(sharing, person):
    someone = person()
    later, earlier = sharing.starts_at + timedelta(minutes=5), sharing.starts_at - timedelta(minutes=5)
    answers = services.check_in_batch(
        [
            {"code": someone.pass_code, "client_event_id": uuid.uuid4(), "scanned_at": later},
            {"code": someone.pass_code, "client_event_id": uuid.uuid4(), "scanned_at": earlier},
        ],
        session=sharing,
        device="phone-c",
    )
    assert [answer.result for answer in answers] == ["already_checked_in", "checked_in"]
    assert CheckIn.objects.get().first_scanned_at == earlier


def test_a_large_offline_sync_counts_each_pass_once_and_recomputes_attendance(
    sharing, person, django_capture_on_commit_callbacks
):
    people = [person() for _ in range(services.INLINE_RECOMPUTE + 5)]
    already = people[0]
    scan(already, sharing, at=sharing.starts_at)
    undone = people[1]
    scan(undone, sharing, at=sharing.starts_at)
    services.undo_check_in(registration=undone, session=sharing, actor=None)
    repeated_id = uuid.uuid4()
    queue = [
        {
            "code": registration.pass_code,
            "client_event_id": uuid.uuid4(),
            "scanned_at": sharing.starts_at - timedelta(minutes=index % 20),
        }
        for index, registration in enumerate(people)
    ]
    queue += [
        {
            "code": people[5].pass_code,
            "client_event_id": repeated_id,
            "scanned_at": sharing.starts_at + timedelta(minutes=1),
        },
        {
            "code": people[5].pass_code,
            "client_event_id": repeated_id,
            "scanned_at": sharing.starts_at + timedelta(minutes=1),
        },
        {"code": "Pnot-a-real-pass-code", "client_event_id": uuid.uuid4(), "scanned_at": None},
    ]

    with django_capture_on_commit_callbacks(execute=True):
        answers = services.check_in_batch(queue, session=sharing, device="phone-z")

    results = [answer.result for answer in answers]
    assert (
        results[0] == "already_checked_in" and answers[0].detail == "other_device"
    )  # scanned at the door by another device
    assert results[1 : len(people)] == ["checked_in"] * (len(people) - 1)  # the undone one counts afresh
    assert results[-3:] == ["already_checked_in", "already_checked_in", "unknown_code"]
    assert answers[-2].replayed
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == len(people)
    assert Scan.objects.count() == 2 + len(people) + 2
    assert Attendance.objects.filter(session=sharing, minutes=150).count() == len(people)

    again = services.check_in_batch(queue, session=sharing, device="phone-z")
    assert [answer.result for answer in again] == results
    assert CheckIn.objects.filter(undone_at__isnull=True).count() == len(people)
