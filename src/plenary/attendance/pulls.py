"""Meeting reports pulled from the platform instead of uploaded: Zoom, Microsoft Teams and Webex.

One interface, ``client_for(platform).report(meeting_id, session)``, gives the report as a file of the
platform's own export format; ``pull_report()`` puts it through the same import as an upload
(``services.import_meeting_report``): the same report again changes nothing, a fuller one later replaces
the earlier import (audited) and its rows go to the same review list.

Each client reads its credentials from the environment (server-to-server OAuth, never a person's login):

- **Zoom**: account credentials (``/oauth/token?grant_type=account_credentials``), then
  ``GET /report/meetings/{id}/participants`` page by page (``next_page_token``).
- **Teams** (Microsoft Graph): a client-credentials token from
  ``login.microsoftonline.com/{tenant}/oauth2/v2.0/token``, then
  ``/users/{organiser}/onlineMeetings/{id}/attendanceReports`` (the report whose meeting times overlap the
  session most, so a recurring meeting's other occurrences are never taken) and its
  ``attendanceRecords``, following ``@odata.nextLink``. App-only access needs an application access policy
  for the organiser account.
- **Webex**: an integration's or service app's refresh token gives an access token
  (``POST /v1/access_token``), then ``GET /v1/meetingParticipants?meetingId=…`` following the ``Link``
  header's ``rel="next"``; each device's join and leave is an interval.

All three wait out a 429 (``Retry-After``, else a short backoff), renew an expired token once, and treat a
404 or an empty report as "not ready yet". A next-page link to another host is not followed (the token would
go with it).

The worker pulls connected meetings by itself (``schedule_due_pulls``, ``run_scheduled_pull``): after a
session ends, at each slot of ``SCHEDULE`` while the platform's report settles, then it stops. Each slot is
claimed by a conditional UPDATE of the connection's ``slot``, so with any number of workers a slot is
pulled once.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import Message

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plenary.attendance import services
from plenary.attendance.models import MeetingConnection
from plenary.core import audit
from plenary.core.errors import DomainError
from plenary.programmes.models import Session

TIMEOUT = 20
MAX_RETRIES = 5
# After a connected session ends: pull at each of these, while the platform's report settles; then stop.
SCHEDULE = (timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1), timedelta(hours=6))


class PullError(DomainError):
    """The platform could not give the report; the message is for the organiser."""

    status = 502


class ReportNotReady(PullError):
    status = 409


def _setting(value: str | None, variable: str, default: str = "") -> str:
    return (value if value is not None else os.environ.get(variable, "")) or default


class PlatformClient(ABC):
    """What the three platforms share: a bearer token, retries on 429, one renewal of an expired token."""

    platform = ""  # MeetingConnection.Platform value
    label = ""  # the platform's name, for messages
    format = ""  # the import format the pulled report is written in

    def __init__(self, *, api_url: str, sleep: Callable[[float], None] = time.sleep, urls=()):
        self.api_url = api_url.rstrip("/")
        if not all(url.startswith(("https://", "http://")) for url in (self.api_url, *urls)):
            raise PullError(_("The %(platform)s addresses must be http(s) URLs.") % {"platform": self.label})
        self.sleep = sleep
        self._token = ""

    def _missing(self, variables: str) -> PullError:
        return PullError(
            _("%(platform)s credentials are not configured (%(variables)s).")
            % {"platform": self.label, "variables": variables}
        )

    @abstractmethod
    def _token_now(self) -> str:
        """A fresh bearer token from the platform's OAuth endpoint (each client its own grant)."""

    def _post_for_token(self, url: str, form: dict | None, headers: dict | None = None) -> dict:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(  # noqa: S310 - http(s) only, checked in __init__
            url,
            data=data if data is not None else b"",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded", **(headers or {})},
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - configured URL
                answer = json.load(response)
            if not answer.get("access_token"):
                raise KeyError("access_token")
            return answer
        except (urllib.error.URLError, KeyError, ValueError, AttributeError) as error:
            raise PullError(
                _("%(platform)s refused the credentials or could not be reached.") % {"platform": self.label}
            ) from error

    def not_ready(self) -> ReportNotReady:
        return ReportNotReady(
            _("%(platform)s has no report for this meeting yet.") % {"platform": self.label}
        )

    def get(self, path_or_url: str, params: dict | None = None) -> tuple[dict, Message]:
        """One JSON answer and its headers; ``path_or_url`` is under the API's address or a next-page link."""
        if path_or_url.startswith(("https://", "http://")):
            if not _same_origin(path_or_url, self.api_url):
                raise PullError(
                    _("%(platform)s sent a next page at another address; it was not followed.")
                    % {"platform": self.label}
                )
            url = path_or_url
        else:
            url = f"{self.api_url}{path_or_url}"
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        renewed = False
        for attempt in range(MAX_RETRIES):
            if not self._token:
                self._token = self._token_now()
            request = urllib.request.Request(  # noqa: S310 - same origin as the configured API
                url, headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
            )
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                    return json.load(response), response.headers
            except urllib.error.HTTPError as error:
                if error.code == 401 and not renewed:
                    self._token, renewed = "", True  # expired: one new token, then the same request
                    continue
                if error.code in (429, 503) and attempt < MAX_RETRIES - 1:
                    wait = (error.headers.get("Retry-After", "") or "").strip()
                    self.sleep(min(float(wait), 300.0) if _is_number(wait) else float(2**attempt))
                    continue
                if error.code == 429:
                    break
                if error.code == 404:
                    raise self.not_ready() from error
                raise PullError(
                    _("%(platform)s answered %(status)s.") % {"platform": self.label, "status": error.code}
                ) from error
            except (urllib.error.URLError, OSError) as error:
                raise PullError(_("%(platform)s could not be reached.") % {"platform": self.label}) from error
            except ValueError as error:
                raise PullError(
                    _("%(platform)s answered something that is not JSON.") % {"platform": self.label}
                ) from error
        raise PullError(_("%(platform)s kept asking to wait; try again later.") % {"platform": self.label})

    @abstractmethod
    def report(self, meeting_id: str, session: Session) -> bytes:
        """The meeting's participants as a file of ``self.format``; ReportNotReady when there are none yet."""


def _is_number(text: str) -> bool:
    return bool(re.fullmatch(r"\d+(\.\d+)?", text))


def _same_origin(url: str, base: str) -> bool:
    one, two = urllib.parse.urlsplit(url), urllib.parse.urlsplit(base)
    return (one.scheme, one.netloc) == (two.scheme, two.netloc)


def _quoted(meeting_id: str) -> str:
    return urllib.parse.quote(meeting_id.strip(), safe="")


def _moment(text: str | None) -> datetime | None:
    """An ISO 8601 time from an API (Graph writes seven decimal places) as an aware UTC datetime."""
    if not text:
        return None
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.strip()).replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _iso(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


# --- Zoom -------------------------------------------------------------------------------------------


class ZoomClient(PlatformClient):
    platform, label, format = "zoom", "Zoom", "zoom"

    def __init__(
        self,
        *,
        api_url: str | None = None,
        token_url: str | None = None,
        account_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.token_url = _setting(token_url, "PLENARY_ZOOM_TOKEN_URL", "https://zoom.us/oauth/token")
        self.account_id = _setting(account_id, "PLENARY_ZOOM_ACCOUNT_ID")
        self.client_id = _setting(client_id, "PLENARY_ZOOM_CLIENT_ID")
        self.client_secret = _setting(client_secret, "PLENARY_ZOOM_CLIENT_SECRET")
        if not (self.account_id and self.client_id and self.client_secret):
            raise self._missing("PLENARY_ZOOM_ACCOUNT_ID, _CLIENT_ID, _CLIENT_SECRET")
        super().__init__(
            api_url=_setting(api_url, "PLENARY_ZOOM_API_URL", "https://api.zoom.us/v2"),
            sleep=sleep,
            urls=(self.token_url,),
        )

    def _token_now(self) -> str:
        query = urllib.parse.urlencode({"grant_type": "account_credentials", "account_id": self.account_id})
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return self._post_for_token(f"{self.token_url}?{query}", None, {"Authorization": f"Basic {basic}"})[
            "access_token"
        ]

    def participants(self, meeting_id: str) -> list[dict]:
        # Zoom wants a meeting UUID that starts with "/" or holds "//" encoded twice.
        meeting = urllib.parse.quote(_quoted(meeting_id), safe="")
        rows, token = [], ""
        while True:
            params = {"page_size": 300}
            if token:
                params["next_page_token"] = token
            page, _headers = self.get(f"/report/meetings/{meeting}/participants", params)
            rows.extend(page.get("participants", []))
            token = page.get("next_page_token", "")
            if not token:
                return rows

    def report(self, meeting_id: str, session: Session) -> bytes:
        participants = self.participants(meeting_id)
        if not participants:
            raise self.not_ready()
        return zoom_csv(participants)


def zoom_csv(participants: list[dict]) -> bytes:
    """The API's participants as Zoom's own CSV export (times in UTC, ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name (Original Name)", "User Email", "Join Time", "Leave Time", "Duration (Minutes)"])
    for row in participants:
        writer.writerow(
            [
                row.get("name", ""),
                row.get("user_email", ""),
                row.get("join_time", ""),
                row.get("leave_time", ""),
                round(int(row.get("duration") or 0) / 60, 2),
            ]
        )
    return out.getvalue().encode()


# --- Microsoft Teams (Graph) ------------------------------------------------------------------------


class TeamsClient(PlatformClient):
    platform, label, format = "teams", "Microsoft Teams", "teams"

    def __init__(
        self,
        *,
        api_url: str | None = None,
        login_url: str | None = None,
        tenant_id: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        user_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.login_url = _setting(login_url, "PLENARY_TEAMS_LOGIN_URL", "https://login.microsoftonline.com")
        self.login_url = self.login_url.rstrip("/")
        self.tenant_id = _setting(tenant_id, "PLENARY_TEAMS_TENANT_ID")
        self.client_id = _setting(client_id, "PLENARY_TEAMS_CLIENT_ID")
        self.client_secret = _setting(client_secret, "PLENARY_TEAMS_CLIENT_SECRET")
        self.user_id = _setting(user_id, "PLENARY_TEAMS_USER_ID")
        if not (self.tenant_id and self.client_id and self.client_secret and self.user_id):
            raise self._missing("PLENARY_TEAMS_TENANT_ID, _CLIENT_ID, _CLIENT_SECRET, _USER_ID")
        super().__init__(
            api_url=_setting(api_url, "PLENARY_TEAMS_API_URL", "https://graph.microsoft.com/v1.0"),
            sleep=sleep,
            urls=(self.login_url,),
        )

    def _token_now(self) -> str:
        url = f"{self.login_url}/{_quoted(self.tenant_id)}/oauth2/v2.0/token"
        return self._post_for_token(
            url,
            {
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": "https://graph.microsoft.com/.default",
            },
        )["access_token"]

    def _all(self, path: str) -> list[dict]:
        items, page = [], path
        while page:
            answer, _headers = self.get(page)
            items.extend(answer.get("value", []))
            page = answer.get("@odata.nextLink", "")
        return items

    def report(self, meeting_id: str, session: Session) -> bytes:
        meeting = f"/users/{_quoted(self.user_id)}/onlineMeetings/{_quoted(meeting_id)}"
        reports = self._all(f"{meeting}/attendanceReports")

        def overlap(report: dict) -> float:
            start = _moment(report.get("meetingStartDateTime"))
            end = _moment(report.get("meetingEndDateTime"))
            if start is None or end is None:
                return 0.0
            return (min(end, session.ends_at) - max(start, session.starts_at)).total_seconds()

        fitting = [report for report in reports if overlap(report) > 0]
        if not fitting:
            raise self.not_ready()
        chosen = max(fitting, key=overlap)
        records = self._all(f"{meeting}/attendanceReports/{_quoted(chosen['id'])}/attendanceRecords")
        if not records:
            raise self.not_ready()
        return teams_report(chosen, records)


def _duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 3600}h {seconds % 3600 // 60}m {seconds % 60}s"


def teams_report(report: dict, records: list[dict]) -> bytes:
    """Graph's attendance records as Teams' own downloadable report (tab-separated, UTF-8, UTC times)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", lineterminator="\r\n")
    writer.writerow(["1. Summary"])
    writer.writerow(["Start time", _iso(_moment(report.get("meetingStartDateTime")))])
    writer.writerow(["End time", _iso(_moment(report.get("meetingEndDateTime")))])
    writer.writerow([])
    writer.writerow(["3. In-Meeting Activities"])
    writer.writerow(["Name", "Join Time", "Leave Time", "Duration", "Email", "Role"])
    for record in records:
        name = (record.get("identity") or {}).get("displayName") or ""
        email = record.get("emailAddress") or ""
        for interval in record.get("attendanceIntervals") or []:
            joined, left = _moment(interval.get("joinDateTime")), _moment(interval.get("leaveDateTime"))
            if joined is None:
                continue
            seconds = interval.get("durationInSeconds")
            if seconds is None and left is not None:
                seconds = (left - joined).total_seconds()
            writer.writerow(
                [name, _iso(joined), _iso(left), _duration(seconds or 0), email, record.get("role") or ""]
            )
    return out.getvalue().encode()


# --- Webex ------------------------------------------------------------------------------------------


class WebexClient(PlatformClient):
    platform, label, format = "webex", "Webex", "webex"

    def __init__(
        self,
        *,
        api_url: str | None = None,
        client_id: str | None = None,
        client_secret: str | None = None,
        refresh_token: str | None = None,
        host_email: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.client_id = _setting(client_id, "PLENARY_WEBEX_CLIENT_ID")
        self.client_secret = _setting(client_secret, "PLENARY_WEBEX_CLIENT_SECRET")
        self.refresh_token = _setting(refresh_token, "PLENARY_WEBEX_REFRESH_TOKEN")
        self.host_email = _setting(host_email, "PLENARY_WEBEX_HOST_EMAIL")
        if not (self.client_id and self.client_secret and self.refresh_token):
            raise self._missing("PLENARY_WEBEX_CLIENT_ID, _CLIENT_SECRET, _REFRESH_TOKEN")
        super().__init__(
            api_url=_setting(api_url, "PLENARY_WEBEX_API_URL", "https://webexapis.com/v1"), sleep=sleep
        )

    def _token_now(self) -> str:
        answer = self._post_for_token(
            f"{self.api_url}/access_token",
            {
                "grant_type": "refresh_token",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "refresh_token": self.refresh_token,
            },
        )
        # Webex may hand out a new refresh token; this process uses it from now on.
        self.refresh_token = answer.get("refresh_token") or self.refresh_token
        return answer["access_token"]

    def participants(self, meeting_id: str) -> list[dict]:
        params = {"meetingId": meeting_id.strip(), "max": 100}
        if self.host_email:
            params["hostEmail"] = self.host_email
        items, page, query = [], "/meetingParticipants", params
        while page:
            answer, headers = self.get(page, query)
            items.extend(answer.get("items", []))
            page, query = _next_link(headers.get_all("Link") or []), None
        return items

    def report(self, meeting_id: str, session: Session) -> bytes:
        participants = self.participants(meeting_id)
        if not participants:
            raise self.not_ready()
        return webex_csv(participants)


def _next_link(values: list[str]) -> str:
    """The ``rel="next"`` address of RFC 8288 ``Link`` headers, or ""."""
    for value in values:
        for part in value.split(","):
            match = re.match(r"\s*<([^>]*)>\s*;(.*)", part)
            if match and re.search(r'rel\s*=\s*"?next"?', match.group(2)):
                return match.group(1)
    return ""


def webex_csv(participants: list[dict]) -> bytes:
    """Webex participants as Webex's attendee export: one row per device's join (UTC, ISO 8601)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "Attendee Email", "Join Time", "Leave Time", "Attendance Duration"])
    for person in participants:
        intervals = [
            (device.get("joinedTime"), device.get("leftTime")) for device in person.get("devices") or []
        ] or [(person.get("joinedTime"), person.get("leftTime"))]
        for joined_text, left_text in intervals:
            joined, left = _moment(joined_text), _moment(left_text)
            if joined is None:
                continue
            seconds = max(int((left - joined).total_seconds()), 0) if left else None
            duration = (
                f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
                if seconds is not None
                else ""
            )
            writer.writerow(
                [person.get("displayName", ""), person.get("email", ""), _iso(joined), _iso(left), duration]
            )
    return out.getvalue().encode()


# --- pulling -----------------------------------------------------------------------------------------

CLIENTS: dict[str, type[PlatformClient]] = {
    ZoomClient.platform: ZoomClient,
    TeamsClient.platform: TeamsClient,
    WebexClient.platform: WebexClient,
}
assert set(CLIENTS) == set(MeetingConnection.Platform.values)


def client_for(platform: str) -> PlatformClient:
    if platform not in CLIENTS:
        raise PullError(_("Unknown meeting platform “%(platform)s”.") % {"platform": platform})
    return CLIENTS[platform]()


def pull_report(
    session: Session,
    platform: str,
    meeting_id: str,
    *,
    client: PlatformClient | None = None,
    actor=None,
) -> services.ImportOutcome:
    """Fetches a meeting's report and imports it like an upload; PullError/ImportFailed say why not."""
    client = client or client_for(platform)
    data = client.report(meeting_id, session)
    safe_id = re.sub(r"[^A-Za-z0-9_-]+", "-", meeting_id)[:60]
    return services.import_meeting_report(
        session, data, format=client.format, actor=actor, file_name=f"{platform}-{safe_id}.csv"
    )


def pull_zoom_report(
    session: Session, meeting_id: str, *, client: ZoomClient | None = None, actor=None
) -> services.ImportOutcome:
    return pull_report(session, "zoom", meeting_id, client=client, actor=actor)


# --- connected meetings: the worker's schedule --------------------------------------------------------


def connect_meeting(session: Session, platform: str, meeting_id: str, *, actor) -> MeetingConnection:
    """Connects (or re-connects) a session to a meeting; a changed meeting starts the schedule again."""
    meeting_id = meeting_id.strip()
    if platform not in CLIENTS:
        raise PullError(_("Unknown meeting platform “%(platform)s”.") % {"platform": platform})
    if not meeting_id:
        raise PullError(_("Give the meeting's id."))
    with transaction.atomic():
        existing = MeetingConnection.objects.select_for_update().filter(session=session).first()
        before = {"platform": existing.platform, "meeting_id": existing.meeting_id} if existing else None
        if existing and (existing.platform, existing.meeting_id) == (platform, meeting_id):
            return existing
        connection = existing or MeetingConnection(session=session)
        connection.platform, connection.meeting_id = platform, meeting_id
        connection.slot, connection.state, connection.message = -1, MeetingConnection.State.WAITING, ""
        connection.connected_by = actor if getattr(actor, "is_authenticated", False) else None
        connection.connected_at = timezone.now()
        connection.save()
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.UPDATE if existing else audit.AuditEntry.Action.CREATE,
            instance=connection,
            programme=session.programme,
            summary=f"{session.title_en}: {connection.get_platform_display()} meeting {meeting_id} connected",
            before=before,
            after={"platform": platform, "meeting_id": meeting_id},
        )
    return connection


def disconnect_meeting(session: Session, *, actor) -> bool:
    with transaction.atomic():
        connection = MeetingConnection.objects.select_for_update().filter(session=session).first()
        if connection is None:
            return False
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.DELETE,
            instance=connection,
            programme=session.programme,
            summary=f"{session.title_en}: {connection.get_platform_display()} meeting disconnected",
            before={"platform": connection.platform, "meeting_id": connection.meeting_id},
        )
        connection.delete()
    return True


def due_slot(ends_at: datetime, now: datetime) -> int:
    """The latest slot of SCHEDULE that has come (-1: none yet). Slots missed while no worker ran are
    skipped: only the latest pull matters, since each pull takes the whole report again."""
    return max((index for index, offset in enumerate(SCHEDULE) if ends_at + offset <= now), default=-1)


def schedule_due_pulls(now: datetime | None = None) -> int:
    """Queues one pull for each connected meeting whose next slot has come; returns how many.

    The claim is a conditional UPDATE (``slot < due``) in the transaction that writes the task: of two
    workers sweeping at once, one updates the row and queues the pull, the other updates nothing.
    """
    from plenary.attendance import tasks
    from plenary.core.tasks import enqueue_on_commit

    now = now or timezone.now()
    last = len(SCHEDULE) - 1
    candidates = MeetingConnection.objects.filter(
        session__ends_at__lte=now - SCHEDULE[0], slot__lt=last
    ).values_list("pk", "slot", "session__ends_at")
    queued = 0
    for pk, slot, ends_at in list(candidates):
        due = due_slot(ends_at, now)
        if due <= slot:
            continue
        with transaction.atomic():
            claimed = MeetingConnection.objects.filter(pk=pk, slot__lt=due).update(
                slot=due, state=MeetingConnection.State.QUEUED
            )
            if claimed:
                enqueue_on_commit(tasks.pull_connected_report, pk, due)
                queued += 1
    return queued


def request_pull(session: Session, *, actor) -> MeetingConnection | None:
    """An organiser's "pull now": queues a pull outside the schedule (which goes on as it was); audited."""
    from plenary.attendance import tasks
    from plenary.core.tasks import enqueue_on_commit

    with transaction.atomic():
        connection = MeetingConnection.objects.select_for_update().filter(session=session).first()
        if connection is None:
            return None
        MeetingConnection.objects.filter(pk=connection.pk).update(state=MeetingConnection.State.QUEUED)
        audit.record(
            actor=actor,
            action=audit.AuditEntry.Action.OTHER,
            instance=connection,
            programme=session.programme,
            summary=f"{session.title_en}: a pull of the {connection.get_platform_display()} report asked for",
        )
        enqueue_on_commit(tasks.pull_connected_report, connection.pk, None)
    return connection


def run_scheduled_pull(connection_id: int, slot: int | None) -> str:
    """Pulls a connected meeting's report for one claimed slot (None: asked for by an organiser) and records
    how it went (the state)."""
    connection = (
        MeetingConnection.objects.select_related("session__programme").filter(pk=connection_id).first()
    )
    if connection is None or (slot is not None and connection.slot != slot):
        return "superseded"  # disconnected, re-connected, or a later slot has been claimed since
    State = MeetingConnection.State
    last_import = connection.last_import_id
    try:
        outcome = pull_report(connection.session, connection.platform, connection.meeting_id)
    except ReportNotReady as error:
        state, message = State.NOT_READY, str(error)
    except (PullError, services.ImportFailed) as error:
        state, message = State.FAILED, str(error)
    else:
        state = State.UNCHANGED if outcome.duplicate else State.IMPORTED
        message, last_import = "", outcome.batch.pk
    MeetingConnection.objects.filter(
        pk=connection.pk, slot=connection.slot, platform=connection.platform, meeting_id=connection.meeting_id
    ).update(state=state, message=message[:300], pulled_at=timezone.now(), last_import_id=last_import)
    return state
