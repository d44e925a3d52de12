from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plenary.programmes.models import Session
from plenary.registrations.models import Registration


class AttendanceEvent(models.Model):
    """Raw evidence that someone was there, from any source. Append-only (invariant 1).

    A correction is an event too: ``kind=void`` cancels the event it points at; ``kind=adjust``
    adds or removes minutes with who and why.
    """

    class Source(models.TextChoices):
        QR_SCAN = "qr_scan", _("QR scan")
        MANUAL = "manual", _("Manual")
        JOIN_LINK = "join_link", _("Personal join link")
        MEETING_REPORT = "meeting_report", _("Meeting report")
        STREAM_HEARTBEAT = "stream_heartbeat", _("Stream heartbeat")

    class Kind(models.TextChoices):
        PRESENCE = "presence", _("Present from … to …")
        CHECK_OUT = "check_out", _("Checked out")
        VOID = "void", _("Correction: cancels an event")
        ADJUST = "adjust", _("Correction: sets minutes")

    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="attendance_events")
    # The session leads an index below, and the client event id is unique by constraint: every door
    # scan writes each index of this table.
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="attendance_events", db_index=False
    )
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRESENCE)
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices)
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    client_event_id = models.CharField(max_length=64, null=True, blank=True)
    voids = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="voided_by"
    )
    import_batch = models.ForeignKey(
        "AttendanceImport", on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("attendance event")
        verbose_name_plural = _("attendance events")
        constraints = [
            models.UniqueConstraint(fields=["client_event_id"], name="attendance_event_client_event_unique")
        ]
        indexes = [models.Index(fields=["session", "registration"])]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.session_id} {self.source} {self.started_at}–{self.ended_at}"


class Attendance(models.Model):
    """Per registration and session: computed from the events, never edited by hand."""

    # The first column of the unique constraint below.
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendances", db_index=False
    )
    # The session leads the figures' index below.
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances", db_index=False)
    mode = models.CharField(_("mode"), max_length=20, blank=True, help_text=_("in_person, online or hybrid"))
    minutes = models.PositiveIntegerField(_("minutes"), default=0)
    present = models.BooleanField(_("present"), default=False)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="attendance_one_per_session")
        ]
        indexes = [
            # A programme's figures (``selectors.session_figures``, ``certificates.selectors.eligible_count``)
            # read only this index on PostgreSQL, however many people attended.
            models.Index(
                fields=["session", "mode", "present", "minutes"],
                include=["registration"],
                name="attendance_figures",
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.session_id} {self.minutes} min"


# The report formats the importers read (``attendance/reports``), with the names people know them by.
FORMAT_CHOICES = [
    ("auto", _("Detect automatically")),
    ("zoom", _("Zoom meeting participants")),
    ("zoom-webinar", _("Zoom webinar attendee report")),
    ("teams", _("Microsoft Teams attendance report")),
    ("webex", _("Webex attendee export")),
]


class AttendanceImport(models.Model):
    """An uploaded meeting report, kept with its hash so the same file is recognised."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance_imports")
    file = models.FileField(upload_to="attendance-imports/")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    format = models.CharField(max_length=20)
    time_zone = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    participants = models.PositiveIntegerField(default=0)
    matched = models.PositiveIntegerField(default=0)
    unmatched_rows = models.JSONField(default=list, blank=True)
    rejected_rows = models.JSONField(default=list, blank=True)
    replaced_by = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("attendance import")
        verbose_name_plural = _("attendance imports")
        constraints = [
            # The same file once per session while in force; a file an import replaced may come back.
            models.UniqueConstraint(
                fields=["session", "sha256"],
                condition=models.Q(replaced_by__isnull=True),
                name="attendance_import_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.format})"

    def get_format_display(self) -> str:
        """The report's format as people know it ("Zoom meeting participants"), never its code."""
        return str(dict(FORMAT_CHOICES).get(self.format, self.format))


class NameAlias(models.Model):
    """An organiser's decision that a name or email in meeting reports is this registrant.

    Remembered per programme so that later imports match the same person without asking again.
    """

    class Kind(models.TextChoices):
        NAME = "name", _("Name")
        EMAIL = "email", _("Email")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.CASCADE, related_name="attendance_aliases"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key = models.CharField(max_length=300, help_text=_("The normalised name or the email in lower case."))
    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="attendance_aliases"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("remembered match")
        verbose_name_plural = _("remembered matches")
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind", "key"], name="attendance_alias_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.registration_id}"


class StreamViewer(models.Model):
    """The one page currently counted as watching a session's stream for a registration.

    A page opened later takes over; heartbeats from any other page are told to stop.
    """

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="stream_viewers")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="stream_viewers")
    viewer = models.CharField(max_length=64)
    opened_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("stream viewer")
        verbose_name_plural = _("stream viewers")
        constraints = [
            models.UniqueConstraint(fields=["registration", "session"], name="stream_viewer_one_per_session")
        ]

    def __str__(self) -> str:
        return f"{self.registration_id} {self.session_id} {self.viewer}"


