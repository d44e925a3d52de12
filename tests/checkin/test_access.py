"""Check-in staff can use the scanner and nothing else; organisers assign them to doors."""

from __future__ import annotations

import pytest
from django.test import Client

from plenary.checkin.models import DoorSettings, StaffAssignment

pytestmark = pytest.mark.django_db


def test_check_in_staff_get_403_everywhere_outside_the_scanner(door, sharing, reference_programme, api_as):
    client = Client()
    client.force_login(door)
    slug = reference_programme.slug
    for path in [
        "/manage/",
        f"/manage/p/{slug}/",
        f"/manage/p/{slug}/edit/",
        f"/manage/p/{slug}/door/",
        "/manage/venues/new/",
        "/admin/",
        "/admin/registrations/registration/",
        "/",
        f"/p/{slug}/",
        "/zh-hant/manage/",
    ]:
        assert client.get(path).status_code == 403, path
    assert client.post(f"/manage/p/{slug}/edit/", {"title_en": "Hijacked"}).status_code == 403
    for path in ["/checkin/", f"/checkin/{sharing.pk}/", f"/checkin/{sharing.pk}/desk/", "/zh-hant/checkin/"]:
        assert client.get(path).status_code == 200, path

    api = api_as(door)
    assert api.get("/api/v1/programmes").status_code == 403
    assert api.get(f"/api/v1/programmes/{slug}").status_code == 403
    assert (
        api.post(
            "/api/v1/programmes",
            {"slug": "x", "title": "x", "starts_on": "2023-01-01", "ends_on": "2023-01-01"},
        ).status_code
        == 403
    )
    assert api.get(f"/api/v1/sessions/{sharing.pk}/roster").status_code == 200
    assert client.get("/api/v1/programmes").status_code == 403


def test_the_scanner_lists_only_the_sessions_a_staff_member_is_assigned_to(door, sharing):
    client = Client()
    client.force_login(door)
    page = client.get("/checkin/")
    assert page.context["sessions"] == [sharing]
    StaffAssignment.objects.all().delete()
    assert client.get("/checkin/").context["sessions"] == []
    assert client.get(f"/checkin/{sharing.pk}/").status_code == 404  # reveals nothing


def test_organisers_assign_staff_and_turn_on_check_out(organiser, sharing, reference_programme):
    from django.contrib.auth import get_user_model

    door = get_user_model().objects.get(username="door")
    client = Client()
    client.force_login(organiser)
    url = f"/manage/p/{reference_programme.slug}/door/"
    assert client.get(url).status_code == 200
    client.post(url, {"session": sharing.pk, "action": "assign", "user": door.pk})
    assert StaffAssignment.objects.filter(user=door, session=sharing, assigned_by=organiser).exists()
    client.post(url, {"session": sharing.pk, "action": "settings", "asks_for_check_out": "on"})
    assert DoorSettings.objects.get(session=sharing).asks_for_check_out
    assignment = StaffAssignment.objects.get()
    client.post(url, {"session": sharing.pk, "action": "unassign", "assignment": assignment.pk})
    assert not StaffAssignment.objects.exists()
    assert reference_programme.audit_entries.filter(object_type="check-in staff assignment").count() == 2


def test_outsiders_cannot_open_a_programmes_door_console(outsider, reference_programme):
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/manage/p/{reference_programme.slug}/door/").status_code == 404


def test_the_desk_undoes_a_check_in_adds_walk_ins_and_moves_waitlisted_people_in(door, sharing, person):
    from plenary.checkin.models import CheckIn
    from plenary.registrations.models import Registration

    seated, waiting = person("Ho Ka Yan"), person("Ng Wai Man", seat="waitlisted", status="waitlisted")
    client = Client()
    client.force_login(door)
    url = f"/checkin/{sharing.pk}/desk/"
    assert "Ho Ka Yan" in client.get(url, {"q": "Ho Ka"}).content.decode()
    assert client.get(url, {"q": "Ho\x00"}).status_code == 200
    assert client.post(url, {"action": "undo", "reference": "R\x00"}).status_code == 404

    client.post(url, {"action": "check_in", "reference": seated.reference})
    assert CheckIn.objects.filter(registration=seated, undone_at__isnull=True).exists()
    client.post(url, {"action": "undo", "reference": seated.reference, "reason": "Scanned by mistake"})
    assert CheckIn.objects.get(registration=seated).undone_at is not None

    client.post(url, {"action": "move_in", "reference": waiting.reference})
    assert CheckIn.objects.filter(registration=waiting, undone_at__isnull=True).exists()

    response = client.post(
        url,
        {
            "action": "walk_in",
            "name_en": "Walk In",
            "name_zh": "路人",
            "email": "walk@example.org",
            "consent_pics": "on",
        },
    )
    assert response.status_code == 302
    walk_in = Registration.objects.get(email="walk@example.org")
    assert CheckIn.objects.filter(registration=walk_in).exists()
    bad = client.post(url, {"action": "walk_in", "name_en": "", "email": "not-an-email"})
    assert bad.status_code == 200 and bad.context["walk_in"].errors
