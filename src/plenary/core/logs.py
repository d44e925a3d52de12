"""Private-link tokens kept out of logs: ``/me/<token>/…``, ``/j/<token>/…`` and a staff invitation's
``/accounts/invitation/<token>/`` are written masked.

A token is a password to a person's registration; a log line (every 4xx and 5xx under a private
link, the access log) must not hand it to whoever reads the logs.
"""

from __future__ import annotations

import logging
import re

# The token segment of a private address (with or without the language prefix, in any URL or text).
TOKEN_IN_PATH = re.compile(r"(/(?:me|j|accounts/invitation)/)([^/\s?#\"']+)")


def mask_tokens(text: str) -> str:
    """``text`` with every private-link token cut to its first four characters and an ellipsis."""
    return TOKEN_IN_PATH.sub(lambda match: f"{match.group(1)}{match.group(2)[:4]}…", text)


class MaskTokensFilter(logging.Filter):
    """A logging filter that masks tokens in each record's message (installed on the root handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format is left as it is
            return True
        masked = mask_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path") and TOKEN_IN_PATH.search(request.path):
            record.request = None  # Django's handlers would format the request (and its path) again
        return True
