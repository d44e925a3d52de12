"""`plenary bench NAME [options]`: runs one of the benchmarks that apps provide in their bench module."""

from __future__ import annotations

import importlib

from django.core.management.base import BaseCommand, CommandError

# Benchmark name → the app whose ``bench`` module runs it.
BENCHMARKS = {
    "registration": "registrations",
}


class Command(BaseCommand):
    help = (
        "Run a benchmark: " + ", ".join(sorted(BENCHMARKS)) + ". `plenary bench NAME --help` for its options."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument(
            "bench_args", nargs="*", default=[], metavar="OPTION", help="Options of the benchmark."
        )

    def run_from_argv(self, argv):
        # Options after NAME belong to the benchmark, not to this command.
        if len(argv) > 2 and argv[2] in BENCHMARKS:
            self.execute_benchmark(argv[2], argv[3:])
            return
        super().run_from_argv(argv)

    def handle(self, *args, name, **options):
        self.execute_benchmark(name, list(options.get("bench_args") or []))

    def execute_benchmark(self, name: str, argv: list[str]) -> None:
        import django

        django.setup()
        if name not in BENCHMARKS:
            raise CommandError(f"Unknown benchmark {name}.")
        module = importlib.import_module(f"plenary.{BENCHMARKS[name]}.bench")
        module.run(argv)
