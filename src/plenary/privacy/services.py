"""The personal-data lifecycle (PDPO): correct, consent, ask, erase (anonymise), retain no longer than needed.

Anonymisation is built from the catalogue (``catalogue.py``): every personal field of the person's own
rows is blanked, replaced by a placeholder, scrubbed of the person's values, rotated or its file
deleted; rows that mention the person among others (the audit log, meeting reports, photo removal
requests, stored mail) are scrubbed of the person's name, email, phone and RSW number. Counts, seats,
minutes and certificates' hours stay, so the programme's figures and the press release do not change.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plenary.core import audit
from plenary.core.errors import DomainError
from plenary.core.models import AuditEntry
from plenary.privacy import catalogue
from plenary.privacy.catalogue import CATALOGUE, ERASED
from plenary.privacy.models import Anonymisation, PrivacyRequest, Retention
from plenary.programmes.models import Programme
from plenary.programmes.pages import content_changed
from plenary.registrations import private_page
from plenary.registrations import services as registrations
from plenary.registrations.models import ConsentRecord, Registration, new_pass_code, new_token

Action = AuditEntry.Action

CORRECTABLE = ("name_en", "name_zh", "phone", "organisation_name", "post", "service_unit", "rsw_number")
OPTIONAL_CONSENTS = {
    ConsentRecord.Kind.NEWS: ("news_opt_in", registrations.NEWS_WORDING_VERSION),
    ConsentRecord.Kind.NO_PHOTOS: ("photo_opt_out", registrations.PHOTOS_WORDING_VERSION),
    ConsentRecord.Kind.SMS: ("sms_opt_in", registrations.SMS_WORDING_VERSION),
}


class AlreadyAnonymised(DomainError):
    status = 409
    default_message = _("This person's personal data have already been erased.")


class ErasureAlreadyRequested(DomainError):
    status = 409
    default_message = _("You have already asked for erasure; the organisers will answer you.")


class MobileNumberNeeded(DomainError):
    status = 400
    default_message = _("Give your mobile number first (under “Correct your details”), then choose SMS.")


class ReasonRequired(DomainError):
    status = 400
    default_message = _("Give a reason.")


class RequestClosed(DomainError):
    status = 409
    default_message = _("This request has already been answered.")


def statement_version() -> str:
    return registrations.COLLECTION_STATEMENT_VERSION


# --- the person's own page ------------------------------------------------------------------------


def _refuse_if_anonymised(registration: Registration) -> None:
    if Anonymisation.objects.filter(registration=registration).exists():
        raise AlreadyAnonymised


def correct_details(registration: Registration, changes: dict[str, str]) -> Registration:
    """The person corrects their own details (checked as at registration; audited; logged as a request)."""
    _refuse_if_anonymised(registration)
    values = {name: str(changes.get(name, getattr(registration, name)) or "").strip() for name in CORRECTABLE}
    applicant = registrations.Applicant(
        email=registration.email,
        preferred_mode=registration.preferred_mode,
        consent_pics=True,
        **values,
    )
    registrations.clean_applicant(applicant)  # ValidationError with field → messages
    values = {name: getattr(applicant, name) for name in CORRECTABLE}
    changed = {name: value for name, value in values.items() if getattr(registration, name) != value}
    if not changed:
        return registration
    with transaction.atomic():
        registrations.update_details(registration, changed, actor=None)
        PrivacyRequest.objects.create(
            programme=registration.programme,
            registration=registration,
            kind=PrivacyRequest.Kind.CORRECTION,
            channel=PrivacyRequest.Channel.PRIVATE_PAGE,
            received_on=timezone.localdate(),
            details=", ".join(sorted(changed)),
            status=PrivacyRequest.Status.DONE,
            outcome="corrected by the person",
            decided_at=timezone.now(),
        )
    if registration.sms_opt_in and not registrations.MOBILE_NUMBER.match(registration.phone.strip()):
        # No number to text any more: the SMS consent is withdrawn, recorded as such.
        set_consent(registration, ConsentRecord.Kind.SMS, False)
    return registration


def set_consent(registration: Registration, kind: str, given: bool) -> ConsentRecord:
    """Gives or withdraws an optional consent: a new record each time, effective at once."""
    _refuse_if_anonymised(registration)
    if kind not in OPTIONAL_CONSENTS:
        raise ValidationError({"kind": [_("Unknown consent.")]})
    flag, version = OPTIONAL_CONSENTS[kind]
    if (
        kind == ConsentRecord.Kind.SMS
        and given
        and not registrations.MOBILE_NUMBER.match(registration.phone.strip())
    ):
        raise MobileNumberNeeded
    with transaction.atomic():
        before = audit.snapshot(registration)
        Registration.objects.filter(pk=registration.pk).update(**{flag: given}, updated_at=timezone.now())
        setattr(registration, flag, given)
        record = ConsentRecord.objects.create(
            registration=registration,
            kind=kind,
            given=given,
            wording_version=version,
            language=registration.language,
        )
        audit.record(
            actor=None,
            action=Action.UPDATE,
            instance=registration,
            programme=registration.programme,
            before=before,
            after=audit.snapshot(registration),
            summary=f"consent {kind}={'given' if given else 'withdrawn'} ({version})",
        )
    return record


def request_erasure(registration: Registration, details: str = "") -> PrivacyRequest:
    """The person asks, from the private page, for their data to be erased; an organiser decides."""
    _refuse_if_anonymised(registration)
    if PrivacyRequest.objects.filter(
        registration=registration, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.OPEN
    ).exists():
        raise ErasureAlreadyRequested
    try:
        with transaction.atomic():
            found = PrivacyRequest.objects.create(
                programme=registration.programme,
                registration=registration,
                kind=PrivacyRequest.Kind.ERASURE,
                channel=PrivacyRequest.Channel.PRIVATE_PAGE,
                received_on=timezone.localdate(),
                requester=registration.full_name,
                details=details[:2000],
            )
    except IntegrityError:  # the same request twice at once: one open request (a constraint)
        raise ErasureAlreadyRequested from None
    with transaction.atomic():
        audit.record(
            actor=None,
            action=Action.CREATE,
            instance=found,
            programme=registration.programme,
            summary=f"erasure requested for {registration.reference}",
        )
    return found


# --- organisers: the requests log -----------------------------------------------------------------


def record_request(
    programme: Programme,
    *,
    kind: str,
    channel: str,
    received_on: datetime.date,
    requester: str,
    details: str,
    registration: Registration | None,
    actor,
) -> PrivacyRequest:
    """An organiser logs a request received by letter, email or otherwise."""
    found = PrivacyRequest(
        programme=programme,
        registration=registration,
        kind=kind,
        channel=channel,
        received_on=received_on,
        requester=requester.strip(),
        details=details.strip(),
        created_by=actor,
    )
    found.full_clean()
    with transaction.atomic():
        found.save()
        audit.record(
            actor=actor,
            action=Action.CREATE,
            instance=found,
            programme=programme,
            after=audit.snapshot(found),
        )
    return found


def close_request(found: PrivacyRequest, *, actor, outcome: str, refused: bool = False, export_given=False):
    """Answers a logged request: done (with the export given, if any) or refused with a reason."""
    if found.status != PrivacyRequest.Status.OPEN:
        raise RequestClosed
    if refused and not outcome.strip():
        raise ReasonRequired
    with transaction.atomic():
        before = audit.snapshot(found)
        found.status = PrivacyRequest.Status.REFUSED if refused else PrivacyRequest.Status.DONE
        found.outcome = outcome.strip()[:500]
        found.decided_by = actor
        found.decided_at = timezone.now()
        if export_given:
            found.export_given_at = found.decided_at
        found.save()
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            instance=found,
            programme=found.programme,
            before=before,
            after=audit.snapshot(found),
        )
    return found


def decide_erasure(found: PrivacyRequest, *, actor, approve: bool, reason: str = "") -> PrivacyRequest:
    """An organiser approves a person's erasure request (anonymising them) or refuses it with a reason."""
    if found.kind != PrivacyRequest.Kind.ERASURE or found.status != PrivacyRequest.Status.OPEN:
        raise RequestClosed
    if not approve:
        return close_request(found, actor=actor, outcome=reason, refused=True)
    with transaction.atomic():
        close_request(found, actor=actor, outcome=reason or "erased")
        anonymise(
            found.registration,
            actor=actor,
            reason=reason or "request approved",
            source=Anonymisation.Source.REQUEST,
        )
    found.refresh_from_db()
    return found


