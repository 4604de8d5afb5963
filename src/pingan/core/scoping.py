"""Jurisdiction scoping (辖区): the one mechanism that limits every query touching personal data.

Selectors call :func:`scope` with the actor; no view filters by hand. A model that holds personal data
declares how it is scoped with two class attributes:

* ``scope_unit`` — the lookup path to the responsible :class:`~pingan.core.models.OrgUnit`
  (e.g. ``"unit"`` or ``"job__premises__unit"``);
* ``scope_owner`` — the lookup path to the submitter account that owns it (e.g. ``"owner"``).

Rules (least privilege):

* analyst — their line (read): the subtree of their unit, a bureau's analyst the bureau's tree — never another
  organisation's units (issue 11: the Xiamen analyst's counts page listed Chicago's districts and beats, loaded
  for the statistics demos); a centre, which has no territory of its own, stands for its parent's tree;
* station chief, officer — their unit's subtree, and of premises data (:func:`premises_data`) also the premises
  at the branch (分局) or the bureau above their station, whose station work they do (:func:`station_work_filter`);
* enterprise, landlord, citizen — what they own, nothing else (a citizen: their own applications);
* system administrator, auditor — no personal data through selectors (auditors read the audit
  trail, administrators manage accounts and reference data).
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from pingan.core.models import Role


def _attr(model: type[Model], name: str) -> str | None:
    return getattr(model, name, None)


def line_path(actor) -> str | None:
    """The path prefix of the units whose data ``actor`` sees (their line): an officer's, station chief's or
    analyst's unit's subtree (an analyst's in a centre: its parent's); ``None`` for an account without a unit
    or of another role. Every page or endpoint that lists units narrows with it (:func:`line_units`)."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return None
    if actor.role not in (Role.ANALYST, Role.STATION_CHIEF, Role.OFFICER) or actor.unit_id is None:
        return None
    unit = actor.unit
    if actor.role == Role.ANALYST and unit.kind == "centre" and unit.parent_id is not None:
        return unit.parent.path
    return unit.path


def line_units(actor) -> QuerySet:
    """The units of ``actor``'s line (:func:`line_path`) in tree order; none for other accounts."""
    from pingan.core.models import OrgUnit

    path = line_path(actor)
    return OrgUnit.objects.filter(path__startswith=path) if path is not None else OrgUnit.objects.none()


def organisation_units(actor) -> QuerySet:
    """The units of the organisation ``actor``'s unit belongs to (its tree's root down), in tree order — what a
    unit picker of a page not bound to a line offers (the auditor's filter); every unit for an account without
    a unit."""
    from pingan.core.models import OrgUnit

    if actor is None or getattr(actor, "unit_id", None) is None:
        return OrgUnit.objects.order_by("path")
    return OrgUnit.objects.filter(path__startswith=actor.unit.path.split("/", 1)[0] + "/").order_by("path")


def scope(actor, qs: QuerySet) -> QuerySet:
    """``qs`` narrowed to what ``actor`` may see; an empty queryset when the role sees none of it.

    Raises ``TypeError`` when the model declares neither ``scope_unit`` nor ``scope_owner`` — an unscoped
    model must not reach a selector.

    A premises at a branch (分局) or the bureau — its address named the district, not the township — belongs to no
    station, and the stations under that unit do its station work (:func:`station_work_filter`: its sign-up, its
    suspended code, its correction requests, confirming who left). So an officer's or station chief's scope of a
    premises and of what hangs on one (:func:`premises_data`: screenings, people, hits, codes) includes those
    premises too: issue 11's trial followed "See who, on the premises page" from a station's queue to a 404.
    """
    model = qs.model
    unit_path, owner_path = _attr(model, "scope_unit"), _attr(model, "scope_owner")
    if unit_path is None and owner_path is None:
        raise TypeError(f"{model.__name__} declares no scope_unit/scope_owner: it cannot be scoped")
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    role = actor.role
    if role in (Role.ANALYST, Role.STATION_CHIEF, Role.OFFICER):
        path = line_path(actor)
        if unit_path is None or path is None:
            return qs.none()
        if premises_data(model):
            routed = station_work_filter(actor, unit_path)
            if routed is not None:
                return qs.filter(routed)
        return qs.filter(**{f"{unit_path}__path__startswith": path})
    if role in (Role.ENTERPRISE, Role.LANDLORD, Role.CITIZEN):
        if owner_path is None:
            return qs.none()
        return qs.filter(**{owner_path: actor})
    return qs.none()


def premises_data(model: type[Model]) -> bool:
    """Whether ``model`` is a premises or scoped through one (``scope_unit`` ending in ``premises__unit``)."""
    from pingan.core.models import Premises

    unit_path = _attr(model, "scope_unit") or ""
    return model is Premises or unit_path == "premises__unit" or unit_path.endswith("__premises__unit")


def can_see_unit(actor, unit) -> bool:
    """True when ``unit`` lies within the actor's line (:func:`line_path`)."""
    path = line_path(actor)
    return path is not None and unit is not None and unit.path.startswith(path)


#: Units above a station whose station work — a sign-up given at district or city level (no township), a
#: premises' suspended safety code — the stations under them do: nobody works a branch's (分局) or the bureau's
#: own queue (issue 11; the review: a branch-level suspension was routed to nobody).
ABOVE_STATION = ("branch", "bureau")


def station_work_filter(actor, unit_field: str = "unit"):
    """The rows of a station queue an officer or station chief works, as a ``Q`` over ``unit_field`` (the
    unit the row is routed to): those routed to a unit in their unit's subtree, and those routed to a branch or
    the bureau above it (an address at district or city level): every station under it sees them, and the one
    that acts takes them. ``None`` for other roles."""
    from django.db.models import Q

    if actor is None or not getattr(actor, "is_active", False) or actor.role not in (
            Role.OFFICER, Role.STATION_CHIEF) or actor.unit_id is None:
        return None
    path = actor.unit.path
    above = [path[:i] for i in range(1, len(path)) if path[i - 1] == "/"]
    return Q(**{f"{unit_field}__path__startswith": path}) | Q(**{f"{unit_field}__path__in": above,
                                                                f"{unit_field}__kind__in": ABOVE_STATION})


def works_for(actor, unit) -> bool:
    """Whether ``actor`` works a station queue's row routed to ``unit`` (:func:`station_work_filter`, one row)."""
    if actor is None or not getattr(actor, "is_active", False) or actor.role not in (
            Role.OFFICER, Role.STATION_CHIEF) or actor.unit_id is None:
        return False
    mine = actor.unit.path
    return unit.path.startswith(mine) or (unit.kind in ABOVE_STATION and mine.startswith(unit.path))


def police_of_premises(actor, unit) -> bool:
    """Whether ``actor`` is police of a premises at ``unit``: in their line (:func:`can_see_unit`), or a branch's
    (分局) or the bureau's premises whose station work they do (:func:`works_for`) — who may act on its code
    (issue, revoke, request or approve a level change) as on any premises of their station."""
    return can_see_unit(actor, unit) or works_for(actor, unit)


def registration_filter(actor):
    """The ``Registration`` rows an officer or station chief decides (:func:`station_work_filter`)."""
    return station_work_filter(actor)


def decides_registration(actor, unit) -> bool:
    """Whether ``actor`` decides a sign-up routed to ``unit`` (:func:`works_for`)."""
    return works_for(actor, unit)
