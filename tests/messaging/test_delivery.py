"""The delivery log against a real SMTP server: 250 sent, 451 retried with back-off, 550 failed for good;
the SMS channel's file backend behind the same interface."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from plenary.messaging import selectors, services
from plenary.messaging.channels import FAILED, SENT, Outgoing, SmsChannel
from plenary.messaging.models import Delivery, Message
from tests.messaging.conftest import register

pytestmark = pytest.mark.django_db


def send_to_all(programme):
    return services.compose(
        programme, subject=("Hello {name}", "你好 {name}"), body=("See {private_url}", "請看 {private_url}")
    )


def test_250_sent_451_retried_with_backoff_550_failed_for_good(small_programme, smtp):
    register(small_programme, 1)
    register(small_programme, 2, email="busy@example.org")
    register(small_programme, 3, email="gone@example.org")
    message = send_to_all(small_programme)
    before = timezone.now()
    services.pump()
    log = {d.address: d for d in Delivery.objects.filter(message=message)}
    assert log["person1@example.org"].state == "sent"
    assert log["gone@example.org"].state == "failed"
    assert log["gone@example.org"].last_error.startswith("550")
    busy = log["busy@example.org"]
    assert (busy.state, busy.attempts) == ("retrying", 1)
    assert busy.last_error.startswith("451")
    assert before + timedelta(seconds=55) <= busy.next_attempt_at <= timezone.now() + timedelta(seconds=65)
    assert selectors.counts(message) == {
        "recipients": 3,
        "queued": 1,
        "sent": 1,
        "failed": 1,
        "retrying": 1,
        "sms": 0,
        "sms_sent": 0,
    }
    assert [m["To"] for m in smtp.messages] == ["person1@example.org"]

    # Not before its time: a second pump leaves it alone.
    services.pump()
    assert Delivery.objects.get(pk=busy.pk).attempts == 1
    # The second failure waits twice as long.
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    services.pump()
    busy.refresh_from_db()
    assert busy.attempts == 2
    assert busy.next_attempt_at >= timezone.now() + timedelta(seconds=110)
    # The mailbox recovers: the retry goes through, once; the 550 is never tried again.
    smtp.busy = False
    Delivery.objects.filter(pk=busy.pk).update(next_attempt_at=timezone.now())
    services.pump()
    busy.refresh_from_db()
    assert (busy.state, busy.attempts) == ("sent", 3)
    assert sorted(m["To"] for m in smtp.messages) == ["busy@example.org", "person1@example.org"]
    assert [a for a, code in smtp.refusals if code == 550] == ["gone@example.org"]
    message.refresh_from_db()
    assert message.state == "sent"


def test_a_mailbox_busy_every_time_fails_after_the_last_attempt(small_programme, smtp):
    register(small_programme, 2, email="busy@example.org")
    message = send_to_all(small_programme)
    for _ in range(services.MAX_ATTEMPTS):
        Delivery.objects.filter(message=message).update(next_attempt_at=timezone.now())
        services.pump()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_a_server_that_is_down_means_try_again(small_programme, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens on the discard port
    settings.EMAIL_TIMEOUT = 2
    register(small_programme, 1)
    message = send_to_all(small_programme)
    services.pump()
    delivery = Delivery.objects.get(message=message)
    assert (delivery.state, delivery.attempts) == ("retrying", 1)
    assert delivery.last_error.startswith("connection")


def test_each_person_reads_their_own_language_and_values(small_programme, smtp):
    from tests.messaging.conftest import text_of

    english = register(small_programme, 1)
    chinese = register(small_programme, 2, language="zh-hant")
    send_to_all(small_programme)
    services.pump()
    (en,) = smtp.to("person1@example.org")
    (zh,) = smtp.to("person2@example.org")
    assert en["Subject"] == "Hello Person 1"
    assert zh["Subject"] == "你好 參加者2"
    assert f"/me/{english.token}/" in text_of(en)
    assert f"/zh-hant/me/{chinese.token}/" in text_of(zh)


def test_the_sms_channel_writes_to_its_file_backend(tmp_path, settings):
    settings.PLENARY_SMS_FILE_PATH = str(tmp_path)
    outcomes = dict(
        SmsChannel().send(
            [Outgoing(1, "+852 9123 4567", "Reminder", "Starts at 10:00"), Outgoing(2, "", "Reminder", "x")]
        )
    )
    assert outcomes[1].state == SENT and outcomes[2].state == FAILED
    (log,) = tmp_path.glob("*.jsonl")
    assert json.loads(log.read_text(encoding="utf-8")) == {
        "to": "+852 9123 4567",
        "text": "Reminder\nStarts at 10:00",
    }


def test_the_sms_gateway_backend_against_a_local_stand_in(settings):
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.headers["Authorization"], body))
            status = {"+85290000001": 200, "+85290000002": 503, "+85290000003": 400}[body["to"]]
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        settings.PLENARY_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
        settings.PLENARY_SMS_TOKEN = "secret-token"
        outcomes = dict(
            SmsChannel().send(
                [
                    Outgoing(1, "+85290000001", "Reminder", "10:00"),
                    Outgoing(2, "+85290000002", "Reminder", "10:00"),
                    Outgoing(3, "+85290000003", "Reminder", "10:00"),
                ]
            )
        )
    finally:
        server.shutdown()
        server.server_close()
    assert {key: o.state for key, o in outcomes.items()} == {1: "sent", 2: "retry", 3: "failed"}
    assert received[0] == ("Bearer secret-token", {"to": "+85290000001", "text": "Reminder\n10:00"})


def test_a_configured_rate_paces_one_sender(small_programme, smtp, monkeypatch):
    import time

    for n in range(5):
        register(small_programme, n)
    monkeypatch.setattr(services, "RATE", 20.0)
    send_to_all(small_programme)
    start = time.monotonic()
    assert services.pump()["sent"] == 5
    assert time.monotonic() - start >= 4 / 20


def test_a_message_that_cannot_be_composed_fails_alone(small_programme, smtp):
    register(small_programme, 1)
    register(small_programme, 2)
    message = send_to_all(small_programme)
    broken = Delivery.objects.filter(message=message).order_by("id").first()
    # Text that never went through the checks (written to the database directly) cannot be composed.
    Message.objects.filter(pk=message.pk).update(body_en="{name")
    result = services.pump()
    assert result["failed"] == 2 and result["sent"] == 0
    broken.refresh_from_db()
    assert broken.state == "failed" and broken.last_error.startswith("could not compose")
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_each_copy_carries_the_message_id_fixed_before_it_was_handed_over(small_programme, smtp):
    register(small_programme, 1)
    message = send_to_all(small_programme)
    Message.objects.filter(pk=message.pk).update(state="sending")  # what pump() does first
    token, taken = services._take(10)  # a sender takes the batch ...
    (delivery,) = taken
    assert delivery.state == "sending" and delivery.lease == token
    assert delivery.message_id_header.startswith(f"<plenary.{delivery.pk}.{message.pk}@")
    assert delivery.message_id_header.endswith(">")
    # ... and dies before it records anything. While its lease lasts, nobody else takes the delivery.
    assert services._take(10) == ("", [])
    assert services.pump()["sent"] == 0 and smtp.messages == []
    # Its lease ends: the next sender sends it, with the same Message-ID.
    Delivery.objects.filter(pk=delivery.pk).update(leased_until=timezone.now() - timedelta(seconds=1))
    assert services.pump()["sent"] == 1
    (received,) = smtp.messages
    assert received["Message-ID"] == delivery.message_id_header
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.lease) == ("sent", 1, "")
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_a_retry_goes_with_the_same_message_id(small_programme, smtp):
    register(small_programme, 2, email="busy@example.org")
    send_to_all(small_programme)
    services.pump()
    first = Delivery.objects.get()
    assert first.state == "retrying" and first.message_id_header
    smtp.busy = False
    Delivery.objects.filter(pk=first.pk).update(next_attempt_at=timezone.now())
    services.pump()
    (received,) = smtp.messages
    assert received["Message-ID"] == first.message_id_header


def test_outcomes_are_written_in_few_statements(small_programme, smtp, monkeypatch):
    """The sender writes the sent ones with one UPDATE per FLUSH_EVERY messages, not one per message
    (load-independent: counts statements, not seconds; the rate is measured by `plenary bench messaging`)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plenary.registrations.models import Registration

    Registration.objects.bulk_create(
        Registration(programme=small_programme, email=f"p{n}@example.org", name_en=f"P {n}")
        for n in range(40)
    )
    monkeypatch.setattr(services, "FLUSH_EVERY", 10)
    message = send_to_all(small_programme)
    with CaptureQueriesContext(connection) as queries:
        assert services.pump()["sent"] == 40
    updates = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("UPDATE")]
    pages = [sql for sql in updates if "page_version" in sql]
    # the scheduled → sending update, the take, four flushes of ten, the message marked sent; with each
    # flush, one UPDATE raising the recipients' private-page version (their page lists the message)
    assert len(updates) - len(pages) <= 7, updates
    assert len(pages) == 4, pages
    assert len(queries.captured_queries) < 24, [q["sql"][:80] for q in queries.captured_queries]
    assert len(smtp.messages) == 40
    assert len({m["Message-ID"] for m in smtp.messages}) == 40
    assert Delivery.objects.filter(message=message, state="sent").count() == 40
