"""Every registration use case: register, nominate, cancel, change mode, approve, reject, the door
desk's walk-ins and moves, capacity, quotas, details and links.

Each use case is one transaction (``write_transaction()``); what it does to seats — counters, seat
statuses and the registration status that follows from them — is done by ``seats.py``, the one owner
of that rule. Reads (programme, sessions, counters) happen before the transaction: on SQLite the
transaction takes the database's write lock at BEGIN, and it must stay short.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from plenary.access import rules as access
from plenary.core import audit, sql
from plenary.core.models import AuditEntry
from plenary.core.privacy import looks_like_hkid
from plenary.core.tasks import enqueue_on_commit, task_row_cte
from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session
from plenary.registrations import seats
from plenary.registrations.errors import (  # noqa: F401 - the use cases' errors, importable from here
    AlreadyRegistered,
    CapacityBelowSeats,
    OverQuota,
    RegistrationClosed,
    RegistrationError,
    RoomFull,
    SeatsUnavailable,
    TryAgain,
    WrongStatus,
)
from plenary.registrations.models import (
    ConsentRecord,
    Quota,
    Registration,
    SeatAllocation,
    new_pass_code,
    new_reference,
    new_token,
)

# The wording versions of the consents on the form; bump when the text changes.
COLLECTION_STATEMENT_VERSION = "pics-2026-3"  # 2: who sees what, retention, erasure; 3: SMS
NEWS_WORDING_VERSION = "news-2026-1"
PHOTOS_WORDING_VERSION = "photos-2026-1"
SMS_WORDING_VERSION = "sms-2026-1"
# A mobile number text messages can go to: digits, with an optional leading + and spaces or hyphens.
MOBILE_NUMBER = re.compile(r"^\+?[0-9][0-9 \-]{6,22}[0-9]$")

RSW_NUMBER = re.compile(r"^[A-Z]{1,2}\d{4,6}$")
HKID_LIKE = re.compile(r"^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$")

Mode = Registration.Mode
SeatStatus = SeatAllocation.Status
Status = Registration.Status


@dataclass
class Applicant:
    """A person's details as a form, the API or an upload gives them."""

    email: str
    name_en: str = ""
    name_zh: str = ""
    phone: str = ""
    organisation: Organisation | None = None
    organisation_name: str = ""
    post: str = ""
    service_unit: str = ""
    rsw_number: str = ""
    preferred_mode: str = Mode.ONLINE
    modes: dict[int, str] = field(default_factory=dict)
    language: str = "en"
    consent_pics: bool = False
    news_opt_in: bool = False
    photo_opt_out: bool = False
    sms_opt_in: bool = False


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def normalise_rsw(value: str) -> str:
    return re.sub(r"[\s\-]", "", value or "").upper()


def clean_applicant(applicant: Applicant) -> Applicant:
    """Checks and tidies an applicant; raises ValidationError with field → messages."""
    errors: dict[str, list] = {}
    applicant.email = normalise_email(applicant.email)
    applicant.name_en = applicant.name_en.strip()
    applicant.name_zh = applicant.name_zh.strip()
    try:
        validate_email(applicant.email)
    except ValidationError:
        errors.setdefault("email", []).append(_("Enter a valid email address."))
    if not applicant.name_en and not applicant.name_zh:
        errors.setdefault("name_en", []).append(_("Give your name in English or in Chinese."))
    if applicant.rsw_number:
        rsw = normalise_rsw(applicant.rsw_number)
        if HKID_LIKE.match(rsw) or looks_like_hkid(applicant.rsw_number):
            errors.setdefault("rsw_number", []).append(
                _("This looks like an identity card number. Please do not give your HKID number.")
            )
        elif not RSW_NUMBER.match(rsw):
            errors.setdefault("rsw_number", []).append(
                _("A Registered Social Worker number is one or two letters and 4 to 6 digits, e.g. S12345.")
            )
        applicant.rsw_number = rsw
    if applicant.preferred_mode not in Mode.values:
        errors.setdefault("mode", []).append(_("Choose in person or online."))
    for mode in applicant.modes.values():
        if mode not in Mode.values:
            errors.setdefault("mode", []).append(_("Choose in person or online."))
            break
    if not applicant.consent_pics:
        errors.setdefault("consent_pics", []).append(
            _("Please read and acknowledge the Personal Information Collection Statement.")
        )
    for name in ("name_en", "name_zh", "post", "service_unit", "phone", "organisation_name"):
        if looks_like_hkid(getattr(applicant, name)):
            target = "organisation" if name == "organisation_name" else name
            errors.setdefault(target, []).append(
                _("This looks like an identity card number. Please do not give your HKID number.")
            )
    applicant.phone = applicant.phone.strip()
    if applicant.sms_opt_in and "phone" not in errors:
        if not applicant.phone:
            errors.setdefault("phone", []).append(_("Give your mobile number to receive SMS."))
        elif not MOBILE_NUMBER.match(applicant.phone):
            errors.setdefault("phone", []).append(
                _("A mobile number is digits only (a + and spaces allowed), e.g. +852 9123 4567.")
            )
    limits = {"name_en": 200, "name_zh": 100, "phone": 30, "post": 200, "service_unit": 200}
    for name, limit in limits.items():
        if len(getattr(applicant, name)) > limit:
            errors.setdefault(name, []).append(_("This is too long."))
    if len(applicant.organisation_name) > 300:
        errors.setdefault("organisation", []).append(_("This is too long."))
    if errors:
        raise ValidationError(errors)
    return applicant


