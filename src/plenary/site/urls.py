from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from plenary.api.api import api
from plenary.certificates import views as certificate_views
from plenary.core import views
from plenary.media.views import photo_file

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", views.health, name="health"),
    # Certificates verify offline: the public keys and the withdrawn serials, in no language.
    path(
        ".well-known/plenary-certificate-keys.json", certificate_views.published_keys, name="certificate-keys"
    ),
    path("verify/revoked.json", certificate_views.revocations, name="certificate-revocations"),
    # Photos only, each while it is public (media/views.py); nothing else of the data dir is served here.
    path("media/photos/<path:path>", photo_file, name="media"),
]

# Pages are English at their plain address and Traditional Chinese under /zh-hant/, so a link
# always opens in the language it was shared in.
# The public paths that take the load when a programme opens resolve first (every pattern is anchored,
# so the order decides nothing else).
urlpatterns += i18n_patterns(
    path("", include("plenary.programmes.urls")),
    path("", include("plenary.privacy.urls")),
    path("", include("plenary.registrations.urls")),
    path("", include("plenary.organisations.urls")),
    path("", include("plenary.organisations.staff_urls")),
    path("", include("plenary.media.urls")),
    path("", include("plenary.publicity.urls")),
    path("", include("plenary.engagement.urls")),
    path("", include("plenary.attendance.urls")),
    path("", include("plenary.checkin.urls")),
    path("", include("plenary.certificates.urls")),
    path("", include("plenary.messaging.urls")),
    path("", include("plenary.reports.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

if settings.PLENARY_BENCH_VIEWS:
    from plenary.site import benchviews

    urlpatterns = benchviews.urlpatterns + urlpatterns

handler404 = "plenary.core.views.not_found"
handler500 = "plenary.core.views.server_error"
handler403 = "plenary.core.views.forbidden"
