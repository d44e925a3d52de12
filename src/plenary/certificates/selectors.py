"""Read queries about certificates shared by the console, the API, the private page and exports."""

from __future__ import annotations

from dataclasses import dataclass

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


def eligible_count(programme: Programme, *, confirmed: int | None = None) -> tuple[int, int]:
    """(eligible, confirmed): how many confirmed registrations the programme's rule gives a
    certificate to, without loading them (``confirmed``, when the caller counted them already, is not
    counted again).

    Each person's figures — sessions attended and minutes capped at each session's length over the
    counting sessions, as ``services.evaluate`` counts them — come counted per distinct pair: from the
    attendance owner's ``Progress`` rows (``attendance.selectors.progress_pairs``, one index), or, while
    those are being recounted after the sessions changed, summed from the attendance rows
    (``exact_pairs``). ``services.meets_rule`` (the rule, written once) then decides each pair: a few
    hundred pairs at most, however many registrations.
    """
    counted = _counted(programme, confirmed)
    return counted.eligible, counted.confirmed


@dataclass
class _Counted:
    rule: object
    lengths: dict[int, int]
    pairs: list[tuple[int, int, int]]
    from_progress: bool  # read from the progress rows (which can then find the people of a pair)
    confirmed: int
    eligible: int

    def eligible_pairs(self) -> list[tuple[int, int]]:
        from plenary.certificates import services

        total = sum(self.lengths.values())
        return [
            (attended, minutes)
            for attended, minutes, _n in self.pairs
            if services.meets_rule(self.rule, len(self.lengths), total, attended, minutes)
        ]


def _counted(programme: Programme, confirmed: int | None = None) -> _Counted:
    from plenary.attendance import selectors as attendance
    from plenary.certificates import services

    rule = services.rule_for(programme)
    lengths = services.counting_lengths(programme)
    if confirmed is None:
        confirmed = programme.registrations.filter(status=Registration.Status.CONFIRMED).count()
    if not lengths or not confirmed:
        return _Counted(rule, lengths, [], False, confirmed, 0)
    pairs = attendance.progress_pairs(programme, lengths)
    from_progress = pairs is not None
    if pairs is None:
        pairs = exact_pairs(programme, lengths)
    return _Counted(
        rule, lengths, pairs, from_progress, confirmed, eligible_in(rule, lengths, pairs, confirmed)
    )


def eligible_in(rule, lengths: dict[int, int], pairs: list[tuple[int, int, int]], confirmed: int) -> int:
    """How many of ``confirmed`` people are eligible, given (sessions attended, minutes, people) for those
    with attendance at a counting session (everyone else has none of either)."""
    from plenary.certificates import services

    minutes_total = sum(lengths.values())
    seen = sum(count for _a, _m, count in pairs)
    pairs = [*pairs, (0, 0, confirmed - seen)]
    return sum(
        count
        for attended, minutes, count in pairs
        if count and services.meets_rule(rule, len(lengths), minutes_total, attended, minutes or 0)
    )


def exact_pairs(programme: Programme, lengths: dict[int, int]) -> list[tuple[int, int, int]]:
    """(sessions attended, capped minutes, people) summed from every attendance row at the counting
    sessions of the confirmed registrations: a per-person sum over the programme's attendance."""
    from plenary.attendance.models import Attendance

    capped = Case(
        *[When(session_id=pk, then=Least("minutes", Value(length))) for pk, length in lengths.items()],
        default=Value(0),
        output_field=IntegerField(),
    )
    # Everyone's attendance at the counting sessions but that of the few registrations not confirmed,
    # with no join over everyone.
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
        return [(attended, minutes or 0, count) for attended, minutes, count in cursor.fetchall()]


def preview(programme: Programme, *, eligible: int = 25, not_eligible: int = 50) -> dict:
    """For the console: how many confirmed registrations are and are not eligible (``eligible_count``)
    and the first few of each, in registration order, as ``services.evaluate`` judges them — evaluated
    a batch at a time until both lists are full, not everyone at once. When the eligible are few, their
    first ones are found through the progress rows of the pairs the rule accepts (at most
    ``PREVIEW_PAIRS`` pairs) and evaluated alone; otherwise at most ``PREVIEW_BATCHES`` batches are read,
    so a large programme's list may then show fewer than the count says."""
    from plenary.attendance import selectors as attendance
    from plenary.certificates import services

    counted = _counted(programme)
    eligible_n, confirmed = counted.eligible, counted.confirmed
    wanted = (min(eligible, eligible_n), min(not_eligible, confirmed - eligible_n))
    accepted = counted.eligible_pairs() if counted.from_progress else []
    by_progress = counted.from_progress and len(accepted) <= PREVIEW_PAIRS
    rows: tuple[list, list] = ([], [])
    confirmed_ids = programme.registrations.filter(status=Registration.Status.CONFIRMED).order_by("id")
    after = 0
    for _batch in range(PREVIEW_BATCHES):
        if len(rows[1]) >= wanted[1] and (len(rows[0]) >= wanted[0] or by_progress):
            break
        batch = list(confirmed_ids.filter(id__gt=after)[:PREVIEW_BATCH])
        if not batch:
            break
        after = batch[-1].pk
        for evaluation in services.evaluate(programme, batch):
            side = rows[0] if evaluation.eligible else rows[1]
            if len(side) < wanted[0 if evaluation.eligible else 1]:
                side.append(evaluation)
    if by_progress and accepted and len(rows[0]) < wanted[0]:
        ids = attendance.progress_people(programme, accepted, after=after, limit=wanted[0] - len(rows[0]))
        for evaluation in services.evaluate(programme, confirmed_ids.filter(pk__in=ids)):
            if evaluation.eligible and len(rows[0]) < wanted[0]:
                rows[0].append(evaluation)
    return {
        "eligible_count": eligible_n,
        "not_eligible_count": confirmed - eligible_n,
        "eligible": rows[0],
        "not_eligible": rows[1],
    }


# Fewer than 500, so that ``services.evaluate`` reads only these people's attendance; a few batches.
PREVIEW_BATCH = 400
PREVIEW_BATCHES = 5
# The eligible are looked up through their progress when the rule accepts at most this many pairs.
PREVIEW_PAIRS = 200


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
