"""`plenary worker`: runs background tasks from the database queue; start as many as you like.

The worker outlives its database: when the database is locked, restarting or unreachable, the queue
loop stops with a database error; the worker then closes its connections, waits (1 s, doubling up to
30 s) and starts the loop again, so work resumes by itself once the database is back.
"""

from __future__ import annotations

import logging
import signal
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, connections

logger = logging.getLogger("plenary.worker")

FIRST_DELAY = 1.0
LONGEST_DELAY = 30.0
# A loop that ran this long before failing counts as healthy: the next wait starts short again.
HEALTHY_SECONDS = 60.0


class Command(BaseCommand):
    help = "Run a background worker (the database-backed task queue hands each task to one worker)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run every waiting task, then exit.")

    def handle(self, *args, interval, batch, **options):
        argv = ["--queue-name", "*", "--interval", str(interval), "--no-startup-delay", "--no-reload"]
        if batch:
            argv.append("--batch")
        delay = FIRST_DELAY
        while True:
            started = time.monotonic()
            try:
                call_command("db_worker", *argv, verbosity=options.get("verbosity", 1))
                return
            except (DatabaseError, InterfaceError) as error:
                if time.monotonic() - started > HEALTHY_SECONDS:
                    delay = FIRST_DELAY
                logger.warning(
                    "The queue stopped on a database error (%s); retrying in %.0f s.", error, delay
                )
            for connection in connections.all(initialized_only=True):
                try:
                    connection.close()
                except Exception:  # a connection that is already gone cannot be closed cleanly
                    logger.debug("Closing a broken connection failed", exc_info=True)
            if not _pause(delay):
                return
            delay = min(delay * 2, LONGEST_DELAY)


def _pause(seconds: float) -> bool:
    """Waits, unless SIGTERM or SIGINT arrives first (then False: the worker should stop)."""
    stop = []

    def asked(signum, frame):
        stop.append(signum)

    previous = {sig: signal.signal(sig, asked) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        deadline = time.monotonic() + seconds
        while not stop and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return not stop