# --- transactions ---------------------------------------------------------------------------------

_sqlite_writers = threading.Lock()


@contextmanager
def write_transaction():
    """``transaction.atomic()``, and on SQLite one writer at a time per process.

    SQLite has one write lock; threads that wait for it in SQLite's busy handler sleep in growing
    steps and wake late. Queuing them on a process lock first hands the database lock straight on.
    """
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with _sqlite_writers, transaction.atomic():
            yield
    else:
        with transaction.atomic():
            yield


def _notify(registration_id: int, kind: str) -> None:
    """Emails the person once the transaction commits (``core/tasks.py``)."""
    from plenary.registrations import tasks

    enqueue_on_commit(tasks.send_registration_email, registration_id, kind)


def _notify_promotions(promoted: list[int]) -> None:
    for registration_id in dict.fromkeys(promoted):
        _notify(registration_id, "promoted")


# --- use cases -------------------------------------------------------------------------------------


def registration_is_open(programme: Programme) -> bool:
    if not programme.registration_open or not programme.is_public or programme.is_past:
        return False
    return programme.registration_closes_at is None or programme.registration_closes_at > timezone.now()


def register(
    programme: Programme,
    applicant: Applicant,
    *,
    source: str = Registration.Source.SELF,
    actor=None,
    quota_organisation: Organisation | None = None,
    sessions: Iterable[int] | None = None,
) -> Registration:
    """Registers a person for every session of the programme (or only ``sessions``).

    Raises ValidationError (bad fields), AlreadyRegistered, RegistrationClosed or OverQuota.

    Written with ``core/sql.py`` rather than the ORM: this runs hundreds of times a second when a
    programme opens, and each ORM query costs more CPU than the database spends on it. The seats are
    taken by ``seats.py`` on one of its two paths: the one-statement path on PostgreSQL for the common
    case (at most one room, no agency quota), the portable path in a transaction otherwise.
    """
    applicant = clean_applicant(applicant)
    if source in (Registration.Source.SELF, Registration.Source.NOMINATED) and not registration_is_open(
        programme
    ):
        raise RegistrationClosed
    # A second registration for the same email fails on the unique constraint at its first INSERT,
    # before any shared row is touched; no read beforehand is needed.
    layout = seats.layout(programme)
    if sessions is not None:
        wanted = set(sessions)
        layout = {pk: value for pk, value in layout.items() if pk in wanted}
    quota_id = None
    if quota_organisation is not None:
        quota_id = (
            Quota.objects.filter(programme=programme, organisation=quota_organisation)
            .values_list("pk", flat=True)
            .first()
        )
    pending = programme.requires_approval and source == Registration.Source.SELF
    plan: seats.Plan = [
        (session, mode, sides[mode])
        for session, sides in layout.values()
        for mode in [seats.seat_mode(session.mode, applicant.modes.get(session.pk, applicant.preferred_mode))]
    ]
    now = timezone.now()
    values = {
        "programme_id": programme.pk,
        "reference": new_reference(),
        "token": new_token(),
        "pass_code": new_pass_code(),
        "email": applicant.email,
        "name_en": applicant.name_en,
        "name_zh": applicant.name_zh,
        "phone": applicant.phone,
        "organisation_id": applicant.organisation.pk if applicant.organisation else None,
        "organisation_name": applicant.organisation_name,
        "post": applicant.post,
        "service_unit": applicant.service_unit,
        "rsw_number": applicant.rsw_number,
        "preferred_mode": applicant.preferred_mode,
        "language": applicant.language,
        "status": Status.PENDING if pending else Status.CONFIRMED,
        "source": source,
        "nominated_by_id": actor.pk if source == Registration.Source.NOMINATED else None,
        "news_opt_in": applicant.news_opt_in,
        "photo_opt_out": applicant.photo_opt_out,
        "sms_opt_in": applicant.sms_opt_in,
        "created_at": now,
        "updated_at": now,
    }
    registration = Registration(**values)
    consents = [
        {
            "registration": sql.ParentId(),
            "kind": kind,
            "given": given,
            "wording_version": version,
            "language": applicant.language,
            "recorded_at": now,
        }
        for kind, given, version in (
            (ConsentRecord.Kind.COLLECTION_STATEMENT, applicant.consent_pics, COLLECTION_STATEMENT_VERSION),
            (ConsentRecord.Kind.NEWS, applicant.news_opt_in, NEWS_WORDING_VERSION),
            (ConsentRecord.Kind.NO_PHOTOS, applicant.photo_opt_out, PHOTOS_WORDING_VERSION),
            (ConsentRecord.Kind.SMS, applicant.sms_opt_in, SMS_WORDING_VERSION),
        )
    ]
    audited = []
    if source in (Registration.Source.ORGANISER, Registration.Source.WALK_IN) and actor is not None:
        audited = [
            audit.entry(
                actor=actor,
                action=audit.AuditEntry.Action.CREATE,
                instance=registration,
                programme=programme,
                summary=gettext_noop("registration added at the door")
                if source == Registration.Source.WALK_IN
                else "registration added by organiser",
                object_id=sql.ParentId(text=True),
            )
        ]
    limited = [] if pending else [item for item in plan if item[2].limited]
    placed = None
    if sql.one_statement_path() and quota_id is None and plan and len(limited) <= 1:
        try:
            placed = _register_at_once(registration, consents, audited, plan, pending=pending, now=now)
        except IntegrityError as error:
            _refuse_duplicate(programme, applicant.email, error)
    for attempt in range(0 if placed else 3):
        try:
            with write_transaction():
                # The rows nobody else touches come first (in one statement on PostgreSQL); the
                # shared rows (the agency's quota, the seat counters) are locked last, so on
                # PostgreSQL their locks are held only until COMMIT.
                registration.pk = sql.insert_family(
                    Registration, values, [(ConsentRecord, consents), (AuditEntry, audited)]
                )
                # "registered": the email says what the seats say when it is sent (confirmed,
                # waiting list or pending); its task row commits with the registration.
                _notify(registration.pk, "registered")
                if quota_id is not None and not sql.execute(
                    f"UPDATE {sql.table(Quota)} SET used = used + 1 WHERE id = %s AND used < places",  # noqa: S608 - names from the model
                    [quota_id],
                ):
                    raise OverQuota
                placed = seats.place(registration.pk, plan, pending=pending, now=now)
            break
        except seats.CapacityMoved:
            if attempt == 2:
                raise
        except IntegrityError as error:
            _refuse_duplicate(programme, applicant.email, error)
    registration.status = placed.status
    registration._state.adding = False
    registration._state.db = connection.alias
    registration.programme = programme
    registration.organisation = applicant.organisation
    # Kept on the registration so callers can answer without reading the seats back.
    registration.seat_list = [
        SeatAllocation(
            id=seat_id,
            registration=registration,
            session=session,
            mode=mode,
            status=placed.statuses[session.pk],
            requested_at=now,
            updated_at=now,
        )
        for seat_id, (session, mode, _side) in zip(placed.seat_ids, plan, strict=True)
    ]
    return registration


