"""Helpers shared by the alerts tests (device IDs of the Xiamen demo, payloads, ingest)."""

from __future__ import annotations

import datetime as dt

LQ_CAMERA = "35020301001320000001"  # 莲前东路卡口, station A (350203-LQ)
LQ_ACOUSTIC = "35020301001340000002"
LQ_SOS = "35020301001340000003"
JT_CAMERA = "35020601001320000001"  # 江头卡口, station B (350206-JT)
JT_INTRUSION = "35020601001340000002"


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


def payload(event_id: str, device: str, type_: str, when: dt.datetime, **attrs) -> dict:
    pos = attrs.pop("position", None)
    p = {"event_id": event_id, "device_id": device, "type": type_, "time": when.isoformat(), "attributes": attrs}
    if pos:
        p["position"] = pos
    return p


def ingest(*payloads, source="http"):
    from pingan.alerts import services

    return services.events_ingest(inputs=[services.RawInput(payload=p) for p in payloads], source=source)


def sign_in(client, user, purpose: str = "alert_response"):
    """Sign ``client`` in as ``user`` (police also declare a purpose of use, as the page flow requires)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = purpose
        session.save()
    return client
