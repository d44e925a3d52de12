"""Reads about reflections and evaluations shared by participant pages, the console and the programme page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, QuerySet
from django.utils import timezone

from plenary.access import rules as access
from plenary.engagement.models import Answer, Reflection, Response
from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation
from plenary.registrations.selectors import ACTIVE_STATUSES, active_registrations

# Written reflections follow teaching sessions; every session can be evaluated.
REFLECTION_KINDS = (Session.Kind.LECTURE, Session.Kind.WORKSHOP)


def registration_for_token(token: str) -> Registration | None:
    """The registration behind a private link, if it still stands (not cancelled or rejected)."""
    return (
        Registration.objects.select_related("programme", "organisation")
        .filter(token=token, status__in=ACTIVE_STATUSES)
        .first()
    )


def has_started(session: Session) -> bool:
    return session.starts_at <= timezone.now()


def may_reflect(registration: Registration, session: Session) -> bool:
    return (
        session.programme_id == registration.programme_id
        and session.kind in REFLECTION_KINDS
        and has_started(session)
        and registration.status in ACTIVE_STATUSES
    )


def may_evaluate(registration: Registration, session: Session) -> bool:
    survey = getattr(session, "survey", None)
    return (
        session.programme_id == registration.programme_id
        and has_started(session)
        and registration.status in ACTIVE_STATUSES
        and (survey is None or survey.is_open)
        and access.evaluates(registration, session)
    )


def feedback_overview(registration: Registration) -> list[dict]:
    """For the registrant's feedback page: each session that has begun, with what they have given."""
    sessions = [s for s in registration.programme.sessions.select_related("survey") if has_started(s)]
    reflected = set(Reflection.objects.filter(registration=registration).values_list("session_id", flat=True))
    answered = set(
        Response.objects.filter(registration=registration).values_list("survey__session_id", flat=True)
    )
    return [
        {
            "session": session,
            "can_reflect": session.kind in REFLECTION_KINDS,
            "has_reflected": session.pk in reflected,
            "has_answered": session.pk in answered,
            "survey_open": getattr(session, "survey", None) is None or session.survey.is_open,
            "may_answer": access.evaluates(registration, session),
        }
        for session in sessions
    ]


def console_reflections(
    programme: Programme, *, session_id: int | None = None, organisation_id: int | None = None
):
    reflections = Reflection.objects.filter(session__programme=programme).select_related(
        "session", "registration__organisation", "sharing_item__speaker"
    )
    if session_id:
        reflections = reflections.filter(session_id=session_id)
    if organisation_id:
        reflections = reflections.filter(registration__organisation_id=organisation_id)
    return reflections.order_by("session__starts_at", "-is_selected", "created_at", "id")


def reflection_agencies(programme: Programme):
    """The agencies whose registrants wrote reflections, for the console's filter."""
    return Organisation.objects.filter(registrations__reflections__session__programme=programme).distinct()


def published_reflections(programme: Programme) -> QuerySet:
    """Reflections on the public programme page: selected, published and still with the writer's consent."""
    return (
        Reflection.objects.filter(
            session__programme=programme,
            published_at__isnull=False,
            allow_publication=True,
            is_selected=True,
            registration__status__in=ACTIVE_STATUSES,
        )
        .select_related("session", "registration__organisation", "sharing_item")
        .order_by("session__starts_at", "published_at", "id")
    )


def eligible_count(session: Session) -> int:
    """Who could answer a session's evaluation: those who attended it (the default), or, for a survey open
    to everyone registered, its confirmed seats where places are allocated, otherwise every standing
    registration of the programme."""
    survey = getattr(session, "survey", None)
    if survey is None or survey.attendees_only:
        return active_registrations(session.programme).filter(pk__in=access.attendees(session)).count()
    seats = SeatAllocation.objects.filter(
        session=session,
        status=SeatAllocation.Status.CONFIRMED,
        registration__status__in=ACTIVE_STATUSES,
    ).count()
    return seats or active_registrations(session.programme).count()


def eligible_counts(programme: Programme, attendees: dict[int, int] | None = None) -> dict[int, int]:
    """``eligible_count`` for every session of the programme in a few grouped queries (the dashboard, the
    console's list): the same rule, attendees by default, seats or everyone for a survey open to all.

    ``attendees`` are the standing registrations present per session, as the attendance owner counts
    them (``attendance.selectors.present_counts``); a caller that holds them already passes them in.
    Seats are counted only when a survey open to everyone asks for them."""
    from plenary.attendance import selectors as attendance
    from plenary.registrations import selectors as registrations

    sessions = list(programme.sessions.select_related("survey"))
    if attendees is None:
        attendees = attendance.present_counts(programme)
    seats = None
    everyone = None
    counts = {}
    for session in sessions:
        survey = getattr(session, "survey", None)
        if survey is None or survey.attendees_only:
            counts[session.pk] = attendees.get(session.pk, 0)
            continue
        if seats is None:
            # Confirmed seats: a cancelled or rejected registration holds none (``seats.py``).
            seats = {
                pk: sum(sides.values()) for pk, sides in registrations.expected_per_session(programme).items()
            }
        if seats.get(session.pk):
            counts[session.pk] = seats[session.pk]
        else:
            if everyone is None:
                everyone = active_registrations(programme).count()
            counts[session.pk] = everyone
    return counts


