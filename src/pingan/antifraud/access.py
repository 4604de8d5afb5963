"""Who may do what in the anti-fraud app (least privilege; ``core.scoping`` gives the new roles nothing).

* **Centre staff** — police users (officer, station chief) of the anti-fraud centre unit (setting
  ``PINGAN_ANTIFRAUD_CENTRE``, default the demo's ``350200-FZ``) and its sub-units: every report, trace,
  order, block and warning of the city.
* **Analysts** — the whole bureau, read only.
* **Station officers and chiefs** — the reports their unit subtree took, with their statements, traces and
  orders; the warnings assigned to their unit (face-to-face).
* Approving an order: a station chief (of the centre or of the report's unit), never its drafter.
* Everyone else (administrators, auditors, submitters, citizens, the other centres' roles): nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from pingan.core.errors import PermissionDenied
from pingan.core.models import OrgUnit, Role
from pingan.core.scoping import scope

WRITERS = frozenset({Role.OFFICER, Role.STATION_CHIEF})


def centre_code() -> str:
    return getattr(settings, "PINGAN_ANTIFRAUD_CENTRE", "350200-FZ")


def centre_unit() -> OrgUnit | None:
    return OrgUnit.objects.filter(code=centre_code()).first()


def is_centre_staff(actor) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return False
    if actor.role not in WRITERS or actor.unit_id is None:
        return False
    centre = centre_unit()
    return centre is not None and actor.unit.path.startswith(centre.path)


def visible(actor, qs: QuerySet) -> QuerySet:
    """``qs`` narrowed for the actor: centre staff and analysts everything, others ``core.scoping``."""
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_active:
        return qs.none()
    if actor.role == Role.ANALYST or is_centre_staff(actor):
        return qs
    if actor.role in WRITERS:
        return scope(actor, qs)
    return qs.none()


def require_writer(actor, what: str) -> None:
    """Raise ``PermissionDenied`` unless the actor is an officer or station chief."""
    if actor is None or actor.role not in WRITERS:
        raise PermissionDenied(f"only police officers and station chiefs may {what}",
                               message_id="antifraud_write_not_allowed")


def require_centre(actor, what: str) -> None:
    """Raise ``PermissionDenied`` unless the actor is anti-fraud centre staff."""
    if not is_centre_staff(actor):
        raise PermissionDenied(f"only anti-fraud centre staff may {what}", message_id="antifraud_centre_only")
