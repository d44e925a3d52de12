"""The programme dashboard and its XLSX export (organisers of the programme)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from plenary.access.views import manages_programme
from plenary.reports import charts, exports, selectors, tables


@manages_programme
def dashboard(request, programme):
    figures = selectors.programme_figures(programme)
    status_rows = tables.status_rows(figures)
    mode_rows = tables.mode_rows(figures)
    agency_rows = tables.agency_rows(figures)
    bins = tables.bin_labels()
    sessions = [
        {
            "row": row,
            "bins": list(zip(bins, row.minutes, strict=True)),
            "chart": charts.bar_chart(
                f"chart-minutes-{row.session.pk}",
                _("Minutes attended: %(session)s") % {"session": row.session.title},
                list(zip(bins, row.minutes, strict=True)),
            ),
        }
        for row in figures.sessions
    ]
    context = {
        "programme": programme,
        "figures": figures,
        "headline": tables.headline(figures),
        "status_rows": status_rows,
        "mode_rows": mode_rows,
        "agency_rows": agency_rows,
        "sessions": sessions,
        "percent": tables.percent,
        "day_chart": charts.line_chart(
            "chart-days",
            _("Registrations over time (cumulative)"),
            [(row.day, row.cumulative) for row in figures.by_day],
            unit=_("registrations"),
        ),
        "status_chart": charts.bar_chart("chart-status", _("Registrations by status"), status_rows),
        "mode_chart": charts.bar_chart("chart-mode", _("Standing registrations by mode"), mode_rows),
        "agency_chart": charts.bar_chart("chart-agency", _("Standing registrations by agency"), agency_rows),
        "present_chart": charts.bar_chart(
            "chart-present",
            _("Present at the threshold, per session"),
            [(row.session.title, row.present) for row in figures.sessions],
        ),
    }
    return render(request, "reports/dashboard.html", context)


@manages_programme
def dashboard_export(request, programme):
    response = HttpResponse(
        exports.dashboard_xlsx(selectors.programme_figures(programme)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{programme.slug}-figures.xlsx"'
    return response
