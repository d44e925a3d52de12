"""SMS consent and channel choice (issue 15): the form's separate, unticked SMS consent recorded with its
wording version; given and withdrawn on the private page; messages and reminders by email, SMS or both,
SMS only to people with a mobile number AND consent, delivered through the file backend and through an
HTTP gateway (a local stand-in server this test starts)."""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.test import Client
from django.utils import timezone

from plenary.messaging import services
from plenary.messaging.errors import MessageRefused
from plenary.messaging.models import Delivery, Message
from plenary.registrations import services as registrations
from plenary.registrations.models import ConsentRecord, Registration
from tests.messaging.conftest import lecture, register
from tests.registrations.conftest import fresh_rate_limits  # noqa: F401 - a fixture
from tests.registrations.test_pages import form_data

pytestmark = pytest.mark.django_db

TEXT = {"subject": ("Hello {name}", "你好 {name}"), "body": ("See {private_url}", "請看 {private_url}")}


def sms_lines(folder) -> list[dict]:
    return [
        json.loads(line) for path in sorted(folder.glob("*.jsonl")) for line in path.read_text().splitlines()
    ]


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.PLENARY_SMS_URL = ""
    settings.PLENARY_SMS_FILE_PATH = str(tmp_path / "sms")
    return tmp_path / "sms"


@pytest.mark.usefixtures("fresh_rate_limits")
def test_the_form_records_the_sms_consent_separately_with_its_wording_version(small_programme):
    client = Client()
    url = f"/p/{small_programme.slug}/register/"
    page = client.get(url).content.decode()
    assert 'name="sms_opt_in"' in page and 'name="sms_opt_in" checked' not in page  # offered, unticked
    assert "by SMS to your mobile number only if you agree" in page  # the statement says it
    client.post(url, form_data(small_programme, 1, phone="+852 9123 4567", sms_opt_in="on"))
    client.post(url, form_data(small_programme, 2, phone="+852 9123 0002"))
    yes = Registration.objects.get(email="person1@example.org")
    no = Registration.objects.get(email="person2@example.org")
    assert (yes.sms_opt_in, no.sms_opt_in) == (True, False)
    record = ConsentRecord.objects.get(registration=yes, kind=ConsentRecord.Kind.SMS)
    assert (record.given, record.wording_version) == (True, registrations.SMS_WORDING_VERSION)
    assert ConsentRecord.objects.get(registration=no, kind="sms").given is False
    assert ConsentRecord.objects.get(registration=yes, kind="pics").wording_version == "pics-2026-3"
    # SMS ticked without a number, or with something that is no number: refused, nothing stored.
    for phone, words in (("", "Give your mobile number to receive SMS"), ("call me", "digits only")):
        answer = client.post(url, form_data(small_programme, 3, phone=phone, sms_opt_in="on"))
        assert answer.status_code == 200 and words in answer.content.decode()
    assert not Registration.objects.filter(email="person3@example.org").exists()
    # The HKID guard covers the number too.
    answer = client.post(url, form_data(small_programme, 4, phone="A123456(7)", sms_opt_in="on"))
    assert "identity card number" in answer.content.decode()


def test_the_person_gives_and_withdraws_sms_on_the_private_page(small_programme):
    person = register(small_programme, 1, phone="+852 9123 4567")
    client = Client()
    assert "Send me SMS too" in client.get(f"/me/{person.token}/").content.decode()
    client.post(f"/me/{person.token}/consent/", {"kind": "sms", "given": "yes"})
    person.refresh_from_db()
    assert person.sms_opt_in
    assert "Stop SMS" in client.get(f"/me/{person.token}/").content.decode()
    client.post(f"/me/{person.token}/consent/", {"kind": "sms", "given": "no"})
    person.refresh_from_db()
    assert not person.sms_opt_in
    history = person.consents.filter(kind="sms").order_by("id").values_list("given", "wording_version")
    assert list(history) == [(False, "sms-2026-1"), (True, "sms-2026-1"), (False, "sms-2026-1")]
    # Without a mobile number there is nothing to agree to.
    nobody = register(small_programme, 2)
    answer = client.post(f"/me/{nobody.token}/consent/", {"kind": "sms", "given": "yes"}, follow=True)
    assert "Give your mobile number first" in answer.content.decode()
    nobody.refresh_from_db()
    assert not nobody.sms_opt_in and not nobody.consents.filter(kind="sms", given=True).exists()


def test_sms_goes_only_to_people_with_a_number_and_consent(small_programme, smtp, sms_file):
    agreed = register(small_programme, 1, phone="+852 9000 0001", sms_opt_in=True)
    register(small_programme, 2, phone="+852 9000 0002", news_opt_in=True)  # a number, no consent
    Registration.objects.filter(pk=register(small_programme, 3).pk).update(sms_opt_in=True)  # no number
    message = services.compose(small_programme, **TEXT, channel="both")
    assert message.recipients == 3
    assert sorted(Delivery.objects.filter(message=message).values_list("channel", "address")) == [
        ("email", "person1@example.org"),
        ("email", "person2@example.org"),
        ("email", "person3@example.org"),
        ("sms", "+852 9000 0001"),
    ]
    assert services.pump()["sent"] == 4
    assert sorted(m["To"] for m in smtp.messages) == [f"person{n}@example.org" for n in (1, 2, 3)]
    (line,) = sms_lines(sms_file)
    assert line["to"] == "+852 9000 0001" and line["text"].startswith("Hello Person 1")
    assert f"/me/{agreed.token}/" in line["text"]
    sms = Delivery.objects.get(message=message, channel="sms")
    assert sms.state == "sent" and line["id"] == sms.message_id_header
    assert "Hello Person 1 (SMS)" in Client().get(f"/me/{agreed.token}/").content.decode()  # both listed
    # SMS only, to recipients none of whom agreed: refused before anything is queued.
    before = Message.objects.count()
    with pytest.raises(MessageRefused, match="agreed to SMS"):
        services.compose(small_programme, **TEXT, channel="sms", segment={"news_opt_in": True})
    with pytest.raises(MessageRefused, match="Send by must be one of"):
        services.compose(small_programme, **TEXT, channel="pigeon")
    assert Message.objects.count() == before


