"""The admin shows the store's locations read-only (``core.admin.AuditedReadOnlyAdmin``); locations are set
up by ``location_create`` (``pingan evidence demo`` or a custodian), items and their chains change only
through services."""

from django.contrib import admin

from pingan.core.admin import AuditedReadOnlyAdmin
from pingan.evidence.models import Location


@admin.register(Location)
class LocationAdmin(AuditedReadOnlyAdmin):
    list_display = ("code", "name", "kind", "storage_class", "capacity")
    search_fields = ("code", "name")
