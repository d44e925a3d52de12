from django.apps import AppConfig
from django.urls import register_converter
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "plenary.core"
    label = "core"
    verbose_name = _("Plenary core")


# Before any URL pattern is compiled: ids in paths are checked against what the database holds.
from plenary.core.ids import IdConverter  # noqa: E402

register_converter(IdConverter, "id")
