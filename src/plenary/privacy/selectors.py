"""Reads of the personal-data lifecycle: a person's own data (from the catalogue), the requests log."""

from __future__ import annotations

import datetime
import decimal
import json
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from plenary.privacy.catalogue import CATALOGUE
from plenary.privacy.models import DEADLINE_DAYS, Anonymisation, PrivacyRequest, Retention
from plenary.registrations.models import Registration

# Named for people reading the export; the keys of the JSON.
SECTIONS = {
    "registrations.Registration": "registration",
    "registrations.ConsentRecord": "consents",
    "registrations.SeatAllocation": "seats",
    "attendance.Attendance": "attendance",
    "attendance.AttendanceEvent": "attendance_evidence",
    "attendance.NameAlias": "remembered_matches",
    "checkin.CheckIn": "check_ins",
    "checkin.Scan": "door_scans",
    "certificates.Certificate": "certificates",
    "engagement.Reflection": "reflections",
    "engagement.Response": "evaluations",
    "engagement.Answer": "evaluation_answers",
    "privacy.PrivacyRequest": "requests",
    "privacy.Anonymisation": "anonymisation",
    "attendance.StreamViewer": "stream_viewing",
}

# Context that makes a row readable (not personal in itself): which session, which question.
CONTEXT = {"session": "session", "survey": "survey", "question": "question", "programme": "programme"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return str(value)
    return value


def _shown(instance: models.Model) -> str:
    """A related row as the reader names it: a session or programme by its title in the page's language."""
    for attribute in ("title", "name", "text"):
        value = getattr(instance, attribute, None)
        if isinstance(value, str) and value:
            return value
    session = getattr(instance, "session", None)  # a session's survey: named by its session
    return _shown(session) if isinstance(session, models.Model) else str(instance)


def _words() -> dict[tuple[str, str], Any]:
    """Coded values without choices, as words (the readable page; the JSON keeps the codes)."""
    from plenary.attendance.templatetags.attendance_labels import mode_label, source_labels

    return {
        ("attendance.Attendance", "mode"): mode_label,
        ("attendance.Attendance", "sources"): source_labels,
    }


def _rows(
    label: str, registration: Registration, readable: bool = False
) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    entry = CATALOGUE[label]
    model = apps.get_model(label)
    exported = [name for name, personal in entry.personal.items() if personal.exported]
    context = [name for name in CONTEXT if name in entry.other_fields and name != "programme"]
    queryset = model.objects.filter(**{entry.owner or "pk": registration.pk}).order_by("pk")
    related = [name for name in context if isinstance(model._meta.get_field(name), models.ForeignKey)]
    related += [name for name in exported if isinstance(model._meta.get_field(name), models.ForeignKey)]
    queryset = queryset.select_related(*related)
    columns = [(name, str(model._meta.get_field(name).verbose_name)) for name in context + exported]
    words = _words() if readable else {}
    rows = []
    for row in queryset:
        item = {}
        for name, _label in columns:
            field = model._meta.get_field(name)
            value = getattr(row, name)
            if field.choices and not isinstance(value, bool):
                value = {"value": value, "label": str(getattr(row, f"get_{name}_display")())}
            elif readable and isinstance(value, models.Model):
                value = _shown(value)
            elif (label, name) in words and value not in (None, ""):
                value = {"value": value, "label": str(words[label, name](value))}
            elif readable and isinstance(value, dict | list):
                value = {"value": value, "code": json.dumps(value, ensure_ascii=False)}
            item[name] = _plain(value)
        rows.append(item)
    return columns, rows


def personal_data(registration: Registration) -> dict[str, Any]:
    """Everything held about the person, as the catalogue lists it (JSON-ready)."""
    from plenary.privacy.services import statement_version

    data: dict[str, Any] = {
        "programme": registration.programme.title_en,
        "generated_at": _plain(timezone.now()),
        "collection_statement": statement_version(),
    }
    for label, key in SECTIONS.items():
        data[key] = _rows(label, registration)[1]
    return data


def personal_tables(registration: Registration) -> list[dict[str, Any]]:
    """The same, as titled tables for the HTML page and download."""
    tables = []
    for label, _key in SECTIONS.items():
        columns, rows = _rows(label, registration, readable=True)
        cells = [
            [
                value["label"] if isinstance(value, dict) and "label" in value else value
                for value in row.values()
            ]
            for row in rows
        ]
        tables.append(
            {
                "title": str(apps.get_model(label)._meta.verbose_name_plural),
                "columns": [column for _name, column in columns],
                "rows": cells,
            }
        )
    return tables


def is_anonymised(registration: Registration) -> bool:
    return Anonymisation.objects.filter(registration=registration).exists()


def open_erasure(registration: Registration) -> PrivacyRequest | None:
    return PrivacyRequest.objects.filter(
        registration=registration, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.OPEN
    ).first()


def requests_of(programme) -> list[PrivacyRequest]:
    return list(
        programme.privacy_requests.select_related("registration", "decided_by").order_by(
            "-received_on", "-id"
        )
    )


def overdue(programme, today: datetime.date | None = None) -> list[PrivacyRequest]:
    today = today or timezone.localdate()
    return list(
        programme.privacy_requests.filter(
            status=PrivacyRequest.Status.OPEN, received_on__lt=today - datetime.timedelta(days=DEADLINE_DAYS)
        ).order_by("received_on", "id")
    )


def retention_days(programme) -> int:
    from django.conf import settings

    found = Retention.objects.filter(programme=programme).values_list("days", flat=True).first()
    return settings.PLENARY_RETENTION_DAYS if found is None else found
