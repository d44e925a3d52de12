"""The site menu as the access rules allow it (``rules.menu``): only what the role can open."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from plenary.access import rules


def menu(request):
    user = getattr(request, "user", None)
    return {"menu": SimpleLazyObject(lambda: set(rules.menu(user)))}
