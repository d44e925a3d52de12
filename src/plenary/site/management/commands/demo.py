from django.core.management.base import BaseCommand

from plenary.programmes.models import Programme
from plenary.site import demo


class Command(BaseCommand):
    help = "Load the reference programme (sessions, venues and bodies written in this package) with synthetic registrants (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--registrants", type=int, default=2046)
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--if-empty", action="store_true", help="Do nothing when any programme exists.")

    def handle(self, *args, registrants, seed, if_empty, **options):
        if if_empty and Programme.objects.exists():
            self.stdout.write("Data present: the demo is not loaded again.")
        else:
            programme = demo.load(registrants=registrants, seed=seed, log=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"Demo programme ready: /p/{programme.slug}/"))
        self.stdout.write(f"Demo logins (password: {demo.DEMO_PASSWORD}):")
        for username, role in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<12} {role}")
