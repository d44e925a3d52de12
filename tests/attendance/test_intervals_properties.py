"""Properties of the interval union that minutes rely on (invariant 1), checked with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from plenary.attendance.intervals import covered_minutes, union
from plenary.attendance.models import AttendanceEvent
from plenary.attendance.services import EventFacts, derive

START = datetime(2022, 11, 20, 6, 30, tzinfo=UTC)
END = START + timedelta(minutes=120)


class FakeSession:
    starts_at, ends_at = START, END


@st.composite
def intervals(draw):
    begin = draw(st.integers(min_value=-60 * 60, max_value=3 * 60 * 60))
    length = draw(st.integers(min_value=0, max_value=4 * 60 * 60))
    return (START + timedelta(seconds=begin), START + timedelta(seconds=begin + length))


rows = st.lists(intervals(), max_size=25)


@given(rows)
def test_minutes_never_exceed_the_session_length(items):
    assert 0 <= covered_minutes(items, START, END) <= 120


@given(rows, st.randoms())
def test_minutes_do_not_depend_on_row_order(items, random):
    shuffled = list(items)
    random.shuffle(shuffled)
    assert covered_minutes(shuffled, START, END) == covered_minutes(items, START, END)


@given(rows, st.lists(st.integers(min_value=0, max_value=24), max_size=10))
def test_duplicated_rows_change_nothing(items, picks):
    duplicates = [items[index % len(items)] for index in picks] if items else []
    assert covered_minutes(items + duplicates, START, END) == covered_minutes(items, START, END)


@given(rows)
def test_the_union_is_disjoint_sorted_and_no_longer_than_the_sum(items):
    merged = union(items)
    assert all(a[1] < b[0] for a, b in zip(merged, merged[1:], strict=False))
    assert sum((b - a for a, b in merged), timedelta()) <= sum((b - a for a, b in items), timedelta())


@settings(max_examples=50)
@given(rows)
def test_re_importing_the_same_rows_changes_nothing(items):
    def events(copies):
        return [
            EventFacts(None, 1, "presence", "meeting_report", "online", begin, end, None)
            for _copy in range(copies)
            for begin, end in items
        ]

    once = derive(events(1), FakeSession, 96)
    twice = derive(events(2), FakeSession, 96)
    assert (once.minutes, once.present) == (twice.minutes, twice.present)
    assert once.minutes <= 120


def test_a_void_cancels_the_event_it_points_at():
    presence = EventFacts(7, 1, "presence", "manual", "in_person", START, END, None)
    void = EventFacts(8, 1, AttendanceEvent.Kind.VOID, "manual", "", START, None, 7)
    assert derive([presence, void], FakeSession, 96).minutes == 0
