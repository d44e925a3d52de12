"""The demo's upcoming programme: open for registration, its sessions two to six weeks from the day it is
loaded, so a visitor of ``make run`` can register, get a pass, switch modes and nominate staff.

The reference programme (2022) stays the historical one (attendance, certificates, press release); this
one is wholly synthetic and says so. Its dates follow the day of loading: loaded again while it is still
ahead, it keeps its dates (nothing changes); once it is past, loading the demo moves it ahead again.
A few synthetic registrants (through the seat owner, ``register_many``) and agency quotas make the
coordinator's and organiser's pages worth opening; most places stay free.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from plenary.organisations.models import Membership, Organisation
from plenary.programmes.models import CoOrganiser, Programme, Session, Venue
from plenary.registrations import services
from plenary.registrations.models import Quota, Registration
from plenary.site.demo import HK, at, person_name

SLUG = "sw-practice-workshops-demo"
FIRST_SESSION_IN_DAYS = 14  # sessions two to six weeks ahead
AGENCY_PLACES = 30
COORDINATOR_PLACES = 20

# (days after the first session, start hour, minute, hours long, kind, mode, English, Chinese, CPD hours)
SESSIONS = [
    (
        0,
        14,
        30,
        2,
        Session.Kind.LECTURE,
        Session.Mode.ONLINE,
        "Opening lecture: trauma-informed practice",
        "開幕講座：創傷知情實務",
        "2",
    ),
    (
        7,
        9,
        30,
        3,
        Session.Kind.WORKSHOP,
        Session.Mode.IN_PERSON,
        "Workshop: case conferences with families",
        "工作坊：與家庭舉行個案會議",
        "3",
    ),
    (
        14,
        14,
        30,
        2,
        Session.Kind.LECTURE,
        Session.Mode.ONLINE,
        "Lecture: supporting carers of older people",
        "講座：支援長者照顧者",
        "2",
    ),
    (
        28,
        14,
        30,
        2.5,
        Session.Kind.SHARING,
        Session.Mode.HYBRID,
        "Sharing session: what changed in our practice",
        "分享會：我們的實務有何改變",
        "2.5",
    ),
]


def first_day(existing: Programme | None) -> date:
    """The first session's day: kept while the programme is ahead, otherwise two weeks from today."""
    today = timezone.localdate(timezone=HK)
    if existing is not None and existing.starts_on > today:
        return existing.starts_on
    return today + timedelta(days=FIRST_SESSION_IN_DAYS)


def load_programme() -> Programme | None:
    """The programme, its co-organisers, venues and sessions; None without the reference bodies."""
    lwb = Organisation.objects.filter(acronym="LWB").first()
    swd = Organisation.objects.filter(acronym="SWD").first()
    if lwb is None:
        return None
    day = first_day(Programme.objects.filter(slug=SLUG).first())
    last = day + timedelta(days=max(offset for offset, *_rest in SESSIONS))
    programme, _created = Programme.objects.update_or_create(
        slug=SLUG,
        defaults={
            "title_en": "Practice workshops for the social welfare sector (demo, upcoming)",
            "title_zh": "社會福利界實務工作坊（示範，即將舉行）",
            "summary_en": "A synthetic programme for trying Plenary: two online lectures, a workshop in the room "
            "and a hybrid sharing session. Register, get a pass, switch between online and in person.",
            "summary_zh": "供試用 Plenary 的示範課程：兩場網上講座、一場現場工作坊及一場混合模式分享會。"
            "你可以報名、領取入場證，並在網上與現場之間轉換。",
            "starts_on": day,
            "ends_on": last,
            "time_zone": "Asia/Hong_Kong",
            "status": Programme.Status.PUBLISHED,
            "registration_open": True,
            "registration_closes_at": None,
        },
    )
    for order, organisation in enumerate(body for body in (lwb, swd) if body is not None):
        CoOrganiser.objects.update_or_create(
            programme=programme,
            organisation=organisation,
            defaults={
                "role": CoOrganiser.Role.LEAD if order == 0 else CoOrganiser.Role.CO_ORGANISER,
                "order": order,
            },
        )
    # Loaded again, the demo keeps the places there are now (raised in the console, taken by visitors):
    # it never takes back a seat.
    room = Venue.objects.filter(name_en="Training Room (demo venue)").first()
    training_room, _created = Venue.objects.update_or_create(
        name_en="Training Room (demo venue)",
        defaults={
            "name_zh": "訓練室（示範場地）",
            "address_en": "Sample address, Hong Kong",
            "address_zh": "香港示範地址",
            "capacity": max(40, room.capacity if room else 0),
            "owner": lwb,
        },
    )
    hall = Venue.objects.filter(name_en="Conference Hall (demo venue)").first() or training_room
    for number, (offset, hour, minute, hours, kind, mode, title_en, title_zh, cpd) in enumerate(SESSIONS, 1):
        starts = at(day + timedelta(days=offset), hour, minute)
        defaults = {
            "title_zh": title_zh,
            "kind": kind,
            "mode": mode,
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=hours),
            "cpd_hours": Decimal(cpd),
            "counts_towards_certificate": True,
            "venue": None,
            "online_url": "",
            "online_capacity": None,
            "description_en": "A synthetic session of the demo.",
            "description_zh": "示範用的虛構節次。",
        }
        if mode != Session.Mode.IN_PERSON:
            defaults["online_url"] = f"https://meeting.example.org/j/practice-{number}"
        if mode == Session.Mode.IN_PERSON:
            defaults["venue"] = training_room
        if mode == Session.Mode.HYBRID:
            defaults["venue"] = hall
            existing = Session.objects.filter(programme=programme, title_en=title_en).first()
            defaults["online_capacity"] = max(500, (existing.online_capacity or 0) if existing else 0)
        Session.objects.update_or_create(programme=programme, title_en=title_en, defaults=defaults)
    return programme


