"""The participant's private page ``/me/<token>/``, rendered once per registration version and language.

The page shows one person's registration, seats, pass, certificates, personal data and the messages
they were sent. It is read far more often than any of that changes, so it is rendered once per
language and kept beside the registration (``PrivatePageCopy``: one row per registration and language,
never shared between people, and shared by every web process and node, with or without Redis),
together with the *fingerprint* it was rendered for. The request's one lookup (``head()``) reads the
registration, its current fingerprint and the kept copy together; the fingerprint changes whenever
what the page shows changes:

- the registration row's ``updated_at`` (every change of its status, details, consents, link or pass);
- its seats' newest ``updated_at`` and their number (``seats.py`` stamps every seat it writes);
- the programme's content version (``programmes/pages.py``: titles, times, join links, venues);
- the registration's ``page_version``, raised by ``page_changed()`` for what lives in other apps'
  tables: certificates issued or revoked, erasure requests and their answers, messages sent, erasure.
  The receivers in ``registrations/signals.py`` and the services that write such rows call it;
- a digest of the release's code, templates and translations (copies outlive the processes).

What depends on other people or on the clock is filled in per request: whether the other side of a
hybrid session has room (the "switch" buttons), a waiting seat's place in the queue, whether a
cancelled person may register again, and the visitor's own CSRF token. Visitors with a session or
pending messages get the page rendered afresh (their menu, their messages), never stored.

Erasure calls ``forget()``: the copies are deleted and the version rises; a copy is written only
while the registration still has the version it was rendered for, so a visit racing an erasure cannot
put one back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from plenary.core import sql
from plenary.programmes import pages
from plenary.programmes.models import Programme
from plenary.registrations import selectors
from plenary.registrations.emails import pass_svg
from plenary.registrations.models import PrivatePageCopy, Registration, SeatAllocation, SeatCounter

logger = logging.getLogger(__name__)
CSRF_SLOT = "csrf-token-slot-for-this-visitor"
_SECTIONS = re.compile(r"<!--plenary:(switch:\d+|again)-->(.*?)<!--plenary:/(?:switch|again)-->", re.S)
_POSITIONS = re.compile(r"<!--plenary:position:(\d+)-->")
HEAD_FIELDS = (
    "id",
    "status",
    "programme_id",
    "page_version",
    "fingerprint",
    "registration_open",
    "programme_status",
    "registration_closes_at",
    "ends_on",
    "time_zone",
    "copy_fingerprint",
    "copy_html",
    "copy_fill",
)


def page_changed(*registration_ids: int) -> None:
    """Something these registrations' private pages show, kept outside their own rows, has changed."""
    if registration_ids:
        Registration.objects.filter(pk__in=registration_ids).update(page_version=F("page_version") + 1)


def forget(*registration_ids: int) -> None:
    """Erasure: the kept copies of these pages go, in every language, and the version rises.

    Deleted now and again once the erasure commits (a visit in between may have kept one)."""
    page_changed(*registration_ids)
    copies = PrivatePageCopy.objects.filter(registration_id__in=registration_ids)
    copies.delete()
    transaction.on_commit(copies.delete)


@lru_cache(maxsize=1)
def _HEAD_SQL() -> str:  # noqa: N802 - a constant, built once the models are loaded
    def r(name: str) -> str:
        return "r." + sql.column(Registration, name)

    def p(name: str) -> str:
        return "p." + sql.column(Programme, name)

    def c(name: str) -> str:
        return "c." + sql.column(PrivatePageCopy, name)

    seats, seat_of = sql.table(SeatAllocation), sql.column(SeatAllocation, "registration")
    return (
        f"SELECT {r('id')}, {r('status')}, {r('programme')}, {r('page_version')}, "  # noqa: S608 - names from the models, values bound
        f"{r('updated_at')}, {p('content_version')}, "
        f"(SELECT MAX({sql.column(SeatAllocation, 'updated_at')}) FROM {seats} WHERE {seat_of} = {r('id')}), "
        f"(SELECT COUNT(*) FROM {seats} WHERE {seat_of} = {r('id')}), "
        f"{p('registration_open')}, {p('status')}, {p('registration_closes_at')}, {p('ends_on')}, "
        f"{p('time_zone')}, {c('fingerprint')}, {c('html')}, {c('fill')} "
        f"FROM {sql.table(Registration)} r JOIN {sql.table(Programme)} p ON {p('id')} = {r('programme')} "
        f"LEFT JOIN {sql.table(PrivatePageCopy)} c "
        f"ON {c('registration')} = {r('id')} AND {c('language')} = %s "
        f"WHERE {r('token')} = %s"
    )


