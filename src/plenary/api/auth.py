"""Bearer tokens for the JSON API."""

from __future__ import annotations

import hashlib
import secrets

from django.utils import timezone
from ninja.security import HttpBearer

from plenary.core.models import ApiToken


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name: str = "") -> str:
    """Creates a token for ``user`` and returns it; only its hash is stored."""
    token = "pln_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_hash(token))
    return token


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        # The check-in middleware may already have asked for this request: look the token up once.
        cached = getattr(request, "_plenary_bearer", None)
        if cached is not None and cached[0] == token:
            return cached[1]
        user = self._lookup(token)
        request._plenary_bearer = (token, user)
        if user is not None:
            request.user = user
        return user

    @staticmethod
    def _lookup(token: str):
        if not token or len(token) > 200:
            return None
        api_token = ApiToken.objects.select_related("user").filter(key_hash=_hash(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        now = timezone.now()
        # Touch at most once a minute: a hot token must not turn every request into a write.
        if api_token.last_used_at is None or (now - api_token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        return api_token.user


bearer = BearerToken()
