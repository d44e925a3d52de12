"""A real `plenary worker` sending a bulk message through a real SMTP server is killed (-9) mid-batch; a
fresh worker finishes. What is guaranteed, and asserted: every recipient gets the message; a second
copy reaches only someone whose delivery the kill left "sending" (the server may have accepted it just
before the kill; SMTP cannot be asked), at most ``FLUSH_EVERY`` of them; and every copy a person gets
carries the same Message-ID, fixed before it was first handed over, so that after deduplication by
Message-ID (as mail clients and mailbox stores do) each recipient has exactly one message. That no
second copy is ever transmitted is NOT guaranteed, and not asserted."""

from __future__ import annotations

import os
import signal
import time
from collections import Counter

import pytest

from plenary.messaging import services, tasks
from plenary.messaging.models import Delivery, Message
from plenary.registrations.models import Registration
from tests.certificates.test_worker_kill import DATABASE_QUEUE, start_worker
from tests.registrations.conftest import make_programme

COUNT = 300


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_batch_then_another_finishes(settings, tmp_path, smtp, monkeypatch):
    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{settings.EMAIL_PORT}")
    monkeypatch.setenv("PLENARY_MESSAGE_LEASE_SECONDS", "3")
    programme = make_programme(slug="kill-programme")
    Registration.objects.bulk_create(
        Registration(programme=programme, email=f"p{n}@example.org", name_en=f"Person {n}")
        for n in range(COUNT)
    )
    message = services.compose(programme, subject=("Hello {name}", ""), body=("Dear {name}", ""))
    assert message.recipients == COUNT
    worker = start_worker(tmp_path, "first", "--sweep-interval", "0")
    try:
        deadline = time.monotonic() + 120
        while len(smtp.messages) < 60:
            assert worker.poll() is None, (tmp_path / "first.log").read_text()
            assert time.monotonic() < deadline, "the worker sent nothing"
            time.sleep(0.05)
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    first = len(smtp.messages)
    assert first < COUNT, "the worker finished before it was killed"
    assert Message.objects.get(pk=message.pk).state == "sending"
    # What the kill left unknown: handed over or not, the database cannot tell.
    in_flight = set(
        Delivery.objects.filter(message=message, state="sending").values_list("address", flat=True)
    )

    time.sleep(3.5)  # the dead worker's lease ends
    tasks.pump_messages.enqueue()
    second = start_worker(tmp_path, "second", "--batch")
    assert second.wait(timeout=300) == 0, (tmp_path / "second.log").read_text()

    received = Counter(m["To"] for m in smtp.messages)
    assert set(received) == {f"p{n}@example.org" for n in range(COUNT)}
    twice = {address for address, n in received.items() if n > 1}
    print(f"killed after {first} accepted; {len(in_flight)} left sending; {len(twice)} received twice")
    assert twice <= in_flight, (twice - in_flight, received.most_common(3))
    assert sum(received.values()) - COUNT <= services.FLUSH_EVERY, received.most_common(3)
    # Every copy of one person's message is the same message: one Message-ID, the delivery's own.
    headers = {d.address: d.message_id_header for d in Delivery.objects.filter(message=message)}
    ids_per_person = {}
    for mail in smtp.messages:
        ids_per_person.setdefault(mail["To"], set()).add(mail["Message-ID"])
    assert all(ids == {headers[address]} for address, ids in ids_per_person.items())
    assert len(set(headers.values())) == COUNT  # and no two people share one
    assert Delivery.objects.filter(message=message, state="sent").count() == COUNT
    assert Message.objects.get(pk=message.pk).state == "sent"


@pytest.mark.django_db(transaction=True)
def test_two_real_workers_sweeping_each_minute_send_a_due_reminder_once(
    settings, tmp_path, smtp, monkeypatch
):
    from datetime import timedelta

    from django.utils import timezone

    from tests.messaging.conftest import lecture, register

    settings.TASKS = DATABASE_QUEUE
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{settings.EMAIL_PORT}")
    programme = make_programme(slug="sweep-programme")
    session = lecture(programme)
    session.starts_at = timezone.now() + timedelta(minutes=30)
    session.ends_at = session.starts_at + timedelta(hours=1)
    session.save()
    for n in range(5):
        register(programme, n)
    workers = [start_worker(tmp_path, f"sweeper-{n}", "--sweep-interval", "0.5") for n in range(2)]
    try:
        deadline = time.monotonic() + 60
        while len(reminders(smtp)) < 5 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)  # several more sweeps by both workers
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
    received = Counter(m["To"] for m in reminders(smtp))
    assert received == Counter({f"person{n}@example.org": 1 for n in range(5)}), (
        tmp_path / "sweeper-0.log"
    ).read_text()
    assert Delivery.objects.filter(state="sent").count() == 5
    assert Message.objects.get(session=session).offset_minutes == 60


def reminders(smtp) -> list:
    """The reminders received (the workers also send the registration emails queued for them)."""
    return [m for m in smtp.messages if m["Subject"].startswith("Reminder")]
