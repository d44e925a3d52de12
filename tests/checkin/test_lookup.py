"""The scanner's server look-up: references, pass codes and names of the programme, for door staff of
the session only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_lookup_finds_by_reference_code_or_name_and_offers_several(door, sharing, person, api_as):
    chan = person("Chan Tai Man", "陳大文")
    person("Chan Tai Ming", "陳大明")
    client = api_as(door)
    url = f"/api/v1/sessions/{sharing.pk}/lookup"
    assert [m["code"] for m in client.get(url, {"q": chan.reference.lower()}).json()["matches"]] == [
        chan.pass_code
    ]
    assert [m["reference"] for m in client.get(url, {"q": chan.pass_code}).json()["matches"]] == [
        chan.reference
    ]
    several = client.get(url, {"q": "陳大"}).json()["matches"]
    assert {m["name_en"] for m in several} == {"Chan Tai Man", "Chan Tai Ming"}
    assert client.get(url, {"q": "x"}).json()["matches"] == []
    assert client.get(url, {"q": "Nobody"}).json()["matches"] == []


def test_lookup_is_for_the_session_door_only(sharing, person, api_as, reference_programme):
    person("Chan Tai Man")
    other = get_user_model().objects.create_user("someone-else", password="x-pass-12345")
    assert api_as(other).get(f"/api/v1/sessions/{sharing.pk}/lookup", {"q": "Chan"}).status_code == 403
    assert api_as(None).get(f"/api/v1/sessions/{sharing.pk}/lookup", {"q": "Chan"}).status_code == 401
