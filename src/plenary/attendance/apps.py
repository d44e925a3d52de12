from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "plenary.attendance"
    label = "attendance"
    verbose_name = _("Attendance")

    def ready(self):
        from plenary.attendance import signals  # noqa: F401 - connects the receivers
