"""A bounded schemathesis run over the API's own OpenAPI document (issue 14): as an organiser and as an
anonymous caller, no operation answers a server error, whatever the generated input."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from plenary.site.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Bounded: a few examples per operation keeps the run under a minute on a small machine.
BOUND = settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
    database=None,
)


@pytest.fixture
def organiser_token(organiser):
    from plenary.api.auth import create_token

    return create_token(organiser)


@pytest.fixture(autouse=True)
def in_the_test_transaction(db):
    """The WSGI calls run in this test's database transaction, as Django's test client's do: the
    request signals must not close the connection, and no limit is used up by earlier tests."""
    from django.core.cache import caches
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    caches["limits"].clear()
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@BOUND
def test_no_server_error_as_an_organiser(case, organiser_token):
    response = case.call(headers={"Authorization": f"Bearer {organiser_token}"})
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"


@schema.parametrize()
@BOUND
def test_no_server_error_as_anyone(case, reference_programme):
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.text[:500]}"
