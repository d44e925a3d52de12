from django import template

from plenary.programmes import selectors

register = template.Library()


@register.simple_tag
def rundown(session):
    return selectors.rundown(session)
