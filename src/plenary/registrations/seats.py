"""Seats: the one module that writes seat counters, seat statuses and the status that follows from them.

Every path that gives, takes, moves or waits for a place comes through here — a registration (both SQL
paths), cancelling, approving, rejecting, a change of mode, promotion from the waiting list, a change of
capacity, and the door desk (walk-ins, moves into the room). If a seat rule changes, it changes in this
file.

How a seat is never oversold. Each side of a session (the room, the online meeting) has one
``SeatCounter`` row. A seat is taken by the named statement ``TAKE_SEAT`` — ``UPDATE … SET taken = taken
+ 1 WHERE taken < capacity`` — and when that changes no row, ``JOIN_WAITING_LIST`` counts the person in
the waiting list under the same row lock, so a seat released at that moment is either seen by this
request or promotes it. The database holds the bound too: a check constraint ``taken <= capacity``.

Two SQL paths, built from the same statements. The portable path runs them one by one inside the use
case's transaction (SQLite, and PostgreSQL for anything but the commonest case). The one-statement path
(PostgreSQL, outside any transaction) puts the same statements into one ``WITH`` statement as CTEs
(``take_or_wait_ctes()``). ``PLENARY_ONE_STATEMENT_SQL=0`` forces the portable path everywhere; the
tests run both on the same database and compare the rows they store.

Callers hold the use case's transaction (``services.write_transaction()``) and lock the counters they
touch first, in id order (``lock_counters()``), so concurrent use cases cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.db import IntegrityError
from django.utils import timezone

from plenary.core import sql
from plenary.core.sql import one_statement_path  # noqa: F401 - part of this module's story
from plenary.programmes.models import Programme, Session
from plenary.registrations.errors import CapacityBelowSeats, RoomFull, SeatsUnavailable, TryAgain, WrongStatus
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter

Mode = Registration.Mode
SeatStatus = SeatAllocation.Status
Status = Registration.Status


# --- the named statements -------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One conditional UPDATE of a seat counter (its id the one parameter). ``sql()`` gives it as a
    statement of its own or, with ``guard``, as the body of a CTE in a larger statement."""

    name: str
    assignments: str
    condition: str

    def sql(self, *, guard: str = "") -> str:
        where = f"id = %s AND {self.condition}" + (f" AND {guard}" if guard else "")
        return f"UPDATE {sql.table(SeatCounter)} SET {self.assignments} WHERE {where} RETURNING id"  # noqa: S608 - names from the model, values bound


@cache
def _statements() -> dict[str, Statement]:
    taken, waiting, capacity = (sql.column(SeatCounter, name) for name in ("taken", "waiting", "capacity"))
    return {
        statement.name: statement
        for statement in (
            Statement("take-seat", f"{taken} = {taken} + 1", f"{taken} < {capacity}"),
            Statement("join-waiting-list", f"{waiting} = {waiting} + 1", f"{taken} >= {capacity}"),
            Statement("free-seat", f"{taken} = {taken} - 1", f"{taken} > 0"),
            Statement("leave-waiting-list", f"{waiting} = {waiting} - 1", f"{waiting} > 0"),
            Statement(
                "promote-one",
                f"{taken} = {taken} + 1, {waiting} = {waiting} - 1",
                f"{taken} < {capacity} AND {waiting} > 0",
            ),
        )
    }


def statement(name: str) -> Statement:
    return _statements()[name]


def _run(name: str, counter_id: int) -> bool:
    """Runs a named statement on its own; True when it changed the counter."""
    return bool(sql.fetchall(statement(name).sql(), [counter_id]))


def take_or_wait_ctes(counter_id: int) -> tuple[list[str], list[Any]]:
    """``take-seat`` then ``join-waiting-list`` as the CTEs ``took`` and ``waited``, and ``decided``
    with the seat's status ('confirmed', 'waitlisted', or NULL when the capacity moved in between)."""
    waited_guard = "NOT EXISTS (SELECT 1 FROM took)"
    return [
        f"took AS ({statement('take-seat').sql()})",
        f"waited AS ({statement('join-waiting-list').sql(guard=waited_guard)})",
        f"decided AS (SELECT CASE WHEN EXISTS (SELECT 1 FROM took) THEN '{SeatStatus.CONFIRMED}' "  # noqa: S608 - constants of the model
        f"WHEN EXISTS (SELECT 1 FROM waited) THEN '{SeatStatus.WAITLISTED}' END AS status)",
    ], [counter_id, counter_id]


