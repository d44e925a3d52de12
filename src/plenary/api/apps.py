from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "plenary.api"
    label = "api"
    verbose_name = "API"

    def ready(self) -> None:
        from django.conf import settings
        from django.db.models.signals import post_delete, post_save

        from plenary.api.auth import BearerToken, forget_tokens
        from plenary.core import warmup
        from plenary.core.models import ApiToken
        from plenary.organisations.models import Membership

        for model in (ApiToken, Membership, settings.AUTH_USER_MODEL):
            post_save.connect(forget_tokens, sender=model, dispatch_uid=f"api-forget-tokens-{model}")
            post_delete.connect(forget_tokens, sender=model, dispatch_uid=f"api-forget-tokens-del-{model}")
        # Every API call checks its token first.
        warmup.statement(lambda: BearerToken._lookup("warm-up"))
