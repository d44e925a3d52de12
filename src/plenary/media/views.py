"""Photos: the organiser's page per session, and the public request to remove a photo."""

from __future__ import annotations

import posixpath

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.static import serve

from plenary.access import rules as access
from plenary.access.views import manages_programme
from plenary.core.ratelimit import Limit, client_address, hit
from plenary.media import selectors, services
from plenary.media.forms import PhotoFormSet, RemovalRequestForm
from plenary.media.models import Photo


def _wants_json(request) -> bool:
    return request.headers.get("X-Requested-With") == "fetch"


@manages_programme
def manage_photos(request, programme, session_id):
    session = get_object_or_404(programme.sessions, pk=session_id)
    queryset = selectors.session_photos(session)
    formset = PhotoFormSet(request.POST or None, queryset=queryset)
    if request.method == "POST" and formset.is_valid():
        changed = services.update_photos(photos=formset.save(commit=False), actor=request.user)
        messages.success(request, _("Photos saved (%(count)s changed).") % {"count": changed})
        return redirect("media:manage-photos", slug=programme.slug, session_id=session.pk)
    return render(
        request,
        "media/manage_photos.html",
        {
            "programme": programme,
            "session": session,
            "formset": formset,
            "opt_outs": selectors.photo_opt_outs(session),
            "removal_requests": selectors.removal_requests(session),
            "sessions": programme.sessions.all(),
            "max_mb": services.images.max_bytes() // 1024 // 1024,
        },
    )


@manages_programme
@require_POST
def upload_photos(request, programme, session_id):
    """Takes one or many files; keeps the good ones and says which were refused and why."""
    session = get_object_or_404(programme.sessions, pk=session_id)
    files = request.FILES.getlist("photos")
    stored, refused = [], []
    for upload in files:
        if upload.size > services.images.max_bytes():
            # Refused before reading: a huge file never reaches memory.
            refused.append((upload.name, _too_big(upload.size)))
            continue
        try:
            photo = services.upload_photo(
                session=session, data=upload.read(), filename=upload.name, actor=request.user
            )
        except services.PhotoRejected as error:
            refused.append((upload.name, str(error)))
        else:
            stored.append(photo)
    if _wants_json(request):
        status = 201 if stored else 400
        return JsonResponse(
            {
                "stored": [{"id": photo.pk, "name": photo.original_name} for photo in stored],
                "refused": [{"name": name, "message": message} for name, message in refused],
                "detail": "" if files else _("Choose at least one photo."),
            },
            status=status,
        )
    if not files:
        messages.error(request, _("Choose at least one photo."))
    if stored:
        messages.success(request, _("%(count)s photo(s) uploaded.") % {"count": len(stored)})
    for name, message in refused:
        messages.error(request, _("%(file)s was refused: %(reason)s") % {"file": name, "reason": message})
    return redirect("media:manage-photos", slug=programme.slug, session_id=session.pk)


def _too_big(size: int) -> str:
    return _("The file is too big: %(size)s MB (the limit is %(limit)s MB).") % {
        "size": round(size / 1024 / 1024, 1),
        "limit": services.images.max_bytes() // 1024 // 1024,
    }


@manages_programme
@require_POST
def delete_photo(request, programme, session_id, pk):
    photo = get_object_or_404(Photo, session__programme=programme, session_id=session_id, pk=pk)
    services.delete_photo(photo, actor=request.user)
    messages.success(request, _("Photo deleted."))
    return redirect("media:manage-photos", slug=programme.slug, session_id=session_id)


# Each request mails the organisers: a few an hour per client and per address (core/ratelimit.py).
REMOVALS_PER_CLIENT = Limit("photo-removal-client", 10)
REMOVALS_PER_ADDRESS = Limit("photo-removal-address", 5)


def request_removal(request, pk):
    photo = get_object_or_404(
        selectors.public(Photo.objects.select_related("session__programme")),
        pk=pk,
        session__programme__status__in=["published", "archived"],
    )
    form = RemovalRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        hit(
            (REMOVALS_PER_CLIENT, client_address(request)),
            (REMOVALS_PER_ADDRESS, form.cleaned_data["email"].strip().lower()),
            message=_("Too many removal requests. Please wait an hour, or write to the organisers."),
        )
        services.request_removal(photo=photo, **form.cleaned_data)
        return render(request, "media/removal_sent.html", {"photo": photo})
    return render(request, "media/removal_request.html", {"photo": photo, "form": form})


def photo_file(request, path: str):
    """A photo's file (original, web rendition or thumbnail) — only while the photo is public
    (``selectors.is_public``), or to the organisers of its programme. Everything else under the data
    dir (meeting reports, certificates, passes) is served by views of its own, or not at all."""
    name = posixpath.normpath("photos/" + path).lstrip("/")
    if not name.startswith("photos/") or ".." in name.split("/"):
        raise Http404
    photo = selectors.photo_for_file(name)
    if photo is None:
        raise Http404
    if selectors.is_public(photo):
        cache_control = "public, max-age=300"
    elif access.manages(request.user, photo.session.programme):
        cache_control = "private, no-store"
    else:
        raise Http404
    response = serve(request, name, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = cache_control
    return response
