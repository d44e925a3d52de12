"""The private page ``/me/<token>/`` is kept per registration and language (``registrations/private_page.py``,
``PrivatePageCopy``): every kind of change that shows on it shows on the next request, in both languages;
what depends on other people (room left, place in the queue) is fresh; each visitor gets a working CSRF
token; the copy is never another person's; erasure leaves no copy behind."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from plenary.certificates import services as certificates
from plenary.certificates.models import Certificate
from plenary.messaging import services as messaging
from plenary.privacy import services as privacy
from plenary.programmes.models import Programme
from plenary.registrations import services
from plenary.registrations.models import PrivatePageCopy, Registration
from tests.registrations.conftest import applicant, hybrid

pytestmark = pytest.mark.django_db


def zh(text: str) -> str:
    with translation.override("zh-hant"):
        return gettext(text)


def page(registration: Registration, language: str = "", client: Client | None = None) -> str:
    registration.refresh_from_db()
    prefix = f"/{language}" if language else ""
    response = (client or Client()).get(f"{prefix}/me/{registration.token}/")
    assert response.status_code == 200
    return response.content.decode()


def both(registration: Registration) -> tuple[str, str]:
    return page(registration), page(registration, "zh-hant")


def cached(registration: Registration) -> list[str]:
    """The languages in which the registration's page is kept."""
    return sorted(
        PrivatePageCopy.objects.filter(registration=registration).values_list("language", flat=True)
    )


@pytest.fixture
def person(small_programme):
    return services.register(small_programme, applicant(1, "online"))


def test_a_cached_visit_costs_one_lookup_and_the_rooms_counters(person, django_assert_max_num_queries):
    page(person)
    assert cached(person) == ["en"]
    client = Client()
    # The head row (a prepared statement on PostgreSQL, unseen by Django's capture) and, for the
    # hybrid session's "switch" button, the seat counters.
    with django_assert_max_num_queries(2):
        response = client.get(f"/me/{person.token}/")
    assert response.status_code == 200 and person.email in response.content.decode()


def test_each_person_sees_only_their_own_page(small_programme):
    first = services.register(small_programme, applicant(1, "online"))
    second = services.register(small_programme, applicant(2, "online"))
    for _visit in range(2):
        assert "person1@example.org" in page(first) and "person2@example.org" not in page(first)
        assert "person2@example.org" in page(second) and "person1@example.org" not in page(second)


def test_details_consents_and_status_show_at_once_in_both_languages(person, small_programme):
    both(person)
    privacy.correct_details(person, {"name_en": "Corrected Name", "name_zh": "更正名稱"})
    english, chinese = both(person)
    assert "Corrected Name" in english and "更正名稱" in chinese
    assert "You do not receive news of future programmes." in english
    privacy.set_consent(person, "news", True)
    english, chinese = both(person)
    assert "You receive news of future programmes." in english
    assert zh("You receive news of future programmes.") in chinese
    services.cancel(person)
    english, chinese = both(person)
    assert 'id="registration-status">Cancelled' in english
    assert f'id="registration-status">{zh("Cancelled")}' in chinese
    assert "Register again" in english and "Cancel your registration" not in english


def test_register_again_follows_whether_the_form_is_open(person, small_programme):
    services.cancel(person)
    assert 'id="again-heading"' in page(person)
    Programme.objects.filter(pk=small_programme.pk).update(registration_open=False)  # no new version
    assert 'id="again-heading"' not in page(person)


def test_seats_moved_by_other_people_show_at_once(small_programme):
    room = hybrid(small_programme)
    seated = [services.register(small_programme, applicant(n, "in_person")) for n in (1, 2)]
    waiting = services.register(small_programme, applicant(3, "in_person"))
    last = services.register(small_programme, applicant(4, "in_person"))
    assert "number 1 in the queue" in page(waiting)
    assert "number 2 in the queue" in page(last)
    assert zh("number %(position)s in the queue") % {"position": 2} in page(last, "zh-hant")
    # Someone ahead leaves: the first in the queue gets the seat, the next moves up.
    services.cancel(seated[0])
    english = page(waiting)
    assert "number 1 in the queue" not in english
    row = english.split(room.title_en, 1)[1].split("</tr>", 1)[0]
    assert "Confirmed" in row
    assert "number 1 in the queue" in page(last)


