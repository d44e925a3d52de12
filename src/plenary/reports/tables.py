"""The dashboard's figures as labelled rows in the active language: one source for the page's tables,
its charts and the XLSX export, so the three always show the same numbers."""

from __future__ import annotations

from django.utils.translation import gettext as _

from plenary.registrations.models import Registration
from plenary.reports.selectors import MINUTE_BINS, Figures


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def status_rows(figures: Figures) -> list[tuple[str, int]]:
    return [(str(Registration.Status(status).label), n) for status, n in figures.by_status.items()]


def mode_rows(figures: Figures) -> list[tuple[str, int]]:
    return [(str(Registration.Mode(mode).label), n) for mode, n in figures.by_mode.items()]


def agency_rows(figures: Figures) -> list[tuple[str, int]]:
    return [
        (row.organisation.name if row.organisation else _("Other agencies and none named"), row.count)
        for row in figures.by_agency
    ]


def bin_labels() -> list[str]:
    labels = []
    for index, low in enumerate(MINUTE_BINS):
        if index + 1 < len(MINUTE_BINS):
            labels.append(
                _("%(low)s–%(high)s %% of the session") % {"low": low, "high": MINUTE_BINS[index + 1] - 1}
            )
        else:
            labels.append(_("all of the session"))
    return labels


def headline(figures: Figures) -> list[tuple[str, str]]:
    """The figures in the boxes at the top of the page and on the export's first sheet."""
    return [
        (_("Registrations"), str(figures.total)),
        (_("Confirmed"), str(figures.by_status.get("confirmed", 0))),
        (_("On a waiting list"), str(figures.waiting)),
        (_("Eligible for a certificate"), f"{figures.eligible} / {figures.confirmed}"),
        (_("Completion rate"), percent(figures.completion_rate)),
        (_("Certificates issued"), str(figures.certificates_issued)),
        (_("Evaluation responses"), str(figures.responses)),
        (_("Evaluation response rate"), percent(figures.response_rate)),
        (
            _("Average rating (1–5)"),
            "—" if figures.average_rating is None else f"{figures.average_rating:.2f}",
        ),
    ]
