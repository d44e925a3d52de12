"""Figures read from indexes (everyone's attendance less that of registrations that no longer stand)
equal the hand-computed ones, and follow a cancellation; the console's summaries and the certificate
preview come from the same owners."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone

from plenary.attendance import selectors as attendance
from plenary.attendance import services as attendance_services
from plenary.attendance.models import Attendance, AttendanceEvent, AttendanceTally, Progress
from plenary.certificates import selectors as certificate_selectors
from plenary.certificates import services as certificates
from plenary.checkin import services as checkin_services
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration
from plenary.reports.selectors import programme_figures
from tests.reports.conftest import at, presence


def session_rows(figures):
    return [(row.arrived, row.online_present, row.present, row.minutes) for row in figures.sessions]


def test_a_cancelled_attendee_leaves_every_attendance_figure(stats):
    programme = stats["programme"]
    r1 = stats["people"][0]
    assert session_rows(programme_figures(programme)) == [
        (0, 2, 2, [0, 0, 1, 0, 2]),
        (2, 0, 2, [0, 0, 1, 1, 1]),
    ]
    registrations.cancel(r1)  # attended both sessions in full
    figures = programme_figures(programme)
    # Lecture: r2 60 of 120 (absent), r4 120 of 120. Sharing: r2 150 of 180 in the room, r4 120 online.
    assert session_rows(figures) == [
        (0, 1, 1, [0, 0, 1, 0, 1]),
        (1, 0, 1, [0, 0, 1, 1, 0]),
    ]
    # Confirmed: r2, r3 (now in the room r1 left), r4; of 300 counting minutes only r4 (240) reaches 80 %.
    assert (figures.eligible, figures.confirmed) == (1, 3)
    assert figures.eligible == sum(
        1 for evaluation in certificates.evaluate(programme) if evaluation.eligible
    )


def test_console_summaries_count_standing_registrations_by_hand(stats):
    programme, lecture, sharing = stats["programme"], stats["lecture"], stats["sharing"]
    summaries = attendance.session_summaries(programme, [lecture, sharing])
    as_numbers = [
        (s["session"], s["registered"], s["online"], s["in_person"], s["average"]) for s in summaries
    ]
    # Lecture: present online r1 and r4; minutes 120, 60, 120. Sharing: r1, r2 in the room; 180, 150, 120.
    assert as_numbers == [(lecture, 4, 2, 0, 100), (sharing, 4, 0, 2, 150)]
    registrations.cancel(stats["people"][0])
    summaries = attendance.session_summaries(programme, [lecture, sharing])
    as_numbers = [(s["registered"], s["online"], s["in_person"], s["average"]) for s in summaries]
    assert as_numbers == [(3, 1, 0, 90), (3, 0, 1, 135)]


def test_certificate_preview_counts_everyone_and_shows_the_first_of_each(stats, monkeypatch):
    programme = stats["programme"]
    r1, r2, r3, r4, _r5 = stats["people"]
    # One registration per batch: the preview stops as soon as both lists are full.
    monkeypatch.setattr(certificate_selectors, "PREVIEW_BATCH", 1)
    preview = certificate_selectors.preview(programme, eligible=1, not_eligible=1)
    assert (preview["eligible_count"], preview["not_eligible_count"]) == (2, 2)
    assert [e.registration for e in preview["eligible"]] == [r1]
    assert [e.registration for e in preview["not_eligible"]] == [r2]
    everyone = certificate_selectors.preview(programme, eligible=25, not_eligible=50)
    assert [e.registration for e in everyone["eligible"]] == [r1, r4]
    assert [e.registration for e in everyone["not_eligible"]] == [r2, r3]
    assert certificate_selectors.state_counts(programme) == {"valid": 2, "superseded": 0, "revoked": 0}


def fresh_count(session_ids):
    rows = (
        Attendance.objects.filter(session_id__in=session_ids)
        .values_list("session_id", "mode", "present", "minutes")
        .annotate(n=Count("*"))
        .order_by()
    )
    return {(session_id, mode, present, minutes): n for session_id, mode, present, minutes, n in rows}


def kept_count(session_ids):
    rows = (
        AttendanceTally.objects.filter(session_id__in=session_ids)
        .values_list("session_id", "mode", "present", "minutes")
        .annotate(n=Sum("n"))  # a key's shards added up
        .order_by()
    )
    assert all(n >= 0 for *_key, n in rows), list(rows)
    return {(session_id, mode, present, minutes): n for session_id, mode, present, minutes, n in rows if n}


def test_the_attendance_tally_equals_a_fresh_count_after_a_mix_of_operations(stats):
    programme, lecture, sharing = stats["programme"], stats["lecture"], stats["sharing"]
    r1, r2, r3, r4, _r5 = stats["people"]
    ids = [lecture.pk, sharing.pk]
    assert kept_count(ids) == fresh_count(ids) != {}
    # A join by link and a heartbeat-like recompute of one person (the one-row upsert).
    presence(r3, lecture, "online", at(4, 10), at(4, 11, 30))
    presence(r3, lecture, "online", at(4, 11, 30), at(4, 11, 50))
    # Events written in bulk, then the bulk recompute of many people at once (imports).
    AttendanceEvent.objects.create(
        registration=r2,
        session=lecture,
        source="meeting_report",
        mode="online",
        started_at=at(4, 11),
        ended_at=at(4, 12),
    )
    attendance_services.recompute_many(lecture, [r1.pk, r2.pk, r3.pk, r4.pk])
    # A door scan (on PostgreSQL the one-statement path) and a manual adjustment with a reason.
    answer = checkin_services.check_in(
        code=r2.pass_code, session=sharing, client_event_id=uuid.uuid4(), scanned_at=at(6, 14, 5)
    )
    assert answer.result == "checked_in"
    attendance_services.adjust_minutes(r4, sharing, minutes=30, reason="Left early", actor=stats["organiser"])
    # Updates that leave the counted columns alone, and one that changes them behind every service's back.
    Attendance.objects.filter(registration=r1).update(computed_at=timezone.now())
    Attendance.objects.filter(registration=r1, session=lecture).update(minutes=7, present=False)
    assert kept_count(ids) == fresh_count(ids)
    # Rows deleted with their registration, then a whole session.
    Registration.objects.filter(pk=r3.pk).delete()
    assert kept_count(ids) == fresh_count(ids)
    lecture.delete()
    assert (
        kept_count(ids) == fresh_count(ids)
        and not AttendanceTally.objects.filter(session_id=lecture.pk).exists()
    )
    # Rebuilding from the rows changes nothing.
    before = kept_count(ids)
    attendance_services.recount_tallies(ids)
    assert kept_count(ids) == before
    # And the figures read from it still equal a count of the standing registrations' rows.
    figures = attendance.session_figures(programme)
    standing = Attendance.objects.filter(session=sharing, registration__status__in=attendance.ACTIVE_STATUSES)
    assert figures[sharing.pk]["present"] == standing.filter(present=True).count()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time")
def test_two_door_scans_of_one_session_do_not_wait_for_each_other_on_the_tally(stats, transactional_db):
    """Two connections write attendance with the same (session, mode, present, minutes) at once: the
    second is not held until the first commits (one tally row per key made every scan at a busy door
    queue behind the one before it). Each connection writes its own shard of the key."""
    sharing = stats["sharing"]
    first, second = stats["people"][2], stats["people"][4]
    Attendance.objects.filter(session=sharing, registration__in=[first, second]).delete()
    SHARDS = AttendanceTally.SHARDS
    holding, done = threading.Event(), threading.Event()
    failures: list[BaseException] = []

    def write(registration) -> None:
        Attendance.objects.create(
            registration=registration, session=sharing, mode="in_person", present=True, minutes=180
        )

    def shard_of_this_connection() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0] % SHARDS

    def hold(shard: list[int]) -> None:
        try:
            with transaction.atomic():
                shard.append(shard_of_this_connection())
                write(first)
                holding.set()
                done.wait(timeout=30)  # the transaction stays open until the other write has finished
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            holding.set()
            connection.close()

    def race(held: int) -> None:
        try:
            # A connection in another shard (a new backend until its pid falls elsewhere).
            while shard_of_this_connection() == held:
                connection.close()
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '5s'")
                write(second)
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            done.set()
            connection.close()

    held: list[int] = []
    holder = threading.Thread(target=hold, args=(held,))
    holder.start()
    assert holding.wait(timeout=30) and held
    racer = threading.Thread(target=race, args=(held[0],))
    racer.start()
    racer.join(timeout=60)
    holder.join(timeout=60)
    assert not failures, failures
    ids = [sharing.pk]
    assert kept_count(ids) == fresh_count(ids)
    assert (
        kept_count(ids)[(sharing.pk, "in_person", True, 180)]
        == fresh_count(ids)[(sharing.pk, "in_person", True, 180)]
        >= 2
    )


def fresh_progress(programme):
    """Each person's (sessions present, capped minutes) over the counting sessions, from the rows."""
    lengths = certificates.counting_lengths(programme)
    found: dict[int, tuple[int, int]] = {}
    for registration_id, session_id, present, minutes in Attendance.objects.filter(
        session_id__in=list(lengths)
    ).values_list("registration_id", "session_id", "present", "minutes"):
        sessions, total = found.get(registration_id, (0, 0))
        found[registration_id] = (sessions + int(present), total + min(minutes, lengths[session_id]))
    return {key: value for key, value in found.items() if value != (0, 0)}


