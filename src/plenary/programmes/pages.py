"""The public programme page at opening load: rendered once per content version and language.

What the page shows changes rarely (an organiser's edit) and is read thousands of times a minute when
a programme opens, so it is rendered once per *content version* and language and kept in the cache.
``content_changed()`` raises the version; the receivers in ``programmes/signals.py`` and
``engagement/signals.py`` call it whenever a programme, its organisers, sessions, venues, speakers,
run-down or published reflections change, whichever path saved them (console, API, admin, demo), so
a page is never stale after an edit.

What changes by the minute is filled in per request: places left in each room (from the seat counters,
at most ``PLACES_SECONDS`` old), whether registration is open (the flag and the closing time) and
whether the programme has ended. Anonymous visitors without a session get the whole page from the
cache with an ETag and Last-Modified and a 304 for a conditional request; others get the cached
article inside a freshly rendered frame (their menu, their messages).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.html import format_html
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from plenary.core import sql
from plenary.programmes import selectors
from plenary.programmes.models import Programme

PAGE_SECONDS = 24 * 3600
PLACES_SECONDS = 5
ACTIONS = "<!--plenary:actions-->"
PLACES = "<!--plenary:places:{}-->"
HEAD_FIELDS = (
    "pk",
    "slug",
    "content_version",
    "content_changed_at",
    "registration_open",
    "registration_closes_at",
    "ends_on",
    "time_zone",
)


def content_changed(*programme_ids: int, every: bool = False) -> None:
    """Something the public pages of these programmes (or of all, ``every``) show has changed."""
    programmes = Programme.objects.all() if every else Programme.objects.filter(pk__in=programme_ids)
    programmes.update(content_version=F("content_version") + 1, content_changed_at=timezone.now())


def head(slug: str) -> dict:
    """The few columns that decide whether the cached page is current, in one indexed lookup.

    Written by hand (``core/sql.py``): on a cached page this is the request's only query, and the
    ORM's compilation of it cost as much as the rest of the request."""
    if len(slug) > 80:
        raise Http404
    row = sql.fetchone(_HEAD_SQL(), [slug, Programme.Status.PUBLISHED])
    if row is None:
        raise Http404
    found = dict(zip(HEAD_FIELDS, row, strict=True))
    for name in ("content_changed_at", "registration_closes_at"):
        found[name] = sql.aware(found[name])
    return found


@lru_cache(maxsize=1)
def _HEAD_SQL() -> str:  # noqa: N802 - a constant, built once the models are loaded
    names = ", ".join(sql.column(Programme, "id" if name == "pk" else name) for name in HEAD_FIELDS)
    return (
        f"SELECT {names} FROM {sql.table(Programme)} "  # noqa: S608 - names from the model, values bound
        f"WHERE {sql.column(Programme, 'slug')} = %s AND {sql.column(Programme, 'status')} = %s"
    )


def programme_of(row: dict) -> Programme:
    """An unsaved Programme from the head row, for rules that take a programme (e.g. whether it is open)."""
    return Programme(status=Programme.Status.PUBLISHED, **{name: row[name] for name in HEAD_FIELDS})


def places_left(programme_id: int) -> tuple[dict[int, int], datetime]:
    """Free places per limited room, at most ``PLACES_SECONDS`` old, and since when they are so."""
    from plenary.registrations.selectors import rooms_left

    key = f"programme-places:{programme_id}"
    snapshot = cache.get(key)
    if snapshot is None:
        places = rooms_left(programme_id)
        last = cache.get(f"{key}:last")
        since = last[1] if last is not None and last[0] == places else timezone.now()
        snapshot = (places, since)
        cache.set(key, snapshot, PLACES_SECONDS)
        cache.set(f"{key}:last", snapshot, PAGE_SECONDS)
    return snapshot


