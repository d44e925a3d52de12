"""Real HTTP from many threads against a live server: the room is never oversold (invariant 2)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from plenary.api.auth import create_token
from plenary.registrations.models import Registration, SeatAllocation, SeatCounter
from tests.registrations.conftest import hybrid, make_programme

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

WORKERS = 32


def call(method: str, url: str, token: str, body: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(  # noqa: S310 - the live server's http URL
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def test_300_simultaneous_registrations_for_100_seats_then_10_cancellations_promote_in_order(
    busy_live_server, people
):
    programme = make_programme(room=100, slug="race")
    # The room only: with the unlimited online lecture too, the 200 waiting for the room would be
    # confirmed as registrations (statuses are per session, issue 18).
    programme.sessions.filter(mode="online").delete()
    room = hybrid(programme)
    token = create_token(people["organiser"])
    url = f"{busy_live_server}/api/v1/programmes/{programme.slug}/registrations"

    def register(n: int) -> tuple[int, dict]:
        return call(
            "POST",
            url,
            token,
            {
                "name_en": f"Racer {n}",
                "email": f"racer{n}@example.org",
                "organisation": "Agency Alpha",
                "mode": "in_person",
                "consent_pics": True,
            },
        )

    with ThreadPoolExecutor(WORKERS) as pool:
        results = list(pool.map(register, range(300)))

    assert [status for status, _body in results].count(201) == 300
    answered = [body["status"] for _status, body in results]
    assert answered.count("confirmed") == 100 and answered.count("waitlisted") == 200
    assert Registration.objects.filter(programme=programme).count() == 300
    assert len(set(Registration.objects.values_list("email", flat=True))) == 300
    in_room = SeatAllocation.objects.filter(session=room, mode="in_person")
    assert in_room.filter(status="confirmed").count() == 100
    assert in_room.filter(status="waitlisted").count() == 200
    assert Registration.objects.filter(status="confirmed").count() == 100
    counter = SeatCounter.objects.get(session=room, mode="in_person")
    assert (counter.taken, counter.waiting) == (100, 200)

    # The same people again, all at once: every one is told they are registered already.
    with ThreadPoolExecutor(WORKERS) as pool:
        again = list(pool.map(register, range(40)))
    assert {status for status, _body in again} == {409}
    assert Registration.objects.filter(programme=programme).count() == 300

    waiting_order = list(
        in_room.filter(status="waitlisted")
        .order_by("requested_at", "id")
        .values_list("registration_id", flat=True)
    )
    leaving = list(
        Registration.objects.filter(programme=programme, status="confirmed")
        .order_by("?")
        .values_list("reference", flat=True)[:10]
    )
    with ThreadPoolExecutor(10) as pool:
        cancelled = list(
            pool.map(
                lambda ref: call("DELETE", f"{busy_live_server}/api/v1/registrations/{ref}", token), leaving
            )
        )
    assert [status for status, _body in cancelled] == [200] * 10
    assert {body["status"] for _status, body in cancelled} == {"cancelled"}

    promoted = set(in_room.filter(status="confirmed").values_list("registration_id", flat=True))
    assert in_room.filter(status="confirmed").count() == 100
    assert set(waiting_order[:10]) <= promoted
    still_waiting = list(
        in_room.filter(status="waitlisted")
        .order_by("requested_at", "id")
        .values_list("registration_id", flat=True)
    )
    assert still_waiting == waiting_order[10:]
    assert set(Registration.objects.filter(pk__in=waiting_order[:10]).values_list("status", flat=True)) == {
        "confirmed"
    }
    counter.refresh_from_db()
    assert (counter.taken, counter.waiting) == (100, 190)
