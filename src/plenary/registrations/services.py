"""Every write to registrations: register, nominate, cancel, change mode, approve, reject, capacity.

Seats are never oversold. Each side of a session (the room, the online meeting) has a ``SeatCounter``
row; a seat is taken with ``UPDATE ... SET taken = taken + 1 WHERE taken < capacity`` inside the
registration's transaction. When that fails, ``UPDATE ... SET waiting = waiting + 1 WHERE taken >=
capacity`` joins the waiting list while holding the same row lock, so a seat released at that moment
is either seen by this request or promotes it. Every use case locks counters (in id order) before it
touches registration or seat rows, so concurrent use cases cannot deadlock.

Reads (programme, sessions, counters, the duplicate check) happen before the transaction: on SQLite
the transaction takes the database's write lock at BEGIN, and it must stay short.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plenary.core import audit, sql
from plenary.core.models import AuditEntry
from plenary.core.tasks import enqueue_on_commit
from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import (
    ConsentRecord,
    Quota,
    Registration,
    SeatAllocation,
    SeatCounter,
    new_pass_code,
    new_reference,
    new_token,
)

# The wording versions of the consents on the form; bump when the text changes.
COLLECTION_STATEMENT_VERSION = "pics-2026-1"
NEWS_WORDING_VERSION = "news-2026-1"
PHOTOS_WORDING_VERSION = "photos-2026-1"

RSW_NUMBER = re.compile(r"^[A-Z]{1,2}\d{4,6}$")
HKID_LIKE = re.compile(r"^[A-Z]{1,2}\d{6}\(?[0-9A]\)?$")
HKID_ANYWHERE = re.compile(r"(?<![A-Z0-9])[A-Z]{1,2}\s?\d{6}\s?\(?[0-9A]\)?(?![0-9])")

Mode = Registration.Mode
SeatStatus = SeatAllocation.Status
Status = Registration.Status


class RegistrationError(Exception):
    """A use case could not go ahead; ``message`` is for the person, in their language."""

    def __init__(self, message: Any = ""):
        super().__init__(str(message))
        self.message = message


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration):
        super().__init__(_("This email address is already registered for this programme."))
        self.registration = registration


class RegistrationClosed(RegistrationError):
    def __init__(self):
        super().__init__(_("Registration for this programme is closed."))


class OverQuota(RegistrationError):
    def __init__(self):
        super().__init__(_("Your agency's quota for this programme is used up."))


class SeatsUnavailable(RegistrationError):
    def __init__(self):
        super().__init__(_("There are no places left in that mode."))


class WrongStatus(RegistrationError):
    def __init__(self):
        super().__init__(_("This registration cannot be changed in its current status."))


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
        if HKID_LIKE.match(rsw):
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
    for name in ("name_en", "post", "service_unit", "phone", "organisation_name"):
        if HKID_ANYWHERE.search(getattr(applicant, name).upper()):
            target = "organisation" if name == "organisation_name" else name
            errors.setdefault(target, []).append(
                _("This looks like an identity card number. Please do not give your HKID number.")
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


# --- counters -------------------------------------------------------------------------------------


def side_capacity(session: Session, mode: str) -> int | None:
    """The places on one side of a session as the programme defines them; None for no limit."""
    if mode == Mode.IN_PERSON:
        return session.venue.capacity if session.venue_id else None
    return session.online_capacity


def seat_mode(session: Session, wanted: str) -> str:
    """Online sessions give online seats, in-person sessions room seats; hybrid ones follow the wish."""
    return _seat_mode(session.mode, wanted)


def _seat_mode(session_mode: str, wanted: str) -> str:
    if session_mode == Session.Mode.ONLINE:
        return Mode.ONLINE
    if session_mode == Session.Mode.IN_PERSON:
        return Mode.IN_PERSON
    return wanted


def _side_modes(session: Session) -> list[str]:
    modes = []
    if session.has_room:
        modes.append(Mode.IN_PERSON)
    if session.is_online:
        modes.append(Mode.ONLINE)
    return modes


def counters_for(sessions: list[Session]) -> dict[tuple[int, str], SeatCounter]:
    """The counter of every side of these sessions, created (from the seats) where missing."""
    counters = {
        (counter.session_id, counter.mode): counter
        for counter in SeatCounter.objects.filter(session__in=[s.pk for s in sessions])
    }
    for session in sessions:
        for mode in _side_modes(session):
            if (session.pk, mode) not in counters:
                counters[(session.pk, mode)] = _create_counter(session, mode)
    return counters


def _create_counter(session: Session, mode: str) -> SeatCounter:
    try:
        with write_transaction():
            seats = SeatAllocation.objects.filter(session=session, mode=mode)
            return SeatCounter.objects.create(
                session=session,
                mode=mode,
                capacity=side_capacity(session, mode),
                taken=seats.filter(status=SeatStatus.CONFIRMED).count(),
                waiting=seats.filter(status=SeatStatus.WAITLISTED).count(),
            )
    except IntegrityError:
        return SeatCounter.objects.get(session=session, mode=mode)


def _take_seat(counter_id: int) -> str:
    """Takes a seat on a limited side or joins its waiting list; returns the seat status."""
    counters, taken, waiting, capacity = (
        sql.table(SeatCounter),
        sql.column(SeatCounter, "taken"),
        sql.column(SeatCounter, "waiting"),
        sql.column(SeatCounter, "capacity"),
    )
    for _attempt in range(5):
        if sql.execute(
            f"UPDATE {counters} SET {taken} = {taken} + 1 WHERE id = %s AND {taken} < {capacity}",  # noqa: S608 - names from the model
            [counter_id],
        ):
            return SeatStatus.CONFIRMED
        if sql.execute(
            f"UPDATE {counters} SET {waiting} = {waiting} + 1 WHERE id = %s AND {taken} >= {capacity}",  # noqa: S608
            [counter_id],
        ):
            return SeatStatus.WAITLISTED
    # The capacity moved under us five times in a row: wait rather than risk a seat.
    SeatCounter.objects.filter(pk=counter_id).update(waiting=F("waiting") + 1)
    return SeatStatus.WAITLISTED


def _lock_counters(session_ids: set[int]) -> dict[tuple[int, str], SeatCounter]:
    """Locks every counter of these sessions in id order (a no-op on SQLite, whose BEGIN IMMEDIATE
    already holds the write lock)."""
    locked = SeatCounter.objects.select_for_update().filter(session_id__in=session_ids).order_by("pk")
    return {(counter.session_id, counter.mode): counter for counter in locked}


def _release(counter: SeatCounter | None, status: str) -> None:
    if counter is None or counter.capacity is None:
        return
    if status == SeatStatus.CONFIRMED:
        SeatCounter.objects.filter(pk=counter.pk, taken__gt=0).update(taken=F("taken") - 1)
    elif status == SeatStatus.WAITLISTED:
        SeatCounter.objects.filter(pk=counter.pk, waiting__gt=0).update(waiting=F("waiting") - 1)


def _promote(counter: SeatCounter) -> list[int]:
    """Fills free seats on one side from its waiting list, first come first served.

    The caller already holds the counter's lock. Returns the registrations that gained a seat.
    """
    promoted: list[int] = []
    if counter.capacity is None:
        waiting = SeatAllocation.objects.filter(
            session_id=counter.session_id, mode=counter.mode, status=SeatStatus.WAITLISTED
        )
        promoted = list(waiting.values_list("registration_id", flat=True))
        waiting.update(status=SeatStatus.CONFIRMED, updated_at=timezone.now())
        SeatCounter.objects.filter(pk=counter.pk).update(waiting=0)
        return promoted
    while SeatCounter.objects.filter(pk=counter.pk, taken__lt=F("capacity"), waiting__gt=0).update(
        taken=F("taken") + 1, waiting=F("waiting") - 1
    ):
        seat = (
            SeatAllocation.objects.filter(
                session_id=counter.session_id, mode=counter.mode, status=SeatStatus.WAITLISTED
            )
            .order_by("requested_at", "id")
            .first()
        )
        if seat is None:
            # The count said someone waited but nobody does: put the seat back and stop.
            SeatCounter.objects.filter(pk=counter.pk).update(taken=F("taken") - 1, waiting=0)
            break
        SeatAllocation.objects.filter(pk=seat.pk).update(
            status=SeatStatus.CONFIRMED, updated_at=timezone.now()
        )
        promoted.append(seat.registration_id)
    return promoted


def _refresh_statuses(registration_ids: list[int]) -> dict[int, str]:
    """Sets each registration's status from its seats; returns the ones that changed (id → new status)."""
    if not registration_ids:
        return {}
    seats: dict[int, set[str]] = {}
    for registration_id, status in SeatAllocation.objects.filter(
        registration_id__in=registration_ids
    ).values_list("registration_id", "status"):
        seats.setdefault(registration_id, set()).add(status)
    changed = {}
    for registration_id, current in Registration.objects.filter(
        pk__in=registration_ids, status__in=[Status.PENDING, Status.CONFIRMED, Status.WAITLISTED]
    ).values_list("pk", "status"):
        wanted = summary_status(seats.get(registration_id, set()))
        if wanted != current:
            changed[registration_id] = wanted
    for registration_id, status in changed.items():
        Registration.objects.filter(pk=registration_id).update(status=status, updated_at=timezone.now())
    return changed


