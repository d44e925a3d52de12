"""Channels behind one interface: each takes a batch of outgoing messages and says, for each, whether it
went (``SENT``), may go later (``RETRY``: a 4xx answer, a dropped connection) or never will (``FAILED``:
a permanent 5xx answer). Email goes through Django's mail backend (``EMAIL_URL``); SMS through a file
backend (``PLENARY_SMS_URL`` unset) written under the data directory.
"""

from __future__ import annotations

import contextlib
import json
import smtplib
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

SENT, RETRY, FAILED = "sent", "retry", "failed"


@dataclass
class Outgoing:
    key: int  # the delivery's id
    address: str
    subject: str
    body: str
    attachments: list[tuple[str, bytes, str]] = field(default_factory=list)
    # The delivery's fixed Message-ID (email) or idempotency key (SMS): the same on every copy sent.
    message_id: str = ""


@dataclass
class Outcome:
    state: str
    error: str = ""


class EmailChannel:
    name = "email"

    @staticmethod
    def address(registration) -> str:
        return registration.email

    def send(self, batch: list[Outgoing]) -> Iterator[tuple[int, Outcome]]:
        """Yields each message's outcome as soon as the server answers it (the caller records it at once:
        a sender killed mid-batch leaves at most the message in flight unrecorded)."""
        connection = get_connection()
        try:
            connection.open()
        except (OSError, smtplib.SMTPException) as error:
            for item in batch:
                yield item.key, Outcome(RETRY, f"connection: {error}"[:500])
            return
        try:
            for item in batch:
                message = EmailMultiAlternatives(
                    item.subject,
                    item.body,
                    to=[item.address],
                    connection=connection,
                    headers={"Message-ID": item.message_id} if item.message_id else None,
                )
                for name, content, mimetype in item.attachments:
                    message.attach(name, content, mimetype)
                yield item.key, self._send_one(connection, message, item.address)
        finally:
            with contextlib.suppress(Exception):  # a connection already gone is closed enough
                connection.close()

    @staticmethod
    def _send_one(connection, message, address: str) -> Outcome:
        try:
            connection.send_messages([message])
        except smtplib.SMTPRecipientsRefused as error:
            code, text = next(iter(error.recipients.values()), (451, b""))
            return _by_code(code, text)
        except smtplib.SMTPResponseException as error:
            return _by_code(error.smtp_code, error.smtp_error)
        except (OSError, smtplib.SMTPException) as error:
            # The connection broke: reopen it for the rest and try this one again later.
            try:
                connection.close()
                connection.open()
            except (OSError, smtplib.SMTPException):
                pass
            return Outcome(RETRY, str(error)[:500])
        return Outcome(SENT)


def _by_code(code: int, text) -> Outcome:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    error = f"{code} {text}"[:500]
    return Outcome(FAILED if 500 <= code < 600 else RETRY, error)


class SmsChannel:
    """Text messages: to an HTTP gateway (``PLENARY_SMS_URL``, ``PLENARY_SMS_TOKEN``), or written one JSON
    object a line under ``<data dir>/sms/`` (the file backend, when no gateway is set)."""

    name = "sms"

    @staticmethod
    def address(registration) -> str:
        return registration.phone

    def send(self, batch: list[Outgoing]) -> Iterator[tuple[int, Outcome]]:
        if getattr(settings, "PLENARY_SMS_URL", ""):
            yield from self._gateway(
                batch, settings.PLENARY_SMS_URL, getattr(settings, "PLENARY_SMS_TOKEN", "")
            )
            return
        folder = Path(getattr(settings, "PLENARY_SMS_FILE_PATH", "") or settings.DATA_DIR / "sms")
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / f"{timezone.now():%Y%m%d}.jsonl", "a", encoding="utf-8") as out:
            for item in batch:
                if not item.address:
                    yield item.key, Outcome(FAILED, "no phone number")
                    continue
                out.write(json.dumps(_payload(item), ensure_ascii=False) + "\n")
                out.flush()
                yield item.key, Outcome(SENT)

    @staticmethod
    def _gateway(batch: list[Outgoing], url: str, token: str) -> Iterator[tuple[int, Outcome]]:
        """2xx: sent; 429, 5xx or no answer: try again later; any other 4xx: failed for good. Each text
        carries its delivery's key (``Idempotency-Key``), the same when it is sent again, so a gateway
        that deduplicates sends it once."""
        if not url.startswith(("http://", "https://")):
            raise ValueError("PLENARY_SMS_URL must be an http(s) URL")
        for item in batch:
            if not item.address:
                yield item.key, Outcome(FAILED, "no phone number")
                continue
            request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
                url,
                data=json.dumps(_payload(item), ensure_ascii=False).encode(),
                headers={
                    "Content-Type": "application/json",
                    "Authorization": f"Bearer {token}",
                    **({"Idempotency-Key": item.message_id} if item.message_id else {}),
                },
                method="POST",
            )
            try:
                with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
                    response.read()
                yield item.key, Outcome(SENT)
            except urllib.error.HTTPError as error:
                permanent = 400 <= error.code < 500 and error.code != 429
                yield item.key, Outcome(FAILED if permanent else RETRY, f"{error.code} {error.reason}"[:500])
            except OSError as error:
                yield item.key, Outcome(RETRY, f"gateway: {error}"[:500])


def _text(item: Outgoing) -> str:
    return f"{item.subject}\n{item.body}".strip()


def _payload(item: Outgoing) -> dict[str, str]:
    payload = {"to": item.address, "text": _text(item)}
    if item.message_id:
        payload["id"] = item.message_id
    return payload


CHANNELS = {"email": EmailChannel, "sms": SmsChannel}


def channel(name: str):
    return CHANNELS[name]()
