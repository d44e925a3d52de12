"""API rows for certificates: issuing as a job, job progress, the list, and public verification."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from plenary.access.api import issue_job, managed_programme
from plenary.api.auth import bearer
from plenary.api.schemas import Bilingual
from plenary.certificates import selectors, services
from plenary.certificates.models import IssueJob
from plenary.core.i18n import bilingual
from plenary.programmes.models import Programme

router = Router(tags=["certificates"])


class JobOut(Schema):
    job: int
    state: str
    done: int
    total: int
    issued: int
    superseded: int


class CertificateRow(Schema):
    serial: str
    reference: str
    name_en: str
    name_zh: str
    hours: float
    state: str
    issued_at: str
    pdf_url: str


class Verification(Schema):
    serial: str
    valid: bool
    state: str
    revoked: bool
    superseded: bool
    name: str
    programme: Bilingual
    hours: float
    issued_on: date


def _job(job: IssueJob) -> dict:
    return {
        "job": job.pk,
        "state": job.state,
        "done": job.done,
        "total": job.total,
        "issued": job.issued,
        "superseded": job.superseded,
    }


@router.post("/programmes/{slug}/certificates/issue", response={202: JobOut})
def issue(request, slug: str):
    """Starts issuing every certificate due (idempotent); poll the job for progress."""
    programme = managed_programme(request, slug)
    with transaction.atomic():
        job = services.start_issue_job(programme, actor=request.user)
    job.refresh_from_db()
    return Status(202, _job(job))


@router.get("/jobs/{job_id}", response=JobOut)
def job_progress(request, job_id: int):
    return _job(issue_job(request, job_id))


@router.get("/programmes/{slug}/certificates", response=list[CertificateRow])
def certificates(request, slug: str, state: str | None = None):
    """Organisers see every certificate; coordinators their own agency's."""
    programme = get_object_or_404(Programme, slug=slug)
    rows = selectors.visible_certificates(request.user, programme)
    if rows is None:
        raise HttpError(403, "You may not see this programme's certificates.")
    if state:
        rows = rows.filter(state=state)
    base = request.build_absolute_uri("/").rstrip("/")
    return [
        {
            "serial": certificate.serial,
            "reference": certificate.registration.reference,
            "name_en": certificate.name_en,
            "name_zh": certificate.name_zh,
            "hours": float(certificate.hours),
            "state": certificate.state,
            "issued_at": certificate.issued_at.isoformat(),
            "pdf_url": base
            + reverse(
                "api-v1:certificate_pdf", kwargs={"slug": programme.slug, "serial": certificate.serial}
            ),
        }
        for certificate in rows.order_by("issued_at", "id")
    ]


@router.get(
    "/programmes/{slug}/certificates/{serial}/pdf",
    auth=[bearer, django_auth],
    url_name="certificate_pdf",
    response={200: None},
)
def certificate_pdf(request, slug: str, serial: str):
    """The certificate's PDF, for the programme's organisers and the holder's agency coordinator."""
    programme = get_object_or_404(Programme, slug=slug)
    rows = selectors.visible_certificates(request.user, programme)
    certificate = rows.filter(serial=serial).first() if rows is not None else None
    if certificate is None:
        raise HttpError(404, "No such certificate.")
    certificate = services.ensure_pdf(certificate)
    return FileResponse(certificate.pdf.open("rb"), content_type="application/pdf", filename=f"{serial}.pdf")


@router.get("/certificates/{serial}", response=Verification, auth=None)
def verify(request, serial: str):
    """Public: whether a certificate is valid, with only the name, programme, hours and issue date."""
    certificate = selectors.find_by_serial(serial)
    if certificate is None:
        raise HttpError(404, "No certificate has this serial.")
    return {
        "serial": certificate.serial,
        "valid": certificate.is_valid,
        "state": certificate.state,
        "revoked": certificate.state == certificate.State.REVOKED,
        "superseded": certificate.state == certificate.State.SUPERSEDED,
        "name": certificate.full_name,
        "programme": bilingual(certificate.programme.title_en, certificate.programme.title_zh),
        "hours": float(Decimal(certificate.hours)),
        "issued_on": timezone.localtime(certificate.issued_at).date(),
    }
