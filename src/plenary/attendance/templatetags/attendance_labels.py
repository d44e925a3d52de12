"""Coded attendance values as words in the page's language (never "qr_scan" or "online" on a page)."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from plenary.attendance.models import AttendanceEvent
from plenary.core.i18n import is_chinese

register = template.Library()


@register.filter
def source_labels(codes) -> str:
    labels = dict(AttendanceEvent.Source.choices)
    separator = "、" if is_chinese(get_language() or "") else ", "
    return separator.join(str(labels.get(code, code)) for code in codes or [])


@register.filter
def mode_label(code) -> str:
    labels = {**dict(AttendanceEvent.Mode.choices), "hybrid": _("In person and online")}
    return str(labels.get(code, code))


@register.filter
def rejected_reason(row) -> str:
    """A stored rejected row's reason in the page's language (stored as message and values)."""
    from plenary.attendance.reports.common import translated_reason

    return translated_reason(row.get("message") or row.get("reason", ""), row.get("params") or {})
