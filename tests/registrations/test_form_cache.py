"""The blank registration form is rendered once per content version and language, with CSRF intact."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme
from plenary.registrations.models import Registration

pytestmark = pytest.mark.django_db


def form_of(client, programme, language=""):
    prefix = f"/{language}" if language else ""
    response = client.get(f"{prefix}/p/{programme.slug}/register/")
    assert response.status_code == 200
    return response


def token_in(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


def test_the_blank_form_costs_one_lookup_once_cached(small_programme, django_assert_max_num_queries):
    form_of(Client(), small_programme)
    # The head row's lookup (a prepared statement on PostgreSQL, unseen by Django's capture).
    with django_assert_max_num_queries(1):
        form_of(Client(), small_programme)


def test_every_visitor_gets_their_own_working_csrf_token(small_programme):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    token_one, token_two = (
        token_in(form_of(first, small_programme)),
        token_in(form_of(second, small_programme)),
    )
    assert token_one != token_two and "slot" not in token_one
    hybrid = small_programme.sessions.get(mode="hybrid")
    data = {
        "name_en": "Chan Tai Man",
        "email": "chan@example.org",
        "organisation_other": "A small agency",
        "consent_pics": "on",
        f"mode_{hybrid.pk}": "in_person",
    }
    refused = second.post(f"/p/{small_programme.slug}/register/", {**data, "csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    answered = first.post(f"/p/{small_programme.slug}/register/", {**data, "csrfmiddlewaretoken": token_one})
    assert answered.status_code == 302
    assert Registration.objects.filter(email="chan@example.org").exists()


def test_new_agencies_and_session_changes_show_at_once(client, small_programme):
    text = form_of(client, small_programme).content.decode()
    assert "Agency Gamma" not in text
    Organisation.objects.create(name_en="Agency Gamma", name_zh="丙機構", is_member_agency=True)
    assert "Agency Gamma" in form_of(client, small_programme).content.decode()
    assert "丙機構" in form_of(client, small_programme, "zh-hant").content.decode()
    lecture = small_programme.sessions.get(mode="online")
    lecture.mode = "hybrid"
    lecture.title_en = "Opening lecture, now also in the room"
    lecture.save()
    assert "Opening lecture, now also in the room" in form_of(client, small_programme).content.decode()


def test_a_closed_programme_says_so_instead_of_the_cached_form(client, small_programme):
    form_of(client, small_programme)
    Programme.objects.filter(pk=small_programme.pk).update(registration_open=False)
    response = form_of(client, small_programme)
    assert 'name="csrfmiddlewaretoken"' not in response.content.decode()


def test_registrations_from_one_client_are_limited(small_programme, settings, monkeypatch):
    """The per-client limit (core/ratelimit.py) still holds on the form: beyond it, a clear 429 in the
    person's language; another client behind the same trusted proxy is not held up."""
    from django.core.cache import caches

    from plenary.core.ratelimit import Limit
    from plenary.registrations import views

    caches["limits"].clear()
    settings.PLENARY_TRUSTED_PROXIES = ["127.0.0.1"]
    monkeypatch.setattr(views, "REGISTRATIONS_PER_CLIENT", Limit("register-client-test", 2))
    hybrid = small_programme.sessions.get(mode="hybrid")

    def send(n: int, client_address: str, prefix: str = ""):
        data = {
            "name_en": f"Person {n}",
            "email": f"limit{n}@example.org",
            "organisation_other": "An agency",
            "consent_pics": "on",
            f"mode_{hybrid.pk}": "online",
        }
        return Client(REMOTE_ADDR="127.0.0.1").post(
            f"{prefix}/p/{small_programme.slug}/register/", data, headers={"X-Forwarded-For": client_address}
        )

    assert [send(n, "203.0.113.9").status_code for n in (1, 2)] == [302, 302]
    refused = send(3, "203.0.113.9")
    assert refused.status_code == 429
    assert "Too many registrations from your network" in refused.content.decode()
    chinese = send(4, "203.0.113.9", "/zh-hant")
    assert chinese.status_code == 429 and "Too many registrations" not in chinese.content.decode()
    assert not Registration.objects.filter(email__in=["limit3@example.org", "limit4@example.org"]).exists()
    assert send(5, "198.51.100.4").status_code == 302
    caches["limits"].clear()
