"""Helpers shared by the dispatch tests: a small hand-made map around 莲前 (WGS-84) and alerts made by hand."""

from __future__ import annotations

import datetime as dt
import math

#: The hand-made map's centre: an alert here; units placed at known distances from it.
CENTRE = (118.1370, 24.4760)


def sign_in(client, user, purpose: str = "dispatch"):
    """Sign ``client`` in as ``user``; police also declare a purpose of use, as the page flow requires."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = purpose
        session.save()
    return client


def offset(metres_east: float, metres_north: float = 0.0, origin=CENTRE) -> tuple[float, float]:
    """A point ``metres_east``/``metres_north`` of ``origin`` (local flat approximation, < 0.1 % at 5 km)."""
    lon, lat = origin
    return (lon + metres_east / (111_320 * math.cos(math.radians(lat))), lat + metres_north / 110_574)


def make_alert(
    unit, *, priority="P1", rule_id="sos", lon=CENTRE[0], lat=CENTRE[1], created_at=None, summary="immediate.sos"
):
    from django.utils import timezone

    from pingan.alerts.models import Alert

    now = created_at or timezone.now()
    n = Alert.objects.count()
    return Alert.objects.create(
        fingerprint=f"fp{n:014d}",
        priority=priority,
        ruleset="street-default",
        ruleset_version="1",
        rule_id=rule_id,
        kind="immediate",
        summary=summary,
        lon=lon,
        lat=lat,
        unit=unit,
        routed_by="polygon",
        raised_at=now,
        created_at=now,
        last_fired_at=now,
        notified_at=now,
        escalations_sent=1,
        next_escalation_at=now + dt.timedelta(seconds=30),
    )