def load_people(programme: Programme, agencies: list[Organisation], registrants: int, seed: int) -> int:
    """Quotas for the demo coordinator's agency and four large ones, and a few registrants."""
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    coordinated = list(
        Organisation.objects.filter(
            memberships__user=coordinator, memberships__role=Membership.Role.COORDINATOR
        ).distinct()
    )
    for agency in coordinated:
        Quota.objects.get_or_create(
            programme=programme, organisation=agency, defaults={"places": COORDINATOR_PLACES}
        )
    for agency in agencies[1:5]:
        if agency not in coordinated:
            Quota.objects.get_or_create(
                programme=programme, organisation=agency, defaults={"places": AGENCY_PLACES}
            )
    rng = random.Random(f"upcoming-{seed}")
    count = min(40, registrants // 20)
    existing = set(programme.registrations.values_list("email", flat=True))
    arrivals = []
    for number in range(1, count + 1):
        agency = rng.choice(agencies[:10]) if agencies else None
        name_en, name_zh = person_name(rng)
        email = f"{name_en.lower().replace(' ', '.')}.{number:03d}@upcoming.example.org"
        nominated = agency is not None and agency in coordinated and rng.random() < 0.5
        language = "zh-hant" if rng.random() < 0.7 else "en"
        mode = "in_person" if rng.random() < 0.3 else "online"
        news = rng.random() < 0.3
        if email in existing:
            continue  # after every draw: the people after this one stay the same
        arrivals.append(
            services.Arrival(
                applicant=services.Applicant(
                    email=email,
                    name_en=name_en,
                    name_zh=name_zh,
                    organisation=agency,
                    post="社會工作員" if language == "zh-hant" else "Social Worker",
                    preferred_mode=mode,
                    language=language,
                    consent_pics=True,
                    news_opt_in=news,
                ),
                source=Registration.Source.NOMINATED if nominated else Registration.Source.SELF,
                nominated_by=coordinator if nominated else None,
            )
        )
    if arrivals:
        services.register_many(programme, arrivals)
    return len(arrivals)


def load(*, agencies: list[Organisation], registrants: int, seed: int, log=print) -> Programme | None:
    """Loads (or moves ahead) the upcoming programme, its quotas, a few registrants, reminders and door staff."""
    from plenary.checkin.models import StaffAssignment
    from plenary.messaging import services as messaging

    with transaction.atomic():
        programme = load_programme()
    if programme is None:
        return None
    added = load_people(programme, agencies, registrants, seed)
    messaging.reminder_rules(programme)  # the defaults: a day and an hour before each session
    door = get_user_model().objects.filter(username="door").first()
    if door is not None:
        for session in programme.sessions.exclude(mode=Session.Mode.ONLINE):
            StaffAssignment.objects.get_or_create(user=door, session=session)
    log(
        f"demo: upcoming programme {programme.starts_on:%Y-%m-%d} – {programme.ends_on:%Y-%m-%d}, "
        f"open for registration; {added} registrants added"
    )
    return programme
