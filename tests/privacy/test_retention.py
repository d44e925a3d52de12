"""Retention: past a programme's period its registrations are anonymised and its stored files deleted, by
`plenary purge` and by the daily worker task; a dry run changes nothing; a second purge finds nothing."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from plenary.core.models import AuditEntry
from plenary.privacy import services
from plenary.privacy.models import Anonymisation
from plenary.privacy.tasks import daily_purge, next_run, schedule_daily_purge
from plenary.programmes.models import Programme
from plenary.registrations import services as registrations
from plenary.registrations.models import Registration
from tests.registrations.conftest import applicant, make_programme

pytestmark = pytest.mark.django_db


def _ended(days_ago: int, slug: str) -> Programme:
    programme = make_programme(slug=slug)
    ends = timezone.localdate() - datetime.timedelta(days=days_ago)
    Programme.objects.filter(pk=programme.pk).update(
        starts_on=ends - datetime.timedelta(days=2), ends_on=ends
    )
    programme.refresh_from_db()
    return programme


@pytest.fixture
def programmes(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = str(tmp_path / "mail")
    settings.PLENARY_RETENTION_DAYS = 365
    old = _ended(400, "old-programme")  # past the default
    recent = _ended(100, "recent-programme")  # within the default
    short = _ended(40, "short-programme")  # past its own period of 30 days
    services.set_retention(short, 30, actor=None)
    people = {}
    for n, programme in enumerate((old, recent, short)):
        for k in range(3):
            # Registration is open only before the programme ends: people are written through the service
            # while it is open, then the dates are moved into the past.
            Programme.objects.filter(pk=programme.pk).update(
                ends_on=timezone.localdate() + datetime.timedelta(days=9)
            )
            programme.refresh_from_db()
            registrations.register(programme, applicant(10 * n + k))
        people[programme.slug] = list(programme.registrations.values_list("email", flat=True))
    for programme, days_ago in ((old, 400), (recent, 100), (short, 40)):
        Programme.objects.filter(pk=programme.pk).update(
            ends_on=timezone.localdate() - datetime.timedelta(days=days_ago)
        )
    return {"old": old, "recent": recent, "short": short, "people": people}


def _out(*args) -> str:
    buffer = io.StringIO()
    call_command("purge", *args, stdout=buffer)
    return buffer.getvalue()


def test_dry_run_says_what_and_changes_nothing(programmes):
    text = _out("--dry-run")
    assert "old-programme" in text and "short-programme" in text and "recent-programme" not in text
    assert "3 registrations would be anonymised" in text
    assert Anonymisation.objects.count() == 0
    assert not AuditEntry.objects.filter(summary__startswith="retention purge").exists()


def test_purge_anonymises_what_is_past_and_is_idempotent(programmes):
    from plenary.privacy.models import PrivacyRequest

    letter = services.record_request(
        programmes["old"],
        kind="access",
        channel="letter",
        received_on=timezone.localdate(),
        requester="Someone Unregistered",
        details="phone 98887777",
        registration=None,
        actor=None,
    )
    audit_before = AuditEntry.objects.count()
    text = _out()
    assert "total: 6 registrations" in text
    for slug in ("old-programme", "short-programme"):
        assert not Registration.objects.filter(
            programme__slug=slug, email__in=programmes["people"][slug]
        ).exists()
        assert Registration.objects.filter(programme__slug=slug, name_en="").count() == 3
    recent = Registration.objects.filter(programme=programmes["recent"])
    assert sorted(recent.values_list("email", flat=True)) == sorted(programmes["people"]["recent-programme"])
    purges = AuditEntry.objects.filter(summary__startswith="retention purge")
    assert purges.count() == 2 and "3 registrations anonymised" in purges.first().summary
    assert set(Anonymisation.objects.values_list("source", flat=True)) == {"retention"}
    letter.refresh_from_db()
    assert letter.requester == "" and letter.details == "" and letter.status == PrivacyRequest.Status.OPEN
    logged = AuditEntry.objects.get(object_id=str(letter.pk), action="create", after__has_key="requester")
    assert "Someone Unregistered" not in str(logged.after) and "98887777" not in str(logged.after)
    # A second run finds nothing and writes nothing.
    after_first = AuditEntry.objects.count()
    assert after_first > audit_before
    again = _out()
    assert "total: 0 registrations and 0 files" in again
    assert AuditEntry.objects.count() == after_first
    assert Anonymisation.objects.count() == 6


def test_stored_files_past_retention_are_deleted(programmes, settings, tmp_path):
    from django.core.files.base import ContentFile

    from plenary.attendance.models import AttendanceImport

    session = programmes["old"].sessions.first()
    batch = AttendanceImport.objects.create(
        session=session, file_name="report.csv", sha256="0" * 64, format="zoom", time_zone="Asia/Hong_Kong"
    )
    batch.file.save("report.csv", ContentFile(b"Name,Email\nSomeone,someone@example.org\n"))
    path = batch.file.path
    mail = tmp_path / "mail"
    mail.mkdir()
    stale, fresh = mail / "old.log", mail / "new.log"
    stale.write_text("To: someone@example.org")
    fresh.write_text("To: other@example.org")
    long_ago = (timezone.now() - datetime.timedelta(days=400)).timestamp()
    import os

    os.utime(stale, (long_ago, long_ago))
    report = services.purge()
    batch.refresh_from_db()
    assert not batch.file and not os.path.exists(path)
    assert not stale.exists() and fresh.exists()
    assert report.mail_files == 1 and report.files >= 2
    assert services.purge().files == 0


@pytest.mark.django_db(transaction=True)
def test_the_daily_task_runs_in_the_worker_and_books_the_next_run(programmes, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    from django_tasks_db.models import DBTaskResult

    assert schedule_daily_purge() is True
    assert schedule_daily_purge() is False  # one booking at a time
    row = DBTaskResult.objects.get()
    assert row.run_after == next_run()
    assert timezone.localtime(row.run_after).hour == 3
    # Its time comes: the worker runs it, it purges and books tomorrow's.
    DBTaskResult.objects.filter(pk=row.pk).update(run_after=timezone.now() - datetime.timedelta(seconds=1))
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    row.refresh_from_db()
    assert row.status == "SUCCESSFUL"
    assert Anonymisation.objects.count() == 6
    booked = DBTaskResult.objects.filter(status="READY", task_path=daily_purge.module_path)
    assert booked.count() == 1 and booked.get().run_after > timezone.now()


def test_next_run_is_the_next_three_oclock():
    from zoneinfo import ZoneInfo

    hk = ZoneInfo("Asia/Hong_Kong")
    assert next_run(datetime.datetime(2030, 1, 1, 2, 59, tzinfo=hk)) == datetime.datetime(
        2030, 1, 1, 3, tzinfo=hk
    )
    assert next_run(datetime.datetime(2030, 1, 1, 3, 0, tzinfo=hk)) == datetime.datetime(
        2030, 1, 2, 3, tzinfo=hk
    )


def test_retention_must_be_at_least_a_day(programmes):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.set_retention(programmes["old"], 0, actor=None)
