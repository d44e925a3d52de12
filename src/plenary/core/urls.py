from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.static import serve

from plenary.api.api import api
from plenary.core import views

urlpatterns = [
    path("api/v1/", api.urls),
    path("healthz", views.health, name="health"),
    path("media/<path:path>", serve, {"document_root": settings.MEDIA_ROOT}),
]

# Pages are English at their plain address and Traditional Chinese under /zh-hant/, so a link
# always opens in the language it was shared in.
urlpatterns += i18n_patterns(
    path("", include("plenary.core.urls_pages")),
    path("", include("plenary.programmes.urls")),
    path("", include("plenary.checkin.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=False,
)

handler404 = "plenary.core.views.not_found"
handler500 = "plenary.core.views.server_error"
handler403 = "plenary.core.views.forbidden"
