"""``plenary bench NAME [args...]``: runs a benchmark module ``plenary.<app>.bench``."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

BENCHMARKS = {
    "import": "attendance",
}


class Command(BaseCommand):
    help = "Runs a benchmark: " + ", ".join(sorted(BENCHMARKS))

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("args", nargs="*")

    def run_from_argv(self, argv):
        # Everything after NAME belongs to the benchmark, options included.
        if len(argv) > 2 and argv[2] in BENCHMARKS:
            self._bench_args = argv[3:]
            argv = argv[:3]
        super().run_from_argv(argv)

    def handle(self, *args, name, **options):
        if name not in BENCHMARKS:
            raise CommandError(f"Unknown benchmark {name}.")
        module = importlib.import_module(f"plenary.{BENCHMARKS[name]}.bench")
        module.run(getattr(self, "_bench_args", list(args)))
