"""Two submissions of the same evaluation at the same moment: the database keeps exactly one."""

import threading

import pytest
from django.db import connection

from plenary.attendance.models import Attendance
from plenary.engagement import services
from plenary.engagement.models import Response
from plenary.programmes.models import Session
from plenary.registrations.models import Registration


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submissions_store_one_response_and_refuse_the_other(reference_programme):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers, so there is no race to test")
    registrant = Registration.objects.create(programme=reference_programme, email="race@example.org")
    lecture = reference_programme.sessions.filter(kind=Session.Kind.LECTURE).first()
    Attendance.objects.create(registration=registrant, session=lecture, minutes=120, present=True)
    survey = services.ensure_survey(lecture)
    answers = {q.pk: 4 if q.is_rating else "" for q in survey.questions.all()}
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit():
        try:
            barrier.wait(timeout=10)
            services.submit_response(registration=registrant, survey=survey, answers=answers)
            outcomes.append("stored")
        except services.AlreadyAnswered:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "stored"]
    assert Response.objects.filter(registration=registrant).count() == 1
