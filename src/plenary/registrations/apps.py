from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "plenary.registrations"
    label = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        from plenary.registrations import signals  # noqa: F401 - connects the receivers
