from django import template

register = template.Library()


@register.inclusion_tag("certificates/mine_list.html")
def my_certificates(registration):
    """The participant's certificates, for their private page."""
    return {"registration": registration, "certificates": registration.certificates.order_by("-issued_at")}
