"""`plenary serve`: the production web server (gunicorn) plus a supervised background worker.

The web tier never stops because the worker died: a worker that exits is started again after a pause
(1 s, doubling up to 60 s; back to 1 s once a worker has stayed up for a minute). If gunicorn itself
exits, everything stops with its exit status, for the system's service manager to restart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from plenary.core.config import WILDCARD_HOSTS, site_address

FIRST_RESTART_DELAY = 1.0
LONGEST_RESTART_DELAY = 60.0
# A worker that stayed up this long was healthy: the next restart waits the shortest time again.
HEALTHY_SECONDS = 60.0


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
        env = self.child_environment(host, port)
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
        children.append(subprocess.Popen(web, env=env))
        worker_command = [python, "-m", "plenary", "worker"]
        worker = None if no_worker else subprocess.Popen(worker_command, env=env)
        if worker is not None:
            children.append(worker)
        self.stdout.write(f"Plenary is serving on http://{host}:{port}/ (Ctrl-C to stop)")
        self.stdout.write(f"Links in emails, passes and certificates point at {env['PLENARY_BASE_URL']}/")
        if host in WILDCARD_HOSTS:
            self.stdout.write(
                f"Phones on the same network: open {env['PLENARY_BASE_URL']}/ "
                f"(allowed host names: {env['PLENARY_ALLOWED_HOSTS']})"
            )
        self.check_font()

        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        exit_code = 0
        web_process = children[0]
        delay = FIRST_RESTART_DELAY
        worker_started = time.monotonic()
        restart_at = None
        try:
            while not stopping:
                if web_process.poll() is not None:
                    self.stderr.write(f"The web server exited with {web_process.returncode}; stopping.")
                    exit_code = web_process.returncode or 1
                    break
                if worker is not None and restart_at is None and worker.poll() is not None:
                    if time.monotonic() - worker_started > HEALTHY_SECONDS:
                        delay = FIRST_RESTART_DELAY
                    self.stderr.write(
                        f"The background worker exited with {worker.returncode}; "
                        f"starting a new one in {delay:.0f} s. The site keeps serving."
                    )
                    restart_at = time.monotonic() + delay
                    delay = min(delay * 2, LONGEST_RESTART_DELAY)
                if restart_at is not None and time.monotonic() >= restart_at:
                    children.remove(worker)
                    worker = subprocess.Popen(worker_command, env=env)
                    children.append(worker)
                    worker_started = time.monotonic()
                    restart_at = None
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

    def child_environment(self, host: str, port: int) -> dict[str, str]:
        """The web and worker processes' environment: base URL and allowed hosts follow --host/--port
        unless PLENARY_BASE_URL / PLENARY_ALLOWED_HOSTS are set."""
        env = dict(os.environ)
        base, names = site_address(host, port)
        env["HOST"], env["PORT"] = host, str(port)
        if not env.get("PLENARY_BASE_URL"):
            env["PLENARY_BASE_URL"] = base
        if not env.get("PLENARY_ALLOWED_HOSTS"):
            env["PLENARY_ALLOWED_HOSTS"] = ",".join(names)
        return env

    def check_font(self) -> None:
        """PDFs (passes, certificates, run-downs, releases) need a font with Chinese glyphs."""
        if not os.path.exists(settings.PLENARY_CJK_FONT):
            self.stderr.write(
                f"Warning: no font with Chinese glyphs at {settings.PLENARY_CJK_FONT}, so passes, certificates "
                "and other PDFs cannot be made. Install it with `sudo apt-get install fonts-wqy-microhei` "
                "(Debian/Ubuntu) or set "
                "PLENARY_CJK_FONT to a TrueType font (.ttf/.ttc) with Chinese glyphs."
            )