def test_the_switch_button_follows_the_other_side(small_programme):
    online = services.register(small_programme, applicant(1, "online"))
    assert "Switch to in person" in page(online)
    # The room fills up through other people: the button goes, and comes back when a seat frees.
    seated = [services.register(small_programme, applicant(n, "in_person")) for n in (2, 3)]
    assert "Switch to in person" not in page(online)
    services.cancel(seated[0])
    assert "Switch to in person" in page(online)
    # Switching is the person's own change: it shows.
    session = hybrid(small_programme)
    services.change_mode(online, session, "in_person")
    english, chinese = both(online)
    assert "Switch to online" in english and "Switch to in person" not in english


def test_session_changes_show_at_once(person, small_programme):
    both(person)
    session = hybrid(small_programme)
    session.title_en, session.title_zh = "Sharing, moved upstairs", "分享會（改在樓上）"
    session.save()
    english, chinese = both(person)
    assert "Sharing, moved upstairs" in english and "分享會（改在樓上）" in chinese


def test_certificates_issued_and_revoked_show_at_once(person, small_programme, organiser_of_small):
    both(person)
    certificate = Certificate.objects.create(
        programme=small_programme,
        registration=person,
        serial="PLN-TEST-0001",
        hours=Decimal("3"),
        name_en=person.name_en,
    )
    english, chinese = both(person)
    assert "PLN-TEST-0001" in english and "PLN-TEST-0001" in chinese
    certificates.revoke(certificate, reason="issued in error", actor=organiser_of_small)
    english, _chinese = both(person)
    assert "issued in error" in english


def test_an_erasure_request_and_messages_sent_show_at_once(person, small_programme):
    both(person)
    privacy.request_erasure(person)
    english, _chinese = both(person)
    assert "You asked for erasure on" in english
    messaging.compose(
        small_programme,
        subject=("Room change for {programme}", "{programme}場地更改"),
        body=("Dear {name}", "{name}你好"),
    )
    messaging.pump()
    english, chinese = both(person)
    assert "Room change for Small programme" in english and "場地更改" in chinese


def test_a_renewed_link_shows_the_new_pass_and_the_old_link_is_dead(person):
    old = person.token
    before = page(person)
    services.rotate_token(person)
    assert Client().get(f"/me/{old}/").status_code == 404
    after = page(person)
    assert person.token in after and old not in after and before != after


def test_each_visitor_gets_a_working_csrf_token(person):
    page(person)  # cached now
    visitor = Client(enforce_csrf_checks=True)
    html = page(person, client=visitor)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    assert "slot" not in token
    other = page(person, client=Client())
    assert token not in other
    refused = visitor.post(f"/me/{person.token}/renew/", {"csrfmiddlewaretoken": "x" * 64})
    assert refused.status_code == 403
    answered = visitor.post(f"/me/{person.token}/renew/", {"csrfmiddlewaretoken": token})
    assert answered.status_code == 302


def test_a_visitor_with_messages_gets_them_on_a_fresh_page(person):
    client = Client()
    page(person, client=client)
    response = client.post(f"/me/{person.token}/cancel/", {"confirm": "yes"}, follow=True)
    assert "Your registration is cancelled." in response.content.decode()


def test_erasure_leaves_no_copy_behind(person, organiser_of_small):
    both(person)
    assert cached(person) == ["en", "zh-hant"]
    privacy.anonymise(person, actor=organiser_of_small, reason="asked by the person")
    assert cached(person) == []
    assert Client().get(f"/me/{person.token}/").status_code == 404


@pytest.fixture
def organiser_of_small(small_programme, people):
    return people["organiser"]


def test_a_copy_kept_by_another_release_is_rendered_afresh(person, monkeypatch):
    from plenary.registrations import private_page

    page(person)
    copy = PrivatePageCopy.objects.get(registration=person, language="en")
    PrivatePageCopy.objects.filter(pk=copy.pk).update(html=copy.html.replace("Your sessions", "Old wording"))
    assert "Old wording" in page(person)  # the kept copy is what is served…
    monkeypatch.setattr(private_page, "_code_version", lambda: "another-release")
    assert "Old wording" not in page(person)  # …until the code, templates or translations change
