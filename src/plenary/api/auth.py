"""Bearer tokens for the JSON API."""

from __future__ import annotations

import copy
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from ninja.security import HttpBearer

from plenary.core import sql
from plenary.core.memo import MISSING, TimedCache
from plenary.core.models import ApiToken
from plenary.core.ratelimit import Limit, check, client_address, hit
from plenary.organisations.models import Membership


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user, name: str = "") -> str:
    """Creates a token for ``user`` and returns it; only its hash is stored."""
    token = "pln_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_hash(token))
    return token


# Token hash → user, per process, for PLENARY_TOKEN_CACHE_SECONDS (see settings). Cleared in this
# process whenever a token or a user is saved or deleted.
_users = TimedCache(settings.PLENARY_TOKEN_CACHE_SECONDS)


def forget_tokens(*args, **kwargs) -> None:
    _users.clear()


# Guessing tokens: a client that sent this many unknown tokens in 15 minutes is refused (429) for a while.
BAD_TOKENS_PER_CLIENT = Limit("api-bad-token-client", 60, 900)
TOO_MANY_BAD_TOKENS = "Too many requests with an unknown token from this client. Wait and try again."


class BearerToken(HttpBearer):
    def authenticate(self, request, token: str):
        # The check-in middleware may already have asked for this request: look the token up once.
        cached = getattr(request, "_plenary_bearer", None)
        if cached is not None and cached[0] == token:
            return cached[1]
        user = self._cached(token)
        if user is None:
            # Only unknown tokens are counted and refused: a known token costs no trip to the shared
            # limits cache (a query per API call on the database cache, a fifth of a registration's time).
            client = client_address(request)
            check((BAD_TOKENS_PER_CLIENT, client), message=TOO_MANY_BAD_TOKENS)
            hit((BAD_TOKENS_PER_CLIENT, client), message=TOO_MANY_BAD_TOKENS)
        request._plenary_bearer = (token, user)
        if user is not None:
            request.user = user
        return user

    def _cached(self, token: str):
        if not token or len(token) > 200:
            return None
        key = _hash(token)
        user = _users.get(key)
        if user is MISSING:
            user = self._lookup(token)
            _users.set(key, user)
        # Each request gets its own copy: views may note things on request.user.
        return copy.copy(user) if user is not None else None

    @staticmethod
    def _lookup(token: str):
        """The token's user in one query (the hot path of every API call), with whether the account
        is check-in staff only, which the check-in middleware asks next."""
        if not token or len(token) > 200:
            return None
        User = get_user_model()
        select, names = sql.columns(User, "u")
        membership, role = sql.table(Membership), sql.column(Membership, "role")
        member = sql.column(Membership, "user")
        row = sql.fetchone(
            f"SELECT t.id, t.last_used_at, {select}, "  # noqa: S608 - names from the models, values bound
            f"EXISTS (SELECT 1 FROM {membership} m WHERE m.{member} = u.id AND m.{role} = %s), "
            f"EXISTS (SELECT 1 FROM {membership} m WHERE m.{member} = u.id AND m.{role} <> %s) "
            f"FROM {sql.table(ApiToken)} t JOIN {sql.table(User)} u ON u.id = t.{sql.column(ApiToken, 'user')} "
            f"WHERE t.{sql.column(ApiToken, 'key_hash')} = %s",
            [Membership.Role.CHECKIN, Membership.Role.CHECKIN, _hash(token)],
        )
        if row is None:
            return None
        token_id, last_used_at, *values, checkin, other = row
        user = sql.hydrate(User, names, values)
        if not user.is_active:
            return None
        user._plenary_checkin_only = bool(checkin) and not other
        now = timezone.now()
        last_used_at = sql.aware(last_used_at)
        # Touch at most once a minute: a hot token must not turn every request into a write.
        if last_used_at is None or (now - last_used_at).total_seconds() > 60:
            sql.execute(
                f"UPDATE {sql.table(ApiToken)} SET {sql.column(ApiToken, 'last_used_at')} = %s WHERE id = %s",  # noqa: S608
                [sql.prepare(ApiToken, "last_used_at", now), token_id],
            )
        return user


bearer = BearerToken()
