"""The emails a registrant receives, in their own language, with their pass and calendar."""

from __future__ import annotations

import hashlib
from io import BytesIO

import icalendar
import segno
from django.conf import settings
from django.core.cache import cache
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from plenary.registrations.models import Registration, SeatAllocation
from plenary.registrations.selectors import offers_pass

KINDS = ("confirmed", "waitlisted", "pending", "promoted", "cancelled", "link")
# A new registration's email: whichever of these its status is when the email is sent.
ON_REGISTERING = ("confirmed", "waitlisted", "pending")
PASS_SVG_SECONDS = 24 * 3600


def private_url(registration: Registration, base: str | None = None) -> str:
    """The person's private page, in the language they registered in."""
    with translation.override(registration.language):
        path = reverse("registrations:private", args=[registration.token])
    return (base or settings.BASE_URL).rstrip("/") + path


def pass_svg(registration: Registration) -> str:
    """The pass QR as inline SVG (the check-in scanner reads the pass code).

    Drawing it costs several milliseconds and the private page shows it on every visit: kept in the
    cache under a digest of the code (a renewed pass has a new code, so a new entry).
    """
    code = registration.pass_code
    key = "pass-svg:" + hashlib.blake2b(code.encode(), digest_size=16).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = segno.make(code, error="m").svg_inline(scale=6, border=2)
        cache.set(key, svg, PASS_SVG_SECONDS)
    return svg


def pass_png(registration: Registration) -> bytes:
    buffer = BytesIO()
    segno.make(registration.pass_code, error="m").save(buffer, kind="png", scale=8, border=2)
    return buffer.getvalue()


def calendar(registration: Registration, seats: list[SeatAllocation]) -> bytes:
    """An .ics with the sessions this person has a place in."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Plenary//Registrations//EN")
    cal.add("version", "2.0")
    programme = registration.programme
    for seat in seats:
        if seat.status != SeatAllocation.Status.CONFIRMED:
            continue
        session = seat.session
        event = icalendar.Event()
        event.add("uid", f"{registration.reference}-{session.pk}@plenary")
        event.add("summary", f"{programme.title} · {session.title}")
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("dtstamp", timezone.now())
        if seat.mode == Registration.Mode.IN_PERSON and session.venue_id:
            event.add("location", session.venue.name)
        elif session.online_url:
            event.add("location", session.online_url)
        event.add("url", private_url(registration))
        cal.add_component(event)
    return cal.to_ical()


def subject(kind: str, programme_title: str, *, waiting: int = 0) -> str:
    """The subject says what the seats say: confirmed with some sessions still waiting is not "waiting list"."""
    if kind in ("confirmed", "promoted") and waiting:
        return ngettext(
            "Confirmed, with %(count)s session on the waiting list: %(title)s",
            "Confirmed, with %(count)s sessions on the waiting list: %(title)s",
            waiting,
        ) % {"count": waiting, "title": programme_title}
    subjects = {
        "confirmed": _("Your registration is confirmed: %(title)s"),
        "waitlisted": _("You are on the waiting list: %(title)s"),
        "pending": _("We have received your registration: %(title)s"),
        "promoted": _("A place has become available for you: %(title)s"),
        "cancelled": _("Your registration is cancelled: %(title)s"),
        "link": _("Your private link: %(title)s"),
    }
    return subjects[kind] % {"title": programme_title}


def send(registration_id: int, kind: str) -> None:
    if kind not in KINDS and kind != "registered":
        return
    registration = Registration.objects.select_related("programme").filter(pk=registration_id).first()
    if registration is None:
        return
    if kind == "registered":
        if registration.status not in ON_REGISTERING:
            return  # cancelled or rejected before the email went: that email says so
        kind = registration.status
    programme = registration.programme
    seats = list(
        registration.seats.select_related("session", "session__venue").order_by("session__starts_at")
    )
    waiting = sum(1 for seat in seats if seat.status == SeatAllocation.Status.WAITLISTED)
    with translation.override(registration.language), timezone.override(programme.tzinfo):
        context = {
            "waiting": waiting if registration.status == Registration.Status.CONFIRMED else 0,
            "registration": registration,
            "programme": programme,
            "seats": seats,
            "kind": kind,
            "url": private_url(registration),
            "with_pass": kind in ("confirmed", "promoted", "link") and offers_pass(registration, seats),
        }
        message = EmailMultiAlternatives(
            subject(kind, programme.title, waiting=context["waiting"]),
            render_to_string("registrations/email/message.txt", context),
            to=[registration.email],
        )
        message.attach_alternative(render_to_string("registrations/email/message.html", context), "text/html")
        if kind in ("confirmed", "promoted", "waitlisted"):
            message.attach("sessions.ics", calendar(registration, seats), "text/calendar")
        if context["with_pass"]:
            message.attach(f"pass-{registration.reference}.png", pass_png(registration), "image/png")
        message.send()
