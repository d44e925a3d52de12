"""The composer writes grammatical English and Chinese for any programme shape (issue 18): generated
programmes of one to many sessions of any kind and mode, online only, in person only, without a sharing
session, over several venues, with 0 to 200 000 registrants. Every session is mentioned, no template
fragment or raw code leaks, and the numbers are true ("more than 2 000" only when there are more)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from plenary.organisations.models import Organisation
from plenary.programmes.models import Programme, Session, Venue
from plenary.publicity import composer, wording
from plenary.publicity.selectors import LECTURE_PREFIX_EN, LECTURE_PREFIX_ZH, build_facts, lecture_topic

HK = ZoneInfo("Asia/Hong_Kong")
START = date(2027, 3, 1)

PROGRAMMES = [
    ("Carers Support Training 2027", "照顧者支援培訓2027"),
    ("Training workshops on community care for older people", "長者社區照顧培訓工作坊"),
    ("Digital Skills for Frontline Social Workers", "前線社工數碼技能培訓"),
    ("Seminar series on youth mental health", "青少年精神健康講座系列"),
]
TITLES = {
    Session.Kind.LECTURE: [("Lecture {n}: {topic}", "第{n}講：{topic_zh}"), ("Lecture: {topic}", "講座：{topic_zh}"),
                           ("{Topic}", "{topic_zh}")],
    Session.Kind.SHARING: [("Summary and sharing session", "總結分享會"),
                           ("Sharing: {topic} together", "分享：{topic_zh}")],
    Session.Kind.CEREMONY: [("Opening ceremony", "開幕典禮"), ("Welcome: {topic}", "歡迎：{topic_zh}")],
    Session.Kind.WORKSHOP: [("Hands-on {topic}", "{topic_zh}實務工作坊")],
    Session.Kind.OTHER: [("Visit to {topic}", "參觀{topic_zh}")],
}  # fmt: skip
TOPICS = ["caring at home", "ageing in place", "family resilience", "dementia care", "community networks",
          "budget planning", "peer support", "policy briefing", "case conferencing", "self care"]  # fmt: skip
TOPICS_ZH = ["居家照顧", "原居安老", "家庭抗逆力", "認知障礙症照顧", "社區網絡", "預算規劃", "朋輩支援",
             "政策簡介", "個案會議", "自我照顧"]  # fmt: skip
VENUES = [
    ("Central Library Hall", "中央圖書館演講廳"),
    ("Sha Tin Town Hall", "沙田大會堂"),
    ("Youth Centre", "青年中心"),
]

session_shape = st.tuples(
    st.sampled_from(list(Session.Kind)),
    st.sampled_from(list(Session.Mode)),
    st.integers(0, 13),  # day of the programme
    st.integers(0, 2),  # title pattern
    st.integers(0, 2),  # venue
)
shapes = st.fixed_dictionaries(
    {
        "programme": st.sampled_from(PROGRAMMES),
        "sessions": st.lists(session_shape, min_size=1, max_size=9),
        "organisers": st.integers(0, 3),
        "registrants": st.one_of(
            st.sampled_from([0, 1, 2, 5, 10, 11, 99, 100, 101, 999, 1000, 1001, 2000, 2046, 99_999, 100_000]),
            st.integers(0, 200_000),
        ),
        "mode": st.sampled_from(["any", "online", "in_person"]),
    }
)


def build(shape):
    title_en, title_zh = shape["programme"]
    programme = Programme(pk=1, title_en=title_en, title_zh=title_zh, time_zone="Asia/Hong_Kong",
                          starts_on=START, ends_on=START + timedelta(days=13))  # fmt: skip
    venues = [
        Venue(pk=index + 1, name_en=en, name_zh=zh, capacity=50) for index, (en, zh) in enumerate(VENUES)
    ]
    sessions = []
    for index, (kind, mode, day, pattern, venue) in enumerate(shape["sessions"]):
        if shape["mode"] != "any":
            mode = shape["mode"]
        options = TITLES[kind]
        en, zh = options[pattern % len(options)]
        topic, topic_zh = TOPICS[index % len(TOPICS)], TOPICS_ZH[index % len(TOPICS_ZH)]
        session = Session(
            pk=index + 1,
            programme=programme,
            kind=kind,
            mode=mode,
            title_en=en.format(n=index + 1, topic=topic, Topic=topic.capitalize()),
            title_zh=zh.format(n=index + 1, topic_zh=topic_zh),
            starts_at=datetime(START.year, START.month, START.day + day, 10, tzinfo=HK),
            ends_at=datetime(START.year, START.month, START.day + day, 12, tzinfo=HK),
        )
        if mode != Session.Mode.ONLINE:
            session.venue = venues[venue]
        sessions.append(session)
    sessions.sort(key=lambda s: (s.starts_at, s.pk))
    organisers = [
        Organisation(pk=n + 1, name_en=name, name_zh=name_zh)
        for n, (name, name_zh) in enumerate(
            [("Social Welfare Department", "社會福利署"), ("Carers Alliance", "照顧者聯盟"),
             ("The Hong Kong Council of Social Service", "香港社會服務聯會")][: shape["organisers"]]
        )
    ]  # fmt: skip
    facts = build_facts(programme, sessions, organisers=organisers, registrants=shape["registrants"])
    return sessions, facts, composer.compose(facts)


LEAKS = re.compile(r"\{|\}|%\(|<|>|\bNone\b|\bTrue\b|\bFalse\b|\bin_person\b|\b(?:ceremony|lecture|sharing|workshop|other|online|hybrid)_|\s[.,;:]|\.\.|  ")  # fmt: skip


def registrant_claim_en(text: str):
    match = re.search(r"(more than )?([\d ]+) registrants", text)
    if match:
        return bool(match.group(1)), int(match.group(2).replace(" ", ""))
    match = re.search(r"(?:^|[.\n] ?)(More than )?(\S+) (?:person|people) registered\.", text)
    if match:
        figure = match.group(2).strip().lower()
        words = {wording.words_en(n): n for n in range(100)}
        return bool(match.group(1)), words[figure] if figure in words else int(figure.replace(" ", ""))
    return None


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(shapes)
def test_every_shape_reads_true_in_both_languages(shape):
    sessions, facts, draft = build(shape)
    english = f"{draft.title_en}\n\n{draft.body_en}"
    chinese = f"{draft.title_zh}\n\n{draft.body_zh}"

    for session in sessions:
        if session.kind == Session.Kind.LECTURE:
            needle_en = lecture_topic(session.title_en, LECTURE_PREFIX_EN)
            needle_zh = lecture_topic(session.title_zh, LECTURE_PREFIX_ZH)
        else:
            needle_en, needle_zh = session.title_en, session.title_zh
        assert needle_en.lower() in english.lower(), (session.title_en, english)
        assert needle_zh in chinese, (session.title_zh, chinese)

    assert not LEAKS.search(english), english
    assert not LEAKS.search(chinese), chinese
    for paragraph in draft.body_en.split("\n\n"):
        assert paragraph[0].isupper() and paragraph.endswith("."), paragraph
    for paragraph in draft.body_zh.split("\n\n"):
        assert paragraph.endswith("。"), paragraph
        assert not re.search(r"\b(?:the|and|of|was|were)\b", paragraph), paragraph
    assert "。。" not in chinese and "，，" not in chinese

    # Grammar that follows the numbers.
    assert ("jointly organised" in english) == (shape["organisers"] > 1)
    lectures = [s for s in sessions if s.kind == Session.Kind.LECTURE]
    if len(lectures) == 1:
        assert re.search(r"One (?:online )?lecture was delivered\.", english), english
    elif lectures:
        assert (
            f"{wording.words_en(len(lectures)).capitalize()} " in english
            and "lectures were delivered" in english
        )
        assert f"{wording.measure_zh(len(lectures))}場" in chinese

    # The registrants: true, rounded down, "more than" only when there are more.
    count = shape["registrants"]
    claim = registrant_claim_en(english)
    if count == 0:
        assert claim is None and "登記" not in chinese
    else:
        more, figure = claim
        assert figure <= count and (figure < count) == more, (count, claim)
        unit = 1000 if count >= 1000 else 100 if count >= 100 else 10
        assert count - figure < unit  # rounded down to the thousand or hundred, never further
        assert ("person registered" in english) == (count == 1)
        zh = re.search(r"(?:登記人數|共有)(超過)?([\d 零一二三四五六七八九十]+?)(?:名|人登記)", chinese)
        assert zh and bool(zh.group(1)) == more, chinese


def test_a_first_real_programme_reads_well():
    """The shape of the issue: one lecture and one workshop, a sharing session with a title of its own."""
    shape = {
        "programme": PROGRAMMES[0],
        "sessions": [
            (Session.Kind.LECTURE, Session.Mode.ONLINE, 0, 1, 0),
            (Session.Kind.WORKSHOP, Session.Mode.IN_PERSON, 2, 0, 1),
            (Session.Kind.SHARING, Session.Mode.HYBRID, 5, 1, 0),
        ],
        "organisers": 1,
        "registrants": 5,
        "mode": "any",
    }
    _sessions, _facts, draft = build(shape)
    assert draft.title_en == "Carers Support Training 2027 concludes successfully"
    assert draft.title_zh == "照顧者支援培訓2027圓滿結束"
    assert (
        "The Social Welfare Department organised the Carers Support Training 2027 on March 1."
        in draft.body_en
    )
    assert "The topic was family resilience." not in draft.body_en  # the lecture's own topic, not another's
    assert "The topic was caring at home." in draft.body_en
    assert "“Hands-on ageing in place” on March 3 at Sha Tin Town Hall" in draft.body_en
    assert "Five people registered." in draft.body_en
    assert "overwhelming" not in draft.body_en
    assert "lecture:" not in draft.body_en.lower()
    assert "共有五人登記參加。" in draft.body_zh
