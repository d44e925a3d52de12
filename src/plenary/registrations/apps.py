from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "plenary.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from django.contrib.auth.models import AnonymousUser

        from plenary.core import warmup
        from plenary.programmes.models import Programme
        from plenary.programmes.selectors import programme_and_role
        from plenary.registrations import private_page, signals  # noqa: F401 - connects the receivers
        from plenary.registrations.seats import layout

        # A registration through the API reads the programme, then its sessions and seat counters.
        warmup.statement(lambda: programme_and_role("", AnonymousUser()))
        warmup.statement(lambda: layout(Programme(pk=0)))
        # The private page's lookup (and the digest of the release, once per process).
        warmup.statement(lambda: private_page.head("-", "en"))
