"""A small per-process cache with a time limit, for lookups on the hot paths.

Each gunicorn process keeps its own copy; a change made in this process clears it at once (the
callers connect ``clear`` to the model's signals), a change made elsewhere is seen within
``seconds``. Only for facts where that delay is acceptable and said so where the cache is used.
"""

from __future__ import annotations

import time
from typing import Any

MISSING = object()


class TimedCache:
    def __init__(self, seconds: float, size: int = 4096):
        self.seconds = seconds
        self.size = size
        self._entries: dict[Any, tuple[float, Any]] = {}

    def get(self, key: Any) -> Any:
        entry = self._entries.get(key)
        if entry is None or entry[0] < time.monotonic():
            return MISSING
        return entry[1]

    def set(self, key: Any, value: Any) -> None:
        if self.seconds <= 0:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[key] = (time.monotonic() + self.seconds, value)

    def clear(self, *args: Any, **kwargs: Any) -> None:
        """Forgets everything (usable as a signal receiver)."""
        self._entries.clear()
