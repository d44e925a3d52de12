"""API row for a programme's figures: ``GET /programmes/{slug}/stats`` (the dashboard's numbers)."""

from __future__ import annotations

from datetime import date

from ninja import Router, Schema

from plenary.access.api import managed_programme
from plenary.api.schemas import Bilingual
from plenary.core.i18n import bilingual
from plenary.reports import selectors
from plenary.reports.selectors import Figures

router = Router(tags=["reports"])


class AgencyCount(Schema):
    agency_id: int | None  # null: every agency beyond the top ten, and registrants naming none
    agency: Bilingual | None
    count: int


class DayCount(Schema):
    date: date
    count: int
    cumulative: int


class Registrations(Schema):
    total: int
    by_status: dict[str, int]
    by_mode: dict[str, int]
    by_agency: list[AgencyCount]
    by_day: list[DayCount]
    waiting: int


class MinutesBin(Schema):
    from_percent: int
    to_percent: int
    count: int


class SessionStats(Schema):
    id: int
    title: Bilingual
    expected: int
    expected_in_person: int
    expected_online: int
    arrived: int
    online_present: int
    present: int
    waiting: dict[str, int]
    minutes: list[MinutesBin]
    evaluation_responses: int
    evaluation_response_rate: float | None
    average_rating: float | None


class Completion(Schema):
    confirmed: int
    eligible: int
    rate: float | None


class CertificateStats(Schema):
    issued: int


class EvaluationStats(Schema):
    responses: int
    eligible: int
    response_rate: float | None
    average_rating: float | None


class Stats(Schema):
    programme: str
    registrations: Registrations
    sessions: list[SessionStats]
    completion: Completion
    certificates: CertificateStats
    evaluations: EvaluationStats


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def stats_payload(figures: Figures) -> dict:
    """The figures in the API's shape (CONTRACT.md), also what the bench times."""
    bins = selectors.MINUTE_BINS
    return {
        "programme": figures.programme.slug,
        "registrations": {
            "total": figures.total,
            "by_status": figures.by_status,
            "by_mode": figures.by_mode,
            "by_agency": [
                {
                    "agency_id": row.organisation.pk if row.organisation else None,
                    "agency": bilingual(row.organisation.name_en, row.organisation.name_zh)
                    if row.organisation
                    else None,
                    "count": row.count,
                }
                for row in figures.by_agency
            ],
            "by_day": [
                {"date": row.day, "count": row.count, "cumulative": row.cumulative} for row in figures.by_day
            ],
            "waiting": figures.waiting,
        },
        "sessions": [
            {
                "id": row.session.pk,
                "title": bilingual(row.session.title_en, row.session.title_zh),
                "expected": row.expected,
                "expected_in_person": row.expected_in_person,
                "expected_online": row.expected_online,
                "arrived": row.arrived,
                "online_present": row.online_present,
                "present": row.present,
                "waiting": {"in_person": row.waiting_in_person, "online": row.waiting_online},
                "minutes": [
                    {
                        "from_percent": low,
                        "to_percent": bins[index + 1] - 1 if index + 1 < len(bins) else low,
                        "count": count,
                    }
                    for index, (low, count) in enumerate(zip(bins, row.minutes, strict=True))
                ],
                "evaluation_responses": row.responses,
                "evaluation_response_rate": _rounded(row.response_rate),
                "average_rating": row.average_rating,
            }
            for row in figures.sessions
        ],
        "completion": {
            "confirmed": figures.confirmed,
            "eligible": figures.eligible,
            "rate": _rounded(figures.completion_rate),
        },
        "certificates": {"issued": figures.certificates_issued},
        "evaluations": {
            "responses": figures.responses,
            "eligible": figures.response_eligible,
            "response_rate": _rounded(figures.response_rate),
            "average_rating": figures.average_rating,
        },
    }


@router.get("/programmes/{slug}/stats", response=Stats)
def programme_stats(request, slug: str):
    """The programme's figures (organisers of it): registrations by status, mode, agency and day;
    per session expected, arrived in the room, present online, present at the threshold and the
    minutes distribution; completion, certificates issued and evaluations."""
    programme = managed_programme(request, slug)
    return stats_payload(selectors.programme_figures(programme))
