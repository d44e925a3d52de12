"""Local stand-ins for Microsoft Graph (Teams attendance reports) and Webex (meeting participants).

Each answers like the vendor's published API: its token endpoint and grant, its paging (Graph's
``@odata.nextLink`` in the body, Webex's RFC 8288 ``Link`` header), a 429 with ``Retry-After`` on the
second page the first time it is asked, the first token expired (401) when it is used, and a meeting with
no report yet. ``log`` records what was asked, in order.

Lecture 1 of the reference programme is 20 November 2022, 14:30–16:30 Hong Kong time (06:30–08:30 UTC).
"""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


@contextmanager
def serving(handler: type[BaseHTTPRequestHandler]):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class JsonHandler(BaseHTTPRequestHandler):
    tokens_issued = 0
    rate_limited = False
    log: list[str] = []

    @classmethod
    def reset(cls, **state):
        cls.tokens_issued, cls.rate_limited, cls.log = 0, False, []
        for name, value in state.items():
            setattr(cls, name, value)

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

    def form(self) -> dict[str, str]:
        length = int(self.headers.get("Content-Length") or 0)
        return {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}

    def base(self) -> str:
        return f"http://{self.headers['Host']}"

    def token_state(self) -> str:
        """ "expired" for the first token (it has expired by the time it is used), "ok" or "bad"."""
        token = self.headers.get("Authorization", "")
        if token == "Bearer token-1":
            return "expired"
        return "ok" if token == f"Bearer token-{type(self).tokens_issued}" else "bad"


# --- Microsoft Graph ----------------------------------------------------------------------------------

MEETING = "MSo1N2M5ZmVkNy0xMjM0KjAqKjE5Om1lZXRpbmdfTGVjdHVyZTFAdGhyZWFkLnYy"
EMPTY_MEETING = "MSoNoReportYet"
ORGANISER = "0a1b2c3d-organiser"
TENANT = "contoso-tenant"

REPORTS = [
    {  # a week earlier: another occurrence of the same recurring meeting, never to be taken
        "id": "report-earlier",
        "totalParticipantCount": 1,
        "meetingStartDateTime": "2022-11-13T06:28:11.1234567Z",
        "meetingEndDateTime": "2022-11-13T08:31:40.7654321Z",
    },
    {
        "id": "report-lecture-1",
        "totalParticipantCount": 3,
        "meetingStartDateTime": "2022-11-20T06:25:02.3356129Z",
        "meetingEndDateTime": "2022-11-20T08:33:51.1208824Z",
    },
]


def interval(join, leave, seconds):
    return {"joinDateTime": join, "leaveDateTime": leave, "durationInSeconds": seconds}


RECORDS = {
    "": [
        {
            "id": "kayan",
            "emailAddress": "kayan.chan@example.org",
            "totalAttendanceInSeconds": 6000,
            "role": "Attendee",
            "identity": {"id": "u-kayan", "displayName": "Chan Ka Yan", "tenantId": None},
            "attendanceIntervals": [
                interval("2022-11-20T06:30:00.1000000Z", "2022-11-20T07:30:00.2000000Z", 3600),
                interval("2022-11-20T07:40:00.0000000Z", "2022-11-20T08:20:00.0000000Z", 2400),
            ],
        },
    ],
    "page-2": [
        {
            "id": "guest",
            "emailAddress": None,
            "totalAttendanceInSeconds": 900,
            "role": "Attendee",
            "identity": {"id": "", "displayName": "Guest (Unverified)", "tenantId": None},
            "attendanceIntervals": [interval("2022-11-20T06:45:00Z", "2022-11-20T07:00:00Z", 900)],
        },
        {
            "id": "siuling",
            "emailAddress": "siuling.lee@example.org",
            "totalAttendanceInSeconds": 5400,
            "role": "Presenter",
            "identity": {"id": "u-siuling", "displayName": "Lee Siu Ling", "tenantId": None},
            "attendanceIntervals": [interval("2022-11-20T06:35:00Z", "2022-11-20T08:05:00Z", 5400)],
        },
    ],
}
EARLIER_RECORDS = [  # would give Chan Ka Yan 120 minutes if the wrong occurrence were read
    {
        "id": "kayan",
        "emailAddress": "kayan.chan@example.org",
        "role": "Attendee",
        "identity": {"displayName": "Chan Ka Yan"},
        "attendanceIntervals": [interval("2022-11-20T06:30:00Z", "2022-11-20T08:30:00Z", 7200)],
    }
]