# --- the rules ------------------------------------------------------------------------------------


def summary_status(seat_statuses: Iterable[str]) -> str:
    """A registration is pending while any seat awaits approval; confirmed when any seat is confirmed
    (each session keeps its own status: one full room does not put six confirmed sessions on a waiting
    list); waitlisted only when every seat it asked for waits."""
    seat_statuses = set(seat_statuses) - {SeatStatus.CANCELLED}
    if SeatStatus.PENDING in seat_statuses:
        return Status.PENDING
    if SeatStatus.WAITLISTED in seat_statuses and SeatStatus.CONFIRMED not in seat_statuses:
        return Status.WAITLISTED
    return Status.CONFIRMED


def side_capacity(session: Session, mode: str) -> int | None:
    """The places on one side of a session as the programme defines them; None for no limit."""
    if mode == Mode.IN_PERSON:
        return session.venue.capacity if session.venue_id else None
    return session.online_capacity


def seat_mode(session_mode: str, wanted: str) -> str:
    """Online sessions give online seats, in-person sessions room seats; hybrid ones follow the wish."""
    if session_mode == Session.Mode.ONLINE:
        return Mode.ONLINE
    if session_mode == Session.Mode.IN_PERSON:
        return Mode.IN_PERSON
    return wanted


def side_modes(session: Session) -> list[str]:
    modes = []
    if session.has_room:
        modes.append(Mode.IN_PERSON)
    if session.is_online:
        modes.append(Mode.ONLINE)
    return modes


# --- counters -------------------------------------------------------------------------------------


def counters_for(sessions: list[Session]) -> dict[tuple[int, str], SeatCounter]:
    """The counter of every side of these sessions, created (from the seats) where missing."""
    counters = {
        (counter.session_id, counter.mode): counter
        for counter in SeatCounter.objects.filter(session__in=[s.pk for s in sessions])
    }
    for session in sessions:
        for mode in side_modes(session):
            if (session.pk, mode) not in counters:
                counters[(session.pk, mode)] = _create_counter(session, mode)
    return counters


def _create_counter(session: Session, mode: str) -> SeatCounter:
    from plenary.registrations.services import write_transaction

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


def lock_counters(session_ids: Iterable[int]) -> dict[tuple[int, str], SeatCounter]:
    """Locks every counter of these sessions in id order (a no-op on SQLite, whose write transaction
    already holds the database's one write lock)."""
    locked = SeatCounter.objects.select_for_update().filter(session_id__in=set(session_ids)).order_by("pk")
    return {(counter.session_id, counter.mode): counter for counter in locked}


@dataclass
class Side:
    counter_id: int
    limited: bool


def layout(programme: Programme) -> dict[int, tuple[Session, dict[str, Side]]]:
    """Every session of the programme (in id order) with the seat counter of each of its sides.

    One query written by hand (``core/sql.py``): a registration asks it every time. A side without
    a counter yet (a session just added) gets one, counted from its seats, through ``counters_for()``.
    """
    session_columns = ("id", "mode", "title_en", "title_zh")
    rows = sql.fetchall(
        f"SELECT {', '.join('s.' + sql.column(Session, name) for name in session_columns)}, "  # noqa: S608 - names from the models, values bound
        f"c.id, c.{sql.column(SeatCounter, 'mode')}, c.{sql.column(SeatCounter, 'capacity')} "
        f"FROM {sql.table(Session)} s LEFT JOIN {sql.table(SeatCounter)} c "
        f"ON c.{sql.column(SeatCounter, 'session')} = s.id "
        f"WHERE s.{sql.column(Session, 'programme')} = %s ORDER BY s.id, c.id",
        [programme.pk],
    )
    found: dict[int, tuple[Session, dict[str, Side]]] = {}
    for *values, counter_id, side, capacity in rows:
        if values[0] not in found:
            found[values[0]] = (sql.hydrate(Session, session_columns, values), {})
        if counter_id is not None:
            found[values[0]][1][side] = Side(counter_id, capacity is not None)
    if any(set(side_modes(session)) - set(sides) for session, sides in found.values()):
        full = counters_for(list(Session.objects.filter(pk__in=found).select_related("venue")))
        for session_id, (_session, sides) in found.items():
            for (counter_session, side), counter in full.items():
                if counter_session == session_id:
                    sides[side] = Side(counter.pk, counter.capacity is not None)
    return found


