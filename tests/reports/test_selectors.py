"""The programme's figures equal the ones computed by hand from the fixture (see conftest.py)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext

from plenary.certificates import selectors as certificate_selectors
from plenary.certificates import services as certificates
from plenary.certificates.models import CertificateRule
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration
from plenary.reports.selectors import programme_figures

UTC = ZoneInfo("UTC")


def test_registration_figures(stats):
    r1, r2, r3, r4, r5 = stats["people"]
    # Days in the programme's zone: 23:30 UTC on 1 February is 2 February in Hong Kong.
    Registration.objects.filter(pk__in=[r1.pk, r2.pk]).update(
        created_at=datetime(2024, 2, 1, 23, 30, tzinfo=UTC)
    )
    Registration.objects.filter(pk=r3.pk).update(created_at=datetime(2024, 2, 3, 2, 0, tzinfo=UTC))
    Registration.objects.filter(pk__in=[r4.pk, r5.pk]).update(
        created_at=datetime(2024, 2, 5, 15, 0, tzinfo=UTC)
    )
    figures = programme_figures(stats["programme"])
    assert figures.total == 5
    # Three waits for the room but holds a confirmed lecture seat: confirmed (statuses per session, issue 18).
    assert figures.by_status == {"pending": 0, "confirmed": 4, "waitlisted": 0, "cancelled": 1, "rejected": 0}
    # Standing registrations only (the cancelled one is left out): r1, r2, r3 in the room, r4 online.
    assert figures.by_mode == {"in_person": 3, "online": 1}
    assert [(row.organisation, row.count) for row in figures.by_agency] == [
        (stats["alpha"], 2),
        (stats["beta"], 1),
        (None, 1),  # r4 named no agency
    ]
    assert [(row.day, row.count, row.cumulative) for row in figures.by_day] == [
        (date(2024, 2, 2), 2, 2),
        (date(2024, 2, 3), 1, 3),
        (date(2024, 2, 5), 2, 5),
    ]


def test_the_rest_gathers_agencies_beyond_the_top(stats):
    figures = programme_figures(stats["programme"], top_agencies=1)
    assert [(row.organisation, row.count) for row in figures.by_agency] == [(stats["alpha"], 2), (None, 2)]


def test_session_figures(stats):
    figures = programme_figures(stats["programme"])
    lecture, sharing = figures.sessions
    assert lecture.session == stats["lecture"] and sharing.session == stats["sharing"]
    # Lecture: online for r1, r2, r3 and r4 (r3 waits only for the room of the sharing).
    assert (lecture.expected, lecture.expected_in_person, lecture.expected_online) == (4, 0, 4)
    assert (lecture.arrived, lecture.online_present, lecture.present) == (0, 2, 2)
    # Minutes as a share of 120: r2 50 % (bin 50–74), r1 and r4 100 %.
    assert lecture.minutes == [0, 0, 1, 0, 2]
    assert (lecture.waiting_in_person, lecture.waiting_online) == (0, 0)
    # Sharing: r1 and r2 in the room, r4 online, r3 waiting for the room.
    assert (sharing.expected, sharing.expected_in_person, sharing.expected_online) == (3, 2, 1)
    assert (sharing.arrived, sharing.online_present, sharing.present) == (2, 0, 2)
    # Share of 180: r4 120 (66.7 %), r2 150 (83.3 %), r1 180 (100 %).
    assert sharing.minutes == [0, 0, 1, 1, 1]
    assert (sharing.waiting_in_person, sharing.waiting_online) == (1, 0)
    assert figures.waiting == 1
    assert lecture.attendance_rate == 50.0


def test_completion_certificates_and_evaluations(stats):
    figures = programme_figures(stats["programme"])
    # Of 300 counting minutes: r1 300 (eligible), r2 210 (70 %), r4 240 (exactly 80 %: eligible).
    assert (figures.eligible, figures.confirmed) == (2, 4)
    assert figures.completion_rate == 100 * 2 / 4
    assert figures.certificates_issued == 2
    # Two responses to the lecture's evaluation from its two attendees (evaluations are for those who
    # attended, issue 18), none to the sharing (two attended).
    lecture, sharing = figures.sessions
    assert (lecture.responses, lecture.response_rate, lecture.average_rating) == (2, 100.0, 4.0)
    assert (sharing.responses, sharing.response_rate, sharing.average_rating) == (0, 0.0, None)
    assert (figures.responses, figures.response_eligible) == (2, 4)
    assert figures.average_rating == 4.0


def test_eligible_count_follows_the_rule_as_evaluate_applies_it(stats):
    programme = stats["programme"]
    rule = certificates.ensure_rule(programme)
    for mode, min_sessions, min_percent in [
        (CertificateRule.Mode.SESSIONS, None, 80),  # both sessions: r1 only
        (CertificateRule.Mode.SESSIONS, 1, 80),  # one session: r1, r2 (sharing), r4 (lecture)
        (CertificateRule.Mode.MINUTES, None, 70),  # r1, r2 (exactly 70 %), r4
        (CertificateRule.Mode.MINUTES, None, 100),  # r1 only
    ]:
        rule.mode, rule.min_sessions, rule.min_percent = mode, min_sessions, min_percent
        rule.save()
        expected = sum(1 for evaluation in certificates.evaluate(programme) if evaluation.eligible)
        assert certificate_selectors.eligible_count(programme) == (expected, 4)
    assert [certificate_selectors.eligible_count(programme)[0]] == [1]


def test_the_number_of_queries_does_not_grow_with_registrations(stats):
    programme = stats["programme"]
    with CaptureQueriesContext(connection) as before:
        programme_figures(programme)
    for n in range(6):
        registrations.register(
            programme,
            registrations.Applicant(email=f"more{n}@example.org", name_en=f"More {n}", consent_pics=True),
            source=Registration.Source.ORGANISER,
        )
    with CaptureQueriesContext(connection) as after:
        figures = programme_figures(programme)
    assert figures.total == 11
    assert len(after.captured_queries) == len(before.captured_queries)
    assert len(before.captured_queries) < 30


def test_eligible_counts_in_one_go_equal_the_per_session_rule(stats):
    from plenary.engagement import selectors as engagement

    programme = stats["programme"]
    assert engagement.eligible_counts(programme) == {
        session.pk: engagement.eligible_count(session) for session in programme.sessions.all()
    }
    # Evaluations are for those who attended (issue 18): r1 and r4 at the lecture, r1 and r2 at the sharing.
    assert engagement.eligible_counts(programme) == {stats["lecture"].pk: 2, stats["sharing"].pk: 2}


def test_registrations_by_day_follow_a_zone_whose_offset_is_not_whole_hours(stats):
    programme = stats["programme"]
    r1, r2, r3, r4, r5 = stats["people"]
    programme.time_zone = "Asia/Kathmandu"  # UTC+05:45: local midnight is 18:15 UTC
    programme.save()
    Registration.objects.filter(pk=r1.pk).update(created_at=datetime(2024, 2, 1, 18, 14, 59, tzinfo=UTC))
    Registration.objects.filter(pk__in=[r2.pk, r3.pk]).update(
        created_at=datetime(2024, 2, 1, 18, 15, tzinfo=UTC)
    )
    Registration.objects.filter(pk__in=[r4.pk, r5.pk]).update(
        created_at=datetime(2024, 2, 2, 18, 14, 30, 500000, tzinfo=UTC)
    )
    figures = programme_figures(programme)
    assert [(row.day, row.count, row.cumulative) for row in figures.by_day] == [
        (date(2024, 2, 1), 1, 1),
        (date(2024, 2, 2), 4, 5),
    ]