@dataclass
class Arrival:
    """One person of a bulk load (``register_many()``)."""

    applicant: Applicant
    source: str = Registration.Source.SELF
    nominated_by: Any = None
    cancelled: bool = False


def register_many(programme: Programme, arrivals: list[Arrival]) -> list[Registration]:
    """Registers many people at once, first come first served in the order given (the demo, large
    imports): one transaction, bulk inserts, the seats by ``seats.place_many()``. Applicants are
    assumed clean (``clean_applicant()``) and new to the programme."""
    sessions = list(programme.sessions.select_related("venue").order_by("starts_at", "pk"))
    seats.counters_for(sessions)
    with write_transaction():
        counters = seats.lock_counters([session.pk for session in sessions])
        registrations = [
            Registration(
                programme=programme,
                email=normalise_email(arrival.applicant.email),
                name_en=arrival.applicant.name_en,
                name_zh=arrival.applicant.name_zh,
                phone=arrival.applicant.phone,
                organisation=arrival.applicant.organisation,
                organisation_name=arrival.applicant.organisation_name,
                post=arrival.applicant.post,
                service_unit=arrival.applicant.service_unit,
                rsw_number=arrival.applicant.rsw_number,
                preferred_mode=arrival.applicant.preferred_mode,
                language=arrival.applicant.language,
                status=Status.CONFIRMED,
                source=arrival.source,
                nominated_by=arrival.nominated_by,
                news_opt_in=arrival.applicant.news_opt_in,
                photo_opt_out=arrival.applicant.photo_opt_out,
                sms_opt_in=arrival.applicant.sms_opt_in,
            )
            for arrival in arrivals
        ]
        Registration.objects.bulk_create(registrations, batch_size=1000)
        ConsentRecord.objects.bulk_create(
            [
                ConsentRecord(
                    registration=registration,
                    kind=kind,
                    given=given,
                    wording_version=version,
                    language=arrival.applicant.language,
                )
                for registration, arrival in zip(registrations, arrivals, strict=True)
                for kind, given, version in (
                    (ConsentRecord.Kind.COLLECTION_STATEMENT, True, COLLECTION_STATEMENT_VERSION),
                    (ConsentRecord.Kind.NEWS, arrival.applicant.news_opt_in, NEWS_WORDING_VERSION),
                    (ConsentRecord.Kind.NO_PHOTOS, arrival.applicant.photo_opt_out, PHOTOS_WORDING_VERSION),
                    (ConsentRecord.Kind.SMS, arrival.applicant.sms_opt_in, SMS_WORDING_VERSION),
                )
            ],
            batch_size=2000,
        )
        plans = [
            [
                (
                    session,
                    seats.seat_mode(
                        session.mode,
                        arrival.applicant.modes.get(session.pk, arrival.applicant.preferred_mode),
                    ),
                )
                for session in sessions
            ]
            for arrival in arrivals
        ]
        statuses = seats.place_many(
            [registration.pk for registration in registrations],
            plans,
            [arrival.cancelled for arrival in arrivals],
            counters,
        )
        for registration, status in zip(registrations, statuses, strict=True):
            registration.status = status
        _recount_quotas(programme)
    return registrations


