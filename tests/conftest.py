"""Shared fixtures: the reference programme, its people, an API client and a real browser."""

from __future__ import annotations

import logging
import os

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from plenary.api.auth import create_token
from plenary.site import demo

# Playwright's sync API keeps an event loop in the test thread; the ORM calls that tests make
# between page actions are still synchronous, so Django's async-safety guard must stand aside.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# aiosmtpd logs every connection from its own thread, sometimes after pytest has closed the captured stream.
logging.getLogger("mail.log").setLevel(logging.WARNING)

CHROMIUM = os.environ.get("PLENARY_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background tasks run at once in tests; tests of the worker itself use the database backend."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: ids repeat across rolled-back tests, cached pages must not."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the default language, as a worker or a new request does: a request through the
    test client leaves its language active in the thread (LocaleMiddleware activates, nothing resets),
    and code run afterwards in the same test process stored text in that language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def one_limit_window(monkeypatch):
    """The rate limits count in fixed windows of the clock (15 minutes for sign-in failures): a test that
    counts up to a limit across a window's end saw its count start again (CI flaked at 02:15). Each test's
    uses fall in the window of its start; tests of windows themselves set the clock."""
    import time

    from plenary.core import ratelimit

    started = time.time()
    monkeypatch.setattr(ratelimit, "clock", lambda: started)


@pytest.fixture(autouse=True)
def mail_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def reference_programme(db):
    """The programme of shared/seed/ with its co-organisers, sessions, speakers and run-down."""
    programme, _agencies = demo.load_programme(seed=2022)
    return programme


@pytest.fixture
def agencies(reference_programme):
    from plenary.organisations.models import Organisation

    return list(Organisation.objects.filter(is_member_agency=True))


def user(username: str):
    return get_user_model().objects.get(username=username)


@pytest.fixture
def organiser(reference_programme):
    return user("organiser")


@pytest.fixture
def outsider(reference_programme):
    return user("outsider")


@pytest.fixture
def admin_user_demo(reference_programme):
    return user("admin")


class ApiClient:
    """A Django test client that speaks JSON and carries a bearer token."""

    def __init__(self, token: str | None = None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method: str, path: str, data=None, **kwargs):
        call = getattr(self.client, method)
        if data is not None and method != "get":
            import json

            kwargs.setdefault("content_type", "application/json")
            data = data if isinstance(data, str | bytes) else json.dumps(data, default=str)
        return call(path, data, headers={**self.headers, **kwargs.pop("headers", {})}, **kwargs)

    def get(self, path, data=None, **kwargs):
        return self._call("get", path, data, **kwargs)

    def post(self, path, data=None, **kwargs):
        return self._call("post", path, data, **kwargs)

    def patch(self, path, data=None, **kwargs):
        return self._call("patch", path, data, **kwargs)

    def delete(self, path, data=None, **kwargs):
        return self._call("delete", path, data, **kwargs)


@pytest.fixture
def api_as():
    """api_as(user) → a JSON client with a fresh token for that user; api_as(None) → anonymous."""

    def make(account=None):
        return ApiClient(create_token(account) if account is not None else None)

    return make


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-gpu",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Asia/Hong_Kong")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