class State:
    """What the page shows that is not in its content version, worked out for this request."""

    def __init__(self, row: dict) -> None:
        from plenary.registrations.services import registration_is_open

        now = timezone.now()
        programme = programme_of(row)
        ended_at = timezone.make_aware(
            datetime.combine(row["ends_on"] + timedelta(days=1), time()), programme.tzinfo
        )
        self.ended = programme.is_past
        # Whether the form takes registrations is the registrations app's rule, not the page's.
        self.open = registration_is_open(programme)
        self.places, places_since = places_left(row["pk"])
        closes = row["registration_closes_at"]
        moments = [row["content_changed_at"], places_since]
        moments += [moment for moment in (closes, ended_at) if moment is not None and moment <= now]
        self.last_modified = max(moments)
        self.key = (self.ended, self.open, sorted(self.places.items()))

    def fill(self, html: str, slug: str) -> str:
        if self.ended:
            actions = format_html(
                '<p><span class="badge badge-past" id="programme-past">{}</span> {}</p>',
                gettext("Past programme"),
                gettext("This programme has ended; registration is closed."),
            )
        elif self.open:
            actions = format_html(
                '<p><a class="button" href="{}">{}</a></p>', _register_url(slug), gettext("Register")
            )
        else:
            actions = format_html('<p class="notice">{}</p>', gettext("Registration is closed."))
        html = html.replace(ACTIONS, actions)
        for session_id, left in self.places.items():
            if self.ended:
                text = ""
            elif left:
                text = format_html(
                    '<span class="places">{}</span>',
                    ngettext("%(count)d place left", "%(count)d places left", left) % {"count": left},
                )
            else:
                text = format_html(
                    '<span class="places places-full">{}</span>', gettext("Room full: waiting list")
                )
            html = html.replace(PLACES.format(session_id), text)
        return html


def _register_url(slug: str) -> str:
    return reverse("registrations:register", args=[slug])


def article(row: dict, language: str) -> tuple[str, str]:
    """The programme's title and article (all but the frame), cached per content version and language."""
    key = f"programme-article:{row['pk']}:{row['content_version']}:{language}"
    cached = cache.get(key)
    if cached is None:
        programme = selectors.programme_with_sessions().get(pk=row["pk"])
        with timezone.override(programme.tzinfo):
            html = render_to_string(
                "programmes/_programme_article.html",
                {
                    "programme": programme,
                    "groups": selectors.sessions_by_kind(programme),
                    "LANGUAGE_CODE": language,
                    "actions_slot": mark_safe(ACTIONS),  # noqa: S308 - a constant comment
                },
            )
        cached = (programme.title, html)
        cache.set(key, cached, PAGE_SECONDS)
    return cached


def anonymous(request) -> bool:
    """A visitor whose page depends on nothing but the language: no session, so no menu or messages."""
    return not (
        request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        or request.COOKIES.get("messages")
        or getattr(request, "user", None) is not None
        and request.user.is_authenticated
    )


def programme_page(request, slug: str) -> HttpResponse:
    row = head(slug)
    language = get_language() or settings.LANGUAGE_CODE
    state = State(row)
    if request.GET or not anonymous(request):
        return _framed(request, row, state, language)
    fingerprint = hashlib.blake2b(repr((row["content_version"], state.key)).encode(), digest_size=8)
    etag = f'"p{row["pk"]}-v{row["content_version"]}-{language}-{fingerprint.hexdigest()}"'
    last_modified = int(state.last_modified.timestamp())
    conditional = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if conditional is not None:
        return _headers(conditional, etag, last_modified)
    key = f"programme-page:{row['pk']}:{row['content_version']}:{language}"
    page = cache.get(key)
    if page is None:
        page = _framed(request, row, None, language).content.decode()
        cache.set(key, page, PAGE_SECONDS)
    return _headers(HttpResponse(state.fill(page, row["slug"])), etag, last_modified)


def _framed(request, row: dict, state: State | None, language: str) -> HttpResponse:
    """The article in the site's frame; filled for this request unless ``state`` is None (to cache)."""
    title, body = article(row, language)
    if state is not None:
        body = state.fill(body, row["slug"])
    response = render(
        request,
        "programmes/programme_detail.html",
        {"article": mark_safe(body), "title": title},  # noqa: S308 - rendered by our own template
    )
    if state is not None:
        response["Cache-Control"] = "private, no-cache"
    return response


def _headers(response: HttpResponse, etag: str, last_modified: int) -> HttpResponse:
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    # Browsers and proxies may keep it but must ask again (a 304 costs one indexed lookup).
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    patch_vary_headers(response, ["Accept-Language", "Cookie"])
    return response
