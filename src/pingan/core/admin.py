"""The Django admin, read-only and audited (issue 12, item 7).

An administrator could make themselves an analyst here, or move a premises to another unit or owner, and
the audit trail did not show it. Now no admin page adds, changes or deletes an account, a unit or a
premises: roles, units and owners change through ``core.services.access_change_request`` and a second
administrator's ``access_change_approve`` (``pingan access``, docs/audit.md). Every admin page that lists or
shows rows records the read like any other page (``admin.<Model>`` in the trail, naming the persons shown).
Whether ``/admin/`` is served at all is a setting (docs/web.md).
"""

from collections.abc import Callable, Iterable

from django.contrib import admin
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from pingan.core import audit
from pingan.core.models import AccessChange, OrgUnit, Premises, User
from pingan.core.selectors import premises_subjects


def _no_one(_row) -> list[audit.Subject]:
    return []


class AuditedReadOnlyAdmin(admin.ModelAdmin):
    """No add, change or delete (every write is a service call that audits it); the rows an admin page
    fetches are recorded as a ``list`` read of ``admin.<Model>`` naming ``audit_subjects(row)``."""

    audit_subjects: Callable[[object], Iterable[audit.Subject]] = staticmethod(_no_one)

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        audit.register_object_type(f"admin.{model.__name__}",
                                   format_lazy("{} ({})", model._meta.verbose_name_plural, _("admin site")))

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return audit.audited(super().get_queryset(request), actor=request.user,
                             object_type=f"admin.{self.model.__name__}", subjects=type(self).audit_subjects)


@admin.register(OrgUnit)
class OrgUnitAdmin(AuditedReadOnlyAdmin):
    list_display = ("code", "name", "kind", "path")
    search_fields = ("code", "name")


@admin.register(User)
class UserAdmin(AuditedReadOnlyAdmin):
    list_display = ("username", "role", "unit", "is_active")
    list_filter = ("role",)
    list_select_related = ("unit",)
    exclude = ("password",)
    audit_subjects = staticmethod(lambda u: [audit.Subject(name=u.display_name or u.username)])


@admin.register(Premises)
class PremisesAdmin(AuditedReadOnlyAdmin):
    list_display = ("name", "kind", "adcode", "unit", "owner")
    list_select_related = ("unit", "owner")
    audit_subjects = staticmethod(premises_subjects)


@admin.register(AccessChange)
class AccessChangeAdmin(AuditedReadOnlyAdmin):
    list_display = ("pk", "user", "premises", "changes", "status", "requested_by", "decided_by", "requested_at")
    list_filter = ("status",)
