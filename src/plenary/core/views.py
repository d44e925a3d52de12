import posixpath

from django.conf import settings
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.views.static import serve


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"status": 403}, status=403)


def server_error(request):
    return render(request, "core/error.html", {"status": 500}, status=500)


# Only these folders of the data dir are public; meeting reports, certificates and other files with
# personal data are served by views that check who is asking.
PUBLIC_MEDIA = ("photos/",)


def media(request, path):
    """Public uploaded files (photos). The data dir is read per request, not fixed at start-up.

    Behind a reverse proxy in production, let the proxy serve /media/photos/ from the same directory.
    """
    path = posixpath.normpath(path).lstrip("/")
    if not path.startswith(PUBLIC_MEDIA):
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
