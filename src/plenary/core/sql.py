"""Hand-written SQL for the hot paths, portable between SQLite and PostgreSQL.

Django's ORM compiles every query afresh: on the 2-core machines Plenary is measured on that costs
about half a millisecond of CPU per query, more than the database spends answering it. The few paths
that run hundreds of times a second — the API token check, a registration, a door scan — write their
statements with these helpers instead; everything else uses the ORM.

Values are adapted by the model fields themselves (``get_db_prep_save``), so dates, booleans and JSON
are stored exactly as the ORM would store them, and rows read back are turned into model instances
with ``Model.from_db``, the ORM's own constructor for loaded rows.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection, models
from django.utils import timezone
from django.utils.dateparse import parse_datetime


# Statements and names are built once per process: the database in use does not change.
@cache
def table(model: type[models.Model]) -> str:
    """The model's table, quoted for the database in use."""
    return connection.ops.quote_name(model._meta.db_table)


@cache
def _field(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


@cache
def column(model: type[models.Model], name: str) -> str:
    """A field's column, quoted."""
    return connection.ops.quote_name(_field(model, name).column)


_ONLY_WHEN_ASKED = 2**31


def one_statement_path() -> bool:
    """Whether a use case may take its one-statement path: PostgreSQL, outside any transaction, and
    not switched off by ``PLENARY_ONE_STATEMENT_SQL=0`` (which forces the portable path everywhere).

    The two paths of a use case are built from the same named statements (``registrations/seats.py``,
    ``attendance/services.py``); the tests run both on the same database and compare what they store."""
    return (
        connection.vendor == "postgresql"
        and not connection.in_atomic_block
        and getattr(settings, "PLENARY_ONE_STATEMENT_SQL", True)
    )


@contextmanager
def _cursor() -> Iterator[Any]:
    """A cursor for hand-written statements.

    On PostgreSQL, a psycopg cursor with server-side binding on Django's own connection (so inside the
    same transaction), which prepares each statement once per connection: the database then skips
    parsing and planning on every later call. Elsewhere, Django's cursor. Errors are Django's either way.
    """
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
        return
    # Django's own cursors check a kept connection's health once per request (CONN_HEALTH_CHECKS);
    # this raw path must too, else the first request after a database restart answers 500. (The
    # check looks at the socket first: core/postgresql/base.py.)
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_no_broken_transaction()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django opens connections with psycopg's statement preparation switched off, and then
        # ``prepare=True`` is silently ignored. A threshold no query reaches switches it back on for the
        # statements here alone: Django's own cursors bind on the client and are never prepared.
        raw.prepare_threshold = _ONLY_WHEN_ASKED
    with connection.wrap_database_errors, psycopg.RawCursor(raw) as cursor:
        yield _Prepared(cursor)


_PLACEHOLDERS = re.compile(r"%s|%%|%")


@lru_cache(maxsize=512)
def numbered(sql: str) -> str:
    """A statement written with ``%s`` placeholders in PostgreSQL's own ``$1, $2, …``.

    psycopg rewrites placeholders on every call, and caches the result only for statements under 4 kB
    with at most 50 parameters; the one-statement registration is longer, and rewriting it took a sixth
    of a registration's CPU. The rewrite is kept here instead, and a raw cursor sends it as it is."""
    numbers = itertools.count(1)

    def swap(match: re.Match) -> str:
        if match.group() == "%s":
            return f"${next(numbers)}"
        if match.group() == "%%":
            return "%"
        raise ValueError(f"Only %s placeholders are supported here: {sql[:80]}")

    return _PLACEHOLDERS.sub(swap, sql)


class _Prepared:
    def __init__(self, cursor):
        self.cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.cursor.execute(numbered(sql), params, prepare=True)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cursor, name)


def fetchone(sql: str, params: Sequence[Any] = ()) -> tuple | None:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def fetchall(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Runs a statement; returns the number of rows it changed."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def prepare(model: type[models.Model], name: str, value: Any) -> Any:
    """A value as the field would send it to the database."""
    return _adapt(model, name, value)


# Values of these types go to the database as they are, except into JSON fields.
_PLAIN = (str, int, bool, type(None))


@cache
def _json(model: type[models.Model], name: str) -> bool:
    return isinstance(_field(model, name), models.JSONField)


def _adapt(model: type[models.Model], name: str, value: Any) -> Any:
    if type(value) in _PLAIN and not _json(model, name):
        return value
    return _field(model, name).get_db_prep_save(value, connection)


@cache
def _insert_sql(
    model: type[models.Model], names: tuple[str, ...], count: int, returning: str | None, skip: bool
) -> str:
    placeholders = "(" + ", ".join(["%s"] * len(names)) + ")"
    sql = (
        f"INSERT INTO {table(model)} ({', '.join(column(model, name) for name in names)}) "  # noqa: S608 - names from the model, values bound
        f"VALUES {', '.join([placeholders] * count)}"
    )
    if skip:
        sql += " ON CONFLICT DO NOTHING"
    if returning is not None:
        sql += f" RETURNING {column(model, returning)}"
    return sql


def insert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, Any]],
    *,
    returning: str | None = "id",
    on_conflict_do_nothing: bool = False,
) -> list[Any]:
    """Inserts rows (dicts of field or attribute name → value, all with the same keys) in one statement.

    Returns the ``returning`` field of each inserted row, in order (SQLite ≥ 3.35 and PostgreSQL
    both have ``RETURNING``); rows skipped by ``on_conflict_do_nothing`` return nothing.
    """
    if not rows:
        return []
    names = tuple(rows[0])
    params = [_adapt(model, name, row[name]) for row in rows for name in names]
    sql = _insert_sql(model, names, len(rows), returning, on_conflict_do_nothing)
    if returning is None:
        execute(sql, params)
        return []
    return [row[0] for row in fetchall(sql, params)]


