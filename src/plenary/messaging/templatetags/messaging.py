"""Template pieces other apps' pages show: the messages a person was sent; a coordinator's menu of a
programme's pages."""

from __future__ import annotations

from django import template

from plenary.access import rules
from plenary.core.i18n import pick
from plenary.messaging import merge, selectors

register = template.Library()


@register.inclusion_tag("messaging/_private.html")
def messages_sent(registration):
    deliveries = list(selectors.messages_sent_to(registration)[:50])
    # Subjects only: the person's own values, and a reminder's session from its delivery (the page
    # does not look up their next session for every visit).
    values = selectors.person_values(registration, next_session=False) if deliveries else {}
    for delivery in deliveries:
        message = delivery.message
        session = {"session": delivery.session.title} if delivery.session_id else {}
        delivery.subject = merge.fill(pick(message.subject_en, message.subject_zh), {**values, **session})
    return {"deliveries": deliveries}


@register.inclusion_tag("messaging/_agency_nav.html", takes_context=True)
def agency_programme_nav(context, programme):
    """The programme's pages this coordinator may open (``access.rules.programme_menu``), and no other."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"programme": programme, "items": set(rules.programme_menu(user, programme)) if user else set()}
