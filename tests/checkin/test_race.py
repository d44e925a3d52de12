"""Two door scanners scan the same pass at the same instant: one is checked in, the other told so."""

from __future__ import annotations

import json
import threading
import urllib.request
import uuid

import pytest
from django.contrib.auth import get_user_model

from plenary.api.auth import create_token
from plenary.checkin.models import CheckIn, Scan, StaffAssignment

pytestmark = pytest.mark.django_db(transaction=True)


def post(url: str, token: str, payload: dict) -> dict:
    request = urllib.request.Request(  # noqa: S310 - the test's own live server
        url,
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        return json.loads(response.read())


def test_the_same_pass_scanned_by_two_clients_at_once_gives_one_check_in_and_one_already(
    live_server, sharing, person
):
    staff = get_user_model().objects.create_user("second-door")
    door = get_user_model().objects.get(username="door")
    for user in (door, staff):
        StaffAssignment.objects.create(user=user, session=sharing)
    tokens = [create_token(door), create_token(staff)]
    passes = [person() for _ in range(4)]
    url = f"{live_server.url}/api/v1/checkins"

    for registration in passes:
        barrier = threading.Barrier(2)
        answers: list[dict] = []
        errors: list[BaseException] = []

        def scanner(
            token: str,
            device: str,
            registration=registration,
            barrier=barrier,
            answers=answers,
            errors=errors,
        ) -> None:
            payload = {
                "code": registration.pass_code,
                "session_id": sharing.pk,
                "client_event_id": str(uuid.uuid4()),
                "scanned_at": "2022-12-03T14:02:00+08:00",
                "device": device,
            }
            try:
                barrier.wait(timeout=10)
                answers.append(post(url, token, payload))
            except BaseException as error:  # reported below, in the test's own thread
                errors.append(error)

        threads = [
            threading.Thread(target=scanner, args=(token, f"phone-{i}")) for i, token in enumerate(tokens)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=90)

        assert errors == []
        assert sorted(answer["result"] for answer in answers) == ["already_checked_in", "checked_in"]
        assert {answer["first_checked_in_at"] for answer in answers} == {"2022-12-03T14:02:00+08:00"}
        assert CheckIn.objects.filter(registration=registration).count() == 1
        assert registration.attendance_events.count() == 1
    assert Scan.objects.count() == 8


def test_an_offline_sync_racing_a_door_scan_of_the_same_pass_counts_it_once(live_server, sharing, person):
    door = get_user_model().objects.get(username="door")
    StaffAssignment.objects.create(user=door, session=sharing)
    token = create_token(door)
    passes = [person() for _ in range(30)]
    racer = passes[-1]
    barrier = threading.Barrier(2)
    replies: dict[str, dict] = {}
    errors: list[BaseException] = []
    batch = {
        "session_id": sharing.pk,
        "device": "offline-phone",
        "scans": [
            {
                "code": registration.pass_code,
                "client_event_id": str(uuid.uuid4()),
                "scanned_at": "2022-12-03T14:01:00+08:00",
            }
            for registration in passes
        ],
    }
    single = {
        "code": racer.pass_code,
        "session_id": sharing.pk,
        "client_event_id": str(uuid.uuid4()),
        "scanned_at": "2022-12-03T14:05:00+08:00",
        "device": "door-phone",
    }

    def send(name: str, path: str, payload: dict) -> None:
        try:
            barrier.wait(timeout=10)
            replies[name] = post(f"{live_server.url}{path}", token, payload)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=send, args=("batch", "/api/v1/checkins/batch", batch)),
        threading.Thread(target=send, args=("single", "/api/v1/checkins", single)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)

    assert errors == []
    racer_results = [replies["batch"]["results"][-1]["result"], replies["single"]["result"]]
    assert racer_results.count("checked_in") == 1
    assert CheckIn.objects.filter(session=sharing).count() == 30
    check_in = CheckIn.objects.get(registration=racer)
    assert check_in.first_scanned_at.isoformat() == "2022-12-03T06:01:00+00:00"  # the earliest scan counts