def summary_status(seat_statuses: set[str]) -> str:
    """A registration is pending while any seat awaits approval, waitlisted while any seat waits,
    and confirmed when every seat it asked for is confirmed."""
    if SeatStatus.PENDING in seat_statuses:
        return Status.PENDING
    if SeatStatus.WAITLISTED in seat_statuses:
        return Status.WAITLISTED
    return Status.CONFIRMED


def _notify(registration_id: int, kind: str) -> None:
    """Emails the person once the transaction commits (``core/tasks.py``)."""
    from plenary.registrations import tasks

    enqueue_on_commit(tasks.send_registration_email, registration_id, kind)


def _notify_promotions(promoted: list[int]) -> None:
    for registration_id in dict.fromkeys(promoted):
        _notify(registration_id, "promoted")


# --- use cases -------------------------------------------------------------------------------------


def registration_is_open(programme: Programme) -> bool:
    if not programme.registration_open or not programme.is_public:
        return False
    return programme.registration_closes_at is None or programme.registration_closes_at > timezone.now()


@dataclass
class _Side:
    counter_id: int
    limited: bool


def seat_layout(programme: Programme) -> dict[int, tuple[Session, dict[str, _Side]]]:
    """Every session of the programme (in id order) with the seat counter of each of its sides.

    One query written by hand (``core/sql.py``): a registration asks it every time. A side without
    a counter yet (a session just added) gets one, counted from its seats, through ``counters_for()``.
    """
    session_columns = ("id", "mode", "title_en", "title_zh")
    sessions, counters = sql.table(Session), sql.table(SeatCounter)
    rows = sql.fetchall(
        f"SELECT {', '.join('s.' + sql.column(Session, name) for name in session_columns)}, "  # noqa: S608 - names from the models, values bound
        f"c.id, c.{sql.column(SeatCounter, 'mode')}, c.{sql.column(SeatCounter, 'capacity')} "
        f"FROM {sessions} s LEFT JOIN {counters} c ON c.{sql.column(SeatCounter, 'session')} = s.id "
        f"WHERE s.{sql.column(Session, 'programme')} = %s ORDER BY s.id, c.id",
        [programme.pk],
    )
    layout: dict[int, tuple[Session, dict[str, _Side]]] = {}
    for *values, counter_id, side, capacity in rows:
        if values[0] not in layout:
            layout[values[0]] = (sql.hydrate(Session, session_columns, values), {})
        if counter_id is not None:
            layout[values[0]][1][side] = _Side(counter_id, capacity is not None)
    if any(set(_side_modes(session)) - set(sides) for session, sides in layout.values()):
        full = counters_for(list(Session.objects.filter(pk__in=layout).select_related("venue")))
        for session_id, (_session, sides) in layout.items():
            for (counter_session, side), counter in full.items():
                if counter_session == session_id:
                    sides[side] = _Side(counter.pk, counter.capacity is not None)
    return layout


