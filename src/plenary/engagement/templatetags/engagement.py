from django import template

from plenary.engagement import selectors

register = template.Library()


@register.simple_tag
def published_reflections(programme):
    return list(selectors.published_reflections(programme))
