"""`plenary bench dashboard` builds its programmes through the owners, times every page and cleans up."""

import pytest

from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme
from plenary.site.bench import reports as bench


@pytest.mark.django_db
def test_the_bench_runs_small_and_leaves_nothing_behind(capsys):
    bench.run(
        [
            "--registrations",
            "150",
            "--agencies",
            "20",
            "--nominees",
            "20",
            "--programmes",
            "2",
            "--repeat",
            "1",
        ]
    )
    output = capsys.readouterr().out
    assert "registrations: 150 in" in output
    assert "figures: 150 registrations, 11 agency rows, 28 days" in output
    assert "coordinator: 20 nominations of one agency over 2 programmes" in output
    labels = [
        "figures (selectors):",
        "GET stats API:",
        "dashboard page:",
        "coordinator record /agency/record/:",
        "coordinator record of the large programme:",
        *(f"console /manage/p/{bench.SLUG}/{path}".split("{")[0] for path in bench.CONSOLE_PAGES),
    ]
    for label in labels:
        assert label in output and "queries" in output.split(label)[1].splitlines()[0], label
    assert not Programme.objects.filter(slug__startswith=bench.SLUG).exists()
    assert not Organisation.objects.filter(name_en__startswith=bench.AGENCY_PREFIX).exists()


@pytest.mark.django_db
def test_a_kept_build_is_timed_again_without_building(capsys):
    bench.run(
        [
            "--registrations",
            "60",
            "--agencies",
            "5",
            "--nominees",
            "4",
            "--programmes",
            "2",
            "--keep",
            "--repeat",
            "1",
            "--only",
            "figures",
        ]
    )
    first = capsys.readouterr().out
    assert "registrations: 60 in" in first and Programme.objects.filter(slug=bench.SLUG).exists()
    bench.run(["--reuse", "--repeat", "1", "--only", "figures"])
    again = capsys.readouterr().out
    assert "registrations:" not in again
    assert "figures: 60 registrations" in again and "figures (selectors):" in again
    assert "dashboard page:" not in again
    assert not Programme.objects.filter(slug__startswith=bench.SLUG).exists()
