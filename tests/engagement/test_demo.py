"""The demo step: real distributions from the programme's registrations, the same on every run."""

import random

import pytest

from plenary.engagement import selectors
from plenary.engagement.models import Answer, Reflection, Response
from plenary.programmes.models import AgendaItem, Session
from plenary.registrations.models import Registration
from plenary.site.demo import DemoContext
from plenary.site.demo import engagement as demo

pytestmark = pytest.mark.django_db


def run(programme, agencies):
    demo.load(
        DemoContext(
            programme=programme, rng=random.Random(2022), registrants=40, seed=2022, agencies=agencies
        )
    )


def test_demo_gives_lectures_reflections_and_evaluations_idempotently(reference_programme, agencies):
    Registration.objects.bulk_create(
        Registration(
            programme=reference_programme,
            email=f"r{n}@example.org",
            name_en=f"R {n}",
            organisation=agencies[n % 5],
        )
        for n in range(40)
    )
    run(reference_programme, agencies)
    counts = (Response.objects.count(), Answer.objects.count(), Reflection.objects.count())
    ratings = list(
        Answer.objects.filter(rating__isnull=False)
        .order_by("response__registration__email", "question__survey", "question__order")
        .values_list("rating", flat=True)
    )
    run(reference_programme, agencies)
    assert (Response.objects.count(), Answer.objects.count(), Reflection.objects.count()) == counts
    assert counts[0] > 40 and counts[2] == 5 * 8

    sharing = reference_programme.sessions.get(kind=Session.Kind.SHARING)
    assert sharing.agenda_items.filter(kind=AgendaItem.Kind.REMARKS).count() == 2
    assert sharing.agenda_items.filter(kind=AgendaItem.Kind.SHARING).count() >= 11
    assert selectors.published_reflections(reference_programme).exists()
    assert Reflection.objects.filter(is_selected=True, sharing_item__isnull=False).exists()
    for lecture in reference_programme.sessions.filter(kind=Session.Kind.LECTURE):
        content = selectors.survey_results(lecture.survey).questions[0]
        assert len(content.counts) >= 3  # a real distribution, not one bar

    # Same seed, fresh database rows: the same ratings.
    Response.objects.all().delete()
    Reflection.objects.all().delete()
    run(reference_programme, agencies)
    assert (
        list(
            Answer.objects.filter(rating__isnull=False)
            .order_by("response__registration__email", "question__survey", "question__order")
            .values_list("rating", flat=True)
        )
        == ratings
    )


def test_demo_without_registrations_adds_nothing(reference_programme, agencies):
    run(reference_programme, agencies)
    assert not Response.objects.exists() and not Reflection.objects.exists()
