"""The one catalogue of personal data (PDPO): every field of every model, personal or not.

For each model: ``owner`` is the ORM path from its rows to the participant's ``Registration``
(``""`` for the registration itself; ``None`` when the rows are not a participant's own, such as staff
accounts or the audit log). Each personal field says whether it is in the person's export (or why not)
and what erasure does to it. Every other concrete field is listed in ``other``: a test walks the
installed models so that a new field cannot be added without being classified here.

The own-data export (``selectors.personal_data``) and anonymisation (``services.anonymise``) are both
built from this table, so what is exported and what is erased cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# What erasure does to a field.
BLANK = "blank"  # set to "" (or None where the field is nullable and not text)
PLACEHOLDER = (
    "placeholder"  # a unique value that says nothing: "erased-<reference>@erased.invalid", "erased:<id>"
)
SCRUB = "scrub"  # text or JSON: the person's name, email, phone and RSW number replaced by "[erased]"
FILE = "file"  # the stored file is deleted
ROTATE = "rotate"  # a secret (private link, pass code) replaced by a fresh random one
KEEP = "keep"  # kept: says nothing about who the person is once the identifying fields are gone

ERASED = "[erased]"


@dataclass(frozen=True)
class Personal:
    erase: str
    exported: bool = True
    reason: str = ""  # why not exported, or why kept on erasure


@dataclass(frozen=True)
class Entry:
    owner: str | None
    personal: dict[str, Personal] = field(default_factory=dict)
    other: str = ""
    reason: str = ""  # for owner=None: whose data these are and why they are not in the export

    @property
    def other_fields(self) -> set[str]:
        return set(self.other.split())


FIGURES = "kept for the programme's figures; says nothing about who the person is once the name is gone"
PRIVATE_LINK = "a secret that opens the private page or the door; exporting it would spread it"

CATALOGUE: dict[str, Entry] = {
    # --- the participant's own rows -------------------------------------------------------------
    "registrations.Registration": Entry(
        owner="",
        personal={
            "reference": Personal(KEEP, reason="the registration's number, needed to answer requests"),
            "token": Personal(ROTATE, exported=False, reason=PRIVATE_LINK),
            "pass_code": Personal(ROTATE, exported=False, reason=PRIVATE_LINK),
            "name_en": Personal(BLANK),
            "name_zh": Personal(BLANK),
            "email": Personal(PLACEHOLDER),
            "phone": Personal(BLANK),
            "organisation": Personal(KEEP, reason="the agency's attendance figures and quota count it"),
            "organisation_name": Personal(BLANK),
            "post": Personal(BLANK),
            "service_unit": Personal(BLANK),
            "rsw_number": Personal(BLANK),
            "preferred_mode": Personal(KEEP, reason=FIGURES),
            "language": Personal(KEEP, reason=FIGURES),
            "status": Personal(KEEP, reason=FIGURES),
            "source": Personal(KEEP, reason=FIGURES),
            "news_opt_in": Personal(KEEP, reason="the consent history keeps what was agreed"),
            "photo_opt_out": Personal(KEEP, reason="a photo opt-out must keep working"),
            "sms_opt_in": Personal(KEEP, reason="the consent history keeps what was agreed"),
            "created_at": Personal(KEEP, reason=FIGURES),
        },
        other="id programme nominated_by updated_at page_version",
    ),
    "registrations.PrivatePageCopy": Entry(
        owner="registration",
        personal={
            "html": Personal(
                BLANK,
                exported=False,
                reason="a copy of the private page, made from the rows exported here; deleted on erasure",
            ),
        },
        other="id registration language fingerprint fill",
    ),
    "registrations.ConsentRecord": Entry(
        owner="registration",
        personal={
            "kind": Personal(KEEP, reason="proof of what was agreed, with which wording and when"),
            "given": Personal(KEEP, reason="proof of what was agreed, with which wording and when"),
            "wording_version": Personal(KEEP, reason="proof of what was agreed, with which wording and when"),
            "language": Personal(KEEP, reason="proof of what was agreed, with which wording and when"),
            "recorded_at": Personal(KEEP, reason="proof of what was agreed, with which wording and when"),
        },
        other="id registration",
    ),
    "messaging.Delivery": Entry(
        owner="registration",
        personal={
            "address": Personal(BLANK),
            "channel": Personal(KEEP, reason=FIGURES),
            "state": Personal(KEEP, reason=FIGURES),
            "sent_at": Personal(KEEP, reason=FIGURES),
            "attempts": Personal(KEEP, reason=FIGURES),
            "last_error": Personal(SCRUB),
        },
        other="id message registration session next_attempt_at lease leased_until message_id_header created_at",
    ),
    "registrations.SeatAllocation": Entry(
        owner="registration",
        personal={
            "mode": Personal(KEEP, reason=FIGURES),
            "status": Personal(KEEP, reason=FIGURES),
            "requested_at": Personal(KEEP, reason=FIGURES),
        },
        other="id registration session updated_at",
    ),
    "attendance.AttendanceEvent": Entry(
        owner="registration",
        personal={
            "source": Personal(KEEP, reason=FIGURES),
            "kind": Personal(KEEP, reason=FIGURES),
            "mode": Personal(KEEP, reason=FIGURES),
            "started_at": Personal(KEEP, reason="attendance totals are recomputed from the events"),
            "ended_at": Personal(KEEP, reason="attendance totals are recomputed from the events"),
            "reason": Personal(SCRUB),
            "evidence": Personal(SCRUB),
        },
        other="id registration session client_event_id voids import_batch recorded_by recorded_at",
    ),
    "attendance.Attendance": Entry(
        owner="registration",
        personal={
            "mode": Personal(KEEP, reason=FIGURES),
            "minutes": Personal(KEEP, reason=FIGURES),
            "present": Personal(KEEP, reason=FIGURES),
            "first_seen_at": Personal(KEEP, reason=FIGURES),
            "sources": Personal(KEEP, reason=FIGURES),
        },
        other="id registration session computed_at",
    ),
    "attendance.Progress": Entry(
        owner="registration",
        personal={
            "sessions": Personal(KEEP, reason=FIGURES),
            "minutes": Personal(KEEP, reason=FIGURES),
        },
        other="registration programme",
    ),
    "attendance.NameAlias": Entry(
        owner="registration",
        personal={"key": Personal(PLACEHOLDER)},
        other="id programme kind registration created_by created_at",
    ),
    "attendance.StreamViewer": Entry(
        owner="registration",
        personal={
            "viewer": Personal(BLANK, exported=False, reason="a random page id, meaningless to anyone")
        },
        other="id registration session opened_at",
    ),
    "engagement.Reflection": Entry(
        owner="registration",
        personal={
            "text": Personal(SCRUB),
            "allow_publication": Personal(KEEP, reason="a withdrawn consent must stay withdrawn"),
            "created_at": Personal(KEEP, reason=FIGURES),
        },
        other="id registration session is_selected sharing_item published_at updated_at",
    ),
    "engagement.Response": Entry(
        owner="registration",
        personal={"submitted_at": Personal(KEEP, reason=FIGURES)},
        other="id survey registration",
    ),
    "engagement.Answer": Entry(
        owner="response__registration",
        personal={"rating": Personal(KEEP, reason=FIGURES), "text": Personal(SCRUB)},
        other="id response question",
    ),
    "checkin.CheckIn": Entry(
        owner="registration",
        personal={
            "first_scanned_at": Personal(KEEP, reason=FIGURES),
            "checked_out_at": Personal(KEEP, reason=FIGURES),
            "undone_at": Personal(KEEP, reason=FIGURES),
        },
        other="id registration session device created_at",
    ),
    "checkin.Scan": Entry(
        owner="registration",
        personal={
            "code": Personal(BLANK, exported=False, reason=PRIVATE_LINK),
            "scanned_at": Personal(KEEP, reason=FIGURES),
            "result": Personal(KEEP, reason=FIGURES),
        },
        other="id client_event_id session registration received_at device actor detail",
    ),
    "certificates.Certificate": Entry(
        owner="registration",
        personal={
            "serial": Personal(
                KEEP, reason="verification of the paper certificate keeps working, without the name"
            ),
            "state": Personal(KEEP, reason=FIGURES),
            "name_en": Personal(BLANK),
            "name_zh": Personal(BLANK),
            "hours": Personal(KEEP, reason=FIGURES),
            "sessions_attended": Personal(KEEP, reason=FIGURES),
            "minutes_attended": Personal(KEEP, reason=FIGURES),
            "issued_at": Personal(KEEP, reason=FIGURES),
            "pdf": Personal(FILE, exported=False, reason="the PDF is downloaded from the private page"),
        },
        other="id programme registration sessions_total reason revoked_at superseded_by emailed_at",
    ),
    "privacy.PrivacyRequest": Entry(
        owner="registration",
        personal={
            "kind": Personal(KEEP, reason="the request log shows what was asked and answered"),
            "received_on": Personal(KEEP, reason="the request log shows what was asked and answered"),
            "requester": Personal(SCRUB),
            "details": Personal(SCRUB),
            "status": Personal(KEEP, reason="the request log shows what was asked and answered"),
            "outcome": Personal(SCRUB),
        },
        other="id programme registration channel decided_by decided_at export_given_at created_by created_at",
    ),
    "privacy.Anonymisation": Entry(
        owner="registration",
        personal={
            "reason": Personal(SCRUB, exported=False, reason="written after the export can be asked for")
        },
        other="id registration source actor at",
    ),
    # --- rows that mention participants among others ----------------------------------------------
    "attendance.AttendanceImport": Entry(
        owner=None,
        personal={
            "file": Personal(FILE, exported=False, reason="a meeting report of many people"),
            "unmatched_rows": Personal(SCRUB, exported=False, reason="rows that matched nobody"),
            "rejected_rows": Personal(SCRUB, exported=False, reason="rows that could not be read"),
        },
        other="id session file_name sha256 format time_zone rows participants matched replaced_by "
        "uploaded_by uploaded_at",
        reason="a meeting report: the person's own rows are exported as attendance events",
    ),
    "attendance.MeetingConnection": Entry(
        owner=None,
        other="id session platform meeting_id slot state message pulled_at last_import connected_by connected_at",
        reason="a session's meeting on a platform and how its report pulls went; the reports are imports",
    ),
    "core.AuditEntry": Entry(
        owner=None,
        personal={
            "object_repr": Personal(SCRUB, exported=False, reason="the organisers' record of changes"),
            "summary": Personal(SCRUB, exported=False, reason="the organisers' record of changes"),
            "before": Personal(SCRUB, exported=False, reason="the organisers' record of changes"),
            "after": Personal(SCRUB, exported=False, reason="the organisers' record of changes"),
        },
        other="id at actor programme action object_type object_id",
        reason="the audit log: the values it records are in the export from their own tables",
    ),
    "media.RemovalRequest": Entry(
        owner=None,
        personal={
            "name": Personal(SCRUB, exported=False, reason="asked by anyone, not tied to a registration"),
            "email": Personal(
                PLACEHOLDER, exported=False, reason="asked by anyone, not tied to a registration"
            ),
            "reason": Personal(SCRUB, exported=False, reason="asked by anyone, not tied to a registration"),
        },
        other="id photo created_at handled",
        reason="a request to take a photo down: erased with the person whose email it carries",
    ),
    # --- personal data of people who are not participants -----------------------------------------
    "auth.User": Entry(
        owner=None,
        personal={
            "username": Personal(KEEP, exported=False, reason="staff account"),
            "password": Personal(KEEP, exported=False, reason="staff account (a hash)"),
            "first_name": Personal(KEEP, exported=False, reason="staff account"),
            "last_name": Personal(KEEP, exported=False, reason="staff account"),
            "email": Personal(KEEP, exported=False, reason="staff account"),
        },
        other="id last_login is_superuser is_staff is_active date_joined",
        reason="staff accounts, managed by the platform admin",
    ),
    "programmes.Speaker": Entry(
        owner=None,
        personal={
            "name_en": Personal(KEEP, exported=False, reason="a speaker's public role"),
            "name_zh": Personal(KEEP, exported=False, reason="a speaker's public role"),
            "post_en": Personal(KEEP, exported=False, reason="a speaker's public role"),
            "post_zh": Personal(KEEP, exported=False, reason="a speaker's public role"),
            "email": Personal(KEEP, exported=False, reason="a speaker's contact, seen by organisers only"),
        },
        other="id programme honorific organisation is_official",
        reason="speakers, who appear in public in their official role",
    ),
    "certificates.Signatory": Entry(
        owner=None,
        personal={
            "name_en": Personal(KEEP, exported=False, reason="a signatory's public role"),
            "name_zh": Personal(KEEP, exported=False, reason="a signatory's public role"),
            "post_en": Personal(KEEP, exported=False, reason="a signatory's public role"),
            "post_zh": Personal(KEEP, exported=False, reason="a signatory's public role"),
            "signature": Personal(KEEP, exported=False, reason="a signatory's public role"),
        },
        other="id rule order",
        reason="people who sign the certificates, in their official role",
    ),
    "media.Photo": Entry(
        owner=None,
        personal={
            "image": Personal(
                KEEP, exported=False, reason="governed by the publication rule and removal requests"
            ),
            "web": Personal(
                KEEP, exported=False, reason="governed by the publication rule and removal requests"
            ),
            "thumbnail": Personal(
                KEEP, exported=False, reason="governed by the publication rule and removal requests"
            ),
            "photographer": Personal(KEEP, exported=False, reason="credit given by the organisers"),
        },
        other="id session width height original_name caption_en caption_zh order published people_consent "
        "uploaded_by created_at",
        reason="photos of sessions: nobody is tagged by name; consent and removal decide publication",
    ),
    # --- no personal data -------------------------------------------------------------------------
    "core.ApiToken": Entry(owner=None, other="id user name key_hash created_at last_used_at"),
    "core.WorkerBeat": Entry(owner=None, other="worker_id beat_at"),
    "organisations.Organisation": Entry(
        owner=None, other="id name_en name_zh name_zh_provisional acronym kind is_member_agency created_at"
    ),
    "organisations.Membership": Entry(
        owner=None, other="id user organisation role all_doors invited_by_body"
    ),
    "organisations.Invitation": Entry(
        owner=None,
        personal={
            "email": Personal(
                KEEP,
                exported=False,
                reason="a staff invitation: deleted 90 days after it is accepted, cancelled or expires "
                "(organisations.services.purge_invitations, run by the retention purge)",
            ),
        },
        other="id organisation role all_doors invited_by_body invited_by language key_hash created_at "
        "sent_at expires_at accepted_at accepted_by cancelled_at",
        reason="staff invitations, seen by the inviting body's organisers",
    ),
    "programmes.Programme": Entry(
        owner=None,
        other="id slug title_en title_zh summary_en summary_zh starts_on ends_on time_zone status "
        "registration_open registration_closes_at requires_approval attendance_threshold_percent created_at "
        "updated_at content_version content_changed_at",
    ),
    "messaging.ReminderRule": Entry(
        owner=None,
        other="id programme offset_minutes subject_en subject_zh body_en body_zh channel enabled",
        reason="a programme's reminder texts with merge fields; no one's data",
    ),
    "messaging.Message": Entry(
        owner=None,
        other="id programme kind channel subject_en subject_zh body_en body_zh segment session offset_minutes "
        "send_at state recipients created_by created_at",
        reason="what organisers wrote and to which segment; each person's copy is a delivery",
    ),
    "messaging.SentMail": Entry(
        owner=None,
        other="id job recipient sent_at",
        reason="which of a job's emails went out, by the row's id: no address, no content",
    ),
    "messaging.SessionRevision": Entry(
        owner=None, other="session sequence fingerprint", reason="a session's calendar revision"
    ),
    "programmes.CoOrganiser": Entry(owner=None, other="id programme organisation role order"),
    "programmes.Venue": Entry(owner=None, other="id name_en name_zh address_en address_zh capacity owner"),
    "programmes.Session": Entry(
        owner=None,
        other="id programme kind mode title_en title_zh description_en description_zh starts_at ends_at venue "
        "online_url stream_url online_capacity cpd_hours counts_towards_certificate",
    ),
    "programmes.AgendaItem": Entry(
        owner=None, other="id session order kind title_en title_zh speaker language duration_minutes"
    ),
    "registrations.SeatCounter": Entry(owner=None, other="id session mode capacity taken waiting"),
    "attendance.AttendanceTally": Entry(owner=None, other="id session mode present minutes n shard"),
    "attendance.ProgressSession": Entry(owner=None, other="session_id programme minutes"),
    "registrations.Quota": Entry(owner=None, other="id programme organisation places used"),
    "engagement.Survey": Entry(owner=None, other="id session is_open attendees_only created_at"),
    "engagement.Question": Entry(owner=None, other="id survey order kind text_en text_zh required"),
    "publicity.PressRelease": Entry(
        owner=None,
        other="id programme slug title_en title_zh body_en body_zh status published_at composed_at created_at "
        "updated_at",
    ),
    "publicity.ReleasePhoto": Entry(owner=None, other="id release photo order"),
    "publicity.SpeakerRemark": Entry(owner=None, other="id release speaker text_en text_zh"),
    "checkin.StaffAssignment": Entry(owner=None, other="id user session assigned_by assigned_at"),
    "checkin.DoorSettings": Entry(owner=None, other="session asks_for_check_out"),
    "certificates.CertificateRule": Entry(
        owner=None,
        other="id programme mode min_sessions min_percent hours_method cpd_category cpd_category_zh heading_en heading_zh "
        "intro_en intro_zh statement_en statement_zh footer_en footer_zh show_logos updated_at",
    ),
    "certificates.OrganiserLogo": Entry(owner=None, other="id rule order image description"),
    "certificates.IssueJob": Entry(
        owner=None,
        other="id programme created_by state done total issued superseded error created_at started_at "
        "finished_at updated_at heartbeat_at runner",
    ),
    "privacy.Retention": Entry(owner=None, other="id programme days updated_at"),
}


def covered_models() -> list[str]:
    """The models the catalogue must cover: every Plenary model and Django's user accounts."""
    from django.apps import apps

    return sorted(
        model._meta.label
        for model in apps.get_models()
        if model.__module__.startswith("plenary.") or model._meta.label == "auth.User"
    )


def problems() -> list[str]:
    """Fields not classified, or classified but gone; empty when the catalogue is complete."""
    from django.apps import apps

    found = []
    labels = covered_models()
    for label in labels:
        entry = CATALOGUE.get(label)
        if entry is None:
            found.append(f"{label}: not in the catalogue")
            continue
        fields = {f.name for f in apps.get_model(label)._meta.concrete_fields}
        listed = set(entry.personal) | entry.other_fields
        found += [f"{label}.{name}: not classified" for name in sorted(fields - listed)]
        found += [f"{label}.{name}: no such field" for name in sorted(listed - fields)]
        found += [
            f"{label}.{name}: both personal and not"
            for name in sorted(set(entry.personal) & entry.other_fields)
        ]
        for name, personal in entry.personal.items():
            if (not personal.exported or personal.erase == KEEP) and not personal.reason:
                found.append(f"{label}.{name}: excluded or kept without a reason")
            if entry.owner is None and personal.exported:
                found.append(f"{label}.{name}: exported but not a participant's own row")
    found += [f"{label}: no such model" for label in sorted(set(CATALOGUE) - set(labels))]
    return found
