"""Statuses per session everywhere: one full room does not put a registration's other sessions on the
waiting list (page, email subject, API), and a pass is offered whenever an in-person seat is confirmed."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core import mail
from django.test import Client

from plenary.programmes.models import Session, Venue
from plenary.registrations import services
from plenary.registrations.models import SeatAllocation
from tests.registrations.conftest import HK, applicant, hybrid, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_rooms(db):
    """The small programme (room of 1 at the sharing session) plus an in-person workshop with room."""
    programme = make_programme(room=1, slug="two-rooms")
    lead = programme.sessions.get(mode="hybrid").venue.owner
    big = Venue.objects.create(name_en="Big hall", name_zh="大禮堂", capacity=50, owner=lead)
    Session.objects.create(
        programme=programme,
        title_en="Workshop",
        title_zh="工作坊",
        kind=Session.Kind.WORKSHOP,
        mode=Session.Mode.IN_PERSON,
        venue=big,
        starts_at=datetime(2030, 1, 11, 10, tzinfo=HK),
        ends_at=datetime(2030, 1, 11, 12, tzinfo=HK),
    )
    return programme


def test_one_waiting_room_leaves_the_registration_confirmed_with_a_pass(
    two_rooms, people, api_as, django_capture_on_commit_callbacks
):
    services.register(two_rooms, applicant(1))  # takes the only seat at the sharing session
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        second = services.register(two_rooms, applicant(2))
    seats = {seat.session.kind: seat.status for seat in SeatAllocation.objects.filter(registration=second)}
    assert seats == {"lecture": "confirmed", "sharing": "waitlisted", "workshop": "confirmed"}
    assert second.status == "confirmed"

    [message] = mail.outbox
    assert message.subject.startswith("Confirmed, with 1 session on the waiting list")
    assert "except in the sessions marked" in message.body
    assert any(name.startswith("pass-") for name, _content, _type in message.attachments)

    page = Client().get(f"/me/{second.token}/").content.decode()
    assert "(1 session on the waiting list: see below)" in page
    assert "<svg" in page  # the workshop's in-person seat is confirmed: the pass is there
    assert Client().get(f"/me/{second.token}/pass.pdf").status_code == 200

    answer = api_as(people["organiser"]).get(f"/api/v1/registrations/{second.reference}").json()
    assert answer["status"] == "confirmed"
    # Each seat with a room says its own status (the workshop confirmed, the sharing session waiting).
    assert sorted(seat["status"] for seat in answer["seats"]) == ["confirmed", "waitlisted"]

    # In Chinese, the subject counts too.
    with django_capture_on_commit_callbacks(execute=True):
        third = services.register(two_rooms, applicant(3, language="zh-hant"))
    assert third.status == "confirmed"
    assert "候補" in mail.outbox[-1].subject


def test_no_pass_while_the_only_in_person_seat_waits(two_rooms):
    services.register(two_rooms, applicant(1))
    waiting = services.register(two_rooms, applicant(2), sessions=[hybrid(two_rooms).pk])
    assert waiting.status == "waitlisted"
    online_and_waiting = services.register(
        two_rooms, applicant(3), sessions=[s.pk for s in two_rooms.sessions.exclude(kind="workshop")]
    )
    assert online_and_waiting.status == "confirmed"
    page = Client().get(f"/me/{online_and_waiting.token}/").content.decode()
    assert "<svg" not in page
