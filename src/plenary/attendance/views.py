"""Registrants' pages: the personal join link and the stream page with its heartbeat."""

from __future__ import annotations

from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from plenary.attendance import services
from plenary.programmes.models import Session
from plenary.registrations.models import Registration

VIDEO_SUFFIXES = (".mp4", ".webm", ".ogg", ".ogv", ".m4v", ".mov")


def _registrant_and_session(token: str, session_id: int) -> tuple[Registration, Session]:
    """The registration behind a personal link and one of its programme's sessions, or 404 for anyone else."""
    registration = Registration.objects.filter(token=token, status__in=services.ACTIVE_STATUSES).first()
    if registration is None:
        raise Http404
    session = get_object_or_404(
        Session.objects.select_related("programme"), pk=session_id, programme=registration.programme
    )
    timezone.activate(session.programme.tzinfo)
    return registration, session


@never_cache
def join(request, token, session_id):
    """Records the join and sends the registrant on to the meeting; outside the window, says when."""
    registration, session = _registrant_and_session(token, session_id)
    if not session.online_url:
        raise Http404
    if not services.in_window(session):
        opens, _closes = services.join_window(session)
        return render(
            request,
            "attendance/join_closed.html",
            {
                "registration": registration,
                "session": session,
                "opens": opens,
                "ended": timezone.now() > session.ends_at,
                "watch": bool(session.stream_url),
                "token": token,
            },
        )
    services.record_join(registration, session)
    response = HttpResponseRedirect(session.online_url)
    response["Referrer-Policy"] = "no-referrer"
    return response


@never_cache
def watch(request, token, session_id):
    registration, session = _registrant_and_session(token, session_id)
    if not session.stream_url:
        raise Http404
    path = session.stream_url.split("?", 1)[0].lower()
    return render(
        request,
        "attendance/watch.html",
        {
            "registration": registration,
            "session": session,
            "token": token,
            "viewer": services.open_stream(registration, session),
            "is_video": path.endswith(VIDEO_SUFFIXES),
            "interval": services.heartbeat_seconds(),
            "in_window": services.in_window(session),
            "opens": services.join_window(session)[0],
        },
    )


@require_POST
def heartbeat(request, token, session_id):
    """The stream page is visible. Answers ``counted``, ``outside_window`` or ``taken_over`` (stop)."""
    registration, session = _registrant_and_session(token, session_id)
    viewer = (request.POST.get("viewer") or "")[:64]
    beat = services.record_heartbeat(registration, session, viewer)
    return JsonResponse(
        {"result": beat.result, "minutes": beat.minutes}, status=409 if beat.result == "taken_over" else 200
    )
