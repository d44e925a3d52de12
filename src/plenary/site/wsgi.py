import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plenary.core.settings")
application = get_wsgi_application()

from django.conf import settings  # noqa: E402 - after Django is set up
from django.db import connections  # noqa: E402

# A web request waits for SQLite's write lock a short while only, then answers 503 with Retry-After
# (core/middleware.py); the worker and commands keep the long wait. Set before any connection opens.
for _each in connections.all():
    if _each.vendor == "sqlite":
        _each.settings_dict.setdefault("OPTIONS", {})["timeout"] = settings.PLENARY_SQLITE_WEB_BUSY_SECONDS

from plenary.site import warmup  # noqa: E402 - after Django is set up

# Import every view module and compile what the first requests would: when a programme opens, the
# first requests are the ones that arrive all at once.
warmup.process()
