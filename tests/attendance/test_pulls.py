"""Reports pulled through the platforms' APIs, against local stand-ins that answer like them: OAuth
credentials, pages (Zoom's next_page_token, Graph's @odata.nextLink, Webex's Link header), a 429 with
Retry-After, an expired token, no report yet."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from plenary.attendance import pulls
from plenary.attendance.models import AttendanceImport
from tests.attendance import stand_ins
from tests.attendance.conftest import minutes_of

PAGES = {
    "": [
        {
            "name": "Chan Ka Yan",
            "user_email": "kayan.chan@example.org",
            "join_time": "2022-11-20T06:30:00Z",
            "leave_time": "2022-11-20T07:30:00Z",
            "duration": 3600,
        },
    ],
    "page-2": [
        {
            "name": "Chan Ka Yan",
            "user_email": "kayan.chan@example.org",
            "join_time": "2022-11-20T07:40:00Z",
            "leave_time": "2022-11-20T08:20:00Z",
            "duration": 2400,
        },
        {
            "name": "iPhone",
            "user_email": "",
            "join_time": "2022-11-20T06:45:00Z",
            "leave_time": "2022-11-20T07:00:00Z",
            "duration": 900,
        },
    ],
    "page-3": [
        {
            "name": "Lee Siu Ling",
            "user_email": "siuling.lee@example.org",
            "join_time": "2022-11-20T06:35:00Z",
            "leave_time": "2022-11-20T08:05:00Z",
            "duration": 5400,
        },
    ],
}
NEXT = {"": "page-2", "page-2": "page-3", "page-3": ""}


class StandIn(BaseHTTPRequestHandler):
    tokens_issued = 0
    rate_limited = False
    log: list[str] = []

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        expected = "Basic " + base64.b64encode(b"client:secret").decode()
        if (
            url.path != "/oauth/token"
            or self.headers["Authorization"] != expected
            or query["account_id"] != ["acct"]
        ):
            return self.answer(401, {"reason": "Invalid client_id or client_secret"})
        StandIn.tokens_issued += 1
        self.log.append("token")
        return self.answer(200, {"access_token": f"token-{StandIn.tokens_issued}", "expires_in": 3599})

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        token = self.headers["Authorization"]
        if token == "Bearer token-1":  # the first token has expired by the time it is used
            self.log.append("expired")
            return self.answer(401, {"code": 124, "message": "Access token is expired."})
        if token != f"Bearer token-{StandIn.tokens_issued}":
            return self.answer(401, {"code": 124, "message": "Invalid access token."})
        if url.path == "/v2/report/meetings/999/participants":
            return self.answer(404, {"code": 3001, "message": "Meeting does not exist: 999."})
        if url.path != "/v2/report/meetings/81234567890/participants":
            return self.answer(404, {"code": 3001, "message": "Meeting does not exist."})
        page = query.get("next_page_token", [""])[0]
        if page == "page-2" and not StandIn.rate_limited:
            StandIn.rate_limited = True
            self.log.append("429")
            return self.answer(429, {"code": 429, "message": "Too many requests."}, {"Retry-After": "0"})
        self.log.append(f"page:{page or 'first'}")
        return self.answer(
            200, {"page_size": 300, "participants": PAGES[page], "next_page_token": NEXT[page]}
        )


@pytest.fixture
def stand_in():
    StandIn.tokens_issued, StandIn.rate_limited, StandIn.log = 0, False, []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StandIn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    yield base
    server.shutdown()
    server.server_close()


def client(base, **overrides):
    waits = []
    made = pulls.ZoomClient(
        api_url=f"{base}/v2",
        token_url=f"{base}/oauth/token",
        account_id="acct",
        client_id=overrides.get("client_id", "client"),
        client_secret="secret",
        sleep=waits.append,
    )
    return made, waits


def test_a_pulled_report_pages_waits_out_429_renews_an_expired_token_and_imports(stand_in, lecture, people):
    zoom, waits = client(stand_in)
    outcome = pulls.pull_zoom_report(lecture, "81234567890", client=zoom)
    assert StandIn.log == ["token", "expired", "token", "page:first", "429", "page:page-2", "page:page-3"]
    assert waits == [0.0]
    assert outcome.batch.format == "zoom" and outcome.batch.rows == 4
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}
    assert [row["name"] for row in outcome.batch.unmatched_rows] == ["iPhone"]

    again = pulls.pull_zoom_report(lecture, "81234567890", client=client(stand_in)[0])
    assert again.duplicate and AttendanceImport.objects.count() == 1


def test_no_report_yet_and_bad_credentials_are_clear_errors(stand_in, lecture):
    zoom, _waits = client(stand_in)
    with pytest.raises(pulls.ReportNotReady, match="no report for this meeting yet"):
        pulls.pull_zoom_report(lecture, "999", client=zoom)
    with pytest.raises(pulls.PullError, match="refused the credentials"):
        pulls.pull_zoom_report(lecture, "81234567890", client=client(stand_in, client_id="wrong")[0])
    assert not AttendanceImport.objects.exists()


# --- Microsoft Teams (Graph) and Webex, behind the same interface ------------------------------------


@pytest.fixture
def graph():
    stand_ins.Graph.reset()
    with stand_ins.serving(stand_ins.Graph) as base:
        yield base


@pytest.fixture
def webex():
    stand_ins.Webex.reset(stage="report")
    with stand_ins.serving(stand_ins.Webex) as base:
        yield base


def teams_client(base, secret="graph-secret"):  # noqa: S107 - the stand-in's
    waits = []
    made = pulls.TeamsClient(
        api_url=f"{base}/v1.0",
        login_url=base,
        tenant_id=stand_ins.TENANT,
        client_id="graph-client",
        client_secret=secret,
        user_id=stand_ins.ORGANISER,
        sleep=waits.append,
    )
    return made, waits


def webex_client(base, refresh="webex-refresh"):
    waits = []
    made = pulls.WebexClient(
        api_url=f"{base}/v1",
        client_id="webex-client",
        client_secret="webex-secret",
        refresh_token=refresh,
        sleep=waits.append,
    )
    return made, waits


def test_a_teams_report_is_the_sessions_occurrence_paged_through_after_a_429_and_a_renewed_token(
    graph, lecture, people
):
    teams, waits = teams_client(graph)
    outcome = pulls.pull_report(lecture, "teams", stand_ins.MEETING, client=teams)
    # The earlier occurrence of the recurring meeting is never read; nextLink is followed after the 429.
    assert stand_ins.Graph.log == [
        "token",
        "expired",
        "token",
        "reports",
        "records:first",
        "429",
        "records:page-2",
    ]
    assert waits == [0.0]
    assert outcome.batch.format == "teams" and outcome.batch.rows == 4
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}
    assert [(row["name"], row["other_names"]) for row in outcome.batch.unmatched_rows] == [
        ("Guest", ["Unverified"])
    ]

    again = pulls.pull_report(lecture, "teams", stand_ins.MEETING, client=teams_client(graph)[0])
    assert again.duplicate and AttendanceImport.objects.count() == 1


def test_a_teams_meeting_without_a_report_or_with_wrong_credentials_is_a_clear_error(graph, lecture):
    with pytest.raises(pulls.ReportNotReady, match="Microsoft Teams has no report for this meeting yet"):
        pulls.pull_report(lecture, "teams", stand_ins.EMPTY_MEETING, client=teams_client(graph)[0])
    with pytest.raises(pulls.PullError, match="refused the credentials"):
        pulls.pull_report(lecture, "teams", stand_ins.MEETING, client=teams_client(graph, secret="x")[0])
    assert not AttendanceImport.objects.exists()


def test_a_webex_report_follows_the_link_header_waits_out_429_and_renews_the_token(webex, lecture, people):
    client_, waits = webex_client(webex)
    outcome = pulls.pull_report(lecture, "webex", stand_ins.WEBEX_MEETING, client=client_)
    assert stand_ins.Webex.log == [
        "token",
        "expired",
        "token",
        "page:first",
        "429",
        "page:page-2",
        "page:page-3",
    ]
    assert waits == [0.0]
    assert outcome.batch.format == "webex" and outcome.batch.rows == 4  # one row per device's join
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}
    assert [row["name"] for row in outcome.batch.unmatched_rows] == ["iPhone"]


def test_a_webex_meeting_not_ended_or_a_bad_refresh_token_is_a_clear_error(webex, lecture):
    with pytest.raises(pulls.ReportNotReady, match="Webex has no report for this meeting yet"):
        pulls.pull_report(lecture, "webex", stand_ins.WEBEX_NOT_ENDED, client=webex_client(webex)[0])
    with pytest.raises(pulls.PullError, match="refused the credentials"):
        pulls.pull_report(lecture, "webex", stand_ins.WEBEX_MEETING, client=webex_client(webex, "old")[0])
    assert not AttendanceImport.objects.exists()


def test_a_next_page_on_another_host_is_not_followed_with_the_token(webex, lecture):
    client_, _waits = webex_client(webex)
    with pytest.raises(pulls.PullError, match="another address"):
        client_.get("https://elsewhere.example/v1/meetingParticipants?cursor=page-2")


def test_missing_credentials_name_the_variables(monkeypatch):
    for variable in ("PLENARY_TEAMS_TENANT_ID", "PLENARY_WEBEX_REFRESH_TOKEN"):
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(pulls.PullError, match="PLENARY_TEAMS_TENANT_ID"):
        pulls.client_for("teams")
    with pytest.raises(pulls.PullError, match="PLENARY_WEBEX_CLIENT_ID"):
        pulls.client_for("webex")


def test_the_command_pulls_from_the_platform_named(webex, lecture, people, monkeypatch, capsys):
    from django.core.management import CommandError, call_command

    for name, value in {
        "PLENARY_WEBEX_API_URL": f"{webex}/v1",
        "PLENARY_WEBEX_CLIENT_ID": "webex-client",
        "PLENARY_WEBEX_CLIENT_SECRET": "webex-secret",
        "PLENARY_WEBEX_REFRESH_TOKEN": "webex-refresh",
    }.items():
        monkeypatch.setenv(name, value)
    call_command("pull_report", str(lecture.pk), stand_ins.WEBEX_MEETING, "--platform", "webex")
    assert "imported: 4 rows, 2 matched, 1 to review" in capsys.readouterr().out
    assert minutes_of(people, lecture) == {"kayan": 100, "siuling": 90}
    with pytest.raises(CommandError, match="Webex has no report for this meeting yet"):
        call_command("pull_report", str(lecture.pk), stand_ins.WEBEX_NOT_ENDED, "--platform", "webex")
