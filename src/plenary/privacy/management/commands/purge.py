"""`plenary purge [--dry-run]`: anonymises and deletes what is past each programme's retention period."""

from django.core.management.base import BaseCommand

from plenary.privacy import services


class Command(BaseCommand):
    help = "Anonymise and delete personal data past each programme's retention period, and say what (and how much)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would go; change nothing.")

    def handle(self, *args, dry_run, **options):
        report = services.purge(dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for line in report.lines:
            self.stdout.write(
                f"{line.programme} (ended {line.ended}, kept {line.days} days): {line.registrations} registrations "
                f"{verb} anonymised, {line.files} stored files {verb} deleted"
            )
        self.stdout.write(
            f"mail files older than the platform's retention period: {report.mail_files} {verb} deleted"
        )
        self.stdout.write(f"staff invitations closed over 90 days ago: {report.invitations} {verb} deleted")
        self.stdout.write(
            f"total: {report.registrations} registrations and {report.files} files {verb} "
            + ("anonymised or deleted (dry run: nothing changed)" if dry_run else "anonymised or deleted")
        )
