"""Demo: the door account works the hybrid sharing session, where most people arrived in the half hour
before the start and some came late. Every check-in goes through ``check_in()``, with client event ids
derived from the seed so that loading the demo again replays the same scans and changes nothing."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

from django.contrib.auth import get_user_model

from plenary.checkin import selectors, services
from plenary.checkin.models import StaffAssignment
from plenary.organisations.models import Membership, Organisation
from plenary.site.demo import DemoContext

DEMO_NAMESPACE = uuid.UUID("6f1c0f8e-3d0b-4a57-9a59-5b1d2f0c9e11")
DOORS = ["door-left", "door-right"]


def event_id(seed: int, *parts: object) -> uuid.UUID:
    return uuid.uuid5(DEMO_NAMESPACE, ":".join(str(part) for part in (seed, *parts)))


def load(context: DemoContext) -> None:
    programme = context.programme
    sharing = programme.sessions.filter(kind="sharing").select_related("programme", "venue").first()
    if sharing is None:
        return
    door = get_user_model().objects.filter(username="door").first()
    if door is None:
        return
    swd = Organisation.objects.filter(acronym="SWD").first()
    if swd is not None:
        Membership.objects.get_or_create(user=door, organisation=swd, role=Membership.Role.CHECKIN)
    StaffAssignment.objects.get_or_create(user=door, session=sharing)

    rng = random.Random(f"checkin-{context.seed}")
    seats = list(selectors.expected_seats(sharing).select_related("registration").order_by("id"))
    arrived = 0
    for seat in seats:
        registration = seat.registration
        roll = rng.random()
        if roll < 0.10:
            continue  # a no-show
        if roll < 0.82:
            minutes = rng.uniform(-30, 0)  # the crowd in the half hour before the start
        elif roll < 0.95:
            minutes = rng.uniform(0, 20)  # a little late
        else:
            minutes = rng.uniform(20, 75)  # very late
        scanned_at = sharing.starts_at + timedelta(minutes=minutes)
        device = rng.choice(DOORS)
        services.check_in(
            code=registration.pass_code,
            session=sharing,
            client_event_id=event_id(context.seed, sharing.pk, registration.reference),
            scanned_at=scanned_at,
            device=device,
            actor=door,
        )
        arrived += 1
        if rng.random() < 0.04:  # a pass scanned twice at the other door
            services.check_in(
                code=registration.pass_code,
                session=sharing,
                client_event_id=event_id(context.seed, sharing.pk, registration.reference, "again"),
                scanned_at=scanned_at + timedelta(seconds=rng.randint(20, 300)),
                device=next(other for other in DOORS if other != device),
                actor=door,
            )
    context.log.append(f"checkin: {arrived} of {len(seats)} expected people checked in at {sharing.title_en}")
