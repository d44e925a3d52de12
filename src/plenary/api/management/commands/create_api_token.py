from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from plenary.api.auth import create_token


class Command(BaseCommand):
    help = "Print a new API token for USERNAME (keep it: only its hash is stored)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="A label to recognise the token by.")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user is called {username!r}.")
        self.stdout.write(create_token(user, name=name))
