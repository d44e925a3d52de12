"""Why a message cannot be composed, scheduled or cancelled (a ``DomainError`` for the person)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError


class MessageRefused(DomainError):
    """The message as written cannot go: an unknown merge field, nobody to send it to, a bad segment."""

    status = 422


class TooLateToCancel(DomainError):
    status = 409
    default_message = _(
        "This message has already gone out (or is going out now); it can no longer be cancelled."
    )
