"""Door check-in workflows: scanning a pass, offline batches, undo, walk-ins and desk moves.

Every scan is answered from the database in one transaction. Two scanners racing on one pass are
kept apart by the unique (registration, session) constraint on ``CheckIn``; a replayed scan is
recognised by its client event id and answered as the first time; an offline device's earlier scan
that arrives late moves the first check-in time earlier without counting the person twice. Each
arrival appends an ``AttendanceEvent`` and recomputes attendance (invariant 1).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plenary.attendance.models import Attendance, AttendanceEvent
from plenary.attendance.services import recompute
from plenary.checkin import selectors
from plenary.checkin.models import CheckIn, DoorSettings, Scan, StaffAssignment
from plenary.core import sql
from plenary.core.audit import record, snapshot
from plenary.core.models import AuditEntry
from plenary.core.sql import one_statement_path
from plenary.core.tasks import enqueue_on_commit
from plenary.programmes.models import Session
from plenary.registrations.models import Registration, SeatAllocation

# What a pass code may look like: URL-safe characters only. Anything else is answered unknown_code
# without touching the database.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{6,64}$")
# A second scan sooner than this after check-in is a double scan at the door, not a check-out.
CHECK_OUT_GRACE = timedelta(minutes=2)
# Scanner clocks drift; a scan "from the future" is taken as happening now.
CLOCK_SKEW = timedelta(minutes=5)

Result = Scan.Result
Detail = Scan.Detail


@dataclass
class ScanAnswer:
    """What the scanner shows: the result, who, and when they first checked in."""

    client_event_id: str
    result: str
    detail: str = ""
    name_en: str = ""
    name_zh: str = ""
    reference: str = ""
    first_checked_in_at: datetime | None = None
    replayed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.name_en, self.name_zh) if part)


def printable(value: Any, limit: int = 100) -> str:
    """Text safe to store and show: no control characters (PostgreSQL refuses NUL), at most ``limit`` long."""
    if not isinstance(value, str):
        return ""
    return "".join(character for character in value[: limit * 4] if character.isprintable())[:limit]


def normalise_code(code: Any) -> str | None:
    """The pass code as stored, or None when it cannot be one (forged, malformed, too long)."""
    if not isinstance(code, str):
        return None
    code = code.strip()
    return code if CODE_PATTERN.match(code) else None


def refusal(registration: Registration, seat: SeatAllocation | None) -> tuple[str, str] | None:
    """Why this person may not check in to the room (result, detail), or None when they may."""
    if registration.status in (Registration.Status.CANCELLED, Registration.Status.REJECTED):
        return Result.CANCELLED, Detail.NONE
    if seat is None:
        return Result.NOT_REGISTERED, Detail.NONE
    if seat.status == SeatAllocation.Status.CANCELLED:
        return Result.CANCELLED, Detail.NONE
    if registration.status == Registration.Status.PENDING:
        return Result.NOT_REGISTERED, Detail.PENDING
    if (
        seat.status == SeatAllocation.Status.WAITLISTED
        or registration.status == Registration.Status.WAITLISTED
    ):
        return Result.NOT_REGISTERED, Detail.WAITLISTED
    if seat.mode == Registration.Mode.ONLINE:
        return Result.NOT_REGISTERED, Detail.REGISTERED_ONLINE
    return None


def asks_for_check_out(session: Session) -> bool:
    return DoorSettings.objects.filter(session=session, asks_for_check_out=True).exists()


def _answer(scan: Scan, check_in: CheckIn | None, *, replayed: bool = False) -> ScanAnswer:
    registration = scan.registration
    return ScanAnswer(
        client_event_id=scan.client_event_id,
        result=scan.result,
        detail=scan.detail,
        name_en=registration.name_en if registration else "",
        name_zh=registration.name_zh if registration else "",
        reference=registration.reference if registration else "",
        first_checked_in_at=check_in.first_scanned_at if check_in and check_in.is_active else None,
        replayed=replayed,
    )


def _replay(scan: Scan) -> ScanAnswer:
    check_in = (
        CheckIn.objects.filter(registration_id=scan.registration_id, session_id=scan.session_id).first()
        if scan.registration_id
        else None
    )
    return _answer(scan, check_in, replayed=True)


def _event(registration, session, *, kind: str, at: datetime, client_event_id: str, actor, device: str):
    sql.insert(
        AttendanceEvent,
        [
            {
                "registration_id": registration.pk,
                "session_id": session.pk,
                "source": AttendanceEvent.Source.QR_SCAN,
                "kind": kind,
                "mode": AttendanceEvent.Mode.IN_PERSON,
                "started_at": at,
                "ended_at": None,  # open: the session's end, or the check-out that follows
                "client_event_id": client_event_id,
                "voids_id": None,
                "import_batch_id": None,
                "recorded_by_id": actor.pk if getattr(actor, "is_authenticated", False) else None,
                "reason": "",
                "evidence": {"device": device} if device else {},
                "recorded_at": timezone.now(),
            }
        ],
        returning=None,
    )


def _store(scan: Scan) -> None:
    """Saves a scan with one hand-written INSERT (``core/sql.py``): every door scan writes one."""
    scan.received_at = timezone.now()
    [scan.pk] = sql.insert(
        Scan,
        [
            {
                "client_event_id": scan.client_event_id,
                "session_id": scan.session_id,
                "registration_id": scan.registration_id,
                "code": scan.code,
                "scanned_at": scan.scanned_at,
                "received_at": scan.received_at,
                "device": scan.device,
                "actor_id": scan.actor_id,
                "result": scan.result,
                "detail": scan.detail,
            }
        ],
    )
    scan._state.adding = False


def _pass_and_seat(code: str | None, session: Session) -> tuple[Registration | None, SeatAllocation | None]:
    """The registration holding this pass code in the session's programme, and its seat in the session."""
    found = selectors.pass_at_door(code, session) if code else None
    return (found.registration, found.seat) if found else (None, None)


