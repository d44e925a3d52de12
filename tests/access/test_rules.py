"""The access rules (``plenary/access/rules.py``): each SQL twin agrees with its ORM form for every kind
of user, and the rules that issue 13 found broken now hold."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from plenary.access import rules
from plenary.checkin import selectors as door
from plenary.checkin.models import StaffAssignment
from plenary.core import sql
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.programmes.selectors import programme_and_role
from plenary.registrations import services
from plenary.registrations.models import Registration, SeatCounter
from tests.registrations.conftest import applicant, hybrid, make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(reference_programme):
    """Every kind of user, and a second programme co-organised by the outsider's body only."""
    User = get_user_model()
    other = make_programme(slug="other-body-programme")
    outsider = User.objects.get(username="outsider")
    other_body = outsider.memberships.get().organisation
    CoOrganiser.objects.filter(programme=other).update(organisation=other_body)
    assigned = User.objects.create_user("door-assigned")
    Membership.objects.create(
        user=assigned, organisation=Organisation.objects.get(acronym="LWB"), role=Membership.Role.CHECKIN
    )
    sharing = reference_programme.sessions.get(kind="sharing")
    StaffAssignment.objects.create(user=assigned, session=sharing)
    # Issue 17: check-in staff for every door of their body's programmes (not limited to sessions).
    every_door = User.objects.create_user("door-every")
    Membership.objects.create(
        user=every_door,
        organisation=Organisation.objects.get(acronym="LWB"),
        role=Membership.Role.CHECKIN,
        all_doors=True,
    )
    Session.objects.create(
        programme=reference_programme,
        title_en="Second room",
        kind=Session.Kind.WORKSHOP,
        mode=Session.Mode.IN_PERSON,
        venue=sharing.venue,
        starts_at=sharing.starts_at,
        ends_at=sharing.ends_at,
    )
    users = {
        "anonymous": AnonymousUser(),
        "admin": User.objects.get(username="admin"),
        "organiser": User.objects.get(username="organiser"),
        "outsider": outsider,
        "coordinator": User.objects.get(username="coordinator"),
        "door (unassigned)": User.objects.get(username="door"),
        "door (assigned)": assigned,
        "door (every door)": every_door,
    }
    return users, [reference_programme, other]


def test_manages_and_its_sql_twin_agree_for_every_user_and_programme(cast):
    users, programmes = cast
    for name, user in users.items():
        for programme in programmes:
            expression, params = rules.manages_sql("p.id", user)
            [twin] = sql.fetchone(
                f"SELECT {expression} FROM {sql.table(Programme)} p WHERE p.id = %s",  # noqa: S608
                [*params, programme.pk],
            )
            found, by_hand = programme_and_role(programme.slug, user)
            assert bool(twin) == rules.manages(user, programme) == by_hand, (name, programme.slug)
    assert rules.manages(users["organiser"], programmes[0]) and not rules.manages(
        users["outsider"], programmes[0]
    )
    assert rules.manages(users["outsider"], programmes[1]) and not rules.manages(
        users["organiser"], programmes[1]
    )


def test_scans_and_its_sql_twin_agree_for_every_user_and_session(cast):
    users, programmes = cast
    sessions = list(Session.objects.filter(programme__in=programmes))
    for name, user in users.items():
        for session in sessions:
            expression, params = rules.scans_sql("s", user)
            [twin] = sql.fetchone(
                f"SELECT {expression} FROM {sql.table(Session)} s WHERE s.id = %s",  # noqa: S608
                [*params, session.pk],
            )
            _session, allowed, _found = door.door(session.pk, user)
            assert bool(twin) == rules.scans(user, session) == allowed, (name, session.title_en)
    sharing = programmes[0].sessions.get(kind="sharing")
    assert rules.scans(users["door (assigned)"], sharing)
    assert not rules.scans(users["door (unassigned)"], sharing)
    assert not rules.scans(users["outsider"], sharing)
    # Limited to the sharing session: not the programme's other room, nor the other body's room.
    second = programmes[0].sessions.get(title_en="Second room")
    elsewhere = programmes[1].sessions.filter(mode__in=rules.ROOM_MODES).first()
    assert not rules.scans(users["door (assigned)"], second)
    assert not rules.scans(users["door (assigned)"], elsewhere)
    # Every door of the body's programmes (rooms only), and none of another body's.
    assert rules.scans(users["door (every door)"], sharing) and rules.scans(
        users["door (every door)"], second
    )
    assert not rules.scans(users["door (every door)"], elsewhere)
    assert not any(
        rules.scans(users["door (every door)"], session)
        for session in programmes[0].sessions.exclude(mode__in=rules.ROOM_MODES)
    )


