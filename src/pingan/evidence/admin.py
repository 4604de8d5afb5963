"""Administrators see the store's locations (set-up); items and their chains change only through services."""

from django.contrib import admin

from pingan.evidence.models import Location


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "storage_class", "capacity")
    readonly_fields = ("path",)
    search_fields = ("code", "name")
