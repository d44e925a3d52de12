"""Staff-typed console text refuses a Hong Kong identity card number (issue 14), with the detector of the
registration form (core/privacy.py): session titles and descriptions, speakers, venues, the run-down,
programmes, press releases and speakers' remarks, messages and reminders, certificate wording and
signatories, evaluation questions, attendance corrections, registrants' details."""

from __future__ import annotations

import pytest
from django.db.models.fields.files import FieldFile
from django.forms import model_to_dict
from django.test import Client
from django.urls import reverse

from plenary.attendance.forms import AdjustForm
from plenary.certificates.forms import RevokeForm, RuleForm, SignatoryForm
from plenary.certificates.models import CertificateRule
from plenary.core.privacy import STAFF_HKID_MESSAGE
from plenary.engagement.forms import QuestionForm
from plenary.messaging.forms import ComposeForm, ReminderRuleForm
from plenary.messaging.models import Message
from plenary.programmes.forms import AgendaItemForm, ProgrammeForm, SessionForm, SpeakerForm, VenueForm
from plenary.programmes.models import AgendaItem, Venue
from plenary.publicity import services as publicity
from plenary.publicity.models import SpeakerRemark
from plenary.registrations.forms import RegistrationEditForm
from plenary.registrations.models import Registration

# As people type them: plain, with a hyphen, full-width.
NUMBERS = ["A123456(7)", "A123456-7", "Ａ１２３４５６（７）"]


def bound(form_class, instance=None, change=None, **kwargs):
    """``form_class`` bound to the values ``instance`` already has (or none), with ``change`` applied."""
    data = {}
    if instance is not None:
        for name, value in model_to_dict(instance).items():
            if value is None or isinstance(value, FieldFile):
                continue
            if isinstance(value, list):
                data[name] = [getattr(each, "pk", each) for each in value]
            elif isinstance(value, bool):
                if value:
                    data[name] = "on"
            else:
                data[name] = value
    data.update(change or {})
    return (
        form_class(data, instance=instance, **kwargs) if instance is not None else form_class(data, **kwargs)
    )


def refused(form, field: str) -> bool:
    return not form.is_valid() and str(STAFF_HKID_MESSAGE) in form.errors.get(field, [])


@pytest.fixture
def session(reference_programme):
    return reference_programme.sessions.get(kind="sharing")


def families(programme, session):
    """(family, form class, instance, field, keyword arguments) for each kind of console text."""
    speaker = programme.speakers.first()
    rule = CertificateRule.objects.get_or_create(programme=programme)[0]
    venue = session.venue or Venue.objects.first()
    item = AgendaItem.objects.filter(session__programme=programme).first()
    return [
        ("programme", ProgrammeForm, programme, "summary_en", {}),
        ("session title", SessionForm, session, "title_en", {"programme": programme}),
        ("session description", SessionForm, session, "description_zh", {"programme": programme}),
        ("speaker", SpeakerForm, speaker, "post_en", {"programme": programme}),
        ("venue", VenueForm, venue, "address_en", {"owners": Venue.objects.none()}),
        ("run-down", AgendaItemForm, item, "title_en", {"session": item.session}),
        ("certificate wording", RuleForm, rule, "footer_en", {"counting_sessions": 6}),
        ("reminder", ReminderRuleForm, None, "body_zh", {}),
        ("certificate revocation", RevokeForm, None, "reason", {}),
        ("attendance correction", AdjustForm, None, "reason", {}),
    ]


@pytest.mark.parametrize("number", NUMBERS)
def test_every_form_family_refuses_an_hkid_number_with_a_clear_message(reference_programme, session, number):
    for family, form_class, instance, field, kwargs in families(reference_programme, session):
        change = {field: f"Please note {number} here"}
        if form_class is AdjustForm:
            change |= {"registrant": "R7K2M9QXD", "minutes": 10}
        if form_class is ReminderRuleForm:
            change |= {"offset_minutes": 60}
        form = bound(form_class, instance, change, **kwargs)
        assert refused(form, field), (family, form.errors)


