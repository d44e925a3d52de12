"""Signed statements that let anyone verify a certificate without the network (Ed25519).

A certificate's QR code carries ``<verify URL>#<statement>``. Two formats verify:

- **Version 2** (issued now): the statement is binary, ``2 · key id (6 bytes) · issued (days since
  2000-01-01, 2 bytes) · serial · name_en · name_zh · programme · hours`` (each text a length byte and UTF-8)
  followed by the 64-byte signature of everything before it; the whole, read as one big-endian number, is
  written in decimal digits. Digits go into a QR code's numeric mode at 3.3 bits each, where base64url text
  took 8 bits per 6: with the JSON's quotes and the text key id and date gone too, a certificate's code is a
  version 11 or 12 instead of 14 (``certificates/qr.py`` encodes it).
- **Version 1** (issued before): base64url of the compact JSON
  ``[1, serial, name_en, name_zh, programme, hours, issued (YYYY-MM-DD), key id]``, ``.``, base64url of the
  signature over those bytes. Still verified, so certificates already printed keep working.

Keys live in ``<data dir>/certificate-keys.json``: the signing key (made on first use, or taken from
``PLENARY_CERTIFICATE_KEY``, a base64url 32-byte Ed25519 seed) and every earlier public key, so
certificates signed before a rotation still verify. Key ids are the first 8 base64url characters of the
public key's SHA-256. The public keys are published at ``/.well-known/plenary-certificate-keys.json``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from plenary.core.errors import DomainError

VERSION = 2
ENV_KEY = "PLENARY_CERTIFICATE_KEY"
PROGRAMME_CHARS = 80  # a long title is cut in the statement so the QR code stays small
PROGRAMME_BYTES = 80  # version 2: the title's first UTF-8 bytes (whole characters), for the same reason
EPOCH = date(2000, 1, 1)
SIGNATURE_BYTES = 64


class StatementError(DomainError):
    """A QR statement that is malformed, signed by an unknown key, or altered."""

    status = 400


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def key_id(public: bytes) -> str:
    return b64(hashlib.sha256(public).digest())[:8]


def _raw_public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


@dataclass
class Keyring:
    signing: Ed25519PrivateKey
    signing_id: str
    public: dict[str, dict]  # key id -> {"public_key", "created", "retired"}


def key_file() -> Path:
    return Path(settings.DATA_DIR) / "certificate-keys.json"


def _write(path: Path, document: dict) -> None:
    """Atomically, readable by the owner only (the file holds the signing key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".certificate-keys-")
    with os.fdopen(handle, "w") as out:
        json.dump(document, out, indent=1)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _new_document() -> dict:
    key = Ed25519PrivateKey.generate()
    public = _raw_public(key)
    kid = key_id(public)
    return {
        "signing": {"key_id": kid, "private_key": b64(_raw_private(key))},
        "keys": [{"key_id": kid, "public_key": b64(public), "created": _now(), "retired": None}],
    }


_cache: dict = {}


def keyring() -> Keyring:
    """The keys, read once per process and again whenever the file changes (a rotation elsewhere)."""
    path = key_file()
    env = os.environ.get(ENV_KEY, "").strip()
    try:
        stamp = path.stat().st_mtime_ns
    except FileNotFoundError:
        stamp = None
    cached = _cache.get("ring")
    if cached and _cache.get("stamp") == (str(path), stamp, env):
        return cached
    if stamp is None:
        document = _new_document() if not env else {"signing": None, "keys": []}
        try:
            # Several processes may start at once: the first file written wins, the others read it.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            document = json.loads(path.read_text())
        except FileNotFoundError:
            path.parent.mkdir(parents=True, exist_ok=True)
            _write(path, document)
        else:
            with os.fdopen(fd, "w") as out:
                json.dump(document, out, indent=1)
    else:
        document = json.loads(path.read_text())
    if env:
        signing = Ed25519PrivateKey.from_private_bytes(unb64(env))
        kid = key_id(_raw_public(signing))
        if kid not in {entry["key_id"] for entry in document["keys"]}:
            # A key from the environment is published too, and stays published after it changes.
            for entry in document["keys"]:
                entry["retired"] = entry["retired"] or _now()
            document["keys"].append(
                {"key_id": kid, "public_key": b64(_raw_public(signing)), "created": _now(), "retired": None}
            )
            _write(path, document)
    else:
        if not document.get("signing"):
            # The key came from the environment and no longer does: a new key of our own, the others kept.
            fresh = _new_document()
            for entry in document["keys"]:
                entry["retired"] = entry["retired"] or _now()
            document["keys"].extend(fresh["keys"])
            document["signing"] = fresh["signing"]
            _write(path, document)
        signing = Ed25519PrivateKey.from_private_bytes(unb64(document["signing"]["private_key"]))
        kid = document["signing"]["key_id"]
        # Back from a key in the environment to the file's own: that one is in use, every other is retired.
        changed = False
        for entry in document["keys"]:
            wanted = None if entry["key_id"] == kid else (entry["retired"] or _now())
            if entry["retired"] != wanted:
                entry["retired"], changed = wanted, True
        if changed:
            _write(path, document)
    ring = Keyring(
        signing=signing,
        signing_id=kid,
        public={entry["key_id"]: entry for entry in document["keys"]},
    )
    _cache.update(ring=ring, stamp=(str(path), path.stat().st_mtime_ns, env))
    return ring