@dataclass
class QuestionResult:
    question: object
    counts: dict[int, int] = field(default_factory=dict)  # rating → how many
    answered: int = 0
    average: float | None = None
    comments: list = field(default_factory=list)

    @property
    def distribution(self) -> list[tuple[int, int, float]]:
        """(rating, count, share of answers in %) from 5 down to 1."""
        return [
            (
                rating,
                self.counts.get(rating, 0),
                100 * self.counts.get(rating, 0) / self.answered if self.answered else 0,
            )
            for rating in range(5, 0, -1)
        ]


@dataclass
class SurveyResults:
    survey: object
    responses: int
    eligible: int
    questions: list[QuestionResult]

    @property
    def response_rate(self) -> float | None:
        return 100 * self.responses / self.eligible if self.eligible else None


def survey_results(survey) -> SurveyResults:
    """Response rate, and for each question the distribution and mean of ratings or the comments."""
    questions = list(survey.questions.all())
    rating_counts: dict[int, dict[int, int]] = {q.pk: {} for q in questions}
    for row in (
        Answer.objects.filter(response__survey=survey, rating__isnull=False)
        .values("question_id", "rating")
        .annotate(n=Count("id"))
    ):
        rating_counts[row["question_id"]][row["rating"]] = row["n"]
    results = []
    for question in questions:
        if question.is_rating:
            counts = rating_counts[question.pk]
            answered = sum(counts.values())
            total = sum(rating * n for rating, n in counts.items())
            results.append(
                QuestionResult(
                    question=question,
                    counts=counts,
                    answered=answered,
                    average=round(total / answered, 2) if answered else None,
                )
            )
        else:
            comments = list(
                Answer.objects.filter(question=question)
                .exclude(text="")
                .select_related("response__registration__organisation")
                .order_by("response__submitted_at", "id")
            )
            results.append(QuestionResult(question=question, answered=len(comments), comments=comments))
    return SurveyResults(
        survey=survey,
        responses=survey.responses.count(),
        eligible=eligible_count(survey.session),
        questions=results,
    )


def programme_survey_overview(programme: Programme, attendees: dict[int, int] | None = None) -> list[dict]:
    """Each session with its evaluation's response count and rate, for the console's list
    (``attendees`` as ``eligible_counts`` takes them)."""
    counts = dict(
        Response.objects.filter(survey__session__programme=programme)
        .values_list("survey__session_id")
        .annotate(n=Count("id"))
    )
    eligible_by_session = eligible_counts(programme, attendees)
    rows = []
    for session in programme.sessions.all():
        eligible = eligible_by_session[session.pk]
        responses = counts.get(session.pk, 0)
        rows.append(
            {
                "session": session,
                "responses": responses,
                "eligible": eligible,
                "rate": 100 * responses / eligible if eligible else None,
            }
        )
    return rows


def programme_evaluation_figures(programme: Programme, attendees: dict[int, int] | None = None) -> dict:
    """Responses, response rate and average rating (1–5, every rating question) per session and for
    the whole programme: the console's survey overview plus two grouped queries (``attendees`` as
    ``eligible_counts`` takes them)."""
    rows = programme_survey_overview(programme, attendees)
    ratings = Answer.objects.filter(
        response__survey__session__programme=programme, rating__isnull=False
    ).order_by()
    averages = dict(ratings.values_list("response__survey__session_id").annotate(a=Avg("rating")))
    overall = ratings.aggregate(a=Avg("rating"))["a"]
    responses = sum(row["responses"] for row in rows)
    eligible = sum(row["eligible"] for row in rows)
    return {
        "responses": responses,
        "eligible": eligible,
        "rate": 100 * responses / eligible if eligible else None,
        "average_rating": round(overall, 2) if overall is not None else None,
        "sessions": {
            row["session"].pk: {
                "responses": row["responses"],
                "eligible": row["eligible"],
                "rate": row["rate"],
                "average_rating": round(averages[row["session"].pk], 2)
                if averages.get(row["session"].pk) is not None
                else None,
            }
            for row in rows
        },
    }