def kept_progress(programme):
    rows = Progress.objects.filter(programme=programme).values_list("registration_id", "sessions", "minutes")
    return {pk: (sessions, minutes) for pk, sessions, minutes in rows if (sessions, minutes) != (0, 0)}


def both_ways(programme):
    """The eligibility pairs read from the progress rows and summed from the attendance rows."""
    lengths = certificates.counting_lengths(programme)
    fast = attendance.progress_pairs(programme, lengths)
    exact = certificate_selectors.exact_pairs(programme, lengths)
    return sorted(fast) if fast is not None else None, sorted(exact)


def eligible_by_evaluation(programme):
    return sum(1 for evaluation in certificates.evaluate(programme) if evaluation.eligible)


def test_the_certificate_progress_equals_a_fresh_count_after_a_mix_of_operations(stats):
    programme, lecture, sharing = stats["programme"], stats["lecture"], stats["sharing"]
    r1, r2, r3, r4, _r5 = stats["people"]
    # r1: 120 + 180 minutes, both present; r2: 60 (absent) + 150 (present); r4: 120 (present) + 120 (absent).
    assert (
        kept_progress(programme)
        == fresh_progress(programme)
        == {
            r1.pk: (2, 300),
            r2.pk: (1, 210),
            r4.pk: (1, 240),
        }
    )
    fast, exact = both_ways(programme)
    assert fast == exact == [(1, 210, 1), (1, 240, 1), (2, 300, 1)]
    presence(r3, lecture, "online", at(4, 10), at(4, 11, 30))
    presence(r3, lecture, "online", at(4, 11, 30), at(4, 13))  # beyond the end: capped at 120
    AttendanceEvent.objects.create(
        registration=r2,
        session=lecture,
        source="meeting_report",
        mode="online",
        started_at=at(4, 11),
        ended_at=at(4, 12),
    )
    attendance_services.recompute_many(lecture, [r1.pk, r2.pk, r3.pk, r4.pk])
    answer = checkin_services.check_in(
        code=r2.pass_code, session=sharing, client_event_id=uuid.uuid4(), scanned_at=at(6, 14, 5)
    )
    assert answer.result == "checked_in"
    attendance_services.adjust_minutes(r4, sharing, minutes=30, reason="Left early", actor=stats["organiser"])
    Attendance.objects.filter(registration=r1).update(computed_at=timezone.now())
    Attendance.objects.filter(registration=r1, session=lecture).update(minutes=7, present=False)
    assert kept_progress(programme) == fresh_progress(programme)
    assert kept_progress(programme)[r3.pk][1] >= 120
    fast, exact = both_ways(programme)
    assert fast == exact
    assert certificate_selectors.eligible_count(programme)[0] == eligible_by_evaluation(programme)
    Registration.objects.filter(pk=r2.pk).delete()
    assert kept_progress(programme) == fresh_progress(programme)
    # A cancellation leaves the rows but not the count.
    registrations.cancel(r4)
    fast, exact = both_ways(programme)
    assert fast == exact
    assert certificate_selectors.eligible_count(programme)[0] == eligible_by_evaluation(programme)


