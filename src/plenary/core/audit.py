"""The audit log: every change an organiser makes is written here by the service that makes it."""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict
from django.utils import timezone

from plenary.core import sql
from plenary.core.models import AuditEntry

# Fields that work as passwords (a private link's token, a pass's code, hashes): never in the audit log,
# which organisers read. A change of one is recorded as "changed", without the value.
SECRET_FIELDS = frozenset({"token", "pass_code", "password", "key_hash"})
HIDDEN = "(changed, not shown)"


def snapshot(instance: models.Model) -> dict[str, Any]:
    """A JSON-safe dict of a model's stored field values (many-to-many as lists of ids), secrets left out.

    Read back from the database, so that "before" and "after" compare stored values (2.50, not "2.5").
    """
    if instance.pk is not None:
        instance = type(instance)._default_manager.get(pk=instance.pk)
    data = model_to_dict(instance)
    return {key: _json_safe(value) for key, value in data.items() if key not in SECRET_FIELDS}


def _without_secrets(values: dict | None) -> dict | None:
    if not values:
        return values
    return {key: (HIDDEN if key in SECRET_FIELDS else value) for key, value in values.items()}


def _json_safe(value: Any) -> Any:
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_json_safe(item) for item in value]
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def entry(
    *,
    actor,
    action: str,
    instance: models.Model,
    programme=None,
    before: dict | None = None,
    after: dict | None = None,
    summary: str = "",
    object_id: Any = None,
) -> dict[str, Any]:
    """The values of one audit entry (``record()`` writes it; ``object_id`` defaults to the instance's).

    ``action`` is one of ``AuditEntry.Action``: the hand-written insert checks it as the ORM's choices
    would not, and the database refuses anything else too (a check constraint)."""
    if action not in AuditEntry.Action.values:
        raise ValueError(f"Unknown audit action {action!r}: use AuditEntry.Action")
    return {
        "at": timezone.now(),
        "actor": actor.pk if getattr(actor, "is_authenticated", False) else None,
        "programme": getattr(programme, "pk", programme),
        "action": action,
        # In English whatever language the request speaks, so that one kind of object has one name in
        # the log (a Chinese request's entries were stored as 「已連接的會議」, an English one's as
        # "connected meeting", and a filter by type found half of them).
        "object_type": _english(instance._meta.verbose_name),
        "object_id": str(instance.pk or "") if object_id is None else object_id,
        "object_repr": str(instance)[:300],
        "summary": str(summary)[:300],
        "before": _without_secrets(before),
        "after": _without_secrets(after),
    }


def _english(text: Any) -> str:
    from django.utils import translation

    with translation.override("en"):
        return str(text)


def record(**details: Any) -> None:
    """Appends one entry (see ``entry()`` for its details). Written by hand (``core/sql.py``):
    organisers adding people through the API write one with every registration."""
    sql.insert(AuditEntry, [entry(**details)], returning=None)
