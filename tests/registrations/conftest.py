"""A small programme with a hybrid session whose room and online sides are tiny, and its people."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model

from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services

HK = ZoneInfo("Asia/Hong_Kong")


def make_programme(*, room: int = 2, online: int | None = None, slug: str = "small-programme") -> Programme:
    lead = Organisation.objects.get_or_create(name_en="Test Bureau", defaults={"acronym": "TB"})[0]
    programme = Programme.objects.create(
        slug=slug,
        title_en="Small programme",
        title_zh="小型課程",
        starts_on=date(2030, 1, 10),
        ends_on=date(2030, 1, 12),
        status=Programme.Status.PUBLISHED,
        registration_open=True,
    )
    CoOrganiser.objects.create(programme=programme, organisation=lead, role=CoOrganiser.Role.LEAD)
    venue = Venue.objects.create(name_en=f"Room of {slug}", name_zh="會議室", capacity=room, owner=lead)
    Session.objects.create(
        programme=programme,
        title_en="Opening lecture",
        title_zh="開幕講座",
        kind=Session.Kind.LECTURE,
        mode=Session.Mode.ONLINE,
        starts_at=datetime(2030, 1, 10, 10, tzinfo=HK),
        ends_at=datetime(2030, 1, 10, 12, tzinfo=HK),
        online_url="https://meeting.example.org/j/1",
    )
    Session.objects.create(
        programme=programme,
        title_en="Sharing session",
        title_zh="分享會",
        kind=Session.Kind.SHARING,
        mode=Session.Mode.HYBRID,
        venue=venue,
        online_capacity=online,
        starts_at=datetime(2030, 1, 12, 14, tzinfo=HK),
        ends_at=datetime(2030, 1, 12, 17, tzinfo=HK),
        online_url="https://meeting.example.org/j/2",
    )
    return programme


@pytest.fixture
def small_programme(db):
    return make_programme()


@pytest.fixture
def people(db):
    """An organiser of the small programme's lead body, two agencies each with a coordinator."""
    User = get_user_model()
    lead = Organisation.objects.get_or_create(name_en="Test Bureau", defaults={"acronym": "TB"})[0]
    agency_a = Organisation.objects.create(name_en="Agency Alpha", name_zh="甲機構", is_member_agency=True)
    agency_b = Organisation.objects.create(name_en="Agency Beta", name_zh="乙機構", is_member_agency=True)
    organiser = User.objects.create_user("lead-organiser", password="x-pass-12345")
    coordinator_a = User.objects.create_user("coord-a", password="x-pass-12345")
    coordinator_b = User.objects.create_user("coord-b", password="x-pass-12345")
    Membership.objects.create(user=organiser, organisation=lead, role=Membership.Role.ORGANISER)
    Membership.objects.create(user=coordinator_a, organisation=agency_a, role=Membership.Role.COORDINATOR)
    Membership.objects.create(user=coordinator_b, organisation=agency_b, role=Membership.Role.COORDINATOR)
    return {
        "organiser": organiser,
        "coordinator_a": coordinator_a,
        "coordinator_b": coordinator_b,
        "agency_a": agency_a,
        "agency_b": agency_b,
    }


def applicant(n: int, mode: str = "in_person", **extra) -> services.Applicant:
    return services.Applicant(
        email=f"person{n}@example.org",
        name_en=f"Person {n}",
        name_zh=f"參加者{n}",
        preferred_mode=mode,
        **{"consent_pics": True, **extra},
    )


def hybrid(programme: Programme) -> Session:
    return programme.sessions.get(mode=Session.Mode.HYBRID)


class Inbox:
    """Messages received by a real SMTP server, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy

        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m["To"]]

    def wait_for(self, address: str, count: int = 1, timeout: float = 15.0) -> list:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.to(address)
            if len(found) >= count:
                return found
            time.sleep(0.05)
        return self.to(address)


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on a free port; Django sends to it."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
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


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def attachment_types(message) -> list[str]:
    return sorted(part.get_content_type() for part in message.iter_attachments())


@pytest.fixture
def busy_live_server(transactional_db):
    """A live server like pytest-django's, but with a listen backlog that takes a crowd at once.

    Django's development server queues only 10 connections; 32 clients connecting together overflow
    it and the kernel resets some of them, which says nothing about Plenary.
    """
    from django.core.servers.basehttp import ThreadedWSGIServer
    from django.test.testcases import LiveServerThread, _StaticFilesHandler

    class RoomyServer(ThreadedWSGIServer):
        request_queue_size = 256

    class RoomyThread(LiveServerThread):
        server_class = RoomyServer

    thread = RoomyThread("127.0.0.1", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    thread.join(timeout=10)


@pytest.fixture
def fresh_rate_limits():
    """Rate limits count in the cache: each test starts and ends with none used."""
    from django.core.cache import cache, caches

    cache.clear()
    caches["limits"].clear()
    yield
    cache.clear()
    caches["limits"].clear()
