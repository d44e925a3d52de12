import pytest
from django.core.management import call_command

from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (Organisation, Programme, CoOrganiser, Session, Speaker, AgendaItem)
    }


@pytest.mark.django_db
def test_demo_loads_the_reference_programme_faithfully_and_idempotently():
    call_command("demo", registrants=20, seed=7)
    first = counts()
    call_command("demo", registrants=20, seed=7)
    assert counts() == first

    programme = Programme.objects.get(slug="sw-20th-congress-workshops-2022")
    assert programme.co_organisers.count() == 4
    sessions = list(programme.sessions.all())
    assert [session.kind for session in sessions].count("ceremony") == 1
    lectures = [session for session in sessions if session.kind == "lecture"]
    assert len(lectures) == 5 and all(session.mode == "online" for session in lectures)
    assert all("2022-11-20" <= f"{session.starts_at:%Y-%m-%d}" <= "2022-11-29" for session in lectures)
    sharing = programme.sessions.get(kind="sharing")
    assert sharing.mode == "hybrid" and sharing.venue.capacity > 0
    assert f"{sharing.starts_at.astimezone(programme.tzinfo):%Y-%m-%d}" == "2022-12-03"
    assert sharing.agenda_items.filter(kind="sharing").count() >= 11
    assert sharing.agenda_items.filter(kind="remarks", speaker__is_official=True).count() == 2
    assert Organisation.objects.filter(is_member_agency=True).count() == 150
    # Synthetic people and agencies are marked as such.
    assert all("(sample" in speaker.name_en for speaker in Speaker.objects.filter(is_official=False))
    assert all(
        org.name_en.startswith("Sample ") for org in Organisation.objects.filter(is_member_agency=True)
    )
    provisional = Organisation.objects.get(acronym="SWJA")
    assert provisional.name_zh_provisional


@pytest.mark.django_db
def test_demo_is_deterministic_for_a_seed():
    call_command("demo", registrants=0, seed=11)
    first = sorted(Speaker.objects.values_list("name_en", flat=True))
    Programme.objects.all().delete()
    Speaker.objects.all().delete()
    call_command("demo", registrants=0, seed=11)
    assert sorted(Speaker.objects.values_list("name_en", flat=True)) == first


@pytest.fixture
def fresh_rate_limits():
    from django.core.cache import caches

    caches["limits"].clear()
    yield
    caches["limits"].clear()


@pytest.mark.django_db
def test_demo_adds_an_upcoming_programme_open_for_registration(client, fresh_rate_limits):
    from datetime import timedelta

    from django.utils import timezone

    from plenary.registrations.models import Quota, Registration, SeatAllocation
    from plenary.site.demo import upcoming

    call_command("demo", registrants=100, seed=5)
    programme = Programme.objects.get(slug=upcoming.SLUG)
    today = timezone.localdate()
    assert programme.accepts_registrations and not programme.is_past
    sessions = list(programme.sessions.all())
    assert {session.mode for session in sessions} == {"online", "in_person", "hybrid"}
    days = [session.starts_at.astimezone(programme.tzinfo).date() for session in sessions]
    assert all(today + timedelta(days=13) <= day <= today + timedelta(days=43) for day in days)
    assert Quota.objects.filter(programme=programme, organisation__memberships__user__username="coordinator")
    assert Quota.objects.filter(programme=programme).count() >= 2
    # The reference programme stays the historical one.
    assert Programme.objects.get(slug="sw-20th-congress-workshops-2022").is_past

    # A visitor registers through the public form, asking for the room of the hybrid session: a pass.
    form = client.get(f"/p/{programme.slug}/register/")
    assert form.status_code == 200 and b'name="csrfmiddlewaretoken"' in form.content
    hybrid = programme.sessions.get(mode="hybrid")
    answer = client.post(
        f"/p/{programme.slug}/register/",
        {
            "name_en": "Try Out Person",
            "email": "try.out@example.org",
            "organisation_other": "Visiting agency",
            "consent_pics": "on",
            f"mode_{hybrid.pk}": "in_person",
        },
    )
    assert answer.status_code == 302
    registration = Registration.objects.get(programme=programme, email="try.out@example.org")
    assert registration.status == "confirmed"
    assert SeatAllocation.objects.get(registration=registration, session=hybrid).status == "confirmed"
    private = client.get(f"/me/{registration.token}/").content.decode()
    assert f"/me/{registration.token}/pass.pdf" in private

    # Loaded again: nothing changes, dates included.
    before = (counts(), programme.starts_on, Registration.objects.count())
    call_command("demo", registrants=100, seed=5)
    programme.refresh_from_db()
    assert (counts(), programme.starts_on, Registration.objects.count()) == before

    # Months later the programme is past; `make run` (demo --if-empty) moves it ahead again.
    Programme.objects.filter(pk=programme.pk).update(
        starts_on=today - timedelta(days=60), ends_on=today - timedelta(days=40)
    )
    call_command("demo", registrants=100, seed=5, if_empty=True)
    programme.refresh_from_db()
    assert programme.accepts_registrations and programme.starts_on == today + timedelta(days=14)
    assert programme.sessions.filter(starts_at__date__lt=today).count() == 0


@pytest.mark.django_db
def test_make_run_on_an_older_demo_database_adds_the_upcoming_programme():
    from plenary.site.demo import upcoming

    call_command("demo", registrants=0, seed=3)
    Programme.objects.filter(slug=upcoming.SLUG).delete()
    call_command("demo", if_empty=True, registrants=0, seed=3)
    assert Programme.objects.get(slug=upcoming.SLUG).accepts_registrations
