"""The coordinator's record across programmes: their agency's nominees per programme, current and past,
with attendance and certificates, and each staff member's CPD hours across programmes (CSV)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from plenary.access import rules as access
from plenary.access.views import coordinator_required
from plenary.core.spreadsheets import safe_cell
from plenary.programmes.models import Programme
from plenary.reports import selectors


def _agency(request):
    agencies = access.coordinated_agencies(request.user).order_by("name_en")
    if not agencies.exists():
        raise PermissionDenied
    chosen = request.GET.get("agency", "")
    if chosen:
        agency = agencies.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if agency is None:
            raise Http404
        return agency, agencies
    return agencies.first(), agencies


@coordinator_required
def record(request):
    agency, agencies = _agency(request)
    programmes, people = selectors.agency_record(request.user, agency)
    return render(
        request,
        "reports/agency_record.html",
        {"agency": agency, "agencies": agencies, "programmes": programmes, "people": people},
    )


def _hours(value) -> str:
    return f"{Decimal(value or 0).quantize(Decimal('0.01')):f}"


@coordinator_required
def record_csv(request):
    agency, _agencies = _agency(request)
    _programmes, people = selectors.agency_record(request.user, agency)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_("Email"), _("Name (English)"), _("Name (Chinese)"), _("Programmes"), _("CPD hours")])
    for person in people:
        writer.writerow(
            [
                safe_cell(person["registration__email"]),
                safe_cell(person["name_en"]),
                safe_cell(person["name_zh"]),
                person["programmes"],
                _hours(person["hours"]),
            ]
        )
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="cpd-hours-agency-{agency.pk}.csv"'
    return response


@coordinator_required
def record_programme(request, slug):
    agency, agencies = _agency(request)
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    sessions, rows = selectors.agency_programme(request.user, agency, programme)
    if not rows:
        raise Http404  # a programme the agency nominated nobody to reveals nothing
    timezone.activate(programme.tzinfo)
    return render(
        request,
        "reports/agency_programme.html",
        {"agency": agency, "agencies": agencies, "programme": programme, "sessions": sessions, "rows": rows},
    )
