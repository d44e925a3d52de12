"""The versioned JSON API (CONTRACT.md "JSON API v1"). Thin: every write calls a service."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from plenary.api.auth import bearer
from plenary.core.errors import DomainError
from plenary.core.ratelimit import Throttled

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Plenary API",
    version="1",
    description="Programmes, registrations, attendance, certificates and news of Plenary.",
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=bearer,
)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(
        request, {"detail": "Authentication required: send Authorization: Bearer <token>."}, status=401
    )


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(DjangoValidationError)
def invalid(request, exc):
    detail = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    return api.create_response(request, {"detail": detail}, status=422)


@api.exception_handler(DomainError)
def refused(request, exc):
    """A use case refused (``core/errors.py``): its message, with its status (and, when throttled, when
    to try again)."""
    response = api.create_response(request, {"detail": str(exc.message)}, status=exc.status)
    if isinstance(exc, Throttled):
        response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(IntegrityError)
def conflict(request, exc):
    logger.info("API write conflicted: %s", exc)
    return api.create_response(request, {"detail": "This conflicts with existing data."}, status=409)


api.add_router("/", "plenary.api.programmes.router")
api.add_router("/", "plenary.api.publicity.router")
api.add_router("/", "plenary.api.registrations.router")
api.add_router("/", "plenary.api.attendance.router")
api.add_router("/", "plenary.api.checkins.router")
api.add_router("/", "plenary.api.certificates.router")
api.add_router("/", "plenary.api.privacy.router")
api.add_router("/", "plenary.api.messaging.router")
api.add_router("/", "plenary.api.reports.router")
