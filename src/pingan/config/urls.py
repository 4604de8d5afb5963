"""URL roots: pages per app, the API under /api/, the admin only with ``PINGAN_ADMIN`` (``ADMIN_ENABLED``); the
error pages (``core.errorpages``)."""

from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from pingan.alerts.urls import viid_urlpatterns
from pingan.config.api import api, openapi_document

urlpatterns = [
    path("api/openapi.json", openapi_document),  # before ninja's own: built once, compressed, with an ETag
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("favicon.ico", RedirectView.as_view(url=static("pingan/favicon.svg"), permanent=True)),
    path("screening/", include("pingan.screening.urls")),
    path("police/", include("pingan.dashboard.urls")),
    path("alerts/", include("pingan.alerts.urls")),
    *viid_urlpatterns,
    path("stats/", include("pingan.stats.urls")),
    path("antifraud/", include("pingan.antifraud.urls")),
    path("dispatch/", include("pingan.dispatch.urls")),
    path("citizen/", include("pingan.citizen.urls")),
    path("evidence/", include("pingan.evidence.urls")),
    path("", include("pingan.codes.urls")),
    path("", include("pingan.core.urls")),
]

if settings.ADMIN_ENABLED:
    urlpatterns.insert(0, path("admin/", admin.site.urls))

handler400 = "pingan.core.errorpages.bad_request"
handler403 = "pingan.core.errorpages.permission_denied"
handler404 = "pingan.core.errorpages.page_not_found"
handler500 = "pingan.core.errorpages.server_error"
