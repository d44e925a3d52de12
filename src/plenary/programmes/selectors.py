"""Read queries about programmes that pages, the console and the API share."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet

from plenary.core import sql
from plenary.organisations.models import Membership, Organisation
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


def organiser_organisations(user) -> QuerySet[Organisation]:
    """The bodies for which this user is organiser staff."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role=Membership.Role.ORGANISER
    ).distinct()


def managed_programmes(user) -> QuerySet[Programme]:
    """Programmes this user may manage: those co-organised by a body they are organiser staff of."""
    if not user.is_authenticated:
        return Programme.objects.none()
    if user.is_superuser:
        return Programme.objects.all()
    return Programme.objects.filter(
        co_organisers__organisation__memberships__user=user,
        co_organisers__organisation__memberships__role=Membership.Role.ORGANISER,
    ).distinct()


def can_manage(user, programme: Programme) -> bool:
    return managed_programmes(user).filter(pk=programme.pk).exists()


def organiser_exists(programme_id_sql: str, user) -> tuple[str, list]:
    """``can_manage()`` as an SQL expression for hand-written queries (``core/sql.py``): whether ``user``
    is organiser staff of a co-organiser of the programme whose id is ``programme_id_sql``. Returns the
    expression and its parameters."""
    column = sql.column
    expression = (
        f"EXISTS (SELECT 1 FROM {sql.table(CoOrganiser)} c JOIN {sql.table(Membership)} m "  # noqa: S608 - names from the models and the caller, values bound
        f"ON m.{column(Membership, 'organisation')} = c.{column(CoOrganiser, 'organisation')} "
        f"WHERE c.{column(CoOrganiser, 'programme')} = {programme_id_sql} "
        f"AND m.{column(Membership, 'user')} = %s AND m.{column(Membership, 'role')} = %s)"
    )
    return expression, [user.pk if user.is_authenticated else None, Membership.Role.ORGANISER]


def programme_and_role(slug: str, user) -> tuple[Programme | None, bool]:
    """The programme at ``slug`` and whether ``user`` may manage it, in one query.

    The API's registration endpoint asks this hundreds of times a second; it is ``can_manage()``
    and a programme lookup written by hand (see ``core/sql.py``).
    """
    select, names = sql.columns(Programme, "p")
    organiser, organiser_params = organiser_exists("p.id", user)
    row = sql.fetchone(
        f"SELECT {select}, {organiser} "  # noqa: S608 - names from the models, values bound
        f"FROM {sql.table(Programme)} p WHERE p.{sql.column(Programme, 'slug')} = %s",
        [*organiser_params, slug],
    )
    if row is None:
        return None, False
    *values, organiser = row
    programme = sql.hydrate(Programme, names, values)
    return programme, bool(organiser) or (user.is_authenticated and user.is_superuser)


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