def head(token: str, language: str) -> dict | None:
    """The registration's id and status, the fingerprint of its page, the programme's rule inputs and
    the kept copy in this language, in one indexed lookup by token (written by hand: on a kept page it
    is the request's only query)."""
    if not token or len(token) > 64:
        return None
    row = sql.fetchone(_HEAD_SQL(), [language, token])
    if row is None:
        return None
    fingerprint = "|".join([*(str(value) for value in row[3:8]), _code_version()])
    found = dict(zip(HEAD_FIELDS, [*row[:4], fingerprint, *row[8:]], strict=True))
    found["registration_closes_at"] = sql.aware(found["registration_closes_at"])
    return found


@lru_cache(maxsize=1)
def _code_version() -> str:
    """A digest of the code, templates and translations that render the page: copies kept by an older
    release are rendered afresh after an upgrade (they outlive the processes that made them)."""
    package = Path(__file__).resolve().parents[1]
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(package.rglob("*")):
        if path.suffix in (".py", ".html", ".mo") and path.is_file():
            digest.update(str(path.relative_to(package)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _programme(row: dict) -> Programme:
    """An unsaved Programme from the head row, for the registrations app's rule of whether it is open."""
    return Programme(
        pk=row["programme_id"],
        status=row["programme_status"],
        registration_open=bool(row["registration_open"]),
        registration_closes_at=row["registration_closes_at"],
        ends_on=row["ends_on"],
        time_zone=row["time_zone"],
    )


def private_page(request, token: str) -> HttpResponse:
    language = get_language() or settings.LANGUAGE_CODE
    row = head(token, language)
    if row is None:
        raise Http404
    kept = not request.GET and pages.anonymous(request)
    if kept and row["copy_fingerprint"] == row["fingerprint"]:
        html, fill = row["copy_html"], json.loads(row["copy_fill"])
    else:
        html, fill = _render(request, token)
        if kept:
            _keep(row, language, html, fill)
    response = HttpResponse(_fill(request, html, fill, row))
    response["X-Robots-Tag"] = "noindex"  # and no-store, for every private link (core/middleware.py)
    return response


def _keep(row: dict, language: str, html: str, fill: dict) -> None:
    """Keeps the copy, in one statement, only while the registration still has the version it was
    rendered for (a page rendered just before an erasure is never kept after it)."""
    names = ("registration", "language", "fingerprint", "html", "fill")
    columns = ", ".join(sql.column(PrivatePageCopy, name) for name in names)
    updates = ", ".join(f"{column} = excluded.{column}" for column in map(_copy_column, names[2:]))
    statement = (
        f"INSERT INTO {sql.table(PrivatePageCopy)} ({columns}) "  # noqa: S608 - names from the models, values bound
        f"SELECT %s, %s, %s, %s, %s FROM {sql.table(Registration)} "
        f"WHERE {sql.column(Registration, 'id')} = %s AND {sql.column(Registration, 'page_version')} = %s "
        f"ON CONFLICT ({_copy_column('registration')}, {_copy_column('language')}) DO UPDATE SET {updates}"
    )
    try:
        sql.execute(
            statement,
            [row["id"], language, row["fingerprint"], html, json.dumps(fill), row["id"], row["page_version"]],
        )
    except DatabaseError:
        # Keeping is an optimisation: a busy database (SQLite's one writer) must not cost the visit.
        logger.warning("Could not keep the private page of registration %s", row["id"], exc_info=True)


def _copy_column(name: str) -> str:
    return sql.column(PrivatePageCopy, name)


def _render(request, token: str) -> tuple[str, dict]:
    """The whole page with slots for what is filled in per request, and what the filling needs."""
    registration = selectors.registration_by_token(token)
    if registration is None:
        raise Http404
    programme = registration.programme
    seats = selectors.seats_of(registration)
    active = registration.status in ("pending", "confirmed", "waitlisted")
    rows = []
    switches = []
    for seat in seats:
        other = (
            Registration.Mode.ONLINE
            if seat.mode == Registration.Mode.IN_PERSON
            else Registration.Mode.IN_PERSON
        )
        switchable = seat.session.mode == "hybrid" and seat.status != "cancelled" and active
        if switchable:
            switches.append((seat.session_id, other))
        rows.append({"seat": seat, "other_mode": other, "switchable": switchable})
    waiting = [
        (seat.pk, seat.session_id, seat.mode, seat.requested_at.isoformat())
        for seat in seats
        if seat.status == SeatAllocation.Status.WAITLISTED
    ]
    with timezone.override(programme.tzinfo):
        html = render(
            request,
            "registrations/private.html",
            {
                "registration": registration,
                "programme": programme,
                "rows": rows,
                "active": active,
                "cancelled": registration.status == "cancelled",
                "waiting_sessions": len(waiting) if registration.status == "confirmed" else 0,
                "pass_svg": _pass(registration, seats),
                "csrf_token": CSRF_SLOT,
            },
        ).content.decode()
    return html, {"switches": switches, "waiting": waiting}


def _pass(registration: Registration, seats: list[SeatAllocation]) -> str:
    return pass_svg(registration) if selectors.offers_pass(registration, seats) else ""


def _fill(request, html: str, meta: dict, row: dict) -> str:
    """What depends on other people and the clock, worked out for this request."""
    from plenary.registrations.services import registration_is_open

    free = set()
    if meta["switches"]:
        sides = _sides({session_id for session_id, _other in meta["switches"]})
        for session_id, other in meta["switches"]:
            capacity, taken = sides.get((session_id, other), (None, 0))
            if capacity is None or taken < capacity:
                free.add(f"switch:{session_id}")
    if row["status"] == Registration.Status.CANCELLED and registration_is_open(_programme(row)):
        free.add("again")

    def section(match: re.Match) -> str:
        if match.group(1) in free:
            return match.group(2)
        return "—" if match.group(1).startswith("switch") else ""

    html = _SECTIONS.sub(section, html)
    if meta["waiting"]:
        places = {}
        for seat_id, session_id, mode, requested_at in meta["waiting"]:
            seat = SeatAllocation(
                pk=seat_id,
                session_id=session_id,
                mode=mode,
                status=SeatAllocation.Status.WAITLISTED,
                requested_at=parse_datetime(requested_at),
            )
            places[str(seat_id)] = format_html(
                " ({})",
                gettext("number %(position)s in the queue") % {"position": selectors.waiting_position(seat)},
            )
        html = _POSITIONS.sub(lambda match: places.get(match.group(1), ""), html)
    return html.replace(CSRF_SLOT, get_token(request))


def _sides(session_ids: set[int]) -> dict[tuple[int, str], tuple[int | None, int]]:
    """Each side's (capacity, taken) of these sessions, from the seat counters (by hand: per visit)."""
    listed, params = sql.in_list(sorted(session_ids))
    session, mode, capacity, taken = (
        sql.column(SeatCounter, name) for name in ("session", "mode", "capacity", "taken")
    )
    rows = sql.fetchall(
        f"SELECT {session}, {mode}, {capacity}, {taken} FROM {sql.table(SeatCounter)} "  # noqa: S608 - names from the model, values bound
        f"WHERE {session} IN {listed}",
        params,
    )
    return {(session_id, side): (places, used) for session_id, side, places, used in rows}