# --- taking, freeing, promoting -------------------------------------------------------------------


class CapacityMoved(TryAgain):
    """A capacity kept changing between ``take-seat`` and ``join-waiting-list``: start again."""


def take_or_wait(counter_id: int) -> str:
    """Takes a seat on a limited side or joins its waiting list; returns the seat's status.

    Between the two statements another transaction may free a seat (PostgreSQL reads what was
    committed in between): then both change nothing, and the pair is tried again."""
    for _attempt in range(5):
        if _run("take-seat", counter_id):
            return SeatStatus.CONFIRMED
        if _run("join-waiting-list", counter_id):
            return SeatStatus.WAITLISTED
    raise CapacityMoved


def _free(counter: SeatCounter | None, status: str) -> None:
    """Gives back what a seat of this status held on its side's counter."""
    if counter is None or counter.capacity is None:
        return
    if status == SeatStatus.CONFIRMED:
        _run("free-seat", counter.pk)
    elif status == SeatStatus.WAITLISTED:
        _run("leave-waiting-list", counter.pk)


def _set_seats(seat_ids: list[int], **values: Any) -> None:
    if seat_ids:
        SeatAllocation.objects.filter(pk__in=seat_ids).update(updated_at=timezone.now(), **values)


def promote(counter: SeatCounter) -> list[int]:
    """Fills free seats on one side from its waiting list, first come first served.

    The caller holds the counter's lock. Returns the registrations that gained a seat.
    """
    waiting = SeatAllocation.objects.filter(
        session_id=counter.session_id, mode=counter.mode, status=SeatStatus.WAITLISTED
    )
    if counter.capacity is None:
        promoted = list(waiting.values_list("registration_id", flat=True))
        waiting.update(status=SeatStatus.CONFIRMED, updated_at=timezone.now())
        SeatCounter.objects.filter(pk=counter.pk).update(waiting=0)
        return promoted
    promoted: list[int] = []
    while _run("promote-one", counter.pk):
        seat = waiting.order_by("requested_at", "id").first()
        if seat is None:
            # The count said someone waited but nobody does: give the seat back and stop.
            _run("free-seat", counter.pk)
            SeatCounter.objects.filter(pk=counter.pk).update(waiting=0)
            break
        _set_seats([seat.pk], status=SeatStatus.CONFIRMED)
        promoted.append(seat.registration_id)
    return promoted


def refresh_statuses(registration_ids: Iterable[int]) -> dict[int, str]:
    """Sets each active registration's status from its seats; returns the ones that changed."""
    registration_ids = list(dict.fromkeys(registration_ids))
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
        wanted = summary_status(seats.get(registration_id, set()) - {SeatStatus.CANCELLED})
        if wanted != current:
            changed[registration_id] = wanted
    for registration_id, status in changed.items():
        Registration.objects.filter(pk=registration_id).update(status=status, updated_at=timezone.now())
    return changed


# --- what each use case does to seats -------------------------------------------------------------


@dataclass
class Placed:
    """Seats a new registration got: each session's seat status, the seat ids (plan order), and the
    registration's resulting status."""

    statuses: dict[int, str]
    seat_ids: list[int]
    status: str


Plan = list[tuple[Session, str, Side]]


def place(registration_id: int, plan: Plan, *, pending: bool, now) -> Placed:
    """The portable path of a new registration: a seat (or a place on the waiting list) on every
    limited side in the plan, the seat rows, and the registration's status. In the caller's
    transaction; raises ``CapacityMoved`` when it must start again."""
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    statuses = {session.pk: fixed for session, _mode, _side in plan}
    limited = [] if pending else [item for item in plan if item[2].limited]
    # Counter-id order, so two registrations never wait on each other's rows.
    for session, _mode, side in sorted(limited, key=lambda item: item[2].counter_id):
        statuses[session.pk] = take_or_wait(side.counter_id)
    seat_ids = sql.insert(
        SeatAllocation,
        [
            {
                "registration": registration_id,
                "session": session.pk,
                "mode": mode,
                "status": statuses[session.pk],
                "requested_at": now,
                "updated_at": now,
            }
            for session, mode, _side in plan
        ],
    )
    status = Status.PENDING if pending else summary_status(statuses.values())
    if status != (Status.PENDING if pending else Status.CONFIRMED):
        # Inserted as pending or confirmed (``services.register``); a seat on a waiting list says otherwise.
        sql.execute(
            f"UPDATE {sql.table(Registration)} SET {sql.column(Registration, 'status')} = %s WHERE id = %s",  # noqa: S608 - names from the model
            [status, registration_id],
        )
    return Placed(statuses, seat_ids, status)


