"""What an API operation needs, declared by calling one of these first; the rules are in ``rules.py``.

A thing that does not exist answers 404; one the caller may not act on answers 403 with a reason
(the API's callers are organisers' and agencies' own programs, which need to tell the two apart).
Ids outside what the database can hold are simply not found.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from plenary.access import rules
from plenary.core.ids import MAX_ID, parse_id  # noqa: F401  (MAX_ID: the API modules' bound)
from plenary.programmes.models import Programme, Session


def programme(slug: str) -> Programme:
    found = Programme.objects.filter(slug=slug).first()
    if found is None:
        raise Http404
    return found


def managed_programme(request, slug: str) -> Programme:
    """The programme if the caller manages it."""
    found = programme(slug)
    if not rules.manages(request.auth, found):
        raise PermissionDenied("Only organiser staff of this programme's co-organising bodies may do this.")
    return found


def managed_session(request, session_id: int) -> Session:
    """The session if the caller manages its programme."""
    if parse_id(session_id) is None:
        raise Http404
    session = Session.objects.select_related("programme").filter(pk=session_id).first()
    if session is None:
        raise Http404
    if not rules.manages(request.auth, session.programme):
        raise PermissionDenied("Only organiser staff of this programme's co-organising bodies may do this.")
    return session


def registrations_of(request, slug: str) -> tuple[Programme, object]:
    """The programme and the registrations of it the caller may see (organisers: all; coordinators:
    their agencies' nominations)."""
    found = programme(slug)
    user = request.auth
    if not (rules.manages(user, found) or rules.is_coordinator(user)):
        raise PermissionDenied(
            "Only organisers of this programme and agency coordinators may see registrations."
        )
    return found, rules.visible_registrations(user, found)


def registration(request, reference: str):
    """One registration the caller may see, or 404 (a registration of someone else's reveals nothing)."""
    from plenary.registrations.models import Registration

    found = (
        Registration.objects.select_related("programme", "organisation").filter(reference=reference).first()
    )
    if found is None or not rules.sees_registration(request.auth, found):
        raise Http404
    return found


def managed_registration(request, reference: str):
    """One registration of a programme the caller manages: 404 if they may not see it, 403 if they only see it
    (an agency coordinator)."""
    found = registration(request, reference)
    if not rules.manages(request.auth, found.programme):
        raise PermissionDenied("Only organisers of this programme may do this.")
    return found


def issue_job(request, job_id: int):
    """A certificate issue job of a programme the caller manages, or 404: the programme's organisers
    follow its jobs whoever started them (as on the console); to anyone else a job does not exist."""
    from plenary.certificates.models import IssueJob

    job = (
        IssueJob.objects.select_related("programme").filter(pk=job_id).first()
        if 0 < job_id <= MAX_ID
        else None
    )
    if job is None or not rules.manages(request.auth, job.programme):
        raise Http404
    return job


def messaging_programme(request, slug: str):
    """The programme and whom the caller may message in it (organisers: everyone; coordinators: their
    agencies' nominations)."""
    found = programme(slug)
    if not rules.messages_programme(request.auth, found):
        raise PermissionDenied(
            "Only organisers of this programme and coordinators of agencies with nominations in it may message."
        )
    return found, rules.message_recipients(request.auth, found)


def message(request, message_id: int):
    """One message the caller may see (its programme's organisers, its sender), or 404."""
    from plenary.messaging.models import Message

    if not 0 < message_id <= MAX_ID:
        raise Http404
    found = Message.objects.select_related("programme").filter(pk=message_id).first()
    if found is None or not rules.sees_message(request.auth, found):
        raise Http404
    return found