def _recount_quotas(programme: Programme) -> None:
    from plenary.registrations.selectors import ACTIVE_STATUSES

    for quota in Quota.objects.filter(programme=programme):
        Quota.objects.filter(pk=quota.pk).update(
            used=programme.registrations.filter(
                organisation=quota.organisation_id,
                source=Registration.Source.NOMINATED,
                status__in=ACTIVE_STATUSES,
            ).count()
        )


def _refuse_duplicate(programme: Programme, email: str, error: IntegrityError) -> None:
    """After an IntegrityError: AlreadyRegistered if this email is registered, else the error itself."""
    existing = Registration.objects.filter(programme=programme, email=email).first()
    if existing is not None:
        raise AlreadyRegistered(existing) from error
    raise error


def _register_at_once(
    registration: Registration,
    consents: list[dict[str, Any]],
    audited: list[dict[str, Any]],
    plan: seats.Plan,
    *,
    pending: bool,
    now,
) -> seats.Placed | None:
    """The one-statement path (``seats.one_statement_path()``): the whole registration as ONE
    statement — the registration with the status that follows from its seats, its consents, its
    audit entry, and the seat parts of ``seats.place_at_once_parts()`` (the same ``take-seat`` and
    ``join-waiting-list`` statements the portable path runs one by one). A single statement is atomic
    on its own, so there is no BEGIN or COMMIT round trip, and the seat counter's row is locked only
    while the database runs it. The email's task row is a CTE of the same statement (``core/tasks.py``).

    A second registration for the same email raises IntegrityError, as the portable path does. None
    when the room's capacity moved at that instant (nothing is stored): the caller then takes the
    portable path.
    """
    column = sql.column
    seat_parts, seat_params, status_sql, limited = seats.place_at_once_parts(plan, pending=pending, now=now)
    values = {
        field.attname: getattr(registration, field.attname)
        for field in Registration._meta.concrete_fields
        if field.attname != "id"
    }
    names = list(values)
    cells, params = [], []
    for name in names:
        cells.append(status_sql if name == "status" else "%s")
        params.append(sql.prepare(Registration, name, values[name]))
    # The seat CTEs come first in the statement (the registration's status reads ``waited``).
    parts = [seat_parts[index] for index in range(len(seat_parts) - 1)]
    head_params = seat_params[: 2 if limited else 0]
    parts.append(
        f"p AS (INSERT INTO {sql.table(Registration)} ({', '.join(column(Registration, name) for name in names)}) "  # noqa: S608 - names from the models, values bound
        f"VALUES ({', '.join(cells)}) RETURNING id)"
    )
    child_params: list[Any] = []
    for index, (model, rows) in enumerate([(ConsentRecord, consents), (AuditEntry, audited)]):
        if not rows:
            continue
        row_names = tuple(rows[0])
        rendered = []
        for item in rows:
            row_cells = []
            for name in row_names:
                value = item[name]
                if isinstance(value, sql.ParentId):
                    row_cells.append(
                        "(SELECT CAST(id AS text) FROM p)" if value.text else "(SELECT id FROM p)"
                    )
                else:
                    row_cells.append("%s")
                    child_params.append(sql.prepare(model, name, value))
            rendered.append("(" + ", ".join(row_cells) + ")")
        parts.append(
            f"c{index} AS (INSERT INTO {sql.table(model)} ({', '.join(column(model, name) for name in row_names)}) "  # noqa: S608
            f"VALUES {', '.join(rendered)})"
        )
    # The email's task row is part of the same statement: it commits with the registration or not at
    # all (with a queue other than the database one, it is enqueued after the statement instead).
    from plenary.registrations import tasks

    outbox = task_row_cte(
        tasks.send_registration_email, "(SELECT id FROM p), CAST(%s AS text)", ["registered"]
    )
    if outbox is not None:
        parts.append(f"t AS ({outbox[0]})")
        child_params.extend(outbox[1])
    parts.append(seat_parts[-1])
    decided = "(SELECT status FROM decided)" if limited else "NULL"
    try:
        answer = sql.fetchall(
            f"WITH {', '.join(parts)} SELECT (SELECT id FROM p), {decided}, id, "  # noqa: S608
            f"{column(SeatAllocation, 'session')} FROM seats",
            [*head_params, *params, *child_params, *seat_params[len(head_params) :]],
        )
    except IntegrityError:
        if (
            limited
            and not Registration.objects.filter(
                programme_id=registration.programme_id, email=registration.email
            ).exists()
        ):
            return None  # the capacity moved under the seat (its status came out empty): start again
        raise
    registration.pk = answer[0][0]
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    statuses = {session.pk: fixed for session, _mode, _side in plan}
    if limited:
        statuses[limited[0][0].pk] = answer[0][1]
    ids = {session_id: seat_id for _registration, _decided, seat_id, session_id in answer}
    if outbox is None:
        _notify(registration.pk, "registered")
    return seats.Placed(
        statuses,
        [ids[session.pk] for session, _mode, _side in plan],
        Status.PENDING if pending else seats.summary_status(statuses.values()),
    )


