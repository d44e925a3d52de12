"""A programme's figures for the dashboard, the stats API and the XLSX export, from a few grouped queries.

Nothing here decides a rule: each figure comes from the app that owns it (registrations and seats,
attendance, certificates, evaluations); this module only gathers them. No query loads a registration:
every one is a count or an average the database groups, read from covering indexes or from what the
database keeps (the attendance tally, each person's certificate progress); the number of queries does not
grow with the programme. One still reads an index entry per seat (the expected seats): see the README's
dashboard bench.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from plenary.attendance import selectors as attendance
from plenary.certificates import selectors as certificates
from plenary.engagement import selectors as engagement
from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session
from plenary.registrations import selectors as registrations
from plenary.registrations.models import Registration

MINUTE_BINS = attendance.MINUTE_BINS


@dataclass
class AgencyRow:
    organisation: Organisation | None  # None: every other agency, and registrants naming none
    count: int


@dataclass
class DayRow:
    day: date
    count: int
    cumulative: int


@dataclass
class SessionRow:
    session: Session
    expected: int
    expected_in_person: int
    expected_online: int
    arrived: int
    online_present: int
    present: int
    minutes: list[int]  # people per bin of MINUTE_BINS
    waiting_in_person: int
    waiting_online: int
    responses: int
    response_rate: float | None
    average_rating: float | None

    @property
    def attendance_rate(self) -> float | None:
        return 100 * self.present / self.expected if self.expected else None


@dataclass
class Figures:
    programme: Programme
    total: int
    by_status: dict[str, int]
    by_mode: dict[str, int]
    by_agency: list[AgencyRow]
    by_day: list[DayRow]
    sessions: list[SessionRow] = field(default_factory=list)
    confirmed: int = 0
    eligible: int = 0
    certificates_issued: int = 0
    responses: int = 0
    response_eligible: int = 0
    response_rate: float | None = None
    average_rating: float | None = None

    @property
    def waiting(self) -> int:
        return sum(row.waiting_in_person + row.waiting_online for row in self.sessions)

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.eligible / self.confirmed if self.confirmed else None


def programme_figures(programme: Programme, *, top_agencies: int = 10) -> Figures:
    """Every figure of the dashboard for one programme."""
    counted = registrations.counts(programme, top=top_agencies)
    by_status, top, rest = counted.by_status, counted.top, counted.rest
    names = Organisation.objects.in_bulk([pk for pk, _n in top])
    by_agency = [AgencyRow(names.get(pk), n) for pk, n in top]
    if rest:
        by_agency.append(AgencyRow(None, rest))
    by_day, running = [], 0
    for day, n in registrations.daily_counts(programme):
        running += n
        by_day.append(DayRow(day, n, running))

    expected = registrations.expected_per_session(programme)
    waiting: dict[tuple[int, str], int] = {}
    for row in registrations.seat_summary(programme):
        waiting[(row["session"].pk, row["mode"])] = row["waiting"]
    present = attendance.session_figures(programme)
    # Evaluations are for those who attended: the same count, so it is not made twice.
    evaluations = engagement.programme_evaluation_figures(
        programme, attendees={pk: seen["present"] for pk, seen in present.items()}
    )
    rows = []
    for session in programme.sessions.order_by("starts_at", "id"):
        seats = expected.get(session.pk, {})
        seen = present.get(session.pk) or {
            "arrived": 0,
            "online_present": 0,
            "present": 0,
            "minutes": [0] * len(MINUTE_BINS),
        }
        evaluation = evaluations["sessions"].get(session.pk, {})
        rows.append(
            SessionRow(
                session=session,
                expected=sum(seats.values()),
                expected_in_person=seats.get("in_person", 0),
                expected_online=seats.get("online", 0),
                arrived=seen["arrived"],
                online_present=seen["online_present"],
                present=seen["present"],
                minutes=seen["minutes"],
                waiting_in_person=waiting.get((session.pk, "in_person"), 0),
                waiting_online=waiting.get((session.pk, "online"), 0),
                responses=evaluation.get("responses", 0),
                response_rate=evaluation.get("rate"),
                average_rating=evaluation.get("average_rating"),
            )
        )
    eligible, confirmed = certificates.eligible_count(
        programme, confirmed=by_status.get(Registration.Status.CONFIRMED, 0)
    )
    return Figures(
        programme=programme,
        total=sum(by_status.values()),
        by_status=by_status,
        by_mode=counted.by_mode,
        by_agency=by_agency,
        by_day=by_day,
        sessions=rows,
        confirmed=confirmed,
        eligible=eligible,
        certificates_issued=certificates.valid_count(programme),
        responses=evaluations["responses"],
        response_eligible=evaluations["eligible"],
        response_rate=evaluations["rate"],
        average_rating=evaluations["average_rating"],
    )


@dataclass
class AgencyProgrammeRow:
    programme: Programme
    nominees: int
    confirmed: int
    attended: int
    certificates: int
    hours: object


def agency_record(user, agency: Organisation) -> tuple[list[AgencyProgrammeRow], list[dict]]:
    """A coordinator's view of one agency they coordinate across every programme, current and past:
    per programme the nominations (``access.rules.nominations``: what the collection statement lets a
    coordinator see), how many were present at a session at least, certificates and CPD hours; and the
    CPD hours per staff member (by email) across programmes. Four grouped queries."""
    from django.db.models import Count, Q

    from plenary.access import rules as access
    from plenary.registrations.models import Registration

    nominated = access.nominations(user).filter(organisation=agency)
    counts = {
        row["programme_id"]: row
        for row in nominated.values("programme_id")
        .annotate(
            n=Count("id"),
            confirmed=Count("id", filter=Q(status=Registration.Status.CONFIRMED)),
        )
        .order_by()
    }
    attended = attendance.attended_per_programme(nominated)
    issued = certificates.per_programme(nominated)
    rows = [
        AgencyProgrammeRow(
            programme=programme,
            nominees=counts[programme.pk]["n"],
            confirmed=counts[programme.pk]["confirmed"],
            attended=attended.get(programme.pk, 0),
            certificates=issued.get(programme.pk, {}).get("certificates", 0),
            hours=issued.get(programme.pk, {}).get("hours") or 0,
        )
        for programme in Programme.objects.filter(pk__in=list(counts)).order_by("-starts_on", "slug")
    ]
    return rows, certificates.hours_per_person(nominated)


@dataclass
class NomineeRow:
    registration: object
    cells: list  # per session: (seat or None, attendance or None)
    certificate: object | None


def agency_programme(
    user, agency: Organisation, programme: Programme
) -> tuple[list[Session], list[NomineeRow]]:
    """One programme of the agency's record: each nominee with their seat and attendance per session and
    their valid certificate. Four queries, whatever the number of nominees."""
    from plenary.access import rules as access
    from plenary.registrations.models import SeatAllocation

    nominees = list(access.nominations(user, programme).filter(organisation=agency).order_by("name_en", "id"))
    sessions = list(programme.sessions.order_by("starts_at", "id"))
    ids = [registration.pk for registration in nominees]
    seats = {
        (seat.registration_id, seat.session_id): seat
        for seat in SeatAllocation.objects.filter(registration_id__in=ids)
    }
    present = attendance.attendance_by_registration([session.pk for session in sessions], ids)
    valid = {
        certificate.registration_id: certificate
        for certificate in certificates.valid_certificates(programme).filter(registration_id__in=ids)
    }
    rows = [
        NomineeRow(
            registration=registration,
            cells=[
                (seats.get((registration.pk, session.pk)), present.get((registration.pk, session.pk)))
                for session in sessions
            ],
            certificate=valid.get(registration.pk),
        )
        for registration in nominees
    ]
    return sessions, rows
