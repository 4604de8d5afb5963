"""Safety-code selectors: reads that take the actor and scope through :func:`pingan.core.scoping.scope`.

A premises' owner sees its codes and disputes; police see those of their jurisdiction (analysts: all).
Anybody else gets ``NotFound`` (existence is not leaked).
"""

from __future__ import annotations

from django.db.models import QuerySet

from pingan.codes.models import Dispute, LevelOverride, SafetyCode
from pingan.core import selectors as core_selectors
from pingan.core.errors import NotFound
from pingan.core.models import Premises
from pingan.core.scoping import scope


def premises_get(*, actor, premises_id: int) -> Premises:
    """The premises if the actor may see it (owner or police in jurisdiction); audited. Else ``NotFound``."""
    return core_selectors.premises_get(actor=actor, premises_id=premises_id)


def code_current(*, actor, premises_id: int) -> SafetyCode | None:
    """The premises' newest unrevoked code (maybe expired), or ``None``; ``NotFound`` for an unseen premises."""
    premises = premises_get(actor=actor, premises_id=premises_id)
    return (scope(actor, SafetyCode.objects.select_related("premises"))
            .filter(premises=premises, revoked_at__isnull=True).order_by("-issued_at", "-id").first())


def code_get(*, actor, code_id: str) -> SafetyCode:
    """One code by its hex id if the actor may see it; ``NotFound`` otherwise."""
    code = scope(actor, SafetyCode.objects.select_related("premises__unit")).filter(code_id=code_id.lower()).first()
    if code is None:
        raise NotFound(f"code {code_id} not found")
    return code


def codes_of_premises(*, actor, premises_id: int) -> QuerySet[SafetyCode]:
    """Every code of a premises the actor may see, newest first."""
    premises = premises_get(actor=actor, premises_id=premises_id)
    return scope(actor, SafetyCode.objects.all()).filter(premises=premises).order_by("-issued_at", "-id")


def disputes_list(*, actor, status: str | None = None) -> QuerySet[Dispute]:
    """Disputes the actor may see (owners: their own; police: routed to their subtree), newest first."""
    qs = scope(actor, Dispute.objects.select_related("premises", "unit", "code", "submitted_by"))
    return qs.filter(status=status) if status else qs


def dispute_get(*, actor, dispute_id: int) -> Dispute:
    """One dispute the actor may see; ``NotFound`` otherwise."""
    d = disputes_list(actor=actor).filter(pk=dispute_id).first()
    if d is None:
        raise NotFound(f"dispute {dispute_id} not found")
    return d


def overrides_list(*, actor, status: str | None = None) -> QuerySet[LevelOverride]:
    """Level-change requests the actor may see, newest first."""
    qs = scope(actor, LevelOverride.objects.select_related("premises", "code", "requested_by", "decided_by"))
    return qs.filter(status=status) if status else qs


def override_get(*, actor, override_id: int) -> LevelOverride:
    """One level-change request the actor may see; ``NotFound`` otherwise."""
    ov = overrides_list(actor=actor).filter(pk=override_id).first()
    if ov is None:
        raise NotFound(f"level change {override_id} not found")
    return ov
