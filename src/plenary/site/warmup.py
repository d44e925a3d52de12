"""Work a web process would otherwise do on its first requests, done before it takes any.

When a programme opens, a door opens or a reminder goes out, the first requests arrive together; a
process that has just started paid about a tenth of a second of CPU on its first of them (measured:
URL patterns and the reverse lookup table compiled for each language, the email validator's
expressions compiled, translations loaded), and each thread another twenty to forty milliseconds to
open its database connection and have the database parse and plan the hot statements (``core/sql.py``)
for it. ``process()`` runs when the WSGI application loads, ``thread()`` once in each of the web
server's threads (``site/gunicorn.py``). Apps add their hot read-only statements with ``core.warmup.statement()``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.validators import validate_email
from django.db import connection
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import translation

from plenary.core.warmup import statements

log = logging.getLogger(__name__)


def _compile(patterns) -> None:
    for entry in patterns:
        entry.pattern.regex  # noqa: B018 - compiled on first use, per language
        if isinstance(entry, URLResolver):
            _compile(entry.url_patterns)
        elif not isinstance(entry, URLPattern):  # pragma: no cover - Django has only these two
            continue


def process() -> None:
    resolver = get_resolver()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            _compile(resolver.url_patterns)
            resolver.reverse_dict  # noqa: B018 - built on first reverse(), per language
    validate_email("warm-up@example.org")


def thread() -> None:
    try:
        connection.ensure_connection()
        for run in statements():
            run()
    except Exception:  # noqa: BLE001 - a database that is not up yet is met again on the first request
        log.warning("Could not warm up a web thread's database connection", exc_info=True)
