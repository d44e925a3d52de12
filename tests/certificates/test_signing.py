"""Certificates that verify offline: signed QR statements, tampering refused, key rotation, the published
keys and revocation list, and revocation shown online at once."""

from __future__ import annotations

import base64
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from plenary.certificates import services, signing
from plenary.certificates.models import Certificate
from tests.certificates.conftest import attend_all, person

STATEMENT = {
    "serial": "PLN-2022-7QK4-M2ZD",
    "name_en": "Ho Wing Sze",
    "name_zh": "何詠詩",
    "programme": "Training workshops on the spirit of the 20th National Congress",
    "hours": "10.5",
    "issued": "2022-12-03",
}


@pytest.fixture(autouse=True)
def key_dir(settings, tmp_path, monkeypatch):
    monkeypatch.delenv(signing.ENV_KEY, raising=False)
    settings.DATA_DIR = tmp_path
    with translation.override("en"):  # a page fetched in Chinese by another test leaves its language active
        yield tmp_path


def reencode(token: str, change) -> str:
    """A version-1 statement (issued before version 2) with its JSON changed and the signature kept."""
    payload, signature = token.split(".")
    values = json.loads(signing.unb64(payload))
    change(values)
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":")).encode()
    return f"{signing.b64(text)}.{signature}"


def statement_bytes(token: str) -> bytearray:
    number = int(token)
    return bytearray(number.to_bytes((number.bit_length() + 7) // 8, "big"))


def digits(data: bytes) -> str:
    return str(int.from_bytes(data, "big"))


def test_a_statement_verifies_and_makes_a_small_qr_code(key_dir):
    from plenary.certificates import pdf, qr

    token = signing.statement(**STATEMENT)
    link = f"https://plenary.example/verify/{STATEMENT['serial']}/#{token}"
    fields = signing.verify(link)
    assert {name: fields[name] for name in STATEMENT} == STATEMENT
    assert (fields["version"], fields["key_id"]) == (2, signing.keyring().signing_id)
    assert token.isdigit()
    # Numeric mode after the link: a version 11 code, where the version-1 statement needed 14.
    assert qr.version_of(pdf.qr_segments(link)) <= 11
    old = f"https://plenary.example/verify/{STATEMENT['serial']}/#{signing.statement(**STATEMENT, version=1)}"
    assert qr.version_of(pdf.qr_segments(old)) >= 13
    assert (key_dir / "certificate-keys.json").stat().st_mode & 0o077 == 0  # the signing key is private


def test_a_long_programme_title_is_cut_on_a_character_boundary():
    title = "社會福利界學習貫徹二十大精神培訓班" * 4
    fields = signing.verify(signing.statement(**{**STATEMENT, "programme": title}))
    assert title.startswith(fields["programme"]) and len(fields["programme"].encode()) <= 80


@pytest.mark.parametrize(
    "change",
    [
        lambda values: values.__setitem__(5, "105"),  # hours
        lambda values: values.__setitem__(2, "Ho Wing Sze Jr"),  # name
        lambda values: values.__setitem__(1, "PLN-2022-AAAA-BBBB"),  # serial
    ],
)
def test_an_altered_version_1_statement_is_refused(change):
    token = reencode(signing.statement(**STATEMENT, version=1), change)
    with pytest.raises(signing.StatementError, match="forged or altered"):
        signing.verify(token)


def test_a_version_1_statement_issued_before_still_verifies():
    fields = signing.verify(signing.statement(**STATEMENT, version=1))
    assert {name: fields[name] for name in STATEMENT} == STATEMENT and fields["version"] == 1


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.__setitem__(-65, ord("6")),  # the last character of the hours: 10.5 → 10.6
        lambda data: data.__setitem__(8, data[8] + 1),  # the issue date, a day later
        lambda data: data.__setitem__(12, ord("X")),  # a character of the serial
    ],
)
def test_an_altered_version_2_statement_is_refused(change):
    data = statement_bytes(signing.statement(**STATEMENT))
    change(data)
    with pytest.raises(signing.StatementError, match="forged or altered"):
        signing.verify(digits(data))


def test_a_version_2_statement_signed_by_an_unknown_key_or_cut_short_is_refused():
    data = statement_bytes(signing.statement(**STATEMENT))
    data[1:7] = b"\0\1\2\3\4\5"
    with pytest.raises(signing.StatementError, match="never published"):
        signing.verify(digits(data))
    for garbage in ("12345", digits(bytes([2]) + bytes(70)), digits(bytes([3]) + bytes(80)), "9" * 3000):
        with pytest.raises(signing.StatementError, match="not a certificate statement"):
            signing.verify(garbage)


def test_a_bad_signature_an_unknown_key_and_garbage_are_refused():
    token = signing.statement(**STATEMENT, version=1)
    payload, signature = token.split(".")
    flipped = bytearray(signing.unb64(signature))
    flipped[0] ^= 1
    with pytest.raises(signing.StatementError, match="forged or altered"):
        signing.verify(f"{payload}.{signing.b64(bytes(flipped))}")
    with pytest.raises(signing.StatementError, match="never published"):
        signing.verify(reencode(token, lambda values: values.__setitem__(7, "AAAAAAAA")))
    for garbage in ("", "abc", "a.b.c", base64.b64encode(b"[1]").decode() + ".AA"):
        with pytest.raises(signing.StatementError):
            signing.verify(garbage)


