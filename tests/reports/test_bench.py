"""`plenary bench dashboard` builds its programme through the owners, times three things and cleans up."""

import pytest

from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme
from plenary.site.bench import reports as bench


@pytest.mark.django_db
def test_the_bench_runs_small_and_leaves_nothing_behind(capsys):
    bench.run(["--registrations", "150", "--agencies", "20", "--repeat", "1"])
    output = capsys.readouterr().out
    assert "registrations: 150 in" in output
    assert "figures: 150 registrations, 11 agency rows, 28 days" in output
    for label in ("figures (selectors):", "GET stats API:", "dashboard page:"):
        assert label in output and "queries" in output.split(label)[1].splitlines()[0]
    assert not Programme.objects.filter(slug=bench.SLUG).exists()
    assert not Organisation.objects.filter(name_en__startswith=bench.AGENCY_PREFIX).exists()
