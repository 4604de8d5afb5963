"""What the alerts app asks of security operations (大型安保), through two settings so that the alerts app does
not import dispatch:

* ``PINGAN_ALERTS_TEMPORARY_RULESETS`` → :func:`rulesets_for`: the temporary rule sets of the operations
  whose window is open or opens within ``LOOKAHEAD`` (each an ordinary ``alerts.rules.RuleSet`` with
  ``active_from``/``active_until`` = the window and ``within`` = the operation's area, so the engine itself
  judges window and area per event). The alerts worker runs one engine per set beside its main one.
* ``PINGAN_ALERTS_AREA_OWNER`` → :func:`area_owner`: the commanding unit of the operation whose area holds a
  new alert's position during its window — the operation's command owns every alert raised there then,
  whichever station's jurisdiction the point lies in (``routed_by = "operation"``). Overlapping operations:
  the one that started last (then the higher id), as the most specific.

Both read the operations again at most every ``REFRESH_S`` per process.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

from pingan.alerts import rules as alert_rules

LOOKAHEAD = dt.timedelta(minutes=10)
REFRESH_S = 2.0

_lock = threading.Lock()
_cache: dict = {"at": -1e9, "ops": []}


def _operations(at: dt.datetime) -> list:
    """Operations with a window around ``at`` (``(op, prepared polygon)``), cached ``REFRESH_S``."""
    from shapely import prepared

    from pingan.dispatch import area
    from pingan.dispatch.models import SecurityOperation

    with _lock:
        if time.monotonic() - _cache["at"] < REFRESH_S and _cache.get("around") == at.replace(second=0, microsecond=0):
            return _cache["ops"]
        ops = [
            (op, prepared.prep(area.polygon(op.area)))
            for op in SecurityOperation.objects.select_related("unit")
            .filter(starts_at__lte=at + LOOKAHEAD, ends_at__gt=at - LOOKAHEAD)
            .order_by("-starts_at", "-id")
        ]
        _cache.update(at=time.monotonic(), ops=ops, around=at.replace(second=0, microsecond=0))
        return ops


def clear_cache() -> None:
    with _lock:
        _cache.update(at=-1e9, ops=[], around=None)


def rulesets_for(at: dt.datetime) -> list[alert_rules.RuleSet]:
    """The temporary rule sets to run now. A stored set the alerts parser refuses (it was valid when the
    operation was made, so only a changed parser can do this) is left out and logged, never fatal."""
    import logging

    from pingan.dispatch.optemplates import document_from_storage

    out = []
    for op, _poly in _operations(at):
        if not op.ruleset:
            continue
        try:
            out.append(alert_rules.parse_ruleset(document_from_storage(op.ruleset), path=f"operation {op.pk}"))
        except (alert_rules.RuleSetError, KeyError, ValueError) as e:
            logging.getLogger(__name__).error("operation %s: temporary rule set refused: %s", op.pk, e)
    return out


def area_owner(lon: float | None, lat: float | None, at: dt.datetime):
    """``(commanding OrgUnit, operation id)`` of the operation whose area (boundary included) holds the
    point during its window at ``at``, or ``None``."""
    if lon is None or lat is None:
        return None
    from shapely import Point

    p = Point(lon, lat)
    for op, poly in _operations(at):
        if op.starts_at <= at < op.ends_at and op.min_lon <= lon <= op.max_lon and op.min_lat <= lat <= op.max_lat \
                and poly.covers(p):
            return op.unit, op.pk
    return None
