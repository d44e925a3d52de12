"""Read queries about attendance shared by the console, the API and exports."""

from __future__ import annotations

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from plenary.attendance.models import Attendance, AttendanceImport, AttendanceTally, Progress, ProgressSession
from plenary.core import sql
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration

ACTIVE_STATUSES = (Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)
GONE_STATUSES = tuple(status for status in Registration.Status.values if status not in ACTIVE_STATUSES)


def registrants(programme: Programme) -> QuerySet[Registration]:
    return Registration.objects.filter(programme=programme, status__in=ACTIVE_STATUSES).select_related(
        "organisation"
    )


def attendance_by_registration(session_ids, registration_ids) -> dict[tuple[int, int], Attendance]:
    rows = Attendance.objects.filter(session_id__in=session_ids, registration_id__in=registration_ids)
    return {(row.registration_id, row.session_id): row for row in rows}


def live_imports(session: Session) -> QuerySet[AttendanceImport]:
    return session.attendance_imports.filter(replaced_by__isnull=True).select_related("uploaded_by")


def with_candidates(programme: Programme, pending: list[tuple]) -> list[tuple]:
    """Unmatched rows with the registrants they may be: same normalised name, or same email name part."""
    from plenary.attendance.reports.common import normalise_name

    if not pending:
        return []
    by_name: dict[str, list[Registration]] = {}
    for person in registrants(programme).only(
        "pk", "reference", "name_en", "name_zh", "email", "organisation"
    ):
        for name in {normalise_name(person.name_en), normalise_name(person.name_zh)}:
            if name:
                by_name.setdefault(name, []).append(person)
    result = []
    for batch, row in pending:
        found: dict[int, Registration] = {}
        for name in [row.get("name") or "", *(row.get("other_names") or [])]:
            for person in by_name.get(normalise_name(name), []):
                found.setdefault(person.pk, person)
        result.append((batch, row, list(found.values())[:5]))
    return result


# Bins of the minutes distribution: a share of the session's length, lower bound inclusive.
MINUTE_BINS = (0, 25, 50, 75, 100)


def tallies(programme: Programme, session_ids: list[int]) -> dict[tuple[int, str, bool, int], int]:
    """How many standing registrations have each (session, mode, present, minutes) at these sessions.

    Read from the ``AttendanceTally`` the database keeps (a few hundred rows per session, however many
    attended), less the attendance of the registrations that no longer stand (cancelled or rejected),
    found through the registrations' (programme, status) index and read by the (registration, session)
    key: no query reads everyone's attendance."""
    found: dict[tuple[int, str, bool, int], int] = {}
    if not session_ids:
        return found
    for session_id, mode, present, minutes, n in (
        AttendanceTally.objects.filter(session_id__in=list(session_ids))
        .values_list("session_id", "mode", "present", "minutes")
        .annotate(n=Sum("n"))  # the key's shards added up
        .filter(n__gt=0)
        .order_by()
    ):
        found[(session_id, mode, present, minutes)] = n
    wanted = set(session_ids)
    for session_id, mode, present, minutes, n in _gone_attendance(programme):
        if session_id in wanted:
            key = (session_id, mode, present, minutes)
            found[key] = found.get(key, 0) - n
    return found


def _gone_attendance(programme: Programme) -> list[tuple]:
    """(session, mode, present, minutes, rows) of the programme's registrations that no longer stand,
    read by registration only, so that both databases read the (registration, session) key (their rows
    are the programme's sessions; the caller leaves out those not asked for)."""
    if connection.vendor == "postgresql":
        # One statement: the gone registrations on the (programme, status) index, each one's rows on the
        # (registration, session) key. ``OFFSET 0`` keeps the LATERAL a nested loop: as a plain join the
        # planner, guessing five rows per registration (those who cancel mostly have none), chose a
        # parallel scan of every attendance row (60-100 ms at 100 000 registrations instead of 15).
        column = sql.column
        names = ", ".join(
            f"x.{column(Attendance, name)}" for name in ("session", "mode", "present", "minutes")
        )
        return sql.fetchall(
            f"SELECT a.*, COUNT(*) FROM {sql.table(Registration)} r CROSS JOIN LATERAL ("  # noqa: S608 - names from the models, values bound
            f"SELECT {names} FROM {sql.table(Attendance)} x WHERE x.{column(Attendance, 'registration')} = r.id "
            f"OFFSET 0) a WHERE r.{column(Registration, 'programme')} = %s "
            f"AND r.{column(Registration, 'status')} = ANY(%s) GROUP BY 1, 2, 3, 4",
            [programme.pk, list(GONE_STATUSES)],
        )
    gone = list(
        programme.registrations.filter(status__in=GONE_STATUSES).order_by().values_list("pk", flat=True)
    )
    rows = []
    for start in range(0, len(gone), 2000):
        rows += list(
            Attendance.objects.filter(registration_id__in=gone[start : start + 2000])
            .values_list("session_id", "mode", "present", "minutes")
            .annotate(n=Count("*"))
            .order_by()
        )
    return rows


