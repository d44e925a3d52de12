"""Meeting reports pulled from the platform instead of uploaded (Zoom so far).

Zoom's report API with server-to-server OAuth (account credentials from the environment): a token from
``/oauth/token?grant_type=account_credentials``, then ``GET /report/meetings/{id}/participants`` page by
page (``next_page_token``). A 429 is waited out (``Retry-After``, else a short backoff), an expired token is
renewed once, a 404 means the report is not ready yet. The participants become a Zoom participants CSV and go
through the same import as an upload (``services.import_meeting_report``): the same file again changes
nothing, a fuller one later replaces the earlier import.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from plenary.attendance import services
from plenary.core.errors import DomainError
from plenary.programmes.models import Session

TIMEOUT = 20
MAX_RETRIES = 5


class PullError(DomainError):
    """The platform could not give the report; the message is for the organiser."""

    status = 502


class ReportNotReady(PullError):
    status = 409


class ZoomClient:
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
        self.api_url = (api_url or os.environ.get("PLENARY_ZOOM_API_URL") or "https://api.zoom.us/v2").rstrip(
            "/"
        )
        self.token_url = (
            token_url or os.environ.get("PLENARY_ZOOM_TOKEN_URL") or "https://zoom.us/oauth/token"
        )
        self.account_id = account_id or os.environ.get("PLENARY_ZOOM_ACCOUNT_ID", "")
        self.client_id = client_id or os.environ.get("PLENARY_ZOOM_CLIENT_ID", "")
        self.client_secret = client_secret or os.environ.get("PLENARY_ZOOM_CLIENT_SECRET", "")
        if not (self.account_id and self.client_id and self.client_secret):
            raise PullError(
                _(
                    "Zoom credentials are not configured (PLENARY_ZOOM_ACCOUNT_ID, _CLIENT_ID, _CLIENT_SECRET)."
                )
            )
        if not all(url.startswith(("https://", "http://")) for url in (self.api_url, self.token_url)):
            raise PullError(_("The Zoom addresses must be http(s) URLs."))
        self.sleep = sleep
        self._token = ""

    def _token_now(self) -> str:
        query = urllib.parse.urlencode({"grant_type": "account_credentials", "account_id": self.account_id})
        basic = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 - https/http only, checked in __init__
            f"{self.token_url}?{query}", method="POST", headers={"Authorization": f"Basic {basic}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - configured URL
                return json.load(response)["access_token"]
        except (urllib.error.URLError, KeyError, ValueError) as error:
            raise PullError(_("Zoom refused the credentials or could not be reached.")) from error

    def get(self, path: str, params: dict) -> dict:
        renewed = False
        for attempt in range(MAX_RETRIES):
            if not self._token:
                self._token = self._token_now()
            url = f"{self.api_url}{path}?{urllib.parse.urlencode(params)}"
            request = urllib.request.Request(url, headers={"Authorization": f"Bearer {self._token}"})  # noqa: S310
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                    return json.load(response)
            except urllib.error.HTTPError as error:
                if error.code == 401 and not renewed:
                    self._token, renewed = "", True  # expired: one new token, then the same request
                    continue
                if error.code == 429:
                    wait = error.headers.get("Retry-After", "")
                    self.sleep(float(wait) if wait.replace(".", "", 1).isdigit() else 2**attempt)
                    continue
                if error.code == 404:
                    raise ReportNotReady(_("Zoom has no report for this meeting yet.")) from error
                raise PullError(_("Zoom answered %(status)s.") % {"status": error.code}) from error
            except urllib.error.URLError as error:
                raise PullError(_("Zoom could not be reached.")) from error
        raise PullError(_("Zoom kept asking to wait; try again later."))

    def participants(self, meeting_id: str) -> list[dict]:
        meeting = urllib.parse.quote(urllib.parse.quote(meeting_id, safe=""), safe="")
        rows, token = [], ""
        while True:
            params = {"page_size": 300}
            if token:
                params["next_page_token"] = token
            page = self.get(f"/report/meetings/{meeting}/participants", params)
            rows.extend(page.get("participants", []))
            token = page.get("next_page_token", "")
            if not token:
                return rows


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


def pull_zoom_report(
    session: Session, meeting_id: str, *, client: ZoomClient | None = None, actor=None
) -> services.ImportOutcome:
    participants = (client or ZoomClient()).participants(meeting_id)
    if not participants:
        raise ReportNotReady(_("Zoom has no report for this meeting yet."))
    return services.import_meeting_report(
        session, zoom_csv(participants), format="zoom", actor=actor, file_name=f"zoom-{meeting_id}.csv"
    )