# --- anonymisation --------------------------------------------------------------------------------


def _secrets_of(registrations_: list[Registration]) -> re.Pattern | None:
    values = set()
    for registration in registrations_:
        for value in (
            registration.name_en,
            registration.name_zh,
            registration.email,
            registration.phone,
            registration.rsw_number,
        ):
            value = (value or "").strip()
            if len(value) >= 3 or (value and registration.name_zh == value and len(value) >= 2):
                values.add(value)
    if not values:
        return None
    return re.compile("|".join(re.escape(value) for value in sorted(values, key=len, reverse=True)), re.I)


def _scrub(value: Any, pattern: re.Pattern) -> Any:
    if isinstance(value, str):
        return pattern.sub(ERASED, value)
    if isinstance(value, list):
        return [_scrub(item, pattern) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, pattern) for key, item in value.items()}
    return value


def _erase_keys(value: Any, references: set[str], keys: set[str]) -> Any:
    """Audit snapshots of an erased registration: its personal keys emptied."""
    if isinstance(value, dict):
        if value.get("reference") in references:
            value = {key: ("" if key in keys else item) for key, item in value.items()}
        return {key: _erase_keys(item, references, keys) for key, item in value.items()}
    if isinstance(value, list):
        return [_erase_keys(item, references, keys) for item in value]
    return value


