"""Who is on duty: the small interface alert delivery needs, and its minimal implementation.

:class:`DutyRoster` is the seam for the dispatch app (issue 14), which replaces :class:`ShiftRoster` with
real duty rosters by naming its class in ``PINGAN_ALERTS_DUTY_ROSTER`` (a dotted path). Delivery only asks:

* ``duty_unit(user, at)`` — the unit a user is on duty for at ``at`` (``None``: off duty, receives nothing);
* ``on_duty(unit, roles, at)`` — the users on duty for ``unit`` with one of ``roles`` (for escalation
  counts and the alert page's "who was notified").

The minimal implementation: an officer starts a shift on the terminal page ("on duty for 8 hours") and ends
it; a shift is for the user's own unit. Station chiefs and dispatchers do the same.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Protocol

from django.conf import settings
from django.db.models import Q
from django.utils.module_loading import import_string

from pingan.core.models import OrgUnit, User


class DutyRoster(Protocol):
    def duty_unit(self, user: User, at: dt.datetime) -> OrgUnit | None: ...

    def on_duty(self, unit: OrgUnit, roles: tuple[str, ...], at: dt.datetime) -> list[User]: ...


class ShiftRoster:
    """Duty from :class:`~pingan.alerts.models.DutyShift` rows."""

    def _active(self, at: dt.datetime):
        from pingan.alerts.models import DutyShift

        return DutyShift.objects.filter(starts_at__lte=at, ends_at__gt=at).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at)
        )

    def duty_unit(self, user: User, at: dt.datetime) -> OrgUnit | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        shift = self._active(at).filter(user=user).select_related("unit").first()
        return shift.unit if shift else None

    def on_duty(self, unit: OrgUnit, roles: tuple[str, ...], at: dt.datetime) -> list[User]:
        return [
            s.user
            for s in self._active(at)
            .filter(unit=unit, user__role__in=roles, user__is_active=True)
            .select_related("user")
        ]


@cache
def _roster_class(path: str):
    return import_string(path)


def roster() -> DutyRoster:
    """The configured roster (``PINGAN_ALERTS_DUTY_ROSTER``, default :class:`ShiftRoster`)."""
    return _roster_class(settings.PINGAN["ALERTS_DUTY_ROSTER"])()
