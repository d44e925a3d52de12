"""The participant's private page ``/me/<token>/``, rendered once per registration version and language.

The page shows one person's registration, seats, pass, certificates, personal data and the messages
they were sent. It is read far more often than any of that changes, so it is rendered once and kept in
the cache under the registration's id (never shared between people), together with the *fingerprint*
it was rendered for. The fingerprint is read with the registration itself, in the request's one
lookup (``head()``), and changes whenever what the page shows changes:

- the registration row's ``updated_at`` (every change of its status, details, consents, link or pass);
- its seats' newest ``updated_at`` and their number (``seats.py`` stamps every seat it writes);
- the programme's content version (``programmes/pages.py``: titles, times, join links, venues);
- the registration's ``page_version``, raised by ``page_changed()`` for what lives in other apps'
  tables: certificates issued or revoked, erasure requests and their answers, messages sent, erasure.
  The receivers in ``registrations/signals.py`` and the services that write such rows call it.

What depends on other people or on the clock is filled in per request: whether the other side of a
hybrid session has room (the "switch" buttons), a waiting seat's place in the queue, whether a
cancelled person may register again, and the visitor's own CSRF token. Visitors with a session or
pending messages get the page rendered afresh (their menu, their messages), never stored.

Erasure calls ``forget()``: the cached copies in the shared cache are deleted, and the version rises,
so no copy in a process's own memory is ever served again either.
"""

from __future__ import annotations

import re
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from plenary.core import sql
from plenary.programmes import pages
from plenary.programmes.models import Programme
from plenary.registrations import selectors
from plenary.registrations.emails import pass_svg
from plenary.registrations.models import Registration, SeatAllocation

PAGE_SECONDS = 3600
CSRF_SLOT = "csrf-token-slot-for-this-visitor"
POSITION = "<!--plenary:position:{}-->"
_SECTIONS = re.compile(r"<!--plenary:(switch:\d+|again)-->(.*?)<!--plenary:/(?:switch|again)-->", re.S)
_POSITIONS = re.compile(r"<!--plenary:position:(\d+)-->")
HEAD_FIELDS = (
    "id",
    "status",
    "programme_id",
    "fingerprint",
    "registration_open",
    "programme_status",
    "registration_closes_at",
    "ends_on",
    "time_zone",
)


def page_changed(*registration_ids: int) -> None:
    """Something these registrations' private pages show, kept outside their own rows, has changed."""
    if registration_ids:
        Registration.objects.filter(pk__in=registration_ids).update(page_version=F("page_version") + 1)


def forget(*registration_ids: int) -> None:
    """Erasure: the cached copies of these pages go, in every language, and the version rises.

    Deleted now and again once the erasure commits: a visit in between may have stored a copy."""
    page_changed(*registration_ids)
    keys = [_key(pk, code) for pk in registration_ids for code, _name in settings.LANGUAGES]
    cache.delete_many(keys)
    transaction.on_commit(lambda: cache.delete_many(keys))


def _key(registration_id: int, language: str) -> str:
    return f"private-page:{registration_id}:{language}"


@lru_cache(maxsize=1)
def _HEAD_SQL() -> str:  # noqa: N802 - a constant, built once the models are loaded
    r, p, s = (sql.column(Registration, name) for name in ("id", "programme", "updated_at"))
    seat_of, seat_stamp = sql.column(SeatAllocation, "registration"), sql.column(SeatAllocation, "updated_at")
    seats = sql.table(SeatAllocation)
    pc = {name: sql.column(Programme, name) for name in ("id", "content_version", "status", "time_zone")}
    pc |= {name: sql.column(Programme, name) for name in ("registration_open", "registration_closes_at")}
    pc["ends_on"] = sql.column(Programme, "ends_on")
    return (
        f"SELECT r.{r}, r.{sql.column(Registration, 'status')}, r.{p}, "  # noqa: S608 - names from the models, values bound
        f"r.{s}, r.{sql.column(Registration, 'page_version')}, p.{pc['content_version']}, "
        f"(SELECT MAX({seat_stamp}) FROM {seats} WHERE {seat_of} = r.{r}), "
        f"(SELECT COUNT(*) FROM {seats} WHERE {seat_of} = r.{r}), "
        f"p.{pc['registration_open']}, p.{pc['status']}, p.{pc['registration_closes_at']}, "
        f"p.{pc['ends_on']}, p.{pc['time_zone']} "
        f"FROM {sql.table(Registration)} r JOIN {sql.table(Programme)} p ON p.{pc['id']} = r.{p} "
        f"WHERE r.{sql.column(Registration, 'token')} = %s"
    )


def head(token: str) -> dict | None:
    """The registration's id and status, the fingerprint of its page and the programme's rule inputs,
    in one indexed lookup by token (written by hand: on a cached page it is the request's only query)."""
    if not token or len(token) > 64:
        return None
    row = sql.fetchone(_HEAD_SQL(), [token])
    if row is None:
        return None
    registration_id, status, programme_id, *fingerprint = row[:8]
    rest = row[8:]
    found = dict(
        zip(
            HEAD_FIELDS,
            [registration_id, status, programme_id, tuple(str(value) for value in fingerprint), *rest],
            strict=True,
        )
    )
    found["registration_closes_at"] = sql.aware(found["registration_closes_at"])
    return found


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
    row = head(token)
    if row is None:
        raise Http404
    language = get_language() or settings.LANGUAGE_CODE
    stored = not request.GET and pages.anonymous(request)
    cached = cache.get(_key(row["id"], language)) if stored else None
    if cached is not None and cached[0] == row["fingerprint"]:
        html, meta = cached[1], cached[2]
    else:
        html, meta = _render(request, token)
        if stored:
            cache.set(_key(row["id"], language), (row["fingerprint"], html, meta), PAGE_SECONDS)
    response = HttpResponse(_fill(request, html, meta, row))
    response["X-Robots-Tag"] = "noindex"  # and no-store, for every private link (core/middleware.py)
    return response


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
        (seat.pk, seat.session_id, seat.mode, seat.requested_at)
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
        sides = selectors.sides(row["programme_id"])
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
                requested_at=requested_at,
            )
            places[str(seat_id)] = format_html(
                " ({})",
                gettext("number %(position)s in the queue") % {"position": selectors.waiting_position(seat)},
            )
        html = _POSITIONS.sub(lambda match: places.get(match.group(1), ""), html)
    return html.replace(CSRF_SLOT, get_token(request))
