"""An alert named for a reader: what (its summary code rendered with its parameters), where (the device's name,
the responsible unit) and when (raised, on the bureau's clock) — in the reader's language at display time.
The same summary templates as the alerts terminal (``alerts/terminal.html``), so the two pages say the same."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from pingan.alerts import labels
from pingan.alerts.models import Alert
from pingan.dispatch.durations import local_time

SUMMARIES = {
    "immediate.gunshot": _("Gunshot detected"),
    "immediate.explosion": _("Explosion detected"),
    "immediate.sos": _("SOS button pressed"),
    "immediate.smoke": _("Smoke alarm"),
    "immediate.intrusion": _("Intrusion alarm"),
    "immediate.loud_noise": _("Loud noise"),
    "immediate.video_event": _("Video analytic event"),
    "hotlist.plate": _("Watch-listed plate {plate}: {reason}"),
    "hotlist.person": _("Watch-listed person {person}: {reason}"),
    "cloned_plate": _("Possible cloned plate {plate}: {distance_m} m in {minutes} min"),
    "geofence.enter": _("{subject} entered {fence}"),
    "geofence.leave": _("{subject} left {fence}"),
    "geofence.dwell": _("{subject} stayed {minutes} min in {fence}"),
    "count": _("{count} {type} events in {minutes} min at {area}"),
    "absence": _("Device offline for {minutes} min"),
}

_FIELD = re.compile(r"\{(\w+)\}")


def title(summary: str, params: dict[str, Any] | None, rule_id: str = "") -> str:
    """The summary in the active language with ``params`` filled in; for a summary code without a template (a
    temporary rule's, say), the rule's title (``alerts.labels.rule``: never its id)."""
    template = SUMMARIES.get(summary)
    if template is None:
        return labels.rule(rule_id, summary)
    p = params or {}
    return _FIELD.sub(lambda m: str(p.get(m.group(1), "")), str(template))


def place(alert: Alert) -> str:
    """Where: the device's name and the responsible unit, as far as known."""
    parts = [alert.device.label if alert.device_id and alert.device else "", alert.unit.label if alert.unit_id else ""]
    return " · ".join(p for p in parts if p)


def describe(alert: Alert) -> dict[str, str]:
    """``{"title", "place", "raised"}`` of ``alert`` for a page (raised on the bureau's clock)."""
    return {"title": title(alert.summary, alert.params, alert.rule_id), "place": place(alert),
            "raised": local_time(alert.raised_at, "%m-%d %H:%M:%S")}
