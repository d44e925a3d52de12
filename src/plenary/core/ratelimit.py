"""Limits that hold across every process and node: counts live in the shared cache.

The ``limits`` cache is Redis when ``REDIS_URL`` is set and Django's database cache otherwise, so every
gunicorn process and every web node counts the same uses. Each limit counts uses per key in a fixed
window; a request over it is refused with ``Throttled`` (429: a page in the person's language, or JSON
with ``Retry-After`` in the API) — never silently.

The client is the socket's address, or, when that address is one of ``PLENARY_TRUSTED_PROXIES`` (a
reverse proxy), the last address the proxies added to ``X-Forwarded-For`` that is not a proxy itself.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError

WINDOW_SECONDS = 3600


class Throttled(DomainError):
    """Too many attempts: the person is told to wait ``retry_after`` seconds."""

    status = 429
    default_message = _("Too many attempts. Please wait a while and try again.")

    def __init__(self, message=None, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = max(int(retry_after), 1)


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` uses per ``window`` seconds, per key (``name`` keeps families apart)."""

    name: str
    limit: int
    window: int = WINDOW_SECONDS

    def _key(self, key: str, now: float) -> tuple[str, int]:
        slot = int(now // self.window)
        retry_after = int(self.window - now % self.window) + 1
        return f"limit:{self.name}:{slot}:{key}"[:240], retry_after

    def count(self, key: str) -> tuple[int, int]:
        """Counts one use; the count so far in this window and the seconds until it ends."""
        cache = caches["limits"]
        name, retry_after = self._key(key, time.time())
        cache.add(name, 0, self.window + 1)
        try:
            count = cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.set(name, 1, self.window + 1)
            count = 1
        return count, retry_after

    def used(self, key: str) -> tuple[int, int]:
        """The count so far in this window (without counting), and the seconds until it ends."""
        name, retry_after = self._key(key, time.time())
        return int(caches["limits"].get(name) or 0), retry_after

    def clear(self, key: str) -> None:
        caches["limits"].delete(self._key(key, time.time())[0])


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