def nominate(
    programme: Programme, applicant: Applicant, *, coordinator, agency: Organisation
) -> Registration:
    """A coordinator puts a member of their agency's staff forward, within the agency's quota."""
    if not access.coordinates(coordinator, agency):
        raise PermissionDenied(_("You are not a coordinator of that agency."))
    applicant.organisation = agency
    applicant.organisation_name = ""
    return register(
        programme,
        applicant,
        source=Registration.Source.NOMINATED,
        actor=coordinator,
        quota_organisation=agency,
    )


def _session_ids(registration: Registration) -> set[int]:
    return set(SeatAllocation.objects.filter(registration=registration).values_list("session_id", flat=True))


def _audit_status(current: Registration, actor, before: str, summary: str) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=current,
            programme=current.programme,
            before={"status": before},
            after={"status": current.status},
            summary=summary,
        )


def cancel(registration: Registration, *, actor=None, reason: str = "") -> Registration:
    """Cancels a registration, frees its seats and promotes each side's waiting list. Idempotent."""
    session_ids = _session_ids(registration)
    with write_transaction():
        quota = _locked_quota(registration)
        counters = seats.lock_counters(session_ids)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status in (Status.CANCELLED, Status.REJECTED):
            return current
        before = current.status
        Registration.objects.filter(pk=current.pk).update(status=Status.CANCELLED, updated_at=timezone.now())
        promoted = seats.release(current, counters)
        if quota is not None:
            Quota.objects.filter(pk=quota.pk, used__gt=0).update(used=F("used") - 1)
        _notify_promotions(promoted)
        current.status = Status.CANCELLED
        _audit_status(current, actor, before, reason or gettext_noop("registration cancelled"))
        _notify(current.pk, "cancelled")
    registration.status = Status.CANCELLED
    return current


