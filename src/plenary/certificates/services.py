"""Certificate workflows: evaluate the rule, issue (idempotently), revoke, e-mail, export."""

from __future__ import annotations

import io
import logging
import secrets
import time
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from plenary.attendance.models import Attendance
from plenary.certificates import pdf, signing
from plenary.certificates.models import Certificate, CertificateRule, IssueJob, new_serial
from plenary.core import audit
from plenary.core.tasks import beat_every as tasks_beat_every
from plenary.core.tasks import enqueue_on_commit, stale_after
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration

logger = logging.getLogger(__name__)

HUNDREDTH = Decimal("0.01")


@dataclass
class Evaluation:
    """Whether one registration earns a certificate under the programme's rule, and why."""

    registration: Registration
    eligible: bool
    reason: str
    sessions_attended: int
    sessions_total: int
    minutes_attended: int
    minutes_total: int
    hours: Decimal
    attended_sessions: list[Session] = field(default_factory=list)

    @property
    def percent(self) -> Decimal:
        if not self.minutes_total:
            return Decimal(0)
        return (Decimal(self.minutes_attended * 100) / self.minutes_total).quantize(Decimal("0.1"))


@dataclass
class IssueSummary:
    total: int = 0
    issued: int = 0
    superseded: int = 0
    unchanged: int = 0


def rule_for(programme: Programme) -> CertificateRule:
    """The programme's rule; a programme without one gets the default (80 % of the counting minutes)."""
    rule = CertificateRule.objects.filter(programme=programme).first()
    return rule or CertificateRule(programme=programme)


@transaction.atomic
def ensure_rule(programme: Programme) -> CertificateRule:
    rule, _created = CertificateRule.objects.get_or_create(programme=programme)
    return rule


def counting_sessions(programme: Programme) -> list[Session]:
    return list(programme.sessions.filter(counts_towards_certificate=True).order_by("starts_at", "id"))


