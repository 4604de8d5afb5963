from django.contrib import admin

from pingan.core.models import OrgUnit, Premises, User


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "path")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("username", "role", "unit", "is_active")
    list_filter = ("role",)
    exclude = ("password",)


@admin.register(Premises)
class PremisesAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "adcode", "unit", "owner")
