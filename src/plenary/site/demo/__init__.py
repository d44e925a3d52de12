"""The reference programme (sessions, venues and bodies written in this package), loaded idempotently for the demo.

Facts from the press release are used as they are. Everything the release does not state
(member agencies, managers who shared, exact lecture dates and times, the venue, registrants)
is synthetic and marked as such: agency names start with "Sample", managers' names end with
"(sample)".
"""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import transaction

from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import AgendaItem, CoOrganiser, Programme, Session, Speaker, Venue

HK = ZoneInfo("Asia/Hong_Kong")
PROGRAMME_SLUG = "sw-20th-congress-workshops-2022"
DEMO_PASSWORD = "plenary-demo"  # noqa: S105 - a local demo's published password

CO_ORGANISERS = [
    ("Labour and Welfare Bureau", "勞工及福利局", "LWB", Organisation.Kind.GOVERNMENT, False),
    (
        "Department of Social Affairs of the Liaison Office of the Central People's Government "
        "in the Hong Kong Special Administrative Region",
        "中央人民政府駐香港特別行政區聯絡辦公室社會工作部",
        "LOCPG-DSA",
        Organisation.Kind.GOVERNMENT,
        False,
    ),
    ("Social Welfare Department", "社會福利署", "SWD", Organisation.Kind.GOVERNMENT, False),
    # The coalition's Chinese name is not confirmed from a public source: a working translation.
    (
        "Hong Kong Social Welfare Sector Joint Action Against COVID-19",
        "香港社福界抗疫聯合行動",
        "SWJA",
        Organisation.Kind.COALITION,
        True,
    ),
]

LECTURE_TOPICS = [
    (
        "The essence of the spirit of the 20th National Congress of the CPC",
        "中國共產黨第二十次全國代表大會精神要義",
    ),
    ("Political capacity building of the CPC", "中國共產黨的政治能力建設"),
    ("Current status of the Mainland's social work development", "內地社會工作發展現況"),
    ("Poverty alleviation work", "扶貧工作"),
    (None, None),  # the release names four topics for five lectures
]
# Synthetic: the release says only "from November 20 to 29".
LECTURE_DAYS = [
    date(2022, 11, 20),
    date(2022, 11, 22),
    date(2022, 11, 24),
    date(2022, 11, 26),
    date(2022, 11, 29),
]

PLACES = [
    ("Harbourview", "海景"),
    ("Lion Rock", "獅子山"),
    ("Tsing Yi", "青衣"),
    ("Shek Kip Mei", "石硤尾"),
    ("Sai Kung", "西貢"),
    ("Tai Po", "大埔"),
    ("Tuen Mun", "屯門"),
    ("Kwun Tong", "觀塘"),
    ("Wan Chai", "灣仔"),
    ("Sham Shui Po", "深水埗"),
    ("Yuen Long", "元朗"),
    ("Cheung Chau", "長洲"),
    ("Tin Shui Wai", "天水圍"),
    ("North Point", "北角"),
    ("Aberdeen", "香港仔"),
]
THEMES = [
    ("Family", "家庭"),
    ("Elderly Care", "長者護理"),
    ("Youth", "青年"),
    ("Rehabilitation", "康復"),
    ("Community", "社區"),
    ("Children", "兒童"),
    ("Mental Wellness", "精神健康"),
    ("Neighbourhood", "鄰舍"),
    ("Carers", "照顧者"),
    ("New Arrivals", "新來港人士"),
]
KINDS = [("Services", "服務處"), ("Association", "協會"), ("Centre", "中心")]

