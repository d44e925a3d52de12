from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """Who changed what, when, with the values before and after. Append-only."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        PUBLISH = "publish", _("Published")
        UNPUBLISH = "unpublish", _("Withdrawn")
        OTHER = "other", _("Other")
        # Staff of a body (organisations): an invitation sent, accepted, or cancelled.
        INVITE = "invite", _("Invited")
        JOIN = "join", _("Joined")
        CANCEL = "cancel", _("Cancelled")

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("who")
    )
    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, null=True, blank=True, related_name="audit_entries"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=300)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    action__in=[
                        "create",
                        "update",
                        "delete",
                        "publish",
                        "unpublish",
                        "other",
                        "invite",
                        "join",
                        "cancel",
                    ]
                ),
                name="auditentry_action_known",
            )
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_repr}"

    @property
    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for each field whose value differs."""
        before, after = self.before or {}, self.after or {}
        keys = sorted(set(before) | set(after))
        return [(key, before.get(key), after.get(key)) for key in keys if before.get(key) != after.get(key)]


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is kept; the token is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.user} {self.name or self.key_hash[:8]}"


class WorkerBeat(models.Model):
    """A running `plenary worker` says it is alive (``core/tasks.py``). A task left running by a worker
    whose beat has stopped is queued again by the next sweep of any worker."""

    worker_id = models.CharField(primary_key=True, max_length=64)
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return f"{self.worker_id} {self.beat_at:%H:%M:%S}"
