from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganisationsConfig(AppConfig):
    name = "plenary.organisations"
    label = "organisations"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from plenary.organisations.models import Organisation
        from plenary.organisations.selectors import forget_names

        post_save.connect(forget_names, sender=Organisation, dispatch_uid="organisations-forget-names")
        post_delete.connect(
            forget_names, sender=Organisation, dispatch_uid="organisations-forget-names-delete"
        )