def place_at_once_parts(plan: Plan, *, pending: bool, now) -> tuple[list[str], list[Any], str, list]:
    """The one-statement path's seat parts, for a registration inserted as the CTE ``p``: the
    ``take_or_wait_ctes()`` of its one limited side (if any) and the CTE ``seats`` inserting its seat
    rows. Returns the CTEs, their parameters, the SQL of the registration's status (to use in its
    INSERT, given ``fixed`` as the parameter that follows) and the limited plan items."""
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    limited = [] if pending else [item for item in plan if item[2].limited]
    if len(limited) > 1:
        raise ValueError("the one-statement path takes at most one limited side")
    parts: list[str] = []
    params: list[Any] = []
    if limited:
        parts, params = take_or_wait_ctes(limited[0][2].counter_id)
    column = sql.column
    rows = []
    for session, mode, _side in plan:
        status_cell = "(SELECT status FROM decided)" if limited and session.pk == limited[0][0].pk else "%s"
        rows.append(f"((SELECT id FROM p), %s, %s, {status_cell}, %s, %s)")  # noqa: S608 - no value in the text
        params += [session.pk, mode]
        if status_cell == "%s":
            params.append(fixed)
        params += [
            sql.prepare(SeatAllocation, "requested_at", now),
            sql.prepare(SeatAllocation, "updated_at", now),
        ]
    names = ("registration", "session", "mode", "status", "requested_at", "updated_at")
    parts.append(
        f"seats AS (INSERT INTO {sql.table(SeatAllocation)} ({', '.join(column(SeatAllocation, n) for n in names)}) "  # noqa: S608 - names from the model, values bound
        f"VALUES {', '.join(rows)} RETURNING id, {column(SeatAllocation, 'session')})"
    )
    # Waitlisted only when the one limited seat waits and it is the only seat (``summary_status()``).
    status_sql = (
        f"CASE WHEN EXISTS (SELECT 1 FROM waited) THEN '{Status.WAITLISTED}' ELSE %s END"  # noqa: S608 - a constant
        if limited and len(plan) == 1
        else "%s"
    )
    return parts, params, status_sql, limited


def place_many(
    registration_ids: list[int],
    plans: list[list[tuple[Session, str]]],
    cancelled: list[bool],
    counters: dict[tuple[int, str], SeatCounter],
) -> list[str]:
    """The bulk path of many new registrations in the order given (the demo, large imports): the same
    rule as ``take_or_wait()`` — a seat while the side has one, else the waiting list, first come first
    served — applied in memory under the counters' locks, the seats inserted in bulk, and the
    counters recounted (``follow_capacity()``). Returns each registration's status."""
    taken = {key: counter.taken for key, counter in counters.items()}
    rows, statuses = [], []
    now = timezone.now()
    for registration_id, plan, gone in zip(registration_ids, plans, cancelled, strict=True):
        mine = []
        for session, mode in plan:
            counter = counters[(session.pk, mode)]
            if gone:
                status = SeatStatus.CANCELLED
            elif counter.capacity is None or taken[(session.pk, mode)] < counter.capacity:
                status = SeatStatus.CONFIRMED
                taken[(session.pk, mode)] += 1
            else:
                status = SeatStatus.WAITLISTED
            mine.append(status)
            rows.append(
                SeatAllocation(
                    registration_id=registration_id,
                    session=session,
                    mode=mode,
                    status=status,
                    requested_at=now,
                    updated_at=now,
                )
            )
        statuses.append(Status.CANCELLED if gone else summary_status(mine))
    SeatAllocation.objects.bulk_create(rows, batch_size=2000)
    for registration_id, status in zip(registration_ids, statuses, strict=True):
        if status != Status.CONFIRMED:
            Registration.objects.filter(pk=registration_id).update(status=status)
    follow_capacity({session_id for session_id, _mode in counters})
    return statuses


