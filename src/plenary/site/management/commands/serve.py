"""`plenary serve`: the production web server (gunicorn) plus a background worker, stopped together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Plenary with gunicorn and run a background worker beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("PLENARY_WEB_WORKERS", "3")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("PLENARY_WEB_THREADS", "4")))
        parser.add_argument("--no-worker", action="store_true", help="Serve web requests only.")
        parser.add_argument(
            "--access-log",
            action="store_true",
            default=os.environ.get("PLENARY_ACCESS_LOG", "") not in ("", "0"),
            help="Log every request to standard output (off by default; see the README).",
        )

    def handle(self, *args, host, port, workers, threads, no_worker, access_log, **options):
        python = sys.executable
        children: list[subprocess.Popen] = []
        web = [
            python,
            "-m",
            "gunicorn",
            "plenary.site.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "plenary.site.gunicorn.ThreadWorker",
            "--graceful-timeout",
            "10",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ]
        if access_log:
            web += ["--access-logfile", "-"]
        children.append(subprocess.Popen(web))
        if not no_worker:
            children.append(subprocess.Popen([python, "-m", "plenary", "worker"]))
        self.stdout.write(f"Plenary is serving on http://{host}:{port}/ (Ctrl-C to stop)")

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        try:
            while not stopping:
                for child in children:
                    if child.poll() is not None:
                        self.stderr.write(f"A child process exited with {child.returncode}; stopping.")
                        exit_code = child.returncode or 1
                        stopping = True
                        break
                time.sleep(0.2)
        finally:
            for child in children:
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 15
            for child in children:
                try:
                    child.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
        self.stdout.write("Plenary stopped.")
        if exit_code:
            sys.exit(exit_code)