def _session_minutes(session: Session) -> int:
    return int(session.duration.total_seconds() // 60)


def counting_length(session: Session) -> int | None:
    """The most minutes a person's attendance at the session counts for; None when the session does not
    count towards the certificate."""
    return _session_minutes(session) if session.counts_towards_certificate else None


def counting_lengths(programme: Programme) -> dict[int, int]:
    """Each counting session's ``counting_length``: what the attendance owner's ``Progress`` is counted
    with (``attendance.services.rebuild_progress``)."""
    return {session.pk: _session_minutes(session) for session in counting_sessions(programme)}


def meets_rule(
    rule: CertificateRule, sessions_total: int, minutes_total: int, sessions_attended: int, minutes: int
) -> bool:
    """The eligibility rule itself, on one person's figures: ``evaluate`` applies it to each
    registration, ``selectors.eligible_count`` to each distinct pair of figures the database counted."""
    if not sessions_total:
        return False
    if rule.mode == CertificateRule.Mode.SESSIONS:
        return sessions_attended >= min(rule.min_sessions or sessions_total, sessions_total)
    return minutes_total > 0 and minutes * 100 >= rule.min_percent * minutes_total


def evaluate(
    programme: Programme,
    registrations: Iterable[Registration] | None = None,
    *,
    rule: CertificateRule | None = None,
) -> list[Evaluation]:
    """Applies the rule to every confirmed registration (or the ones given), with the reason in words.

    Minutes count per counting session up to its length (a person online longer than the session
    gets no extra). ``present`` on the attendance is the per-session test (the programme's threshold);
    the minutes rule compares the sum with the rule's share, inclusively: exactly 80 % passes.
    """
    rule = rule if rule is not None else rule_for(programme)
    sessions = counting_sessions(programme)
    by_id = {session.pk: session for session in sessions}
    if registrations is None:
        registrations = programme.registrations.filter(status=Registration.Status.CONFIRMED).order_by("id")
    registrations = list(registrations)
    rows: dict[int, list[tuple[int, int, bool]]] = defaultdict(list)
    attendance = Attendance.objects.filter(session__in=sessions).values_list(
        "registration_id", "session_id", "minutes", "present"
    )
    if len(registrations) < 500:
        attendance = attendance.filter(registration__in=[r.pk for r in registrations])
    for registration_id, session_id, minutes, present in attendance:
        rows[registration_id].append((session_id, minutes, present))

    minutes_total = sum(_session_minutes(session) for session in sessions)
    needed_sessions = min(rule.min_sessions or len(sessions), len(sessions))
    results = []
    for registration in registrations:
        attended: list[Session] = []
        minutes = 0
        prorated = Decimal(0)
        for session_id, session_minutes, present in rows.get(registration.pk, []):
            session = by_id[session_id]
            length = _session_minutes(session)
            capped = min(session_minutes, length)
            minutes += capped
            if length:
                prorated += session.cpd_hours * Decimal(capped) / Decimal(length)
            if present:
                attended.append(session)
        attended.sort(key=lambda session: (session.starts_at, session.pk))
        if rule.hours_method == CertificateRule.Hours.PRORATED:
            hours = prorated
        else:
            hours = sum((session.cpd_hours for session in attended), Decimal(0))
        hours = hours.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
        eligible = meets_rule(rule, len(sessions), minutes_total, len(attended), minutes)
        if not sessions:
            reason = _("no session counts towards the certificate")
        elif rule.mode == CertificateRule.Mode.SESSIONS:
            reason = _("attended %(attended)s of %(total)s sessions; needs %(needed)s") % {
                "attended": len(attended),
                "total": len(sessions),
                "needed": needed_sessions,
            }
        else:
            percent = Decimal(minutes * 100) / minutes_total if minutes_total else Decimal(0)
            reason = _("attended %(minutes)s of %(total)s minutes (%(percent)s %%); needs %(needed)s %%") % {
                "minutes": minutes,
                "total": minutes_total,
                "percent": percent.quantize(Decimal("0.1")),
                "needed": rule.min_percent,
            }
        results.append(
            Evaluation(
                registration=registration,
                eligible=eligible,
                reason=reason,
                sessions_attended=len(attended),
                sessions_total=len(sessions),
                minutes_attended=minutes,
                minutes_total=minutes_total,
                hours=hours,
                attended_sessions=attended,
            )
        )
    return results


def _dates(programme: Programme) -> tuple[str, str]:
    first, last = programme.starts_on, programme.ends_on
    with override("en"):
        if first == last:
            english = date_format(first, "j F Y")
        elif first.year == last.year:
            english = f"{date_format(first, 'j F')} – {date_format(last, 'j F Y')}"
        else:
            english = f"{date_format(first, 'j F Y')} – {date_format(last, 'j F Y')}"
    chinese = f"{first.year}年{first.month}月{first.day}日"
    if last != first:
        chinese += (
            "至" + (f"{last.year}年" if last.year != first.year else "") + f"{last.month}月{last.day}日"
        )
    return english, chinese


def _path(file_field) -> str:
    """A local path ReportLab can read; files on storage without local paths are left out."""
    if not file_field or not isinstance(file_field.storage, FileSystemStorage):
        return ""
    return file_field.path


def is_chinese_language(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def build_layout(
    programme: Programme, rule: CertificateRule | None = None, language: str = "en"
) -> pdf.Layout:
    """Everything the certificates of one programme share, read once per batch and language: a holder
    who reads Chinese gets a wholly Chinese certificate, anyone else the bilingual one."""
    rule = rule or rule_for(programme)
    dates_en, dates_zh = _dates(programme)
    signatories, logos = [], []
    if rule.pk:
        signatories = [
            pdf.Signature(s.name_en, s.name_zh, s.post_en, s.post_zh, _path(s.signature))
            for s in rule.signatories.all()[:4]
        ]
        if rule.show_logos:
            logos = [path for path in (_path(logo.image) for logo in rule.logos.all()) if path]
    return pdf.Layout(
        programme_en=programme.title_en,
        programme_zh=programme.title_zh,
        dates_en=dates_en,
        dates_zh=dates_zh,
        heading_en=rule.heading_en,
        heading_zh=rule.heading_zh,
        intro_en=rule.intro_en,
        intro_zh=rule.intro_zh,
        statement_en=rule.statement_en,
        statement_zh=rule.statement_zh,
        footer_en=rule.footer_en,
        footer_zh=rule.footer_zh,
        category=rule.cpd_category,
        category_zh=rule.cpd_category_zh,
        chinese=is_chinese_language(language),
        organisers=[
            (co.organisation.name_en, co.organisation.name_zh)
            for co in programme.co_organisers.select_related("organisation")
        ],
        signatories=signatories,
        logo_paths=logos,
        verify_base=settings.BASE_URL,
    )


def _hours_text(hours: Decimal) -> str:
    text = f"{hours:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def signed_statement(certificate: Certificate) -> str:
    """The certificate's signed statement (signing.py) that its QR code carries for offline checks."""
    return signing.statement(
        serial=certificate.serial,
        name_en=certificate.name_en,
        name_zh=certificate.name_zh,
        programme=certificate.programme.title_en,
        hours=_hours_text(certificate.hours),
        issued=timezone.localtime(certificate.issued_at).date().isoformat(),
    )


def chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def session_titles(sessions: Iterable[Session], language: str) -> list[str]:
    """Session titles as a certificate in ``language`` lists them."""
    if is_chinese_language(language):
        return [session.title_zh or session.title_en for session in sessions]
    return [session.title_en for session in sessions]


def holder_for(
    certificate: Certificate, session_titles: list[str] | None = None, language: str = "en"
) -> pdf.Holder:
    issued = timezone.localtime(certificate.issued_at)
    if is_chinese_language(language):
        issued_on = chinese_date(issued)
    else:
        with override("en"):
            issued_on = date_format(issued, "j F Y")
    return pdf.Holder(
        statement=signed_statement(certificate),
        serial=certificate.serial,
        name_en=certificate.name_en,
        name_zh=certificate.name_zh,
        hours=_hours_text(certificate.hours),
        sessions_attended=certificate.sessions_attended,
        sessions_total=certificate.sessions_total,
        session_titles=session_titles or [],
        issued_on=issued_on,
    )


def certificate_language(certificate: Certificate) -> str:
    """The holder's language (their registration's): the certificate's language."""
    return certificate.registration.language if certificate.registration_id else "en"


def render_pdf(certificate: Certificate, layout: pdf.Layout | None = None, titles=None) -> str:
    """Renders and stores the certificate's PDF in its holder's language; returns the stored file name."""
    language = certificate_language(certificate)
    layout = layout or build_layout(certificate.programme, language=language)
    content = pdf.render(layout, holder_for(certificate, titles, language))
    certificate.pdf.save(f"{certificate.serial}.pdf", ContentFile(content), save=False)
    Certificate.objects.filter(pk=certificate.pk).update(pdf=certificate.pdf.name)
    return certificate.pdf.name


def _differences(current: Certificate, evaluation: Evaluation) -> list[str]:
    registration = evaluation.registration
    changes = []
    if current.hours != evaluation.hours:
        changes.append(
            _("hours %(old)s → %(new)s")
            % {"old": _hours_text(current.hours), "new": _hours_text(evaluation.hours)}
        )
    if (current.sessions_attended, current.sessions_total) != (
        evaluation.sessions_attended,
        evaluation.sessions_total,
    ):
        changes.append(
            _("sessions %(old)s → %(new)s")
            % {"old": current.sessions_attended, "new": evaluation.sessions_attended}
        )
    if (current.name_en, current.name_zh) != (registration.name_en, registration.name_zh):
        changes.append(_("name corrected"))
    return changes


def issue_one(programme: Programme, evaluation: Evaluation, *, actor=None) -> tuple[str, Certificate]:
    """Gives one eligible registration its certificate: ``issued``, ``superseded`` or ``unchanged``.

    Safe to repeat and to race: the conditional unique constraint allows one valid certificate per
    registration, so a second writer's insert fails and it takes the winner's certificate instead.
    """
    registration = evaluation.registration
    for _attempt in range(5):
        try:
            with transaction.atomic():
                current = (
                    Certificate.objects.select_for_update()
                    .filter(programme=programme, registration=registration, state=Certificate.State.VALID)
                    .first()
                )
                changes = _differences(current, evaluation) if current else []
                if current and not changes:
                    return "unchanged", current
                if current:
                    current.state = Certificate.State.SUPERSEDED
                    current.reason = (
                        _("Re-issued after a correction: %(changes)s") % {"changes": "; ".join(changes)}
                    )[:300]
                    current.revoked_at = timezone.now()
                    current.save(update_fields=["state", "reason", "revoked_at"])
                certificate = Certificate.objects.create(
                    programme=programme,
                    registration=registration,
                    serial=new_serial(programme.starts_on.year),
                    name_en=registration.name_en,
                    name_zh=registration.name_zh,
                    hours=evaluation.hours,
                    sessions_attended=evaluation.sessions_attended,
                    sessions_total=evaluation.sessions_total,
                    minutes_attended=evaluation.minutes_attended,
                )
                if current:
                    current.superseded_by = certificate
                    current.save(update_fields=["superseded_by"])
                    audit.record(
                        actor=actor,
                        action=audit.AuditEntry.Action.UPDATE,
                        instance=current,
                        programme=programme,
                        before={"state": Certificate.State.VALID},
                        after={"state": current.state, "superseded_by": certificate.serial},
                        summary=current.reason,
                    )
                return ("superseded" if current else "issued"), certificate
        except IntegrityError:
            # Another worker issued it first, or (rarely) the serial was taken: look again.
            continue
    raise RuntimeError(f"could not issue a certificate for registration {registration.pk}")


def issue_certificates(
    programme: Programme,
    *,
    progress: Callable[[int, int], None] | None = None,
    actor=None,
) -> IssueSummary:
    """Issues every certificate due, idempotently: re-running issues nothing new.

    Each certificate is committed on its own, so a run killed half-way keeps what it did and the
    next run carries on; a certificate whose PDF was not yet written gets it then.
    """
    evaluations = [evaluation for evaluation in evaluate(programme) if evaluation.eligible]
    rule = rule_for(programme)
    layouts: dict[bool, pdf.Layout] = {}  # one per language, built when first needed
    summary = IssueSummary(total=len(evaluations))
    if progress:
        progress(0, summary.total)
    for done, evaluation in enumerate(evaluations, start=1):
        outcome, certificate = issue_one(programme, evaluation, actor=actor)
        setattr(summary, outcome, getattr(summary, outcome) + 1)
        if not certificate.pdf:
            language = evaluation.registration.language
            chinese = is_chinese_language(language)
            if chinese not in layouts:
                layouts[chinese] = build_layout(programme, rule, language)
            render_pdf(certificate, layouts[chinese], session_titles(evaluation.attended_sessions, language))
        if progress:
            progress(done, summary.total)
    if summary.issued or summary.superseded:
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.OTHER,
            instance=programme,
            programme=programme,
            summary=_(
                "Certificates issued: %(issued)s new, %(superseded)s re-issued, %(unchanged)s unchanged."
            )
            % {"issued": summary.issued, "superseded": summary.superseded, "unchanged": summary.unchanged},
        )
    return summary


def _stale(job: IssueJob, now) -> bool:
    beat = job.heartbeat_at or job.updated_at
    return beat < now - stale_after()


def start_issue_job(programme: Programme, *, actor) -> IssueJob:
    """Queues an issuing run, or returns the one already waiting or running for this programme.

    A job whose worker died (its heartbeat is stale) is picked up again rather than left "running":
    the same job carries on where it stopped (``resume_stale_jobs``)."""
    with transaction.atomic():
        active = (
            IssueJob.objects.select_for_update()
            .filter(programme=programme, state__in=[IssueJob.State.QUEUED, IssueJob.State.RUNNING])
            .first()
        )
        if active and active.state == IssueJob.State.RUNNING and _stale(active, timezone.now()):
            _requeue(active)
            return active
        if active:
            return active
        job = IssueJob.objects.create(programme=programme, created_by=actor if actor else None)
        from plenary.certificates import tasks

        # The task row commits with the job (core/tasks.py): no job is left queued without its task.
        enqueue_on_commit(tasks.run_issue_job, job.pk)
    return job


def _requeue(job: IssueJob) -> None:
    """Inside a transaction holding the job's row: the job waits again, with a new task to run it.

    The dead run's task row (left RUNNING by the killed worker) is marked failed, so the queue shows
    the truth; if that run was only slow, not dead, its next heartbeat finds the job taken and it stops.
    """
    from django_tasks_db.models import DBTaskResult

    from plenary.certificates import tasks

    now = timezone.now()
    DBTaskResult.objects.filter(
        status="RUNNING", task_path=tasks.run_issue_job.module_path, args_kwargs__args__0=job.pk
    ).update(
        status="FAILED",
        finished_at=now,
        exception_class_path="plenary.certificates.services.WorkerLost",
        traceback="The worker stopped while running this job; the job was queued again.",
    )
    IssueJob.objects.filter(pk=job.pk).update(
        state=IssueJob.State.QUEUED, runner="", heartbeat_at=None, updated_at=now
    )
    job.state, job.runner, job.heartbeat_at = IssueJob.State.QUEUED, "", None
    logger.warning("Certificate job %s had a stale heartbeat; queued again.", job.pk)
    enqueue_on_commit(tasks.run_issue_job, job.pk)


def resume_stale_jobs() -> list[int]:
    """Picks up every running job whose heartbeat is stale (the worker's sweep calls this); returns
    their ids. Safe with several workers sweeping at once: each job is re-checked under its row lock."""
    from django_tasks_db.models import DBTaskResult

    from plenary.certificates import tasks

    now = timezone.now()
    cutoff = now - stale_after()
    candidates = list(
        IssueJob.objects.filter(state=IssueJob.State.RUNNING)
        .filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, updated_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    # A job still waiting long after it was queued whose task row is gone (deleted by hand, say).
    for pk in IssueJob.objects.filter(state=IssueJob.State.QUEUED, updated_at__lt=cutoff).values_list(
        "pk", flat=True
    ):
        if not DBTaskResult.objects.filter(
            status__in=["READY", "RUNNING"],
            task_path=tasks.run_issue_job.module_path,
            args_kwargs__args__0=pk,
        ).exists():
            candidates.append(pk)
    resumed = []
    for pk in candidates:
        with transaction.atomic():
            job = IssueJob.objects.select_for_update().filter(pk=pk).first()
            if job is None or job.is_finished:
                continue
            if job.state == IssueJob.State.RUNNING and not _stale(job, timezone.now()):
                continue  # beat again meanwhile
            if job.state == IssueJob.State.QUEUED and job.updated_at >= cutoff:
                continue  # queued again meanwhile (another sweeper, a re-click)
            _requeue(job)
            resumed.append(pk)
    return resumed


class _JobTaken(Exception):
    """Another run holds the job now (this one was thought dead): this run stops without a word."""


def run_issue_job(job_id: int) -> IssueJob:
    """The body of the background task: issues with progress and a heartbeat written to the job row.

    A run first claims the job (a queued job, or a running one whose heartbeat is stale), so two runs
    never work one job at once; if the claim fails, it stops. Issuing itself is idempotent per
    registration (``issue_one``), so a run that picks up a dead one's job issues each certificate once.
    """
    job = IssueJob.objects.select_related("programme", "created_by").get(pk=job_id)
    runner = secrets.token_hex(16)
    now = timezone.now()
    claimed = (
        IssueJob.objects.filter(pk=job.pk)
        .filter(
            Q(state=IssueJob.State.QUEUED)
            | Q(state=IssueJob.State.RUNNING, heartbeat_at__lt=now - stale_after())
        )
        .update(
            state=IssueJob.State.RUNNING,
            runner=runner,
            started_at=Coalesce(F("started_at"), Value(now)),
            heartbeat_at=now,
            error="",
            updated_at=now,
        )
    )
    if not claimed:
        job.refresh_from_db()
        return job  # finished already, or another run holds it
    last_written = [0, time.monotonic()]
    beat_every = tasks_beat_every()

    def progress(done: int, total: int) -> None:
        # Every 10th certificate, the last, and at least every few seconds (the heartbeat).
        if (
            done == 0
            or done == total
            or done - last_written[0] >= 10
            or time.monotonic() - last_written[1] >= beat_every
        ):
            last_written[:] = [done, time.monotonic()]
            moment = timezone.now()
            if not IssueJob.objects.filter(pk=job.pk, runner=runner).update(
                done=done, total=total, heartbeat_at=moment, updated_at=moment
            ):
                raise _JobTaken

    try:
        summary = issue_certificates(job.programme, progress=progress, actor=job.created_by)
    except _JobTaken:
        logger.warning("Certificate job %s was taken over by another run; this run stops.", job.pk)
        job.refresh_from_db()
        return job
    except Exception as error:
        logger.exception("Certificate job %s failed", job.pk)
        IssueJob.objects.filter(pk=job.pk, runner=runner).update(
            state=IssueJob.State.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    from plenary.certificates import tasks

    with transaction.atomic():
        finished = IssueJob.objects.filter(pk=job.pk, runner=runner).update(
            state=IssueJob.State.DONE,
            done=summary.total,
            total=summary.total,
            issued=summary.issued,
            superseded=summary.superseded,
            heartbeat_at=timezone.now(),
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        if finished:
            # The e-mails' task row commits with the job's end (core/tasks.py).
            enqueue_on_commit(tasks.email_certificates, job.programme_id)
    job.refresh_from_db()
    return job


@transaction.atomic
def revoke(certificate: Certificate, *, reason: str, actor) -> Certificate:
    """Withdraws a certificate; verification then says "revoked". The reason is kept and audited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the certificate is revoked.")})
    certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if certificate.state == Certificate.State.REVOKED:
        return certificate
    before = {"state": certificate.state, "reason": certificate.reason}
    certificate.state = Certificate.State.REVOKED
    certificate.reason = reason[:300]
    certificate.revoked_at = timezone.now()
    certificate.save(update_fields=["state", "reason", "revoked_at"])
    audit.record(
        actor=actor,
        action=audit.AuditEntry.Action.UPDATE,
        instance=certificate,
        programme=certificate.programme,
        before=before,
        after={"state": certificate.state, "reason": certificate.reason},
        summary=_("Certificate %(serial)s revoked: %(reason)s")
        % {"serial": certificate.serial, "reason": reason},
    )
    return certificate


def holder_link(registration: Registration) -> str:
    from django.urls import reverse

    with override(registration.language or settings.LANGUAGE_CODE):
        path = reverse("certificates:mine", args=[registration.token])
    return f"{settings.BASE_URL}{path}"


def email_certificates(programme: Programme) -> int:
    """E-mails every valid certificate not yet announced a link to it; returns how many were sent."""
    pending = (
        Certificate.objects.filter(
            programme=programme, state=Certificate.State.VALID, emailed_at__isnull=True
        )
        .select_related("registration")
        .order_by("id")
    )
    sent = 0
    connection = get_connection()
    for certificate in pending.iterator(chunk_size=200):
        registration = certificate.registration
        if not registration.email:
            continue
        link = holder_link(registration)
        with override(registration.language or settings.LANGUAGE_CODE):
            subject = _("Your certificate of attendance: %(programme)s") % {
                "programme": programme.localised("title")
            }
            body = ngettext(
                "Dear %(name)s,\n\nYour certificate of attendance (serial %(serial)s, %(hours)s CPD hour) "
                "is ready. Download it here:\n%(link)s\n\nAnyone can check it at %(verify)s\n",
                "Dear %(name)s,\n\nYour certificate of attendance (serial %(serial)s, %(hours)s CPD hours) "
                "is ready. Download it here:\n%(link)s\n\nAnyone can check it at %(verify)s\n",
                1 if certificate.hours == 1 else 2,
            ) % {
                "name": registration.display_name,
                "serial": certificate.serial,
                "hours": _hours_text(certificate.hours),
                "link": link,
                "verify": f"{settings.BASE_URL}/verify/{certificate.serial}/",
            }
        message = EmailMessage(subject, body, to=[registration.email], connection=connection)
        try:
            message.send()
        except OSError:
            logger.warning("Could not e-mail certificate %s", certificate.serial, exc_info=True)
            continue
        Certificate.objects.filter(pk=certificate.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


def ensure_pdf(certificate: Certificate) -> Certificate:
    """The certificate with its PDF on disk (rendered now if a run stopped before writing it)."""
    if not certificate.pdf or not certificate.pdf.storage.exists(certificate.pdf.name):
        render_pdf(certificate)
        certificate.refresh_from_db()
    return certificate


def zip_certificates(certificates: QuerySet[Certificate]) -> bytes:
    """Many certificates as one ZIP, one PDF per person named by serial and name."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for certificate in certificates.select_related("programme"):
            certificate = ensure_pdf(certificate)
            safe_name = "".join(ch for ch in certificate.name_en if ch.isalnum() or ch in " -").strip()
            name = f"{certificate.serial}{' ' + safe_name if safe_name else ''}.pdf"
            with certificate.pdf.open("rb") as handle:
                archive.writestr(name, handle.read())
    return buffer.getvalue()


def _plain_fields(instance) -> dict:
    """Stored values for the audit log, files by name (core.audit.snapshot trips on empty files)."""
    values = {}
    for model_field in instance._meta.concrete_fields:
        value = getattr(instance, model_field.attname)
        values[model_field.attname] = getattr(value, "name", value) if hasattr(value, "field") else value
    return values


@transaction.atomic
def save_rule(rule: CertificateRule, *, changed: list, deleted: list, actor) -> CertificateRule:
    """Saves the rule and the signatories and logos that changed (or are deleted), with audit entries."""
    from plenary.programmes.services import save

    rule = save(rule, actor=actor)
    for instance in changed:
        instance.rule = rule
        instance.save()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE,
            instance=instance,
            programme=rule.programme,
            after=_plain_fields(instance),
        )
    for instance in deleted:
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.DELETE,
            instance=instance,
            programme=rule.programme,
        )
        instance.delete()
    return rule


@dataclass
class RuleImpact:
    """What a changed rule would do to the certificates already issued, before it is saved."""

    revoke: list[Certificate]
    add: list[Evaluation]


def rule_change_impact(programme: Programme, rule: CertificateRule) -> RuleImpact:
    """The valid certificates whose holders the changed (unsaved) rule no longer makes eligible, and the
    people it would newly make eligible."""
    evaluations = evaluate(programme, rule=rule)
    eligible = {evaluation.registration.pk for evaluation in evaluations if evaluation.eligible}
    valid = list(
        Certificate.objects.filter(programme=programme, state=Certificate.State.VALID)
        .select_related("registration")
        .order_by("registration__name_en", "id")
    )
    holders = {certificate.registration_id for certificate in valid}
    return RuleImpact(
        revoke=[certificate for certificate in valid if certificate.registration_id not in eligible],
        add=[e for e in evaluations if e.eligible and e.registration.pk not in holders],
    )


@transaction.atomic
def change_rule(
    rule: CertificateRule, *, changed: list, deleted: list, actor
) -> tuple[CertificateRule, RuleImpact]:
    """Saves a changed rule (confirmed by the organiser after its preview) and revokes the certificates of
    those it no longer makes eligible; the newly eligible get theirs with "Issue certificates"."""
    impact = rule_change_impact(rule.programme, rule)
    rule = save_rule(rule, changed=changed, deleted=deleted, actor=actor)
    for certificate in impact.revoke:
        revoke(
            certificate, reason=str(_("No longer eligible under the changed certificate rule.")), actor=actor
        )
    return rule, impact


def sample_holder(programme: Programme, language: str = "en") -> pdf.Holder:
    """A made-up holder for the console's preview of the layout (in the organiser's language)."""
    sessions = counting_sessions(programme)
    if is_chinese_language(language):
        issued_on = chinese_date(timezone.localdate())
    else:
        with override("en"):
            issued_on = date_format(timezone.localdate(), "j F Y")
    return pdf.Holder(
        serial=f"PLN-{programme.starts_on.year}-SAMP-LE00",
        name_en="Chan Tai Man (sample)",
        name_zh="陳大文（示例）",
        hours=_hours_text(sum((session.cpd_hours for session in sessions), Decimal(0))),
        sessions_attended=len(sessions),
        sessions_total=len(sessions),
        session_titles=session_titles(sessions, language),
        issued_on=issued_on,
    )
