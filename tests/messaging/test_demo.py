"""The demo step: reminder rules and a delivered thank-you message, once however often it runs."""

import random

import pytest

from plenary.messaging.models import Delivery, Message, ReminderRule
from plenary.registrations.models import Registration
from plenary.site.demo import DemoContext
from plenary.site.demo import messaging as demo

pytestmark = pytest.mark.django_db


def test_demo_records_a_delivered_message_idempotently(reference_programme, agencies, smtp):
    Registration.objects.bulk_create(
        Registration(programme=reference_programme, email=f"r{n}@example.org", name_en=f"R {n}")
        for n in range(30)
    )
    for _ in range(2):
        demo.load(DemoContext(programme=reference_programme, rng=random.Random(1), registrants=30, seed=1))
    message = Message.objects.get()
    assert (message.state, message.recipients) == ("sent", 30)
    assert Delivery.objects.filter(message=message, state="sent").count() == 30
    assert message.send_at > reference_programme.sessions.order_by("-ends_at").first().ends_at
    assert sorted(ReminderRule.objects.values_list("offset_minutes", flat=True)) == [60, 1440]
    assert smtp.messages == []  # history, not mail
