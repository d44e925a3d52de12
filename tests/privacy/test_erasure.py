"""Erasure: asked from the private page, approved by an organiser or done through the API; afterwards no
name, email, phone or RSW number of the person remains in any table or stored file, and the programme's
figures and the press release's numbers are unchanged."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test import Client

from plenary.attendance.models import Attendance, AttendanceEvent, AttendanceImport, NameAlias
from plenary.certificates.models import Certificate
from plenary.engagement.models import Reflection
from plenary.media.models import Photo, RemovalRequest
from plenary.privacy.models import Anonymisation, PrivacyRequest
from plenary.publicity import composer
from plenary.publicity import selectors as publicity
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration, SeatCounter
from plenary.site import demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_programme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    programme = demo.load(registrants=40, seed=2022, log=lambda *_: None)
    return programme


def figures(programme) -> dict:
    attendance = Attendance.objects.filter(session__programme=programme)
    certificates = Certificate.objects.filter(programme=programme, state="valid")
    facts = publicity.release_facts(programme, [])
    return {
        "statuses": dict(programme.registrations.values_list("status").annotate(n=Count("id"))),
        "minutes": attendance.aggregate(total=Sum("minutes"))["total"],
        "present": attendance.filter(present=True).count(),
        "per_session": list(
            attendance.filter(present=True).values_list("session").annotate(n=Count("id")).order_by("session")
        ),
        "certificates": certificates.count(),
        "hours": certificates.aggregate(total=Sum("hours"))["total"] or Decimal(0),
        "seats": list(
            SeatCounter.objects.filter(session__programme=programme).values_list("pk", "taken", "waiting")
        ),
        "reflections": Reflection.objects.filter(session__programme=programme).count(),
        "release": (composer.compose(facts).body_en, composer.compose(facts).body_zh),
    }


def dump() -> str:
    """Every row of every table of the database, as text (what a backup would hold), on any database."""
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - names from the schema
            lines += [f"{table}: {row!r}" for row in cursor.fetchall()]
    if connection.vendor == "sqlite":
        lines += list(connection.connection.iterdump())
    return "\n".join(lines)


def traces(person: dict, text: str) -> list[str]:
    found = []
    for value in person.values():
        if not value:
            continue
        escaped = json.dumps(value)[1:-1]  # JSON columns hold non-ASCII as \\uXXXX
        if value.lower() in text.lower() or escaped.lower() in text.lower():
            found.append(value)
    return found


def files_text(root: Path) -> str:
    parts = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            parts.append(
                data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", "replace")
            )
    return "\n".join(parts)


def _pick(programme) -> Registration:
    """A person with as much as possible: attendance from a meeting report, a certificate, a reflection."""
    candidates = (
        programme.registrations.filter(
            certificates__isnull=False,
            attendance_events__source=AttendanceEvent.Source.MEETING_REPORT,
            reflections__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )
    return candidates.first() or programme.registrations.filter(certificates__isnull=False).first()


def test_erasure_asked_approved_and_complete(demo_programme, organiser, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    programme = demo_programme
    person = _pick(programme)
    assert person.reflections.exists() and person.survey_responses.exists()
    assert person.attendance_events.filter(source="meeting_report").exists()
    Registration.objects.filter(pk=person.pk).update(phone="61234567", rsw_number="SW98765")
    person.refresh_from_db()
    values = {
        "name_en": person.name_en,
        "name_zh": person.name_zh,
        "email": person.email,
        "phone": person.phone,
        "rsw": person.rsw_number,
    }
    # More places the person appears: a remembered match, a photo removal request, an email on disk,
    # an audit entry with their details, an unmatched meeting-report row.
    NameAlias.objects.create(
        programme=programme, kind="name", key=person.name_en.lower(), registration=person
    )
    RemovalRequest.objects.create(
        photo=Photo.objects.filter(session__programme=programme).first(),
        name=person.name_en,
        email=person.email,
        reason=f"I am {person.name_en}, phone {person.phone}",
    )
    registrations.rotate_token(person)  # emails the new link: a mail file names them
    registrations.update_details(person, {"post": "Manager"}, actor=organiser)
    batch = AttendanceImport.objects.filter(session__programme=programme).exclude(file="").first()
    assert batch is not None
    AttendanceImport.objects.filter(pk=batch.pk).update(
        unmatched_rows=[{"name": person.name_zh, "email": person.email, "reason": "unmatched"}]
    )
    certificate = person.certificates.get(state="valid")
    Client().get(f"/me/{person.token}/certificates/{certificate.serial}.pdf")  # the PDF is on disk
    assert traces(values, dump()) and traces(values, files_text(tmp_path))
    before = figures(programme)

    # The person asks from the private page; an organiser approves in the console.
    client = Client()
    client.post(f"/me/{person.token}/erase/", {"confirm": "yes", "details": "please"})
    assert client.post(f"/me/{person.token}/erase/", {"confirm": "yes"}, follow=True).status_code == 200
    request = PrivacyRequest.objects.get(registration=person, kind="erasure")
    assert request.status == "open"
    staff = Client()
    staff.force_login(organiser)
    log = staff.get(f"/manage/p/{programme.slug}/privacy/")
    assert log.status_code == 200 and "Approve and erase" in log.content.decode()
    response = staff.post(
        f"/manage/p/{programme.slug}/privacy/{request.pk}/",
        {"action": "approve", "reason": "asked by the person"},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "done"
    assert Anonymisation.objects.get(registration=person).source == "request"

    # Nothing of the person remains in any table or stored file.
    assert traces(values, dump()) == []
    assert traces(values, files_text(tmp_path)) == []
    # The figures and the press release's numbers are the same.
    assert figures(programme) == before
    # The certificate still verifies, with its hours, without the name.
    certificate.refresh_from_db()
    assert certificate.state == "valid" and certificate.name_en == "" and certificate.hours > 0
    page = Client().get(f"/verify/{certificate.serial}/")
    assert page.status_code == 200 and str(certificate.serial) in page.content.decode()
    assert "personal data have been erased" in page.content.decode()
    # The old private link is dead.
    assert Client().get(f"/me/{person.token}/").status_code == 404


def test_anonymise_through_the_api(demo_programme, organiser, api_as):
    programme = demo_programme
    person = programme.registrations.filter(status="confirmed").order_by("pk").first()
    name, email = person.name_en or person.name_zh, person.email
    api = api_as(organiser)
    url = f"/api/v1/registrations/{person.reference}/anonymise"
    assert api.post(url, {"reason": ""}).status_code == 422
    from plenary.privacy import services as privacy

    asked = privacy.request_erasure(person)
    with pytest.raises(privacy.ErasureAlreadyRequested):
        privacy.request_erasure(person)
    response = api.post(url, {"reason": "letter of 3 March"})
    assert response.status_code == 200, response.content
    assert response.json()["reference"] == person.reference
    shown = api.get(f"/api/v1/registrations/{person.reference}").json()
    assert name not in json.dumps(shown, ensure_ascii=False) and email not in json.dumps(shown)
    assert shown["name_en"] == "" and shown["name_zh"] == ""
    asked.refresh_from_db()
    assert asked.status == "done"  # the person's open request is answered by the erasure
    second = api.post(url, {"reason": "again"})
    assert second.status_code == 409 and "already" in second.json()["detail"]
    assert api.post("/api/v1/registrations/RNOTAREF/anonymise", {"reason": "x"}).status_code == 404
    assert api_as(None).post(url, {"reason": "x"}).status_code == 401


def test_coordinators_cannot_anonymise(demo_programme, api_as):
    from django.contrib.auth import get_user_model

    from plenary.access import rules

    coordinator = get_user_model().objects.get(username="coordinator")
    person = demo_programme.registrations.order_by("pk").first()
    agency = rules.coordinated_agencies(coordinator).first()
    Registration.objects.filter(pk=person.pk).update(source="nominated", organisation=agency)
    assert rules.sees_registration(coordinator, Registration.objects.get(pk=person.pk))
    response = api_as(coordinator).post(
        f"/api/v1/registrations/{person.reference}/anonymise", {"reason": "x"}
    )
    assert response.status_code == 403
    assert not Anonymisation.objects.filter(registration=person).exists()
