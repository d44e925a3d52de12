import pytest
from django.utils.translation import override

from plenary.programmes.models import Programme, Speaker


@pytest.mark.django_db
def test_programme_page_shows_the_reference_programme_in_english(client, reference_programme):
    response = client.get(f"/p/{reference_programme.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Training workshops on the spirit of the 20th National Congress" in html
    for organiser in (
        "Labour and Welfare Bureau",
        "Social Welfare Department",
        "Hong Kong Social Welfare Sector Joint Action Against COVID-19",
        "Department of Social Affairs of the Liaison Office",
    ):
        assert organiser in html
    assert "Commencement ceremony" in html
    assert html.count('class="session"') == 7
    assert "Lecture 4: Poverty alleviation work" in html
    assert "does not name this lecture" in html
    assert "Mr Chris Sun, Secretary for Labour and Welfare" in html
    assert "Miss Charmaine Lee, Director of Social Welfare" in html
    # Times are shown in Hong Kong time: the sharing session starts at 14:30 local (06:30 UTC).
    assert "14:30" in html


@pytest.mark.django_db
def test_programme_page_in_traditional_chinese(client, reference_programme):
    response = client.get(f"/zh-hant/p/{reference_programme.slug}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="zh-Hant-HK"' in html
    assert "社會福利界學習中國共產黨第二十次全國代表大會精神培訓工作坊" in html
    assert "勞工及福利局" in html and "社會福利署" in html
    assert "勞工及福利局局長孫玉菡先生" in html and "社會福利署署長李佩詩女士" in html
    assert "主辦機構" in html  # the "Organisers" heading, translated
    assert "開幕典禮" in html


@pytest.mark.django_db
def test_language_switch_links_to_the_same_page_in_the_other_language(client, reference_programme):
    html = client.get(f"/p/{reference_programme.slug}/").content.decode()
    assert f'href="/zh-hant/p/{reference_programme.slug}/"' in html
    html = client.get(f"/zh-hant/p/{reference_programme.slug}/").content.decode()
    assert f'href="/p/{reference_programme.slug}/"' in html


@pytest.mark.django_db
def test_draft_programmes_are_not_public(client, reference_programme):
    reference_programme.status = Programme.Status.DRAFT
    reference_programme.save()
    assert client.get(f"/p/{reference_programme.slug}/").status_code == 404
    assert reference_programme.title_en not in client.get("/").content.decode()


@pytest.mark.django_db
def test_honorifics_follow_each_languages_convention(reference_programme):
    sun = Speaker.objects.get(name_en="Chris Sun")
    assert sun.display_name_en == "Mr Chris Sun"
    assert sun.display_name_zh == "孫玉菡先生"
    assert sun.with_post_en == "the Secretary for Labour and Welfare, Mr Chris Sun"
    assert sun.with_post_zh == "勞工及福利局局長孫玉菡先生"
    with override("zh-hant"):
        assert sun.display_name == "孫玉菡先生"
    with override("en"):
        assert sun.display_name == "Mr Chris Sun"


@pytest.mark.django_db
def test_unknown_pages_answer_404_in_the_users_language(client):
    response = client.get("/zh-hant/p/no-such-programme/")
    assert response.status_code == 404
    assert "找不到" in response.content.decode()
