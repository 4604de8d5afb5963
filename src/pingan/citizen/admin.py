from django.contrib import admin

from pingan.citizen.models import Counter, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("code", "name_zh", "department", "time_limit_days", "fee_cents", "bookable")


@admin.register(Counter)
class CounterAdmin(admin.ModelAdmin):
    list_display = ("name", "unit", "slot_minutes", "capacity")
