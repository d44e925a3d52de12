"""``plenary import-attendance SESSION_ID FILE [--format …] [--date-order DM|MD] [--tz ZONE]``: imports a meeting report."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plenary.attendance import reports, services
from plenary.programmes.models import Session


class Command(BaseCommand):
    help = "Imports a Zoom, Teams or Webex attendance report into a session's attendance."

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int)
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=reports.FORMATS, default="auto")
        parser.add_argument(
            "--date-order",
            choices=reports.DATE_ORDERS,
            default="auto",
            help="DM (day first) or MD (month first) when the file's dates read either way.",
        )
        parser.add_argument(
            "--tz", default=None, help="Time zone of the file's times (default: the programme's)."
        )

    def handle(self, *args, session_id, file, format, tz, date_order, **options):
        session = Session.objects.select_related("programme").filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"No session has id {session_id}.")
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            outcome = services.import_meeting_report(
                session, file, format=format, tz=tz, date_order=date_order
            )
        except services.ImportFailed as error:
            raise CommandError(str(error)) from error
        batch = outcome.batch
        if outcome.duplicate:
            self.stdout.write(f"Already imported on {batch.uploaded_at:%Y-%m-%d %H:%M}; nothing changed.")
        self.stdout.write(
            f"{batch.format}: {batch.rows} rows, {batch.participants} participants, {batch.matched} matched, "
            f"{len(batch.unmatched_rows)} unmatched, {len(batch.rejected_rows)} rejected"
        )
        for row in batch.rejected_rows:
            self.stdout.write(f"  line {row['line']}: {row['reason']}")
        if outcome.replaced:
            self.stdout.write(
                f"Replaced {len(outcome.replaced)} earlier import(s) of this session and format."
            )