def register(
    programme: Programme,
    applicant: Applicant,
    *,
    source: str = Registration.Source.SELF,
    actor=None,
    quota_organisation: Organisation | None = None,
) -> Registration:
    """Registers a person for every session of the programme.

    Raises ValidationError (bad fields), AlreadyRegistered, RegistrationClosed or OverQuota.

    Written with ``core/sql.py`` rather than the ORM: this runs hundreds of times a second when a
    programme opens, and each ORM query costs more CPU than the database spends on it.
    """
    applicant = clean_applicant(applicant)
    if source in (Registration.Source.SELF, Registration.Source.NOMINATED) and not registration_is_open(
        programme
    ):
        raise RegistrationClosed
    # A second registration for the same email fails on the unique constraint at its first INSERT,
    # before any shared row is touched; no read beforehand is needed.
    layout = seat_layout(programme)
    quota_id = None
    if quota_organisation is not None:
        quota_id = (
            Quota.objects.filter(programme=programme, organisation=quota_organisation)
            .values_list("pk", flat=True)
            .first()
        )
    pending = programme.requires_approval and source == Registration.Source.SELF
    plan = [
        (session, mode, sides[mode])
        for session, sides in layout.values()
        for mode in [_seat_mode(session.mode, applicant.modes.get(session.pk, applicant.preferred_mode))]
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
        )
    ]
    audited = []
    if source == Registration.Source.ORGANISER and actor is not None:
        audited = [
            audit.entry(
                actor=actor,
                action=audit.AuditEntry.Action.CREATE,
                instance=registration,
                programme=programme,
                summary="registration added by organiser",
                object_id=sql.ParentId(text=True),
            )
        ]
    limited = [] if pending else [item for item in plan if item[2].limited]
    at_once = None
    if (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and quota_id is None
        and plan
        and len(limited) <= 1
    ):
        try:
            at_once = _register_at_once(
                registration, consents, audited, plan, limited, pending=pending, now=now
            )
        except IntegrityError as error:
            _refuse_duplicate(programme, applicant.email, error)
    for attempt in range(0 if at_once else 3):
        try:
            with write_transaction():
                # The rows nobody else touches come first (in one statement on PostgreSQL); the
                # shared rows (the agency's quota, the seat counters) are locked last, so on
                # PostgreSQL their locks are held only until COMMIT.
                registration.pk = sql.insert_family(
                    Registration, values, [(ConsentRecord, consents), (AuditEntry, audited)]
                )
                # "registered": the email says what the seats say when it is sent (confirmed,
                # waiting list or pending); enqueued before the shared rows are locked.
                _notify(registration.pk, "registered")
                if quota_id is not None and not sql.execute(
                    f"UPDATE {sql.table(Quota)} SET used = used + 1 WHERE id = %s AND used < places",  # noqa: S608 - names from the model
                    [quota_id],
                ):
                    raise OverQuota
                statuses, seat_ids = _take_seats(registration, plan, pending=pending, now=now)
            break
        except _CapacityMoved:
            if attempt == 2:
                raise RegistrationError(_("Please try again in a moment.")) from None
        except IntegrityError as error:
            _refuse_duplicate(programme, applicant.email, error)
    if at_once:
        statuses, seat_ids = at_once
        _notify(registration.pk, "registered")
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
            status=statuses[session.pk],
            requested_at=now,
            updated_at=now,
        )
        for seat_id, (session, mode, _side) in zip(seat_ids, plan, strict=True)
    ]
    return registration


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
    plan: list[tuple[Session, str, _Side]],
    limited: list[tuple[Session, str, _Side]],
    *,
    pending: bool,
    now,
) -> tuple[dict[int, str], list[int]] | None:
    """PostgreSQL, outside any transaction, with at most one room to take a seat in and no agency
    quota (the common case when a programme opens): the whole registration as ONE statement — take the
    seat or join the waiting list, insert the registration with the status that follows, its consents,
    its audit entry and its seats. A single statement is atomic on its own, so there is no BEGIN or
    COMMIT round trip, and the seat counter's row is locked only while the database runs it.

    Returns each session's seat status and the seat ids (plan order). A second registration for the
    same email raises IntegrityError, as the ordinary path does. None when the room's capacity moved
    at that instant (nothing is stored): the caller then takes the ordinary path.
    """
    column = sql.column
    params: list[Any] = []
    parts: list[str] = []
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    if limited:
        counters, taken, waiting, capacity = (
            sql.table(SeatCounter),
            column(SeatCounter, "taken"),
            column(SeatCounter, "waiting"),
            column(SeatCounter, "capacity"),
        )
        parts += [
            f"took AS (UPDATE {counters} SET {taken} = {taken} + 1 WHERE id = %s AND {taken} < {capacity} RETURNING id)",  # noqa: S608 - names from the models, values bound
            f"waited AS (UPDATE {counters} SET {waiting} = {waiting} + 1 WHERE id = %s AND {taken} >= {capacity} "  # noqa: S608
            f"AND NOT EXISTS (SELECT 1 FROM took) RETURNING id)",
            "decided AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM took) THEN 'confirmed' "
            "WHEN EXISTS (SELECT 1 FROM waited) THEN 'waitlisted' END AS status)",
        ]
        params += [limited[0][2].counter_id, limited[0][2].counter_id]
    values = {
        field.attname: getattr(registration, field.attname)
        for field in Registration._meta.concrete_fields
        if field.attname != "id"
    }
    names = list(values)
    cells = []
    for name in names:
        if name == "status" and limited:
            cells.append("CASE WHEN EXISTS (SELECT 1 FROM waited) THEN %s ELSE %s END")
            params += [Status.WAITLISTED, values[name]]
        else:
            cells.append("%s")
            params.append(sql.prepare(Registration, name, values[name]))
    parts.append(
        f"p AS (INSERT INTO {sql.table(Registration)} ({', '.join(column(Registration, name) for name in names)}) "  # noqa: S608
        f"VALUES ({', '.join(cells)}) RETURNING id)"
    )
    children = [(ConsentRecord, consents), (AuditEntry, audited)]
    seat_rows = [
        {
            "registration": sql.ParentId(),
            "session": session.pk,
            "mode": mode,
            "status": None if limited and session.pk == limited[0][0].pk else fixed,
            "requested_at": now,
            "updated_at": now,
        }
        for session, mode, _side in plan
    ]
    for index, (model, rows) in enumerate([*children, (SeatAllocation, seat_rows)]):
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
                elif model is SeatAllocation and name == "status" and value is None:
                    row_cells.append("(SELECT status FROM decided)")  # NULL, refused, if capacity moved
                else:
                    row_cells.append("%s")
                    params.append(sql.prepare(model, name, value))
            rendered.append("(" + ", ".join(row_cells) + ")")
        returning = f" RETURNING id, {column(SeatAllocation, 'session')}" if model is SeatAllocation else ""
        parts.append(
            f"c{index} AS (INSERT INTO {sql.table(model)} ({', '.join(column(model, name) for name in row_names)}) "  # noqa: S608
            f"VALUES {', '.join(rendered)}{returning})"
        )
    seats_cte = f"c{len(children)}"
    decided = "(SELECT status FROM decided)" if limited else "NULL"
    try:
        answer = sql.fetchall(
            f"WITH {', '.join(parts)} SELECT (SELECT id FROM p), {decided}, id, "  # noqa: S608
            f"{column(SeatAllocation, 'session')} FROM {seats_cte}",
            params,
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
    statuses = {session.pk: fixed for session, _mode, _side in plan}
    if limited:
        statuses[limited[0][0].pk] = answer[0][1]
    registration.status = summary_status(set(statuses.values()))
    ids = {session_id: seat_id for _registration, _decided, seat_id, session_id in answer}
    return statuses, [ids[session.pk] for session, _mode, _side in plan]


class _CapacityMoved(Exception):
    """A room's capacity changed while a seat was being taken: the registration starts again."""


def _take_seats(
    registration: Registration, plan: list[tuple[Session, str, _Side]], *, pending: bool, now
) -> tuple[dict[int, str], list[int]]:
    """Takes a seat (or a place on the waiting list) on every side in the plan, stores the seats and
    the registration's resulting status. Returns each session's seat status and the seat ids (in
    plan order). The caller holds the transaction."""
    limited = [] if pending else [item for item in plan if item[2].limited]
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    statuses = {session.pk: fixed for session, _mode, _side in plan}
    if len(limited) == 1 and connection.vendor == "postgresql":
        return _take_one_limited_seat(registration, plan, limited[0], statuses, now)
    # Seats in counter-id order, so two registrations never wait on each other's rows.
    for session, _mode, side in sorted(limited, key=lambda item: item[2].counter_id):
        statuses[session.pk] = _take_seat(side.counter_id)
    # Inserted under the counter locks: seat ids follow the order in which seats were taken.
    seat_ids = sql.insert(
        SeatAllocation,
        [
            {
                "registration": registration.pk,
                "session": session.pk,
                "mode": mode,
                "status": statuses[session.pk],
                "requested_at": now,
                "updated_at": now,
            }
            for session, mode, _side in plan
        ],
    )
    status = summary_status(set(statuses.values()))
    if status != registration.status:
        registration.status = status
        sql.execute(
            f"UPDATE {sql.table(Registration)} SET status = %s WHERE id = %s",  # noqa: S608 - names from the model
            [status, registration.pk],
        )
    return statuses, seat_ids


def _take_one_limited_seat(
    registration: Registration,
    plan: list[tuple[Session, str, _Side]],
    limited: tuple[Session, str, _Side],
    statuses: dict[int, str],
    now,
) -> tuple[dict[int, str], list[int]]:
    """The common case on PostgreSQL — one room among the sessions — in one statement: take the
    seat or join the waiting list, store every seat, mark the registration waitlisted if it waits.
    The counter row stays locked only from this statement to COMMIT, one round trip later."""
    counters, taken, waiting, capacity = (
        sql.table(SeatCounter),
        sql.column(SeatCounter, "taken"),
        sql.column(SeatCounter, "waiting"),
        sql.column(SeatCounter, "capacity"),
    )
    seat_table = sql.table(SeatAllocation)
    seat_columns = ", ".join(
        sql.column(SeatAllocation, name)
        for name in ("registration", "session", "mode", "status", "requested_at", "updated_at")
    )
    rows, params = [], [limited[2].counter_id, limited[2].counter_id]
    for session, mode, _side in plan:
        if session.pk == limited[0].pk:
            rows.append("(%s, %s, %s, COALESCE((SELECT status FROM decided), %s), %s, %s)")
            params += [registration.pk, session.pk, mode, SeatStatus.WAITLISTED, now, now]
        else:
            rows.append("(%s, %s, %s, %s, %s, %s)")
            params += [registration.pk, session.pk, mode, statuses[session.pk], now, now]
    params += [Status.WAITLISTED, registration.pk, Status.CONFIRMED]
    answer = sql.fetchall(
        f"WITH took AS (UPDATE {counters} SET {taken} = {taken} + 1 WHERE id = %s AND {taken} < {capacity} RETURNING id), "  # noqa: S608 - names from the models, values bound
        f"waited AS (UPDATE {counters} SET {waiting} = {waiting} + 1 WHERE id = %s AND {taken} >= {capacity} "
        f"AND NOT EXISTS (SELECT 1 FROM took) RETURNING id), "
        f"decided AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM took) THEN 'confirmed' "
        f"WHEN EXISTS (SELECT 1 FROM waited) THEN 'waitlisted' END AS status), "
        f"seats AS (INSERT INTO {seat_table} ({seat_columns}) VALUES {', '.join(rows)} RETURNING id, "
        f"{sql.column(SeatAllocation, 'session')}), "
        f"marked AS (UPDATE {sql.table(Registration)} SET status = %s WHERE id = %s AND status = %s "
        f"AND EXISTS (SELECT 1 FROM waited)) "
        f"SELECT (SELECT status FROM decided), id, {sql.column(SeatAllocation, 'session')} FROM seats",
        params,
    )
    decided = answer[0][0]
    if decided is None:
        raise _CapacityMoved
    statuses[limited[0].pk] = decided
    registration.status = summary_status(set(statuses.values()))
    ids = {session_id: seat_id for _decided, seat_id, session_id in answer}
    return statuses, [ids[session.pk] for session, _mode, _side in plan]


def nominate(
    programme: Programme, applicant: Applicant, *, coordinator, agency: Organisation
) -> Registration:
    """A coordinator puts a member of their agency's staff forward, within the agency's quota."""
    from plenary.registrations.selectors import coordinator_agencies

    if not coordinator_agencies(coordinator).filter(pk=agency.pk).exists():
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


def cancel(registration: Registration, *, actor=None, reason: str = "") -> Registration:
    """Cancels a registration, frees its seats and promotes each side's waiting list. Idempotent."""
    session_ids = _session_ids(registration)
    with write_transaction():
        quota = None
        if registration.source == Registration.Source.NOMINATED and registration.organisation_id:
            quota = (
                Quota.objects.select_for_update()
                .filter(programme_id=registration.programme_id, organisation_id=registration.organisation_id)
                .first()
            )
        counters = _lock_counters(session_ids)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status in (Status.CANCELLED, Status.REJECTED):
            return current
        before = current.status
        seats = list(SeatAllocation.objects.filter(registration=current).exclude(status=SeatStatus.CANCELLED))
        for seat in seats:
            _release(counters.get((seat.session_id, seat.mode)), seat.status)
        SeatAllocation.objects.filter(pk__in=[seat.pk for seat in seats]).update(
            status=SeatStatus.CANCELLED, updated_at=timezone.now()
        )
        Registration.objects.filter(pk=current.pk).update(status=Status.CANCELLED, updated_at=timezone.now())
        if quota is not None:
            Quota.objects.filter(pk=quota.pk, used__gt=0).update(used=F("used") - 1)
        promoted: list[int] = []
        for seat in seats:
            counter = counters.get((seat.session_id, seat.mode))
            if seat.status == SeatStatus.CONFIRMED and counter is not None:
                promoted += _promote(counter)
        _refresh_statuses(promoted)
        _notify_promotions(promoted)
        current.status = Status.CANCELLED
        if actor is not None and getattr(actor, "is_authenticated", False):
            audit.record(
                actor=actor,
                action=audit.AuditEntry.Action.UPDATE,
                instance=current,
                programme=current.programme,
                before={"status": before},
                after={"status": Status.CANCELLED},
                summary=reason or "registration cancelled",
            )
        _notify(current.pk, "cancelled")
    registration.status = Status.CANCELLED
    return current


def change_mode(registration: Registration, session: Session, mode: str, *, actor=None) -> SeatAllocation:
    """Moves a person between the room and online for one hybrid session, if the other side has room."""
    if mode not in Mode.values or session.mode != Session.Mode.HYBRID:
        raise SeatsUnavailable
    counters_for([session])
    with write_transaction():
        counters = _lock_counters({session.pk})
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status in (Status.CANCELLED, Status.REJECTED):
            raise WrongStatus
        seat = SeatAllocation.objects.filter(registration=current, session=session).first()
        if seat is None or seat.status == SeatStatus.CANCELLED:
            raise WrongStatus
        if seat.mode == mode:
            return seat
        old_mode, old_status = seat.mode, seat.status
        if old_status == SeatStatus.PENDING:
            new_status = SeatStatus.PENDING
        else:
            new_counter = counters.get((session.pk, mode))
            limited = new_counter is not None and new_counter.capacity is not None
            if limited and not SeatCounter.objects.filter(pk=new_counter.pk, taken__lt=F("capacity")).update(
                taken=F("taken") + 1
            ):
                raise SeatsUnavailable
            new_status = SeatStatus.CONFIRMED
            _release(counters.get((session.pk, old_mode)), old_status)
        SeatAllocation.objects.filter(pk=seat.pk).update(
            mode=mode, status=new_status, requested_at=timezone.now(), updated_at=timezone.now()
        )
        Registration.objects.filter(pk=current.pk).update(preferred_mode=mode, updated_at=timezone.now())
        promoted: list[int] = []
        old_counter = counters.get((session.pk, old_mode))
        if old_status == SeatStatus.CONFIRMED and old_counter is not None:
            promoted = _promote(old_counter)
        _refresh_statuses([current.pk, *promoted])
        _notify_promotions(promoted)
        if actor is not None and getattr(actor, "is_authenticated", False):
            audit.record(
                actor=actor,
                action=audit.AuditEntry.Action.UPDATE,
                instance=current,
                programme=current.programme,
                before={"session": session.pk, "mode": old_mode},
                after={"session": session.pk, "mode": mode},
                summary="mode changed",
            )
    seat.refresh_from_db()
    return seat


def approve(registration: Registration, *, actor) -> Registration:
    """Approves a pending registration: its seats are taken now, or it joins the waiting lists."""
    session_ids = _session_ids(registration)
    sessions = list(Session.objects.filter(pk__in=session_ids).select_related("venue"))
    counters_for(sessions)
    with write_transaction():
        counters = _lock_counters(session_ids)
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Status.PENDING:
            raise WrongStatus
        seats = list(SeatAllocation.objects.filter(registration=current, status=SeatStatus.PENDING))
        for seat in sorted(seats, key=lambda s: counters[(s.session_id, s.mode)].pk):
            counter = counters[(seat.session_id, seat.mode)]
            status = SeatStatus.CONFIRMED if counter.capacity is None else _take_seat(counter.pk)
            SeatAllocation.objects.filter(pk=seat.pk).update(
                status=status, requested_at=timezone.now(), updated_at=timezone.now()
            )
        changed = _refresh_statuses([current.pk])
        current.refresh_from_db()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=current,
            programme=current.programme,
            before={"status": Status.PENDING},
            after={"status": current.status},
            summary="registration approved",
        )
        if changed:
            _notify(current.pk, current.status)
    return current