def _placeholder(label: str, name: str, row: models.Model) -> str:
    if label == "registrations.Registration":
        return f"erased-{row.reference.lower()}@erased.invalid"
    if label == "media.RemovalRequest":
        return f"erased-{row.pk}@erased.invalid"
    return f"erased:{row.pk}"


def _delete_file(file) -> bool:
    if file and file.name:
        existed = file.storage.exists(file.name)
        file.storage.delete(file.name)
        return existed
    return False


def _decode(data: bytes) -> str:
    utf16 = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    return data.decode("utf-16" if utf16 else "utf-8", errors="replace")


def _scrub_rows(label: str, queryset, pattern: re.Pattern | None, extra=None) -> int:
    """Per-row erasure of the catalogue's fields for this model; returns files deleted."""
    entry = CATALOGUE[label]
    deleted = 0
    model = apps.get_model(label)
    for row in queryset:
        changes: dict[str, Any] = {}
        for name, personal in entry.personal.items():
            value = getattr(row, name)
            if personal.erase == catalogue.BLANK:
                field = model._meta.get_field(name)
                changes[name] = None if field.null and not isinstance(field, models.CharField) else ""
            elif personal.erase == catalogue.PLACEHOLDER:
                changes[name] = _placeholder(label, name, row)
            elif personal.erase == catalogue.SCRUB and pattern is not None:
                scrubbed = _scrub(value, pattern)
                if extra is not None:
                    scrubbed = extra(scrubbed)
                if scrubbed != value:
                    changes[name] = scrubbed
            elif personal.erase == catalogue.ROTATE:
                changes[name] = new_token() if name == "token" else new_pass_code()
            elif personal.erase == catalogue.FILE and value:
                deleted += _delete_file(value)
                changes[name] = ""
        if changes:
            model.objects.filter(pk=row.pk).update(**changes)
    return deleted


