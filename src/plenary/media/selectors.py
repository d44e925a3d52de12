"""Read queries about photos shared by the console, the news pages, the composer and the API."""

from __future__ import annotations

from django.db.models import Q, QuerySet

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


# The publication rule, the one place that decides it: a photo is public only while it is published
# and the people shown in it have agreed. Pages, the API, releases (page, PDF, .docx) and the photo
# files themselves all ask here.
PUBLIC = Q(published=True, people_consent=True)


def is_public(photo: Photo) -> bool:
    return photo.published and photo.people_consent


def public(photos: QuerySet[Photo]) -> QuerySet[Photo]:
    return photos.filter(PUBLIC)


def public_photos(programme: Programme) -> QuerySet[Photo]:
    return public(programme_photos(programme))


def photo_for_file(name: str) -> Photo | None:
    """The photo whose original, web rendition or thumbnail is stored under ``name``."""
    return (
        Photo.objects.select_related("session")
        .filter(Q(image=name) | Q(web=name) | Q(thumbnail=name))
        .first()
    )


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
