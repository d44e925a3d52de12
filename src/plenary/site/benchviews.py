"""The smallest views on Plenary's own stack, for `plenary bench pages` to measure beside the real ones.

Enabled only with ``PLENARY_BENCH_VIEWS=1``. ``/bench/fixed/`` answers a fixed page as large as the
programme page through the same middleware; ``/bench/insert/`` is a POST that inserts one row in one
transaction (with the CSRF check exempted: the floor of any write, not a form). Their rates are the
stack's own ceiling on this machine, the yardstick for the programme page and the registration form.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

FIXED = ("<!DOCTYPE html><html lang='en'><title>fixed</title><body>" + "<p>Plenary fixed page.</p>" * 520)[
    :13_000
].encode()
TABLE = "plenary_bench_row"


def fixed(request):
    return HttpResponse(FIXED)


def create_table() -> None:
    """The insert view's table; the benchmark creates it before the load (in the server's database)."""
    key = "BIGSERIAL" if connection.vendor == "postgresql" else "INTEGER"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (id {key} PRIMARY KEY, note VARCHAR(40))")


@csrf_exempt
@require_POST
def insert(request):
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {TABLE} (note) VALUES (%s)", [request.POST.get("note", "")[:40]])  # noqa: S608
    return HttpResponse(status=204)


urlpatterns = [
    path("bench/fixed/", fixed),
    path("bench/insert/", insert),
]