def _erase(registrations_: list[Registration]) -> dict[str, int]:
    """Anonymises these registrations everywhere (inside the caller's transaction)."""
    ids = [registration.pk for registration in registrations_]
    references = {registration.reference for registration in registrations_}
    programme_ids = {registration.programme_id for registration in registrations_}
    emails = [registration.email for registration in registrations_]
    pattern = _secrets_of(registrations_)
    counts = {"registrations": len(ids), "files": 0}
    # A published reflection names its author on the programme's public page (cached per version).
    content_changed(*programme_ids)
    # Their private pages are kept in the cache too: those copies go (registrations/private_page.py).
    private_page.forget(*ids)
    for label, entry in CATALOGUE.items():
        if entry.owner is None:
            continue
        model = apps.get_model(label)
        queryset = model.objects.filter(**{f"{entry.owner or 'pk'}__in": ids})
        counts["files"] += _scrub_rows(label, queryset, pattern)
    # Rows that mention the person among others.
    keys = {
        name
        for name, personal in CATALOGUE["registrations.Registration"].personal.items()
        if personal.erase in (catalogue.BLANK, catalogue.PLACEHOLDER, catalogue.ROTATE)
    }
    audit_rows = AuditEntry.objects.filter(
        models.Q(programme_id__in=programme_ids) | models.Q(programme__isnull=True)
    )
    if pattern is not None:
        _scrub_rows(
            "core.AuditEntry", audit_rows, pattern, extra=lambda value: _erase_keys(value, references, keys)
        )
    removal = apps.get_model("media.RemovalRequest").objects.filter(email__in=emails)
    _scrub_rows("media.RemovalRequest", removal, pattern)
    if pattern is not None:
        # Requests logged from a letter before anyone matched them to a registration.
        unmatched = PrivacyRequest.objects.filter(programme_id__in=programme_ids, registration__isnull=True)
        _scrub_rows("privacy.PrivacyRequest", unmatched, pattern)
    imports = apps.get_model("attendance.AttendanceImport").objects.filter(
        session__programme_id__in=programme_ids
    )
    if pattern is not None:
        for batch in imports:
            changes = {}
            for name in ("unmatched_rows", "rejected_rows"):
                value = getattr(batch, name)
                scrubbed = _scrub(value, pattern)
                if scrubbed != value:
                    changes[name] = scrubbed
            if batch.file and batch.file.storage.exists(batch.file.name):
                with batch.file.storage.open(batch.file.name, "rb") as handle:
                    data = handle.read()
                text = _decode(data)
                if pattern.search(text):
                    counts["files"] += _delete_file(batch.file)
                    changes["file"] = ""
            if changes:
                type(batch).objects.filter(pk=batch.pk).update(**changes)
        counts["files"] += _delete_mail(pattern)
    return counts


def _mail_dir() -> Path | None:
    path = getattr(settings, "EMAIL_FILE_PATH", None)
    return Path(path) if path else None


def _delete_mail(
    pattern: re.Pattern | None = None, older_than: datetime.datetime | None = None, dry_run=False
) -> int:
    """Stored mail files that name these people (or are older than a moment) are deleted."""
    folder = _mail_dir()
    if folder is None or not folder.is_dir():
        return 0
    count = 0
    for path in folder.iterdir():
        if not path.is_file():
            continue
        if older_than is not None:
            hit = datetime.datetime.fromtimestamp(path.stat().st_mtime, datetime.UTC) < older_than
        else:
            hit = pattern is not None and pattern.search(path.read_bytes().decode("utf-8", errors="replace"))
        if hit:
            count += 1
            if not dry_run:
                path.unlink(missing_ok=True)
    return count


def anonymise(
    registration: Registration, *, actor, reason: str, source: str = Anonymisation.Source.ORGANISER
):
    """Erases one person's personal data everywhere; a second time is refused."""
    if not (reason or "").strip():
        raise ReasonRequired
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        _refuse_if_anonymised(registration)
        counts = _erase([registration])
        done = Anonymisation.objects.create(
            registration=registration, source=source, reason=reason.strip()[:500], actor=actor
        )
        # Erasure asked for and done another way (the API, a letter): the request is answered too.
        PrivacyRequest.objects.filter(
            registration=registration, kind=PrivacyRequest.Kind.ERASURE, status=PrivacyRequest.Status.OPEN
        ).update(
            status=PrivacyRequest.Status.DONE, outcome="erased", decided_by=actor, decided_at=timezone.now()
        )
        registration.refresh_from_db()
        audit.record(
            actor=actor,
            action=Action.DELETE,
            instance=registration,
            programme=registration.programme,
            summary=f"personal data anonymised ({source}); {counts['files']} files deleted",
        )
    return done


# --- retention ------------------------------------------------------------------------------------


@dataclass
class PurgeLine:
    programme: str
    ended: datetime.date
    days: int
    registrations: int
    files: int


@dataclass
class PurgeReport:
    dry_run: bool
    lines: list[PurgeLine] = field(default_factory=list)
    mail_files: int = 0
    invitations: int = 0  # closed staff invitations deleted

    @property
    def registrations(self) -> int:
        return sum(line.registrations for line in self.lines)

    @property
    def files(self) -> int:
        return sum(line.files for line in self.lines) + self.mail_files


