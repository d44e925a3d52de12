from django import template

from plenary.privacy import selectors
from plenary.privacy.forms import DetailsForm

register = template.Library()


@register.inclusion_tag("privacy/mine.html", takes_context=True)
def my_personal_data(context, registration):
    """Everything held about the person, with correction, consents, export and erasure, for the private page."""
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "registration": registration,
        "tables": selectors.personal_tables(registration),
        "details_form": DetailsForm(
            initial={name: getattr(registration, name) for name in DetailsForm.base_fields}
        ),
        "anonymised": selectors.is_anonymised(registration),
        "erasure": selectors.open_erasure(registration),
    }


@register.simple_tag(takes_context=True)
def retention_days(context) -> int:
    """How long this page's programme keeps personal data (the collection statement says it)."""
    programme = context.get("programme") or getattr(context.get("session"), "programme", None)
    if programme is None:
        from django.conf import settings

        return settings.PLENARY_RETENTION_DAYS
    return selectors.retention_days(programme)
