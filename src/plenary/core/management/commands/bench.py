"""`plenary bench NAME [options]`: runs the benchmark module ``plenary.<app>.bench`` of NAME."""

from __future__ import annotations

import argparse
import importlib

from django.core.management.base import BaseCommand

# Benchmark name → the app whose bench.py runs it.
BENCHMARKS = {
    "checkin": "checkin",
}


class Command(BaseCommand):
    help = "Run a benchmark: plenary bench NAME [options] (plenary bench NAME --help for its options)."

    def add_arguments(self, parser):
        parser.add_argument("name", choices=sorted(BENCHMARKS))
        parser.add_argument("options", nargs=argparse.REMAINDER)

    def handle(self, *args, name, options, **kwargs):
        module = importlib.import_module(f"plenary.{BENCHMARKS[name]}.bench")
        module.run(list(options))
