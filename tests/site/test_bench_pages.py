"""`plenary bench pages` measures an open programme's page by default (issue 18: the demo's 2022 programme is past)."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from plenary.programmes.models import Programme
from plenary.registrations.models import Registration
from plenary.site.bench.pages import _largest_programme
from plenary.site.demo import PROGRAMME_SLUG, upcoming

pytestmark = pytest.mark.django_db


def test_the_default_page_is_the_largest_open_programme_not_the_past_one_nor_an_earlier_run():
    call_command("demo", registrants=60, seed=3, stdout=io.StringIO())
    past = Programme.objects.get(slug=PROGRAMME_SLUG)
    assert past.registrations.count() > Programme.objects.get(slug=upcoming.SLUG).registrations.count()
    # An earlier run's own programme is open and large, but it is the benchmark's, not a programme.
    run = Programme.objects.create(
        slug="bench-pages-1", title_en="Benchmark programme", starts_on=date(2099, 1, 1),
        ends_on=date(2099, 1, 2), status=Programme.Status.PUBLISHED, registration_open=True,
    )  # fmt: skip
    for n in range(10):
        Registration.objects.create(programme=run, email=f"bench-{n}@bench.example.org", name_en=f"Bench {n}")
    assert run.registrations.count() > Programme.objects.get(slug=upcoming.SLUG).registrations.count()
    assert _largest_programme() == upcoming.SLUG
    # With no open programme, the largest of all.
    Programme.objects.filter(slug=upcoming.SLUG).update(registration_open=False)
    assert _largest_programme() == PROGRAMME_SLUG
