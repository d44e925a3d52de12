"""`plenary serve` really serves, and stops with its worker on SIGTERM."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children_of(pid: int) -> set[int]:
    """Every descendant process of ``pid``, read from /proc."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def test_serve_answers_within_seconds_and_exits_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, "PLENARY_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # its own SQLite database: the suite's test database is not touched
    subprocess.run([sys.executable, "-m", "plenary", "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "plenary", "serve", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        started = time.monotonic()
        body = None
        while time.monotonic() - started < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read()
                    break
            except OSError:
                time.sleep(0.2)
        assert body == b'{"status": "ok"}'
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            assert response.status == 200
        descendants = children_of(server.pid)
        commands = {
            (Path(f"/proc/{pid}/cmdline").read_bytes() if Path(f"/proc/{pid}").exists() else b"")
            for pid in descendants
        }
        assert any(b"gunicorn" in command for command in commands)
        assert any(b"worker" in command and b"gunicorn" not in command for command in commands)

        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=20) == 0
        time.sleep(0.5)
        assert not any(
            Path(f"/proc/{pid}").exists()
            and b"Z" not in Path(f"/proc/{pid}/stat").read_bytes().split(b")")[1][:3]
            for pid in descendants
        )
    finally:
        if server.poll() is None:
            server.kill()
