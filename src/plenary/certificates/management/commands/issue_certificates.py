"""`plenary issue-certificates SLUG`: issues every certificate due, idempotently, with a progress bar."""

import sys

from django.core.management.base import BaseCommand, CommandError

from plenary.certificates import services
from plenary.programmes.models import Programme


class Command(BaseCommand):
    help = "Issue every certificate due for a programme (idempotent; safe to run again after a stop)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--no-email", action="store_true", help="Do not e-mail the holders.")

    def handle(self, *args, slug, no_email, **options):
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None:
            raise CommandError(f"No programme has the address {slug!r}.")
        interactive = sys.stdout.isatty()

        def progress(done: int, total: int) -> None:
            if not total:
                return
            if interactive or done == total or done % 100 == 0:
                filled = int(30 * done / total)
                end = "\r" if interactive and done < total else "\n"
                self.stdout.write(f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}", ending=end)
                self.stdout.flush()

        summary = services.issue_certificates(programme, progress=progress)
        sent = 0 if no_email else services.email_certificates(programme)
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.total} eligible: {summary.issued} issued, {summary.superseded} re-issued, "
                f"{summary.unchanged} unchanged; {sent} e-mailed."
            )
        )
