"""Read queries about organisations."""

from __future__ import annotations

import copy

from plenary.core import sql
from plenary.core.memo import MISSING, TimedCache
from plenary.organisations.models import Organisation

# Typed name → organisation id (or None), per process for a minute: the registration API asks with
# every call. Cleared in this process when an organisation is saved or deleted (apps.py).
_named = TimedCache(60)


def forget_names(*args, **kwargs) -> None:
    _named.clear()


def named(name: str) -> Organisation | None:
    """The organisation a person typed: by English name or acronym (any case) or Chinese name;
    member agencies first."""
    name = name.strip()
    if not name:
        return None
    found = _named.get(name)
    if found is MISSING:
        found = _named_now(name)
        _named.set(name, found)
    return copy.copy(found) if found is not None else None


def _named_now(name: str) -> Organisation | None:
    select, names = sql.columns(Organisation)
    column = sql.column
    row = sql.fetchone(
        f"SELECT {select} FROM {sql.table(Organisation)} "  # noqa: S608 - names from the model, values bound
        f"WHERE UPPER({column(Organisation, 'name_en')}) = UPPER(%s) OR {column(Organisation, 'name_zh')} = %s "
        f"OR UPPER({column(Organisation, 'acronym')}) = UPPER(%s) "
        f"ORDER BY {column(Organisation, 'is_member_agency')} DESC, id LIMIT 1",
        [name, name, name],
    )
    return sql.hydrate(Organisation, names, row) if row else None


def staff_changes(bodies, limit: int = 30):
    """The audit log's latest entries about the staff of these bodies: their memberships and invitations
    (including coordinators they invited), newest first. Entries about a programme are not these."""
    from django.db.models import Q

    from plenary.core.models import AuditEntry

    ids = list(bodies.values_list("pk", flat=True))
    about = Q()
    for side in ("before", "after"):
        about |= Q(**{f"{side}__has_key": "role", f"{side}__organisation__in": ids})
        about |= Q(**{f"{side}__has_key": "role", f"{side}__invited_by_body__in": ids})
    return AuditEntry.objects.filter(programme=None).filter(about).select_related("actor")[:limit]
