import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plenary.core.settings")
application = get_wsgi_application()
# Import every view module now rather than on a worker's first request: when a programme opens,
# the first requests are the ones that arrive all at once.
get_resolver().url_patterns  # noqa: B018
