"""Read queries about certificates shared by the console, the API, the private page and exports."""

from __future__ import annotations

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Least

from plenary.access import rules as access
from plenary.certificates.models import Certificate
from plenary.programmes.models import Programme
from plenary.registrations.models import Registration


def visible_certificates(user, programme: Programme) -> QuerySet[Certificate] | None:
    """Certificates of the programme this user may see: all for organisers; for a coordinator, those
    of the registrations they may see (their agencies' nominations, ``access.visible_registrations``).

    None when the user may see none at all (the caller answers 403 or 404).
    """
    certificates = Certificate.objects.filter(programme=programme).select_related("registration")
    if access.manages(user, programme):
        return certificates
    if access.is_coordinator(user):
        return certificates.filter(registration__in=access.visible_registrations(user, programme))
    return None


def find_by_serial(serial: str) -> Certificate | None:
    serial = (serial or "").strip().upper()
    if not serial or len(serial) > 24:
        return None
    return Certificate.objects.select_related("programme").filter(serial=serial).first()


def valid_certificates(programme: Programme) -> QuerySet[Certificate]:
    return Certificate.objects.filter(programme=programme, state=Certificate.State.VALID)


def valid_count(programme: Programme) -> int:
    """Certificates issued and standing (neither superseded nor revoked)."""
    return valid_certificates(programme).count()


def state_counts(programme: Programme) -> dict[str, int]:
    """The programme's certificates by state (every state, zeros included): one grouped query."""
    found = dict(
        Certificate.objects.filter(programme=programme).values_list("state").annotate(n=Count("*")).order_by()
    )
    return {state: found.get(state, 0) for state in Certificate.State.values}


def eligible_count(programme: Programme) -> tuple[int, int]:
    """(eligible, confirmed): how many confirmed registrations the programme's rule gives a
    certificate to, without loading them.

    The database sums each person's figures over the counting sessions (sessions attended, minutes
    capped at each session's length, as ``services.evaluate`` counts them) and counts the people per
    distinct pair of figures; ``services.meets_rule`` (the rule, written once) then decides each pair.
    A few hundred pairs at most, however many registrations.
    """
    from plenary.attendance.models import Attendance
    from plenary.certificates import services

    rule = services.rule_for(programme)
    sessions = services.counting_sessions(programme)
    confirmed = programme.registrations.filter(status=Registration.Status.CONFIRMED).count()
    if not sessions or not confirmed:
        return 0, confirmed
    lengths = {session.pk: services._session_minutes(session) for session in sessions}
    capped = Case(
        *[When(session_id=pk, then=Least("minutes", Value(length))) for pk, length in lengths.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    # Everyone's attendance at the counting sessions but that of the few registrations not confirmed,
    # with no join over everyone. Still a per-person sum over every row: the dashboard's costliest query.
    others = programme.registrations.filter(
        status__in=[
            status for status in Registration.Status.values if status != Registration.Status.CONFIRMED
        ]
    ).values("pk")
    per_person = (
        Attendance.objects.filter(session_id__in=list(lengths))
        .exclude(registration__in=others)
        .values("registration_id")
        .annotate(attended_n=Count("session", filter=Q(present=True)), minutes_sum=Sum(capped))
        .order_by()
    )
    sql, params = per_person.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT attended_n, minutes_sum, COUNT(*) FROM ({sql}) figures "  # noqa: S608 - the ORM built it, values bound
            "GROUP BY attended_n, minutes_sum",
            params,
        )
        pairs = cursor.fetchall()
    minutes_total = sum(lengths.values())
    seen = sum(count for _a, _m, count in pairs)
    pairs.append((0, 0, confirmed - seen))
    eligible = sum(
        count
        for attended, minutes, count in pairs
        if count and services.meets_rule(rule, len(sessions), minutes_total, attended, minutes or 0)
    )
    return eligible, confirmed


def preview(programme: Programme, *, eligible: int = 25, not_eligible: int = 50) -> dict:
    """For the console: how many confirmed registrations are and are not eligible (``eligible_count``)
    and the first few of each, in registration order, as ``services.evaluate`` judges them — evaluated
    a batch at a time until both lists are full, not everyone at once. At most ``PREVIEW_BATCHES``
    batches are read, so when few are eligible in a large programme the list may show fewer than the
    count says."""
    from plenary.certificates import services

    eligible_n, confirmed = eligible_count(programme)
    wanted = (min(eligible, eligible_n), min(not_eligible, confirmed - eligible_n))
    rows: tuple[list, list] = ([], [])
    confirmed_ids = programme.registrations.filter(status=Registration.Status.CONFIRMED).order_by("id")
    after = 0
    for _batch in range(PREVIEW_BATCHES):
        if len(rows[0]) >= wanted[0] and len(rows[1]) >= wanted[1]:
            break
        batch = list(confirmed_ids.filter(id__gt=after)[:PREVIEW_BATCH])
        if not batch:
            break
        after = batch[-1].pk
        for evaluation in services.evaluate(programme, batch):
            side = rows[0] if evaluation.eligible else rows[1]
            if len(side) < wanted[0 if evaluation.eligible else 1]:
                side.append(evaluation)
    return {
        "eligible_count": eligible_n,
        "not_eligible_count": confirmed - eligible_n,
        "eligible": rows[0],
        "not_eligible": rows[1],
    }


# Fewer than 500, so that ``services.evaluate`` reads only these people's attendance; a few batches.
PREVIEW_BATCH = 400
PREVIEW_BATCHES = 5


def hours_per_person(registrations) -> list[dict]:
    """CPD hours of valid certificates per person (by email, across programmes) for the given
    registrations: ``email``, ``name_en``, ``name_zh``, ``programmes``, ``hours``; one grouped query."""
    from django.db.models import Max

    return list(
        Certificate.objects.filter(registration__in=registrations, state=Certificate.State.VALID)
        .values("registration__email")
        .annotate(
            name_en=Max("name_en"),
            name_zh=Max("name_zh"),
            programmes=Count("programme", distinct=True),
            hours=Sum("hours"),
        )
        .order_by("registration__email")
    )


def per_programme(registrations) -> dict[int, dict]:
    """Valid certificates and their hours per programme for the given registrations."""
    rows = (
        Certificate.objects.filter(registration__in=registrations, state=Certificate.State.VALID)
        .values("programme_id")
        .annotate(n=Count("id"), hours=Sum("hours"))
        .order_by()
    )
    return {row["programme_id"]: {"certificates": row["n"], "hours": row["hours"]} for row in rows}


def withdrawn_certificates() -> list[tuple[str, str, object]]:
    """(serial, state, since) of every certificate that is no longer valid: revoked or superseded."""
    return list(
        Certificate.objects.exclude(state=Certificate.State.VALID)
        .order_by("serial")
        .values_list("serial", "state", "revoked_at")
    )
