"""`plenary worker`: runs background tasks from the database queue; start as many as you like.

Beside the queue, each worker runs the messaging sweep once a minute (reminders due, messages due and
retries whose back-off has passed). Several workers sweep at once safely: deliveries are inserted or
skipped on a unique constraint and taken under a lease (``messaging/services.py``).
"""

import logging
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection

from plenary.privacy.tasks import schedule_daily_purge

logger = logging.getLogger(__name__)


def sweep_every(interval: float, stop: threading.Event) -> None:
    from plenary.messaging import services

    while not stop.wait(interval):
        try:
            services.sweep()
        except Exception:  # the sweep must never stop the worker; the next minute tries again
            logger.exception("Messaging sweep failed")
        finally:
            close_old_connections()
            connection.close()


class Command(BaseCommand):
    help = "Run a background worker (the database-backed task queue hands each task to one worker)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run every waiting task, then exit.")
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=60.0,
            help="Seconds between messaging sweeps (reminders and messages due); 0 turns them off.",
        )

    def handle(self, *args, interval, batch, sweep_interval, **options):
        # The daily retention purge books itself again after each run; a worker books the first one.
        schedule_daily_purge()
        argv = ["--queue-name", "*", "--interval", str(interval), "--no-startup-delay", "--no-reload"]
        stop = threading.Event()
        if batch:
            argv.append("--batch")
        elif sweep_interval > 0:
            threading.Thread(
                target=sweep_every, args=(sweep_interval, stop), daemon=True, name="sweep"
            ).start()
        try:
            call_command("db_worker", *argv, verbosity=options.get("verbosity", 1))
        finally:
            stop.set()