def test_an_organiser_of_another_body_cannot_edit_a_venue(cast):
    """Issue 13: an organiser of a body that co-organises nothing raised the demo hall's capacity,
    and the waiting list was promoted. Venues now belong to a body."""
    users, programmes = cast
    hall = programmes[0].sessions.get(kind="sharing").venue
    client = Client()
    client.force_login(users["outsider"])
    assert client.get(f"/manage/venues/{hall.pk}/").status_code == 404
    response = client.post(f"/manage/venues/{hall.pk}/", {"name_en": hall.name_en, "capacity": 5000})
    assert response.status_code == 404
    hall.refresh_from_db()
    assert hall.capacity == 200
    client.force_login(users["organiser"])
    assert client.get(f"/manage/venues/{hall.pk}/").status_code == 200


def test_a_venue_named_in_the_api_is_looked_up_only_among_the_callers_bodies(cast):
    users, programmes = cast
    from plenary.programmes import services as programmes_services

    hall = programmes[0].sessions.get(kind="sharing").venue
    other = programmes[1]
    session = programmes_services.add_session(
        actor=users["outsider"],
        programme=other,
        venue={"name": hall.name_en, "capacity": 5000},
        kind="sharing",
        mode="in_person",
        title_en="Sharing",
        starts_at=hybrid(other).starts_at,
        ends_at=hybrid(other).ends_at,
    )
    hall.refresh_from_db()
    assert hall.capacity == 200  # the demo hall is untouched
    assert session.venue != hall and session.venue.capacity == 5000
    assert session.venue.owner == other.co_organisers.get().organisation


def test_staff_lists_show_only_the_callers_bodies(cast):
    users, _programmes = cast
    elsewhere = get_user_model().objects.create_user("door-elsewhere")
    Membership.objects.create(
        user=elsewhere,
        organisation=users["outsider"].memberships.get().organisation,
        role=Membership.Role.CHECKIN,
    )
    assert elsewhere not in rules.door_staff(users["organiser"])
    assert users["door (unassigned)"] in rules.door_staff(users["organiser"])
    assert list(rules.door_staff(users["outsider"])) == [elsewhere]


def test_a_coordinator_sees_only_the_agencys_nominations(small_programme, people):
    """Issue 13: coordinators saw self-registrations that merely chose their agency, with email and
    RSW number, in lists, certificates and the CPD export, and could cancel them. The collection
    statement says a nomination goes to the nominating agency; a self-registration does not."""
    agency = people["agency_a"]
    nominated = services.nominate(
        small_programme, applicant(1), coordinator=people["coordinator_a"], agency=agency
    )
    self_registered = services.register(
        small_programme, applicant(2, organisation=agency, rsw_number="S12345")
    )
    coordinator = people["coordinator_a"]

    assert list(rules.visible_registrations(coordinator, small_programme)) == [nominated]
    assert rules.sees_registration(coordinator, nominated)
    assert not rules.sees_registration(coordinator, self_registered)

    client = Client()
    client.force_login(coordinator)
    page = client.get(f"/agency/p/{small_programme.slug}/?agency={agency.pk}").content.decode()
    assert nominated.email in page and self_registered.email not in page
    cancel = client.post(
        f"/agency/p/{small_programme.slug}/r/{self_registered.reference}/cancel/?agency={agency.pk}"
    )
    assert cancel.status_code == 404
    self_registered.refresh_from_db()
    assert self_registered.status == "confirmed"

    from plenary.api.auth import create_token

    token = create_token(coordinator)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    listed = api.get(f"/api/v1/programmes/{small_programme.slug}/registrations").json()["items"]
    assert [row["reference"] for row in listed] == [nominated.reference]
    assert api.get(f"/api/v1/registrations/{self_registered.reference}").status_code == 404
    assert api.get(f"/api/v1/registrations/{nominated.reference}").status_code == 200
    assert api.delete(f"/api/v1/registrations/{self_registered.reference}").status_code == 404
    assert Registration.objects.get(pk=self_registered.pk).status == "confirmed"


def test_raising_a_capacity_through_the_console_promotes_in_order_and_is_audited(small_programme, people):
    room = hybrid(small_programme)
    first_waiting = [services.register(small_programme, applicant(n)) for n in range(4)][2]
    client = Client()
    client.force_login(people["organiser"])
    venue = room.venue
    response = client.post(
        f"/manage/venues/{venue.pk}/", {"name_en": venue.name_en, "name_zh": venue.name_zh, "capacity": 3}
    )
    assert response.status_code == 302
    assert first_waiting.seats.get(session=room).status == "confirmed"
    assert (
        Registration.objects.get(email="person3@example.org").seats.get(session=room).status == "waitlisted"
    )
    assert SeatCounter.objects.get(session=room, mode="in_person").taken == 3
    entry = small_programme.audit_entries.get(object_type="venue")
    assert (entry.before["capacity"], entry.after["capacity"], entry.actor) == (2, 3, people["organiser"])

    lowered = client.post(
        f"/manage/venues/{venue.pk}/", {"name_en": venue.name_en, "name_zh": venue.name_zh, "capacity": 1}
    )
    assert lowered.status_code == 200 and "3 people already hold confirmed seats" in lowered.content.decode()
    assert Venue.objects.get(pk=venue.pk).capacity == 3
    assert Programme.objects.filter(pk=small_programme.pk).exists()