SURNAMES = [
    ("Chan", "陳"),
    ("Wong", "黃"),
    ("Lee", "李"),
    ("Cheung", "張"),
    ("Lau", "劉"),
    ("Ho", "何"),
    ("Ng", "吳"),
    ("Leung", "梁"),
    ("Lam", "林"),
    ("Yeung", "楊"),
    ("Tsang", "曾"),
    ("Fung", "馮"),
]
GIVEN = [
    ("Ka Yan", "嘉欣"),
    ("Wai Man", "偉文"),
    ("Siu Ling", "小玲"),
    ("Chi Keung", "志強"),
    ("Mei Kuen", "美娟"),
    ("Hoi Yan", "凱欣"),
    ("Kin Wah", "健華"),
    ("Yuk Ying", "玉瑩"),
    ("Tsz Ching", "梓晴"),
    ("Ho Yin", "浩賢"),
    ("Wing Sze", "詠詩"),
    ("Man Kit", "文傑"),
]


@dataclass
class DemoContext:
    """What each app's demo step receives: the programme, a seeded random source and the options."""

    programme: Programme
    rng: random.Random
    registrants: int
    seed: int
    agencies: list[Organisation] = field(default_factory=list)
    log: list[str] = field(default_factory=list)


def synthetic_agencies(count: int = 150) -> list[tuple[str, str]]:
    """``count`` fictional member agencies, always the same ones in the same order."""
    names = []
    for kind in KINDS:
        for theme in THEMES:
            for place in PLACES:
                names.append(
                    (f"Sample {place[0]} {theme[0]} {kind[0]}", f"示例{place[1]}{theme[1]}{kind[1]}")
                )
    return random.Random(2022).sample(names, count)


def person_name(rng: random.Random) -> tuple[str, str]:
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    return f"{surname[0]} {given[0]}", f"{surname[1]}{given[1]}"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=HK)


