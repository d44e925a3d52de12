"""Staff of one's own body (issue 17): organisers invite colleagues, door staff and agency coordinators
by email (real SMTP); the link sets a password and signs in; roles change and are removed; door staff
can be limited to sessions; everything is audited; nobody sees or invites into another body."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from plenary.core.models import AuditEntry
from plenary.organisations import services
from plenary.organisations.models import Invitation, Membership, Organisation
from plenary.programmes.models import Session, Venue
from plenary.registrations.models import Quota
from tests.registrations.conftest import text_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits")]
Role = Membership.Role
LINK = re.compile(r"https://plenary\.example\.org(/(?:zh-hant/)?accounts/invitation/[^/\s]+/)")


@pytest.fixture
def world(reference_programme, settings):
    settings.BASE_URL = "https://plenary.example.org"
    User = get_user_model()
    organiser = User.objects.get(username="organiser")
    outsider = User.objects.get(username="outsider")
    return {
        "programme": reference_programme,
        "organiser": organiser,
        "outsider": outsider,
        "body": organiser.memberships.get(role=Role.ORGANISER).organisation,
        "other_body": outsider.memberships.get().organisation,
    }


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def invite_by_page(client, capture, **data) -> object:
    with capture(execute=True):
        return client.post("/manage/staff/invite/", {"doors": "all", **data})


def actions(object_type: str) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type=object_type)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_invite_accept_sign_in_change_role_and_remove(world, smtp_inbox, django_capture_on_commit_callbacks):
    organiser, body = world["organiser"], world["body"]
    client = signed_in(organiser)
    answer = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="New.Colleague@Example.org",
        role="organiser",
        organisation=body.pk,
    )
    assert answer.status_code == 302 and answer["Location"] == "/manage/staff/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.role) == (
        "new.colleague@example.org",
        body,
        "organiser",
    )
    [message] = smtp_inbox.wait_for("new.colleague@example.org")
    assert "Plenary: you are invited to join" in message["Subject"]
    [link] = LINK.findall(text_of(message))
    token = link.rstrip("/").rsplit("/", 1)[1]
    # Only a hash is stored, and the audit log shows none of it.
    invitation.refresh_from_db()
    assert invitation.key_hash == services.token_hash(token) and token not in invitation.key_hash
    assert not AuditEntry.objects.filter(after__icontains=token).exists()
    page = client.get("/manage/staff/").content.decode()
    assert "new.colleague@example.org" in page

    visitor = Client()
    form = visitor.get(link)
    assert form.status_code == 200 and "Accept the invitation" in form.content.decode()
    weak = visitor.post(link, {"name": "New Colleague", "new_password1": "12345", "new_password2": "12345"})
    assert weak.status_code == 200 and "This password is too short" in weak.content.decode()
    assert not get_user_model().objects.filter(email="new.colleague@example.org").exists()
    done = visitor.post(
        link,
        {"name": "New Colleague", "new_password1": "Lantern-quay-2026", "new_password2": "Lantern-quay-2026"},
    )
    assert done.status_code == 302 and done["Location"] == "/manage/"
    assert visitor.get("/manage/").status_code == 200  # landed signed in, as an organiser
    user = get_user_model().objects.get(email="new.colleague@example.org")
    assert user.first_name == "New Colleague"
    assert Client().login(username=user.get_username(), password="Lantern-quay-2026")
    membership = Membership.objects.get(user=user)
    assert (membership.organisation, membership.role) == (body, Role.ORGANISER)
    # The link works once.
    again = Client().get(link)
    assert again.status_code == 410 and "already been used" in again.content.decode()

    # Organiser → check-in staff: the console closes, the door opens (every door of the body's programmes).
    changed = client.post(f"/manage/staff/m/{membership.pk}/", {"action": "role", "role-role": "checkin"})
    assert changed.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.CHECKIN and membership.all_doors
    assert visitor.get("/manage/").status_code == 403
    assert visitor.get(f"/checkin/{world['programme'].sessions.get(kind='sharing').pk}/").status_code == 200

    removed = client.post(f"/manage/staff/m/{membership.pk}/remove/")
    assert removed.status_code == 302
    assert not Membership.objects.filter(user=user).exists()
    assert visitor.get(f"/checkin/{world['programme'].sessions.get(kind='sharing').pk}/").status_code == 404

    assert actions("staff invitation") == ["invite", "join"]
    assert actions("membership") == ["create", "update", "delete"]
    entry = AuditEntry.objects.get(object_type="membership", action="update")
    assert (entry.before["role"], entry.after["role"], entry.actor) == ("organiser", "checkin", organiser)
    # The staff page shows the body's changes to its organisers, and not to another body's.
    assert f"{user.get_username()} is now checkin of" in client.get("/manage/staff/").content.decode()
    assert (
        "new.colleague@example.org" not in signed_in(world["outsider"]).get("/manage/staff/").content.decode()
    )
    # The link's token is cut out of log lines.
    from plenary.core.logs import mask_tokens

    assert token not in mask_tokens(f"Gone: /zh-hant/accounts/invitation/{token}/")


def test_the_email_and_the_pages_are_in_the_inviters_language(
    world, smtp_inbox, django_capture_on_commit_callbacks
):
    client = signed_in(world["organiser"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/zh-hant/manage/staff/invite/",
            {
                "email": "chan@example.org",
                "role": "checkin",
                "organisation": world["body"].pk,
                "doors": "all",
            },
        )
    [message] = smtp_inbox.wait_for("chan@example.org")
    assert "邀請" in message["Subject"]
    [link] = LINK.findall(text_of(message))
    assert link.startswith("/zh-hant/accounts/invitation/")
    page = Client().get(link).content.decode()
    assert 'lang="zh-Hant-HK"' in page and "接受邀請" in page


def test_expired_cancelled_and_replaced_links_say_why(world, smtp_inbox, django_capture_on_commit_callbacks):
    client = signed_in(world["organiser"])
    for email in ("late@example.org", "cancelled@example.org"):
        invite_by_page(
            client,
            django_capture_on_commit_callbacks,
            email=email,
            role="checkin",
            organisation=world["body"].pk,
        )
    [late_link] = LINK.findall(text_of(smtp_inbox.wait_for("late@example.org")[0]))
    [cancelled_link] = LINK.findall(text_of(smtp_inbox.wait_for("cancelled@example.org")[0]))

    Invitation.objects.filter(email="late@example.org").update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    expired = Client().get(late_link)
    assert expired.status_code == 410 and "It has expired" in expired.content.decode()
    refused = Client().post(
        late_link, {"new_password1": "Lantern-quay-2026", "new_password2": "Lantern-quay-2026"}
    )
    assert refused.status_code == 410
    assert not get_user_model().objects.filter(email="late@example.org").exists()

    # Sent again: a new link that works, and the earlier one no longer does.
    late = Invitation.objects.get(email="late@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/manage/staff/invitations/{late.pk}/resend/").status_code == 302
    [_first, second] = smtp_inbox.wait_for("late@example.org", count=2)
    [new_link] = LINK.findall(text_of(second))
    assert new_link != late_link
    replaced = Client().get(late_link)
    assert replaced.status_code == 404 and "a newer invitation has replaced it" in replaced.content.decode()
    assert Client().get(new_link).status_code == 200

    cancelled = Invitation.objects.get(email="cancelled@example.org")
    assert client.post(f"/manage/staff/invitations/{cancelled.pk}/cancel/").status_code == 302
    page = Client().get(cancelled_link)
    assert page.status_code == 410 and "cancelled it" in page.content.decode()
    assert "cancel" in actions("staff invitation")


def test_reinviting_an_existing_account_adds_the_role_instead_of_a_second_account(
    world, smtp_inbox, django_capture_on_commit_callbacks
):
    coordinator = get_user_model().objects.get(username="coordinator")
    accounts = get_user_model().objects.count()
    client = signed_in(world["organiser"])
    answer = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email=coordinator.email.upper(),
        role="checkin",
        organisation=world["body"].pk,
    )
    assert answer.status_code == 302
    assert get_user_model().objects.count() == accounts
    assert Membership.objects.filter(user=coordinator, organisation=world["body"], role=Role.CHECKIN).exists()
    assert Membership.objects.filter(user=coordinator, role=Role.COORDINATOR).exists()  # kept
    [message] = smtp_inbox.wait_for(coordinator.email)
    body = text_of(message)
    assert "your new role" in message["Subject"] and "/accounts/invitation/" not in body
    assert Invitation.objects.get().accepted_by == coordinator
    twice = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email=coordinator.email,
        role="checkin",
        organisation=world["body"].pk,
    )
    assert twice.status_code == 200 and "already has this role" in twice.content.decode()
    assert Invitation.objects.count() == 1


def test_an_organiser_of_body_a_cannot_see_or_invite_into_body_b(world, django_capture_on_commit_callbacks):
    organiser, outsider = world["organiser"], world["outsider"]
    theirs = get_user_model().objects.create_user("door-of-b", email="door-b@example.org")
    b_membership = Membership.objects.create(user=theirs, organisation=world["other_body"], role=Role.CHECKIN)
    ours = Membership.objects.get(user__username="door")

    page = signed_in(organiser).get("/manage/staff/").content.decode()
    assert "door-of-b" not in page and outsider.email not in page and ours.user.email in page
    outsider_page = signed_in(outsider).get("/manage/staff/").content.decode()
    assert "door-of-b" in outsider_page and organiser.email not in outsider_page

    client = signed_in(organiser)
    refused = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="x@example.org",
        role="organiser",
        organisation=world["other_body"].pk,
    )
    assert refused.status_code == 200 and not Invitation.objects.exists()
    assert "Select a valid choice" in refused.content.decode()
    assert client.get(f"/manage/staff/m/{b_membership.pk}/").status_code == 404
    assert client.post(f"/manage/staff/m/{b_membership.pk}/remove/").status_code == 404
    assert (
        client.post(
            f"/manage/staff/m/{b_membership.pk}/", {"action": "role", "role-role": "organiser"}
        ).status_code
        == 404
    )
    assert Membership.objects.filter(pk=b_membership.pk, role=Role.CHECKIN).exists()

    invitation = services.invite(
        actor=organiser,
        email="ours@example.org",
        organisation=world["body"],
        role="checkin",
        invited_by_body=world["body"],
    )
    other = signed_in(outsider)
    assert "ours@example.org" not in other.get("/manage/staff/").content.decode()
    assert other.post(f"/manage/staff/invitations/{invitation.pk}/cancel/").status_code == 404
    assert other.post(f"/manage/staff/m/{ours.pk}/remove/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.cancelled_at is None
    # Nobody else may even open the page.
    for username, status in (("coordinator", 403), ("door", 403)):
        assert (
            signed_in(get_user_model().objects.get(username=username)).get("/manage/staff/").status_code
            == status
        )


def test_an_organiser_cannot_change_or_remove_their_own_role(world):
    client = signed_in(world["organiser"])
    own = world["organiser"].memberships.get(role=Role.ORGANISER)
    answer = client.post(f"/manage/staff/m/{own.pk}/remove/", follow=True)
    assert "You cannot change or remove your own role" in answer.content.decode()
    assert Membership.objects.filter(pk=own.pk).exists()


def test_coordinators_are_invited_only_for_agencies_taking_part(
    world, smtp_inbox, django_capture_on_commit_callbacks
):
    taking_part = Organisation.objects.create(name_en="Sample Taking Part", is_member_agency=True)
    elsewhere = Organisation.objects.create(name_en="Sample Elsewhere", is_member_agency=True)
    Quota.objects.create(programme=world["programme"], organisation=taking_part, places=5)
    client = signed_in(world["organiser"])
    refused = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="c1@example.org",
        role="coordinator",
        organisation=elsewhere.pk,
    )
    assert refused.status_code == 200 and not Invitation.objects.exists()
    wrong_role = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="c1@example.org",
        role="checkin",
        organisation=taking_part.pk,
    )
    assert wrong_role.status_code == 200 and not Invitation.objects.exists()
    invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="c1@example.org",
        role="coordinator",
        organisation=taking_part.pk,
    )
    [link] = LINK.findall(text_of(smtp_inbox.wait_for("c1@example.org")[0]))
    visitor = Client()
    landed = visitor.post(link, {"new_password1": "Lantern-quay-2026", "new_password2": "Lantern-quay-2026"})
    assert landed.status_code == 302 and landed["Location"] == "/agency/"
    membership = Membership.objects.get(user__email="c1@example.org")
    assert (membership.role, membership.organisation, membership.invited_by_body) == (
        Role.COORDINATOR,
        taking_part,
        world["body"],
    )
    # Listed for the inviting body, not for another; removable by the inviting body.
    assert "c1@example.org" in client.get("/manage/staff/").content.decode()
    assert "c1@example.org" not in signed_in(world["outsider"]).get("/manage/staff/").content.decode()
    assert client.post(f"/manage/staff/m/{membership.pk}/remove/").status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


# --- door staff limited to sessions ---------------------------------------------------------------


@pytest.fixture
def doors(world):
    """Two room sessions of L (its sharing session and a workshop), and one of another body's programme."""
    programme = world["programme"]
    sharing = programme.sessions.get(kind="sharing")
    workshop = Session.objects.create(
        programme=programme,
        title_en="Workshop",
        title_zh="工作坊",
        kind=Session.Kind.WORKSHOP,
        mode=Session.Mode.IN_PERSON,
        venue=sharing.venue,
        starts_at=sharing.starts_at + datetime.timedelta(days=1),
        ends_at=sharing.ends_at + datetime.timedelta(days=1),
    )
    from tests.registrations.conftest import make_programme

    other = make_programme(slug="other-body-programme")
    other.co_organisers.update(organisation=world["other_body"])
    elsewhere = other.sessions.filter(mode__in=["in_person", "hybrid"]).first()
    Venue.objects.filter(pk=elsewhere.venue_id).update(owner=world["other_body"])
    return sharing, workshop, elsewhere


