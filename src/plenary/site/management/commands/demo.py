from django.core.management.base import BaseCommand

from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme
from plenary.site import demo
from plenary.site.demo import upcoming


class Command(BaseCommand):
    help = (
        "Load the reference programme (2022, sessions, venues and bodies written in this package) with "
        "synthetic registrants, and an upcoming programme open for registration (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--registrants", type=int, default=2046)
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="When any programme exists, only move the demo's upcoming programme ahead if it is past.",
        )

    def handle(self, *args, registrants, seed, if_empty, **options):
        if if_empty and Programme.objects.exists():
            self.stdout.write("Data present: the reference programme is not loaded again.")
            if Programme.objects.filter(slug=demo.PROGRAMME_SLUG).exists():
                # An older demo database has only the 2022 programme, or an upcoming one now past.
                agencies = list(Organisation.objects.filter(is_member_agency=True).order_by("pk"))
                upcoming.load(agencies=agencies, registrants=registrants, seed=seed, log=self.stdout.write)
        else:
            demo.load(registrants=registrants, seed=seed, log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"Past programme (attendance, certificates, press release): /p/{demo.PROGRAMME_SLUG}/"
            )
        )
        if Programme.objects.filter(slug=upcoming.SLUG).exists():
            self.stdout.write(self.style.SUCCESS(f"Open for registration: /p/{upcoming.SLUG}/register/"))
        self.stdout.write(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
        for username, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {role}")
