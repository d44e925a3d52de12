"""A Hypothesis state machine drives every seat use case and checks the seat rules after each step.

Register (self or by an organiser, with approval required or not), cancel, approve, reject, change
mode, walk in at the desk, move into the room, raise and lower the room's and the online side's
capacity — in any order. After every step: each counter equals its seat rows, no side holds more than
its capacity, nobody waits while a seat is free, waiting lists are promoted first come first served,
and every registration's status follows from its seats. It runs on the database the suite runs on
(SQLite, or PostgreSQL with DATABASE_URL), outside a test transaction so that PostgreSQL's
one-statement registration path runs too, and once more with that path switched off.
"""

from __future__ import annotations

import contextlib
import itertools

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from plenary.core.errors import DomainError
from plenary.programmes import services as programmes
from plenary.registrations import seats, services
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import applicant, hybrid, make_programme

pytestmark = [pytest.mark.django_db(transaction=True)]

_programmes = itertools.count(1)
ACTIVE = ("pending", "confirmed", "waitlisted")


class SeatMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.people = itertools.count(1)
        self.registrations: list[int] = []

    @initialize(
        approval=st.booleans(), room=st.integers(1, 3), online=st.one_of(st.none(), st.integers(1, 3))
    )
    def programme(self, approval, room, online):
        from django.contrib.auth import get_user_model

        from plenary.organisations.models import Membership

        self.programme = make_programme(room=room, online=online, slug=f"machine-{next(_programmes)}")
        self.programme.requires_approval = approval
        self.programme.save()
        self.session = hybrid(self.programme)
        User = get_user_model()
        self.organiser, _created = User.objects.get_or_create(username="machine-organiser")
        lead = self.programme.co_organisers.get().organisation
        Membership.objects.get_or_create(
            user=self.organiser, organisation=lead, role=Membership.Role.ORGANISER
        )
        self.waiting_before = self._waiting()

    # --- what happens ----------------------------------------------------------------------------

    @rule(mode=st.sampled_from(["in_person", "online"]), by_organiser=st.booleans())
    def register(self, mode, by_organiser):
        person = applicant(next(self.people), mode=mode)
        source = "organiser" if by_organiser else "self"
        registration = services.register(
            self.programme, person, source=source, actor=self.organiser if by_organiser else None
        )
        self.registrations.append(registration.pk)

    @precondition(lambda self: self.registrations)
    @rule(data=st.data())
    def cancel(self, data):
        services.cancel(self._pick(data), actor=self.organiser)

    @precondition(lambda self: self.registrations)
    @rule(data=st.data())
    def approve(self, data):
        self._try(services.approve, self._pick(data), actor=self.organiser)

    @precondition(lambda self: self.registrations)
    @rule(data=st.data())
    def reject(self, data):
        self._try(services.reject, self._pick(data), actor=self.organiser)

    @precondition(lambda self: self.registrations)
    @rule(data=st.data(), mode=st.sampled_from(["in_person", "online"]))
    def change_mode(self, data, mode):
        self._try(services.change_mode, self._pick(data), self.session, mode, actor=self.organiser)

    @rule()
    def walk_in(self):
        person = applicant(next(self.people))
        try:
            registration = services.walk_in(self.session, person, actor=self.organiser)
        except DomainError:
            return
        self.registrations.append(registration.pk)

    @precondition(lambda self: self.registrations)
    @rule(data=st.data())
    def move_in(self, data):
        self._try(services.move_into_room, self._pick(data), self.session, actor=self.organiser)

    @rule(delta=st.integers(-2, 2))
    def room_capacity(self, delta):
        venue = self.session.venue
        venue.refresh_from_db()
        venue.capacity = max(1, venue.capacity + delta)
        self._try(programmes.save_venue, venue, actor=self.organiser)

    @rule(capacity=st.one_of(st.none(), st.integers(1, 4)))
    def online_capacity(self, capacity):
        session = type(self.session).objects.get(pk=self.session.pk)
        session.online_capacity = capacity
        self._try(programmes.save, session, actor=self.organiser)

    def _pick(self, data) -> Registration:
        return Registration.objects.get(pk=data.draw(st.sampled_from(self.registrations)))

    @staticmethod
    def _try(use_case, *args, **kwargs) -> None:
        """A refusal is an answer too (a full room, a wrong status); anything else fails the test."""
        with contextlib.suppress(DomainError):
            use_case(*args, **kwargs)

    # --- what must hold -------------------------------------------------------------------------

    def _waiting(self) -> dict[str, list[int]]:
        """Each side's waiting list in the order it is served: (requested_at, id)."""
        queues: dict[str, list[int]] = {"in_person": [], "online": []}
        for mode, registration_id in (
            SeatAllocation.objects.filter(session=self.session, status="waitlisted")
            .order_by("requested_at", "id")
            .values_list("mode", "registration_id")
        ):
            queues[mode].append(registration_id)
        return queues

    @invariant()
    def counters_equal_the_seats_and_stay_within_capacity(self):
        for counter in SeatCounter.objects.filter(session__programme=self.programme):
            seats_here = SeatAllocation.objects.filter(session=counter.session, mode=counter.mode)
            confirmed = seats_here.filter(status="confirmed").count()
            waiting = seats_here.filter(status="waitlisted").count()
            assert counter.capacity == seats.side_capacity(counter.session, counter.mode)
            if counter.capacity is not None:
                assert (counter.taken, counter.waiting) == (confirmed, waiting), counter
                assert counter.taken <= counter.capacity
                assert waiting == 0 or counter.taken == counter.capacity, "someone waits beside a free seat"
            else:
                # An unlimited side keeps no count (nothing to protect); nobody ever waits for it.
                assert waiting == 0

    @invariant()
    def waiting_lists_are_served_first_come_first_served(self):
        now = self._waiting()
        for mode, before in self.waiting_before.items():
            still = set(now[mode])
            left = [pk for pk in before if pk not in still]
            # Whoever left a waiting list by promotion came from its front; people who cancelled or
            # moved may leave from anywhere, so only promotions are held to the order.
            promoted = [
                pk
                for pk in left
                if SeatAllocation.objects.filter(
                    registration_id=pk, session=self.session, mode=mode, status="confirmed"
                ).exists()
            ]
            gone_elsewhere = [pk for pk in left if pk not in promoted]
            remaining = [pk for pk in before if pk not in gone_elsewhere]
            assert promoted == remaining[: len(promoted)], (mode, before, promoted)
        self.waiting_before = now

    @invariant()
    def every_status_follows_from_its_seats(self):
        for registration in Registration.objects.filter(programme=self.programme):
            statuses = set(registration.seats.exclude(status="cancelled").values_list("status", flat=True))
            if registration.status in ACTIVE:
                assert registration.status == seats.summary_status(statuses), registration
            else:
                assert statuses == set(), registration


MACHINE_SETTINGS = settings(
    max_examples=12,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.parametrize("one_statement", [True, False], ids=["one-statement-path", "portable-path"])
def test_seat_rules_hold_after_every_step_of_any_sequence(one_statement, settings_override):
    settings_override(PLENARY_ONE_STATEMENT_SQL=one_statement)
    run_state_machine_as_test(SeatMachine, settings=MACHINE_SETTINGS)


@pytest.fixture
def settings_override(settings):
    def apply(**values):
        for name, value in values.items():
            setattr(settings, name, value)

    return apply
