"""The site's URLs plus one page that always fails, in both languages: the 500 page's own test
(tests/browser/test_axe_pages.py) reaches the real handler500 through it. Used only by that test."""

from django.conf.urls.i18n import i18n_patterns
from django.urls import path
from django.urls.resolvers import LocalePrefixPattern

from plenary.site import urls as site


def fail(request):
    raise RuntimeError("A deliberate failure: the 500 page's test.")


_pages = next(p for p in site.urlpatterns if isinstance(getattr(p, "pattern", None), LocalePrefixPattern))
urlpatterns = [p for p in site.urlpatterns if p is not _pages] + i18n_patterns(
    path("test-failure/", fail), *_pages.url_patterns, prefix_default_language=False
)
handler403, handler404, handler500 = site.handler403, site.handler404, site.handler500
