"""Admin: read-only views of keys (public halves) and codes; workflows go through services, not the admin."""

from django.contrib import admin

from pingan.codes.models import Dispute, LevelOverride, SafetyCode, SigningKey
from pingan.core.admin import AuditedReadOnlyAdmin
from pingan.core.selectors import premises_subjects


class ReadOnly(AuditedReadOnlyAdmin):
    """No add/change/delete: every write is a service call that audits it; reads are recorded (core.admin)."""

    audit_subjects = staticmethod(lambda row: premises_subjects(row.premises))


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnly):
    audit_subjects = staticmethod(lambda row: [])
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