# ``check_in(found=…)`` when the pass was not read with the door check.
NOT_READ = object()


def check_in(
    *,
    code: Any,
    session: Session,
    client_event_id: str | uuid.UUID,
    scanned_at: datetime | None = None,
    device: str = "",
    actor=None,
    found: selectors.PassAtDoor | None | object = NOT_READ,
) -> ScanAnswer:
    """Answers one scan of a pass at a session's door, idempotently by ``client_event_id``.

    ``found``: the pass as ``selectors.door(…, code=…)`` read it with the door check, if it did."""
    client_event_id = str(client_event_id)
    now = timezone.now()
    if scanned_at is None or scanned_at > now + CLOCK_SKEW:
        scanned_at = now
    device = printable(device)
    try:
        answer = _first_arrival(code, session, client_event_id, scanned_at, device, actor, found)
        if answer is not None:
            return answer
        with transaction.atomic():
            return _check_in(code, session, client_event_id, scanned_at, device, actor)
    except IntegrityError:
        # The same client event id was committed by a concurrent request: answer as it was answered.
        existing = Scan.objects.select_related("registration").filter(client_event_id=client_event_id).first()
        if existing is None:
            raise
        return _replay(existing)


def _first_arrival(
    code, session, client_event_id, scanned_at, device, actor, found: selectors.PassAtDoor | None | object
) -> ScanAnswer | None:
    """The common scan at a busy door — a pass arriving for the first time — on PostgreSQL in one read
    and one statement, with no explicit transaction (a single statement is atomic on its own).

    The read (``selectors.pass_at_door()``, or ``found`` read with the door check) finds the pass,
    its seat, any check-in and the person's events; the statement inserts the
    check-in (``ON CONFLICT DO NOTHING``) and, only if that row was new, the attendance event, the scan
    and the person's recomputed attendance, and counts the arrivals. Anything else — SQLite, an unknown
    or refused pass, a repeat, losing a race to another scanner — returns None and takes the ordinary
    path, in a transaction, which answers it. A replayed client event id fails on its unique constraint
    and is answered as the first time by ``check_in()``.
    """
    from plenary.attendance.services import EventFacts, attendance_upsert_clause, attendance_values

    normalised = normalise_code(code)
    if not one_statement_path() or not normalised:
        return None
    column = sql.column
    if found is NOT_READ:
        found = selectors.pass_at_door(normalised, session)
    if found is None or found.check_in_id is not None:
        return None  # unknown pass, or checked in before: the ordinary path answers
    registration, seat, events = found.registration, found.seat, found.events
    if refusal(registration, seat) is not None:
        return None
    arrival = EventFacts(
        None,
        registration.pk,
        AttendanceEvent.Kind.PRESENCE,
        AttendanceEvent.Source.QR_SCAN,
        AttendanceEvent.Mode.IN_PERSON,
        scanned_at,
        None,
        None,
    )
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    event_sql, event_params = sql.insert_select(
        AttendanceEvent,
        {
            "registration_id": registration.pk,
            "session_id": session.pk,
            "source": AttendanceEvent.Source.QR_SCAN,
            "kind": AttendanceEvent.Kind.PRESENCE,
            "mode": AttendanceEvent.Mode.IN_PERSON,
            "started_at": scanned_at,
            "client_event_id": client_event_id,
            "recorded_by_id": actor_id,
            "reason": "",
            "evidence": {"device": device} if device else {},
            "recorded_at": now,
        },
        "ci",
    )
    scan_sql, scan_params = sql.insert_select(
        Scan,
        {
            "client_event_id": client_event_id,
            "session_id": session.pk,
            "registration_id": registration.pk,
            "code": printable(code),
            "scanned_at": scanned_at,
            "received_at": now,
            "device": device,
            "actor_id": actor_id,
            "result": Result.CHECKED_IN,
            "detail": Detail.NONE,
        },
        "ci",
    )
    attendance_sql, attendance_params = sql.insert_select(
        Attendance,
        {
            "registration_id": registration.pk,
            "session_id": session.pk,
            **attendance_values([*events, arrival], session),
        },
        "ci",
    )
    check_in_columns = ("registration", "session", "first_scanned_at", "device", "created_at")
    created, arrived = sql.fetchone(
        f"WITH ci AS (INSERT INTO {sql.table(CheckIn)} "  # noqa: S608 - names from the models, values bound
        f"({', '.join(column(CheckIn, name) for name in check_in_columns)}) VALUES (%s, %s, %s, %s, %s) "
        f"ON CONFLICT ({column(CheckIn, 'registration')}, {column(CheckIn, 'session')}) DO NOTHING RETURNING id), "
        f"ev AS ({event_sql}), sc AS ({scan_sql}), at AS ({attendance_sql} {attendance_upsert_clause()}) "
        f"SELECT (SELECT id FROM ci), (SELECT COUNT(*) FROM {sql.table(CheckIn)} "
        f"WHERE {column(CheckIn, 'session')} = %s AND {column(CheckIn, 'undone_at')} IS NULL)",
        [
            registration.pk,
            session.pk,
            scanned_at,
            device,
            now,
            *event_params,
            *scan_params,
            *attendance_params,
            session.pk,
        ],
    )
    if created is None:
        return None  # another scanner checked this pass in a moment ago: the ordinary path says so
    return ScanAnswer(
        client_event_id=client_event_id,
        result=Result.CHECKED_IN,
        name_en=registration.name_en,
        name_zh=registration.name_zh,
        reference=registration.reference,
        first_checked_in_at=scanned_at,
        # The count was taken in the statement's snapshot, before this arrival.
        extra={"arrived": arrived + 1},
    )


