"""The composed release states the seed release's facts from data, in both languages, and follows the data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from plenary.media.models import Photo
from plenary.organisations.models import Organisation
from plenary.programmes.models import AgendaItem, Session, Speaker
from plenary.publicity import services, wording
from plenary.registrations.models import Registration

pytestmark = pytest.mark.django_db
HK = ZoneInfo("Asia/Hong_Kong")


def add_registrants(programme, count: int, start: int = 0) -> None:
    Registration.objects.bulk_create(
        [
            Registration(
                programme=programme,
                email=f"person{number}@example.org",
                name_en=f"Sample Person {number}",
                reference=f"T{number:08d}",
                token=f"token-{number}",
                pass_code=f"pass-{number}",
            )
            for number in range(start, start + count)
        ],
        batch_size=500,
    )


@pytest.fixture
def programme(reference_programme):
    add_registrants(reference_programme, 2046)
    return reference_programme


def test_english_draft_states_every_fact_of_the_seed_release(programme):
    release = services.compose_release(programme)
    text = release.title_en + "\n" + release.body_en
    for organiser in [
        "The Labour and Welfare Bureau, ",
        "the Department of Social Affairs of the Liaison Office of the Central People's Government in the "
        "Hong Kong Special Administrative Region",
        "the Social Welfare Department",
        "the Hong Kong Social Welfare Sector Joint Action Against COVID-19 jointly organised",
    ]:
        assert organiser in text
    assert "training workshops on the spirit of the 20th National Congress" in text
    assert "from November 20 to 29." in text
    assert "was held on December 3 in hybrid mode in both physical and online formats" in text
    assert "The commencement ceremony of the training workshops" in text and "held on November 20." in text
    assert "Five online lectures were delivered." in text
    assert (
        "The topics included the essence of the spirit of the 20th National Congress of the CPC, political "
        "capacity building of the CPC, current status of the Mainland's social work development and poverty "
        "alleviation work." in text
    )
    assert "more than 2 000 registrants" in text
    assert (
        "The Secretary for Labour and Welfare, Mr Chris Sun, and the Director of Social Welfare, Miss Charmaine "
        "Lee, attended the session in person" in text
    )
    assert "More than ten members from the management" in text
    assert release.title_en.startswith("Summary and sharing session of training workshops")
    assert release.status == "draft" and release.slug


def test_chinese_draft_states_the_same_facts(programme):
    release = services.compose_release(programme)
    text = release.title_zh + "\n" + release.body_zh
    assert (
        "勞工及福利局、中央人民政府駐香港特別行政區聯絡辦公室社會工作部、社會福利署及香港社福界抗疫聯合行動"
        "於11月20日至29日合辦" in text
    )
    assert "總結分享會於12月3日以實體及網上混合模式舉行" in text
    assert "開幕典禮已於11月20日舉行" in text
    assert "五場網上講座" in text
    assert (
        "中國共產黨第二十次全國代表大會精神要義、中國共產黨的政治能力建設、內地社會工作發展現況及扶貧工作"
        in text
    )
    assert "超過2 000名" in text
    assert "勞工及福利局局長孫玉菡先生及社會福利署署長李佩詩女士親身出席" in text
    assert "超過十名" in text
    assert release.title_zh.endswith("總結分享會圓滿結束")


def test_the_draft_follows_the_data(programme):
    add_registrants(programme, 3500 - 2046, start=5000)
    Session.objects.create(
        programme=programme,
        kind=Session.Kind.LECTURE,
        mode=Session.Mode.ONLINE,
        title_en="Lecture 6: Community care in an ageing society",
        title_zh="第6講：高齡社會的社區照顧",
        starts_at=datetime(2022, 11, 30, 14, 30, tzinfo=HK),
        ends_at=datetime(2022, 11, 30, 16, 30, tzinfo=HK),
    )
    sharing = programme.sessions.get(kind=Session.Kind.SHARING)
    official = Speaker.objects.create(
        programme=programme,
        honorific=Speaker.Honorific.DR,
        name_en="Sample Official",
        name_zh="示例官員",
        post_en="Under Secretary for Sample Affairs",
        post_zh="示例事務局副局長",
        is_official=True,
    )
    sharing.speakers.add(official)
    # Two more managers share: twelve become thirteen.
    for number in (1, 2):
        manager = Speaker.objects.create(programme=programme, name_en=f"Extra manager {number}")
        AgendaItem.objects.create(
            session=sharing,
            order=100 + number,
            kind=AgendaItem.Kind.SHARING,
            title_en="Reflections",
            speaker=manager,
        )
    release = services.compose_release(programme)
    assert "more than 3 000 registrants" in release.body_en
    assert "登記人數超過3 000名" in release.body_zh
    assert "Six online lectures were delivered." in release.body_en
    assert "from November 20 to 30." in release.body_en
    assert "and community care in an ageing society." in release.body_en
    assert "六場網上講座" in release.body_zh and "及高齡社會的社區照顧" in release.body_zh
    assert (
        "the Director of Social Welfare, Miss Charmaine Lee, and the Under Secretary for Sample Affairs, "
        "Dr Sample Official, attended" in release.body_en
    )
    assert "社會福利署署長李佩詩女士及示例事務局副局長示例官員博士親身出席" in release.body_zh
    assert "More than ten members" in release.body_en

    # Fewer facts: no officials, exactly ten managers, a closing session that is only online.
    sharing.speakers.clear()
    AgendaItem.objects.filter(session=sharing, speaker__is_official=True).delete()
    AgendaItem.objects.filter(session=sharing, order__gt=100).delete()
    AgendaItem.objects.filter(session=sharing, kind=AgendaItem.Kind.SHARING).order_by(
        "-order"
    ).first().delete()
    Session.objects.filter(pk=sharing.pk).update(mode=Session.Mode.ONLINE)
    Registration.objects.filter(programme=programme).exclude(email__startswith="person1").delete()
    release = services.compose_release(programme)
    assert "attended the session in person" not in release.body_en
    assert "Ten members from the management" in release.body_en
    assert "was held on December 3 online." in release.body_en
    assert release.slug != services.compose_release(programme).slug


def test_lectures_without_a_topic_are_not_listed_and_named_lecturers_are(programme):
    lecture = programme.sessions.get(title_en__startswith="Lecture 2")
    academic = Speaker.objects.create(
        programme=programme,
        honorific=Speaker.Honorific.PROF,
        name_en="Sample Scholar",
        name_zh="示例學者",
        post_en="Professor of Social Work, Sample University",
        post_zh="示例大學社會工作教授",
        organisation=Organisation.objects.get(acronym="SISWE"),
    )
    lecture.speakers.add(academic)
    release = services.compose_release(programme)
    assert (
        "were delivered by the Professor of Social Work, Sample University, Professor Sample Scholar."
        in release.body_en
    )
    assert "由示例大學社會工作教授示例學者教授主講五場網上講座" in release.body_zh
    assert "Lecture 5" not in release.body_en and "第5講" not in release.body_zh


def test_staff_remarks_and_photo_captions_are_composed_in(programme, organiser):
    from plenary.media.services import upload_photo
    from tests.media.images import jpeg

    sharing = programme.sessions.get(kind=Session.Kind.SHARING)
    photo = upload_photo(session=sharing, data=jpeg(), filename="x.jpg")
    Photo.objects.filter(pk=photo.pk).update(
        caption_en="The Secretary for Labour and Welfare, Mr Chris Sun, speaking at the session.",
        caption_zh="勞工及福利局局長孫玉菡先生在分享會上致辭。",
        published=True,
        people_consent=True,
    )
    photo.refresh_from_db()
    release = services.compose_release(programme, actor=organiser, photos=[photo])
    sun = programme.speakers.get(name_en="Chris Sun")
    services.set_remark(
        release,
        sun,
        text_en="Mr Sun said in his remarks that …",
        text_zh="孫玉菡在致辭時表示……",
        actor=organiser,
    )
    services.recompose_release(release, actor=organiser)
    assert release.title_en.endswith("concludes successfully (with photos)")
    assert release.title_zh.endswith("（附圖）")
    paragraphs = release.paragraphs("en")
    assert paragraphs[2] == "Mr Sun said in his remarks that …"
    assert (
        paragraphs[-1]
        == "Photo shows the Secretary for Labour and Welfare, Mr Chris Sun, speaking at the session."
    )
    assert release.paragraphs("zh-hant")[-1] == "圖示勞工及福利局局長孫玉菡先生在分享會上致辭。"


@pytest.mark.parametrize(
    ("count", "english", "chinese"),
    [(2046, "more than 2 000", "超過2 000"), (3500, "more than 3 000", "超過3 000"), (3000, "3 000", "3 000"),
     (850, "more than 800", "超過800"), (12345, "more than 12 000", "超過12 000"), (42, "42", "42")],
)  # fmt: skip
def test_registrants_in_house_style(count, english, chinese):
    assert wording.registrants_en(count) == english
    assert wording.registrants_zh(count) == chinese


@pytest.mark.parametrize(
    ("count", "english", "chinese"),
    [(11, "more than ten", "超過十"), (10, "ten", "十"), (7, "seven", "七"), (23, "more than twenty", "超過二十"),
     (30, "thirty", "三十")],
)  # fmt: skip
def test_people_counts_in_words(count, english, chinese):
    assert wording.people_en(count) == english
    assert wording.people_zh(count) == chinese


def test_remarks_reach_the_text_and_edits_persist_until_composing_again(programme, organiser, client):
    release = services.compose_release(programme, actor=organiser)
    edited = release.body_en.replace("overwhelming response", "warm response")
    services.update_release(release, actor=organiser, body_en=edited + "\n\nAn organiser's own closing line.")
    sun = programme.speakers.get(name_en="Chris Sun")
    services.set_remark(
        release, sun, text_en="Mr Sun thanked the sector.", text_zh="孫玉菡感謝業界。", actor=organiser
    )
    release.refresh_from_db()
    paragraphs = release.paragraphs("en")
    assert paragraphs[2] == "Mr Sun thanked the sector."  # where the composer puts remarks
    assert "warm response" in release.body_en and paragraphs[-1] == "An organiser's own closing line."
    assert "孫玉菡感謝業界。" in release.body_zh
    # A changed remark replaces its earlier wording, once.
    services.set_remark(
        release, sun, text_en="Mr Sun thanked everyone.", text_zh="孫玉菡感謝各位。", actor=organiser
    )
    release.refresh_from_db()
    assert "Mr Sun thanked everyone." in release.body_en and "thanked the sector" not in release.body_en
    assert release.body_en.count("Mr Sun thanked") == 1
    services.publish_release(release, actor=organiser)
    page = client.get(f"/news/{release.slug}/").content.decode()
    assert "Mr Sun thanked everyone." in page and "warm response" in page
    # Composing again is the organiser's choice: it rewrites the text from the data (remarks kept).
    services.recompose_release(release, actor=organiser)
    assert "warm response" not in release.body_en and "Mr Sun thanked everyone." in release.body_en
