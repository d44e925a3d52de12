"""The web server's workers share new connections out evenly (site/gunicorn.py), against a live server."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.core.test_serve import children_of, free_port


def _established_inodes(port: int) -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                inodes.add(fields[9])
    return inodes


def _connections_per_worker(workers: list[int], port: int) -> list[int]:
    established = _established_inodes(port)
    counts = []
    for pid in workers:
        held = 0
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in established:
                held += 1
        counts.append(held)
    return counts


def _listening(pid: int, port: int) -> bool:
    """Whether the worker watches the listening socket in its event loop (an epoll set, in /proc)."""
    listener = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
            listener.add(f"socket:[{fields[9]}]")
    numbers = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd) in listener:
                numbers.add(fd.name)
        except OSError:
            continue
    for info in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            lines = info.read_text().splitlines()
        except OSError:
            continue
        if any(line.startswith("tfd:") and line.split()[1] in numbers for line in lines):
            return True
    return False


def test_a_crowd_connecting_at_once_is_shared_out_evenly_between_workers(tmp_path):
    # Kept-alive connections stay open while they are counted.
    env = {**os.environ, "PLENARY_DATA_DIR": str(tmp_path), "GUNICORN_CMD_ARGS": "--keep-alive 60"}
    env.pop("DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "plenary", "migrate", "-v0"], env=env, check=True, timeout=120)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "plenary", "serve", "--port", str(port), "--workers", "3", "--no-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    clients: list[socket.socket] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        workers = [
            pid
            for pid in children_of(server.pid)
            if b"gunicorn" in Path(f"/proc/{pid}/cmdline").read_bytes()
            and any(pid in children_of(parent) for parent in children_of(server.pid) if parent != pid)
        ]
        assert len(workers) == 3
        # A worker is ready once it listens for new connections (after it has loaded and warmed up).
        while not all(_listening(pid, port) for pid in workers):
            assert time.monotonic() < deadline, "the workers did not start"
            time.sleep(0.2)

        # 30 phones connect at the same moment and each sends a request on its kept-alive connection.
        for _ in range(30):
            clients.append(socket.create_connection(("127.0.0.1", port)))
        request = f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode()
        for client in clients:
            client.sendall(request)
        for client in clients:
            client.settimeout(10)
            assert client.recv(4096).startswith(b"HTTP/1.1 200")

        counts = _connections_per_worker(workers, port)
        assert sum(counts) == 30, counts
        assert max(counts) - min(counts) <= 3, counts
    finally:
        for client in clients:
            client.close()
        server.terminate()
        server.wait(timeout=30)


def _worker(pid: int, connections: int):
    """A worker as far as the balancing needs one: no sockets, no threads."""
    from plenary.site import gunicorn

    worker = gunicorn.ThreadWorker.__new__(gunicorn.ThreadWorker)
    worker.sockets, worker._accepting, worker.alive = [], False, True
    worker.nr_conns = connections
    worker.slot = gunicorn.claim_slot(pid)
    worker.set_accept_enabled(True)  # gunicorn's own rule allows it; the board decides
    return worker


def test_the_busiest_worker_stands_aside_until_the_others_catch_up_or_stop():
    from plenary.site import gunicorn

    busy, idle = _worker(os.getpid(), 3), _worker(os.getppid(), 1)  # two live processes
    try:
        busy.balance()  # it joined the board first, alone
        assert not busy._accepting and idle._accepting
        idle.nr_conns = 2
        idle.balance()
        busy.balance()
        assert busy._accepting and idle._accepting  # one apart: both take connections
        # The idle worker is told to stop: it posts that it is not accepting, and the busy one goes on.
        idle.alive = False
        idle.balance()
        busy.nr_conns = 9
        busy.balance()
        assert busy._accepting and not idle._accepting
    finally:
        for worker in (busy, idle):
            gunicorn._board[2 * worker.slot] = 0
