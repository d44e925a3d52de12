"""The staff page (issue 17) in a real browser, in both languages, checked with axe-core: the list, the
invitation form (with its errors), one person's role and doors, and the invitation's link."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from plenary.organisations import services
from plenary.organisations.models import Invitation, Membership
from tests.browser.axe import assert_accessible
from tests.browser.test_phone_widths import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("language", ["", "/zh-hant"])
def test_staff_pages_have_no_serious_accessibility_violation(
    page, live_server, reference_programme, language
):
    base = f"{live_server.url}{language}"
    sign_in(page, live_server, "organiser", f"{language}/manage/staff/")
    page.wait_for_url(f"**{language}/manage/staff/")
    assert_accessible(page, "the staff list")

    page.goto(f"{base}/manage/staff/invite/")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_load_state("load")
    assert page.locator(".form-errors").count() == 1
    assert_accessible(page, "the invitation form with errors")

    page.fill("#id_email", "browser-invite@example.org")
    page.check("input[name=role][value=checkin]")
    page.check("input[name=doors][value=some]")
    page.locator("input[name=sessions]").first.check()
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**{language}/manage/staff/")
    assert "browser-invite@example.org" in page.content()
    assert_accessible(page, "the staff list with an invitation")
    invitation = Invitation.objects.get(email="browser-invite@example.org")
    assert invitation.sessions.count() == 1 and not invitation.all_doors

    door = (
        Membership.objects.filter(user__username="door", role=Membership.Role.CHECKIN).order_by("pk").first()
    )
    page.goto(f"{base}/manage/staff/m/{door.pk}/")
    assert_accessible(page, "one person's role and doors")

    # The invitation's link, for a visitor who is not signed in.
    _invitation, token = services.issue_link(invitation.pk)
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/invitation/{token}/")
    assert_accessible(page, "the invitation's link")
    page.fill("#id_new_password1", "Lantern-quay-2026")
    page.fill("#id_new_password2", "Lantern-quay-2026")
    page.locator("form.form button[type=submit]").click()
    page.wait_for_url(f"**{language}/checkin/")
    assert get_user_model().objects.filter(email="browser-invite@example.org").exists()
    page.goto(f"{base}/accounts/invitation/{token}/")
    assert_accessible(page, "a used invitation link")
