"""Read queries about programmes that pages, the console and the API share."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet

from plenary.core import sql
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker


def public_programmes() -> QuerySet[Programme]:
    return Programme.objects.filter(status=Programme.Status.PUBLISHED)


def programme_with_sessions(queryset: QuerySet[Programme] | None = None) -> QuerySet[Programme]:
    """Programmes with organisers, sessions, venues, speakers and run-downs loaded in a few queries."""
    queryset = queryset if queryset is not None else Programme.objects.all()
    return queryset.prefetch_related(
        Prefetch("co_organisers", queryset=CoOrganiser.objects.select_related("organisation")),
        Prefetch(
            "sessions",
            queryset=Session.objects.select_related("venue").prefetch_related(
                Prefetch("speakers", queryset=Speaker.objects.select_related("organisation")),
                Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("speaker")),
            ),
        ),
    )


def sessions_by_kind(programme: Programme) -> list[tuple[str, list[Session]]]:
    """Sessions grouped as the public page shows them: ceremony, lectures, sharing, then the rest."""
    order = [
        Session.Kind.CEREMONY,
        Session.Kind.LECTURE,
        Session.Kind.WORKSHOP,
        Session.Kind.SHARING,
        Session.Kind.OTHER,
    ]
    sessions = list(programme.sessions.all())
    groups = []
    for kind in order:
        members = [session for session in sessions if session.kind == kind]
        if members:
            groups.append((kind, members))
    return groups


def programme_and_role(slug: str, user) -> tuple[Programme | None, bool]:
    """The programme at ``slug`` and whether ``user`` may manage it, in one query.

    The API's registration endpoint asks this hundreds of times a second: a programme lookup written
    by hand (``core/sql.py``) with ``access.rules.manages_sql()``, the twin of ``manages()``.
    """
    from plenary.access.rules import manages_sql

    select, names = sql.columns(Programme, "p")
    organiser, organiser_params = manages_sql("p.id", user)
    row = sql.fetchone(
        f"SELECT {select}, {organiser} "  # noqa: S608 - names from the models, values bound
        f"FROM {sql.table(Programme)} p WHERE p.{sql.column(Programme, 'slug')} = %s",
        [*organiser_params, slug],
    )
    if row is None:
        return None, False
    *values, organiser = row
    return sql.hydrate(Programme, names, values), bool(organiser)


def rundown(session: Session) -> list[dict]:
    """The run-down with each item's start and end, flowed from the session's start in order."""
    items = []
    cursor = session.starts_at
    for item in session.agenda_items.all():
        end = cursor + timedelta(minutes=item.duration_minutes)
        items.append({"item": item, "starts_at": cursor, "ends_at": end, "overruns": end > session.ends_at})
        cursor = end
    return items


def rundown_overrun_minutes(session: Session, slots: list[dict] | None = None) -> int:
    """By how many minutes the run-down runs past the session's end (0 when it fits)."""
    slots = rundown(session) if slots is None else slots
    if not slots:
        return 0
    over = slots[-1]["ends_at"] - session.ends_at
    return max(0, int(over.total_seconds() // 60))


def speaker_slots(session: Session) -> list[dict]:
    """The run-down slots that have a speaker with an email address, for "email each speaker their slot"."""
    return [slot for slot in rundown(session) if slot["item"].speaker and slot["item"].speaker.email]
