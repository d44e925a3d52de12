"""A web process warms up before its first request (site/warmup.py) without touching any data."""

from __future__ import annotations

import logging

import pytest
from django.db import connection

from plenary.core.warmup import statements
from plenary.programmes.models import Programme
from plenary.registrations.models import Registration
from plenary.site import warmup


@pytest.mark.django_db
def test_warm_up_runs_every_registered_statement_and_changes_nothing(caplog):
    assert len(statements()) >= 5  # token, door with and without a pass, programme, seats
    before = (Programme.objects.count(), Registration.objects.count())
    with caplog.at_level(logging.WARNING, logger="plenary.site.warmup"):
        warmup.process()
        warmup.thread()
    assert not caplog.records, [record.getMessage() for record in caplog.records]
    assert (Programme.objects.count(), Registration.objects.count()) == before
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_prepared_statements")
            [(prepared,)] = cursor.fetchall()
        assert prepared >= len(statements())