def test_rotation_keeps_old_certificates_verifiable(key_dir):
    old_token = signing.statement(**STATEMENT)
    old_id = signing.keyring().signing_id
    call_command("certificate_keys", "rotate")
    new_id = signing.keyring().signing_id
    assert new_id != old_id
    assert signing.verify(old_token)["key_id"] == old_id
    assert signing.verify(signing.statement(**STATEMENT))["key_id"] == new_id
    keys = {key["key_id"]: key for key in signing.published()["keys"]}
    assert keys.keys() == {old_id, new_id}
    assert keys[old_id]["retired"] and not keys[new_id]["retired"]
    stored = (key_dir / "certificate-keys.json").read_text()
    assert json.loads(stored)["signing"]["key_id"] == new_id
    assert stored.count("private_key") == 1  # the retired signing key is not kept


def test_a_key_from_the_environment_signs_and_stays_published_after_it_changes(monkeypatch):
    first = signing.keyring().signing_id  # a generated key first
    seed = signing.b64(bytes(range(32)))
    monkeypatch.setenv(signing.ENV_KEY, seed)
    from_env = signing.keyring().signing_id
    assert from_env != first
    token = signing.statement(**STATEMENT)
    monkeypatch.setenv(signing.ENV_KEY, signing.b64(bytes(range(1, 33))))
    assert signing.verify(token)["key_id"] == from_env
    assert {first, from_env} < {key["key_id"] for key in signing.published()["keys"]}
    with pytest.raises(signing.StatementError, match=signing.ENV_KEY):
        signing.rotate()
    monkeypatch.delenv(signing.ENV_KEY)
    assert (
        signing.keyring().signing_id == first
    )  # back to the file's own key; the environment's stay published
    assert signing.verify(token)["key_id"] == from_env
    assert [key["retired"] is None for key in signing.published()["keys"]] == [True, False, False]


def test_issued_certificates_carry_a_statement_and_revocation_shows_at_once(reference_programme):
    sessions = list(reference_programme.sessions.filter(counts_towards_certificate=True))
    attend_all(person(reference_programme, 1, name_en="Ho Wing Sze", name_zh="何詠詩"), sessions)
    services.issue_certificates(reference_programme)
    certificate = Certificate.objects.select_related("programme").get()
    fields = signing.verify(services.holder_for(certificate).statement)
    assert (fields["serial"], fields["name_en"], fields["name_zh"]) == (
        certificate.serial,
        "Ho Wing Sze",
        "何詠詩",
    )
    assert fields["hours"] == services._hours_text(certificate.hours)

    client = Client()
    keys = client.get("/.well-known/plenary-certificate-keys.json")
    assert keys.status_code == 200 and keys["Access-Control-Allow-Origin"] == "*"
    public = keys.json()["keys"][0]["public_key"]
    page = client.get(f"/verify/{certificate.serial}/")
    assert "This certificate is valid." in page.content.decode() and public in page.content.decode()
    assert client.get("/verify/revoked.json").json()["certificates"] == []

    services.revoke(certificate, reason="Attendance record was wrong", actor=None)
    assert "has been revoked" in client.get(f"/verify/{certificate.serial}/").content.decode()
    withdrawn = client.get("/verify/revoked.json").json()["certificates"]
    assert [(item["serial"], item["state"]) for item in withdrawn] == [(certificate.serial, "revoked")]
    offline = client.get("/zh-hant/verify/offline/")
    assert offline.status_code == 200 and public in offline.content.decode()


def test_the_printed_qr_code_reads_back_as_the_link_with_a_statement_that_verifies(tmp_path):
    """The PDF rasterised (pdftoppm) and the code read by jsQR, the decoder the scanner pages use."""
    import shutil
    import subprocess
    from pathlib import Path

    from PIL import Image

    from plenary.certificates import pdf
    from plenary.site.bench.certificates import LAYOUT

    if not (shutil.which("pdftoppm") and shutil.which("node")):
        pytest.skip("needs pdftoppm and node")
    holder = pdf.Holder(
        serial=STATEMENT["serial"],
        name_en=STATEMENT["name_en"],
        name_zh=STATEMENT["name_zh"],
        hours=STATEMENT["hours"],
        sessions_attended=5,
        sessions_total=6,
        statement=signing.statement(**STATEMENT),
    )
    (tmp_path / "certificate.pdf").write_bytes(pdf.render(LAYOUT, holder))
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", tmp_path / "certificate.pdf", tmp_path / "page"],
        check=True,
    )
    page = Image.open(tmp_path / "page.png").convert("RGBA")
    corner = page.crop((page.width * 2 // 3, page.height * 5 // 6, page.width, page.height))
    (tmp_path / "corner.rgba").write_bytes(corner.tobytes())
    jsqr = Path(__file__).resolve().parents[2] / "src/plenary/core/static/vendor/jsQR.js"
    script = (
        f"const jsQR = require({json.dumps(str(jsqr))});"
        f"const data = require('fs').readFileSync({json.dumps(str(tmp_path / 'corner.rgba'))});"
        f"const code = jsQR(new Uint8ClampedArray(data), {corner.width}, {corner.height});"
        "process.stdout.write(code ? code.data : '');"
    )
    content = subprocess.run(["node", "-e", script], check=True, capture_output=True, text=True).stdout
    assert content.startswith(f"{LAYOUT.verify_base}/verify/{STATEMENT['serial']}/#")
    assert signing.verify(content)["name_zh"] == "何詠詩"
    assert content.rsplit("#", 1)[1].isdigit()  # the version-2 statement, read back from its numeric segment
