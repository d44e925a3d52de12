"""Check-in staff may use the scanner and nothing else (ARCHITECTURE.md "People")."""

from __future__ import annotations

import re

from django.http import JsonResponse
from django.shortcuts import render

from plenary.access.rules import checkin_only

# What a check-in-only account may reach: the scanner, its API, signing in and out, its own password,
# an invitation's link (to a new role),
# static files.
SCANNER_PATHS = re.compile(
    r"^/(?:zh-hant/)?(?:checkin/|accounts/log(?:in|out)/|accounts/password/|accounts/invitation/)"
    r"|^/static/|^/healthz$"
    r"|^/api/v1/checkins(?:/batch)?$|^/api/v1/sessions/\d+/(?:roster|lookup)$"
)


class CheckinStaffOnlyMiddleware:
    """Answers 403 to a check-in-only account anywhere outside the scanner, whether signed in or by token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not SCANNER_PATHS.match(request.path) and checkin_only(self._caller(request)):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "Check-in staff may use the check-in endpoints only."}, status=403
                )
            return render(request, "checkin/staff_only.html", status=403)
        return self.get_response(request)

    @staticmethod
    def _caller(request):
        """The signed-in user, or for the API the bearer token's user."""
        header = request.headers.get("Authorization", "")
        if request.path.startswith("/api/") and header.lower().startswith("bearer "):
            from plenary.api.auth import bearer
            from plenary.core.ratelimit import Throttled

            try:
                user = bearer.authenticate(request, header[7:].strip())
            except Throttled:  # the API itself answers it (429 JSON with Retry-After)
                return request.user
            if user is not None:
                return user
        return request.user
