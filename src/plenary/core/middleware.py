"""Headers on every response, and the guard that turns bad input and an unavailable database into 4xx/503."""

import logging
import re

from django.conf import settings
from django.utils.translation import gettext as _

from plenary.core.logs import mask_tokens

logger = logging.getLogger(__name__)

# Everything the pages use is served from this origin (invariant 6: nothing from the internet).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob: https:; "
    "frame-src 'self' https:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


# Pages reached by a private link (``/me/<token>/…``, ``/j/<token>/…``), in either language.
TOKEN_PAGE = re.compile(r"^/(?:zh-hant/)?(?:me|j)/")


class SecurityHeadersMiddleware:
    """Adds a Content-Security-Policy and Permissions-Policy to HTML responses, and keeps pages reached
    by a private link out of search engines and caches.

    The API's browsable docs are exempt: the bundled Swagger UI initialises with inline code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(("/api/v1/docs", "/admin/")):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        if TOKEN_PAGE.match(request.path_info):
            # A private link is a password: its pages are neither indexed nor kept by any cache.
            response["X-Robots-Tag"] = "noindex, nofollow"
            response["Cache-Control"] = "private, no-store"
        return response


def is_api(request) -> bool:
    return request.path_info.startswith("/api/")


# How long a client should wait before trying again while the database is unavailable.
RETRY_AFTER_SECONDS = 5


def problem(request, status: int, texts, *, retry_after: int | None = None):
    """A refusal the person can read: ``{"detail": …}`` in the API, a page in their language elsewhere.
    ``texts()`` gives the title and the message, translated in the language of the request's address."""
    from django.http import JsonResponse
    from django.shortcuts import render
    from django.utils import translation

    language = translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE
    with translation.override(language):
        title, message = texts()
        if is_api(request):
            response = JsonResponse({"detail": str(message)}, status=status)
        else:
            response = render(
                request,
                "core/error.html",
                {"status": status, "title": str(title), "message": str(message)},
                status=status,
            )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def too_large(request):
    megabytes = max(settings.PLENARY_MAX_REQUEST_BYTES // (1024 * 1024), 1)
    return problem(
        request,
        413,
        lambda: (
            _("Too large"),
            _("The request is too large. Send a smaller file or less data (at most %(megabytes)s MB).")
            % {"megabytes": megabytes},
        ),
    )


def unavailable(request):
    return problem(
        request,
        503,
        lambda: (
            _("Busy for a moment"),
            _("The service cannot reach its database just now. Please try again in a few seconds."),
        ),
        retry_after=RETRY_AFTER_SECONDS,
    )


def malformed(request):
    return problem(
        request,
        400,
        lambda: (
            _("Request not understood"),
            _("The data sent could not be read (a damaged form or upload). Please try again."),
        ),
    )


class RequestGuardMiddleware:
    """No 500 for what arrives from outside: a body over ``PLENARY_MAX_REQUEST_BYTES`` answers 413 before
    it is read, a body the parsers refuse answers 400, and a database that is locked or cannot be reached
    answers 503 with Retry-After (JSON in the API, a page in the person's language elsewhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return malformed(request)
        if length > settings.PLENARY_MAX_REQUEST_BYTES:
            return too_large(request)
        from django.db import connection

        if connection.vendor != "sqlite":
            return self.get_response(request)
        once = _LockWaitedOnce()
        try:
            with connection.execute_wrapper(once):
                return self.get_response(request)
        finally:
            once.restore(connection)

    def process_exception(self, request, exception):
        return response_for(request, exception)


class _LockWaitedOnce:
    """SQLite: within one request, the write lock is waited for once. After one statement has waited the
    busy timeout in vain, the request's later writes fail at once instead of each waiting again (the
    limits cache, which swallows its errors, then the registration itself: three waits, not one), so a
    held lock answers 503 after one wait. The connection's own wait comes back when the request ends."""

    def __init__(self):
        self.previous: int | None = None

    def __call__(self, execute, sql, params, many, context):
        from django.db import OperationalError

        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            raw = context["connection"].connection
            if self.previous is None and raw is not None and "locked" in str(error):
                self.previous = int(raw.execute("PRAGMA busy_timeout").fetchone()[0])
                raw.execute("PRAGMA busy_timeout = 0")
            raise

    def restore(self, connection) -> None:
        if self.previous is not None and connection.connection is not None:
            connection.connection.execute(f"PRAGMA busy_timeout = {self.previous}")


def response_for(request, exception):
    """The 4xx/503 answer for an exception that says the input or the database was at fault, else None."""
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
    from django.db import DataError, InterfaceError, OperationalError
    from django.http.multipartparser import MultiPartParserError

    from plenary.core.errors import DomainError
    from plenary.core.ratelimit import Throttled

    if isinstance(exception, Throttled):
        return problem(
            request,
            429,
            lambda: (_("Please wait a moment"), str(exception.message)),
            retry_after=exception.retry_after,
        )
    # After Throttled (a DomainError with its own Retry-After).
    if isinstance(exception, DomainError) and not is_api(request):
        # A refusal no view caught (a missing PDF font, say): a page with its status in the reader's
        # language, not a generic error. The API maps the same errors to JSON itself.
        return problem(request, exception.status, lambda: ("", exception.message))
    if isinstance(exception, RequestDataTooBig):
        return too_large(request)
    if isinstance(
        exception, MultiPartParserError | TooManyFieldsSent | TooManyFilesSent | UnicodeDecodeError
    ):
        return malformed(request)
    if isinstance(exception, DataError):
        # A value the database cannot hold (a NUL character, a number out of range) came from outside.
        logger.info(
            "Refused a value the database cannot hold on %s: %s", mask_tokens(request.path), exception
        )
        return malformed(request)
    if isinstance(exception, OperationalError | InterfaceError):
        logger.warning("Database unavailable on %s: %s", mask_tokens(request.path), exception)
        return unavailable(request)
    return None


class ApiLanguageMiddleware:
    """The API answers in the language the caller asks for (``Accept-Language``, or the language cookie).

    Pages take their language from the path (``/zh-hant/…``; ``LocaleMiddleware`` gives unprefixed paths
    the default language), but API paths carry no prefix: without this a validation message sent to a
    Chinese-speaking caller would always be in English. Placed after ``LocaleMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith("/api/"):
            from django.utils import translation

            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)
