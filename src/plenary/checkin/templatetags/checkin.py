"""``{% pass_qr registration %}``: the pass QR as inline SVG, for the private page and emails' HTML."""

from __future__ import annotations

import io

import segno
from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def pass_qr(registration, scale: int = 6) -> str:
    """An accessible SVG of the registration's pass code (no script, no image request)."""
    buffer = io.BytesIO()
    segno.make(registration.pass_code, error="m", micro=False).save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        xmldecl=False,
        svgns=True,
        title=_("Pass QR code for %(reference)s") % {"reference": registration.reference},
        svgclass="pass-qr",
    )
    svg = buffer.getvalue().decode()
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S308 - segno's own SVG markup