def set_retention(programme: Programme, days: int, *, actor) -> Retention:
    if days < 1:
        raise ValidationError({"days": [_("Keep the data at least one day.")]})
    with transaction.atomic():
        found, _created = Retention.objects.update_or_create(programme=programme, defaults={"days": days})
        audit.record(
            actor=actor,
            action=Action.UPDATE,
            instance=found,
            programme=programme,
            summary=f"retention {days} days",
        )
        # The registration form's collection statement says how long the data are kept.
        content_changed(programme.pk)
    return found


def _stored_files(programme: Programme) -> list:
    files = []
    for batch in apps.get_model("attendance.AttendanceImport").objects.filter(session__programme=programme):
        if batch.file:
            files.append((batch, "file"))
    for certificate in apps.get_model("certificates.Certificate").objects.filter(programme=programme):
        if certificate.pdf:
            files.append((certificate, "pdf"))
    return files


def _expire_others(programme: Programme) -> None:
    """Past retention, what people who are not (or no longer) registrants gave about this programme goes too:
    requests logged without a registration, and photo removal requests."""
    PrivacyRequest.objects.filter(programme=programme).exclude(requester="", details="").update(
        requester="", details=""
    )
    for entry in AuditEntry.objects.filter(programme=programme):
        changes = {}
        for side in ("before", "after"):
            value = getattr(entry, side)
            if isinstance(value, dict) and ("requester" in value or "details" in value):
                changes[side] = {**value, **{key: "" for key in ("requester", "details") if key in value}}
        if changes and any(changes[side] != getattr(entry, side) for side in changes):
            AuditEntry.objects.filter(pk=entry.pk).update(**changes)
    removal = apps.get_model("media.RemovalRequest").objects.filter(photo__session__programme=programme)
    for row in removal.exclude(email__endswith="@erased.invalid"):
        type(row).objects.filter(pk=row.pk).update(
            name="", email=f"erased-{row.pk}@erased.invalid", reason=""
        )


def purge(*, dry_run: bool = False, today: datetime.date | None = None, actor=None) -> PurgeReport:
    """Anonymises every registration of a programme past its retention period and deletes its stored files.

    Idempotent: what is already anonymised or deleted is not counted again.
    """
    from plenary.privacy.selectors import retention_days

    today = today or timezone.localdate()
    report = PurgeReport(dry_run=dry_run)
    for programme in Programme.objects.filter(ends_on__lt=today).order_by("ends_on", "pk"):
        days = retention_days(programme)
        if programme.ends_on + datetime.timedelta(days=days) >= today:
            continue
        people = list(programme.registrations.filter(anonymisation__isnull=True).order_by("pk"))
        files = _stored_files(programme)
        if not people and not files:
            continue
        line = PurgeLine(programme.slug, programme.ends_on, days, len(people), len(files))
        report.lines.append(line)
        if dry_run:
            continue
        with transaction.atomic():
            deleted = 0
            for start in range(0, len(people), 500):
                chunk = people[start : start + 500]
                deleted += _erase(chunk)["files"]
                Anonymisation.objects.bulk_create(
                    [
                        Anonymisation(registration=person, source=Anonymisation.Source.RETENTION, actor=actor)
                        for person in chunk
                    ]
                )
            _expire_others(programme)
            for row, name in _stored_files(programme):
                deleted += _delete_file(getattr(row, name))
                type(row).objects.filter(pk=row.pk).update(**{name: ""})
            line.files = max(line.files, deleted)
            audit.record(
                actor=actor,
                action=Action.DELETE,
                instance=programme,
                programme=programme,
                summary=f"retention purge after {days} days: {line.registrations} registrations anonymised, "
                f"{line.files} files deleted",
            )
    cutoff = timezone.now() - datetime.timedelta(days=settings.PLENARY_RETENTION_DAYS)
    report.mail_files = _delete_mail(older_than=cutoff, dry_run=dry_run)
    # Staff invitations, with the email addresses they hold: 90 days after they closed.
    from plenary.organisations.services import CLOSED_INVITATIONS_KEPT_DAYS, purge_invitations

    report.invitations = purge_invitations(
        older_than=timezone.now() - datetime.timedelta(days=CLOSED_INVITATIONS_KEPT_DAYS), dry_run=dry_run
    )
    return report