def _user(username: str, *, superuser: bool = False, first_name: str = "", email: str = ""):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username, defaults={"first_name": first_name, "email": email or f"{username}@example.org"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.is_staff = superuser
        user.is_superuser = superuser
        user.save()
    return user


def load_programme(seed: int) -> tuple[Programme, list[Organisation]]:
    co_bodies = []
    for name_en, name_zh, acronym, kind, provisional in CO_ORGANISERS:
        organisation, _created = Organisation.objects.update_or_create(
            name_en=name_en,
            defaults={
                "name_zh": name_zh,
                "acronym": acronym,
                "kind": kind,
                "name_zh_provisional": provisional,
            },
        )
        co_bodies.append(organisation)
    agencies = []
    for name_en, name_zh in synthetic_agencies():
        agency, _created = Organisation.objects.update_or_create(
            name_en=name_en,
            defaults={"name_zh": name_zh, "kind": Organisation.Kind.NGO, "is_member_agency": True},
        )
        agencies.append(agency)
    other_body, _created = Organisation.objects.update_or_create(
        name_en="Sample Institute of Social Work Education",
        defaults={"name_zh": "示例社會工作教育學院", "kind": Organisation.Kind.ACADEMIC, "acronym": "SISWE"},
    )

    programme, _created = Programme.objects.update_or_create(
        slug=PROGRAMME_SLUG,
        defaults={
            "title_en": "Training workshops on the spirit of the 20th National Congress of the Communist Party "
            "of China (CPC) for the local social welfare sector",
            "title_zh": "社會福利界學習中國共產黨第二十次全國代表大會精神培訓工作坊",
            "summary_en": "A commencement ceremony, five online lectures by Mainland officials and renowned "
            "academics, and a summary and sharing session held in hybrid mode.",
            "summary_zh": "開幕典禮、五場由內地官員及知名學者主講的網上講座，以及以混合模式舉行的總結分享會。",
            "starts_on": date(2022, 11, 20),
            "ends_on": date(2022, 12, 3),
            "time_zone": "Asia/Hong_Kong",
            "status": Programme.Status.PUBLISHED,
            "registration_open": True,
        },
    )
    for order, organisation in enumerate(co_bodies):
        CoOrganiser.objects.update_or_create(
            programme=programme,
            organisation=organisation,
            defaults={
                "role": CoOrganiser.Role.LEAD if order == 0 else CoOrganiser.Role.CO_ORGANISER,
                "order": order,
            },
        )

    lwb, swd = co_bodies[0], co_bodies[2]
    sun, _created = Speaker.objects.update_or_create(
        programme=programme,
        name_en="Chris Sun",
        defaults={
            "honorific": Speaker.Honorific.MR,
            "name_zh": "孫玉菡",
            "post_en": "Secretary for Labour and Welfare",
            "post_zh": "勞工及福利局局長",
            "organisation": lwb,
            "is_official": True,
        },
    )
    lee, _created = Speaker.objects.update_or_create(
        programme=programme,
        name_en="Charmaine Lee",
        defaults={
            "honorific": Speaker.Honorific.MISS,
            "name_zh": "李佩詩",
            "post_en": "Director of Social Welfare",
            "post_zh": "社會福利署署長",
            "organisation": swd,
            "is_official": True,
        },
    )

    def session(title_en: str, **defaults) -> Session:
        # Loaded again, the demo keeps the places a session has now: it never takes back a seat.
        existing = Session.objects.filter(programme=programme, title_en=title_en).first()
        if existing is not None and existing.online_capacity and defaults.get("online_capacity"):
            defaults["online_capacity"] = max(existing.online_capacity, defaults["online_capacity"])
        obj, _created = Session.objects.update_or_create(
            programme=programme, title_en=title_en, defaults=defaults
        )
        return obj

    session(
        "Commencement ceremony",
        title_zh="開幕典禮",
        kind=Session.Kind.CEREMONY,
        mode=Session.Mode.ONLINE,
        starts_at=at(date(2022, 11, 20), 10),
        ends_at=at(date(2022, 11, 20), 11),
        online_url="https://meeting.example.org/j/commencement",
        cpd_hours=Decimal("1"),
        counts_towards_certificate=False,
    )
    for number, ((topic_en, topic_zh), day) in enumerate(
        zip(LECTURE_TOPICS, LECTURE_DAYS, strict=True), start=1
    ):
        if topic_en:
            title_en, title_zh = f"Lecture {number}: {topic_en}", f"第{number}講：{topic_zh}"
            note_en, note_zh = "", ""
        else:
            title_en, title_zh = f"Lecture {number}", f"第{number}講"
            note_en = "The press release does not name this lecture's topic."
            note_zh = "新聞稿沒有列明此講座的題目。"
        session(
            title_en,
            title_zh=title_zh,
            kind=Session.Kind.LECTURE,
            mode=Session.Mode.ONLINE,
            description_en=f"{note_en} Delivered online by a Mainland official or a renowned academic.".strip(),
            description_zh=f"{note_zh}由內地官員或知名學者於網上主講。",
            starts_at=at(day, 14, 30),
            ends_at=at(day, 16, 30),
            online_url=f"https://meeting.example.org/j/lecture-{number}",
            stream_url=f"https://stream.example.org/lecture-{number}",
            cpd_hours=Decimal("2"),
            counts_towards_certificate=True,
        )
    venue, _created = Venue.objects.update_or_create(
        name_en="Conference Hall (demo venue)",
        defaults={
            "name_zh": "會議廳（示範場地）",
            "address_en": "Sample address, Hong Kong",
            "address_zh": "香港示範地址",
            "capacity": 200,
            "owner": lwb,  # the lead bureau hosts the session, so the demo organiser may edit the hall
        },
    )
    sharing = session(
        "Summary and sharing session",
        title_zh="總結分享會",
        kind=Session.Kind.SHARING,
        mode=Session.Mode.HYBRID,
        starts_at=at(date(2022, 12, 3), 14, 30),
        ends_at=at(date(2022, 12, 3), 17, 0),
        venue=venue,
        online_url="https://meeting.example.org/j/sharing",
        online_capacity=1000,
        cpd_hours=Decimal("2.5"),
        counts_towards_certificate=True,
    )
    sharing.speakers.set([sun, lee])

    rng = random.Random(seed)
    managers = []
    for index, agency in enumerate(rng.sample(agencies, 11)):
        name_en, name_zh = person_name(rng)
        manager, _created = Speaker.objects.update_or_create(
            programme=programme,
            organisation=agency,
            is_official=False,
            defaults={
                "honorific": rng.choice([Speaker.Honorific.MR, Speaker.Honorific.MS]),
                "name_en": f"{name_en} (sample {index + 1})",
                "name_zh": f"{name_zh}（示例{index + 1}）",
                "post_en": f"Agency head, {agency.name_en}",
                "post_zh": f"{agency.name_zh}機構主管",
            },
        )
        managers.append(manager)
    rundown = [
        (AgendaItem.Kind.WELCOME, "Welcome", "歡迎辭", None, 5),
        (
            AgendaItem.Kind.REMARKS,
            "Remarks by the Secretary for Labour and Welfare",
            "勞工及福利局局長致辭",
            sun,
            15,
        ),
        (AgendaItem.Kind.REMARKS, "Remarks by the Director of Social Welfare", "社會福利署署長致辭", lee, 15),
        *[
            (
                AgendaItem.Kind.SHARING,
                f"Reflections: {manager.organisation.name_en}",
                f"分享：{manager.organisation.name_zh}",
                manager,
                8,
            )
            for manager in managers
        ],
        (AgendaItem.Kind.PHOTO, "Group photo", "大合照", None, 10),
        (AgendaItem.Kind.OTHER, "Closing", "閉幕", None, 5),
    ]
    for order, (kind, title_en, title_zh, speaker, minutes) in enumerate(rundown, start=1):
        AgendaItem.objects.update_or_create(
            session=sharing,
            order=order,
            defaults={
                "kind": kind,
                "title_en": title_en,
                "title_zh": title_zh,
                "speaker": speaker,
                "duration_minutes": minutes,
                "language": AgendaItem.Language.CANTONESE,
            },
        )
    sharing.agenda_items.filter(order__gt=len(rundown)).delete()

    # Demo logins: an admin, organiser staff of the lead bureau, organiser staff of a body that does
    # not co-organise this programme, an agency coordinator, and door staff.
    _user("admin", superuser=True, first_name="Platform admin")
    for username, organisation, role in [
        ("organiser", lwb, Membership.Role.ORGANISER),
        ("outsider", other_body, Membership.Role.ORGANISER),
        ("coordinator", agencies[0], Membership.Role.COORDINATOR),
        ("door", lwb, Membership.Role.CHECKIN),
    ]:
        Membership.objects.get_or_create(user=_user(username), organisation=organisation, role=role)
    return programme, agencies


DEMO_LOGINS = [
    ("admin", "platform admin (everything, /admin/)"),
    ("organiser", "organiser staff, Labour and Welfare Bureau (/manage/)"),
    ("outsider", "organiser staff of a body that does not co-organise the demo programmes"),
    ("coordinator", "coordinator of a sample member agency"),
    ("door", "check-in staff"),
]


def load(*, registrants: int = 2046, seed: int = 2022, log=print) -> Programme:
    """Loads the reference programme, then lets every installed Plenary app add its part, then the
    upcoming programme (``upcoming.py``) that is open for registration. Returns the reference programme.

    An app joins the demo with a module ``plenary.site.demo.<app label>`` that has
    ``load(context: DemoContext)``; apps run in INSTALLED_APPS order, so registrations exist before
    attendance, attendance before certificates. The parts live here, not in the apps: the demo is the
    site's, and domain apps never import the site package.
    """
    with transaction.atomic():
        programme, agencies = load_programme(seed)
    context = DemoContext(
        programme=programme, rng=random.Random(seed), registrants=registrants, seed=seed, agencies=agencies
    )
    for config in apps.get_app_configs():
        if not config.name.startswith("plenary.") or config.name in ("plenary.core", "plenary.site"):
            continue
        name = f"{__name__}.{config.label}"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as error:
            if error.name != name:
                raise
            continue
        log(f"demo: {config.label}")
        module.load(context)
    from plenary.site.demo import upcoming

    upcoming.load(agencies=agencies, registrants=registrants, seed=seed, log=log)
    return programme
