"""Hot read-only statements that web threads run once before their first request.

Apps register theirs with ``statement()`` in ``AppConfig.ready``; the web server (``site/warmup.py``)
runs them in each of its threads. The registry lives in the kernel so that apps need not import the
site package.
"""

from __future__ import annotations

from collections.abc import Callable

_statements: list[Callable[[], object]] = []


def statement(run: Callable[[], object]) -> Callable[[], object]:
    """Registers a hot read-only statement to run once per web thread with values that match nothing,
    so its first real run finds it parsed and planned (apps call this in ``AppConfig.ready``)."""
    _statements.append(run)
    return run


def statements() -> list[Callable[[], object]]:
    return list(_statements)