def scan(api, session, code="P-NOT-A-PASS"):
    return api.post(
        "/api/v1/checkins", {"code": code, "session_id": session.pk, "client_event_id": str(uuid.uuid4())}
    )


def test_door_staff_limited_to_a_session_scan_only_there_by_api_and_door_page(world, doors, api_as, person):
    sharing, workshop, elsewhere = doors
    someone = person("Lee Siu Ling", "李小玲")
    door = get_user_model().objects.create_user("door-limited", email="limited@example.org")
    membership = Membership.objects.create(
        user=door, organisation=world["body"], role=Role.CHECKIN, all_doors=True
    )

    # Every door of the body's programmes, and none of another body's.
    api = api_as(door)
    assert scan(api, sharing).status_code == 200 and scan(api, workshop).status_code == 200
    assert scan(api, elsewhere).status_code == 403
    page = signed_in(door)
    assert page.get(f"/checkin/{workshop.pk}/").status_code == 200
    assert page.get(f"/checkin/{elsewhere.pk}/").status_code == 404

    # Limited to the sharing session by the staff page: the workshop's door closes.
    organiser = signed_in(world["organiser"])
    answer = organiser.post(
        f"/manage/staff/m/{membership.pk}/",
        {"action": "doors", "doors-doors": "some", "doors-sessions": [sharing.pk]},
    )
    assert answer.status_code == 302
    membership.refresh_from_db()
    assert membership.all_doors is False
    assert scan(api, sharing, someone.pass_code).json()["result"] == "checked_in"
    assert scan(api, workshop, someone.pass_code).status_code == 403
    assert scan(api, workshop).status_code == 403
    assert page.get(f"/checkin/{sharing.pk}/").status_code == 200
    assert page.get(f"/checkin/{workshop.pk}/").status_code == 404
    assert page.get(f"/checkin/{workshop.pk}/desk/").status_code == 404
    listed = organiser.get("/manage/staff/").content.decode()
    assert sharing.title_en in listed

    # A session of another body's programme cannot be named.
    refused = organiser.post(
        f"/manage/staff/m/{membership.pk}/",
        {"action": "doors", "doors-doors": "some", "doors-sessions": [elsewhere.pk]},
    )
    assert refused.status_code == 200 and scan(api, elsewhere).status_code == 403
    entry = AuditEntry.objects.filter(object_type="membership", action="update").latest("id")
    assert entry.after["sessions"] == [sharing.pk] and entry.after["all_doors"] is False


