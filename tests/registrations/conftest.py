"""A small programme with a hybrid session whose room and online sides are tiny, and its people."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services

HK = ZoneInfo("Asia/Hong_Kong")


def make_programme(*, room: int = 2, online: int | None = None, slug: str = "small-programme") -> Programme:
    lead = Organisation.objects.get_or_create(name_en="Test Bureau", defaults={"acronym": "TB"})[0]
    programme = Programme.objects.create(
        slug=slug,
        title_en="Small programme",
        title_zh="小型課程",
        starts_on=date(2030, 1, 10),
        ends_on=date(2030, 1, 12),
        status=Programme.Status.PUBLISHED,
        registration_open=True,
    )
    CoOrganiser.objects.create(programme=programme, organisation=lead, role=CoOrganiser.Role.LEAD)
    venue = Venue.objects.create(name_en=f"Room of {slug}", name_zh="會議室", capacity=room)
    Session.objects.create(
        programme=programme,
        title_en="Opening lecture",
        title_zh="開幕講座",
        kind=Session.Kind.LECTURE,
        mode=Session.Mode.ONLINE,
        starts_at=datetime(2030, 1, 10, 10, tzinfo=HK),
        ends_at=datetime(2030, 1, 10, 12, tzinfo=HK),
        online_url="https://meeting.example.org/j/1",
    )
    Session.objects.create(
        programme=programme,
        title_en="Sharing session",
        title_zh="分享會",
        kind=Session.Kind.SHARING,
        mode=Session.Mode.HYBRID,
        venue=venue,
        online_capacity=online,
        starts_at=datetime(2030, 1, 12, 14, tzinfo=HK),
        ends_at=datetime(2030, 1, 12, 17, tzinfo=HK),
        online_url="https://meeting.example.org/j/2",
    )
    return programme


@pytest.fixture
def small_programme(db):
    return make_programme()


@pytest.fixture
def people(db):
    """An organiser of the small programme's lead body, two agencies each with a coordinator."""
    User = get_user_model()
    lead = Organisation.objects.get_or_create(name_en="Test Bureau", defaults={"acronym": "TB"})[0]
    agency_a = Organisation.objects.create(name_en="Agency Alpha", name_zh="甲機構", is_member_agency=True)
    agency_b = Organisation.objects.create(name_en="Agency Beta", name_zh="乙機構", is_member_agency=True)
    organiser = User.objects.create_user("lead-organiser", password="x-pass-12345")
    coordinator_a = User.objects.create_user("coord-a", password="x-pass-12345")
    coordinator_b = User.objects.create_user("coord-b", password="x-pass-12345")
    Membership.objects.create(user=organiser, organisation=lead, role=Membership.Role.ORGANISER)
    Membership.objects.create(user=coordinator_a, organisation=agency_a, role=Membership.Role.COORDINATOR)
    Membership.objects.create(user=coordinator_b, organisation=agency_b, role=Membership.Role.COORDINATOR)
    return {
        "organiser": organiser,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "agency_a": agency_a,
        "agency_b": agency_b,
    }


def applicant(n: int, mode: str = "in_person", **extra) -> services.Applicant:
    return services.Applicant(
        email=f"person{n}@example.org",
        name_en=f"Person {n}",
        name_zh=f"參加者{n}",
        preferred_mode=mode,
        consent_pics=True,
        **extra,
    )


def hybrid(programme: Programme) -> Session:
    return programme.sessions.get(mode=Session.Mode.HYBRID)
