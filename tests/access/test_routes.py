"""Every route × every kind of visitor answers exactly what the access rules say (GET only).

The routes come from the URL resolver, so a new route cannot be forgotten: the test fails until the
table below says what each visitor should get from it. Each route's parameters are filled from one
fixture world built on the demo:

- programme L (the demo's reference programme, co-organised by the body of ``organiser``), with the
  door of its hybrid sharing session assigned to ``door`` (check-in staff of L);
- programme O of an unrelated body, whose organiser is ``outsider``;
- agencies A (``coordinator``) and B (``coordinator-b``), each with a nomination on L;
- the registrant: A's nominee on L, with a certificate; the token, the reference and the serial in a
  URL are theirs. The registrant visits with their private token; everyone else with an unknown token
  (a staff login gives nothing on a registrant's private pages).

Statuses: ``L`` = 302 to the sign-in page, ``>/path/`` = 302 to that page, a number = that status.
Columns are the ROLES in order. POST-only routes answer GET with 405 once the visitor may reach them;
the visitors they turn away are asked again with a POST, which must turn them away the same way.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from plenary.api.auth import create_token
from plenary.attendance.models import AttendanceImport
from plenary.certificates.models import Certificate, IssueJob
from plenary.engagement.models import Reflection
from plenary.media.models import Photo
from plenary.messaging.models import Message
from plenary.organisations.models import Invitation, Membership, Organisation
from plenary.privacy.models import PrivacyRequest
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations.models import Registration
from plenary.site import demo

ROLES = (
    "anonymous",
    "registrant",
    "coordinator_a",
    "coordinator_b",
    "door",
    "outsider",
    "organiser",
    "admin",
)

HK = ZoneInfo("Asia/Hong_Kong")


def row(codes: str, **exceptions: str) -> dict[str, str]:
    """One line of the table: eight codes in ROLES order, then named exceptions."""
    values = codes.split()
    assert len(values) == len(ROLES), codes
    expected = dict(zip(ROLES, values, strict=True))
    unknown = set(exceptions) - set(ROLES)
    assert not unknown, unknown
    return {**expected, **exceptions}


# --- the groups -----------------------------------------------------------------------------------
#                 anon   regist coordA coordB door   outsid organi admin
# A page of one programme's console (@manages_programme): other bodies and coordinators learn nothing.
CONSOLE = row("L      L      404    404    403    404    200    200")
CONSOLE_POST = row("L      L      404    404    403    404    405    405")
# Console pages that belong to no programme (@organiser_required).
ORGANISER = row("L      L      403    403    403    200    200    200")
# Agency pages (@coordinator_required).
AGENCY = row("L      L      200    200    403    403    403    403")
AGENCY_POST = row("L      L      405    405    403    403    403    403")
# The door (@scans_at_door): the assigned staff and the programme's organisers.
DOOR = row("L      L      404    404    200    404    200    200")
# A registrant's private pages, reached by their token (others hold an unknown one).
TOKEN = row("404    200    404    404    403    404    404    404")
# POST-only ones answer GET with 405 before looking at the token.
TOKEN_POST = row("405    405    405    405    403    405    405    405")
# Public pages: everyone but a check-in-only account, which may use the scanner and nothing else.
PUBLIC = row("200    200    200    200    403    200    200    200")
# API operations of a programme's organisers (bearer token; none for anonymous and the registrant).
API_MANAGE = row("401    401    403    403    403    403    200    200")
# POST-only operations answer GET with 405 before asking who calls.
API_POST = row("405    405    405    405    403    405    405    405")
API_PUBLIC = row("200    200    200    200    403    200    200    200")

EXPECTED: dict[str, dict[str, str]] = {
    # --- public pages and accounts (for completeness: a new route anywhere needs a line) ----------
    "": PUBLIC,
    "healthz": row("200    200    200    200    200    200    200    200"),
    "p/<slug:slug>/": PUBLIC,
    "p/<slug:slug>/register/": PUBLIC,
    "p/<slug:slug>/register/link/": PUBLIC,
    "p/<slug:slug>/register/received/": PUBLIC,
    "news/": PUBLIC,
    "news/<slug:slug>/": PUBLIC,
    "news/<slug:slug>/release.<str:fmt>": PUBLIC,
    "verify/": PUBLIC,
    "verify/<str:serial>/": PUBLIC,
    "verify/offline/": PUBLIC,
    "verify/sw.js": PUBLIC,
    "verify/revoked.json": PUBLIC,
    ".well-known/plenary-certificate-keys.json": PUBLIC,
    "photos/<id:pk>/request-removal/": PUBLIC,
    # A published photo with consent is public.
    "media/photos/<path:path>": PUBLIC,
    "accounts/login/": PUBLIC | {"door": "200"},
    "accounts/logout/": row("405    405    405    405    405    405    405    405"),
    "accounts/password/": row("L      L      200    200    200    200    200    200"),
    "accounts/password/done/": row("L      L      200    200    200    200    200    200"),
    "accounts/password/reset/": row("200    200    200    200    200    200    200    200"),
    "accounts/password/reset/sent/": row("200    200    200    200    200    200    200    200"),
    "accounts/password/reset/<uidb64>/<token>/": row("200    200    200    200    200    200    200    200"),
    "accounts/password/reset/complete/": row("200    200    200    200    200    200    200    200"),
    # --- the console --------------------------------------------------------------------------------
    # The console's home sends coordinators and door staff to their own pages.
    # --- personal data (privacy app) ---------------------------------------------------------------------
    "me/<str:token>/data.json": TOKEN,
    "me/<str:token>/data/": TOKEN,
    "me/<str:token>/data/part/": TOKEN,
    "me/<str:token>/details/": TOKEN_POST,
    "me/<str:token>/consent/": TOKEN_POST,
    "me/<str:token>/erase/": TOKEN_POST,
    "manage/p/<slug:slug>/privacy/": CONSOLE,
    "manage/p/<slug:slug>/privacy/retention/": CONSOLE_POST,
    "manage/p/<slug:slug>/privacy/<id:pk>/": CONSOLE_POST,
    "manage/p/<slug:slug>/registrations/r/<str:reference>/data.<str:kind>": CONSOLE,
    # --- messaging -------------------------------------------------------------------------------------
    "p/<slug:slug>/calendar.ics": PUBLIC,
    "me/<str:token>/calendar.ics": TOKEN,
    # Organisers, and coordinators of an agency with nominations in the programme (A and B both have).
    "manage/p/<slug:slug>/messages/": CONSOLE | {"coordinator_a": "200", "coordinator_b": "200"},
    "manage/p/<slug:slug>/messages/new/": CONSOLE | {"coordinator_a": "200", "coordinator_b": "200"},
    "manage/p/<slug:slug>/messages/reminders/": CONSOLE,
    # A message is seen by the programme's organisers and its sender (the organiser wrote this one).
    "manage/p/<slug:slug>/messages/<id:message_id>/": CONSOLE,
    "manage/p/<slug:slug>/messages/<id:message_id>/failures.csv": CONSOLE,
    "manage/p/<slug:slug>/messages/<id:message_id>/cancel/": row(
        "405    405    405    405    403    405    405    405"
    ),
    # --- reports -------------------------------------------------------------------------------------
    "manage/p/<slug:slug>/dashboard/": CONSOLE,
    "manage/p/<slug:slug>/dashboard/figures.xlsx": CONSOLE,
    "agency/record/": AGENCY,
    "agency/record/cpd.csv": AGENCY,
    "agency/record/p/<slug:slug>/": AGENCY,
    "manage/": row("L      L      >/agency/ >/agency/ 403    200    200    200", door="403"),
    "manage/programmes/new/": ORGANISER,
    "manage/venues/new/": ORGANISER,
    # L's venue: only its body's organisers (and admins) edit it.
    "manage/venues/<id:pk>/": ORGANISER | {"outsider": "404"},
    "manage/p/<slug:slug>/": CONSOLE,
    "manage/p/<slug:slug>/edit/": CONSOLE,
    "manage/p/<slug:slug>/audit/": CONSOLE,
    "manage/p/<slug:slug>/<objectkind:kind>/new/": CONSOLE,
    "manage/p/<slug:slug>/<objectkind:kind>/<id:pk>/": CONSOLE,
    "manage/p/<slug:slug>/<objectkind:kind>/<id:pk>/delete/": CONSOLE_POST,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/": CONSOLE,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/": CONSOLE,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/move/": CONSOLE_POST,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/<id:pk>/delete/": CONSOLE_POST,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown.pdf": CONSOLE,
    "manage/p/<slug:slug>/sessions/<id:session_id>/rundown/email-speakers/": CONSOLE_POST,
    "manage/p/<slug:slug>/sessions/<id:session_id>/photos/": CONSOLE,
    "manage/p/<slug:slug>/sessions/<id:session_id>/photos/upload/": CONSOLE_POST,
    "manage/p/<slug:slug>/sessions/<id:session_id>/photos/<id:pk>/delete/": CONSOLE_POST,
    "manage/p/<slug:slug>/releases/": CONSOLE,
    "manage/p/<slug:slug>/releases/<id:pk>/": CONSOLE,
    "manage/p/<slug:slug>/releases/<id:pk>/preview/": CONSOLE,
    "manage/p/<slug:slug>/releases/<id:pk>/publish/": CONSOLE_POST,
    "manage/p/<slug:slug>/registrations/": CONSOLE,
    "manage/p/<slug:slug>/registrations/add/": CONSOLE,
    "manage/p/<slug:slug>/registrations/quotas/": CONSOLE,
    "manage/p/<slug:slug>/registrations/export.<str:kind>": CONSOLE,
    "manage/p/<slug:slug>/registrations/r/<str:reference>/": CONSOLE,
    "manage/p/<slug:slug>/registrations/r/<str:reference>/<str:action>/": CONSOLE_POST,
    "manage/p/<slug:slug>/reflections/": CONSOLE,
    "manage/p/<slug:slug>/reflections/<id:pk>/<str:action>/": CONSOLE_POST,
    "manage/p/<slug:slug>/surveys/": CONSOLE,
    "manage/p/<slug:slug>/surveys/<id:session_id>/": CONSOLE,
    "manage/p/<slug:slug>/surveys/<id:session_id>/questions/": CONSOLE,
    "manage/p/<slug:slug>/surveys/<id:session_id>/export.xlsx": CONSOLE,
    "manage/p/<slug:slug>/surveys/<id:session_id>/state/": CONSOLE_POST,
    "manage/p/<slug:slug>/surveys/<id:session_id>/invite/": CONSOLE_POST,
    "manage/p/<slug:slug>/attendance/": CONSOLE,
    "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/": CONSOLE,
    "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/imports/<id:import_id>/match/": CONSOLE_POST,
    "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/adjust/": CONSOLE_POST,
    "manage/p/<slug:slug>/attendance/sessions/<id:session_id>/meeting/": CONSOLE_POST,
    "manage/p/<slug:slug>/door/": CONSOLE,
    "manage/p/<slug:slug>/certificates/": CONSOLE,
    "manage/p/<slug:slug>/certificates/issue/": CONSOLE_POST,
    "manage/p/<slug:slug>/certificates/preview.pdf": CONSOLE,
    "manage/p/<slug:slug>/certificates/jobs/<id:job_id>/": CONSOLE,
    "manage/p/<slug:slug>/certificates/<str:serial>/revoke/": CONSOLE_POST,
    # Certificates a coordinator may see too: their agency's nominee's (A: the registrant's; B: none).
    "manage/p/<slug:slug>/certificates/all.zip": CONSOLE | {"coordinator_a": "200", "coordinator_b": "200"},
    "manage/p/<slug:slug>/certificates/cpd.<str:fmt>": CONSOLE
    | {"coordinator_a": "200", "coordinator_b": "200"},
    "manage/p/<slug:slug>/certificates/<str:serial>.pdf": CONSOLE | {"coordinator_a": "200"},
    # --- agencies -----------------------------------------------------------------------------------
    "agency/": AGENCY,
    "agency/p/<slug:slug>/": AGENCY,
    "agency/p/<slug:slug>/nominate/": AGENCY,
    "agency/p/<slug:slug>/upload/": AGENCY,
    "agency/p/<slug:slug>/template.<str:kind>": AGENCY,
    # An admin coordinates no agency: @coordinator_required refuses them (403) like door staff.
    # A confirmation page (issue 18): only the nominating agency's coordinator sees it.
    "agency/p/<slug:slug>/r/<str:reference>/cancel/": AGENCY | {"coordinator_b": "404"},
    "agency/p/<slug:slug>/r/<str:reference>/again/": AGENCY_POST,
    # --- the door -----------------------------------------------------------------------------------
    "checkin/": row("L      L      200    200    200    200    200    200"),
    "checkin/sw.js": row("200    200    200    200    200    200    200    200"),
    "checkin/<id:session_id>/": DOOR,
    "checkin/<id:session_id>/desk/": DOOR,
    # --- a registrant's private pages -------------------------------------------------------------
    "me/<str:token>/": TOKEN,
    "me/<str:token>/mode/": TOKEN_POST,
    "me/<str:token>/cancel/": TOKEN_POST,
    "me/<str:token>/again/": TOKEN_POST,
    "me/<str:token>/renew/": TOKEN_POST,
    "me/<str:token>/pass.pdf": TOKEN,
    "me/<str:token>/feedback/": TOKEN,
    "me/<str:token>/reflect/<id:session_id>/": TOKEN,
    "me/<str:token>/survey/<id:session_id>/": TOKEN,
    "me/<str:token>/certificates/": TOKEN,
    "me/<str:token>/certificates/<str:serial>.pdf": TOKEN,
    "j/<str:token>/<id:session_id>/": TOKEN,
    "j/<str:token>/<id:session_id>/watch/": TOKEN,
    "j/<str:token>/<id:session_id>/heartbeat/": TOKEN_POST,
    # --- the API ------------------------------------------------------------------------------------
    "api/v1/": row("404    404    404    404    403    404    404    404"),
    "api/v1/openapi.json": API_PUBLIC,
    "api/v1/docs": API_PUBLIC,
    "api/v1/programmes": API_PUBLIC,
    "api/v1/programmes/<slug>": API_PUBLIC,
    "api/v1/programmes/<slug>/sessions": API_POST,
    "api/v1/programmes/<slug>/press-releases": API_POST,
    "api/v1/news/<slug>": API_PUBLIC,
    # Coordinators see their own nominations (B: an empty page).
    "api/v1/programmes/<slug>/registrations": API_MANAGE | {"coordinator_a": "200", "coordinator_b": "200"},
    # Someone else's registration reveals nothing: 404, not 403.
    "api/v1/registrations/<reference>": API_MANAGE
    | {"coordinator_a": "200", "coordinator_b": "404", "outsider": "404"},
    "api/v1/sessions/<session_id>/attendance-imports": API_POST,
    "api/v1/sessions/<session_id>/attendance": API_MANAGE,
    "api/v1/checkins": API_POST | {"door": "405"},
    "api/v1/checkins/batch": API_POST | {"door": "405"},
    "api/v1/sessions/<session_id>/roster": API_MANAGE | {"door": "200"},
    "api/v1/sessions/<session_id>/lookup": API_MANAGE | {"door": "200"},
    "api/v1/programmes/<slug>/certificates/issue": API_POST,
    # An issue job of L (started by someone else): L's organisers follow it; to others it does not exist.
    "api/v1/jobs/<job_id>": API_MANAGE | {"coordinator_a": "404", "coordinator_b": "404", "outsider": "404"},
    "api/v1/programmes/<slug>/certificates": API_MANAGE | {"coordinator_a": "200", "coordinator_b": "200"},
    "api/v1/programmes/<slug>/certificates/<serial>/pdf": API_MANAGE
    | {"coordinator_a": "200", "coordinator_b": "404", "outsider": "404"},
    "api/v1/certificates/<serial>": API_PUBLIC,
    "api/v1/registrations/<reference>/anonymise": API_POST,
    "api/v1/programmes/<slug>/messages": API_POST,
    "api/v1/messages/<message_id>": API_MANAGE
    | {"coordinator_a": "404", "coordinator_b": "404", "outsider": "404"},
    "api/v1/programmes/<slug>/reminders": API_MANAGE,
    "api/v1/programmes/<slug>/stats": API_MANAGE,
    # --- staff of one's own body (issue 17) -------------------------------------------------------------
    "manage/staff/": ORGANISER,
    "manage/staff/invite/": ORGANISER,
    # The door staff's membership of L's body, and an invitation into it: L's organisers (and admins) only.
    "manage/staff/m/<id:pk>/": ORGANISER | {"outsider": "404"},
    "manage/staff/m/<id:pk>/remove/": row("L      L      403    403    403    404    405    405"),
    "manage/staff/invitations/<id:pk>/cancel/": row("L      L      403    403    403    404    405    405"),
    "manage/staff/invitations/<id:pk>/resend/": row("L      L      403    403    403    404    405    405"),
    # An invitation's link, for anyone holding it (an unknown token here: a clear "not valid" page).
    "accounts/invitation/<str:token>/": row("404    404    404    404    404    404    404    404"),
}

# Django's own admin is Django's: it is tested by Django.
NOT_OURS = re.compile(r"^admin/")


def routes() -> list[str]:
    """Every URL pattern of the site, as one string per route (the API's methods share one)."""

    def walk(patterns, prefix: str = ""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    found = dict.fromkeys(route for route in walk(get_resolver().url_patterns) if not NOT_OURS.match(route))
    return list(found)


def test_every_route_has_an_expectation_and_every_expectation_a_route():
    found = routes()
    assert [route for route in found if route not in EXPECTED] == []
    assert [route for route in EXPECTED if route not in found] == []


# --- the world ------------------------------------------------------------------------------------


def build_world(tmp_path) -> dict:
    call_command("demo", registrants=40, seed=3, stdout=open("/dev/null", "w"))  # noqa: SIM115
    User = get_user_model()
    programme = Programme.objects.get(slug=demo.PROGRAMME_SLUG)  # the demo's reference programme: L
    sharing = programme.sessions.get(kind=Session.Kind.SHARING)
    lecture = programme.sessions.filter(kind=Session.Kind.LECTURE).order_by("starts_at").first()
    agency_a = Membership.objects.get(user__username="coordinator").organisation
    agency_b = (
        Organisation.objects.filter(is_member_agency=True).exclude(pk=agency_a.pk).order_by("pk").first()
    )
    coordinator_b = User.objects.create_user("coordinator-b", password="x-pass-12345")
    Membership.objects.create(user=coordinator_b, organisation=agency_b, role=Membership.Role.COORDINATOR)

    # Programme O of the outsider's body, with its own venue and a session in the room.
    body_o = Membership.objects.get(user__username="outsider").organisation
    other = Programme.objects.create(
        slug="other-programme",
        title_en="Other programme",
        title_zh="其他課程",
        starts_on=datetime(2030, 1, 10).date(),
        ends_on=datetime(2030, 1, 10).date(),
        status=Programme.Status.PUBLISHED,
        registration_open=True,
    )
    CoOrganiser.objects.create(programme=other, organisation=body_o, role=CoOrganiser.Role.LEAD)
    Session.objects.create(
        programme=other,
        title_en="Other session",
        title_zh="其他節數",
        kind=Session.Kind.SHARING,
        mode=Session.Mode.IN_PERSON,
        venue=Venue.objects.create(name_en="Room O", name_zh="O 室", capacity=10, owner=body_o),
        starts_at=datetime(2030, 1, 10, 10, tzinfo=HK),
        ends_at=datetime(2030, 1, 10, 12, tzinfo=HK),
    )

    # The registrant: A's nominee on L, with a valid certificate (a certified demo registrant, nominated by A).
    registrant = (
        Registration.objects.filter(programme=programme, certificates__state=Certificate.State.VALID)
        .order_by("pk")
        .first()
    )
    Registration.objects.filter(pk=registrant.pk).update(
        organisation=agency_a,
        source=Registration.Source.NOMINATED,
        nominated_by=User.objects.get(username="coordinator"),
    )
    registrant.refresh_from_db()
    # B's nomination on L.
    Registration.objects.filter(programme=programme, organisation=agency_b).update(
        source=Registration.Source.NOMINATED
    )
    assert Registration.objects.filter(organisation=agency_b, source=Registration.Source.NOMINATED).exists()

    photo = Photo.objects.filter(session=sharing, published=True, people_consent=True).order_by("pk").first()
    batch = AttendanceImport.objects.create(
        session=sharing, file="attendance-imports/report.csv", file_name="report.csv", sha256="0" * 64,
        format="zoom", time_zone="Asia/Hong_Kong",
    )  # fmt: skip
    job = IssueJob.objects.create(programme=programme, state=IssueJob.State.DONE)
    door_membership = Membership.objects.get(
        user__username="door",
        role=Membership.Role.CHECKIN,
        organisation=Membership.objects.get(user__username="organiser").organisation,
    )
    invitation = Invitation.objects.create(
        email="invited@example.org",
        organisation=door_membership.organisation,
        role=Membership.Role.CHECKIN,
        invited_by_body=door_membership.organisation,
        invited_by=User.objects.get(username="organiser"),
    )
    return {
        "door_membership": door_membership,
        "invitation": invitation,
        "programme": programme,
        "other": other,
        "sharing": sharing,
        "lecture": lecture,
        "registrant": registrant,
        "certificate": registrant.certificates.get(state=Certificate.State.VALID),
        "photo": photo,
        "release": programme.press_releases.get(),
        "item": sharing.agenda_items.order_by("pk").first(),
        "reflection": Reflection.objects.filter(session__programme=programme).order_by("pk").first(),
        "venue": sharing.venue,
        "import": batch,
        "job": job,
        "message": Message.objects.create(
            programme=programme,
            subject_en="Welcome",
            body_en="Dear {name}",
            send_at=datetime(2022, 11, 1, tzinfo=HK),
            created_by=User.objects.get(username="organiser"),
        ),
        "privacy_request": PrivacyRequest.objects.create(
            programme=programme,
            registration=registrant,
            kind=PrivacyRequest.Kind.ACCESS,
            channel=PrivacyRequest.Channel.LETTER,
            received_on=datetime(2022, 12, 5).date(),
        ),
        "users": {
            "coordinator_a": User.objects.get(username="coordinator"),
            "coordinator_b": coordinator_b,
            "door": User.objects.get(username="door"),
            "outsider": User.objects.get(username="outsider"),
            "organiser": User.objects.get(username="organiser"),
            "admin": User.objects.get(username="admin"),
        },
    }


PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def url_for(route: str, world: dict, role: str) -> str:
    """The route with its parameters filled from the world."""
    pk = {
        "photos/": world["photo"],
        "releases/": world["release"],
        "rundown/": world["item"],
        "venues/": world["venue"],
        "privacy/": world["privacy_request"],
        "reflections/": world["reflection"],
        "<objectkind:kind>/": world["sharing"],
        "staff/m/": world["door_membership"],
        "staff/invitations/": world["invitation"],
    }
    registrant = world["registrant"]

    def value(match: re.Match) -> str:
        name = match["name"]
        before = route[: match.start()]
        if name == "pk":
            for marker, instance in pk.items():
                if before.endswith(marker) or before.endswith(marker.rstrip("/") + "/"):
                    return str(instance.pk)
            raise AssertionError(f"no pk for {route}")
        if name == "token" and before.startswith("accounts/"):
            return "set-password"
        if name == "session_id":
            # The sharing session: a hybrid room with a door and a survey. The stream and the reflection
            # are the (online) lecture's.
            session = (
                world["lecture"] if before.startswith("j/") or "/reflect/" in before else world["sharing"]
            )
            return str(session.pk)
        values = {
            "slug": world["release"].slug
            if before.startswith(("news/", "api/v1/news/"))
            else world["programme"].slug,
            "token": registrant.token if role == "registrant" else "an-unknown-token",
            "reference": registrant.reference,
            "serial": world["certificate"].serial,
            "action": "cancel" if "registrations/" in before else "select",
            "kind": "sessions" if match["converter"] == "objectkind" else "csv",
            "fmt": "pdf" if before.startswith("news/") else "csv",
            "uidb64": "MQ",
            "import_id": str(world["import"].pk),
            "job_id": str(world["job"].pk),
            "message_id": str(world["message"].pk),
            "path": world["photo"].image.name.removeprefix("photos/"),
        }
        return values[name]

    return "/" + PARAMETER.sub(value, route)


def describe(response) -> str:
    if response.status_code == 302:
        location = response["Location"]
        if location.startswith("/accounts/login/"):
            return "L"
        return ">" + location
    return str(response.status_code)


def test_every_route_answers_each_visitor_exactly_as_the_access_rules_say(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(tmp_path)
    clients = {"anonymous": Client(), "registrant": Client()}
    tokens = {}
    for role, account in world["users"].items():
        clients[role] = Client()
        clients[role].force_login(account)
        tokens[role] = create_token(account)

    got: dict[str, dict[str, str]] = {}
    EXPECTED_O: dict[str, dict[str, str]] = {}  # noqa: N806 - a table, like EXPECTED
    for route in routes():
        for role in ROLES:
            url = url_for(route, world, role)
            headers = (
                {"Authorization": f"Bearer {tokens[role]}"}
                if route.startswith("api/") and role in tokens
                else {}
            )
            client = Client() if route.startswith("api/") else clients[role]
            got.setdefault(route, {})[role] = describe(client.get(url, headers=headers))

    # The mirror: on programme O, the outsider is the organiser and L's organiser the outsider. Every
    # console route of one programme (no other parameter naming an object of L) is asked again for O.
    mirrored = {"organiser": "outsider", "outsider": "organiser"}
    for route in routes():
        names = {match["name"] for match in PARAMETER.finditer(route)}
        if not route.startswith("manage/p/") or not names <= {"slug", "kind", "fmt"}:
            continue
        url = url_for(route, world, "organiser").replace(world["programme"].slug, world["other"].slug)
        for role, twin in mirrored.items():
            got.setdefault(f"{route} (O)", {})[role] = describe(clients[role].get(url))
            EXPECTED_O.setdefault(f"{route} (O)", {})[role] = EXPECTED[route][twin]
    assert len(EXPECTED_O) >= 15

    expected = {**EXPECTED, **EXPECTED_O}
    differences = [
        f"{route} as {role}: expected {expected[route][role]}, got {got[route][role]}"
        for route in got
        for role in got[route]
        if got[route][role] != expected[route][role]
    ]
    asked = sum(len(roles) for roles in got.values())
    assert differences == [], f"{len(differences)} of {asked}:\n" + "\n".join(differences)
    assert asked == len(EXPECTED) * len(ROLES) + 2 * len(EXPECTED_O)


def test_post_only_pages_turn_away_by_post_whom_they_turn_away_by_get(db, settings, tmp_path):
    """A POST-only page of the site (not the API: its bodies are validated before the operation asks
    who calls) refuses a POST from every visitor its GET row refuses, with the same status, and
    changes nothing. Private-link actions with an unknown token are not found."""
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(tmp_path)
    clients = {"anonymous": Client(), "registrant": Client()}
    for role, account in world["users"].items():
        clients[role] = Client()
        clients[role].force_login(account)
    refusals = {"L", "403", "404"}
    before = {
        model: model.objects.count() for model in (Registration, Photo, Certificate, Reflection, Session)
    }
    differences, asked = [], 0
    for route in routes():
        if route.startswith("api/") or "405" not in EXPECTED[route].values():
            continue
        for role in ROLES:
            expected = EXPECTED[route][role]
            if route.startswith(("me/", "j/")) and role != "registrant":
                expected = "403" if role == "door" else "404"  # an unknown token
            if expected not in refusals:
                continue
            asked += 1
            got = describe(clients[role].post(url_for(route, world, role), {}))
            if got != expected:
                differences.append(f"POST {route} as {role}: expected {expected}, got {got}")
    assert differences == []
    assert asked >= 120  # 123 when written: 21 POST-only pages × the visitors they refuse
    assert {model: model.objects.count() for model in before} == before