class Graph(JsonHandler):
    def do_POST(self):
        url = urlparse(self.path)
        form = self.form()
        if url.path != f"/{TENANT}/oauth2/v2.0/token" or form != {
            "grant_type": "client_credentials",
            "client_id": "graph-client",
            "client_secret": "graph-secret",
            "scope": "https://graph.microsoft.com/.default",
        }:
            return self.answer(
                401,
                {
                    "error": "invalid_client",
                    "error_description": "AADSTS7000215: Invalid client secret provided.",
                },
            )
        Graph.tokens_issued += 1
        self.log.append("token")
        return self.answer(
            200,
            {
                "token_type": "Bearer",
                "expires_in": 3599,
                "ext_expires_in": 3599,
                "access_token": f"token-{Graph.tokens_issued}",
            },
        )

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        state = self.token_state()
        if state != "ok":
            self.log.append(state)
            return self.answer(
                401,
                {
                    "error": {
                        "code": "InvalidAuthenticationToken",
                        "message": "Lifetime validation failed, the token is expired.",
                    }
                },
            )
        meetings = f"/v1.0/users/{ORGANISER}/onlineMeetings/"
        if not url.path.startswith(meetings):
            return self.answer(404, {"error": {"code": "NotFound", "message": "Resource not found."}})
        meeting, _slash, rest = url.path[len(meetings) :].partition("/")
        if meeting == EMPTY_MEETING and rest == "attendanceReports":
            self.log.append("reports:none")
            return self.answer(200, {"@odata.context": "…", "value": []})
        if meeting != MEETING:
            return self.answer(404, {"error": {"code": "NotFound", "message": "The meeting was not found."}})
        if rest == "attendanceReports":
            self.log.append("reports")
            return self.answer(200, {"@odata.context": "…", "value": REPORTS})
        if rest == "attendanceReports/report-earlier/attendanceRecords":
            self.log.append("records:earlier")
            return self.answer(200, {"value": EARLIER_RECORDS})
        if rest != "attendanceReports/report-lecture-1/attendanceRecords":
            return self.answer(404, {"error": {"code": "NotFound", "message": "Not found."}})
        page = query.get("$skiptoken", [""])[0]
        if page == "page-2" and not Graph.rate_limited:
            Graph.rate_limited = True
            self.log.append("429")
            return self.answer(
                429,
                {"error": {"code": "TooManyRequests", "message": "Too many requests."}},
                {"Retry-After": "0"},
            )
        self.log.append(f"records:{page or 'first'}")
        body = {"@odata.context": "…", "value": RECORDS[page]}
        if not page:
            body["@odata.nextLink"] = f"{self.base()}{url.path}?$skiptoken=page-2"
        return self.answer(200, body)


# --- Webex --------------------------------------------------------------------------------------------

WEBEX_MEETING = "8f4a0c6e2d1b4c3a9e7f5d6c4b3a2f1e_I_245716832914567890"
WEBEX_NOT_ENDED = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def participant(name, email, joined, left, devices=None):
    return {
        "id": f"{WEBEX_MEETING}_{email or name}",
        "orgId": "org",
        "host": False,
        "coHost": False,
        "email": email,
        "displayName": name,
        "invitee": bool(email),
        "muted": False,
        "state": "end",
        "joinedTime": joined,
        "leftTime": left,
        "siteUrl": "example.webex.com",
        "meetingId": WEBEX_MEETING,
        "hostEmail": "host@lwb.example.org",
        "devices": devices or [],
    }


