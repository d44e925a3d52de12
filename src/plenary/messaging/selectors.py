"""Reads several places share: who a segment selects, what one person's merge fields say, the log."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from plenary.core.i18n import pick
from plenary.messaging.errors import MessageRefused
from plenary.messaging.models import Delivery, Message
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation

ACTIVE = (Registration.Status.CONFIRMED, Registration.Status.PENDING, Registration.Status.WAITLISTED)
SEGMENT_KEYS = {
    "status",
    "mode",
    "agency",
    "session_id",
    "attended",
    "evaluated",
    "certificate",
    "below_threshold",
    "news_opt_in",
}


def segment_queryset(programme: Programme, segment: dict, among: QuerySet | None = None) -> QuerySet:
    """The registrations a segment selects (``{}``: everyone active), among ``among`` if given (what the
    sender may see). Refuses, with the reason, a segment it cannot read."""
    if not isinstance(segment, dict):
        raise MessageRefused(_("The recipients must be described by an object."))
    unknown = sorted(set(segment) - SEGMENT_KEYS)
    if unknown:
        raise MessageRefused(
            _("Unknown recipient filter: %(keys)s. Known filters: %(known)s.")
            % {"keys": ", ".join(unknown), "known": ", ".join(sorted(SEGMENT_KEYS))}
        )
    people = (among if among is not None else programme.registrations.all()).filter(programme=programme)
    statuses = segment.get("status") or list(ACTIVE)
    if isinstance(statuses, str):
        statuses = [statuses]
    if not isinstance(statuses, list) or not set(statuses) <= set(ACTIVE):
        raise MessageRefused(_("A status must be one of: %(known)s.") % {"known": ", ".join(ACTIVE)})
    # Statuses are per session (issue 18): "waitlisted" is everyone still waiting for a place, including
    # people confirmed elsewhere in the programme who wait for one session's room.
    chosen = Q(status__in=statuses)
    if Registration.Status.WAITLISTED in statuses:
        waiting = SeatAllocation.objects.filter(
            registration=OuterRef("pk"), status=SeatAllocation.Status.WAITLISTED
        )
        chosen |= Q(Exists(waiting), status__in=ACTIVE)
    people = people.filter(chosen)
    agency = segment.get("agency")
    if agency:
        people = people.filter(
            Q(organisation__name_en__iexact=agency)
            | Q(organisation__name_zh=agency)
            | Q(organisation__acronym__iexact=agency)
        )
    session = None
    if segment.get("session_id") is not None:
        try:
            session = programme.sessions.filter(pk=int(segment["session_id"])).first()
        except (TypeError, ValueError, OverflowError):
            session = None
        if session is None:
            raise MessageRefused(_("This programme has no session %(id)s.") % {"id": segment["session_id"]})
    if session is not None and segment.get("status"):
        # With a session, a status is that session's: confirmed there, or waiting for a place there.
        people = people.filter(
            Exists(
                SeatAllocation.objects.filter(
                    registration=OuterRef("pk"), session=session, status__in=statuses
                )
            )
        )
    mode = segment.get("mode")
    if mode:
        # With a session: the side of that session they hold; without: their choice for hybrid sessions.
        if mode not in Registration.Mode.values:
            raise MessageRefused(_("A mode must be in_person or online."))
        if session is None:
            people = people.filter(preferred_mode=mode)
        else:
            people = people.filter(
                Exists(
                    SeatAllocation.objects.filter(
                        registration=OuterRef("pk"), session=session, mode=mode
                    ).exclude(status=SeatAllocation.Status.CANCELLED)
                )
            )
    attended = segment.get("attended")
    if attended is not None:
        if session is None:
            raise MessageRefused(_("Say which session (session_id) to select who attended or missed it."))
        from plenary.attendance.models import Attendance

        present = Exists(
            Attendance.objects.filter(registration=OuterRef("pk"), session=session, present=True)
        )
        if attended:
            people = people.filter(present)
        else:
            people = people.filter(
                Exists(
                    SeatAllocation.objects.filter(
                        registration=OuterRef("pk"), session=session, status=SeatAllocation.Status.CONFIRMED
                    )
                )
            ).exclude(present)
    if segment.get("evaluated") is False:
        from plenary.engagement.models import Response

        responses = Response.objects.filter(registration=OuterRef("pk"))
        responses = responses.filter(survey__session=session) if session else responses
        people = people.exclude(Exists(responses))
    if segment.get("certificate") is False:
        from plenary.certificates.models import Certificate

        people = people.exclude(
            Exists(Certificate.objects.filter(registration=OuterRef("pk"), state=Certificate.State.VALID))
        )
    if segment.get("below_threshold"):
        # Below the attendance the certificate rule asks for (certificates decide it: one owner).
        from plenary.certificates.services import evaluate

        short = [e.registration.pk for e in evaluate(programme, people.order_by("pk")) if not e.eligible]
        people = people.filter(pk__in=short)
    if segment.get("news_opt_in"):
        people = people.filter(news_opt_in=True)
    return people


def private_url(registration: Registration) -> str:
    from plenary.registrations.emails import private_url as url

    return url(registration)


def absolute(path: str) -> str:
    from django.conf import settings

    return settings.BASE_URL.rstrip("/") + path


SESSION_FIELDS = {"join_url", "pass_url", "session", "starts", "venue"}


def person_values(
    registration: Registration,
    session: Session | None = None,
    seat=None,
    language: str | None = None,
    *,
    next_session: bool = True,
) -> dict[str, str]:
    """The merge fields' values for one person (and one session, for a reminder), in their language
    (or ``language``: a preview in the other one)."""
    programme = registration.programme
    with translation.override(language or registration.language), timezone.override(programme.tzinfo):
        values = {
            "name": registration.display_name,
            "reference": registration.reference,
            "programme": programme.title,
            "private_url": private_url(registration),
            "calendar_url": absolute(reverse("messaging:personal-calendar", args=[registration.token])),
            "join_url": "",
            "pass_url": "",
            "session": "",
            "starts": "",
            "venue": "",
        }
        if session is None and next_session:  # a bulk message: their next session, if the text asks
            seat = (
                SeatAllocation.objects.filter(
                    registration=registration,
                    status=SeatAllocation.Status.CONFIRMED,
                    session__ends_at__gt=timezone.now(),
                )
                .select_related("session", "session__venue")
                .order_by("session__starts_at")
                .first()
            )
            session = seat.session if seat else None
        if session is not None:
            values["session"] = session.title
            local = timezone.localtime(session.starts_at)
            values["starts"] = (
                f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M} ({programme.zone_label})"
            )
            in_room = seat is not None and seat.mode == Registration.Mode.IN_PERSON
            if in_room:
                values["venue"] = (
                    pick(session.venue.name_en, session.venue.name_zh) if session.venue_id else ""
                )
                values["pass_url"] = absolute(reverse("checkin:pass-pdf", args=[registration.token]))
            elif session.online_url:
                values["join_url"] = absolute(
                    reverse("attendance:join", args=[registration.token, session.pk])
                )
        return values


def counts(message: Message) -> dict[str, int]:
    """A message's delivery log in figures: each state, and how many of them are text messages."""
    rows: dict[str, int] = {}
    sms: dict[str, int] = {}
    for channel, state, n in (
        message.deliveries.values_list("channel", "state")
        .annotate(n=Count("id"))
        .values_list("channel", "state", "n")
    ):
        rows[state] = rows.get(state, 0) + n
        if channel == "sms":
            sms[state] = sms.get(state, 0) + n
    queued = (
        rows.get(Delivery.State.QUEUED, 0)
        + rows.get(Delivery.State.RETRYING, 0)
        + rows.get(Delivery.State.SENDING, 0)
    )
    return {
        "recipients": message.recipients,
        "queued": queued,
        "sent": rows.get(Delivery.State.SENT, 0),
        "failed": rows.get(Delivery.State.FAILED, 0),
        "retrying": rows.get(Delivery.State.RETRYING, 0),
        "sms": sum(sms.values()),
        "sms_sent": sms.get(Delivery.State.SENT, 0),
    }


def messages_sent_to(registration: Registration) -> QuerySet[Delivery]:
    """What a person was sent (their private page lists it)."""
    return (
        Delivery.objects.filter(registration=registration, state=Delivery.State.SENT)
        .select_related("message", "session")
        .order_by("-sent_at")
    )
