"""`plenary bench evaluations [--responses N]`: how long results, charts and the export take for one session.

Runs inside a transaction that is rolled back, so the database is left as it was.
"""

from __future__ import annotations

import argparse
import random
import time

from django.db import transaction

from plenary.engagement import charts, exports, selectors, services
from plenary.engagement.models import Answer, Response
from plenary.programmes.models import Session
from plenary.registrations.models import Registration
from plenary.site import demo


class _Rollback(Exception):
    pass


def _timed(label: str, function, repeat: int = 3):
    best = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label}: {best * 1000:.1f} ms (best of {repeat})")
    return result


def run(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="plenary bench evaluations")
    parser.add_argument("--responses", type=int, default=2000, help="responses to one session's evaluation")
    parser.add_argument("--submissions", type=int, default=200, help="responses submitted one by one")
    options = parser.parse_args(argv)
    rng = random.Random(2022)
    try:
        with transaction.atomic():
            programme, _agencies = demo.load_programme(seed=2022)
            lecture = programme.sessions.filter(kind=Session.Kind.LECTURE).first()
            survey = services.ensure_survey(lecture)
            total = options.responses + options.submissions
            Registration.objects.bulk_create(
                Registration(programme=programme, email=f"bench-{n}@bench.invalid", name_en=f"Bench {n}")
                for n in range(total)
            )
            people = list(Registration.objects.filter(email__endswith="@bench.invalid").order_by("pk"))
            questions = list(survey.questions.all())

            start = time.perf_counter()
            for person in people[: options.submissions]:
                services.submit_response(
                    registration=person,
                    survey=survey,
                    answers={q.pk: rng.randint(1, 5) if q.is_rating else "Fine." for q in questions},
                )
            elapsed = time.perf_counter() - start
            print(
                f"submit_response: {options.submissions} in {elapsed:.2f} s "
                f"({options.submissions / elapsed:.0f} per second)"
            )

            responses = Response.objects.bulk_create(
                Response(survey=survey, registration=person) for person in people[options.submissions :]
            )
            Answer.objects.bulk_create(
                (
                    Answer(response=response, question=q, rating=rng.randint(1, 5))
                    if q.is_rating
                    else Answer(response=response, question=q, text="A comment.")
                    for response in responses
                    for q in questions
                ),
                batch_size=2000,
            )
            print(f"responses: {survey.responses.count()}")
            results = _timed("survey_results", lambda: selectors.survey_results(survey))
            _timed(
                "charts",
                lambda: [
                    charts.rating_chart(r, f"c{i}")
                    for i, r in enumerate(results.questions)
                    if r.question.is_rating
                ],
            )
            data = _timed("xlsx export", lambda: exports.survey_xlsx(survey), repeat=1)
            print(f"xlsx size: {len(data) / 1024:.0f} KiB")
            raise _Rollback
    except _Rollback:
        pass
