"""`plenary worker`: runs background tasks from the database queue; start as many as you like.

Beside the queue, each worker runs a sweep once a minute: the messaging sweep (reminders due, messages
due and retries whose back-off has passed), the meeting-report pulls that are due, and the stale-job
sweep (a certificate issuing job whose heartbeat is older than ``PLENARY_JOB_STALE_SECONDS`` died with
its worker: it is queued again and carries on, issuing each certificate once). Several workers sweep at once safely: deliveries are
inserted or skipped on a unique constraint and taken under a lease (``messaging/services.py``), and a
job is re-checked under its row lock before it is queued again (``certificates/services.py``); a pull's
schedule slot is claimed by a conditional UPDATE (``attendance/pulls.py``).

Each worker beats (a row in ``core.WorkerBeat``, every few seconds) and names itself to the queue on
every task it takes; the sweep queues again any other task left RUNNING by a worker whose beat stopped
more than ``PLENARY_JOB_STALE_SECONDS`` ago (``core/tasks.py: requeue_orphans``).

The worker outlives its database: when the database is locked, restarting or unreachable, the queue
loop stops with a database error; the worker then closes its connections, waits (1 s, doubling up to
30 s) and starts the loop again, so work resumes by itself once the database is back. The sweep
survives the same way: a failed sweep is logged and the next minute tries again.
"""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import threading
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, close_old_connections, connection, connections

logger = logging.getLogger("plenary.worker")

FIRST_DELAY = 1.0
LONGEST_DELAY = 30.0
# A loop that ran this long before failing counts as healthy: the next wait starts short again.
HEALTHY_SECONDS = 60.0


def sweep_every(interval: float, stop: threading.Event) -> None:
    import plenary.certificates.tasks  # noqa: F401 - marks the task that keeps its own heartbeat
    from plenary.attendance import pulls
    from plenary.certificates.services import resume_stale_jobs
    from plenary.core.tasks import requeue_orphans
    from plenary.messaging import services

    while not stop.wait(interval):
        for name, sweep in (
            ("Messaging", services.sweep),
            ("Stale-job", resume_stale_jobs),
            ("Orphan-task", requeue_orphans),
            ("Report-pull", pulls.schedule_due_pulls),  # connected meetings whose report is due
        ):
            try:
                sweep()
            except Exception:  # the sweep must never stop the worker; the next round tries again
                logger.exception("%s sweep failed", name)
            finally:
                close_old_connections()
                connection.close()


def beat_while_running(worker_id: str, stop: threading.Event) -> None:
    """The worker's heartbeat (``core/tasks.py``): while it beats, nobody takes its running task away."""
    from plenary.core import tasks

    while True:
        try:
            tasks.beat(worker_id)
        except Exception:  # a missed beat is no reason to stop; the next one tries again
            logger.warning("Could not write the worker's heartbeat", exc_info=True)
        finally:
            close_old_connections()
            connection.close()
        if stop.wait(tasks.beat_every()):
            break
    try:
        tasks.forget(worker_id)
    except Exception:
        logger.debug("Could not remove the worker's heartbeat", exc_info=True)
    finally:
        connection.close()


def _book_daily_purge() -> None:
    """The daily retention purge books itself again after each run; a worker books the first one."""
    from plenary.privacy.tasks import schedule_daily_purge

    try:
        schedule_daily_purge()
    except (DatabaseError, InterfaceError):
        logger.warning("Could not book the daily purge yet; the next start will.", exc_info=True)


def _resume_stale_jobs() -> None:
    import plenary.certificates.tasks  # noqa: F401 - marks the task that keeps its own heartbeat
    from plenary.certificates.services import resume_stale_jobs
    from plenary.core.tasks import requeue_orphans

    try:
        resume_stale_jobs()
        requeue_orphans()
    except (DatabaseError, InterfaceError):
        logger.warning("Could not look for stale jobs; the next sweep will.", exc_info=True)


class Command(BaseCommand):
    help = "Run a background worker (the database-backed task queue hands each task to one worker)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run every waiting task, then exit.")
        parser.add_argument(
            "--sweep-interval",
            type=float,
            default=float(os.environ.get("PLENARY_SWEEP_SECONDS", "60")),
            help="Seconds between sweeps (reminders and messages due, stale jobs); 0 turns them off.",
        )

    def handle(self, *args, interval, batch, sweep_interval, **options):
        # Web requests keep their connections (settings.py); a worker polls once a second and opens a
        # fresh one each time, so it never holds on to a database that has gone away or been replaced.
        for each in connections.all():
            each.settings_dict["CONN_MAX_AGE"] = 0
        _book_daily_purge()
        # Unique across every node: the queue records it on each task the worker takes.
        worker_id = f"{socket.gethostname()[:32]}-{os.getpid()}-{secrets.token_hex(4)}"
        argv = ["--queue-name", "*", "--interval", str(interval), "--no-startup-delay", "--no-reload"]
        argv += ["--worker-id", worker_id]
        stop = threading.Event()
        beating = threading.Thread(
            target=beat_while_running, args=(worker_id, stop), daemon=True, name="heartbeat"
        )
        beating.start()
        if batch:
            argv.append("--batch")
            _resume_stale_jobs()  # a batch run finishes what a dead worker left too
        elif sweep_interval > 0:
            threading.Thread(
                target=sweep_every, args=(sweep_interval, stop), daemon=True, name="sweep"
            ).start()
        try:
            self._queue(argv, options.get("verbosity", 1))
        finally:
            stop.set()
            beating.join(timeout=5)

    def _queue(self, argv: list[str], verbosity: int) -> None:
        delay = FIRST_DELAY
        while True:
            started = time.monotonic()
            try:
                call_command("db_worker", *argv, verbosity=verbosity)
                return
            except (DatabaseError, InterfaceError) as error:
                if time.monotonic() - started > HEALTHY_SECONDS:
                    delay = FIRST_DELAY
                logger.warning(
                    "The queue stopped on a database error (%s); retrying in %.0f s.", error, delay
                )
            for each in connections.all(initialized_only=True):
                try:
                    each.close()
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