def register_again(
    registration: Registration, applicant: Applicant | None = None, *, actor=None, reason: str = ""
) -> Registration:
    """A cancelled registration registers again: the same private link, reference and pass, and new seats
    in every session it had (or every session), taken now in order through ``seats.reinstate()`` — a seat
    where the side has one, else the end of the waiting list. Also a coordinator's or organiser's "undo"
    of a cancellation. An agency nomination takes its quota place again. The person is emailed as on
    registering (confirmed, waiting list or pending)."""
    programme = registration.programme
    if registration.status != Status.CANCELLED:
        raise WrongStatus(_("Only a cancelled registration can be registered again."))
    if registration.source in (Registration.Source.SELF, Registration.Source.NOMINATED) and not (
        registration_is_open(programme)
    ):
        raise RegistrationClosed
    layout = seats.layout(programme)
    had = _session_ids(registration)
    if had:
        layout = {pk: value for pk, value in layout.items() if pk in had}
    old_modes = dict(
        SeatAllocation.objects.filter(registration=registration).values_list("session_id", "mode")
    )

    def wanted(session_id: int) -> str:
        if applicant is not None:
            return applicant.modes.get(session_id, applicant.preferred_mode)
        return old_modes.get(session_id, registration.preferred_mode)

    plan: seats.Plan = [
        (session, mode, sides[mode])
        for session, sides in layout.values()
        for mode in [seats.seat_mode(session.mode, wanted(session.pk))]
        if mode in sides
    ]
    pending = programme.requires_approval and registration.source == Registration.Source.SELF
    now = timezone.now()
    with write_transaction():
        quota = None
        if registration.source == Registration.Source.NOMINATED and registration.organisation_id:
            quota = (
                Quota.objects.select_for_update()
                .filter(programme_id=programme.pk, organisation_id=registration.organisation_id)
                .first()
            )
        counters = seats.lock_counters(layout)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Status.CANCELLED:
            raise WrongStatus(_("Only a cancelled registration can be registered again."))
        if quota is not None and not Quota.objects.filter(pk=quota.pk, used__lt=F("places")).update(
            used=F("used") + 1
        ):
            raise OverQuota
        if applicant is not None:
            Registration.objects.filter(pk=current.pk).update(
                preferred_mode=applicant.preferred_mode, language=applicant.language
            )
        current.status = seats.reinstate(current, plan, counters, pending=pending, now=now)
        _audit_status(current, actor, Status.CANCELLED, reason or gettext_noop("registered again"))
        _notify(current.pk, "registered")
    current.refresh_from_db()
    registration.status = current.status
    return current


def change_mode(registration: Registration, session: Session, mode: str, *, actor=None) -> SeatAllocation:
    """Moves a person between the room and online for one hybrid session, if the other side has room."""
    if mode not in Mode.values or session.mode != Session.Mode.HYBRID:
        raise SeatsUnavailable
    seats.counters_for([session])
    with write_transaction():
        counters = seats.lock_counters({session.pk})
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status in (Status.CANCELLED, Status.REJECTED):
            raise WrongStatus
        seat, old_mode, promoted = seats.move(current, session, mode, counters)
        if old_mode == mode:
            return seat
        Registration.objects.filter(pk=current.pk).update(preferred_mode=mode, updated_at=timezone.now())
        _notify_promotions(promoted)
        if actor is not None and getattr(actor, "is_authenticated", False):
            audit.record(
                actor=actor,
                action=audit.AuditEntry.Action.UPDATE,
                instance=current,
                programme=current.programme,
                before={"session": session.pk, "mode": old_mode},
                after={"session": session.pk, "mode": mode},
                summary=gettext_noop("mode changed"),
            )
    return seat


def approve(registration: Registration, *, actor) -> Registration:
    """Approves a pending registration: its seats are taken now, or it joins the waiting lists."""
    session_ids = _session_ids(registration)
    seats.counters_for(list(Session.objects.filter(pk__in=session_ids).select_related("venue")))
    with write_transaction():
        counters = seats.lock_counters(session_ids)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Status.PENDING:
            raise WrongStatus
        seats.confirm_pending(current, counters)
        current.refresh_from_db()
        _audit_status(current, actor, Status.PENDING, gettext_noop("registration approved"))
        if current.status != Status.PENDING:
            _notify(current.pk, current.status)
    return current


def reject(registration: Registration, *, actor, reason: str = "") -> Registration:
    """Turns down a pending registration. Its seats are released like a cancellation's: a pending
    person may already hold a room seat (moved in at the desk), and a nomination gives back its
    agency's quota place."""
    session_ids = _session_ids(registration)
    with write_transaction():
        quota = _locked_quota(registration)
        counters = seats.lock_counters(session_ids)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Status.PENDING:
            raise WrongStatus
        Registration.objects.filter(pk=current.pk).update(status=Status.REJECTED, updated_at=timezone.now())
        promoted = seats.release(current, counters)
        if quota is not None:
            Quota.objects.filter(pk=quota.pk, used__gt=0).update(used=F("used") - 1)
        _notify_promotions(promoted)
        current.status = Status.REJECTED
        _audit_status(current, actor, Status.PENDING, reason or gettext_noop("registration rejected"))
    return current


