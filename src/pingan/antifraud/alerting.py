"""Real-time detections as alerts: a transfer (or contact) to a listed fraud identifier becomes an alert of
the alerts app (issue 13), priority P1 for a transfer, routed to the anti-fraud centre, through that app's
own pipeline (``alerts.services.firings_apply``: fingerprint, timeline, audit, the centre's on-duty feed,
escalation to the duty chief and the command centre per ``alerts/policies/default.toml``).

The alerts app routes an alert to the unit of its device (by position, else administrative code). A bank
or carrier feed has neither, and the anti-fraud centre has no territory, so the feed is registered as one
platform device (``FEED_DEVICE``, GB/T 28181: centre code 35020000, type 200 central server, network 5
public security) and assigned to the centre; ``device_register`` has no unit argument, hence the direct
assignment below (noted for the alerts app's owners).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pingan.antifraud import access, rules
from pingan.antifraud.detect import Detection

FEED_DEVICE = "35020000002005000015"


def feed_device_id() -> str:
    return getattr(settings, "PINGAN_ANTIFRAUD_FEED_DEVICE", FEED_DEVICE)


def feed_device():
    """The alerts device that stands for the real-time transfer feed, assigned to the anti-fraud centre."""
    from pingan.alerts import services as alerts_services
    from pingan.alerts.models import Device

    device_id = feed_device_id()
    device = Device.objects.filter(device_id=device_id).first()
    if device is None:
        device = alerts_services.device_register(actor=None, device_id=device_id, name="反诈中心 实时转账监测",
                                                 kind=Device.Kind.PLATFORM)
    centre = access.centre_unit()
    if centre is not None and device.unit_id != centre.pk:
        Device.objects.filter(pk=device.pk).update(unit=centre, adcode="", routed_by="device")
        alerts_services.directory.forget(device_id)
        device.refresh_from_db()
    return device


@transaction.atomic
def alert_raise(detection: Detection, *, now: dt.datetime | None = None):
    """The alerts-app ``Alert`` for ``detection`` (created, or updated when the same transfer was reported
    again: idempotent per event); ``None`` if the alerts app skipped it as already applied."""
    from pingan.alerts import services as alerts_services
    from pingan.alerts.rules import Firing
    from pingan.alerts.worker import load_configured_policy

    now = now or timezone.now()
    device = feed_device()
    ev = detection.event
    ref = str(ev.get("ref") or hashlib.sha256(json.dumps(ev, sort_keys=True, default=str).encode()).hexdigest()[:24])
    firing = Firing(
        ruleset="antifraud", ruleset_version=rules.legal().id, rule_id="antifraud.listed_counterpart",
        kind="antifraud", priority=detection.priority, at=now, device_id=device.device_id,
        labels={"alertname": "antifraud.listed_counterpart", "device": device.device_id,
                "counterpart": f"{detection.counterpart_kind}:{detection.counterpart}",
                "person": str(ev.get("person") or "")},
        event_keys=(f"{device.device_id}/{ref}",), summary="antifraud.listed_counterpart",
        params={"counterpart": detection.counterpart, "counterpart_kind": detection.counterpart_kind,
                "listed_by": detection.listed_by, "amount_cents": int(ev.get("amount") or 0),
                "contact": str(ev.get("kind") or "")})
    res = alerts_services.firings_apply(firings=[firing], policy=load_configured_policy(), now=now)
    return (res.created or res.updated or [None])[0]