def test_changed_sessions_are_counted_exactly_until_the_progress_is_recounted(
    stats, django_capture_on_commit_callbacks
):
    programme, lecture, sharing = stats["programme"], stats["lecture"], stats["sharing"]
    eligible = certificate_selectors.eligible_count(programme)
    assert eligible == (2, 4) and both_ways(programme)[0] is not None  # r1 and r4 of r1-r4
    # The lecture is cut to 60 minutes; of 240 counting minutes (192 needed) r1 has 240, r2 210, r4 180.
    lecture.ends_at = at(4, 11)
    with django_capture_on_commit_callbacks() as queued:
        lecture.save()
    assert len(queued) == 1  # the recount, queued for after the commit
    assert both_ways(programme)[0] is None  # counted with the old length: not read
    assert certificate_selectors.eligible_count(programme) == (2, 4) == (eligible_by_evaluation(programme), 4)
    assert attendance_services.rebuild_progress(programme) is True
    assert attendance_services.rebuild_progress(programme) is False  # counted already
    fast, exact = both_ways(programme)
    assert fast == exact and kept_progress(programme) == fresh_progress(programme)
    assert certificate_selectors.eligible_count(programme) == (2, 4)
    # The sharing stops counting, through the queued task this time (run at the commit).
    sharing.counts_towards_certificate = False
    with django_capture_on_commit_callbacks(execute=True):
        sharing.save()
    fast, exact = both_ways(programme)
    assert fast == exact and kept_progress(programme) == fresh_progress(programme)
    assert certificate_selectors.eligible_count(programme) == (eligible_by_evaluation(programme), 4)
    # A deleted session: the stored lengths still name it, so the figures count exactly until the recount.
    sharing.counts_towards_certificate = True
    sharing.save()
    attendance_services.rebuild_progress(programme)
    sharing.delete()
    assert both_ways(programme)[0] is None
    assert certificate_selectors.eligible_count(programme) == (eligible_by_evaluation(programme), 4)
    attendance_services.rebuild_progress(programme)
    fast, exact = both_ways(programme)
    assert fast == exact and kept_progress(programme) == fresh_progress(programme)


def test_the_certificate_preview_finds_rare_eligible_people_through_their_progress(stats, monkeypatch):
    programme = stats["programme"]
    r1, _r2, _r3, r4, _r5 = stats["people"]
    # One batch of one person: only r1 is evaluated in batches; r4 is found by its progress pair.
    monkeypatch.setattr(certificate_selectors, "PREVIEW_BATCH", 1)
    monkeypatch.setattr(certificate_selectors, "PREVIEW_BATCHES", 1)
    preview = certificate_selectors.preview(programme)
    assert [e.registration for e in preview["eligible"]] == [r1, r4]
    assert preview["not_eligible"] == []
    # Without the progress (counted with other sessions), the batches alone show what they reached.
    stats["lecture"].ends_at = at(4, 11, 50)
    stats["lecture"].save()
    preview = certificate_selectors.preview(programme)
    assert [e.registration for e in preview["eligible"]] == [r1]
