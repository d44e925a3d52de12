"""``plenary certificate-keys [list|rotate]``: the keys that sign certificates' QR statements.

``rotate`` makes a new signing key; every earlier public key stays published, so certificates signed
before still verify (online and offline). With PLENARY_CERTIFICATE_KEY set, change that variable instead.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from plenary.certificates import signing


class Command(BaseCommand):
    help = "Lists or rotates the Ed25519 keys that sign certificates' QR statements."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "rotate"], nargs="?", default="list")

    def handle(self, *args, action, **options):
        if action == "rotate":
            try:
                new = signing.rotate()
            except signing.StatementError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(f"New signing key {new}; earlier keys stay published.")
        document = signing.published()
        for key in document["keys"]:
            mark = "*" if key["key_id"] == document["signing_key_id"] else " "
            until = key["retired"] or "now"
            self.stdout.write(f"{mark} {key['key_id']}  {key['public_key']}  {key['created']} – {until}")
