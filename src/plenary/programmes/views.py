"""Public programme pages."""

from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from plenary.programmes import selectors


def home(request):
    programmes = selectors.public_programmes()
    return render(request, "programmes/home.html", {"programmes": programmes})


def programme_detail(request, slug):
    programme = get_object_or_404(selectors.programme_with_sessions(selectors.public_programmes()), slug=slug)
    timezone.activate(programme.tzinfo)
    return render(
        request,
        "programmes/programme_detail.html",
        {"programme": programme, "groups": selectors.sessions_by_kind(programme)},
    )
