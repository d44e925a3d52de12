"""Counting uses per key for an hour in the cache (mail that anyone can ask us to send, sign-in help)."""

from __future__ import annotations

from django.core.cache import cache

WINDOW_SECONDS = 3600


def rate_limited(*keys: tuple[str, int]) -> bool:
    """Counts one use against each key; True when any of them is over its limit for the hour."""
    over = False
    for key, limit in keys:
        cache.add(key, 0, WINDOW_SECONDS)
        try:
            count = cache.incr(key)
        except ValueError:
            cache.set(key, 1, WINDOW_SECONDS)
            count = 1
        over = over or count > limit
    return over
