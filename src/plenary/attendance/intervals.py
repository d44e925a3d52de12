"""Minutes of presence: the union of intervals clipped to the session (invariant 1).

Overlapping rows (two devices, rejoins, a scan plus an online join) never count twice, and the
result does not depend on the order of the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

Interval = tuple[datetime, datetime]


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    clipped = []
    for begin, finish in intervals:
        begin, finish = max(begin, start), min(finish, end)
        if finish > begin:
            clipped.append((begin, finish))
    return clipped


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Merges overlapping or touching intervals into disjoint ones, in time order."""
    merged: list[Interval] = []
    for begin, finish in sorted(intervals):
        if merged and begin <= merged[-1][1]:
            if finish > merged[-1][1]:
                merged[-1] = (merged[-1][0], finish)
        else:
            merged.append((begin, finish))
    return merged


def covered(intervals: Iterable[Interval], start: datetime, end: datetime) -> timedelta:
    """How much of [start, end) the intervals cover together."""
    return sum((finish - begin for begin, finish in union(clip(intervals, start, end))), timedelta())


def covered_minutes(intervals: Iterable[Interval], start: datetime, end: datetime) -> int:
    """Whole minutes covered, rounded down: a person is never credited time they were not there."""
    return int(covered(intervals, start, end).total_seconds() // 60)