def release(registration: Registration, counters: dict[tuple[int, str], SeatCounter]) -> list[int]:
    """Cancels every seat of a registration, frees what they held and promotes each side's waiting
    list. Returns the registrations promoted (their statuses already refreshed)."""
    seats = list(
        SeatAllocation.objects.filter(registration=registration).exclude(status=SeatStatus.CANCELLED)
    )
    for seat in seats:
        _free(counters.get((seat.session_id, seat.mode)), seat.status)
    _set_seats([seat.pk for seat in seats], status=SeatStatus.CANCELLED)
    promoted: list[int] = []
    for seat in seats:
        counter = counters.get((seat.session_id, seat.mode))
        if seat.status == SeatStatus.CONFIRMED and counter is not None:
            promoted += promote(counter)
    refresh_statuses(promoted)
    return promoted


def reinstate(
    registration: Registration,
    plan: Plan,
    counters: dict[tuple[int, str], SeatCounter],
    *,
    pending: bool,
    now,
) -> str:
    """A cancelled registration registers again (same link, reference and pass): each session of the plan
    gets a new seat, taken now like anyone's — a seat while the side has one, else the end of its waiting
    list (``requested_at`` is now, so nobody who waited is passed over). The caller holds the counters'
    locks. Returns the registration's new status."""
    existing = {seat.session_id: seat for seat in SeatAllocation.objects.filter(registration=registration)}
    fixed = SeatStatus.PENDING if pending else SeatStatus.CONFIRMED
    statuses: dict[int, str] = {}
    for session, mode, side in sorted(plan, key=lambda item: item[2].counter_id):
        counter = counters.get((session.pk, mode))
        limited = side.limited and not pending and counter is not None and counter.capacity is not None
        statuses[session.pk] = take_or_wait(counter.pk) if limited else fixed
        values = {"mode": mode, "status": statuses[session.pk], "requested_at": now, "updated_at": now}
        seat = existing.get(session.pk)
        if seat is None:
            SeatAllocation.objects.create(registration=registration, session=session, **values)
        else:
            SeatAllocation.objects.filter(pk=seat.pk).update(**values)
    status = Status.PENDING if pending else summary_status(statuses.values())
    Registration.objects.filter(pk=registration.pk).update(status=status, updated_at=now)
    return status


def confirm_pending(registration: Registration, counters: dict[tuple[int, str], SeatCounter]) -> None:
    """An approval: each pending seat takes its place now, or joins its side's waiting list."""
    seats = list(SeatAllocation.objects.filter(registration=registration, status=SeatStatus.PENDING))
    for seat in sorted(seats, key=lambda s: counters[(s.session_id, s.mode)].pk):
        counter = counters[(seat.session_id, seat.mode)]
        status = SeatStatus.CONFIRMED if counter.capacity is None else take_or_wait(counter.pk)
        SeatAllocation.objects.filter(pk=seat.pk).update(
            status=status, requested_at=timezone.now(), updated_at=timezone.now()
        )
    refresh_statuses([registration.pk])


def move(
    registration: Registration, session: Session, mode: str, counters: dict[tuple[int, str], SeatCounter]
) -> tuple[SeatAllocation, str, list[int]]:
    """A change of mode in a hybrid session, if the other side has room. Returns the seat, its old
    mode and the registrations promoted into the place it left."""
    seat = SeatAllocation.objects.filter(registration=registration, session=session).first()
    if seat is None or seat.status == SeatStatus.CANCELLED:
        raise WrongStatus
    old_mode, old_status = seat.mode, seat.status
    if old_mode == mode:
        return seat, old_mode, []
    new_status = SeatStatus.PENDING
    if old_status != SeatStatus.PENDING:
        new_counter = counters.get((session.pk, mode))
        if (
            new_counter is not None
            and new_counter.capacity is not None
            and not _run("take-seat", new_counter.pk)
        ):
            raise SeatsUnavailable
        new_status = SeatStatus.CONFIRMED
        _free(counters.get((session.pk, old_mode)), old_status)
    SeatAllocation.objects.filter(pk=seat.pk).update(
        mode=mode, status=new_status, requested_at=timezone.now(), updated_at=timezone.now()
    )
    promoted: list[int] = []
    old_counter = counters.get((session.pk, old_mode))
    if old_status == SeatStatus.CONFIRMED and old_counter is not None:
        promoted = promote(old_counter)
    refresh_statuses([registration.pk, *promoted])
    seat.refresh_from_db()
    return seat, old_mode, promoted


