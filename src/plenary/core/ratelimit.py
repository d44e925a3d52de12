"""Limits that hold across every process and node: counts live in the shared cache.

The ``limits`` cache is Redis when ``REDIS_URL`` is set and a table in the database otherwise
(``LimitsTable``), so every gunicorn process and every web node counts the same uses. Each limit counts
uses per key in a fixed window; a request over it is refused with ``Throttled`` (429: a page in the
person's language, or JSON with ``Retry-After`` in the API) — never silently. Keys are stored hashed:
some are email addresses, and a count needs no one's address in the clear.

The client is the socket's address, or, when that address is one of ``PLENARY_TRUSTED_PROXIES`` (a
reverse proxy), the last address the proxies added to ``X-Forwarded-For`` that is not a proxy itself.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connection
from django.utils.translation import gettext_lazy as _

from plenary.core import sql
from plenary.core.errors import DomainError

WINDOW_SECONDS = 3600


class Throttled(DomainError):
    """Too many attempts: the person is told to wait ``retry_after`` seconds."""

    status = 429
    default_message = _("Too many attempts. Please wait a while and try again.")

    def __init__(self, message=None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


def clock() -> float:
    """The limiters' clock: which fixed window a use falls in. (The test suite pins it for each test, so
    that uses counted up to a limit do not straddle a window's end at a quarter past the hour.)"""
    return time.time()


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` uses per ``window`` seconds, per key (``name`` keeps families apart)."""

    name: str
    limit: int
    window: int = WINDOW_SECONDS

    def _key(self, key: str, now: float) -> tuple[str, int]:
        slot = int(now // self.window)
        retry_after = int(self.window - now % self.window) + 1
        hashed = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
        return f"limit:{self.name[:80]}:{slot}:{hashed}", retry_after

    def count(self, key: str) -> tuple[int, int]:
        """Counts one use; the count so far in this window and the seconds until it ends."""
        cache = caches["limits"]
        name, retry_after = self._key(key, clock())
        if isinstance(cache, LimitsTable):
            return cache.count(name, self.window + 1), retry_after
        cache.add(name, 0, self.window + 1)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, self.window + 1)
            count = 1
        return count, retry_after

    def used(self, key: str) -> tuple[int, int]:
        """The count so far in this window (without counting), and the seconds until it ends."""
        cache = caches["limits"]
        name, retry_after = self._key(key, clock())
        if isinstance(cache, LimitsTable):
            return cache.used(name), retry_after
        return int(cache.get(name) or 0), retry_after

    def clear(self, key: str) -> None:
        caches["limits"].delete(self._key(key, clock())[0])


class LimitsTable(DatabaseCache):
    """The "limits" cache without Redis: Django's database cache table, where a limit's count is ONE
    statement that adds a use and returns the count (an upsert, on SQLite and PostgreSQL alike).

    Django's own ``add()`` and ``incr()`` cost two transactions and eight statements per use, among them
    two ``COUNT(*)`` of the whole table, and ``incr()`` (a read, then a write) could lose a use between
    two processes. A count's row holds the number as text in the ``value`` column (other keys keep the
    database cache's own encoding; ``count()`` and ``used()`` are the only readers of counts), and
    expires with its window; expired rows are deleted now and then by ``count()`` itself.
    """

    CULL_EVERY = 1000

    def __init__(self, table, params):
        super().__init__(table, params)
        self._uses = itertools.count(1)

    def count(self, key: str, timeout: int) -> int:
        now = datetime.now(UTC).replace(microsecond=0)
        stamps = [
            connection.ops.adapt_datetimefield_value(moment)
            for moment in (now + timedelta(seconds=timeout), now)
        ]
        row = sql.fetchone(
            self._count_sql(), [self.make_and_validate_key(key), stamps[0], stamps[1], stamps[1]]
        )
        if next(self._uses) % self.CULL_EVERY == 0:
            sql.execute(f"DELETE FROM {self._quoted()} WHERE expires < %s", [stamps[1]])  # noqa: S608 - our own table
        return int(row[0])

    def used(self, key: str) -> int:
        now = connection.ops.adapt_datetimefield_value(datetime.now(UTC).replace(microsecond=0))
        row = sql.fetchone(
            f"SELECT value FROM {self._quoted()} WHERE cache_key = %s AND expires > %s",  # noqa: S608 - our own table
            [self.make_and_validate_key(key), now],
        )
        return int(row[0]) if row else 0

    def _quoted(self) -> str:
        return connection.ops.quote_name(self._table)

    def _count_sql(self) -> str:
        table = self._quoted()
        key, value, expires = (connection.ops.quote_name(name) for name in ("cache_key", "value", "expires"))
        current = f"{table}.{expires} > %s"
        return (
            f"INSERT INTO {table} ({key}, {value}, {expires}) VALUES (%s, '1', %s) "  # noqa: S608 - our own table
            f"ON CONFLICT ({key}) DO UPDATE SET "
            f"{value} = CASE WHEN {current} THEN CAST(CAST({table}.{value} AS INTEGER) + 1 AS TEXT) ELSE '1' END, "
            f"{expires} = CASE WHEN {current} THEN {table}.{expires} ELSE excluded.{expires} END "
            f"RETURNING {value}"
        )


def hit(*uses: tuple[Limit, str], message=None) -> None:
    """Counts one use against each (limit, key); raises Throttled when any is over its limit."""
    refused = None
    for limit, key in uses:
        count, retry_after = limit.count(key)
        if count > limit.limit:
            refused = max(refused or 0, retry_after)
    if refused is not None:
        raise Throttled(message, retry_after=refused)


def check(*uses: tuple[Limit, str], message=None) -> None:
    """Raises Throttled when any (limit, key) has already reached its limit (counts nothing)."""
    for limit, key in uses:
        count, retry_after = limit.used(key)
        if count >= limit.limit:
            raise Throttled(message, retry_after=retry_after)


def rate_limited(*keys: tuple[str, int]) -> bool:
    """Counts one use against each (key, limit-per-hour); True when any of them is over its limit."""
    over = False
    for key, limit in keys:
        count, _retry = Limit("hourly", limit).count(key)
        over = over or count > limit
    return over


def _trusted() -> tuple:
    return _networks(tuple(getattr(settings, "PLENARY_TRUSTED_PROXIES", ())))


@lru_cache(maxsize=8)
def _networks(items: tuple[str, ...]) -> tuple:
    networks = []
    for item in items:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _is_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _trusted())


def client_address(request) -> str:
    """The client's address: the socket's, unless that is a trusted proxy; then the nearest address in
    X-Forwarded-For that is not a trusted proxy (the one the outermost proxy saw)."""
    address = request.META.get("REMOTE_ADDR", "")
    if not _is_proxy(address):
        return address
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([part for part in forwarded if part]):
        if not _is_proxy(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address
    return address
