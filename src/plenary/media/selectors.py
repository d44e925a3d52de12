"""Read queries about photos shared by the console, the news pages, the composer and the API."""

from __future__ import annotations

from django.db.models import QuerySet

from plenary.media.models import Photo, RemovalRequest
from plenary.programmes.models import Programme, Session
from plenary.registrations.models import Registration, SeatAllocation
from plenary.registrations.selectors import active_registrations


def session_photos(session: Session) -> QuerySet[Photo]:
    return session.photos.order_by("order", "id")


def programme_photos(programme: Programme) -> QuerySet[Photo]:
    return (
        Photo.objects.filter(session__programme=programme)
        .select_related("session")
        .order_by("session__starts_at", "order", "id")
    )


def public_photos(programme: Programme) -> QuerySet[Photo]:
    return programme_photos(programme).filter(published=True)


def photo_opt_outs(session: Session) -> QuerySet[Registration]:
    """Registrants of this session who asked not to appear in photos.

    For a session with a room, the people holding a seat in it; for an online session, everyone
    registered for the programme (a screen recording can show them too).
    """
    registrations = active_registrations(session.programme).filter(photo_opt_out=True)
    if session.has_room:
        registrations = registrations.filter(
            seats__session=session,
            seats__status__in=[SeatAllocation.Status.CONFIRMED, SeatAllocation.Status.WAITLISTED],
        )
    return registrations.select_related("organisation").order_by("name_en", "id").distinct()


def removal_requests(session: Session) -> QuerySet[RemovalRequest]:
    """Requests from the public to take down photos of this session, newest first."""
    return (
        RemovalRequest.objects.filter(photo__session=session).select_related("photo").order_by("-created_at")
    )
