import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plenary.core.settings")
application = get_wsgi_application()

from plenary.site import warmup  # noqa: E402 - after Django is set up

# Import every view module and compile what the first requests would: when a programme opens, the
# first requests are the ones that arrive all at once.
warmup.process()
