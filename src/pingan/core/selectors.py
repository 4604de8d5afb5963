"""Core selectors: reads that take the actor, scope through :func:`pingan.core.scoping.scope`, and audit."""

from __future__ import annotations

from django.db.models import QuerySet

from pingan.core import audit
from pingan.core.errors import NotFound
from pingan.core.models import AuditRecord, OrgUnit, Premises, Role
from pingan.core.scoping import scope


def premises_list(*, actor, unit: OrgUnit | None = None) -> QuerySet[Premises]:
    """Premises the actor may see (optionally only within ``unit``'s subtree), with unit and owner joined."""
    qs = scope(actor, Premises.objects.select_related("unit", "owner"))
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs


def premises_get(*, actor, premises_id: int, purpose: str = "") -> Premises:
    """One premises the actor may see; records the read. Raises ``NotFound`` otherwise (no existence leak)."""
    p = premises_list(actor=actor).filter(pk=premises_id).first()
    if p is None:
        raise NotFound(f"premises {premises_id} not found")
    audit.record(actor, "read", "Premises", p.pk, purpose=purpose)
    return p


def audit_search(*, actor, actor_name: str = "", object_type: str = "", object_id: str = "",
                 action: str = "") -> QuerySet[AuditRecord]:
    """Search the audit trail; only auditors (and administrators) may. Empty for other roles."""
    if actor is None or actor.role not in (Role.AUDITOR, Role.ADMIN):
        return AuditRecord.objects.none()
    qs = AuditRecord.objects.order_by("-seq")
    if actor_name:
        qs = qs.filter(actor=actor_name)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    return qs
