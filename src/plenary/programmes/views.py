"""Public programme pages."""

from django.shortcuts import render

from plenary.programmes import pages, selectors


def home(request):
    programmes = selectors.public_programmes()
    return render(request, "programmes/home.html", {"programmes": programmes})


def programme_detail(request, slug):
    return pages.programme_page(request, slug)
