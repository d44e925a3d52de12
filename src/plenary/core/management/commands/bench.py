"""`plenary bench NAME [options]`: the benchmarks. Each lives beside its feature as ``<app>/bench.py``."""

import importlib

from django.core.management.base import BaseCommand, CommandError

# benchmark name → the app whose bench module runs it
BENCHMARKS = {
    "registration": "registrations",
    "checkin": "checkin",
    "import": "attendance",
    "certificates": "certificates",
    "reports": "reports",
    "evaluations": "engagement",
}


class Command(BaseCommand):
    help = "Run a benchmark: " + ", ".join(BENCHMARKS) + ". `plenary bench NAME --help` lists its options."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("args", nargs="...", help="options of that benchmark")

    def handle(self, *args, name, **options):
        try:
            module = importlib.import_module(f"plenary.{BENCHMARKS[name]}.bench")
        except ModuleNotFoundError as error:
            raise CommandError(f"The {name} benchmark is not part of this build.") from error
        module.run(list(args))
