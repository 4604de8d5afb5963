"""URL roots: pages per app, the API under /api/, the admin."""

from django.contrib import admin
from django.urls import include, path

from pingan.config.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("pingan.core.urls")),
]
