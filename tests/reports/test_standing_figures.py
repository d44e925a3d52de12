"""Figures read from indexes (everyone's attendance less that of registrations that no longer stand)
equal the hand-computed ones, and follow a cancellation; the console's summaries and the certificate
preview come from the same owners."""

from __future__ import annotations

from plenary.attendance import selectors as attendance
from plenary.certificates import selectors as certificate_selectors
from plenary.certificates import services as certificates
from plenary.registrations import services as registrations
from plenary.reports.selectors import programme_figures


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