class MeetingConnection(models.Model):
    """A session's online meeting on a platform whose report the worker pulls after the session ends.

    ``slot`` is the last slot of ``pulls.SCHEDULE`` claimed (-1: none yet); claiming is a conditional
    UPDATE of it, so each slot is pulled once however many workers sweep.
    """

    class Platform(models.TextChoices):
        ZOOM = "zoom", "Zoom"
        TEAMS = "teams", "Microsoft Teams"
        WEBEX = "webex", "Webex"

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for the session to end")
        QUEUED = "queued", _("Pull queued")
        IMPORTED = "imported", _("Report imported")
        UNCHANGED = "unchanged", _("Report unchanged since the last pull")
        NOT_READY = "not_ready", _("No report yet")
        FAILED = "failed", _("Pull failed")

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="meeting_connection")
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    meeting_id = models.CharField(_("meeting id"), max_length=300)
    slot = models.SmallIntegerField(default=-1)
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    message = models.CharField(max_length=300, blank=True)
    pulled_at = models.DateTimeField(null=True, blank=True)
    last_import = models.ForeignKey(
        AttendanceImport, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField()

    class Meta:
        verbose_name = _("connected meeting")
        verbose_name_plural = _("connected meetings")

    def __str__(self) -> str:
        return f"{self.get_platform_display()} {self.meeting_id}"


class AttendanceTally(models.Model):
    """How many attendance rows of a session have each (mode, present, minutes): the session's figures
    without reading its attendance.

    Kept by the database itself: triggers on ``Attendance`` (migration 0006, written for SQLite and
    PostgreSQL) add one for each row written and take one away for each row changed or deleted, so every
    path that writes attendance — the door's one-statement path, bulk recomputes, imports, heartbeats,
    a cascade — keeps it exact within its own transaction. ``services.recount_tallies()`` rebuilds it
    from the rows (a migration fills it that way). It counts every registration's attendance; the
    figures take away that of the few registrations that no longer stand (``selectors.tallies``).

    Each key is split over ``SHARDS`` rows: on PostgreSQL a connection writes the shard of its backend
    (migration 0008), so concurrent door scans of one session do not queue on one row's lock (one row
    made every scan at a busy door wait for the one before it to commit); readers add the shards up.
    A shard may hold a negative ``n`` (a row counted in one shard and taken away in another).
    """

    SHARDS = 16

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance_tallies")
    mode = models.CharField(max_length=20, blank=True)
    present = models.BooleanField()
    minutes = models.PositiveIntegerField()
    n = models.IntegerField(default=0)
    shard = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("attendance tally")
        verbose_name_plural = _("attendance tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "mode", "present", "minutes", "shard"], name="attendance_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.mode} {self.present} {self.minutes}: {self.n}"


class Progress(models.Model):
    """One person's figures towards the certificate: how many counting sessions they were present at and
    their minutes summed over the counting sessions, each capped at the session's length — what
    ``certificates.services.meets_rule`` needs, without reading every attendance row.

    Kept by the database itself, like the tally: triggers on ``Attendance`` (migration 0009) add each
    written row's share and take away the replaced one's, reading the counting sessions and their lengths
    from ``ProgressSession`` — in the statement that writes the attendance (the door's one statement
    included), on the person's own row: no row that every scan updates. ``services.rebuild_progress()``
    recounts a programme when its counting sessions or their lengths change; until it has, the
    ``ProgressSession`` rows differ from the programme's sessions and the readers count exactly instead.
    """

    # No foreign key in the database: its check at commit locks the registration's row (FOR KEY SHARE)
    # a second time in every door scan (the attendance's own key already does), which cost more than the
    # rest of the trigger. Deleting a registration through the ORM deletes its row; one deleted behind
    # the ORM's back must first lose its attendance (whose key remains), which leaves (0, 0) here: counted
    # as no attendance, never eligible.
    registration = models.OneToOneField(
        Registration, on_delete=models.CASCADE, primary_key=True, related_name="progress", db_constraint=False
    )
    # The registration's programme, copied so that the figures group one index; no key of its own (the
    # registration's holds the row) and no index of its own (it leads ``progress_figures``).
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sessions = models.IntegerField(default=0)
    minutes = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("progress towards the certificate")
        verbose_name_plural = _("progress towards the certificate")
        indexes = [
            # The eligibility count groups this index alone on PostgreSQL.
            models.Index(
                fields=["programme", "sessions", "minutes"], include=["registration"], name="progress_figures"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.sessions} sessions, {self.minutes} min"


class ProgressSession(models.Model):
    """A counting session and its length in minutes as ``Progress`` counts them (written by
    ``services.rebuild_progress()``; the triggers read it). ``session_id`` is a plain number, not a key:
    a deleted session stays here until the rebuild, so the readers see that the programme changed."""

    session_id = models.BigIntegerField(primary_key=True)
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, related_name="+")
    minutes = models.IntegerField()

    class Meta:
        verbose_name = _("session counted for progress")
        verbose_name_plural = _("sessions counted for progress")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.minutes} min"
