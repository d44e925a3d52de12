"""`plenary bench registration` drives a live server and checks the seat accounting."""

import pytest

from plenary.registrations.models import SeatCounter
from plenary.site.bench import registrations as bench

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def test_bench_registers_through_the_api_and_finds_no_oversold_seat(busy_live_server, capsys):
    bench.run(["--url", busy_live_server, "--concurrency", "8", "--n", "40", "--capacity", "10"])
    output = capsys.readouterr().out
    assert "registrations/s" in output and "p99" in output
    assert "no seat oversold" in output
    counter = SeatCounter.objects.get(session__programme__slug__startswith="bench-", mode="in_person")
    assert (counter.capacity, counter.taken, counter.waiting) == (10, 10, 10)
