"""A small programme with its people, and a real SMTP server that answers 250, 451 or 550 by address."""

from __future__ import annotations

import socket

import pytest

from plenary.registrations import services as registrations
from tests.registrations.conftest import (  # noqa: F401 - fixtures shared with registrations
    Inbox,
    applicant,
    hybrid,
    make_programme,
    people,
    small_programme,
    text_of,
)


class PickyInbox(Inbox):
    """Accepts mail, except: addresses starting with "busy" get 451 (try later), "gone" get 550."""

    def __init__(self):
        super().__init__()
        self.refusals: list[tuple[str, int]] = []
        self.busy = True  # 451 while true

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("busy") and self.busy:
            self.refusals.append((address, 451))
            return "451 4.3.0 Mailbox busy, try again later"
        if address.startswith("gone"):
            self.refusals.append((address, 550))
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = PickyInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def register(programme, n: int, mode: str = "online", email: str | None = None, **extra):
    return registrations.register(
        programme,
        registrations.Applicant(
            email=email or f"person{n}@example.org",
            name_en=f"Person {n}",
            name_zh=f"參加者{n}",
            preferred_mode=mode,
            consent_pics=True,
            **extra,
        ),
    )


def lecture(programme):
    return programme.sessions.get(mode="online")
