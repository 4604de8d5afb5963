"""Admin: read-only views of keys (public halves) and codes; workflows go through services, not the admin."""

from django.contrib import admin

from pingan.codes.models import Dispute, LevelOverride, SafetyCode, SigningKey


class ReadOnly(admin.ModelAdmin):
    """No add/change/delete: every write is a service call that audits it."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnly):
    list_display = ("issuer", "kid", "alg", "active", "created_at", "retired_at")


@admin.register(SafetyCode)
class SafetyCodeAdmin(ReadOnly):
    list_display = ("code_id", "premises", "level", "issued_at", "expires_at", "revoked_at")
    list_filter = ("level", "issuer")


@admin.register(LevelOverride)
class LevelOverrideAdmin(ReadOnly):
    list_display = ("premises", "level", "status", "requested_by", "decided_by", "requested_at")


@admin.register(Dispute)
class DisputeAdmin(ReadOnly):
    list_display = ("premises", "status", "unit", "created_at", "resolved_at")
