"""Demo registrants: synthetic people of the sample agencies, some nominated by their coordinators.

About one in eight asks for a seat in the room of the hybrid sharing session, so the room fills and a
waiting list forms; a few people cancel. Everything follows from the seed. People already present
(by email) are kept, so running the demo again adds nothing.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model

from plenary.organisations.models import Membership
from plenary.programmes.models import Session
from plenary.registrations import services
from plenary.registrations.models import Quota, Registration, SeatCounter
from plenary.site.demo import DemoContext, person_name

IN_PERSON_SHARE = 0.12
NOMINATED_SHARE = 0.35
CANCELLED_SHARE = 0.01
WEBINAR_PLACES = 3000
POSTS = [
    ("Social Worker", "社會工作員"),
    ("Assistant Social Work Officer", "助理社會工作主任"),
    ("Social Work Officer", "社會工作主任"),
    ("Senior Social Work Officer", "高級社會工作主任"),
    ("Centre Supervisor", "中心主任"),
    ("Programme Worker", "活動工作員"),
    ("Unit Head", "單位主管"),
]
UNITS = [
    "Integrated Family Service Centre",
    "District Elderly Community Centre",
    "Youth Outreach Team",
    "Day Centre",
]


def _people(context: DemoContext) -> list[dict]:
    """The synthetic registrants, always the same for a seed."""
    rng = context.rng
    agencies = context.agencies
    # A few large agencies send many staff, most send a handful.
    weights = [8 if index < 10 else (3 if index < 40 else 1) for index in range(len(agencies))]
    people = []
    for number in range(1, context.registrants + 1):
        agency_index = rng.choices(range(len(agencies)), weights=weights)[0]
        name_en, name_zh = person_name(rng)
        post_en, post_zh = rng.choice(POSTS)
        language = "zh-hant" if rng.random() < 0.7 else "en"
        people.append(
            {
                "number": number,
                "agency_index": agency_index,
                "name_en": name_en,
                "name_zh": name_zh,
                "email": f"{name_en.lower().replace(' ', '.')}.{number:04d}@agency{agency_index + 1:03d}.example.org",
                "post": post_zh if language == "zh-hant" else post_en,
                "service_unit": rng.choice(UNITS),
                "rsw_number": f"S{rng.randint(10000, 99999)}" if rng.random() < 0.6 else "",
                "language": language,
                "mode": "in_person" if rng.random() < IN_PERSON_SHARE else "online",
                "nominated": rng.random() < NOMINATED_SHARE,
                "cancelled": rng.random() < CANCELLED_SHARE,
                "news": rng.random() < 0.3,
                "no_photos": rng.random() < 0.05,
            }
        )
    return people


def load(context: DemoContext) -> None:
    programme = context.programme
    agencies = context.agencies
    coordinator = get_user_model().objects.filter(username="coordinator").first()
    coordinated = set(
        Membership.objects.filter(user=coordinator, role=Membership.Role.COORDINATOR).values_list(
            "organisation_id", flat=True
        )
    )
    people = _people(context)
    existing = set(programme.registrations.values_list("email", flat=True))
    missing = [person for person in people if person["email"] not in existing]
    sessions = list(programme.sessions.select_related("venue").order_by("starts_at", "pk"))
    # The demo's meeting licence caps the hybrid session's online side; when the synthetic crowd
    # wants more online places than that, the demo books the larger webinar licence.
    for session in sessions:
        if session.mode != Session.Mode.HYBRID or session.online_capacity is None:
            continue
        online = sum(1 for person in people if person["mode"] == "online" and not person["cancelled"])
        if online > session.online_capacity:
            session.online_capacity = WEBINAR_PLACES
            session.save(update_fields=["online_capacity"])  # the seat counters follow
            context.log.append(
                f"registrations: online places of {session.title_en} raised to {WEBINAR_PLACES}"
            )
    # Quotas for the agencies that send most staff, and for the demo coordinator's agency.
    for agency in {*agencies[:5], *[a for a in agencies if a.pk in coordinated]}:
        Quota.objects.get_or_create(programme=programme, organisation=agency, defaults={"places": 60})
    arrivals = []
    for person in missing:
        agency = agencies[person["agency_index"]]
        nominated = person["nominated"]
        arrivals.append(
            services.Arrival(
                applicant=services.Applicant(
                    email=person["email"],
                    name_en=person["name_en"],
                    name_zh=person["name_zh"],
                    organisation=agency,
                    post=person["post"],
                    service_unit=person["service_unit"],
                    rsw_number=person["rsw_number"],
                    preferred_mode=person["mode"],
                    language=person["language"],
                    consent_pics=True,
                    news_opt_in=person["news"],
                    photo_opt_out=person["no_photos"],
                ),
                source=Registration.Source.NOMINATED if nominated else Registration.Source.SELF,
                nominated_by=coordinator if nominated and agency.pk in coordinated else None,
                cancelled=person["cancelled"],
            )
        )
    services.register_many(programme, arrivals)
    room = next((s for s in sessions if s.mode == Session.Mode.HYBRID), None)
    if room is not None:
        counter = SeatCounter.objects.get(session=room, mode="in_person")
        context.log.append(
            f"registrations: {programme.registrations.count()} registrants; room {counter.taken}/"
            f"{counter.capacity} with {counter.waiting} waiting"
        )