def session_summaries(
    programme: Programme, sessions: list[Session], *, registered: int | None = None
) -> list[dict]:
    """Each session's summary for the console, from one tally (``tallies``): registered (``registered``
    when the caller counted the registrants already), attended online, attended in person and the
    average minutes of those who came."""
    if registered is None:
        registered = registrants(programme).count()
    rows = {
        session.pk: {
            "session": session,
            "registered": registered,
            "online": 0,
            "in_person": 0,
            "n": 0,
            "sum": 0,
        }
        for session in sessions
    }
    for (session_id, mode, present, minutes), n in tallies(programme, list(rows)).items():
        row = rows[session_id]
        if present and mode in ("online", "hybrid"):
            row["online"] += n
        if present and mode in ("in_person", "hybrid"):
            row["in_person"] += n
        if minutes > 0:
            row["n"] += n
            row["sum"] += n * minutes
    return [
        {
            "session": row["session"],
            "registered": registered,
            "online": row["online"],
            "in_person": row["in_person"],
            "average": round(row["sum"] / row["n"]) if row["n"] else 0,
        }
        for row in rows.values()
    ]


def session_figures(programme: Programme) -> dict[int, dict]:
    """Per session of the programme, over the standing registrations' attendance (``tallies``):
    ``arrived`` (seen in the room), ``online_present`` and ``present`` (at the programme's threshold,
    as ``services.derive`` decided it) and ``minutes``, how many people fall in each bin of
    ``MINUTE_BINS`` (share of the session's length: under 25 %, 25–49 %, 50–74 %, 75–99 %, 100 %)."""
    sessions = list(programme.sessions.all())
    figures = {
        session.pk: {"arrived": 0, "online_present": 0, "present": 0, "minutes": [0] * len(MINUTE_BINS)}
        for session in sessions
    }
    lengths = {session.pk: int(session.duration.total_seconds() // 60) for session in sessions}
    for (session_id, mode, present, minutes), n in tallies(programme, list(lengths)).items():
        row = figures[session_id]
        if mode in ("in_person", "hybrid"):
            row["arrived"] += n
        if present:
            row["present"] += n
            if mode in ("online", "hybrid"):
                row["online_present"] += n
        length = lengths[session_id]
        share = 100 * minutes / length if length else 0
        index = max(i for i, bound in enumerate(MINUTE_BINS) if share >= bound)
        row["minutes"][index] += n
    return figures


def present_counts(programme: Programme) -> dict[int, int]:
    """Per session of the programme: how many standing registrations were present (at the threshold)."""
    return {pk: figures["present"] for pk, figures in session_figures(programme).items()}


def attended_per_programme(registrations) -> dict[int, int]:
    """Per programme: how many of the given registrations were present at one session at least."""
    rows = (
        Attendance.objects.filter(registration__in=registrations, present=True)
        .values("registration__programme_id")
        .annotate(n=Count("registration", distinct=True))
        .order_by()
    )
    return {row["registration__programme_id"]: row["n"] for row in rows}


def progress_pairs(programme: Programme, lengths: dict[int, int]) -> list[tuple[int, int, int]] | None:
    """(sessions present, capped minutes, people) over the confirmed registrations that have a ``Progress``
    row, counted on its (programme, sessions, minutes) index; None when the progress was counted with
    other counting sessions or lengths than ``lengths`` (a rebuild is due: the caller counts exactly)."""
    stored = dict(ProgressSession.objects.filter(programme=programme).values_list("session_id", "minutes"))
    if stored != lengths:
        return None
    others = programme.registrations.filter(
        status__in=[
            status for status in Registration.Status.values if status != Registration.Status.CONFIRMED
        ]
    ).values("pk")
    return list(
        Progress.objects.filter(programme=programme)
        .exclude(registration__in=others)
        .values_list("sessions", "minutes")
        .annotate(n=Count("*"))
        .order_by()
    )


def progress_people(
    programme: Programme, pairs: list[tuple[int, int]], *, after: int, limit: int
) -> list[int]:
    """The first ``limit`` confirmed registrations after id ``after`` whose (sessions present, capped
    minutes) is one of ``pairs``, in id order: the certificate console's first eligible people, found on
    the progress rows' index when the rule accepts few pairs."""
    if not pairs or limit <= 0:
        return []
    wanted = Q()
    for sessions, minutes in pairs:
        wanted |= Q(sessions=sessions, minutes=minutes)
    return list(
        Progress.objects.filter(wanted, programme=programme, registration_id__gt=after)
        .filter(registration__status=Registration.Status.CONFIRMED)
        .order_by("registration_id")
        .values_list("registration_id", flat=True)[:limit]
    )