def test_a_consent_withdrawn_after_queueing_stops_the_text(small_programme, smtp, sms_file):
    from plenary.privacy import services as privacy

    person = register(small_programme, 1, phone="+852 9000 0001", sms_opt_in=True)
    message = services.compose(
        small_programme, **TEXT, channel="sms", send_at=timezone.now() + timedelta(hours=1)
    )
    assert Delivery.objects.filter(message=message, channel="sms").count() == 1
    privacy.set_consent(person, ConsentRecord.Kind.SMS, False)
    Message.objects.filter(pk=message.pk).update(send_at=timezone.now())
    Delivery.objects.filter(message=message).update(next_attempt_at=timezone.now())
    services.pump()
    assert sms_lines(sms_file) == [] and smtp.messages == []
    assert not Delivery.objects.filter(message=message).exists()
    assert Message.objects.get(pk=message.pk).state == "sent"


def test_a_reminder_rule_by_sms_and_email_through_the_http_gateway(small_programme, smtp, settings):
    received = []

    class Gateway(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append((self.headers["Authorization"], self.headers["Idempotency-Key"], body))
            self.send_response(202)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.PLENARY_SMS_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.PLENARY_SMS_TOKEN = "gateway-token"
    try:
        session = lecture(small_programme)
        session.starts_at = timezone.now() + timedelta(minutes=30)
        session.ends_at = session.starts_at + timedelta(hours=1)
        session.save()
        services.set_reminder_rules(small_programme, [{"offset_minutes": 60, "channel": "both"}])
        register(small_programme, 1, phone="+85290000001", sms_opt_in=True, language="zh-hant")
        register(small_programme, 2, phone="+85290000002")
        result = services.sweep()
    finally:
        server.shutdown()
        server.server_close()
    assert result["sent"] == 3  # two emails, one text
    (call,) = received
    sms = Delivery.objects.get(channel="sms")
    assert call[0] == "Bearer gateway-token" and call[1] == sms.message_id_header
    assert call[2]["to"] == "+85290000001" and call[2]["id"] == sms.message_id_header
    assert session.title_zh in call[2]["text"] or session.title_en in call[2]["text"]
    assert "/j/" in call[2]["text"]  # their own join link
    assert Message.objects.get(session=session).channel == "both"


def test_the_composer_chooses_the_channel_and_previews_how_many_get_sms(
    small_programme, people, smtp, sms_file
):
    register(small_programme, 1, phone="+852 9000 0001", sms_opt_in=True)
    register(small_programme, 2, phone="+852 9000 0002")
    client = Client()
    client.force_login(people["organiser"])
    url = f"/manage/p/{small_programme.slug}/messages/new/"
    form = {"subject_en": "News", "subject_zh": "", "body_en": "Hello {name}", "body_zh": ""}
    page = client.post(url, {**form, "channel": "both", "action": "preview"}).content.decode()
    assert "1 of them also by SMS" in page
    page = client.post(url, {**form, "channel": "sms", "action": "preview"}).content.decode()
    assert "By SMS: 1 of them" in page
    response = client.post(url, {**form, "channel": "sms", "action": "send"})
    message = Message.objects.get()
    assert response.status_code == 302 and message.channel == "sms"
    assert list(Delivery.objects.values_list("channel", "address")) == [("sms", "+852 9000 0001")]
    services.pump()
    detail = client.get(response["Location"]).content.decode()
    assert 'id="count-sms">1 sent of 1<' in detail
    assert smtp.messages == [] and len(sms_lines(sms_file)) == 1


def test_an_hkid_number_in_a_message_or_a_reminder_text_is_refused(small_programme):
    register(small_programme, 1, phone="+852 9000 0001", sms_opt_in=True)
    with pytest.raises(MessageRefused, match="identity card number"):
        services.compose(
            small_programme, subject=("Hello", ""), body=("Your ID A123456(7)", ""), channel="both"
        )
    with pytest.raises(MessageRefused, match="identity card number"):
        services.set_reminder_rules(small_programme, [{"offset_minutes": 60, "body": "Ｚ６８３３６５（５）"}])
    assert not Message.objects.exists()


def test_removing_the_mobile_number_withdraws_the_sms_consent(small_programme):
    person = register(small_programme, 1, phone="+852 9123 4567", sms_opt_in=True)
    client = Client()
    client.post(f"/me/{person.token}/details/", {"name_en": "Person 1", "name_zh": "參加者1", "phone": ""})
    person.refresh_from_db()
    assert (person.phone, person.sms_opt_in) == ("", False)
    assert list(person.consents.filter(kind="sms").order_by("id").values_list("given", flat=True)) == [
        True,
        False,
    ]
