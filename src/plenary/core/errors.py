"""The one family of domain errors: a use case that cannot go ahead says why, for the person.

Services raise a ``DomainError`` (or a subclass) with a message in the user's language (a lazy
translation, rendered in the language of the request that shows it). Views show ``message``; the
API answers ``{"detail": message}`` with ``status`` (409 by default: the request was understood but
the state of things refuses it). Field errors stay Django's ``ValidationError`` (422 in the API).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A use case refused; ``message`` is for the person, ``status`` for the API."""

    status: int = 409
    default_message: Any = ""

    def __init__(self, message: Any = None):
        message = self.default_message if message is None else message
        super().__init__(str(message))
        self.message = message

    def __str__(self) -> str:
        return str(self.message)
