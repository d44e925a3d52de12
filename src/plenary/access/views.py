"""What a page needs, declared on its view: ``@manages_programme``, ``@organiser_required``,
``@scans_at_door``, ``@coordinator_required``. The rules themselves are in ``rules.py``.

A programme or session the user may not reach answers 404 (it reveals nothing); a page for a role the
user does not hold answers 403; an anonymous visitor is sent to sign in.
"""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from plenary.access import rules
from plenary.programmes.models import Programme, Session


def manages_programme(view):
    """For organiser pages of one programme (URL keyword ``slug``): the view gets ``programme``."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, slug: str, **kwargs):
        programme = rules.managed_programmes(request.user).filter(slug=slug).first()
        if programme is None:
            raise Http404
        timezone.activate(programme.tzinfo)
        return view(request, *args, programme=programme, **kwargs)

    return wrapper


def messages_programme(view):
    """For message pages of one programme (URL keyword ``slug``): organisers, and coordinators of an
    agency with nominations in it. The view gets ``programme``."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, slug: str, **kwargs):
        programme = Programme.objects.filter(slug=slug).first()
        if programme is None or not rules.messages_programme(request.user, programme):
            raise Http404
        timezone.activate(programme.tzinfo)
        return view(request, *args, programme=programme, **kwargs)

    return wrapper


def organiser_required(view):
    """For organiser pages that belong to no one programme (the console home, venues, new programme)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_organiser(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def scans_at_door(view):
    """For door pages of one session (URL keyword ``session_id``): the view gets ``session``."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, session_id: int, **kwargs):
        session = (
            rules.scannable_sessions(request.user)
            .select_related("programme", "venue")
            .filter(pk=session_id)
            .first()
        )
        if session is None:
            raise Http404
        timezone.activate(session.programme.tzinfo)
        return view(request, *args, session=session, **kwargs)

    return wrapper


def coordinator_required(view):
    """For agency pages: coordinators of a member agency only. An admin coordinates no agency and is
    refused here too (403); admins manage accounts and agencies in Django's admin."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not rules.is_coordinator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def session_of(programme, session_id) -> Session:
    """A session of a programme the view already may manage, or 404."""
    session = programme.sessions.select_related("venue").filter(pk=session_id).first()
    if session is None:
        raise Http404
    return session
