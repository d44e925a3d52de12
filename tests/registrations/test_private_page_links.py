"""The private page brings every capability together: pass, join links, feedback, certificates."""

import pytest

from plenary.organisations.models import Membership
from plenary.registrations.models import Registration, SeatAllocation


@pytest.fixture
def registrant(reference_programme):
    registration = Registration.objects.create(
        programme=reference_programme, name_en="Chan Tai Man", name_zh="陳大文", email="chan@example.org"
    )
    for session in reference_programme.sessions.all():
        SeatAllocation.objects.create(
            registration=registration,
            session=session,
            mode="online",
            status=SeatAllocation.Status.CONFIRMED,
        )
    return registration


@pytest.mark.django_db
def test_private_page_links_the_pass_join_links_feedback_and_certificates(client, registrant):
    html = client.get(f"/me/{registrant.token}/").content.decode()
    assert f"/me/{registrant.token}/pass.pdf" in html
    lecture = registrant.programme.sessions.filter(kind="lecture").first()
    assert f"/j/{registrant.token}/{lecture.pk}/" in html
    assert f"/j/{registrant.token}/{lecture.pk}/watch/" in html
    assert f"/me/{registrant.token}/feedback/" in html
    assert "Certificates of attendance" in html
    chinese = client.get(f"/zh-hant/me/{registrant.token}/").content.decode()
    assert "出席證書" in chinese or "證書" in chinese


@pytest.mark.django_db
def test_coordinators_and_door_staff_are_sent_to_their_own_pages(client, reference_programme):
    coordinator = Membership.objects.filter(role="coordinator").first().user
    client.force_login(coordinator)
    assert client.get("/manage/")["Location"].endswith("/agency/")
    client.logout()
    response = client.post("/accounts/login/", {"username": "door", "password": "plenary-demo"})
    assert response["Location"] == "/checkin/"
    response = client.get("/manage/")
    assert response.status_code == 403 and 'href="/checkin/"' in response.content.decode()
