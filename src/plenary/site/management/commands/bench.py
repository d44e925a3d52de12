"""`plenary bench NAME [args...]`: runs a benchmark module (``plenary.site.bench.<app>.run(argv)``)."""

from __future__ import annotations

import argparse
import importlib

from django.core.management.base import BaseCommand, CommandError

# Benchmark name → the module of ``plenary.site.bench`` that runs it (named after the app it measures).
BENCHMARKS = {
    "registration": "registrations",
    "checkin": "checkin",
    "import": "attendance",
    "certificates": "certificates",
    "publicity": "publicity",
    "evaluations": "engagement",
    "pages": "pages",
    "messaging": "messaging",
    "dashboard": "reports",
}


class Command(BaseCommand):
    help = (
        "Run a benchmark: "
        + ", ".join(sorted(BENCHMARKS))
        + ". `plenary bench NAME --help` lists its options."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("args", nargs=argparse.REMAINDER, help="options passed to the benchmark")

    def handle(self, *args, name, **options):
        try:
            module = importlib.import_module(f"plenary.site.bench.{BENCHMARKS[name]}")
        except ModuleNotFoundError as error:
            raise CommandError(f"The {name} benchmark is not part of this build.") from error
        # Django hands the positional "args" to handle() as *args.
        module.run(list(args))