def rotate() -> str:
    """A new signing key; the old public keys stay published. Returns the new key id."""
    if os.environ.get(ENV_KEY, "").strip():
        raise StatementError(
            _("The signing key comes from %(variable)s: set a new value there to rotate it.")
            % {"variable": ENV_KEY}
        )
    keyring()  # makes the file if there is none yet
    path = key_file()
    document = json.loads(path.read_text())
    fresh = _new_document()
    for entry in document["keys"]:
        entry["retired"] = entry["retired"] or _now()
    document["keys"].extend(fresh["keys"])
    document["signing"] = fresh["signing"]
    _write(path, document)
    _cache.clear()
    return fresh["signing"]["key_id"]


def published() -> dict:
    """The public document served at /.well-known/plenary-certificate-keys.json."""
    ring = keyring()
    return {
        "algorithm": "Ed25519",
        "statement": "2 key_id[6] issued_days[2] serial name_en name_zh programme hours (length-prefixed "
        "UTF-8), signature[64], as one big-endian number in decimal digits; earlier: base64url(JSON "
        "[version, serial, name_en, name_zh, programme, hours, issued, key_id]).base64url(signature)",
        "signing_key_id": ring.signing_id,
        "keys": [
            {
                "key_id": kid,
                "public_key": entry["public_key"],
                "created": entry["created"],
                "retired": entry["retired"],
            }
            for kid, entry in ring.public.items()
        ],
    }


def _cut(text: str, limit: int) -> bytes:
    """At most ``limit`` UTF-8 bytes of ``text``, never half a character."""
    data = text.encode()
    return data if len(data) <= limit else data[:limit].decode("utf-8", "ignore").encode()


def statement(
    *,
    serial: str,
    name_en: str,
    name_zh: str,
    programme: str,
    hours: str,
    issued: str,
    version: int = VERSION,
) -> str:
    """The signed statement for the QR code's URL fragment (version 2 digits; version 1 on request)."""
    ring = keyring()
    if version == 1:
        payload = json.dumps(
            [1, serial, name_en, name_zh, programme[:PROGRAMME_CHARS], hours, issued, ring.signing_id],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        return f"{b64(payload)}.{b64(ring.signing.sign(payload))}"
    days = (date.fromisoformat(issued) - EPOCH).days
    texts = [
        serial.encode(),
        name_en.encode(),
        name_zh.encode(),
        _cut(programme, PROGRAMME_BYTES),
        hours.encode(),
    ]
    if not 0 <= days < 65536 or any(len(text) > 255 for text in texts):
        raise StatementError(_("This certificate's details do not fit in a statement."))
    payload = bytes([2]) + unb64(ring.signing_id) + days.to_bytes(2, "big")
    payload += b"".join(bytes([len(text)]) + text for text in texts)
    return str(int.from_bytes(payload + ring.signing.sign(payload), "big"))


FIELDS = ("version", "serial", "name_en", "name_zh", "programme", "hours", "issued", "key_id")


def _not_a_statement() -> StatementError:
    return StatementError(_("This is not a certificate statement."))


def _read_v2(digits: str) -> tuple[dict, bytes, bytes]:
    if len(digits) > 2000:
        raise _not_a_statement()
    number = int(digits)
    data = number.to_bytes(max(1, (number.bit_length() + 7) // 8), "big")
    payload, signature = data[:-SIGNATURE_BYTES], data[-SIGNATURE_BYTES:]
    if len(payload) < 9 or payload[0] != 2:
        raise _not_a_statement()
    texts, at = [], 9
    for _field in range(5):
        if at >= len(payload) or at + 1 + payload[at] > len(payload):
            raise _not_a_statement()
        texts.append(payload[at + 1 : at + 1 + payload[at]].decode("utf-8"))
        at += 1 + payload[at]
    if at != len(payload):
        raise _not_a_statement()
    issued = (EPOCH + timedelta(days=int.from_bytes(payload[7:9], "big"))).isoformat()
    serial, name_en, name_zh, programme, hours = texts
    values = [2, serial, name_en, name_zh, programme, hours, issued, b64(payload[1:7])]
    return dict(zip(FIELDS, values, strict=True)), payload, signature


def _read_v1(token: str) -> tuple[dict, bytes, bytes]:
    payload_text, signature_text = token.split(".")
    payload, signature = unb64(payload_text), unb64(signature_text)
    values = json.loads(payload)
    if not isinstance(values, list) or len(values) != len(FIELDS) or values[0] != 1:
        raise _not_a_statement()
    return dict(zip(FIELDS, values, strict=True)), payload, signature


def verify(token: str) -> dict:
    """The statement's fields if the signature is good under a published key; StatementError otherwise."""
    token = token.strip()
    if "#" in token:
        token = token.rsplit("#", 1)[1]
    try:
        fields, payload, signature = (
            _read_v2(token) if token.isdigit() and token.isascii() else _read_v1(token)
        )
    except (ValueError, TypeError, OverflowError) as error:
        raise _not_a_statement() from error
    entry = keyring().public.get(fields["key_id"])
    if entry is None:
        raise StatementError(_("The statement is signed by a key Plenary never published: it is forged."))
    try:
        Ed25519PublicKey.from_public_bytes(unb64(entry["public_key"])).verify(signature, payload)
    except (InvalidSignature, ValueError) as error:
        raise StatementError(
            _("The signature does not match the statement: it is forged or altered.")
        ) from error
    return fields
