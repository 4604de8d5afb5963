"""Whose statistics an account sees: the subtree of its own unit, for every police role, analysts included.

``core.scoping`` lets an analyst read the whole installation; statistics are narrower. A district's analyst
(分局情报分析员) sees the district and its stations, not another district, and not another organisation; a
bureau's analyst sees the bureau's tree. Station chiefs and officers see their unit's subtree as everywhere.
An account without a unit, or of another role, sees nothing. The command line (``pingan stats``, an actor
with ``installation_wide`` set) sees every organisation. Every statistics selector and service narrows with
these three functions (pages, exports and API alike), on top of ``core.scoping``'s rules.
"""

from __future__ import annotations

from django.db.models import QuerySet

from pingan.core.models import POLICE_ROLES


def tree_path(actor) -> str | None:
    """The path of the subtree ``actor`` sees statistics of (their unit's); ``None``: nothing."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", True):
        return None
    if getattr(actor, "installation_wide", False) and actor.role in POLICE_ROLES:
        return ""  # the command line: every path starts with ""
    if actor.role not in POLICE_ROLES or actor.unit_id is None:
        return None
    return actor.unit.path


def in_tree(actor, unit) -> bool:
    """Whether ``unit`` lies in ``actor``'s subtree."""
    path = tree_path(actor)
    return path is not None and unit is not None and unit.path.startswith(path)


def narrow(actor, qs: QuerySet, unit_lookup: str = "unit") -> QuerySet:
    """``qs`` limited to the rows whose ``unit_lookup`` (an ``OrgUnit``) lies in ``actor``'s subtree."""
    path = tree_path(actor)
    if path is None:
        return qs.none()
    if unit_lookup == "":
        return qs.filter(path__startswith=path)
    return qs.filter(**{f"{unit_lookup}__path__startswith": path})