def seat_in_room(
    registration: Registration, session: Session
) -> tuple[SeatAllocation, dict[str, str] | None, list[int]]:
    """The door desk gives a person a confirmed seat in the room of ``session`` — a walk-in just
    registered, or someone waiting or registered online — if the room has one free. Never more than
    the room holds: a full room raises ``RoomFull``. Returns the seat, its mode and status before
    (None if it is new) and anyone promoted into the online place it left. In the caller's transaction."""
    if not session.has_room:
        raise SeatsUnavailable
    counters = counters_for([session])
    counters = {**counters, **lock_counters([session.pk])}
    room = counters[(session.pk, Mode.IN_PERSON)]
    seat = (
        SeatAllocation.objects.select_for_update().filter(registration=registration, session=session).first()
    )
    if seat is not None and seat.mode == Mode.IN_PERSON and seat.status == SeatStatus.CONFIRMED:
        return seat, {"mode": seat.mode, "status": seat.status}, []
    if room.capacity is not None and not _run("take-seat", room.pk):
        raise RoomFull(session, room.capacity)
    before = None
    promoted: list[int] = []
    now = timezone.now()
    if seat is None:
        [seat_id] = sql.insert(
            SeatAllocation,
            [
                {
                    "registration": registration.pk,
                    "session": session.pk,
                    "mode": Mode.IN_PERSON,
                    "status": SeatStatus.CONFIRMED,
                    "requested_at": now,
                    "updated_at": now,
                }
            ],
        )
        seat = SeatAllocation.objects.get(pk=seat_id)
    else:
        before = {"mode": seat.mode, "status": seat.status}
        old = counters.get((session.pk, seat.mode))
        if seat.status != SeatStatus.CANCELLED:
            _free(old, seat.status)
        SeatAllocation.objects.filter(pk=seat.pk).update(
            mode=Mode.IN_PERSON, status=SeatStatus.CONFIRMED, updated_at=now
        )
        if before["status"] == SeatStatus.CONFIRMED and old is not None and old.pk != room.pk:
            promoted = promote(old)
        seat.refresh_from_db()
    refresh_statuses([registration.pk, *promoted])
    return seat, before, promoted


def follow_capacity(session_ids: Iterable[int]) -> list[int]:
    """Brings the counters of these sessions in line with their venue and online places, recounting
    the seats, and promotes waiting lists into any new room. A capacity below the seats already
    confirmed is refused (``CapacityBelowSeats``): nobody loses a seat to a smaller number. In the
    caller's transaction (the change of capacity is rolled back with it). Returns the promoted."""
    sessions = list(Session.objects.select_related("venue").filter(pk__in=set(session_ids)).order_by("pk"))
    if not sessions:
        return []
    counters_for(sessions)
    counters = lock_counters([session.pk for session in sessions])
    by_id = {session.pk: session for session in sessions}
    promoted: list[int] = []
    for (session_id, mode), counter in counters.items():
        session = by_id[session_id]
        seats = SeatAllocation.objects.filter(session_id=session_id, mode=mode)
        capacity = side_capacity(session, mode)
        taken = seats.filter(status=SeatStatus.CONFIRMED).count()
        if capacity is not None and taken > capacity:
            raise CapacityBelowSeats(session, taken)
        SeatCounter.objects.filter(pk=counter.pk).update(
            capacity=capacity, taken=taken, waiting=seats.filter(status=SeatStatus.WAITLISTED).count()
        )
        counter.capacity = capacity
        promoted += promote(counter)
    refresh_statuses(promoted)
    return promoted


def most_taken(session_ids: Iterable[int], mode: str = Mode.IN_PERSON) -> tuple[Session | None, int]:
    """The session among these with the most confirmed seats on one side, and how many: the lowest
    capacity a venue (or online side) may be given. For forms, before the use case checks again."""
    best: tuple[Session | None, int] = (None, 0)
    for session in Session.objects.filter(pk__in=set(session_ids)):
        taken = SeatAllocation.objects.filter(session=session, mode=mode, status=SeatStatus.CONFIRMED).count()
        if taken > best[1]:
            best = (session, taken)
    return best
