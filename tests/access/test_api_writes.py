"""Every API write operation × every kind of caller, each with a valid body (issue 13).

The route table (``test_routes.py``) asks the API's write operations only with GET, which they answer
405 before asking who calls. Here each operation gets a body it would accept, from each of the eight
visitors of the route table, and the exact status is asserted. A refused call must change nothing: the
rows of every table the operations write are counted before and after it. Each call runs in a savepoint
that is rolled back, so one visitor's success does not change what the next one meets.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client

from plenary.api.auth import create_token
from plenary.attendance.models import AttendanceImport
from plenary.certificates.models import IssueJob
from plenary.checkin.models import CheckIn
from plenary.core.models import AuditEntry
from plenary.messaging.models import Message, ReminderRule
from plenary.programmes.models import Programme, Session
from plenary.publicity.models import PressRelease
from plenary.registrations.models import Registration, SeatAllocation

from .test_routes import HK, ROLES, build_world, row

#                 anon   regist coordA coordB door   outsid organi admin
MANAGE_WRITE = row("401    401    403    403    403    403    201    201")

# operation → expected status per visitor. Refusals follow the GET rows of the route table: other bodies'
# organisers and coordinators are refused 403 on a programme they can see is public, the door staff
# account may use the door operations only.
EXPECTED: dict[str, dict[str, str]] = {
    # An admin belongs to no body, and a programme needs a lead body.
    "create programme": row("401    401    403    403    403    201    201    403"),
    "change programme": MANAGE_WRITE | {"organiser": "200", "admin": "200"},
    "add session": MANAGE_WRITE,
    "compose press release": MANAGE_WRITE,
    # Organisers register anyone; coordinators nominate their own staff (A and B both coordinate).
    "register": row("401    401    201    201    403    403    201    201"),
    # The participant's own token, the nominating coordinator (A) or an organiser may cancel; to others
    # the registration does not exist.
    "cancel registration": row("401    200    200    404    403    404    200    200"),
    "import meeting report": MANAGE_WRITE,
    "scan": row("401    401    403    403    200    403    200    200"),
    "scan batch": row("401    401    403    403    200    403    200    200"),
    "issue certificates": MANAGE_WRITE | {"organiser": "202", "admin": "202"},
    # Coordinator A sees their nominee's registration but may not erase it; to B and the outsider it
    # does not exist.
    "anonymise": MANAGE_WRITE
    | {"organiser": "200", "admin": "200", "coordinator_b": "404", "outsider": "404"},
    # Coordinators message their own agency's nominees (A has one on L, B two).
    "send message": MANAGE_WRITE | {"coordinator_a": "201", "coordinator_b": "201"},
    "set reminders": MANAGE_WRITE | {"organiser": "200", "admin": "200"},
}

# Operations that change rows in place rather than add them (checked by their own tests).
CHANGES_IN_PLACE = {"change programme", "set reminders", "cancel registration"}

REPORT = (
    "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
    "Chan Tai Man,nobody-{n}@example.org,11/26/2022 02:31:00 PM,11/26/2022 04:01:00 PM,90,Yes\n"
)

WRITTEN = (
    Programme,
    Session,
    PressRelease,
    Registration,
    AttendanceImport,
    CheckIn,
    IssueJob,
    Message,
    ReminderRule,
    AuditEntry,
)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in WRITTEN}


def call(client: Client, operation: str, world: dict, role: str, headers: dict, n: int):
    """One operation with a body it accepts."""
    programme, sharing = world["programme"], world["sharing"]
    registrant = world["registrant"]
    slug = programme.slug
    api = "/api/v1/"
    code = world["in_the_room"].pass_code
    if operation == "create programme":
        body = {"slug": f"new-{n}", "title": "New", "starts_on": "2031-01-01", "ends_on": "2031-01-02"}
        return client.post(api + "programmes", body, content_type="application/json", headers=headers)
    if operation == "change programme":
        return client.patch(
            api + f"programmes/{slug}", {"registration_open": True}, content_type="application/json",
            headers=headers,
        )  # fmt: skip
    if operation == "add session":
        day = sharing.starts_at.astimezone(HK).date()
        body = {
            "kind": "lecture",
            "title": "An extra lecture",
            "starts_at": datetime(day.year, day.month, day.day, 9, tzinfo=HK).isoformat(),
            "ends_at": datetime(day.year, day.month, day.day, 10, tzinfo=HK).isoformat(),
            "mode": "online",
        }
        return client.post(
            api + f"programmes/{slug}/sessions", body, content_type="application/json", headers=headers
        )
    if operation == "compose press release":
        return client.post(api + f"programmes/{slug}/press-releases", headers=headers)
    if operation == "register":
        body = {
            "name_en": "Lee Siu Ming",
            "email": f"new-{n}@example.org",
            "post": "Social worker",
            "consent_pics": True,
        }
        return client.post(
            api + f"programmes/{slug}/registrations", body, content_type="application/json", headers=headers
        )
    if operation == "cancel registration":
        if role == "registrant":
            headers = {"X-Participant-Token": registrant.token}
        return client.delete(api + f"registrations/{registrant.reference}", headers=headers)
    if operation == "import meeting report":
        report = SimpleUploadedFile("report.csv", REPORT.format(n=n).encode(), content_type="text/csv")
        return client.post(
            api + f"sessions/{sharing.pk}/attendance-imports", {"file": report, "format": "zoom"},
            headers=headers,
        )  # fmt: skip
    if operation == "scan":
        body = {"code": code, "session_id": sharing.pk, "client_event_id": str(uuid.uuid4())}
        return client.post(api + "checkins", body, content_type="application/json", headers=headers)
    if operation == "scan batch":
        body = {
            "session_id": sharing.pk,
            "scans": [{"code": code, "client_event_id": str(uuid.uuid4()), "local_result": "checked_in"}],
        }
        return client.post(api + "checkins/batch", body, content_type="application/json", headers=headers)
    if operation == "issue certificates":
        return client.post(api + f"programmes/{slug}/certificates/issue", headers=headers)
    if operation == "anonymise":
        return client.post(
            api + f"registrations/{registrant.reference}/anonymise", {"reason": "Asked in writing"},
            content_type="application/json", headers=headers,
        )  # fmt: skip
    if operation == "send message":
        body = {"subject": "Hello", "body": "Dear {name}", "segment": {}}
        return client.post(
            api + f"programmes/{slug}/messages", body, content_type="application/json", headers=headers
        )
    if operation == "set reminders":
        return client.put(
            api + f"programmes/{slug}/reminders", [{"offset_minutes": 1440}], content_type="application/json",
            headers=headers,
        )  # fmt: skip
    raise AssertionError(operation)


def test_every_api_write_answers_each_caller_exactly_and_refusals_change_nothing(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world(tmp_path)
    # The reference programme is past; open it (and its sessions) for registrations, as a new one would be.
    Programme.objects.filter(pk=world["programme"].pk).update(registration_open=True, ends_on="2099-12-31")
    world["programme"].refresh_from_db()
    tokens = {role: create_token(account) for role, account in world["users"].items()}
    # Someone with a confirmed seat in the sharing session's room, whose pass the door scans.
    world["in_the_room"] = (
        Registration.objects.filter(
            seats__session=world["sharing"],
            seats__mode=Registration.Mode.IN_PERSON,
            seats__status=SeatAllocation.Status.CONFIRMED,
            check_ins__isnull=True,
        )
        .order_by("pk")
        .first()
    )
    assert world["in_the_room"] is not None

    differences, n = [], 0
    for operation, expected_row in EXPECTED.items():
        for role in ROLES:
            n += 1
            headers = {"Authorization": f"Bearer {tokens[role]}"} if role in tokens else {}
            with transaction.atomic():
                before = counts()
                response = call(Client(), operation, world, role, headers, n)
                got = str(response.status_code)
                if got != expected_row[role]:
                    differences.append(
                        f"{operation} as {role}: expected {expected_row[role]}, got {got}: "
                        f"{response.content[:200]!r}"
                    )
                if got in {"401", "403", "404"} and counts() != before:
                    differences.append(f"{operation} as {role}: refused with {got} but wrote {counts()}")
                if got in {"200", "201", "202"} and counts() == before and operation not in CHANGES_IN_PLACE:
                    differences.append(f"{operation} as {role} answered {got} and wrote nothing")
                transaction.set_rollback(True)
    assert differences == [], "\n".join(differences)
    assert n == len(EXPECTED) * len(ROLES)
