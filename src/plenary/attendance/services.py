"""Attendance workflows. Every source appends events; ``recompute()`` derives per-session attendance."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from plenary.attendance import reports
from plenary.attendance.intervals import covered_minutes
from plenary.attendance.models import (
    Attendance,
    AttendanceEvent,
    AttendanceImport,
    AttendanceTally,
    NameAlias,
    Progress,
    ProgressSession,
    StreamViewer,
)
from plenary.attendance.reports.common import ReportRow, normalise_name
from plenary.core import audit, sql
from plenary.core.errors import DomainError
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration

ACTIVE_STATUSES = (Registration.Status.PENDING, Registration.Status.CONFIRMED, Registration.Status.WAITLISTED)


def threshold_minutes(session: Session) -> int:
    """Minutes needed for a session to count as attended (the programme's share of its length)."""
    length = int(session.duration.total_seconds() // 60)
    return -(-length * session.programme.attendance_threshold_percent // 100)  # ceiling


# --- deriving attendance from events --------------------------------------------------------------


class EventFacts(NamedTuple):
    """What recomputing needs of an event, light enough to hold a hundred thousand in memory."""

    id: int | None
    registration_id: int
    kind: str
    source: str
    mode: str
    started_at: datetime
    ended_at: datetime | None
    voids_id: int | None
    adjusted_minutes: int | None = None


PRESENCE = AttendanceEvent.Kind.PRESENCE.value


@dataclass
class Derived:
    minutes: int
    present: bool
    mode: str
    first_seen_at: datetime | None
    sources: list[str]


def derive(events: Iterable[EventFacts], session: Session, threshold: int) -> Derived:
    """Attendance of one person at one session from all their events, deterministically.

    Voided events are ignored; a check-out ends the open in-person interval it follows; an ``adjust``
    event, the latest one winning, replaces the computed minutes (with who and why on the event).
    """
    if all(event.kind == PRESENCE and event.ended_at is not None for event in events):
        # The common case (reports, heartbeats, links): plain intervals, nothing voided or adjusted.
        intervals = [(event.started_at, event.ended_at) for event in events]
        minutes = covered_minutes(intervals, session.starts_at, session.ends_at)
        modes = {event.mode for event in events}
        return Derived(
            minutes=minutes,
            present=minutes >= threshold and minutes > 0,
            mode="hybrid" if len(modes) > 1 else next(iter(modes), ""),
            first_seen_at=min((begin for begin, _end in intervals), default=None),
            sources=sorted({event.source for event in events}),
        )
    events = sorted(events, key=lambda event: (event.started_at, event.id or 0))
    voided = {event.voids_id for event in events if event.kind == AttendanceEvent.Kind.VOID}
    live = [event for event in events if event.kind != AttendanceEvent.Kind.VOID and event.id not in voided]
    checkouts = sorted(event.started_at for event in live if event.kind == AttendanceEvent.Kind.CHECK_OUT)
    intervals, modes, sources = [], set(), set()
    for event in live:
        if event.kind != AttendanceEvent.Kind.PRESENCE:
            continue
        end = event.ended_at or session.ends_at
        if event.ended_at is None:
            later = [moment for moment in checkouts if moment > event.started_at]
            if later:
                end = min(later[0], end)
        intervals.append((event.started_at, end))
        modes.add(event.mode)
        sources.add(event.source)
    minutes = covered_minutes(intervals, session.starts_at, session.ends_at)
    adjustments = [event for event in live if event.kind == AttendanceEvent.Kind.ADJUST]
    if adjustments:
        latest = max(adjustments, key=lambda event: event.id or 0)
        minutes = int(latest.adjusted_minutes if latest.adjusted_minutes is not None else minutes)
        sources.add(AttendanceEvent.Source.MANUAL)
    return Derived(
        minutes=minutes,
        present=minutes >= threshold and minutes > 0,
        mode="hybrid" if len(modes) > 1 else next(iter(modes), ""),
        first_seen_at=min((begin for begin, _end in intervals), default=None),
        sources=sorted(sources),
    )


def _stored_events(session: Session, registration_ids: set[int]) -> list[EventFacts]:
    queryset = AttendanceEvent.objects.filter(session=session)
    if len(registration_ids) <= 500:
        queryset = queryset.filter(registration_id__in=registration_ids)
    fields = ("id", "registration_id", "kind", "source", "mode", "started_at", "ended_at", "voids_id")
    adjusted = dict(queryset.filter(kind=AttendanceEvent.Kind.ADJUST).values_list("id", "evidence__minutes"))
    return [
        EventFacts(*values, adjusted.get(values[0]))
        for values in queryset.values_list(*fields).iterator(chunk_size=5000)
        if values[1] in registration_ids
    ]


def recompute_many(
    session: Session, registration_ids: Iterable[int], extra: Iterable[EventFacts] = ()
) -> int:
    """Recomputes many people's attendance at one session in a few queries (imports, demo, bench).

    ``extra`` are events already written but not worth reading back (a bulk insert just made them).
    """
    registration_ids = set(registration_ids)
    _recompute_from(session, registration_ids, [*_stored_events(session, registration_ids), *extra])
    return len(registration_ids)


# The columns of an event that ``facts()`` reads, for hand-written queries (``core/sql.py``).
EVENT_FACT_FIELDS = (
    "id",
    "registration",
    "kind",
    "source",
    "mode",
    "started_at",
    "ended_at",
    "voids",
    "evidence",
)


def event_fact_columns(alias: str) -> str:
    return ", ".join(f"{alias}.{sql.column(AttendanceEvent, name)}" for name in EVENT_FACT_FIELDS)


def facts(rows: Iterable[Sequence[Any]]) -> list[EventFacts]:
    """Events read with ``event_fact_columns()`` as ``EventFacts``."""
    return [
        EventFacts(
            pk,
            registration_id,
            kind,
            source,
            mode,
            sql.aware(started_at),
            sql.aware(ended_at),
            voids_id,
            _adjusted_minutes(evidence) if kind == AttendanceEvent.Kind.ADJUST else None,
        )
        for pk, registration_id, kind, source, mode, started_at, ended_at, voids_id, evidence in rows
    ]


def attendance_values(events: list[EventFacts], session: Session) -> dict[str, Any]:
    """The stored figures of an ``Attendance`` row derived from all of a person's events."""
    derived = derive(events, session, threshold_minutes(session))
    return {
        "mode": derived.mode,
        "minutes": derived.minutes,
        "present": derived.present,
        "first_seen_at": derived.first_seen_at,
        "sources": derived.sources,
        "computed_at": timezone.now(),
    }


def recompute(registration: Registration, session: Session) -> Attendance:
    """Derives the attendance of one person at one session from all their events.

    The hot path of a door scan or a heartbeat: one read of the person's events and one upsert,
    where ``recompute_many()`` stages rows in bulk for thousands of people at once. No transaction of
    its own (a savepoint would cost two more round trips inside a scan's): the upsert is one statement.
    """
    column = sql.column
    events = facts(
        sql.fetchall(
            f"SELECT {event_fact_columns('e')} FROM {sql.table(AttendanceEvent)} e "  # noqa: S608 - names from the model, values bound
            f"WHERE e.{column(AttendanceEvent, 'registration')} = %s AND e.{column(AttendanceEvent, 'session')} = %s",
            [registration.pk, session.pk],
        )
    )
    values = attendance_values(events, session)
    # One round trip whether or not the row exists (SQLite and PostgreSQL both have ON CONFLICT).
    names = ("registration_id", "session_id", *values)
    params = [
        registration.pk,
        session.pk,
        *(sql.prepare(Attendance, name, value) for name, value in values.items()),
    ]
    sql.execute(
        f"INSERT INTO {sql.table(Attendance)} ({', '.join(column(Attendance, name) for name in names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))}) {attendance_upsert_clause()}",
        params,
    )
    # What was just written; callers read its figures, and the row's id is not needed to do so.
    return Attendance(registration=registration, session=session, **values)


def recount_tallies(session_ids: Iterable[int]) -> None:
    """Rebuilds these sessions' ``AttendanceTally`` rows from their attendance (the triggers keep them
    from then on): after restoring rows written with the triggers off, or to check them."""
    session_ids = list(session_ids)
    with transaction.atomic():
        AttendanceTally.objects.filter(session_id__in=session_ids).delete()
        AttendanceTally.objects.bulk_create(
            AttendanceTally(session_id=session_id, mode=mode, present=present, minutes=minutes, n=n)
            for session_id, mode, present, minutes, n in Attendance.objects.filter(session_id__in=session_ids)
            .values_list("session_id", "mode", "present", "minutes")
            .annotate(n=Count("*"))
            .order_by()
        )


# The first key of the advisory lock the progress triggers take shared on a session (migration 0009).
PROGRESS_LOCK = 1734963


def rebuild_progress(programme: Programme) -> bool:
    """Recounts the programme's ``Progress`` from its attendance with its counting sessions and their
    lengths as they are now (``certificates.services.counting_lengths``), unless it was counted with
    them already; the triggers keep it from then on. Returns whether it recounted.

    One transaction. On PostgreSQL it first takes the programme's sessions' advisory locks exclusively
    (the triggers take them shared before they read the lengths), so it waits for the attendance writes
    under way and the writes that follow wait for it and then read the new lengths: no share counted
    with the old lengths is added to the new count. Until it has run, the readers see lengths that differ
    from the programme's sessions and count exactly instead (``selectors.progress_pairs``).
    """
    from plenary.certificates.services import counting_lengths

    for attempt in range(3):
        try:
            with transaction.atomic():
                return _rebuild_progress(programme, counting_lengths(programme))
        except OperationalError as error:
            # A deadlock with a write holding another session's lock (a registration deleted with its
            # attendance at several sessions): PostgreSQL broke it; start again.
            if attempt == 2 or getattr(error.__cause__, "sqlstate", None) != "40P01":
                raise
    return False


def _rebuild_progress(programme: Programme, lengths: dict[int, int]) -> bool:
    stored = dict(ProgressSession.objects.filter(programme=programme).values_list("session_id", "minutes"))
    if stored == lengths:
        return False
    if connection.vendor == "postgresql":
        sessions = {*lengths, *stored, *programme.sessions.values_list("pk", flat=True)}
        for key in sorted({pk % 2147483647 for pk in sessions}):
            sql.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PROGRESS_LOCK, key])
    ProgressSession.objects.filter(programme=programme).delete()
    ProgressSession.objects.bulk_create(
        ProgressSession(session_id=pk, programme=programme, minutes=minutes)
        for pk, minutes in lengths.items()
    )
    Progress.objects.filter(programme=programme).delete()
    rows, counting = sql.table(Attendance), sql.table(ProgressSession)
    registration, session = sql.column(Attendance, "registration"), sql.column(Attendance, "session")
    minutes, present = sql.column(Attendance, "minutes"), sql.column(Attendance, "present")
    sql.execute(
        f"INSERT INTO {sql.table(Progress)} (registration_id, programme_id, sessions, minutes) "  # noqa: S608 - names from the models, values bound
        f"SELECT a.{registration}, %s, SUM(CASE WHEN a.{present} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN a.{minutes} < c.minutes THEN a.{minutes} ELSE c.minutes END) "
        f"FROM {rows} a JOIN {counting} c ON c.session_id = a.{session} "
        f"WHERE c.programme_id = %s GROUP BY a.{registration}",
        [programme.pk, programme.pk],
    )
    return True


def queue_progress_rebuild(programme_id: int) -> None:
    """After a change to the programme's sessions: ``rebuild_progress`` in the background, once this
    transaction commits (the readers count exactly meanwhile)."""
    from plenary.attendance import tasks
    from plenary.core.tasks import enqueue_on_commit

    enqueue_on_commit(tasks.rebuild_progress, programme_id)


def attendance_upsert_clause() -> str:
    """``ON CONFLICT … DO UPDATE`` for an ``Attendance`` insert: the row of a person and session is replaced."""
    column = sql.column
    updated = ("mode", "minutes", "present", "first_seen_at", "sources", "computed_at")
    return (
        f"ON CONFLICT ({column(Attendance, 'registration')}, {column(Attendance, 'session')}) DO UPDATE SET "
        + ", ".join(f"{column(Attendance, name)} = excluded.{column(Attendance, name)}" for name in updated)
    )


def _adjusted_minutes(evidence) -> Any:
    """The minutes an adjustment event sets (its evidence is JSON, as text on SQLite)."""
    if isinstance(evidence, str):
        evidence = json.loads(evidence)
    return (evidence or {}).get("minutes")


# --- meeting-report imports ----------------------------------------------------------------------


class ImportFailed(DomainError):
    """The file was not imported and nothing changed; ``str()`` is a message for the organiser."""

    status = 422


@dataclass
class ImportOutcome:
    batch: AttendanceImport
    duplicate: bool = False
    replaced: list[AttendanceImport] = field(default_factory=list)


class Directory:
    """Who a report row is: a programme's registrants indexed by reference, email and normalised names."""

    AMBIGUOUS = -1

    def __init__(self, programme: Programme):
        self.by_reference: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        registrations = Registration.objects.filter(programme=programme, status__in=ACTIVE_STATUSES)
        for pk, reference, email, name_en, name_zh in registrations.values_list(
            "pk", "reference", "email", "name_en", "name_zh"
        ).iterator(chunk_size=5000):
            self.by_reference[reference.upper()] = pk
            self._add(self.by_email, email.casefold(), pk)
            for name in {normalise_name(name_en), normalise_name(name_zh)}:
                if name:
                    self._add(self.by_name, name, pk)
        self.alias_email: dict[str, int] = {}
        self.alias_name: dict[str, int] = {}
        for kind, key, pk in NameAlias.objects.filter(
            programme=programme, registration__status__in=ACTIVE_STATUSES
        ).values_list("kind", "key", "registration_id"):
            (self.alias_email if kind == NameAlias.Kind.EMAIL else self.alias_name)[key] = pk

    def _add(self, index: dict[str, int], key: str, pk: int) -> None:
        if key:
            index[key] = pk if index.get(key, pk) == pk else self.AMBIGUOUS

    def match(self, row: ReportRow) -> tuple[int | None, str]:
        """The registration of a row and how it was found, or None and why not."""
        if row.reference and row.reference.upper() in self.by_reference:
            return self.by_reference[row.reference.upper()], "reference"
        email = row.email.casefold()
        if email:
            if email in self.alias_email:
                return self.alias_email[email], "remembered"
            found = self.by_email.get(email)
            if found and found != self.AMBIGUOUS:
                return found, "email"
        names = [normalise_name(name) for name in (row.name, *row.other_names)]
        for name in names:
            if name in self.alias_name:
                return self.alias_name[name], "remembered"
        ambiguous = False
        for name in names:
            found = self.by_name.get(name)
            if found == self.AMBIGUOUS:
                ambiguous = True
            elif found:
                return found, "name"
        if ambiguous:
            return None, gettext_noop("Several registrants have this name.")  # translated when shown
        return None, gettext_noop("No registrant has this email or name.")  # translated when shown


def _read(file: IO[bytes] | bytes | str | Path) -> tuple[bytes, str]:
    if isinstance(file, bytes):
        return file, "report.csv"
    if isinstance(file, str | Path):
        path = Path(file)
        if path.stat().st_size > reports.common.MAX_BYTES:
            raise ImportFailed(
                _("The file is larger than %(size)s MB.") % {"size": reports.common.MAX_BYTES >> 20}
            )
        return path.read_bytes(), path.name
    size = getattr(file, "size", None)
    if size is not None and size > reports.common.MAX_BYTES:
        raise ImportFailed(
            _("The file is larger than %(size)s MB.") % {"size": reports.common.MAX_BYTES >> 20}
        )
    data = file.read(reports.common.MAX_BYTES + 1)
    return data, Path(getattr(file, "name", "") or "report.csv").name


def import_meeting_report(
    session: Session,
    file: IO[bytes] | bytes | str | Path,
    *,
    format: str = "auto",
    tz: str | None = None,
    actor=None,
    file_name: str | None = None,
    date_order: str = "auto",
) -> ImportOutcome:
    """Imports a meeting report into a session's attendance, or raises ImportFailed changing nothing.

    Keyed by the file's hash: the same file again returns the earlier import and changes nothing. A
    different file of the same format for the session is a corrected export: it replaces the earlier
    import (its events removed, everyone affected recomputed). Rows are matched by registrant
    reference, then email, then normalised name (and the organiser's remembered matches); the rest
    are kept for review, and unreadable rows are listed with reasons.
    """
    data, default_name = _read(file)
    file_name = (file_name or default_name)[:255]
    digest = hashlib.sha256(data).hexdigest()
    # Only the import in force counts as "the same file": a file that an import replaced may come back.
    earlier = AttendanceImport.objects.filter(
        session=session, sha256=digest, replaced_by__isnull=True
    ).first()
    if earlier is not None:
        return ImportOutcome(batch=earlier, duplicate=True)
    zone = tz or session.programme.time_zone
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(zone)
    except (ValueError, KeyError, OSError) as error:
        raise ImportFailed(_("%(zone)s is not a known time zone.") % {"zone": zone}) from error
    try:
        try:
            parsed = reports.parse(data, format=format, zone=zone, date_order=date_order)
        except reports.AmbiguousDates as ambiguous:
            parsed = _read_by_session_date(session, data, format, zone, ambiguous)
    except reports.ReportError as error:
        raise ImportFailed(str(error)) from error
    if not parsed.rows:
        if parsed.rejected:
            reasons = "; ".join(f"{row.line}: {row.reason}" for row in parsed.rejected[:3])
            raise ImportFailed(_("None of the rows could be read (%(reasons)s).") % {"reasons": reasons})
        raise ImportFailed(_("The report has no attendance rows."))
    directory = Directory(session.programme)
    try:
        with transaction.atomic():
            return _store(session, parsed, directory, data, digest, file_name, zone, actor)
    except IntegrityError:
        # The same file arrived twice at once: the other request stored it.
        earlier = AttendanceImport.objects.filter(
            session=session, sha256=digest, replaced_by__isnull=True
        ).first()
        if earlier is None:
            raise
        return ImportOutcome(batch=earlier, duplicate=True)


def _read_by_session_date(session, data, format, zone, ambiguous) -> reports.ParsedReport:
    """Dates like 05/11/2030 that the file cannot settle: the session's own date may settle them.

    Read both ways; if exactly one reading puts the report's times within a day of the session, that is the
    order (evidence, not a guess). Otherwise the organiser is asked (``ambiguous`` is raised again).
    """
    fitting = []
    for order in ("MD", "DM"):
        try:
            parsed = reports.parse(data, format=format, zone=zone, date_order=order)
        except reports.ReportError:
            continue
        times = [row.joined for row in parsed.rows if row.joined]
        start, end = session.starts_at - timedelta(days=1), session.ends_at + timedelta(days=1)
        if times and all(start <= moment <= end for moment in times):
            fitting.append(parsed)
    if len(fitting) == 1:
        return fitting[0]
    raise ambiguous


def _store(session, parsed, directory, data, digest, file_name, zone, actor) -> ImportOutcome:
    previous = list(
        AttendanceImport.objects.select_for_update().filter(
            session=session, format=parsed.format, replaced_by__isnull=True
        )
    )
    batch = AttendanceImport(
        session=session,
        file_name=file_name,
        sha256=digest,
        format=parsed.format,
        time_zone=zone,
        rows=len(parsed.rows) + len(parsed.rejected),
        participants=parsed.participants,
        rejected_rows=[row.as_dict() for row in parsed.rejected],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    batch.file.save(f"{session.pk}/{digest[:16]}-{Path(file_name).name}", ContentFile(data), save=False)
    batch.save()
    affected: set[int] = set()
    for old in previous:
        affected.update(old.events.values_list("registration_id", flat=True).distinct())
        removed, _by_model = old.events.all().delete()
        old.replaced_by = batch
        old.save(update_fields=["replaced_by"])
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=old,
            programme=session.programme,
            summary=f"{session.title_en}: {old.file_name} replaced by {file_name} ({removed} events removed)",
            before={"replaced_by": None},
            after={"replaced_by": batch.pk},
        )
    facts, lines, unmatched, matched_people = [], [], [], set()
    source, kind, mode = (
        AttendanceEvent.Source.MEETING_REPORT.value,
        AttendanceEvent.Kind.PRESENCE.value,
        AttendanceEvent.Mode.ONLINE.value,
    )
    left_over = []
    for row in parsed.rows:
        registration_id, how = directory.match(row)
        if registration_id is None:
            left_over.append((row, how))
            continue
        matched_people.add(registration_id)
        facts.append(EventFacts(None, registration_id, kind, source, mode, row.joined, row.left, None))
        lines.append((row.line, how))
    by_click = _match_by_join_link(session, [row for row, _why in left_over], matched_people)
    for row, how in left_over:
        registration_id = by_click.get(row.line)
        if registration_id is None:
            unmatched.append({**row.as_dict(), "reason": how})
            continue
        matched_people.add(registration_id)
        facts.append(EventFacts(None, registration_id, kind, source, mode, row.joined, row.left, None))
        lines.append((row.line, "join_link"))
    affected |= matched_people
    # The affected people's other events, read before the insert: the new ones are in hand already.
    stored = _stored_events(session, affected)
    _insert_report_events(session, batch, facts, lines)
    batch.matched = len(matched_people)
    batch.unmatched_rows = unmatched
    batch.save(update_fields=["matched", "unmatched_rows"])
    _recompute_from(session, affected, stored + facts)
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.CREATE,
        instance=batch,
        programme=session.programme,
        summary=f"{session.title_en}: {batch.rows} rows, {batch.matched} matched, {len(unmatched)} unmatched",
    )
    return ImportOutcome(batch=batch, replaced=previous)


