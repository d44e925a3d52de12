"""Pages: verification (public), a holder's certificates (private link), and the organiser console."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from plenary.access.views import manages_programme
from plenary.certificates import exports, pdf, selectors, services, signing
from plenary.certificates.forms import LogoFormSet, RevokeForm, RuleForm, SignatoryFormSet
from plenary.certificates.models import Certificate, IssueJob
from plenary.programmes.models import Programme
from plenary.registrations.models import Registration


def _pdf_response(certificate: Certificate, *, download: bool = False) -> FileResponse:
    certificate = services.ensure_pdf(certificate)
    response = FileResponse(
        certificate.pdf.open("rb"),
        content_type="application/pdf",
        as_attachment=download,
        filename=f"{certificate.serial}.pdf",
    )
    response.headers["X-Robots-Tag"] = "noindex"
    return response


# Public verification ---------------------------------------------------------------------------


def verify(request, serial: str):
    """Read from the database on every request: a revocation shows here at once."""
    certificate = selectors.find_by_serial(serial)
    if certificate is None:
        return render(request, "certificates/verify_not_found.html", {"serial": serial[:40]}, status=404)
    return render(
        request,
        "certificates/verify.html",
        {"certificate": certificate, "signing_keys": signing.published()["keys"]},
    )


def verify_offline(request):
    """Checks a certificate's signed QR statement in the browser, without the network once loaded."""
    strings = {
        "valid": _(
            "Genuine: the signature matches a Plenary key and the certificate was not revoked as of the last synchronisation."
        ),
        "forged": _("Forged or altered: the signature does not match. Do not accept this certificate."),
        "revoked": _(
            "Revoked as of the last synchronisation (%(date)s): the signature is genuine but the certificate is withdrawn."
        ),
        "superseded": _("Replaced by a corrected certificate as of the last synchronisation (%(date)s)."),
        "malformed": _("This is not a Plenary certificate's QR code."),
        "nokeys": _("Open this page once while online, so that it can fetch the signing keys."),
        "unsupported": _(
            "This browser cannot check Ed25519 signatures; use a current Chrome, Edge, Safari or Firefox."
        ),
        "synced": _("Keys and revocations last synchronised: %(date)s."),
        "never": _("Not synchronised yet."),
        "serial": _("Serial"),
        "name": _("Name"),
        "programme": _("Programme"),
        "hours": _("CPD hours"),
        "issued": _("Issued"),
        "key": _("Signed with key"),
    }
    config = {"keys": reverse("certificate-keys"), "revoked": reverse("certificate-revocations")}
    response = render(
        request,
        "certificates/verify_offline.html",
        {"strings": strings, "config": config, "signing_keys": signing.published()["keys"]},
    )
    response["Cache-Control"] = "no-cache"
    return response


OFFLINE_ASSETS = [
    "certificates/offline_verify.js",
    "certificates/verify_worker.js",
    "plenary/css/app.css",
    "plenary/favicon.svg",
]


@never_cache
def verify_worker(request):
    """The verify pages' service worker, served under /verify/ (of the page's language): that is its scope."""
    assets = [staticfiles_storage.url(name) for name in OFFLINE_ASSETS]
    page = reverse("certificates:verify-offline")
    source = (Path(__file__).resolve().parent / "static" / "certificates" / "verify_sw.js").read_text()
    version = hashlib.sha256((source + page + json.dumps(assets)).encode()).hexdigest()[:12]
    source = (
        source.replace("__ASSETS__", json.dumps(assets))
        .replace("__PAGE__", page)
        .replace("__VERSION__", version)
    )
    return HttpResponse(source, content_type="text/javascript; charset=utf-8")