def _locked_quota(registration: Registration) -> Quota | None:
    """The nominating agency's quota row, locked (taken first, in the same order by every writer)."""
    if registration.source != Registration.Source.NOMINATED or not registration.organisation_id:
        return None
    return (
        Quota.objects.select_for_update()
        .filter(programme_id=registration.programme_id, organisation_id=registration.organisation_id)
        .first()
    )


# --- the door desk ---------------------------------------------------------------------------------


def walk_in(session: Session, applicant: Applicant, *, actor) -> Registration:
    """Registers someone at the door into a free seat in this session's room (confirmed, in person).

    A registration like any other — cleaned, with its consents — for this session only. A full room
    is refused (``RoomFull``) and nothing is stored.
    """
    applicant.preferred_mode = Mode.IN_PERSON
    applicant.modes = {session.pk: Mode.IN_PERSON}
    applicant = clean_applicant(applicant)
    if Registration.objects.filter(programme_id=session.programme_id, email=applicant.email).exists():
        raise ValidationError(
            {"email": _("This email is already registered: find the person by name or reference instead.")}
        )
    programme = Programme.objects.get(pk=session.programme_id)
    with write_transaction():
        # Refused before anything is written when the room is full (the seat is taken again, under
        # the counter's lock, by ``seats.seat_in_room()``).
        seats.counters_for([session])
        counters = seats.lock_counters([session.pk])
        room = counters.get((session.pk, Mode.IN_PERSON))
        if room is None or (room.capacity is not None and room.taken >= room.capacity):
            raise RoomFull(session, room.capacity if room else None)
        registration = register(
            programme,
            applicant,
            source=Registration.Source.WALK_IN,
            actor=actor,
            sessions=[session.pk],
        )
    return Registration.objects.get(pk=registration.pk)


def move_into_room(registration: Registration, session: Session, *, actor) -> SeatAllocation:
    """Gives a waitlisted (or online) person a free seat in the room, at the desk."""
    with write_transaction():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status in (Status.CANCELLED, Status.REJECTED):
            raise WrongStatus(_("This registration is cancelled."))
        seat, before, promoted = seats.seat_in_room(current, session)
        _notify_promotions(promoted)
        if before != {"mode": Mode.IN_PERSON, "status": SeatStatus.CONFIRMED}:
            audit.record(
                actor=actor,
                action=audit.AuditEntry.Action.UPDATE if before else audit.AuditEntry.Action.CREATE,
                instance=seat,
                programme=session.programme,
                before=before,
                after={"mode": seat.mode, "status": seat.status},
                summary=f"Moved into the room at the desk: {current.reference}",
            )
    return seat


EDITABLE_FIELDS = (
    "name_en",
    "name_zh",
    "phone",
    "organisation",
    "organisation_name",
    "post",
    "service_unit",
    "rsw_number",
    "language",
)


def update_details(registration: Registration, changes: dict[str, Any], *, actor) -> Registration:
    """An organiser corrects a registrant's details (not seats, which change through the use cases)."""
    with write_transaction():
        before = audit.snapshot(registration)
        for name, value in changes.items():
            if name in EDITABLE_FIELDS:
                setattr(registration, name, value)
        registration.full_clean(exclude=["programme", "email", "token", "pass_code", "reference"])
        registration.save()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=registration,
            programme=registration.programme,
            before=before,
            after=audit.snapshot(registration),
        )
    return registration


def rotate_token(registration: Registration) -> Registration:
    """Gives a registration a new private link and a new pass code; the old ones stop working."""
    registration.token = new_token()
    registration.pass_code = new_pass_code()
    with write_transaction():
        Registration.objects.filter(pk=registration.pk).update(
            token=registration.token, pass_code=registration.pass_code, updated_at=timezone.now()
        )
        _notify(registration.pk, "link")
    return registration


def resend_link(programme: Programme, email: str) -> None:
    """Emails the private link to this address if it is registered; says nothing either way."""
    registration = Registration.objects.filter(programme=programme, email=normalise_email(email)).first()
    if registration is not None:
        _notify(registration.pk, "link")


def follow_capacity(session_ids) -> list[int]:
    """After a venue's or a session's places changed: the counters follow, waiting lists move up
    (and are told), and a capacity below the seats already confirmed is refused
    (``CapacityBelowSeats``). In the caller's transaction, so a refusal undoes the change."""
    promoted = seats.follow_capacity(session_ids)
    _notify_promotions(promoted)
    return promoted


@dataclass
class RowResult:
    row: int
    email: str
    name: str
    accepted: bool
    reason: str = ""
    reference: str = ""


