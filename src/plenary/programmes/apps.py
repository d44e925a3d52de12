from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "plenary.programmes"
    label = "programmes"
    verbose_name = _("Programmes")

    def ready(self) -> None:
        from plenary.programmes import signals  # noqa: F401 - connects the receivers
