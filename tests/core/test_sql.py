"""The hand-written statement helpers (core/sql.py)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from plenary.core import sql


def test_placeholders_are_numbered_for_postgresql():
    assert sql.numbered("SELECT %s, %s FROM t WHERE a LIKE 'x%%' AND b = %s") == (
        "SELECT $1, $2 FROM t WHERE a LIKE 'x%' AND b = $3"
    )
    assert sql.numbered("SELECT 1") == "SELECT 1"
    with pytest.raises(ValueError, match="Only %s placeholders"):
        sql.numbered("SELECT %(name)s")


@pytest.mark.django_db
def test_hydrate_takes_names_in_any_order_and_refuses_a_short_row():
    User = get_user_model()
    user = sql.hydrate(User, ["username", "id", "is_active"], ["ada", 7, True])
    assert (user.pk, user.username, user.is_active) == (7, "ada", True)
    with pytest.raises(ValueError, match="2 names and 1 values"):
        sql.hydrate(User, ["username", "id"], ["ada"])


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_statements_are_prepared_once_and_planned_once_per_connection():
    statement = "SELECT COUNT(*) FROM " + sql.table(get_user_model()) + " WHERE id > %s"  # noqa: S608
    for floor in range(7):
        sql.fetchone(statement, [floor])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
            [sql.numbered(statement)],
        )
        rows = cursor.fetchall()
    # One prepared statement, run seven times, never planned for the particular values.
    assert rows == [(7, 0)]