def _check_in(code, session, client_event_id, scanned_at, device, actor) -> ScanAnswer:
    # A replayed client event id is not looked up first: the unique constraints on the scan and its
    # event reject it at the end, the transaction rolls back, and check_in() answers it as the first time.
    registration, seat = _pass_and_seat(normalise_code(code), session)
    scan = Scan(
        client_event_id=client_event_id,
        session=session,
        registration=registration,
        code=printable(code),
        scanned_at=scanned_at,
        device=device,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if registration is None:
        scan.result = Result.UNKNOWN_CODE
        _store(scan)
        return _answer(scan, None)

    refused = refusal(registration, seat)
    if refused is not None:
        scan.result, scan.detail = refused
        _store(scan)
        return _answer(scan, CheckIn.objects.filter(registration=registration, session=session).first())

    appended: list[str] = []

    def event(kind: str) -> None:
        appended.append(kind)
        _event(
            registration,
            session,
            kind=kind,
            at=scanned_at,
            client_event_id=client_event_id,
            actor=actor,
            device=device,
        )

    # ON CONFLICT DO NOTHING: of two scanners racing on this pass, exactly one inserts the row.
    arrival = _Queued(
        index=0, client_event_id=client_event_id, code=code, scanned_at=scanned_at, device=device
    )
    if _insert_check_ins(session, {registration.pk: arrival}):
        check_in = CheckIn(
            registration=registration, session=session, first_scanned_at=scanned_at, device=device
        )
        scan.result = Result.CHECKED_IN
        event(AttendanceEvent.Kind.PRESENCE)
    else:
        check_in = CheckIn.objects.select_for_update().get(registration=registration, session=session)
        scan.result, scan.detail = _repeat(
            check_in, scanned_at, device, event, lambda: asks_for_check_out(session)
        )
    _store(scan)
    if appended:
        recompute(registration, session)
    return _answer(scan, check_in)


def _repeat(
    check_in: CheckIn,
    scanned_at: datetime,
    device: str,
    event: Callable[[str], None],
    check_out_asked: Callable[[], bool],
) -> tuple[str, str]:
    """A scan of a pass that has a check-in row already (locked by the caller)."""
    if check_in.undone_at is not None:
        # The earlier check-in was a mistake and was undone; this one counts afresh.
        check_in.undone_at = None
        check_in.checked_out_at = None
        check_in.first_scanned_at = scanned_at
        check_in.device = device
        check_in.save(update_fields=["undone_at", "checked_out_at", "first_scanned_at", "device"])
        event(AttendanceEvent.Kind.PRESENCE)
        return Result.CHECKED_IN, Detail.NONE
    if scanned_at < check_in.first_scanned_at:
        # An offline scanner's queue arrives late with an earlier scan: the earliest scan counts.
        check_in.first_scanned_at = scanned_at
        check_in.save(update_fields=["first_scanned_at"])
        event(AttendanceEvent.Kind.PRESENCE)
        return Result.ALREADY_CHECKED_IN, Detail.OTHER_DEVICE
    if check_in.checked_out_at is not None and scanned_at > check_in.checked_out_at:
        # Back in the room after checking out.
        check_in.checked_out_at = None
        check_in.save(update_fields=["checked_out_at"])
        event(AttendanceEvent.Kind.PRESENCE)
        return Result.CHECKED_IN, Detail.NONE
    if (
        check_in.checked_out_at is None
        and scanned_at >= check_in.first_scanned_at + CHECK_OUT_GRACE
        and check_out_asked()
    ):
        check_in.checked_out_at = scanned_at
        check_in.save(update_fields=["checked_out_at"])
        event(AttendanceEvent.Kind.CHECK_OUT)
        return Result.CHECKED_OUT, Detail.NONE
    other_device = bool(device and check_in.device and device != check_in.device)
    return Result.ALREADY_CHECKED_IN, Detail.OTHER_DEVICE if other_device else Detail.NONE


# Above this many people touched by one batch, attendance is recomputed by a background task.
INLINE_RECOMPUTE = 25


@dataclass
class _Queued:
    index: int
    client_event_id: str
    code: Any
    scanned_at: datetime
    device: str


def _chunks(values: Sequence, size: int = 500) -> Iterator[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def check_in_batch(
    scans: list[dict[str, Any]], *, session: Session, device: str = "", actor=None
) -> list[ScanAnswer]:
    """An offline scanner's queue, answered as if each scan had arrived on time, earliest first.

    The same rules as ``check_in()``, in one transaction with a handful of set-based queries, so that
    thousands of queued scans sync in seconds. New check-ins are inserted with ON CONFLICT DO NOTHING,
    so a door scanner racing the sync for the same pass still makes only one; replayed client event ids
    are answered as the first time. Attendance of many people is recomputed in the background.
    """
    now = timezone.now()
    queued = []
    for index, scan in enumerate(scans):
        scanned_at = scan.get("scanned_at")
        if scanned_at is None or scanned_at > now + CLOCK_SKEW:
            scanned_at = now
        queued.append(
            _Queued(
                index=index,
                client_event_id=str(scan["client_event_id"]),
                code=scan.get("code"),
                scanned_at=scanned_at,
                device=printable(scan.get("device") or device),
            )
        )
    for attempt in range(3):
        try:
            with transaction.atomic():
                answers, affected = _batch(queued, session, actor)
                if len(affected) <= INLINE_RECOMPUTE:
                    for registration in affected.values():
                        recompute(registration, session)
                else:
                    from plenary.checkin.tasks import recompute_attendance

                    # The task row commits with the scans that call for it (core/tasks.py).
                    enqueue_on_commit(recompute_attendance, session.pk, sorted(affected))
            return [answers[item.index] for item in queued]
        except IntegrityError:
            # A concurrent request stored some of these client event ids first: look again, replaying them.
            if attempt == 2:
                raise
    raise RuntimeError("unreachable")


def _insert_check_ins(session: Session, firsts: dict[int, _Queued]) -> set[int]:
    """Inserts the check-ins that do not exist yet; returns the registrations this call created."""
    table = connection.ops.quote_name(CheckIn._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    created_at = adapt(timezone.now())
    created: set[int] = set()
    for chunk in _chunks(list(firsts.items()), 400):
        params: list[Any] = []
        for registration_id, item in chunk:
            params += [registration_id, session.pk, adapt(item.scanned_at), item.device, created_at]
        rows = ", ".join(["(%s, %s, %s, %s, %s)"] * len(chunk))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (registration_id, session_id, first_scanned_at, device, created_at) "  # noqa: S608 - names from the model, values bound
                f"VALUES {rows} ON CONFLICT (registration_id, session_id) DO NOTHING RETURNING registration_id",
                params,
            )
            created.update(row[0] for row in cursor.fetchall())
    return created


def _batch(
    queued: list[_Queued], session: Session, actor
) -> tuple[dict[int, ScanAnswer], dict[int, Registration]]:
    actor = actor if getattr(actor, "is_authenticated", False) else None
    existing: dict[str, Scan] = {}
    for chunk in _chunks([item.client_event_id for item in queued]):
        existing.update(
            (scan.client_event_id, scan)
            for scan in Scan.objects.select_related("registration").filter(client_event_id__in=chunk)
        )
    codes = {item.index: normalise_code(item.code) for item in queued}
    registrations: dict[str, Registration] = {}
    for chunk in _chunks(sorted({code for code in codes.values() if code})):
        registrations.update(
            (registration.pass_code, registration)
            for registration in Registration.objects.filter(
                programme_id=session.programme_id, pass_code__in=chunk
            ).only("id", "programme_id", "pass_code", "reference", "name_en", "name_zh", "status")
        )
    by_pk = {registration.pk: registration for registration in registrations.values()}
    ids = list(by_pk)
    seats: dict[int, SeatAllocation] = {}
    for chunk in _chunks(ids):
        seats.update(
            (seat.registration_id, seat)
            for seat in SeatAllocation.objects.filter(session=session, registration_id__in=chunk).only(
                "id", "registration_id", "session_id", "mode", "status"
            )
        )
    eligible = {pk for pk in ids if refusal(by_pk[pk], seats.get(pk)) is None}
    known: set[int] = set()
    for chunk in _chunks(sorted(eligible)):
        known.update(
            CheckIn.objects.filter(session=session, registration_id__in=chunk).values_list(
                "registration_id", flat=True
            )
        )

    order = sorted(queued, key=lambda item: (item.scanned_at, item.index))
    firsts: dict[int, _Queued] = {}
    for item in order:
        registration = registrations.get(codes[item.index] or "")
        if (
            item.client_event_id not in existing
            and registration is not None
            and registration.pk in eligible
            and registration.pk not in known
            and registration.pk not in firsts
        ):
            firsts[registration.pk] = item
    created = _insert_check_ins(session, firsts)
    check_ins: dict[int, CheckIn] = {}
    for chunk in _chunks(sorted(eligible)):
        check_ins.update(
            (check_in.registration_id, check_in)
            for check_in in CheckIn.objects.select_for_update().filter(
                session=session, registration_id__in=chunk
            )
        )

    check_out = None

    def check_out_asked() -> bool:
        nonlocal check_out
        if check_out is None:
            check_out = asks_for_check_out(session)
        return check_out

    answers: dict[int, ScanAnswer] = {}
    first_answer: dict[str, ScanAnswer] = {}
    events: list[AttendanceEvent] = []
    new_scans: list[Scan] = []
    affected: dict[int, Registration] = {}
    for item in order:
        if item.client_event_id in existing:
            replayed = existing[item.client_event_id]
            answers[item.index] = _answer(
                replayed,
                check_ins.get(replayed.registration_id) if replayed.registration_id else None,
                replayed=True,
            )
            continue
        if item.client_event_id in first_answer:  # the same event twice in one batch
            answers[item.index] = ScanAnswer(
                **{**first_answer[item.client_event_id].__dict__, "replayed": True}
            )
            continue
        registration = registrations.get(codes[item.index] or "")
        scan = Scan(
            client_event_id=item.client_event_id,
            session=session,
            registration=registration,
            code=printable(item.code),
            scanned_at=item.scanned_at,
            device=item.device,
            actor=actor,
        )
        check_in = check_ins.get(registration.pk) if registration else None
        if registration is None:
            scan.result = Result.UNKNOWN_CODE
        elif registration.pk not in eligible:
            scan.result, scan.detail = refusal(registration, seats.get(registration.pk))
        else:

            def event(kind: str, registration=registration, item=item) -> None:
                affected[registration.pk] = registration
                events.append(
                    AttendanceEvent(
                        registration=registration,
                        session=session,
                        source=AttendanceEvent.Source.QR_SCAN,
                        kind=kind,
                        mode=AttendanceEvent.Mode.IN_PERSON,
                        started_at=item.scanned_at,
                        client_event_id=item.client_event_id,
                        recorded_by=actor,
                        evidence={"device": item.device} if item.device else {},
                    )
                )

            if registration.pk in created and firsts.get(registration.pk) is item:
                scan.result = Result.CHECKED_IN
                event(AttendanceEvent.Kind.PRESENCE)
            else:
                scan.result, scan.detail = _repeat(
                    check_in, item.scanned_at, item.device, event, check_out_asked
                )
        new_scans.append(scan)
        answers[item.index] = first_answer[item.client_event_id] = _answer(scan, check_in)
    AttendanceEvent.objects.bulk_create(events, batch_size=500)
    Scan.objects.bulk_create(new_scans, batch_size=500)
    return answers, affected


@transaction.atomic
def undo_check_in(*, registration: Registration, session: Session, actor, reason: str = "") -> CheckIn:
    """Cancels a mistaken check-in with correction events (who and why), never by deleting evidence."""
    check_in = CheckIn.objects.select_for_update().filter(registration=registration, session=session).first()
    if check_in is None or check_in.undone_at is not None:
        raise ValidationError(_("This person is not checked in."))
    before = snapshot(check_in)
    now = timezone.now()
    live = AttendanceEvent.objects.filter(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.QR_SCAN,
        kind__in=[AttendanceEvent.Kind.PRESENCE, AttendanceEvent.Kind.CHECK_OUT],
        voided_by__isnull=True,
    )
    reason = reason.strip() or _("Check-in undone at the door.")
    for original in live:
        AttendanceEvent.objects.create(
            registration=registration,
            session=session,
            source=AttendanceEvent.Source.MANUAL,
            kind=AttendanceEvent.Kind.VOID,
            mode=original.mode,
            started_at=now,
            voids=original,
            recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            reason=reason[:300],
        )
    check_in.undone_at = now
    check_in.save(update_fields=["undone_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.OTHER,
        instance=check_in,
        programme=session.programme,
        before=before,
        after=snapshot(check_in),
        summary=f"Check-in undone: {reason}",
    )
    recompute(registration, session)
    return check_in


@transaction.atomic
def assign_staff(*, user, session: Session, actor) -> StaffAssignment:
    assignment, created = StaffAssignment.objects.get_or_create(
        user=user, session=session, defaults={"assigned_by": actor}
    )
    if created:
        record(
            actor=actor,
            action=AuditEntry.Action.CREATE,
            instance=assignment,
            programme=session.programme,
            after=snapshot(assignment),
            summary=f"{user.get_username()} assigned to the door of {session.title_en}",
        )
    return assignment


@transaction.atomic
def unassign_staff(*, assignment: StaffAssignment, actor) -> None:
    record(
        actor=actor,
        action=AuditEntry.Action.DELETE,
        instance=assignment,
        programme=assignment.session.programme,
        before=snapshot(assignment),
        summary=f"{assignment.user.get_username()} no longer at the door of {assignment.session.title_en}",
    )
    assignment.delete()


@transaction.atomic
def set_door_settings(*, session: Session, asks_for_check_out: bool, actor) -> DoorSettings:
    settings_row, _created = DoorSettings.objects.get_or_create(session=session)
    before = snapshot(settings_row)
    settings_row.asks_for_check_out = asks_for_check_out
    settings_row.save()
    record(
        actor=actor,
        action=AuditEntry.Action.UPDATE,
        instance=settings_row,
        programme=session.programme,
        before=before,
        after=snapshot(settings_row),
    )
    return settings_row
