"""The benchmarks' load generator: many concurrent HTTP/1.1 keep-alive clients in one asyncio loop.

The benchmarks run on the same 2-core machine as the server, so the generator's own CPU is taken from
the server: one event loop with raw keep-alive connections costs a fraction of a thread per client
with ``http.client``. Each client sends its next request as soon as the previous answer is read.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse


@dataclass
class Answer:
    status: int
    body: bytes
    seconds: float
    started: float

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


Request = tuple[str, str, Any]  # method, path, JSON payload (or None)


async def _read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    kept = headers.get("connection", "").lower() != "close"
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"])), kept
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                return status, bytes(body), kept
            body += chunk[:-2]
    return status, await reader.read(), False


async def _drive(
    url: str, requests: Iterable[Request], concurrency: int, headers: dict[str, str]
) -> list[Answer]:
    parts = urlparse(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    fixed = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    pending = iter(requests)
    answers: list[Answer] = []

    async def client() -> None:
        writer = None
        try:
            for method, path, payload in pending:
                body = json.dumps(payload).encode() if payload is not None else b""
                message = (
                    f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{fixed}"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body
                started = time.perf_counter()
                for attempt in range(2):
                    try:
                        if writer is None:
                            # A real client pays for opening the connection: it counts in the latency.
                            reader, writer = await asyncio.open_connection(host, port)
                        writer.write(message)
                        status, answer, kept = await _read_answer(reader)
                        break
                    except (ConnectionError, asyncio.IncompleteReadError):
                        # The server closed a kept-alive connection while idle: open another, send again.
                        writer.close()
                        writer = None
                        if attempt:
                            raise
                if not kept:
                    writer.close()
                    writer = None
                answers.append(Answer(status, answer, time.perf_counter() - started, started))
        finally:
            if writer is not None:
                writer.close()

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return answers


def drive(
    url: str, requests: Iterable[Request], *, concurrency: int, headers: dict[str, str] | None = None
) -> list[Answer]:
    """Sends every request through ``concurrency`` keep-alive connections; returns the answers.

    The event loop runs in a thread of its own, so callers that already run one (a test using the
    browser) can drive load too."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _drive(url, requests, concurrency, headers or {})).result()


def percentiles(seconds: list[float]) -> Callable[[float], float]:
    """``cut(0.99)`` → the 99th percentile in milliseconds."""
    ordered = sorted(seconds)

    def cut(share: float) -> float:
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    return cut
