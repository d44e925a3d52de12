"""Helpers for fault tests against a live `plenary serve` on the suite's own test database: start and
stop the server, call it over HTTP, and a TCP proxy that can cut the way to the database."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.certificates.test_worker_kill import child_database_url
from tests.core.test_serve import children_of, free_port


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    raw: object = None  # the response's own headers (several Set-Cookie lines)

    def json(self):
        return json.loads(self.body)


def call(
    port: int,
    method: str,
    path: str,
    *,
    token: str = "",
    data=None,
    form=None,
    cookie: str = "",
    timeout: float = 60,
) -> Answer:
    """One HTTP request to the live server; a refusal (4xx/5xx) is an answer too. A connection error
    raises OSError."""
    headers = {"Host": f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = cookie
    body = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        from urllib.parse import urlencode

        body = urlencode(form).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body, headers=headers, method=method
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - a local test server
            return Answer(response.status, dict(response.headers), response.read(), response.headers)
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), error.read(), error.headers)


def form_session(port: int, path: str) -> tuple[str, str]:
    """GETs a form page: (the Cookie header to send back, the form's CSRF token)."""
    import re

    page = call(port, "GET", path)
    assert page.status == 200, page.body[:300]
    cookies = "; ".join(value.split(";", 1)[0] for value in page.raw.get_all("Set-Cookie") or [])
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert token, "the form has no CSRF token"
    return cookies, token.group(1).decode()


def answers(port: int) -> bool:
    """Whether the server answers its health check (which asks the database) with 200."""
    try:
        return call(port, "GET", "/healthz", timeout=5).status == 200
    except OSError:
        return False


def wait_for(condition, seconds: float, step: float = 0.2):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


class Server:
    """`plenary serve` in its own process group, on ``database_url`` (the test database by default)."""

    def __init__(self, tmp_path: Path, *args: str, database_url: str | None = None, **environment: str):
        self.port = free_port()
        self.log_path = tmp_path / f"serve-{self.port}.log"
        env = {
            **os.environ,
            "DATABASE_URL": database_url or child_database_url(),
            "PLENARY_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **environment,
        }
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "plenary", "serve", "--port", str(self.port), "--workers", "1", *args],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing it started outlives the test
        )
        if not wait_for(lambda: answers(self.port) or self.process.poll() is not None, 60):
            self.stop()
            raise AssertionError(f"the server did not start:\n{self.output()}")
        if self.process.poll() is not None:
            raise AssertionError(f"the server stopped:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def workers(self) -> set[int]:
        """The background worker processes among the server's children (not gunicorn's)."""
        found = set()
        for child in children_of(self.process.pid):
            try:
                command = Path(f"/proc/{child}/cmdline").read_bytes()
                state = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if b"worker" in command and b"gunicorn" not in command and state != "Z":
                found.add(child)
        return found

    def stop(self) -> None:
        left = children_of(self.process.pid)
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


class Proxy:
    """A TCP forwarder from a local port to ``target``. ``cut()`` drops every connection through it and
    refuses new ones (as a database host that went away); ``restore()`` lets connections through again
    on the same port."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.port = free_port()
        self.lock = threading.Lock()
        self.open: set[socket.socket] = set()
        self.listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            with contextlib.suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the thread blocked in accept()
            self.listener.close()
            self.listener = None
        with self.lock:
            for each in self.open:
                with contextlib.suppress(OSError):
                    each.shutdown(socket.SHUT_RDWR)
                each.close()
            self.open.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _address = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:  # cut meanwhile
                    client.close()
                    upstream.close()
                    return
                self.open |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self.lock:
                for each in (source, sink):
                    with contextlib.suppress(OSError):
                        each.shutdown(socket.SHUT_RDWR)
                    each.close()
                    self.open.discard(each)
