"""The rule: who is eligible and why, on mixed attendance, at the threshold's edge, and after corrections."""

from __future__ import annotations

from decimal import Decimal

import pytest

from plenary.certificates import services
from plenary.certificates.models import Certificate, CertificateRule
from plenary.core.models import AuditEntry

from .conftest import attend, attend_all, correct, person


def evaluation_of(programme, registration):
    return next(e for e in services.evaluate(programme) if e.registration == registration)


def test_mixed_in_person_and_online_attendance_counts_both(reference_programme, sessions, ceremony):
    lectures, sharing = sessions[:5], sessions[5]
    someone = person(reference_programme, 1)
    for lecture in lectures[:4]:
        attend(someone, lecture, mode="online")
    # In the room for the first hour, then online from home for the rest: one hybrid attendance.
    attend(someone, sharing, 60, mode="in_person")
    attend(someone, sharing, 90, mode="online", offset=60)
    attend(someone, ceremony, mode="online")  # does not count towards the certificate

    result = evaluation_of(reference_programme, someone)
    assert result.minutes_total == 750
    assert result.minutes_attended == 4 * 120 + 150
    assert result.eligible
    assert result.sessions_attended == 5
    # CPD hours of the attended counting sessions: four lectures of 2 h and the sharing of 2.5 h.
    assert result.hours == Decimal("10.50")
    assert "630 of 750 minutes" in result.reason


def test_exactly_eighty_percent_passes_and_one_minute_less_fails(reference_programme, sessions):
    exactly, short = person(reference_programme, 1), person(reference_programme, 2)
    for registration, last_minutes in ((exactly, 120), (short, 119)):
        # 600 of 750 minutes = 80 %: four full lectures (480) and 120 minutes of the sharing.
        for lecture in sessions[:4]:
            attend(registration, lecture)
        attend(registration, sessions[5], last_minutes, mode="in_person")

    assert evaluation_of(reference_programme, exactly).eligible
    result = evaluation_of(reference_programme, short)
    assert not result.eligible
    assert result.reason == "attended 599 of 750 minutes (79.9 %); needs 80 %"


def test_overlapping_rejoins_do_not_count_twice(reference_programme, sessions):
    someone = person(reference_programme, 1)
    for lecture in sessions[:4]:
        attend(someone, lecture)
    attend(someone, sessions[4], 60)
    attend(someone, sessions[4], 60)  # the same hour again from a second device
    assert evaluation_of(reference_programme, someone).minutes_attended == 4 * 120 + 60


def test_sessions_rule_explains_who_falls_short(reference_programme, sessions):
    CertificateRule.objects.create(programme=reference_programme, mode="sessions", min_sessions=5)
    short, enough = person(reference_programme, 1), person(reference_programme, 2)
    for lecture in sessions[:3]:
        attend(short, lecture)
    attend(short, sessions[3], 30)  # 30 of 120 minutes: under the programme's per-session threshold
    for session in sessions[:5]:
        attend(enough, session)

    result = evaluation_of(reference_programme, short)
    assert not result.eligible
    assert result.reason == "attended 3 of 6 sessions; needs 5"
    assert evaluation_of(reference_programme, enough).eligible
    assert evaluation_of(reference_programme, enough).reason == "attended 5 of 6 sessions; needs 5"


def test_prorated_hours_follow_the_minutes(reference_programme, sessions):
    CertificateRule.objects.create(programme=reference_programme, min_percent=50, hours_method="prorated")
    someone = person(reference_programme, 1)
    for lecture in sessions[:5]:
        attend(someone, lecture, 90)  # 3/4 of each 2-hour lecture
    result = evaluation_of(reference_programme, someone)
    assert result.eligible
    assert result.hours == Decimal("7.50")


def test_only_confirmed_registrations_are_considered(reference_programme, sessions):
    cancelled = person(reference_programme, 1, status="cancelled")
    attend_all(cancelled, sessions)
    assert services.evaluate(reference_programme) == []


def test_issuing_is_idempotent(reference_programme, sessions):
    people = [person(reference_programme, number) for number in range(3)]
    for registration in people[:2]:
        attend_all(registration, sessions)

    first = services.issue_certificates(reference_programme)
    assert (first.total, first.issued) == (2, 2)
    again = services.issue_certificates(reference_programme)
    assert (again.issued, again.superseded, again.unchanged) == (0, 0, 2)
    assert Certificate.objects.count() == 2
    assert all(certificate.pdf for certificate in Certificate.objects.all())
    assert set(Certificate.objects.values_list("registration", flat=True)) == {people[0].pk, people[1].pk}


def test_a_correction_supersedes_the_old_certificate_with_the_reason(
    reference_programme, sessions, organiser
):
    someone = person(reference_programme, 1)
    for session in sessions[:5]:
        attend(someone, session)
    services.issue_certificates(reference_programme)
    old = Certificate.objects.get()
    assert old.hours == Decimal("10.00")

    # The meeting host's log shows the person also attended the whole sharing session.
    correct(someone, sessions[5], 150, actor=organiser)
    summary = services.issue_certificates(reference_programme)

    assert (summary.issued, summary.superseded) == (0, 1)
    old.refresh_from_db()
    new = Certificate.objects.get(state="valid")
    assert new.hours == Decimal("12.50") and new.serial != old.serial
    assert old.state == "superseded" and old.superseded_by == new
    assert "hours 10 → 12.5" in old.reason
    assert AuditEntry.objects.filter(object_id=str(old.pk), summary__contains="hours 10 → 12.5").exists()
    # And again: nothing changes.
    assert services.issue_certificates(reference_programme).unchanged == 1
    assert Certificate.objects.filter(registration=someone, state="valid").count() == 1


def test_one_valid_certificate_per_registration_is_enforced_by_the_database(reference_programme, sessions):
    from django.db import IntegrityError, transaction

    someone = person(reference_programme, 1)
    attend_all(someone, sessions)
    services.issue_certificates(reference_programme)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            programme=reference_programme, registration=someone, serial="PLN-2022-DUPL-ICAT"
        )


def test_revoking_needs_a_reason_and_is_audited(reference_programme, sessions, organiser):
    from django.core.exceptions import ValidationError

    someone = person(reference_programme, 1)
    attend_all(someone, sessions)
    services.issue_certificates(reference_programme)
    certificate = Certificate.objects.get()
    with pytest.raises(ValidationError):
        services.revoke(certificate, reason="  ", actor=organiser)
    services.revoke(certificate, reason="Attended under another person's name", actor=organiser)
    certificate.refresh_from_db()
    assert certificate.state == "revoked" and certificate.revoked_at
    entry = AuditEntry.objects.get(object_id=str(certificate.pk), actor=organiser)
    assert entry.after == {"state": "revoked", "reason": "Attended under another person's name"}


def test_the_job_issues_and_emails_holders_a_link(
    reference_programme, sessions, organiser, django_capture_on_commit_callbacks, mailoutbox
):
    someone = person(reference_programme, 1, email="holder@example.org")
    attend_all(someone, sessions)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.start_issue_job(reference_programme, actor=organiser)
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.issued) == ("done", 1, 1, 1)
    certificate = Certificate.objects.get()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["holder@example.org"]
    assert f"/me/{someone.token}/certificates/" in message.body
    assert certificate.serial in message.body
    certificate.refresh_from_db()
    assert certificate.emailed_at is not None
    # Issuing again sends nothing new.
    with django_capture_on_commit_callbacks(execute=True):
        services.start_issue_job(reference_programme, actor=organiser)
    assert len(mailoutbox) == 1
