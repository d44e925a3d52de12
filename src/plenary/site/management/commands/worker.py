"""`plenary worker`: runs background tasks from the database queue; start as many as you like."""

from django.core.management import call_command
from django.core.management.base import BaseCommand

from plenary.privacy.tasks import schedule_daily_purge


class Command(BaseCommand):
    help = "Run a background worker (the database-backed task queue hands each task to one worker)."

    def add_arguments(self, parser):
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between polls when idle.")
        parser.add_argument("--batch", action="store_true", help="Run every waiting task, then exit.")

    def handle(self, *args, interval, batch, **options):
        # The daily retention purge books itself again after each run; a worker books the first one.
        schedule_daily_purge()
        argv = ["--queue-name", "*", "--interval", str(interval), "--no-startup-delay", "--no-reload"]
        if batch:
            argv.append("--batch")
        call_command("db_worker", *argv, verbosity=options.get("verbosity", 1))
