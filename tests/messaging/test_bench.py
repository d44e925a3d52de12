"""`plenary bench messaging` selects, queues and sends through a real local SMTP server, and leaves nothing."""

import pytest

from plenary.messaging.models import Delivery, Message
from plenary.site.bench import messaging as bench

pytestmark = pytest.mark.django_db


def test_bench_queues_everyone_and_sends_through_smtp(capsys):
    bench.run(["--recipients", "300", "--send", "40"])
    output = capsys.readouterr().out
    assert "select and queue: 300 recipients" in output
    assert "send: 40 handed to a local SMTP server" in output
    assert (Message.objects.count(), Delivery.objects.count()) == (0, 0)
