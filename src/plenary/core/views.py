import sys

from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render


def health(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def not_found(request, exception=None):
    return render(request, "core/error.html", {"status": 404}, status=404)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {"status": 403}, status=403)


def server_error(request):
    """Django calls this inside the ``except`` of an exception nothing handled, in a view or in a
    middleware: one that says the input was bad or the database unavailable still gets its 4xx/503."""
    from plenary.core.middleware import response_for

    exception = sys.exc_info()[1]
    if exception is not None:
        response = response_for(request, exception)
        if response is not None:
            return response
    return render(request, "core/error.html", {"status": 500}, status=500)
