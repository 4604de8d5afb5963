"""Duty rosters (排班) as the alerts app's duty interface (``PINGAN_ALERTS_DUTY_ROSTER``).

:class:`RosterDuty` answers "who is on duty now" from shifts: a user is on duty for the shift's unit while
``starts_at ≤ at < ends_at`` of a shift they are assigned to (as an officer, or crewing a patrol unit). The
alerts app's self-declared duty ("go on duty for N hours" on the terminal) still counts, so a station
without a roster keeps working; a rostered shift wins when both exist.

:func:`shift_bounds` turns a local day and wall-clock times into aware datetimes in the bureau's zone
(Asia/Shanghai has had no daylight saving since 1991, so every local time exists once); an end at or before
the start is on the next day (a night shift across midnight).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db.models import Q

from pingan.alerts.duty import ShiftRoster
from pingan.core.models import OrgUnit, User

ZONE = ZoneInfo("Asia/Shanghai")


def shift_bounds(day: dt.date, start: dt.time, end: dt.time, zone: ZoneInfo = ZONE) -> tuple[dt.datetime, dt.datetime]:
    """``(starts_at, ends_at)`` of a shift on local ``day`` from ``start`` to ``end`` (next day when ``end``
    ≤ ``start``; equal times make a 24-hour shift)."""
    starts = dt.datetime.combine(day, start, tzinfo=zone)
    ends = dt.datetime.combine(day if end > start else day + dt.timedelta(days=1), end, tzinfo=zone)
    return starts, ends


def active_assignments(at: dt.datetime):
    """Shift assignments whose shift contains ``at``."""
    from pingan.dispatch.models import ShiftAssignment

    return ShiftAssignment.objects.filter(shift__starts_at__lte=at, shift__ends_at__gt=at)


def crewed_units(user: User, at: dt.datetime):
    """The ids of the patrol units ``user`` crews on a shift containing ``at`` (a ``values`` subquery)."""
    return active_assignments(at).filter(user=user, patrol_unit__isnull=False).values("patrol_unit")


class RosterDuty:
    """Duty from rostered shifts, then from the alerts app's self-declared shifts."""

    fallback = ShiftRoster()

    def duty_unit(self, user: User, at: dt.datetime) -> OrgUnit | None:
        if user is None or not user.is_authenticated or not user.is_active:
            return None
        row = (
            active_assignments(at).filter(user=user).select_related("shift__unit").order_by("shift__starts_at").first()
        )
        if row is not None:
            return row.shift.unit
        return self.fallback.duty_unit(user, at)

    def on_duty(self, unit: OrgUnit, roles: tuple[str, ...], at: dt.datetime) -> list[User]:
        users = {
            u.pk: u
            for u in User.objects.filter(
                Q(pk__in=active_assignments(at).filter(shift__unit=unit).values("user")),
                role__in=roles,
                is_active=True,
            )
        }
        for u in self.fallback.on_duty(unit, roles, at):
            users.setdefault(u.pk, u)
        return sorted(users.values(), key=lambda u: u.pk)
