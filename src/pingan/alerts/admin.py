from django.contrib import admin

from pingan.alerts.models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    """Administrators manage the device registry (registration itself goes through the service/CLI)."""

    list_display = ("device_id", "name", "kind", "unit", "status", "last_seen_at")
    list_filter = ("kind", "status")
    search_fields = ("device_id", "name")
    readonly_fields = ("digest_ha1", "type_code", "routed_by", "last_seen_at", "viid_registered_at")