def _field_label(name: str) -> str:
    """A registration field's name as people read it (never ``service_unit``); none for the whole row."""
    try:
        return str(Registration._meta.get_field(name).verbose_name).capitalize()
    except FieldDoesNotExist:  # "__all__": the message says it all
        return ""


def nominate_rows(
    programme: Programme,
    rows: list[dict[str, str]],
    *,
    coordinator,
    agency: Organisation,
    language: str = "en",
) -> list[RowResult]:
    """Nominates every good row of an upload, each in its own transaction; reports each row.

    Rows are numbered as a spreadsheet shows them (the header is row 1).
    """
    from plenary.registrations.spreadsheets import MODE_WORDS

    results: list[RowResult] = []
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        email = normalise_email(row.get("email", ""))
        name = row.get("name_en", "") or row.get("name_zh", "")
        result = RowResult(row=number, email=email, name=name, accepted=False)
        results.append(result)
        mode = MODE_WORDS.get(row.get("mode", "").strip().lower())
        if mode is None:
            result.reason = str(
                _("Unknown session mode “%(mode)s”: write “in person” or “online” (or 現場 or 網上).")
                % {"mode": row["mode"]}
            )
            continue
        if email in seen:
            result.reason = str(_("Duplicate: this email appears earlier in the file."))
            continue
        seen.add(email)
        applicant = Applicant(
            email=email,
            name_en=row.get("name_en", ""),
            name_zh=row.get("name_zh", ""),
            phone=row.get("phone", "")[:30],
            post=row.get("post", "")[:200],
            service_unit=row.get("service_unit", "")[:200],
            rsw_number=row.get("rsw_number", ""),
            preferred_mode=mode,
            language=language,
            consent_pics=True,
        )
        try:
            registration = nominate(programme, applicant, coordinator=coordinator, agency=agency)
        except ValidationError as error:
            messages = []
            for field_name, errors in error.message_dict.items():
                label = {"email": _("Bad email"), "rsw_number": _("RSW number"), "name_en": _("Name")}.get(
                    field_name
                ) or _field_label(field_name)
                messages.append(f"{label}: {' '.join(str(e) for e in errors)}" if label else " ".join(errors))
            result.reason = "; ".join(messages)
        except AlreadyRegistered:
            result.reason = str(_("Duplicate: this email is already registered for the programme."))
        except OverQuota:
            result.reason = str(_("Over quota: your agency has no places left."))
        except RegistrationError as error:
            result.reason = str(error.message)
        else:
            result.accepted = True
            result.reference = registration.reference
    return results


def set_quota(programme: Programme, organisation: Organisation, places: int, *, actor) -> Quota:
    """Gives an agency a number of nomination places; ``used`` is recounted from its nominations."""
    from plenary.registrations.selectors import ACTIVE_STATUSES

    with write_transaction():
        used = Registration.objects.filter(
            programme=programme,
            organisation=organisation,
            source=Registration.Source.NOMINATED,
            status__in=ACTIVE_STATUSES,
        ).count()
        quota, created = Quota.objects.select_for_update().get_or_create(
            programme=programme, organisation=organisation, defaults={"places": places, "used": used}
        )
        before = None if created else audit.snapshot(quota)
        if not created:
            Quota.objects.filter(pk=quota.pk).update(places=places, used=used)
            quota.refresh_from_db()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.CREATE if created else audit.AuditEntry.Action.UPDATE,
            instance=quota,
            programme=programme,
            before=before,
            after=audit.snapshot(quota),
        )
    return quota


def add_coordinator(
    programme: Programme, agency: Organisation, *, username: str, email: str, name: str = "", actor
) -> tuple[Any, str]:
    """Creates a coordinator account for a member agency; returns the user and a one-time password.

    Raises ValidationError when the username is taken or a field is bad.
    """
    import secrets as _secrets

    from django.contrib.auth import get_user_model

    from plenary.organisations.models import Membership

    User = get_user_model()
    username = username.strip()
    errors = {}
    if not username or User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("This username is taken or empty.")]
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = [_("Enter a valid email address.")]
    if not agency.is_member_agency:
        errors["organisation"] = [_("Coordinators belong to member agencies.")]
    if errors:
        raise ValidationError(errors)
    password = _secrets.token_urlsafe(12)
    with write_transaction():
        user = User.objects.create_user(username=username, email=normalise_email(email), password=password)
        user.first_name = name[:150]
        user.save(update_fields=["first_name"])
        membership = Membership.objects.create(
            user=user, organisation=agency, role=Membership.Role.COORDINATOR
        )
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.CREATE,
            instance=membership,
            programme=programme,
            summary=gettext_noop("coordinator account created"),
        )
    return user, password
