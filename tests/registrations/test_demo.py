"""The demo's registrants: the room full with a waiting list, nominations, cancellations, consistent counters."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from plenary.registrations.models import Quota, Registration, SeatAllocation, SeatCounter

pytestmark = pytest.mark.django_db


def test_demo_registrants_fill_the_room_consistently_and_idempotently():
    call_command("demo", seed=2022)
    reference = Registration.objects.filter(programme__slug="sw-20th-congress-workshops-2022")
    assert reference.count() == 2046
    first = sorted(Registration.objects.values_list("email", "status"))
    call_command("demo", seed=2022)
    assert sorted(Registration.objects.values_list("email", "status")) == first

    sharing = SeatCounter.objects.get(
        session__programme__slug="sw-20th-congress-workshops-2022", session__kind="sharing", mode="in_person"
    )
    assert sharing.taken == sharing.capacity and sharing.waiting > 0
    for counter in SeatCounter.objects.all():
        seats = SeatAllocation.objects.filter(session=counter.session, mode=counter.mode)
        assert counter.taken == seats.filter(status="confirmed").count()
        assert counter.waiting == seats.filter(status="waitlisted").count()
    sources = dict(reference.values_list("source").annotate(n=Count("id")))
    assert sources["nominated"] > 300 and sources["self"] > 1000
    assert Registration.objects.filter(status="cancelled").exists()
    assert Registration.objects.filter(nominated_by__username="coordinator").exists()
    for quota in Quota.objects.all():
        assert (
            quota.used
            == Registration.objects.filter(
                programme=quota.programme,
                organisation=quota.organisation,
                source="nominated",
                status__in=["confirmed", "waitlisted", "pending"],
            ).count()
        )
