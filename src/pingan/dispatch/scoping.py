"""Who sees and manages what in dispatch (least privilege, as ``core.scoping``):

* dispatcher — the city: the subtree of the bureau their command centre belongs to (a centre has no
  territory of its own, so its parent's subtree);
* station chief — their unit's subtree (a station chief sees the station, the centre sees the city);
* officer — their unit's subtree for reading; they operate only the patrol unit they crew (services);
* analyst — the bureau, read only (response figures);
* everyone else — nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pingan.core.models import OrgUnit, Role


def root_path(actor) -> str | None:
    """The path prefix of the units ``actor`` sees in dispatch; ``None``: none."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active or actor.unit_id is None:
        return None
    unit = actor.unit
    if actor.role == Role.DISPATCHER:
        if unit.kind == OrgUnit.Kind.CENTRE and unit.parent_id is not None:
            return unit.parent.path
        return unit.path
    if actor.role in (Role.STATION_CHIEF, Role.OFFICER, Role.ANALYST):
        return unit.path
    return None


def scope(actor, qs: QuerySet, unit_path: str | None = None) -> QuerySet:
    """``qs`` narrowed to the actor's dispatch line; the model's ``scope_unit`` names the unit."""
    root = root_path(actor)
    if root is None:
        return qs.none()
    lookup = unit_path or qs.model.scope_unit
    return qs.filter(**{f"{lookup}__path__startswith": root})


def can_manage_unit(actor, unit: OrgUnit) -> bool:
    """Dispatchers (the city) and station chiefs (their subtree) manage units, shifts and dispatches."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return False
    if actor.role not in (Role.DISPATCHER, Role.STATION_CHIEF):
        return False
    root = root_path(actor)
    return root is not None and unit.path.startswith(root)