JOIN_LINK_BEFORE = timedelta(minutes=3)  # a personal link is followed, then the meeting app opens
JOIN_LINK_AFTER = timedelta(minutes=1)


def _match_by_join_link(session: Session, rows: list[ReportRow], already: set[int]) -> dict[int, int]:
    """Rows nobody could be named for ("iPad", a guest name), matched by a personal join link followed just
    before the row's join time: only when exactly one registrant (not otherwise in the report) followed one
    in that window and no other row points to the same registrant. Returns {row line: registration id}."""
    if not rows:
        return {}
    clicks = [
        (moment, registration_id)
        for moment, registration_id in AttendanceEvent.objects.filter(
            session=session, source=AttendanceEvent.Source.JOIN_LINK
        ).values_list("started_at", "registration_id")
        if registration_id not in already
    ]
    if not clicks:
        return {}
    candidates: dict[int, int] = {}
    for row in rows:
        if row.joined is None:
            continue
        near = {
            registration_id
            for moment, registration_id in clicks
            if row.joined - JOIN_LINK_BEFORE <= moment <= row.joined + JOIN_LINK_AFTER
        }
        if len(near) == 1:
            candidates[row.line] = near.pop()
    claimed = defaultdict(int)
    for registration_id in candidates.values():
        claimed[registration_id] += 1
    return {line: pk for line, pk in candidates.items() if claimed[pk] == 1}


