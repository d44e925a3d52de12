"""Reflections and evaluation surveys: from the registrant's private pages to the console and the programme page."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from plenary.attendance.models import Attendance
from plenary.engagement import selectors, services
from plenary.engagement.models import Question, Reflection, Response
from plenary.programmes.models import AgendaItem, Session
from plenary.registrations.models import Registration

pytestmark = pytest.mark.django_db


def register(programme, number: int, agency=None, attended: bool = True, **fields) -> Registration:
    """A registrant who attended every session (evaluations are for attendees by default, issue 18)."""
    registration = Registration.objects.create(
        programme=programme,
        email=f"person{number}@example.org",
        name_en=f"Person {number}",
        name_zh=f"參加者{number}",
        organisation=agency,
        **fields,
    )
    if attended:
        Attendance.objects.bulk_create(
            Attendance(registration=registration, session=session, minutes=60, present=True)
            for session in programme.sessions.all()
        )
    return registration


@pytest.fixture
def lecture(reference_programme) -> Session:
    return reference_programme.sessions.filter(kind=Session.Kind.LECTURE).first()


@pytest.fixture
def registrant(reference_programme, agencies) -> Registration:
    return register(reference_programme, 1, agencies[0])


@pytest.fixture
def console(organiser) -> Client:
    client = Client()
    client.force_login(organiser)
    return client


def rate(registration, survey, content, speaker, arrangements, comment=""):
    questions = list(survey.questions.all())
    return services.submit_response(
        registration=registration,
        survey=survey,
        answers={
            questions[0].pk: content,
            questions[1].pk: speaker,
            questions[2].pk: arrangements,
            questions[3].pk: comment,
        },
    )


def test_a_registrant_writes_a_reflection_from_their_private_page(client, registrant, lecture):
    url = f"/zh-hant/me/{registrant.token}/reflect/{lecture.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    assert lecture.title_zh in page.content.decode()
    response = client.post(url, {"text": "  學到很多。\r\nThank you.  ", "allow_publication": "on"})
    assert response.status_code == 302
    reflection = Reflection.objects.get(registration=registrant, session=lecture)
    assert reflection.text == "學到很多。\nThank you."
    assert reflection.allow_publication and not reflection.is_selected and not reflection.is_published


def test_a_reflection_over_the_length_limit_is_refused_with_a_message(client, registrant, lecture):
    response = client.post(f"/me/{registrant.token}/reflect/{lecture.pk}/", {"text": "x" * 2001})
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    assert not Reflection.objects.exists()


def test_a_wrong_or_cancelled_link_shows_not_found(client, registrant, lecture):
    assert client.get(f"/me/not-a-token/reflect/{lecture.pk}/").status_code == 404
    registrant.status = Registration.Status.CANCELLED
    registrant.save()
    assert client.get(f"/me/{registrant.token}/survey/{lecture.pk}/").status_code == 404


def test_a_reflection_containing_script_renders_as_text_everywhere(
    client, console, registrant, lecture, organiser
):
    text = '<script>alert("x")</script> <b>bold</b>'
    reflection = services.submit_reflection(
        registration=registrant, session=lecture, text=text, allow_publication=True
    )
    services.select_reflection(reflection, True, actor=organiser)
    services.publish_reflection(reflection, True, actor=organiser)
    pages = [
        console.get(f"/manage/p/{lecture.programme.slug}/reflections/").content.decode(),
        client.get(f"/p/{lecture.programme.slug}/").content.decode(),
        client.get(f"/me/{registrant.token}/reflect/{lecture.pk}/").content.decode(),
    ]
    for html in pages:
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "<script>alert" not in html
        assert "<b>bold</b>" not in html


def test_organisers_select_link_and_publish_a_reflection_with_consent(client, console, registrant, lecture):
    reflection = services.submit_reflection(
        registration=registrant, session=lecture, text="分享我的體會。", allow_publication=True
    )
    slug = lecture.programme.slug
    slot = AgendaItem.objects.filter(session__programme=lecture.programme, kind="sharing").first()
    base = f"/manage/p/{slug}/reflections/{reflection.pk}"
    assert console.post(f"{base}/publish/").status_code == 302
    reflection.refresh_from_db()
    assert not reflection.is_published  # not selected yet
    console.post(f"{base}/select/")
    console.post(f"{base}/link/", {"sharing_item": slot.pk})
    console.post(f"{base}/publish/")
    reflection.refresh_from_db()
    assert reflection.is_selected and reflection.sharing_item == slot and reflection.is_published
    public = client.get(f"/p/{slug}/").content.decode()
    assert "分享我的體會。" in public and slot.title_en in public

    # The writer withdraws consent: the reflection leaves the programme page at once.
    Client().post(f"/me/{registrant.token}/reflect/{lecture.pk}/", {"text": "分享我的體會。"})
    assert "分享我的體會。" not in client.get(f"/p/{slug}/").content.decode()


def test_a_reflection_without_consent_cannot_be_published(registrant, lecture, organiser):
    reflection = services.submit_reflection(
        registration=registrant, session=lecture, text="Private.", allow_publication=False
    )
    services.select_reflection(reflection, True, actor=organiser)
    with pytest.raises(services.ValidationError):
        services.publish_reflection(reflection, True, actor=organiser)
    assert list(selectors.published_reflections(lecture.programme)) == []


def test_organisers_filter_reflections_by_session_and_agency(console, reference_programme, agencies, lecture):
    other_lecture = reference_programme.sessions.filter(kind=Session.Kind.LECTURE)[1]
    first = register(reference_programme, 1, agencies[0])
    second = register(reference_programme, 2, agencies[1])
    services.submit_reflection(
        registration=first, session=lecture, text="First agency", allow_publication=False
    )
    services.submit_reflection(
        registration=second, session=other_lecture, text="Second agency", allow_publication=False
    )
    url = f"/manage/p/{reference_programme.slug}/reflections/"
    by_agency = console.get(url, {"agency": agencies[1].pk}).content.decode()
    assert "Second agency" in by_agency and "First agency" not in by_agency
    by_session = console.get(url, {"session": lecture.pk}).content.decode()
    assert "First agency" in by_session and "Second agency" not in by_session
    assert console.get(url, {"session": "nonsense"}).status_code == 200


def test_an_outsider_cannot_read_reflections_or_results(outsider, reference_programme, lecture):
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/manage/p/{reference_programme.slug}/reflections/").status_code == 404
    assert client.get(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/").status_code == 404


def test_each_session_gets_the_default_bilingual_evaluation(lecture):
    survey = services.ensure_survey(lecture)
    assert services.ensure_survey(lecture) == survey
    questions = list(survey.questions.all())
    assert [q.kind for q in questions] == ["rating", "rating", "rating", "text"]
    assert all(q.text_en and q.text_zh for q in questions)


def test_a_registrant_answers_the_evaluation_and_a_second_attempt_is_refused_kindly(
    client, registrant, lecture
):
    url = f"/zh-hant/me/{registrant.token}/survey/{lecture.pk}/"
    page = client.get(url).content.decode()
    assert 'lang="zh-Hant' in page and "講座內容有用嗎？" in page
    survey = lecture.survey
    questions = list(survey.questions.all())
    data = {
        f"q{questions[0].pk}": "5",
        f"q{questions[1].pk}": "4",
        f"q{questions[2].pk}": "3",
        f"q{questions[3].pk}": "很好",
    }
    first = client.post(url, data)
    assert first.status_code == 200
    second = client.post(url, {**data, f"q{questions[0].pk}": "1"})
    assert second.status_code == 200
    assert Response.objects.filter(registration=registrant).count() == 1
    assert sorted(Response.objects.get().answers.values_list("rating", flat=True), key=str) == [3, 4, 5, None]
    assert second.content.decode().count('role="status"') >= 1
    with pytest.raises(services.AlreadyAnswered):
        rate(registrant, survey, 1, 1, 1)


def test_a_missing_required_rating_is_reported_not_stored(client, registrant, lecture):
    url = f"/me/{registrant.token}/survey/{lecture.pk}/"
    client.get(url)
    response = client.post(url, {})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Response.objects.exists()


def test_results_match_hand_computed_averages_counts_and_rate(
    console, reference_programme, agencies, lecture
):
    people = [register(reference_programme, n, agencies[n % 3]) for n in range(1, 9)]  # 8 could answer
    survey = services.ensure_survey(lecture)
    rate(people[0], survey, 5, 5, 4, "Excellent")
    rate(people[1], survey, 4, 3, 4)
    rate(people[2], survey, 4, 5, 2, '=HYPERLINK("http://x")')
    rate(people[3], survey, 2, 4, 4)

    results = selectors.survey_results(survey)
    content, speaker, arrangements, comments = results.questions
    assert results.responses == 4 and results.eligible == 8 and results.response_rate == 50
    assert content.counts == {5: 1, 4: 2, 2: 1} and content.average == 3.75  # (5+4+4+2)/4
    assert speaker.average == 4.25  # (5+3+5+4)/4
    assert arrangements.average == 3.5  # (4+4+2+4)/4
    assert [share for _rating, _count, share in content.distribution] == [25, 50, 0, 25, 0]
    assert [answer.text for answer in comments.comments] == ["Excellent", '=HYPERLINK("http://x")']

    page = console.get(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/").content.decode()
    assert page.count('role="img"') == 3
    assert '<title id="chart-1-title">How useful was the content?</title>' in page
    assert "Average 3.75 out of 5 from 4 answers." in page
    assert "50.0%" in page
    overview = console.get(f"/manage/p/{reference_programme.slug}/surveys/").content.decode()
    assert "50.0%" in overview


def test_the_export_has_one_row_per_response_and_neutralises_formulas(
    console, reference_programme, agencies, lecture
):
    people = [register(reference_programme, n, agencies[0]) for n in range(1, 3)]
    survey = services.ensure_survey(lecture)
    rate(people[0], survey, 5, 4, 3, '=HYPERLINK("http://evil")')
    rate(people[1], survey, 1, 2, 3, "@SUM(A1)")
    response = console.get(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3
    assert rows[1][4:8] == (5, 4, 3, '\'=HYPERLINK("http://evil")')
    assert rows[2][7] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    summary = load_workbook(io.BytesIO(response.content))["Summary"]
    rows = list(summary.iter_rows(values_only=True))
    assert rows[0][:2] == ("Responses", 2)
    assert rows[5] == ("How useful was the content?", 2, 3, 1, 0, 0, 0, 1)  # (5 + 1) / 2


def test_a_question_with_answers_keeps_its_kind(console, reference_programme, registrant, lecture):
    survey = services.ensure_survey(lecture)
    rate(registrant, survey, 4, 4, 4)
    question = survey.questions.first()
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    data.update(
        {
            "form-0-id": question.pk,
            "form-0-order": 1,
            "form-0-kind": "text",
            "form-0-text_en": "Changed",
            "form-0-required": "on",
        }
    )
    response = console.post(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/questions/", data)
    assert response.status_code == 200
    assert "so its kind can no longer change" in response.content.decode()
    question.refresh_from_db()
    assert question.kind == "rating" and question.text_en == "How useful was the content?"


def test_organisers_edit_a_sessions_questions(console, reference_programme, lecture):
    survey = services.ensure_survey(lecture)
    questions = list(survey.questions.all())
    data = {
        "form-TOTAL_FORMS": "5",
        "form-INITIAL_FORMS": "4",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        data.update(
            {
                f"form-{index}-id": question.pk,
                f"form-{index}-order": question.order,
                f"form-{index}-kind": question.kind,
                f"form-{index}-text_en": question.text_en,
                f"form-{index}-text_zh": question.text_zh,
                f"form-{index}-required": "on" if question.required else "",
            }
        )
    data["form-3-DELETE"] = "on"
    data.update(
        {
            "form-4-order": "5",
            "form-4-kind": "rating",
            "form-4-text_en": "Would you recommend it?",
            "form-4-text_zh": "您會推薦嗎？",
            "form-4-required": "on",
        }
    )
    response = console.post(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/questions/", data)
    assert response.status_code == 302
    assert list(survey.questions.values_list("text_en", flat=True))[-1] == "Would you recommend it?"
    assert survey.questions.count() == 4
    assert not survey.questions.filter(kind=Question.Kind.TEXT).exists()


def test_registrants_are_emailed_their_evaluation_link_in_their_language(
    console, reference_programme, lecture, mailoutbox, django_capture_on_commit_callbacks
):
    chinese = register(reference_programme, 1, language="zh-hant")
    english = register(reference_programme, 2)
    answered = register(reference_programme, 3)
    rate(answered, services.ensure_survey(lecture), 3, 3, 3)
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/invite/")
    by_address = {message.to[0]: message for message in mailoutbox}
    assert set(by_address) == {chinese.email, english.email}
    assert f"/zh-hant/me/{chinese.token}/survey/{lecture.pk}/" in by_address[chinese.email].body
    assert lecture.title_zh in by_address[chinese.email].body
    assert f"/me/{english.token}/survey/{lecture.pk}/" in by_address[english.email].body


def test_the_feedback_page_lists_what_the_registrant_has_given(client, registrant, lecture):
    services.submit_reflection(registration=registrant, session=lecture, text="Done", allow_publication=False)
    page = client.get(f"/me/{registrant.token}/feedback/").content.decode()
    assert f"/me/{registrant.token}/reflect/{lecture.pk}/" in page
    assert f"/me/{registrant.token}/survey/{lecture.pk}/" in page


def test_organisers_close_and_reopen_an_evaluation_from_the_console(
    client, console, reference_programme, registrant, lecture, mailoutbox, django_capture_on_commit_callbacks
):
    from plenary.core.models import AuditEntry

    base = f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}"
    survey_page = f"/me/{registrant.token}/survey/{lecture.pk}/"
    assert client.get(survey_page).status_code == 200

    closed = console.post(f"{base}/state/", {"open": "0"}, follow=True)
    assert "The evaluation is closed" in closed.content.decode()
    assert "Reopen the evaluation" in closed.content.decode()
    assert "Email the evaluation link" not in closed.content.decode()
    assert client.get(survey_page).status_code == 404
    # A link asked for before it closed is not sent after.
    with django_capture_on_commit_callbacks(execute=True):
        console.post(f"{base}/invite/")
    assert mailoutbox == []

    console.post(f"{base}/state/", {"open": "1"})
    assert client.get(survey_page).status_code == 200
    summaries = list(
        AuditEntry.objects.filter(
            programme=reference_programme, summary__startswith="Evaluation"
        ).values_list("summary", flat=True)
    )
    assert sorted(summaries) == ["Evaluation closed", "Evaluation opened"]
    assert console.post(f"{base}/state/", {"open": "maybe"}).status_code == 404


def test_an_outsider_cannot_close_an_evaluation(outsider, reference_programme, lecture):
    client = Client()
    client.force_login(outsider)
    response = client.post(f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/state/", {"open": "0"})
    assert response.status_code in (403, 404)
    assert services.ensure_survey(lecture).is_open


def test_only_people_who_attended_may_evaluate_unless_the_survey_says_otherwise(
    client, reference_programme, lecture, console
):
    absent = register(reference_programme, 77, attended=False)
    present = register(reference_programme, 78)
    survey = services.ensure_survey(lecture)
    assert survey.attendees_only  # the default
    assert client.get(f"/me/{absent.token}/survey/{lecture.pk}/").status_code == 404
    with pytest.raises(services.ValidationError, match="people who attended"):
        rate(absent, survey, 5, 5, 5)
    feedback = client.get(f"/me/{absent.token}/feedback/").content.decode()
    assert "For those who attended" in feedback
    assert f"/me/{absent.token}/survey/{lecture.pk}/" not in feedback
    assert client.get(f"/me/{present.token}/survey/{lecture.pk}/").status_code == 200
    assert (
        selectors.eligible_count(lecture) == Attendance.objects.filter(session=lecture, present=True).count()
    )

    # The organiser opens it to everyone registered, from the console (audited), and back.
    url = f"/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/state/"
    page = console.post(url, {"attendees_only": "0"}, follow=True).content.decode()
    assert "Everyone registered may answer." in page
    survey.refresh_from_db()
    assert not survey.attendees_only
    lecture.refresh_from_db()
    rate(absent, survey, 4, 4, 4)
    assert console.post(url, {"attendees_only": "maybe"}).status_code == 404


def test_the_reflections_console_shows_a_page_at_a_time_with_the_filters_kept(
    console, reference_programme, agencies, lecture
):
    from plenary.engagement import console as engagement_console

    total = engagement_console.REFLECTIONS_PAGE + 3
    for number in range(total):
        services.submit_reflection(
            registration=register(reference_programme, 100 + number, agencies[0]),
            session=lecture,
            text=f"Reflection number {number:03d}.",
            allow_publication=False,
        )
    url = f"/manage/p/{reference_programme.slug}/reflections/"
    first = console.get(url, {"session": lecture.pk}).content.decode()
    shown = first.count("Reflection number ")
    assert shown == engagement_console.REFLECTIONS_PAGE
    assert f"{total} reflections" in first
    assert f"session={lecture.pk}&amp;page=2" in first
    second = console.get(url, {"session": lecture.pk, "page": 2}).content.decode()
    assert second.count("Reflection number ") == 3
    every = {f"Reflection number {number:03d}." for number in range(total)}
    assert {text for text in every if text in first or text in second} == every
    assert console.get(url, {"page": "999"}).status_code == 200  # past the end: the last page
