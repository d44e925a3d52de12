"""``plenary queue-report-pulls``: queues the report pulls that are due (``plenary worker`` does this each
minute); a cron job can run it where workers run with ``--sweep-interval 0``."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from plenary.attendance import pulls


class Command(BaseCommand):
    help = "Queues a pull of each connected meeting whose next report slot has come (each slot once)."

    def handle(self, *args, **options):
        queued = pulls.schedule_due_pulls()
        self.stdout.write(f"{queued} pull(s) queued")
