"""Nothing English or coded is left in the Chinese product (issue 18).

Every page each kind of visitor reaches in Traditional Chinese (the crawler of test_crawl.py, from the
demo), every export linked from those pages (CSV and XLSX), the console's certificate preview (PDF, read
back with pdftotext) and every email a Chinese-reading person receives (registration emails, reminders
and messages, the certificate email) are read for:

- raw codes: the stored value of any model field's choices (``waitlisted``, ``in_person``,
  ``meeting_report``) and the words True / False;
- English field names: model fields written as code (``body_en``, ``min_percent``);
- English sentences of the catalogue: a translated message (msgid) that shows verbatim, as happens when a
  text is translated at import time, stored in English, or built outside gettext.

Names, addresses and other data people typed are theirs and are not judged: emails, links, ``{placeholders}``
and form fields' contents (an English field of a bilingual form holds English on purpose) are taken out
of the text before it is read, and so are what people wrote (reflections, evaluation answers), user
names, and the audit log's record of what an object was called and what was done, kept as written at the
time (an English entry stays English: a log is not rewritten).
"""

from __future__ import annotations

import csv
import html
import io
import re
import shutil
import subprocess
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import translation

from plenary.registrations.spreadsheets import COLUMNS
from tests.core.test_crawl import crawl

pytestmark = pytest.mark.django_db

EXPORT_LINK = re.compile(r'href="(/zh-hant/[^"]*\.(?:csv|xlsx)(?:\?[^"]*)?)"')
ADDRESS = re.compile(r"(?:https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+|/zh-hant/\S*|/me/\S*|/p/\S*|\{\w+\})")
HIDDEN = re.compile(r"<(script|style|textarea|code|pre|template)\b[^>]*>.*?</\1>", re.S)


@pytest.fixture(autouse=True)
def english_afterwards():
    """A Chinese page leaves Chinese active in this thread: later tests expect English."""
    yield
    translation.activate("en")


def visible_text(page: str) -> str:
    page = HIDDEN.sub(" ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))  # attributes (class names, data-*) are not shown
    return re.sub(r"\s+", " ", ADDRESS.sub(" ", text))


def raw_codes() -> set[str]:
    """Every stored value of a Plenary model field's choices that reads as a code, not as a word."""
    codes = set()
    for model in apps.get_models():
        if not model.__module__.startswith("plenary."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]{2,}", value):
                    codes.add(value)
    return codes


def field_names() -> set[str]:
    """Plenary models' field names as code (with an underscore: ``body_en``, ``starts_at``)."""
    return {
        field.name
        for model in apps.get_models()
        if model.__module__.startswith("plenary.")
        for field in model._meta.get_fields()
        if "_" in field.name.strip("_")
    }


def english_sentences() -> set[str]:
    """The English sentences of translated messages (their literal parts of three words or more)."""
    catalogue = translation.trans_real.translation("zh-hant")._catalog
    sentences = set()
    for msgid, msgstr in catalogue.items():
        if not isinstance(msgid, str) or "\x04" in msgid or msgstr == msgid:
            continue
        for part in re.split(r"%\(\w+\)[sd]|%[sd]|\{\w*\}|\n", msgid):
            part = part.strip(" :·,.–—()“”\"'")
            if len(re.findall(r"[A-Za-z]{2,}", part)) >= 3 and len(part) >= 15:
                sentences.add(part)
    return sentences


def written_by_people() -> list[str]:
    """Texts people wrote or the log recorded, longest first (so that a longer one goes out whole)."""
    from plenary.core.models import AuditEntry
    from plenary.engagement.models import Answer, Reflection

    texts = {
        *Reflection.objects.values_list("text", flat=True),
        *Answer.objects.exclude(text="").values_list("text", flat=True),
        *get_user_model().objects.values_list("username", flat=True),
        *AuditEntry.objects.values_list("object_repr", flat=True),
        *AuditEntry.objects.exclude(summary="").values_list("summary", flat=True),
    }
    return sorted((re.sub(r"\s+", " ", text).strip() for text in texts if text), key=len, reverse=True)


class Reader:
    """Reads texts and keeps what it finds, per place: everything is reported at once at the end."""

    def __init__(self) -> None:
        codes = sorted(raw_codes() | field_names() | {"True", "False"}, key=len, reverse=True)
        self.codes = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, codes)) + r")(?![\w-])")
        self.sentences = english_sentences()
        self.theirs = written_by_people()
        self.found: dict[str, set[str]] = {}
        self.read = 0

    def __call__(self, place: str, text: str) -> None:
        self.read += 1
        text = re.sub(r"\s+", " ", text)
        for theirs in self.theirs:
            if theirs in text:
                text = text.replace(theirs, " ")
        text = re.sub(r"\s+", " ", ADDRESS.sub(" ", text))
        hits = {f"code {code!r}" for code in self.codes.findall(text)}
        hits |= {f"English {sentence!r}" for sentence in self.sentences if sentence in text}
        if hits:
            self.found.setdefault(place, set()).update(hits)

    def report(self) -> str:
        return "\n".join(f"{place}: {', '.join(sorted(hits))}" for place, hits in sorted(self.found.items()))


def cells(response) -> list[str]:
    kind = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if "csv" in kind:
        return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True)
    return [
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None and not isinstance(value, int | float)
    ] + [sheet.title for sheet in workbook.worksheets]


def pdf_text(content: bytes, tmp_path) -> str:
    source = tmp_path / "page.pdf"
    source.write_bytes(content)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture
def demo(db):
    call_command("demo", registrants=60, seed=3, stdout=io.StringIO())


