"""Template pieces other apps' pages show: the messages a person was sent, their calendar link."""

from __future__ import annotations

from django import template

from plenary.messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/_private.html")
def messages_sent(registration):
    return {"deliveries": list(selectors.messages_sent_to(registration)[:50])}
