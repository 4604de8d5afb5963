"""URL roots: pages per app, the API under /api/, the admin."""

from django.contrib import admin
from django.urls import include, path

from pingan.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("screening/", include("pingan.screening.urls")),
    path("police/", include("pingan.dashboard.urls")),
    path("", include("pingan.codes.urls")),
    path("", include("pingan.core.urls")),
]