def insert_select(model: type[models.Model], row: Mapping[str, Any], source: str) -> tuple[str, list[Any]]:
    """``INSERT INTO model (…) SELECT %s, … FROM source`` and its parameters: the row is written once
    for each row of ``source`` (a CTE in a ``WITH`` statement: once if it returned a row, else not).
    Each value is cast to its column's type, since PostgreSQL cannot infer the type of a bare parameter
    in a SELECT list."""
    names = tuple(row)
    return _insert_select_sql(model, names, source), [_adapt(model, name, row[name]) for name in names]


@cache
def _insert_select_sql(model: type[models.Model], names: tuple[str, ...], source: str) -> str:
    cells = ", ".join(f"CAST(%s AS {_field(model, name).cast_db_type(connection)})" for name in names)
    return (
        f"INSERT INTO {table(model)} ({', '.join(column(model, name) for name in names)}) "  # noqa: S608 - names from the model, values bound
        f"SELECT {cells} FROM {source}"
    )


class ParentId:
    """In ``insert_family()``, the new parent row's id (``text=True``: as text, for text columns)."""

    def __init__(self, *, text: bool = False):
        self.text = text


def insert_family(
    model: type[models.Model],
    row: Mapping[str, Any],
    children: Sequence[tuple[type[models.Model], Sequence[Mapping[str, Any]]]],
) -> Any:
    """Inserts a row and rows that refer to it (their values may hold ``ParentId()``); returns its id.

    On PostgreSQL in one statement — ``WITH p AS (INSERT … RETURNING id) INSERT …`` — so one round
    trip instead of one per table; elsewhere one statement per table.
    """
    if connection.vendor != "postgresql":
        [parent_id] = insert(model, [row])
        for child, rows in children:
            insert(
                child,
                [
                    {
                        name: (str(parent_id) if value.text else parent_id)
                        if isinstance(value, ParentId)
                        else value
                        for name, value in item.items()
                    }
                    for item in rows
                ],
                returning=None,
            )
        return parent_id
    names = tuple(row)
    params: list[Any] = [_adapt(model, name, row[name]) for name in names]
    parts = [
        f"p AS ({_insert_sql(model, names, 1, None, False)} RETURNING {column(model, 'id')})",
    ]
    for index, (child, rows) in enumerate(children):
        if not rows:
            continue
        child_names = tuple(rows[0])
        values = []
        for item in rows:
            cells = []
            for name in child_names:
                value = item[name]
                if isinstance(value, ParentId):
                    cells.append("(SELECT CAST(id AS text) FROM p)" if value.text else "(SELECT id FROM p)")
                else:
                    cells.append("%s")
                    params.append(_adapt(child, name, value))
            values.append("(" + ", ".join(cells) + ")")
        parts.append(
            f"c{index} AS (INSERT INTO {table(child)} ({', '.join(column(child, name) for name in child_names)}) "  # noqa: S608 - names from the models, values bound
            f"VALUES {', '.join(values)})"
        )
    [parent_id] = fetchone(f"WITH {', '.join(parts)} SELECT id FROM p", params)  # noqa: S608
    return parent_id


def aware(value: datetime.datetime | str | None) -> datetime.datetime | None:
    """A timestamp read by hand as an aware datetime (SQLite hands back naive UTC or text)."""
    if value is None:
        return None
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = value.replace(tzinfo=datetime.UTC)
    return value


@cache
def _timestamps(model: type[models.Model]) -> frozenset[str]:
    return frozenset(
        field.attname for field in model._meta.concrete_fields if isinstance(field, models.DateTimeField)
    )


@cache
def columns(model: type[models.Model], alias: str = "") -> tuple[str, tuple[str, ...]]:
    """The SELECT list of every stored field of ``model`` (prefixed by a table alias) and the
    attribute names ``hydrate()`` takes with the values."""
    names = tuple(field.attname for field in model._meta.concrete_fields)
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + column(model, name) for name in names), names


def hydrate(model: type[models.Model], names: Sequence[str], values: Sequence[Any]) -> models.Model:
    """A model instance of a row read by hand, as if the ORM had loaded it. ``names`` are attribute
    names (``programme_id``), as ``columns()`` gives them; fields not given are deferred (loaded
    on first use)."""
    if len(values) != len(names):
        raise ValueError(f"hydrate() was given {len(names)} names and {len(values)} values")
    given, order, stamps = _hydration(model, tuple(names))
    row = [values[index] for index in order]
    for index in stamps:
        row[index] = aware(row[index])
    return model.from_db(connection.alias, given, row)


@cache
def _hydration(model: type[models.Model], names: tuple[str, ...]) -> tuple[list[str], list[int], list[int]]:
    """For ``hydrate()``: the given attribute names in the model's field order, where each one sits in
    ``names``, and which of them are timestamps (names that are not fields are left out)."""
    place = {name: index for index, name in enumerate(names)}
    given = [field.attname for field in model._meta.concrete_fields if field.attname in place]
    timestamps = _timestamps(model)
    return given, [place[name] for name in given], [i for i, name in enumerate(given) if name in timestamps]


def in_list(values: Iterable[Any]) -> tuple[str, list[Any]]:
    """``(%s, %s, …)`` and its parameters, for ``IN`` clauses."""
    values = list(values)
    return "(" + ", ".join(["%s"] * len(values)) + ")", values