def device(joined, left):
    return {
        "correlationId": f"c-{joined}",
        "deviceType": "webex_meeting_center_mac",
        "audioType": "voip",
        "joinedTime": joined,
        "leftTime": left,
        "durationSecond": 0,
    }


WEBEX_PAGES = {
    "": [
        participant(
            "Chan Ka Yan",
            "kayan.chan@example.org",
            "2022-11-20T06:30:00Z",
            "2022-11-20T08:20:00Z",
            [
                device("2022-11-20T06:30:00Z", "2022-11-20T07:30:00Z"),
                device("2022-11-20T07:40:00Z", "2022-11-20T08:20:00Z"),
            ],
        )
    ],
    "page-2": [participant("iPhone", "", "2022-11-20T06:45:00Z", "2022-11-20T07:00:00Z")],
    "page-3": [
        participant("Lee Siu Ling", "siuling.lee@example.org", "2022-11-20T06:35:00Z", "2022-11-20T08:05:00Z")
    ],
}
WEBEX_NEXT = {"": "page-2", "page-2": "page-3", "page-3": ""}
# What a later pull finds once the report has settled: one more person.
WEBEX_SETTLED_EXTRA = participant(
    "Wong Wai Man", "waiman.wong@example.org", "2022-11-20T06:40:00Z", "2022-11-20T08:10:00Z"
)


class Webex(JsonHandler):
    # "none": the meeting has no report yet (404); "report": the pages above; "settled": one more person
    stage = "report"

    def do_POST(self):
        url = urlparse(self.path)
        form = self.form()
        if url.path != "/v1/access_token" or form != {
            "grant_type": "refresh_token",
            "client_id": "webex-client",
            "client_secret": "webex-secret",
            "refresh_token": "webex-refresh",
        }:
            return self.answer(400, {"message": "Invalid refresh token.", "trackingId": "ROUTER_1"})
        Webex.tokens_issued += 1
        self.log.append("token")
        return self.answer(
            200,
            {
                "access_token": f"token-{Webex.tokens_issued}",
                "expires_in": 1209599,
                "refresh_token": "webex-refresh",
                "refresh_token_expires_in": 7775999,
            },
        )

    def do_GET(self):
        url = urlparse(self.path)
        query = parse_qs(url.query)
        state = self.token_state()
        if state != "ok":
            self.log.append(state)
            return self.answer(
                401,
                {
                    "message": "The request requires a valid access token set in the Authorization request header.",
                    "trackingId": "ROUTER_2",
                },
            )
        if url.path != "/v1/meetingParticipants" or query.get("max") != ["100"]:
            return self.answer(404, {"message": "Not found", "trackingId": "ROUTER_3"})
        meeting = query.get("meetingId", [""])[0]
        if meeting == WEBEX_NOT_ENDED or (meeting == WEBEX_MEETING and Webex.stage == "none"):
            self.log.append("no-report")
            return self.answer(
                404,
                {
                    "message": "Meeting instance not found or not ended.",
                    "errors": [{"description": "Not found"}],
                    "trackingId": "ROUTER_4",
                },
            )
        if meeting != WEBEX_MEETING:
            return self.answer(404, {"message": "Meeting not found.", "trackingId": "ROUTER_5"})
        page = query.get("cursor", [""])[0]
        if page == "page-2" and not Webex.rate_limited:
            Webex.rate_limited = True
            self.log.append("429")
            return self.answer(
                429, {"message": "Too many requests.", "trackingId": "ROUTER_6"}, {"Retry-After": "0"}
            )
        self.log.append(f"page:{page or 'first'}")
        items = list(WEBEX_PAGES[page])
        if page == "page-3" and Webex.stage == "settled":
            items.append(WEBEX_SETTLED_EXTRA)
        headers = {}
        if WEBEX_NEXT[page]:
            headers["Link"] = (
                f'<{self.base()}/v1/meetingParticipants?meetingId={meeting}&max=100&cursor={WEBEX_NEXT[page]}>; rel="next"'
            )
        return self.answer(200, {"items": items}, headers)
