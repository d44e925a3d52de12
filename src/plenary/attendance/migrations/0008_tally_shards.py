"""The attendance tally split into shards (see ``models.AttendanceTally``).

With one row per (session, mode, present, minutes), every door scan of a session updated the same tally
row inside its statement, so concurrent scans waited for each other's commit (PostgreSQL's
``Lock:transactionid`` wait was most of a busy door's time). Now a PostgreSQL connection adds and takes
away in the shard of its own backend (``pg_backend_pid() % SHARDS``), always with an upsert, and the
readers add the shards up. SQLite has one writer at a time and writes shard 0."""

from django.db import migrations, models

# ruff: noqa: S608 - table and column names are constants of this file; no value is interpolated
TALLY = "attendance_attendancetally"
ROWS = "attendance_attendance"
KEY = "session_id, mode, present, minutes"
SHARDS = 16  # models.AttendanceTally.SHARDS, as it was when this migration was written

POSTGRESQL = f"""
CREATE OR REPLACE FUNCTION attendance_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    here smallint := pg_backend_pid() % {SHARDS};
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.session_id, OLD.mode, OLD.present, OLD.minutes)
        IS NOT DISTINCT FROM (NEW.session_id, NEW.mode, NEW.present, NEW.minutes) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO {TALLY} ({KEY}, shard, n)
            VALUES (OLD.session_id, OLD.mode, OLD.present, OLD.minutes, here, -1)
            ON CONFLICT ({KEY}, shard) DO UPDATE SET n = {TALLY}.n - 1;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TALLY} ({KEY}, shard, n)
            VALUES (NEW.session_id, NEW.mode, NEW.present, NEW.minutes, here, 1)
            ON CONFLICT ({KEY}, shard) DO UPDATE SET n = {TALLY}.n + 1;
    END IF;
    RETURN NULL;
END $$;
"""
POSTGRESQL_BACK = f"""
CREATE OR REPLACE FUNCTION attendance_tally_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.session_id, OLD.mode, OLD.present, OLD.minutes)
        IS NOT DISTINCT FROM (NEW.session_id, NEW.mode, NEW.present, NEW.minutes) THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE {TALLY} SET n = n - 1 WHERE session_id = OLD.session_id AND mode = OLD.mode
            AND present = OLD.present AND minutes = OLD.minutes;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO {TALLY} ({KEY}, n) VALUES (NEW.session_id, NEW.mode, NEW.present, NEW.minutes, 1)
            ON CONFLICT ({KEY}) DO UPDATE SET n = {TALLY}.n + 1;
    END IF;
    RETURN NULL;
END $$;
"""


def _sqlite(sharded: bool) -> list[str]:
    columns, values, key = (f"{KEY}, shard", "0, 1", f"{KEY}, shard") if sharded else (KEY, "1", KEY)
    add = (
        f"INSERT INTO {TALLY} ({columns}, n) VALUES (NEW.session_id, NEW.mode, NEW.present, NEW.minutes, "
        f"{values}) ON CONFLICT ({key}) DO UPDATE SET n = n + 1;"
    )
    take = (
        f"UPDATE {TALLY} SET n = n - 1 WHERE session_id = OLD.session_id AND mode = OLD.mode "
        f"AND present = OLD.present AND minutes = OLD.minutes{' AND shard = 0' if sharded else ''};"
    )
    return [
        f"CREATE TRIGGER attendance_tally_insert AFTER INSERT ON {ROWS} BEGIN {add} END",
        f"CREATE TRIGGER attendance_tally_delete AFTER DELETE ON {ROWS} BEGIN {take} END",
        f"CREATE TRIGGER attendance_tally_update AFTER UPDATE OF {KEY} ON {ROWS} "
        "WHEN OLD.session_id IS NOT NEW.session_id OR OLD.mode IS NOT NEW.mode "
        f"OR OLD.present IS NOT NEW.present OR OLD.minutes IS NOT NEW.minutes BEGIN {take} {add} END",
    ]


SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS attendance_tally_insert",
    "DROP TRIGGER IF EXISTS attendance_tally_delete",
    "DROP TRIGGER IF EXISTS attendance_tally_update",
]


def drop_sqlite_triggers(apps, schema_editor):
    # SQLite's triggers name the old conflict target; they go before the unique constraint changes.
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for statement in SQLITE_DROP:
                cursor.execute(statement)


def sharded_triggers(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL)
        else:
            for statement in _sqlite(sharded=True):
                cursor.execute(statement)


def unsharded_triggers(apps, schema_editor):
    drop_sqlite_triggers(apps, schema_editor)
    with schema_editor.connection.cursor() as cursor:
        # Back to one row per key: the shards folded into shard 0 first.
        cursor.execute(
            f"CREATE TEMPORARY TABLE tally_folded AS SELECT {KEY}, SUM(n) AS n FROM {TALLY} GROUP BY {KEY}"
        )
        cursor.execute(f"DELETE FROM {TALLY}")
        cursor.execute(f"INSERT INTO {TALLY} ({KEY}, shard, n) SELECT {KEY}, 0, n FROM tally_folded")
        cursor.execute("DROP TABLE tally_folded")
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(POSTGRESQL_BACK)


def unsharded_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        with schema_editor.connection.cursor() as cursor:
            for statement in _sqlite(sharded=False):
                cursor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("attendance", "0007_attendance_tally")]

    operations = [
        migrations.RunPython(drop_sqlite_triggers, unsharded_sqlite_triggers),
        migrations.RemoveConstraint(model_name="attendancetally", name="attendance_tally_key"),
        migrations.AddField(
            model_name="attendancetally",
            name="shard",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddConstraint(
            model_name="attendancetally",
            constraint=models.UniqueConstraint(
                fields=("session", "mode", "present", "minutes", "shard"), name="attendance_tally_key"
            ),
        ),
        migrations.RunPython(sharded_triggers, unsharded_triggers),
    ]
