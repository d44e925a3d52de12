from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "plenary.checkin"
    label = "checkin"
    verbose_name = _("Check-in")

    def ready(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        from plenary.checkin.selectors import door
        from plenary.core import warmup

        # A door scan (with a pass code) and a roster or batch sync (without) each read the door first.
        warmup.statement(lambda: door(0, AnonymousUser(), "warm-up"))
        warmup.statement(lambda: door(0, AnonymousUser()))
