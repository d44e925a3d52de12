"""The demo leaves the hybrid sharing session with realistic check-ins, idempotently."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from plenary.checkin.models import CheckIn, Scan, StaffAssignment
from plenary.site.demo import DemoContext
from plenary.site.demo import checkin as demo

pytestmark = pytest.mark.django_db


def test_the_demo_checks_in_most_people_before_the_start_some_late_and_assigns_the_door(
    reference_programme, sharing, person
):
    people = [person() for _ in range(120)]
    person(mode="online")
    context = DemoContext(programme=reference_programme, rng=random.Random(1), registrants=120, seed=2022)

    demo.load(context)
    check_ins = list(CheckIn.objects.filter(session=sharing))
    scans = Scan.objects.count()
    demo.load(context)

    assert CheckIn.objects.filter(session=sharing).count() == len(check_ins)
    assert Scan.objects.count() == scans  # replayed, not repeated
    assert StaffAssignment.objects.filter(user__username="door", session=sharing).exists()
    assert 0.8 * len(people) <= len(check_ins) < len(people)
    early = [
        c
        for c in check_ins
        if sharing.starts_at - timedelta(minutes=30) <= c.first_scanned_at <= sharing.starts_at
    ]
    late = [c for c in check_ins if c.first_scanned_at > sharing.starts_at]
    assert len(early) > len(check_ins) / 2
    assert late
    assert all(
        registration.attendances.filter(session=sharing).exists()
        for registration in people
        if registration.check_ins.exists()
    )
    assert Scan.objects.filter(result="already_checked_in").exists()