def published_keys(request):
    """/.well-known/plenary-certificate-keys.json: every public key that ever signed a certificate."""
    response = JsonResponse(signing.published())
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def revocations(request):
    """Serials no longer valid (revoked or replaced), for the offline checker to keep."""
    rows = selectors.withdrawn_certificates()
    response = JsonResponse(
        {
            "as_of": timezone.now().isoformat(),
            "certificates": [
                {"serial": serial, "state": state, "at": at.isoformat() if at else None}
                for serial, state, at in rows
            ],
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-store"
    return response


def verify_lookup(request):
    serial = request.GET.get("serial", "").strip()
    if serial:
        certificate = selectors.find_by_serial(serial)
        if certificate is not None:
            return redirect("certificates:verify", serial=certificate.serial)
        return render(request, "certificates/verify_not_found.html", {"serial": serial[:40]}, status=404)
    return render(request, "certificates/verify_lookup.html")


# A participant's own certificates, by the secret in their private link --------------------------


def mine(request, token: str):
    registration = get_object_or_404(Registration.objects.select_related("programme"), token=token)
    certificates = registration.certificates.order_by("-issued_at")
    response = render(
        request,
        "certificates/mine.html",
        {"registration": registration, "programme": registration.programme, "certificates": certificates},
    )
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def mine_pdf(request, token: str, serial: str):
    certificate = get_object_or_404(
        Certificate.objects.select_related("programme"), registration__token=token, serial=serial
    )
    if certificate.state == Certificate.State.REVOKED:
        raise Http404
    return _pdf_response(certificate, download=request.GET.get("download") == "1")


# Organiser console -------------------------------------------------------------------------------


@manages_programme
def console(request, programme):
    rule = services.rule_for(programme)
    counting = len(services.counting_sessions(programme))
    data = request.POST if request.method == "POST" else None
    files = request.FILES if request.method == "POST" else None
    form = RuleForm(data, instance=rule, counting_sessions=counting)
    signatories = SignatoryFormSet(data, files, instance=rule, prefix="signatories")
    logos = LogoFormSet(data, files, instance=rule, prefix="logos")
    impact = None
    if request.method == "POST":
        if form.is_valid() and signatories.is_valid() and logos.is_valid():
            changed = [*signatories.save(commit=False), *logos.save(commit=False)]
            deleted = [*signatories.deleted_objects, *logos.deleted_objects]
            changed_rule = form.save(commit=False)
            impact = services.rule_change_impact(programme, changed_rule)
            if impact.revoke and request.POST.get("confirm") != "yes":
                # Nothing is saved yet: the page shows whose certificates the change would revoke.
                messages.warning(request, _("Check the effect of this change below, then confirm it."))
            else:
                _rule, impact = services.change_rule(
                    changed_rule, changed=changed, deleted=deleted, actor=request.user
                )
                messages.success(request, _("Certificate settings saved."))
                if impact.revoke:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s certificate was revoked: its holder is no longer eligible.",
                            "%(count)s certificates were revoked: their holders are no longer eligible.",
                            len(impact.revoke),
                        )
                        % {"count": len(impact.revoke)},
                    )
                if impact.add:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s more person is eligible now: use “Issue certificates”.",
                            "%(count)s more people are eligible now: use “Issue certificates”.",
                            len(impact.add),
                        )
                        % {"count": len(impact.add)},
                    )
                return redirect("certificates:console", slug=programme.slug)
        else:
            messages.error(request, _("Please correct the errors marked below."))

    preview = selectors.preview(programme, eligible=25, not_eligible=50)
    certificates = Certificate.objects.filter(programme=programme).select_related("registration")
    state = request.GET.get("state", "")
    if state in Certificate.State.values:
        certificates = certificates.filter(state=state)
    page = Paginator(certificates.order_by("-issued_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "certificates/console.html",
        {
            "programme": programme,
            "form": form,
            "impact": impact,
            "signatories": signatories,
            "logos": logos,
            "counting": counting,
            "eligible_count": preview["eligible_count"],
            "not_eligible_count": preview["not_eligible_count"],
            "preview_rows": (preview["eligible"], preview["not_eligible"]),
            "page": page,
            "state": state,
            "states": Certificate.State.choices,
            "job": IssueJob.objects.filter(programme=programme).first(),
            "counts": selectors.state_counts(programme),
        },
    )


@manages_programme
@require_POST
def issue(request, programme):
    with transaction.atomic():
        services.start_issue_job(programme, actor=request.user)
    messages.success(request, _("Issuing has started. You can leave this page and come back."))
    return redirect(reverse("certificates:console", args=[programme.slug]) + "#issue")


@manages_programme
def job_progress(request, programme, job_id: int):
    job = get_object_or_404(IssueJob, programme=programme, pk=job_id)
    return render(request, "certificates/job_progress.html", {"programme": programme, "job": job})


@manages_programme
@require_POST
def revoke(request, programme, serial: str):
    certificate = get_object_or_404(Certificate, programme=programme, serial=serial)
    form = RevokeForm(request.POST)
    if form.is_valid():
        services.revoke(certificate, reason=form.cleaned_data["reason"], actor=request.user)
        messages.success(request, _("Certificate %(serial)s revoked.") % {"serial": certificate.serial})
    else:
        messages.error(request, _("Say why the certificate is revoked."))
    return redirect("certificates:console", slug=programme.slug)


@manages_programme
def preview(request, programme):
    """The layout as it stands, with a sample holder: organisers see what they edit (in the page's
    language: the Chinese console previews the wholly Chinese certificate)."""
    language = get_language() or "en"
    content = pdf.render(
        services.build_layout(programme, language=language), services.sample_holder(programme, language)
    )
    return HttpResponse(content, content_type="application/pdf")


def _visible_or_404(request, slug: str):
    """The programme and the certificates the user may see; ``?agency=<id>`` narrows them to one
    member agency (a coordinator's page is per agency)."""
    programme = get_object_or_404(Programme, slug=slug)
    certificates = selectors.visible_certificates(request.user, programme)
    if certificates is None:
        raise Http404
    agency = request.GET.get("agency", "")
    if agency:
        if not agency.isdigit():
            raise Http404
        certificates = certificates.filter(registration__organisation_id=int(agency))
    return programme, certificates


@login_required
def certificate_pdf(request, slug: str, serial: str):
    _programme, certificates = _visible_or_404(request, slug)
    return _pdf_response(get_object_or_404(certificates, serial=serial))


@login_required
def download_zip(request, slug: str):
    """Organisers: every valid certificate; coordinators: their own agency's."""
    programme, certificates = _visible_or_404(request, slug)
    content = services.zip_certificates(certificates.filter(state=Certificate.State.VALID).order_by("serial"))
    response = HttpResponse(content, content_type="application/zip")
    response.headers["Content-Disposition"] = f'attachment; filename="{programme.slug}-certificates.zip"'
    return response


@login_required
def export(request, slug: str, fmt: str):
    programme, certificates = _visible_or_404(request, slug)
    if fmt == "csv":
        content, mime = exports.as_csv(programme, certificates), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content = exports.as_xlsx(programme, certificates)
        mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        raise Http404
    response = HttpResponse(content, content_type=mime)
    response.headers["Content-Disposition"] = f'attachment; filename="{programme.slug}-cpd.{fmt}"'
    return response
