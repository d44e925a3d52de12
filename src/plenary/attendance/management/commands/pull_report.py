"""``plenary pull-report SESSION_ID MEETING_ID [--platform zoom|teams|webex]``: fetches and imports a report."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plenary.attendance import pulls, services
from plenary.programmes.models import Session


class Command(BaseCommand):
    help = (
        "Pulls a meeting's participants report from the platform's API (Zoom, Teams, Webex) and imports it."
    )

    def add_arguments(self, parser):
        parser.add_argument("session_id", type=int)
        parser.add_argument("meeting_id")
        parser.add_argument("--platform", choices=sorted(pulls.CLIENTS), default="zoom")

    def handle(self, *args, session_id, meeting_id, platform, **options):
        session = Session.objects.select_related("programme").filter(pk=session_id).first()
        if session is None:
            raise CommandError(f"No session has id {session_id}.")
        try:
            outcome = pulls.pull_report(session, platform, meeting_id)
        except (pulls.PullError, services.ImportFailed) as error:
            raise CommandError(str(error)) from error
        batch = outcome.batch
        state = "unchanged (the same report as before)" if outcome.duplicate else "imported"
        self.stdout.write(
            f"{state}: {batch.rows} rows, {batch.matched} matched, {len(batch.unmatched_rows)} to review"
        )
