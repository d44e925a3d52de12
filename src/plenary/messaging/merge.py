"""Merge fields: ``{name}`` and friends in a message's subject and text, checked before anything is queued."""

from __future__ import annotations

import string

from django.utils.translation import gettext as _

from plenary.messaging.errors import MessageRefused

# The merge fields a message may use (each person's own values; empty where a person has none).
FIELDS = (
    "name",
    "reference",
    "programme",
    "private_url",
    "calendar_url",
    "join_url",
    "pass_url",
    "session",
    "starts",
    "venue",
)


def fields_in(text: str) -> list[str]:
    """The merge fields a text names; a stray brace is refused with the reason."""
    try:
        return [name for _literal, name, _spec, _conv in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        raise MessageRefused(
            _(
                "A brace in the text does not open or close a merge field (%(error)s). Write {{ or }} for a brace."
            )
            % {"error": error}
        ) from error


def check(*texts: str) -> None:
    """Refuses a text that names a merge field Plenary does not know, saying which and which it knows."""
    for text in texts:
        for name in fields_in(text or ""):
            if name not in FIELDS:
                raise MessageRefused(
                    _("Unknown merge field {%(field)s}. The fields you can use are: %(known)s.")
                    % {"field": name, "known": ", ".join("{" + f + "}" for f in FIELDS)}
                )


def fill(text: str, values: dict[str, str]) -> str:
    return (text or "").format_map({name: values.get(name, "") for name in FIELDS})
