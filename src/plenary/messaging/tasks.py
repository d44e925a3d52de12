"""Background work of messaging: thin wrappers around the sender (``services``)."""

from __future__ import annotations

from django_tasks import task

from plenary.messaging import services


@task()
def pump_messages() -> dict:
    """Sends what is due now (enqueued when a message is sent at once)."""
    return services.pump()


@task()
def sweep_messages() -> dict:
    """Queues the reminders due and sends what is due (``plenary worker`` also runs this each minute)."""
    return services.sweep()
