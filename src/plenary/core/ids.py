"""Ids that come from outside (paths, forms, query strings, JSON) checked before they reach the database.

Every id column is a 64-bit signed integer: a larger or non-numeric value is simply not found, never
an overflow in the database driver (a 500). URL patterns use the ``<id:…>`` converter; views read ids
from forms with ``parse_id``.
"""

from __future__ import annotations

# The largest id a database column can hold (64-bit signed).
MAX_ID = 2**63 - 1


def parse_id(value) -> int | None:
    """The id in ``value`` (a str or int from a form, query or JSON), or None when it cannot be one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.strip().isdigit() and len(value.strip()) <= 19:
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """``<id:name>``: digits that fit a database id; anything else matches no page (404)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value) -> str:
        return str(value)
