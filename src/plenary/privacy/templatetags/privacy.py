from django import template

from plenary.privacy import selectors
from plenary.privacy.forms import DetailsForm

register = template.Library()


@register.inclusion_tag("privacy/mine.html", takes_context=True)
def my_personal_data(context, registration):
    """The person's data on the private page: correction, consents, export and erasure; the full list of
    everything held opens on demand (``views.data_part``) so that every visit does not build it."""
    return {
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
        "registration": registration,
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
