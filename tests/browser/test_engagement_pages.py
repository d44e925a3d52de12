"""Reflections and evaluations in a real browser: a registrant in Traditional Chinese, then the organiser."""

import pytest
from playwright.sync_api import expect

from plenary.attendance.models import Attendance
from plenary.engagement.models import Reflection, Response
from plenary.programmes import selectors
from plenary.programmes.models import Session
from plenary.registrations.models import Registration
from plenary.site.demo import DEMO_PASSWORD
from tests.browser.axe import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()


def test_a_reflection_and_an_evaluation_in_chinese_reach_the_console_and_the_programme_page(
    page, live_server, reference_programme, agencies
):
    registrant = Registration.objects.create(
        programme=reference_programme,
        email="chan@example.org",
        name_en="Chan Siu Ling",
        name_zh="陳小玲",
        organisation=agencies[0],
        language="zh-hant",
    )
    lecture = reference_programme.sessions.filter(kind=Session.Kind.LECTURE).first()
    # Evaluations are for the people who attended (issue 18): she watched the lecture.
    Attendance.objects.create(registration=registrant, session=lecture, minutes=120, present=True)
    reflection_text = "講座令我反思社區服務的方向。<script>alert(1)</script>"

    page.goto(f"{live_server.url}/zh-hant/me/{registrant.token}/reflect/{lecture.pk}/")
    assert page.locator("html").get_attribute("lang") == "zh-Hant-HK"
    assert lecture.title_zh in page.locator("h1").inner_text()
    assert_accessible(page)
    page.fill("#id_text", reflection_text)
    page.check("#id_allow_publication")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/zh-hant/me/{registrant.token}/feedback/")
    assert_accessible(page)
    assert Reflection.objects.get(registration=registrant).text == reflection_text

    page.goto(f"{live_server.url}/zh-hant/me/{registrant.token}/survey/{lecture.pk}/")
    assert page.get_by_text("講座內容有用嗎？").is_visible()
    assert_accessible(page)
    questions = list(lecture.survey.questions.all())
    for question, rating in zip(questions[:3], ["5", "4", "3"], strict=True):
        page.locator(f"input[name=q{question.pk}][value='{rating}']").check()
    page.fill(f"#id_q{questions[3].pk}", "安排妥善，謝謝。")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert page.locator("[role=status]").is_visible()
    assert Response.objects.filter(registration=registrant).count() == 1

    sign_in(page, live_server, "organiser")
    page.goto(f"{live_server.url}/manage/p/{reference_programme.slug}/reflections/")
    assert_accessible(page)
    card = page.locator("article.reflection-card").first
    assert "<script>alert(1)</script>" in card.locator(".reflection-text").inner_text()
    with page.expect_navigation():
        card.locator("form[action$='/select/'] button").click()
    with page.expect_navigation():
        page.locator("article.reflection-card").first.locator("form[action$='/publish/'] button").click()
    assert Reflection.objects.get(registration=registrant).is_published

    page.goto(f"{live_server.url}/zh-hant/p/{reference_programme.slug}/")
    published = page.locator("section.published-reflections")
    assert "講座令我反思社區服務的方向。<script>alert(1)</script>" in published.inner_text()
    assert "陳小玲" in published.inner_text()
    assert_accessible(page)

    page.goto(f"{live_server.url}/manage/p/{reference_programme.slug}/surveys/{lecture.pk}/")
    charts = page.locator("svg[role=img]")
    assert charts.count() == 3
    assert "5 ★" in charts.first.inner_html()
    assert page.locator("table.distribution").first.is_visible()
    assert page.get_by_text("安排妥善，謝謝。").is_visible()
    assert_accessible(page)


def test_an_organiser_reorders_the_run_down_by_dragging_and_by_keyboard(
    page, live_server, reference_programme
):
    sharing = reference_programme.sessions.get(kind=Session.Kind.SHARING)
    sign_in(page, live_server, "organiser")
    page.goto(f"{live_server.url}/manage/p/{reference_programme.slug}/sessions/{sharing.pk}/rundown/")
    assert_accessible(page)
    photo = sharing.agenda_items.get(title_en="Group photo")
    welcome = sharing.agenda_items.get(title_en="Welcome")
    page.set_viewport_size({"width": 1280, "height": 2400})  # both rows on screen for the mouse
    page.locator(f"#item-{photo.pk}").drag_to(page.locator(f"#item-{welcome.pk}"))
    expect(page.locator("tbody tr").first).to_have_id(f"item-{photo.pk}")
    assert selectors.rundown(sharing)[0]["item"] == photo
    assert page.locator(f"#item-{welcome.pk} td").nth(1).inner_text().startswith("14:40")

    # Keyboard: tab to the button and press Enter; the page reloads with the new order.
    button = page.locator(f"#item-{welcome.pk} form:has(input[value=up]) button")
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("tbody tr").first).to_have_id(f"item-{welcome.pk}")
    assert selectors.rundown(sharing)[0]["item"] == welcome
    assert page.locator("[role=status]").first.inner_text() != ""
