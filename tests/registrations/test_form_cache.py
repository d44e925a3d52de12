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