def reject(registration: Registration, *, actor, reason: str = "") -> Registration:
    with write_transaction():
        current = Registration.objects.select_for_update().get(pk=registration.pk)
        if current.status != Status.PENDING:
            raise WrongStatus
        SeatAllocation.objects.filter(registration=current).update(
            status=SeatStatus.CANCELLED, updated_at=timezone.now()
        )
        Registration.objects.filter(pk=current.pk).update(status=Status.REJECTED, updated_at=timezone.now())
        current.status = Status.REJECTED
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=current,
            programme=current.programme,
            before={"status": Status.PENDING},
            after={"status": Status.REJECTED},
            summary=reason or "registration rejected",
        )
    return current


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


def sync_capacity(session: Session) -> list[int]:
    """Brings a session's counters in line with its venue and online places, recounting the seats,
    and promotes waiting lists into any new room. Returns the registrations promoted."""
    session = Session.objects.select_related("venue").filter(pk=session.pk).first()
    if session is None:
        return []
    counters_for([session])
    with write_transaction():
        counters = _lock_counters({session.pk})
        promoted: list[int] = []
        for (_session_id, mode), counter in counters.items():
            seats = SeatAllocation.objects.filter(session=session, mode=mode)
            capacity = side_capacity(session, mode)
            SeatCounter.objects.filter(pk=counter.pk).update(
                capacity=capacity,
                taken=seats.filter(status=SeatStatus.CONFIRMED).count(),
                waiting=seats.filter(status=SeatStatus.WAITLISTED).count(),
            )
            counter.capacity = capacity
            promoted += _promote(counter)
        _refresh_statuses(promoted)
        _notify_promotions(promoted)
    return promoted


def sync_venue(venue_id: int) -> None:
    for session in Session.objects.filter(Q(venue_id=venue_id)):
        sync_capacity(session)


@dataclass
class RowResult:
    row: int
    email: str
    name: str
    accepted: bool
    reason: str = ""
    reference: str = ""


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
                _("Unknown session mode “%(mode)s”: use in_person or online.") % {"mode": row["mode"]}
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
                    field_name, field_name
                )
                messages.append(f"{label}: {' '.join(str(e) for e in errors)}")
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
            summary="coordinator account created",
        )
    return user, password