def test_ordinary_console_text_is_accepted(reference_programme, session):
    form = bound(
        SessionForm,
        session,
        {"title_en": "Case work in 2024: room A123, 6 speakers"},
        programme=reference_programme,
    )
    assert form.is_valid(), form.errors
    form = ComposeForm(
        {"subject_en": "Room change", "body_en": "Dear {name}, we meet in Room 12B, 3/F, from 14:30."},
        programme=reference_programme,
    )
    assert form.is_valid(), form.errors


def test_a_looked_up_reference_is_not_taken_for_text():
    form = AdjustForm({"registrant": "A123456(7)", "minutes": 10, "reason": "Left early"})
    assert form.is_valid(), form.errors  # a lookup, not stored: it is refused (unknown) elsewhere


def test_the_other_forms_refuse_it_too(reference_programme, session):
    registration = Registration.objects.create(
        programme=reference_programme, email="someone@example.org", name_en="Someone"
    )
    form = bound(RegistrationEditForm, registration, {"service_unit": "Unit A123456(7)", "language": "en"})
    assert refused(form, "service_unit"), form.errors
    form = SignatoryForm({"order": 1, "name_en": "Dr Chan", "post_en": "Director A123456(7)"})
    assert refused(form, "post_en"), form.errors
    form = QuestionForm({"order": 1, "kind": "text", "text_en": "Your HKID A123456(7)?"})
    assert refused(form, "text_en"), form.errors
    form = ComposeForm(
        {"subject_en": "Hello", "body_zh": "身份證 Ａ１２３４５６（７）"}, programme=reference_programme
    )
    assert refused(form, "body_zh"), form.errors


# --- through the console pages: the page says why, and nothing is stored -------------------------


@pytest.fixture
def console(organiser):
    client = Client()
    client.force_login(organiser)
    return client


def test_the_session_page_refuses_it_and_keeps_the_session(console, reference_programme, session):
    url = reverse(
        "programmes:manage-object",
        kwargs={"slug": reference_programme.slug, "kind": "sessions", "pk": session.pk},
    )
    form = SessionForm(instance=session, programme=reference_programme)
    data = {name: form[name].value() for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data["description_en"] = "Contact the speaker, HKID A123456(7)."
    response = console.post(url, data)
    assert response.status_code == 200
    assert str(STAFF_HKID_MESSAGE) in response.content.decode()
    session.refresh_from_db()
    assert "A123456" not in session.description_en


def test_the_message_page_refuses_it_and_sends_nothing(console, reference_programme):
    url = reverse("messaging:compose", kwargs={"slug": reference_programme.slug})
    response = console.post(
        url, {"subject_en": "Hello", "body_en": "Your number A123456-7 is on file.", "action": "send"}
    )
    assert response.status_code == 200
    assert str(STAFF_HKID_MESSAGE) in response.content.decode()
    assert not Message.objects.exists()


def test_the_press_release_page_refuses_a_remark_with_it(console, reference_programme, organiser):
    release = publicity.compose_release(reference_programme, actor=organiser)
    url = reverse("publicity:manage-release", kwargs={"slug": reference_programme.slug, "pk": release.pk})
    page = console.get(url)
    form = page.context["form"]
    remark_fields = [name for name in form.fields if name.startswith("remark_")]
    data = {name: form[name].value() or "" for name in form.fields if name != "photos"}
    target = remark_fields[0] if remark_fields else "body_en"
    data[target] = "The Secretary (HKID Ａ１２３４５６（７）) said…"
    response = console.post(url, data)
    assert response.status_code == 200
    assert str(STAFF_HKID_MESSAGE) in response.content.decode()
    assert not SpeakerRemark.objects.filter(text_en__contains="１２３").exists()
    release.refresh_from_db()
    assert "１２３４５６" not in release.body_en
