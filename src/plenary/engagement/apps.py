from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementConfig(AppConfig):
    name = "plenary.engagement"
    verbose_name = _("Reflections and evaluations")
    label = "engagement"

    def ready(self) -> None:
        from plenary.engagement import signals  # noqa: F401 - connects the receivers