def test_an_invitation_limited_to_sessions_assigns_those_doors(
    world, doors, smtp_inbox, django_capture_on_commit_callbacks
):
    sharing, workshop, _elsewhere = doors
    client = signed_in(world["organiser"])
    invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="gate@example.org",
        role="checkin",
        organisation=world["body"].pk,
        doors="some",
        sessions=[workshop.pk],
    )
    [link] = LINK.findall(text_of(smtp_inbox.wait_for("gate@example.org")[0]))
    visitor = Client()
    landed = visitor.post(link, {"new_password1": "Lantern-quay-2026", "new_password2": "Lantern-quay-2026"})
    assert landed["Location"] == "/checkin/"
    assert visitor.get(f"/checkin/{workshop.pk}/").status_code == 200
    assert visitor.get(f"/checkin/{sharing.pk}/").status_code == 404
    # Removing them from the body closes their doors too.
    membership = Membership.objects.get(user__email="gate@example.org")
    client.post(f"/manage/staff/m/{membership.pk}/remove/")
    assert visitor.get(f"/checkin/{workshop.pk}/").status_code == 404


def test_closed_invitations_are_purged_after_90_days(world):
    body, organiser = world["body"], world["organiser"]
    old = services.invite(
        actor=organiser, email="old@example.org", organisation=body, role="checkin", invited_by_body=body
    )
    services.cancel(actor=organiser, invitation=old)
    fresh = services.invite(
        actor=organiser, email="fresh@example.org", organisation=body, role="checkin", invited_by_body=body
    )
    Invitation.objects.filter(pk=old.pk).update(cancelled_at=timezone.now() - datetime.timedelta(days=91))
    from plenary.privacy import services as privacy

    # The retention purge counts them (a dry run here: the demo programme is past its own period too).
    assert privacy.purge(dry_run=True).invitations == 1
    assert Invitation.objects.count() == 2
    cutoff = timezone.now() - datetime.timedelta(days=services.CLOSED_INVITATIONS_KEPT_DAYS)
    assert services.purge_invitations(older_than=cutoff) == 1
    assert list(Invitation.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_an_organiser_sends_a_limited_number_of_invitations_an_hour(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from plenary.core.ratelimit import Limit

    monkeypatch.setattr(services, "INVITATIONS_PER_HOUR", Limit("staff-invitations-test", 2))
    client = signed_in(world["organiser"])
    for n in range(2):
        answer = invite_by_page(
            client,
            django_capture_on_commit_callbacks,
            email=f"p{n}@example.org",
            role="checkin",
            organisation=world["body"].pk,
        )
        assert answer.status_code == 302
    third = invite_by_page(
        client,
        django_capture_on_commit_callbacks,
        email="p2@example.org",
        role="checkin",
        organisation=world["body"].pk,
    )
    assert third.status_code == 200 and "many invitations this hour" in third.content.decode()
    assert Invitation.objects.count() == 2
    resent = client.post(f"/manage/staff/invitations/{Invitation.objects.first().pk}/resend/", follow=True)
    assert "many invitations this hour" in resent.content.decode()
