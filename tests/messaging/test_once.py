"""A job that mails a list (evaluation links, speakers' slots) and is run again after it died mid-way sends
each email once (issue 14): what the mail server accepted is recorded, and the run again skips it. Against a
real SMTP server that drops the connection after a few messages, as a dying worker would leave it."""

from __future__ import annotations

import socket

import pytest

from plenary.engagement import mail as survey_mail
from plenary.engagement import services as engagement
from plenary.messaging import once
from plenary.messaging.models import SentMail
from tests.messaging.conftest import lecture, register
from tests.registrations.conftest import Inbox


class DyingInbox(Inbox):
    """Accepts ``budget`` messages, then answers 421 and closes the connection (the server going away)."""

    def __init__(self, budget: int):
        super().__init__()
        self.budget = budget

    async def handle_DATA(self, server, session, envelope):
        if self.budget <= 0:
            return "421 4.3.2 Service shutting down"
        self.budget -= 1
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def dying_smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = DyingInbox(budget=3)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


@pytest.mark.django_db
def test_evaluation_links_run_again_after_a_failure_send_each_person_once(dying_smtp, small_programme):
    people = [register(small_programme, n) for n in range(7)]
    session = lecture(small_programme)
    survey = engagement.ensure_survey(session)
    survey.attendees_only = False  # everyone registered may answer: no attendance needed here
    survey.save()
    job = "task:test-run"
    with pytest.raises(Exception):  # noqa: B017 - whatever Django's SMTP backend raises for a 421
        survey_mail.send_survey_links(session.pk, job=job)
    first = [message["To"] for message in dying_smtp.messages]
    assert len(first) == 3
    assert SentMail.objects.filter(job=job).count() == 3
    dying_smtp.budget = 100  # the server is back; the worker runs the job again
    assert survey_mail.send_survey_links(session.pk, job=job) == 4
    received = sorted(message["To"] for message in dying_smtp.messages)
    assert received == sorted(person.email for person in people)  # everyone once, no one twice
    ids = {message["Message-ID"] for message in dying_smtp.messages}
    assert len(ids) == 7 and all(value.startswith("<plenary.job.") for value in ids)
    # The same job once more sends nothing; another run (a new task) is a new mailing.
    assert survey_mail.send_survey_links(session.pk, job=job) == 0
    assert survey_mail.send_survey_links(session.pk, job="task:another") == 7


@pytest.mark.django_db
def test_the_message_id_is_the_same_for_the_same_job_and_row(settings):
    assert once.message_id("task:1", "registration:5") == once.message_id("task:1", "registration:5")
    assert once.message_id("task:1", "registration:5") != once.message_id("task:2", "registration:5")
    assert once.send_each_once("task:nothing", []) == 0
