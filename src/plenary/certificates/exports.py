"""The CPD export: what a listed CPD organiser uploads to the registration board's system."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from openpyxl import Workbook

from plenary.certificates.models import Certificate
from plenary.certificates.services import _dates, rule_for
from plenary.core.spreadsheets import safe_cell
from plenary.programmes.models import Programme


def header() -> list[str]:
    return [
        _("Name (English)"),
        _("Name (Chinese)"),
        _("RSW number"),
        _("Email"),
        _("Organisation"),
        _("Activity title"),
        _("CPD category"),
        _("Dates"),
        _("Hours attended"),
        _("Certificate serial"),
    ]


def rows(programme: Programme, certificates: QuerySet[Certificate]) -> list[list[object]]:
    rule = rule_for(programme)
    dates_en, _dates_zh = _dates(programme)
    out = []
    for certificate in certificates.filter(state=Certificate.State.VALID).select_related(
        "registration__organisation"
    ):
        registration = certificate.registration
        organisation = (
            registration.organisation.name_en if registration.organisation else registration.organisation_name
        )
        out.append(
            [
                safe_cell(certificate.name_en),
                safe_cell(certificate.name_zh),
                safe_cell(registration.rsw_number),
                safe_cell(registration.email),
                safe_cell(organisation),
                safe_cell(programme.title_en),
                safe_cell(rule.cpd_category),
                dates_en,
                float(certificate.hours),
                certificate.serial,
            ]
        )
    return out


def as_csv(programme: Programme, certificates: QuerySet[Certificate]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header())
    writer.writerows(rows(programme, certificates))
    # A byte-order mark so that Excel opens Chinese names as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(programme: Programme, certificates: QuerySet[Certificate]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("CPD hours"))
    sheet.append(header())
    for row in rows(programme, certificates):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
