"""A small finished programme whose every figure is computed by hand in the tests.

Two sessions (a 120-minute online lecture, a 180-minute hybrid sharing with a room of 2), two agencies,
five registrations (one cancelled, one on the room's waiting list), attendance from real events,
two evaluations and the certificates issued under the default rule (80 % of the minutes).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from plenary.attendance import services as attendance
from plenary.attendance.models import AttendanceEvent
from plenary.certificates import services as certificates
from plenary.engagement import services as engagement
from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration

HK = ZoneInfo("Asia/Hong_Kong")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=HK)


def presence(registration, session, mode, start, end):
    AttendanceEvent.objects.create(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.QR_SCAN if mode == "in_person" else AttendanceEvent.Source.JOIN_LINK,
        mode=mode,
        started_at=start,
        ended_at=end,
    )
    attendance.recompute(registration, session)


@pytest.fixture
def stats(db):
    User = get_user_model()
    lead = Organisation.objects.create(name_en="Stats Bureau", name_zh="統計局", acronym="SB")
    alpha = Organisation.objects.create(name_en="Agency Alpha", name_zh="甲機構", is_member_agency=True)
    beta = Organisation.objects.create(name_en="Agency Beta", name_zh="乙機構", is_member_agency=True)
    organiser = User.objects.create_user("stats-organiser", password="x-pass-12345")
    Membership.objects.create(user=organiser, organisation=lead, role=Membership.Role.ORGANISER)
    coordinator_a = User.objects.create_user("stats-coord-a", password="x-pass-12345")
    Membership.objects.create(user=coordinator_a, organisation=alpha, role=Membership.Role.COORDINATOR)
    other_body = Organisation.objects.create(name_en="Other Bureau")
    outsider = User.objects.create_user("stats-outsider", password="x-pass-12345")
    Membership.objects.create(user=outsider, organisation=other_body, role=Membership.Role.ORGANISER)

    programme = Programme.objects.create(
        slug="stats-programme",
        title_en="Stats programme",
        title_zh="統計課程",
        starts_on=date(2024, 3, 4),
        # Open while people register (a past programme takes no registrations), over once they have.
        ends_on=date(2099, 12, 31),
        status=Programme.Status.PUBLISHED,
        registration_open=True,
    )
    CoOrganiser.objects.create(programme=programme, organisation=lead, role=CoOrganiser.Role.LEAD)
    room = Venue.objects.create(name_en="Stats room", capacity=2, owner=lead)
    lecture = Session.objects.create(
        programme=programme,
        title_en="Lecture",
        title_zh="講座",
        kind=Session.Kind.LECTURE,
        mode=Session.Mode.ONLINE,
        starts_at=at(4, 10),
        ends_at=at(4, 12),
        online_url="https://meeting.example.org/j/1",
    )
    sharing = Session.objects.create(
        programme=programme,
        title_en="Sharing",
        title_zh="分享會",
        kind=Session.Kind.SHARING,
        mode=Session.Mode.HYBRID,
        venue=room,
        starts_at=at(6, 14),
        ends_at=at(6, 17),
        online_url="https://meeting.example.org/j/2",
    )
    # The certificate progress counted with these sessions (a worker does it after the saves; tasks queued
    # on commit do not run here): from now on the attendance triggers keep it and the figures read it.
    attendance.rebuild_progress(programme)

    def register(email, agency, mode, source=Registration.Source.ORGANISER):
        return registrations.register(
            programme,
            registrations.Applicant(
                email=email,
                name_en=email.split("@")[0],
                organisation=agency,
                preferred_mode=mode,
                consent_pics=True,
            ),
            source=source,
            actor=coordinator_a if source == Registration.Source.NOMINATED else None,
        )

    # Alpha's two are its nominations (a coordinator of Alpha sees them); the rest were added by organisers.
    r1 = register("one@example.org", alpha, "in_person", Registration.Source.NOMINATED)
    r2 = register("two@example.org", alpha, "in_person", Registration.Source.NOMINATED)
    r3 = register("three@example.org", beta, "in_person")  # the room is full: waits for it
    r4 = register("four@example.org", None, "online")
    r5 = register("five@example.org", beta, "online")
    registrations.cancel(r5)
    Programme.objects.filter(pk=programme.pk).update(ends_on=date(2024, 3, 6))
    programme.refresh_from_db()

    presence(r1, lecture, "online", at(4, 10), at(4, 12))  # 120 of 120
    presence(r1, sharing, "in_person", at(6, 14), at(6, 17))  # 180 of 180
    presence(r2, lecture, "online", at(4, 10), at(4, 11))  # 60 of 120: below the threshold (96)
    presence(r2, sharing, "in_person", at(6, 14), at(6, 16, 30))  # 150 of 180: present (144)
    presence(r4, lecture, "online", at(4, 10), at(4, 12))  # 120 of 120
    presence(r4, sharing, "online", at(6, 14), at(6, 16))  # 120 of 180: not present

    survey = engagement.ensure_survey(lecture)
    ratings = [q for q in survey.questions.all() if q.is_rating]
    engagement.submit_response(registration=r1, survey=survey, answers={q.pk: 5 for q in ratings})
    engagement.submit_response(registration=r4, survey=survey, answers={q.pk: 3 for q in ratings})

    certificates.issue_certificates(programme)
    for registration in (r1, r2, r3, r4, r5):
        registration.refresh_from_db()
    return {
        "programme": programme,
        "organiser": organiser,
        "outsider": outsider,
        "coordinator_a": coordinator_a,
        "lecture": lecture,
        "sharing": sharing,
        "alpha": alpha,
        "beta": beta,
        "people": [r1, r2, r3, r4, r5],
    }
