"""People with places at the hybrid sharing session, made directly with the ORM."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth import get_user_model

from plenary.checkin.models import StaffAssignment
from plenary.registrations.models import Registration, SeatAllocation

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def fresh_cache():
    """The door caches its expected count briefly; each test starts without a stale figure."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def sharing(reference_programme):
    return reference_programme.sessions.select_related("programme", "venue").get(kind="sharing")


def door_staff_for(session):
    """The demo's check-in staff account, assigned to the session's door, with a password a browser
    can type."""
    user = get_user_model().objects.get(username="door")
    user.set_password("door-password-1")
    user.save()
    StaffAssignment.objects.create(user=user, session=session)
    return user


@pytest.fixture
def door(sharing):
    """The demo's check-in staff account, assigned to the sharing session's door."""
    return door_staff_for(sharing)


@pytest.fixture
def person(sharing):
    """person(mode=..., seat=..., status=...) → a registration with a seat at the sharing session."""

    def make(
        name_en: str | None = None,
        name_zh: str = "陳大文",
        *,
        mode: str = "in_person",
        seat: str | None = "confirmed",
        status: str = "confirmed",
        session=None,
    ) -> Registration:
        number = next(_numbers)
        registration = Registration.objects.create(
            programme=sharing.programme,
            name_en=name_en or f"Chan Tai Man {number}",
            name_zh=name_zh,
            email=f"person{number}@example.org",
            status=status,
            preferred_mode=mode,
        )
        if seat:
            SeatAllocation.objects.create(
                registration=registration, session=session or sharing, mode=mode, status=seat
            )
        return registration

    return make
