"""The run-down builder: reordering re-flows start times, overruns are flagged, PDFs and speaker mail."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from pypdf import PdfReader

from plenary.core.models import AuditEntry
from plenary.programmes import selectors, services
from plenary.programmes.models import AgendaItem, Session, Speaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def sharing(reference_programme) -> Session:
    return reference_programme.sessions.get(kind=Session.Kind.SHARING)


@pytest.fixture
def console(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


def starts(session: Session) -> dict[str, timedelta]:
    return {
        slot["item"].title_en: slot["starts_at"] - session.starts_at for slot in selectors.rundown(session)
    }


def test_moving_an_item_re_times_the_items_between_its_old_and_new_place(sharing, organiser):
    before = starts(sharing)
    director = sharing.agenda_items.get(title_en="Remarks by the Director of Social Welfare")
    services.move_item(director, 1, actor=organiser)

    after = starts(sharing)
    assert [item.title_en for item in sharing.agenda_items.all()][:3] == [
        "Remarks by the Director of Social Welfare",
        "Welcome",
        "Remarks by the Secretary for Labour and Welfare",
    ]
    assert list(sharing.agenda_items.values_list("order", flat=True)) == list(range(1, 17))
    assert after["Remarks by the Director of Social Welfare"] == timedelta(0)
    assert after["Welcome"] == timedelta(minutes=15)  # after the director's 15 minutes
    assert after["Remarks by the Secretary for Labour and Welfare"] == timedelta(minutes=20)
    # Items after the moved block keep their times: the block's total length did not change.
    assert after["Group photo"] == before["Group photo"]
    entry = AuditEntry.objects.filter(object_id=str(director.pk)).latest("at")
    assert entry.before == {"position": 3} and entry.after == {"position": 1}
    assert entry.actor == organiser


def test_a_position_past_the_end_moves_the_item_last(sharing, organiser):
    welcome = sharing.agenda_items.get(title_en="Welcome")
    services.move_item(welcome, 99, actor=organiser)
    slots = selectors.rundown(sharing)
    assert slots[-1]["item"] == welcome
    assert slots[0]["starts_at"] == sharing.starts_at
    assert slots[0]["item"].title_en == "Remarks by the Secretary for Labour and Welfare"


def test_move_buttons_work_without_javascript(sharing, console):
    closing = sharing.agenda_items.get(title_en="Closing")
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/{closing.pk}/move/"
    response = console.post(url, {"direction": "up"}, follow=True)
    assert response.status_code == 200
    titles = [item.title_en for item in sharing.agenda_items.all()]
    assert titles[-2:] == ["Closing", "Group photo"]
    assert "Moved" in response.content.decode()


def test_a_drag_and_drop_move_answers_with_the_re_flowed_table(sharing, console):
    photo = sharing.agenda_items.get(title_en="Group photo")
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/{photo.pk}/move/"
    response = console.post(url, {"position": "2"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-rundown" in html and "<html" not in html
    assert html.index("Group photo") < html.index("Remarks by the Secretary")
    assert starts(sharing)["Group photo"] == timedelta(minutes=5)


def test_a_bad_position_is_clamped_not_an_error(sharing, console):
    welcome = sharing.agenda_items.get(title_en="Welcome")
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/{welcome.pk}/move/"
    assert console.post(url, {"position": "first"}).status_code == 302
    assert console.post(url, {"position": "-4"}).status_code == 302
    assert sharing.agenda_items.first() == welcome


def test_an_outsider_cannot_move_items(sharing, outsider):
    client = Client()
    client.force_login(outsider)
    welcome = sharing.agenda_items.get(title_en="Welcome")
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/{welcome.pk}/move/"
    assert client.post(url, {"direction": "down"}).status_code == 404
    assert sharing.agenda_items.first() == welcome


def test_an_overrun_is_flagged_with_its_minutes(sharing, console):
    # 138 of 150 minutes are planned; 20 more run 8 minutes past the end.
    assert selectors.rundown_overrun_minutes(sharing) == 0
    AgendaItem.objects.create(
        session=sharing, order=17, kind="qa", title_en="Open floor", duration_minutes=20
    )
    slots = selectors.rundown(sharing)
    assert selectors.rundown_overrun_minutes(sharing) == 8
    assert slots[-1]["overruns"] and not slots[-2]["overruns"]
    page = console.get(f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/").content.decode()
    assert "overruns the session by 8 minutes" in page


def test_the_printable_run_down_comes_in_either_language(sharing, console):
    base = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown.pdf"
    english = console.get(base + "?lang=en")
    chinese = console.get(base + "?lang=zh-hant")
    assert english["Content-Type"] == "application/pdf"
    english_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(english.content)).pages)
    chinese_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(chinese.content)).pages)
    assert "Remarks by the Director of Social Welfare" in english_text
    assert "14:30" in english_text
    assert "社會福利署署長致辭" in chinese_text
    assert "李佩詩女士" in chinese_text


def test_each_speaker_with_an_email_is_sent_their_slot_in_both_languages(
    sharing, console, mailoutbox, django_capture_on_commit_callbacks
):
    Speaker.objects.filter(name_en="Chris Sun").update(email="sun@example.org")
    Speaker.objects.filter(name_en="Charmaine Lee").update(email="lee@example.org")
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/email-speakers/"
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(url)
    assert response.status_code == 302
    assert sorted(message.to[0] for message in mailoutbox) == ["lee@example.org", "sun@example.org"]
    lee = next(message for message in mailoutbox if message.to == ["lee@example.org"])
    assert "14:50–15:05" in lee.body  # after 5 + 15 minutes
    assert "社會福利署署長致辭" in lee.body and "Remarks by the Director of Social Welfare" in lee.body


def test_without_speaker_emails_nothing_is_sent(
    sharing, console, mailoutbox, django_capture_on_commit_callbacks
):
    url = f"/manage/p/{sharing.programme.slug}/sessions/{sharing.pk}/rundown/email-speakers/"
    with django_capture_on_commit_callbacks(execute=True):
        response = console.post(url, follow=True)
    assert mailoutbox == []
    assert "No speaker in this run-down has an email address yet." in response.content.decode()
