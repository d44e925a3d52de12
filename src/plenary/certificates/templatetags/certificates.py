from django import template

register = template.Library()


@register.inclusion_tag("certificates/mine_list.html")
def my_certificates(registration):
    """The participant's certificates, for their private page."""
    return {"registration": registration, "certificates": registration.certificates.order_by("-issued_at")}


@register.filter
def cpd_hours(hours) -> str:
    """ "1 CPD hour", "1.5 CPD hours", "6 CPD hours" (and the Chinese, which has one form)."""
    from decimal import Decimal

    from django.utils.translation import ngettext

    value = Decimal(str(hours or 0))
    text = f"{value:.2f}".rstrip("0").rstrip(".") or "0"
    return ngettext("%(hours)s CPD hour", "%(hours)s CPD hours", 1 if value == 1 else 2) % {"hours": text}
