"""`plenary bench messaging [--recipients N] [--send M]`: selecting and queueing a bulk message to N
people, then the rate at which one sender hands M of them to a local SMTP server (aiosmtpd, started here).

Selecting and queueing runs inside a transaction that is rolled back; sending runs as a worker does, each
write committed, on a programme of its own that is deleted afterwards: the database is left as it was.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import time
from datetime import date, datetime, timedelta

from django.db import transaction
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from plenary.messaging import services
from plenary.messaging.models import Delivery, Message
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration


class _Rollback(Exception):
    pass


def _smtp_server(port: int) -> subprocess.Popen:
    """aiosmtpd in its own process (as a real mail relay is), accepting and discarding every message."""
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("the local SMTP server did not start")


def _programme(size: int, slug_suffix: str = "") -> Programme:
    stamp = int(time.time())
    programme = Programme.objects.create(
        slug=f"bench-messaging-{stamp}{slug_suffix}",
        title_en="Messaging benchmark",
        title_zh="訊息基準測試",
        starts_on=date.today(),
        ends_on=date.today() + timedelta(days=1),
        status=Programme.Status.PUBLISHED,
    )
    Session.objects.create(
        programme=programme,
        title_en="Lecture",
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=2),
        online_url="https://meeting.example.org/j/bench",
    )
    Registration.objects.bulk_create(
        (
            Registration(
                programme=programme,
                email=f"bench-{n}@bench.invalid",
                name_en=f"Bench {n}",
                name_zh=f"測試{n}",
                language="zh-hant" if n % 3 == 0 else "en",
                status=Registration.Status.CONFIRMED,
            )
            for n in range(size)
        ),
        batch_size=2000,
    )
    return programme


def _mail_settings(port: int):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_HOST_USER="",
        EMAIL_HOST_PASSWORD="",
    )


SUBJECT = ("News for {name}", "{name}：最新消息")
BODY = ("Dear {name}, your page: {private_url}", "{name} 你好，你的專頁：{private_url}")


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench messaging")
    parser.add_argument("--recipients", type=int, default=10_000, help="people the message goes to")
    parser.add_argument("--send", type=int, default=500, help="deliveries handed to the local SMTP server")
    options = parser.parse_args(argv)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = _smtp_server(port)
    try:
        # Selecting and queueing: inside a transaction that is rolled back.
        try:
            with transaction.atomic():
                programme = _programme(options.recipients)
                start = time.perf_counter()
                message = services.compose(
                    programme,
                    subject=SUBJECT,
                    body=BODY,
                    segment={"status": ["confirmed"]},
                    send_at=datetime.now(tz=timezone.get_current_timezone()),
                )
                elapsed = time.perf_counter() - start
                queued = Delivery.objects.filter(message=message).count()
                print(
                    f"select and queue: {queued} recipients in {elapsed:.2f} s ({queued / elapsed:.0f} per second)"
                )
                raise _Rollback
        except _Rollback:
            pass
        # Sending: as a worker sends, each write committed on its own (autocommit), so the cost of the
        # commits is in the figure; the programme is deleted afterwards.
        programme = _programme(options.send, slug_suffix="-send")
        try:
            later = timezone.now() + timedelta(hours=1)  # not now: no task is queued for a real worker
            message = services.compose(
                programme, subject=SUBJECT, body=BODY, segment={"status": ["confirmed"]}, send_at=later
            )
            now = timezone.now()
            Message.objects.filter(pk=message.pk).update(send_at=now)
            Delivery.objects.filter(message=message).update(next_attempt_at=now)
            with _mail_settings(port):
                reverse("programmes:home")  # URL patterns load once per worker process, not per message
                start = time.perf_counter()
                result = services.pump(limit=options.send)
                elapsed = time.perf_counter() - start
            print(
                f"send: {result['sent']} handed to a local SMTP server in {elapsed:.2f} s "
                f"({result['sent'] / elapsed:.0f} per second, one sender, each write committed; batches of "
                f"{services.BATCH}, outcomes written every {getattr(services, 'FLUSH_EVERY', 1)})"
            )
        finally:
            programme.delete()
    finally:
        server.terminate()
        server.wait(timeout=10)
