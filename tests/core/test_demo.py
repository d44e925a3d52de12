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

    programme = Programme.objects.get()
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