def read_pages_of(client, reader: Reader, starts: list[str], tmp_path, limit: int = 300) -> dict[str, int]:
    exports: set[str] = set()

    def visit(url: str, response) -> None:
        kind = response.get("Content-Type", "")
        if response.status_code != 200:
            return
        if kind.startswith("text/html"):
            page = response.content.decode()
            reader(url, visible_text(page))
            exports.update(link.replace("&amp;", "&") for link in EXPORT_LINK.findall(page))
        elif "csv" in kind or "spreadsheet" in kind:
            reader(url, "\n".join(cells(response)))
        elif (
            kind == "application/pdf"
            and url.endswith("/certificates/preview.pdf")
            and shutil.which("pdftotext")
        ):
            reader(url, pdf_text(response.content, tmp_path))

    seen = crawl(
        client,
        starts,
        limit=limit,
        follow=lambda url: urlsplit(url).path.startswith("/zh-hant/"),
        visit=visit,
    )
    # The nomination template's first row is the column keys the upload reads (name_en, rsw_number…):
    # the file's format, not words; its example row is read like everything else.
    for link in sorted(exports):
        response = client.get(link)
        if "/template." in link and response.status_code == 200:
            reader(link, "\n".join(cells(response)[len(COLUMNS) :]))
            continue
        if response.status_code == 200:
            reader(link, "\n".join(cells(response)))
    return seen


@pytest.mark.parametrize("username", [None, "organiser", "coordinator", "door"])
def test_chinese_pages_and_exports_have_no_codes_or_english_sentences(client, demo, username, tmp_path):
    from plenary.registrations.models import Registration

    reader = Reader()
    if username:
        client.force_login(get_user_model().objects.get(username=username))
        starts = ["/zh-hant/manage/", "/zh-hant/agency/", "/zh-hant/agency/record/", "/zh-hant/checkin/"]
    else:
        starts = ["/zh-hant/", "/zh-hant/news/", "/zh-hant/verify/"]
        for registration in (
            Registration.objects.filter(status="confirmed", programme__slug="sw-20th-congress-workshops-2022")
            .exclude(certificates=None)
            .first(),
            Registration.objects.filter(
                status="confirmed", programme__slug="sw-practice-workshops-demo"
            ).first(),
            Registration.objects.filter(status="cancelled").first(),
        ):
            if registration is not None:
                starts.append(f"/zh-hant/me/{registration.token}/")
    seen = read_pages_of(client, reader, starts, tmp_path)
    assert reader.read > (5 if username == "door" else 20), seen  # the crawl really read pages
    assert reader.found == {}, f"as {username}:\n{reader.report()}"


def chinese_person(programme, email: str, **extra):
    from plenary.registrations import services

    applicant = services.Applicant(
        email=email,
        name_en="Chan Tai Man",
        name_zh="陳大文",
        language="zh-hant",
        consent_pics=True,
        preferred_mode="in_person",
        **extra,
    )
    return services.register(programme, applicant)


def test_chinese_emails_have_no_codes_or_english_sentences(demo, settings):
    """Registration emails of every kind, reminders (room and online), a bulk message and the certificate
    email, as a person who chose Chinese receives them."""
    from plenary.certificates import services as certificates
    from plenary.messaging import services as messaging
    from plenary.messaging.models import Message
    from plenary.programmes.models import Programme
    from plenary.registrations import emails
    from plenary.registrations.models import Registration, SeatAllocation

    reader = Reader()
    upcoming = Programme.objects.get(slug="sw-practice-workshops-demo")
    registration = chinese_person(upcoming, "chinese.reader@example.org")
    mail.outbox.clear()
    for kind in ("confirmed", "waitlisted", "pending", "promoted", "cancelled", "link"):
        emails.send(registration.pk, kind)
    seat_registration = Registration.objects.get(pk=registration.pk)
    for seat in SeatAllocation.objects.filter(registration=seat_registration).select_related("session"):
        for rule in messaging.reminder_rules(upcoming):
            message = Message(
                programme=upcoming,
                kind=Message.Kind.REMINDER,
                session=seat.session,
                offset_minutes=rule.offset_minutes,
            )
            subject, body = messaging.render(message, seat_registration, seat.session, seat)
            reader(
                f"reminder {seat.session.title_en} ({seat.mode}, {rule.offset_minutes} min)",
                f"{subject}\n{body}",
            )

    # A message with every merge field, as the Chinese reader receives it.
    from plenary.messaging.merge import FIELDS

    every = " ".join("{" + name + "}" for name in FIELDS)
    bulk = Message(
        programme=upcoming, kind=Message.Kind.BULK, subject_zh="通知", body_zh=every, body_en=every
    )
    subject, body = messaging.render(bulk, seat_registration)
    reader("message with every merge field", f"{subject}\n{body}")

    # The certificate email of the past programme, to a holder who reads Chinese.
    past = Programme.objects.get(slug="sw-20th-congress-workshops-2022")
    holder = past.registrations.filter(certificates__isnull=False).first()
    assert holder is not None
    Registration.objects.filter(pk=holder.pk).update(language="zh-hant")
    holder.certificates.update(emailed_at=None)
    certificates.email_certificates(past)

    chinese_readers = {registration.email, holder.email}
    received = [email for email in mail.outbox if set(email.to) & chinese_readers]
    assert len(received) >= 7
    for index, email in enumerate(received):
        texts = [email.subject, email.body]
        texts += [
            visible_text(content)
            for content, kind in getattr(email, "alternatives", [])
            if kind == "text/html"
        ]
        for text in texts:
            reader(f"email {index}: {email.subject}", text)
    assert reader.found == {}, reader.report()