def _recompute_from(session: Session, registration_ids: set[int], events: list[EventFacts]) -> None:
    """Writes the attendance of these people, derived from events already in hand, in bulk."""
    if not registration_ids:
        return
    by_person: dict[int, list[EventFacts]] = defaultdict(list)
    for event in events:
        by_person[event.registration_id].append(event)
    threshold = threshold_minutes(session)
    now = _db_datetime(timezone.now())
    rows = []
    sources_json: dict[tuple, str] = {}
    for registration_id in registration_ids:
        derived = derive(by_person.get(registration_id, ()), session, threshold)
        rows.append(
            (
                registration_id,
                session.pk,
                derived.mode,
                derived.minutes,
                derived.present,
                _db_datetime(derived.first_seen_at),
                sources_json.get(tuple(derived.sources))
                or sources_json.setdefault(tuple(derived.sources), json.dumps(derived.sources)),
                now,
            )
        )
    _insert_many(
        Attendance._meta.db_table,
        [
            "registration_id",
            "session_id",
            "mode",
            "minutes",
            "present",
            "first_seen_at",
            "sources",
            "computed_at",
        ],
        rows,
        on_conflict=attendance_upsert_clause(),
    )


def _insert_many(table: str, columns: list[str], rows: list[tuple], *, on_conflict: str = "") -> None:
    """Inserts many uniform rows fast: COPY on PostgreSQL, executemany on SQLite.

    ``on_conflict`` is the clause that decides what a clashing row does (``attendance_upsert_clause()``
    for attendance: the one way an attendance row is written, by one statement or in bulk). The
    ORM's bulk_create spends most of its time building and preparing model instances; these rows
    are plain tuples already. Table and column names come from the models, values are parameters.
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(column) for column in columns)
    conflict = f" {on_conflict}" if on_conflict else ""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            target = quote(table)
            if on_conflict:
                target = quote(f"staging_{table}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {target} ON COMMIT DROP AS SELECT {names} FROM {quote(table)} WITH NO DATA"  # noqa: S608
                )
            with cursor.copy(f"COPY {target} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            if on_conflict:
                cursor.execute(f"INSERT INTO {quote(table)} ({names}) SELECT {names} FROM {target}{conflict}")  # noqa: S608
                cursor.execute(f"DROP TABLE {target}")
            return
        placeholders = ", ".join(["%s"] * len(columns))
        sql = f"INSERT INTO {quote(table)} ({names}) VALUES ({placeholders}){conflict}"  # noqa: S608
        for start in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[start : start + 5000])


def _db_datetime(value: datetime | None, _cache: dict = {}):  # noqa: B006 - a deliberate memo
    """A datetime as the database driver takes it (SQLite: naive UTC text; PostgreSQL: as it is)."""
    if value is None or connection.vendor == "postgresql":
        return value
    if value not in _cache:
        if len(_cache) > 200_000:
            _cache.clear()
        _cache[value] = connection.ops.adapt_datetimefield_value(value)
    return _cache[value]


def _insert_report_events(session, batch, facts: list[EventFacts], lines: list[tuple[int, str]]) -> None:
    """Writes a report's events with one statement per few thousand rows: the fast path of big imports.

    The ORM's bulk_create spends most of its time building and preparing model instances; these rows
    are uniform, so they go in as plain tuples.
    """
    moment = _db_datetime
    now = _db_datetime(timezone.now())
    rows = [
        (
            event.registration_id,
            session.pk,
            event.source,
            event.kind,
            event.mode,
            moment(event.started_at),
            moment(event.ended_at),
            batch.pk,
            "",
            f'{{"line": {line}, "matched_by": "{how}"}}',
            now,
        )
        for event, (line, how) in zip(facts, lines, strict=True)
    ]
    _insert_many(
        AttendanceEvent._meta.db_table,
        [
            "registration_id",
            "session_id",
            "source",
            "kind",
            "mode",
            "started_at",
            "ended_at",
            "import_batch_id",
            "reason",
            "evidence",
            "recorded_at",
        ],
        rows,
    )


def _report_event(session, batch, registration_id, joined, left, line, how) -> AttendanceEvent:
    return AttendanceEvent(
        registration_id=registration_id,
        session=session,
        source=AttendanceEvent.Source.MEETING_REPORT,
        kind=AttendanceEvent.Kind.PRESENCE,
        mode=AttendanceEvent.Mode.ONLINE,
        started_at=joined,
        ended_at=left,
        import_batch=batch,
        evidence={"line": line, "matched_by": how},
    )


@transaction.atomic
def resolve_unmatched(batch: AttendanceImport, line: int, registration: Registration, *, actor) -> int:
    """An organiser says an unmatched row is this registrant: the match is remembered and applied.

    Every unmatched row of the same import with the same email or name is matched too. Returns how
    many rows were matched.
    """
    batch = AttendanceImport.objects.select_for_update().get(pk=batch.pk)
    session = batch.session
    if registration.programme_id != session.programme_id:
        raise ImportFailed(_("This registrant is not registered for this programme."))
    target = next((row for row in batch.unmatched_rows if row["line"] == line), None)
    if target is None:
        raise ImportFailed(_("This row has already been matched."))
    email = (target.get("email") or "").casefold()
    name = normalise_name(target.get("name") or "")
    kind, key = (NameAlias.Kind.EMAIL, email) if email else (NameAlias.Kind.NAME, name)
    NameAlias.objects.update_or_create(
        programme=session.programme,
        kind=kind,
        key=key,
        defaults={
            "registration": registration,
            "created_by": actor if getattr(actor, "is_authenticated", False) else None,
        },
    )
    same = [
        row
        for row in batch.unmatched_rows
        if (email and (row.get("email") or "").casefold() == email)
        or (not email and not row.get("email") and normalise_name(row.get("name") or "") == name)
    ]
    for row in same:
        event = _report_event(
            session,
            batch,
            registration.pk,
            datetime.fromisoformat(row["joined"]),
            datetime.fromisoformat(row["left"]),
            row["line"],
            "review",
        )
        event.recorded_by = actor if getattr(actor, "is_authenticated", False) else None
        event.save()
    lines = {row["line"] for row in same}
    batch.unmatched_rows = [row for row in batch.unmatched_rows if row["line"] not in lines]
    batch.matched = batch.events.values("registration_id").distinct().count()
    batch.save(update_fields=["unmatched_rows", "matched"])
    recompute_many(session, [registration.pk])
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.UPDATE,
        instance=batch,
        programme=session.programme,
        summary=f"{target.get('name') or email} → {registration.reference}",
    )
    return len(same)


@transaction.atomic
def adjust_minutes(
    registration: Registration, session: Session, *, minutes: int, reason: str, actor
) -> Attendance:
    """Sets a person's minutes by hand: an ``adjust`` event with who and why, audited."""
    if not reason.strip():
        raise ImportFailed(_("Give a reason for the adjustment."))
    length = int(session.duration.total_seconds() // 60)
    if not 0 <= minutes <= length:
        raise ImportFailed(_("Minutes must be between 0 and %(length)s.") % {"length": length})
    before = Attendance.objects.filter(registration=registration, session=session).first()
    event = AttendanceEvent.objects.create(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.MANUAL,
        kind=AttendanceEvent.Kind.ADJUST,
        mode="",
        started_at=timezone.now(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
        reason=reason.strip()[:300],
        evidence={"minutes": minutes},
    )
    attendance = recompute(registration, session)
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.UPDATE,
        instance=event,
        programme=session.programme,
        before={"minutes": before.minutes if before else 0},
        after={"minutes": attendance.minutes, "reason": event.reason},
        summary=f"{registration.reference} · {session.title_en}: {attendance.minutes} min ({event.reason})",
    )
    return attendance


# --- personal join links and streams ---------------------------------------------------------------


def heartbeat_seconds() -> int:
    """How often a visible stream page reports (setting ``ATTENDANCE_HEARTBEAT_SECONDS``, 30–60 s)."""
    return int(getattr(settings, "ATTENDANCE_HEARTBEAT_SECONDS", 45))


def join_window(session: Session) -> tuple[datetime, datetime]:
    """When a personal link lets people in: shortly before the start until the end."""
    opens = session.starts_at - timedelta(minutes=getattr(settings, "ATTENDANCE_JOIN_OPENS_MINUTES", 30))
    return opens, session.ends_at


def in_window(session: Session, moment: datetime | None = None) -> bool:
    opens, closes = join_window(session)
    return opens <= (moment or timezone.now()) <= closes


@transaction.atomic
def record_join(
    registration: Registration, session: Session, moment: datetime | None = None
) -> AttendanceEvent:
    """A registrant followed their personal link: evidence of joining (no minutes by itself)."""
    moment = moment or timezone.now()
    event = AttendanceEvent.objects.create(
        registration=registration,
        session=session,
        source=AttendanceEvent.Source.JOIN_LINK,
        mode=AttendanceEvent.Mode.ONLINE,
        started_at=moment,
        ended_at=moment,
    )
    recompute(registration, session)
    return event


def open_stream(registration: Registration, session: Session) -> str:
    """A new page starts watching: it becomes the one counted viewer and gets its id."""
    viewer = secrets.token_urlsafe(16)
    StreamViewer.objects.update_or_create(
        registration=registration, session=session, defaults={"viewer": viewer}
    )
    return viewer


class Heartbeat(NamedTuple):
    result: str  # "counted", "outside_window", "taken_over"
    minutes: int


@transaction.atomic
def record_heartbeat(
    registration: Registration, session: Session, viewer: str, moment: datetime | None = None
) -> Heartbeat:
    """A stream page is still visible: extend the open stream interval, or start a new one.

    The interval is extended while heartbeats come less than two intervals apart; a longer gap (the
    page hidden, the laptop asleep) starts a new interval, so the gap is not counted.
    """
    moment = moment or timezone.now()
    current = (
        StreamViewer.objects.select_for_update().filter(registration=registration, session=session).first()
    )
    if current is None or current.viewer != viewer:
        return Heartbeat("taken_over", 0)
    if not in_window(session, moment) or moment > session.ends_at:
        return Heartbeat("outside_window", 0)
    gap = timedelta(seconds=2 * heartbeat_seconds())
    last = (
        AttendanceEvent.objects.select_for_update()
        .filter(registration=registration, session=session, source=AttendanceEvent.Source.STREAM_HEARTBEAT)
        .order_by("-ended_at", "-id")
        .first()
    )
    if last is not None and last.ended_at and timedelta(0) <= moment - last.ended_at < gap:
        last.ended_at = moment
        last.save(update_fields=["ended_at"])
    elif last is None or moment > (last.ended_at or moment):
        AttendanceEvent.objects.create(
            registration=registration,
            session=session,
            source=AttendanceEvent.Source.STREAM_HEARTBEAT,
            mode=AttendanceEvent.Mode.ONLINE,
            started_at=moment,
            ended_at=moment,
            evidence={"viewer": viewer},
        )
    attendance = recompute(registration, session)
    return Heartbeat("counted", attendance.minutes)
