"""Human labels for the alerts app's codes, in the viewer's language at display time.

Alerts, their timeline and the terminal's stream store codes and parameters (``P1``, ``immediate.sos``,
``en_route``, ``polygon``, role codes, unit codes, disposition codes); a fresh-user trial found the pages
showed them raw ("P1 · sos", "reported-incident", "(polygon)", "street-default 1.0.0", raised/notified/en_route,
role-code lists). This module is the one place that words them:

* the alert page and the other alerts templates (``alerts_tags``);
* the terminal's script: :func:`js_table` is the same table rendered in the page's language and handed to
  ``terminal.js`` (the SSE payload carries codes; every viewer reads the labels of their own language);
* the CLI summaries keep English (commands print for operators; ``--json`` keeps the codes).

Every summary code the rules can raise (:data:`SUMMARIES`, one per event type for ``immediate.<type>``), every
timeline action and every rule of the bundled rule set has a label; ``tests/alerts/test_alerts_labels.py``
fails on a code without one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from pingan.core import texts
from pingan.core.texts import paren, utc_offset

#: Priorities: the code stays (officers say "P1") with what it means.
PRIORITIES = {
    "P1": pgettext_lazy("alert priority", "P1 life at risk"),
    "P2": pgettext_lazy("alert priority", "P2 urgent"),
    "P3": pgettext_lazy("alert priority", "P3 routine"),
    "P4": pgettext_lazy("alert priority", "P4 low"),
}

#: What an event of each type is (``events.EVENT_TYPES``), for "{count} {type} events" and the fallbacks.
EVENT_TYPES = {
    "anpr": pgettext_lazy("alert event type", "vehicle pass"),
    "person_match": pgettext_lazy("alert event type", "person match"),
    "sighting": pgettext_lazy("alert event type", "face or person capture"),
    "gunshot": pgettext_lazy("alert event type", "gunshot"),
    "explosion": pgettext_lazy("alert event type", "explosion"),
    "loud_noise": pgettext_lazy("alert event type", "loud noise"),
    "sos": pgettext_lazy("alert event type", "SOS button"),
    "intrusion": pgettext_lazy("alert event type", "intrusion alarm"),
    "smoke": pgettext_lazy("alert event type", "smoke alarm"),
    "video_event": pgettext_lazy("alert event type", "video analytics"),
    "incident": pgettext_lazy("alert event type", "reported incident"),
    "position": pgettext_lazy("alert event type", "position report"),
    "heartbeat": pgettext_lazy("alert event type", "heartbeat"),
}

#: Incident categories an upstream system reports (``attributes.category`` of an ``incident`` event).
INCIDENT_CATEGORIES = {
    "aggravated_assault": pgettext_lazy("incident category", "aggravated assault"),
    # ShotSpotter's classes (the St. Louis replay)
    "multiple_gunshots": pgettext_lazy("incident category", "multiple gunshots"),
    "single_gunshot": pgettext_lazy("incident category", "single gunshot"),
    "gunshot_or_firework": pgettext_lazy("incident category", "gunshot or firework"),
    "indoor_gunshot": pgettext_lazy("incident category", "indoor gunshot"),
}
#: A sentence that does not name the category, with the category the upstream system gave.
WITH_CATEGORY = gettext_lazy("{summary} ({category})")

#: The message codes a rule fires with (``rules.Firing.summary``) → a sentence with ``{param}`` places.
SUMMARIES = {
    "immediate.gunshot": gettext_lazy("Gunshot detected"),
    "immediate.explosion": gettext_lazy("Explosion detected"),
    "immediate.sos": gettext_lazy("SOS button pressed"),
    "immediate.smoke": gettext_lazy("Smoke alarm"),
    "immediate.intrusion": gettext_lazy("Intrusion alarm"),
    "immediate.loud_noise": gettext_lazy("Loud noise"),
    "immediate.video_event": gettext_lazy("Video analytic event"),
    "immediate.incident": gettext_lazy("Reported incident: {category}"),
    "immediate.anpr": gettext_lazy("Vehicle passed a checkpoint"),
    "immediate.person_match": gettext_lazy("Person matched by a recogniser"),
    "immediate.sighting": gettext_lazy("Face or person captured"),
    "immediate.position": gettext_lazy("Position report"),
    "immediate.heartbeat": gettext_lazy("Device heartbeat"),
    "hotlist.plate": gettext_lazy("Watch-listed plate {plate}: {reason}"),
    "hotlist.person": gettext_lazy("Watch-listed person {person}: {reason}"),
    "cloned_plate": gettext_lazy("Possible cloned plate {plate}: {distance_m} m in {minutes} min"),
    "geofence.enter": gettext_lazy("{subject} entered {fence}"),
    "geofence.leave": gettext_lazy("{subject} left {fence}"),
    "geofence.dwell": gettext_lazy("{subject} stayed {minutes} min in {fence}"),
    "count": gettext_lazy("{count} {type} events in {minutes} min at {area}"),
    "absence": gettext_lazy("Device offline for {minutes} min"),
    "absence.back": gettext_lazy("Device back online"),
    "screening.hits_raised": gettext_lazy(
        "Re-screening after new risk data ({dataset}): {people} people of {premises} premises have new hits"),
}
#: A summary code none of the above knows (a rule set of a later version): said plainly, never as a code.
UNKNOWN_SUMMARY = gettext_lazy("Alert from a device rule")

UNKNOWN_RULE = gettext_lazy("Rule of a later rule set")

#: The rules of the bundled rule sets (``rulesets/*.toml``, ``dispatch`` operation templates) by id.
RULES = {
    "gunshot": pgettext_lazy("alert rule", "Gunfire or explosion"),
    "sos": pgettext_lazy("alert rule", "SOS alarm post"),
    "smoke": pgettext_lazy("alert rule", "Smoke or fire alarm"),
    "reported-incident": pgettext_lazy("alert rule", "Incident reported by another system"),
    "loud-noise": pgettext_lazy("alert rule", "Loud noise"),
    "hotlist-plate": pgettext_lazy("alert rule", "Watch-listed plate"),
    "hotlist-person": pgettext_lazy("alert rule", "Watch-listed person"),
    "cloned-plate": pgettext_lazy("alert rule", "Possible cloned plate"),
    "intrusion-burst": pgettext_lazy("alert rule", "Repeated intrusion alarms"),
    "gathering": pgettext_lazy("alert rule", "Gathering (video analytics)"),
    "gulangyu-dwell": pgettext_lazy("alert rule", "Long stay on Gulangyu"),
    "zhongshan-enter": pgettext_lazy("alert rule", "Entry into Zhongshan Road pedestrian street"),
    "device-offline": pgettext_lazy("alert rule", "Device offline"),
    "crowd": pgettext_lazy("alert rule", "Crowding in a sector"),
    "hotlist-plate-near-venue": pgettext_lazy("alert rule", "Watch-listed plate at the venue"),
    "intrusion": pgettext_lazy("alert rule", "Intrusion alarm"),
}

#: Rule sets by id; an operation's own rule set (``op-<n>``, dispatch) is named with its number.
RULESETS = {
    "street-default": gettext_lazy("Default rules for street devices"),
}

#: How the responsible unit was found (``Alert.routed_by``, ``Device.routed_by``).
ROUTED_BY = {
    "polygon": gettext_lazy("its position lies in the unit's jurisdiction boundary"),
    "adcode": gettext_lazy("by the device's administrative division code"),
    "device": gettext_lazy("the device's own unit"),
    "operation": gettext_lazy("the position lies in an operation's area"),
    "none": gettext_lazy("no unit found"),
    "": gettext_lazy("no unit found"),
}

#: Timeline steps (``AlertTransition.action``), from the alerts engine, the officer and dispatch.
ACTIONS = {
    "raised": pgettext_lazy("alert timeline", "Raised"),
    "notified": pgettext_lazy("alert timeline", "Sent to the officers on duty"),
    "escalated": pgettext_lazy("alert timeline", "Escalated"),
    "silenced": pgettext_lazy("alert timeline", "Silenced"),
    "muted": pgettext_lazy("alert timeline", "Muted: device in maintenance"),
    "inhibited": pgettext_lazy("alert timeline", "Muted by a related alert nearby"),
    "repeated": pgettext_lazy("alert timeline", "Fired again"),
    "resolved": pgettext_lazy("alert timeline", "Resolved"),
    "acknowledged": pgettext_lazy("alert timeline", "Acknowledged"),
    "en_route": pgettext_lazy("alert timeline", "On the way"),
    "on_scene": pgettext_lazy("alert timeline", "On scene"),
    "closed": pgettext_lazy("alert timeline", "Closed"),
    "maintenance": pgettext_lazy("alert timeline", "Device put into maintenance"),
    "dispatched": pgettext_lazy("alert timeline", "Unit dispatched"),
    "accepted": pgettext_lazy("alert timeline", "Dispatch accepted"),
    "declined": pgettext_lazy("alert timeline", "Dispatch declined"),
    "unanswered": pgettext_lazy("alert timeline", "Dispatch unanswered"),
    "stood_down": pgettext_lazy("alert timeline", "Unit stood down"),
    "timeline_pruned": pgettext_lazy("alert timeline", "Timeline removed under the retention rule"),
}

#: The states an alert is in (the terminal's cards; ``Alert.State`` labels the model).
STATES = {
    "new": pgettext_lazy("alert state", "new"),
    "acknowledged": pgettext_lazy("alert state", "acknowledged"),
    "en_route": pgettext_lazy("alert state", "on the way"),
    "on_scene": pgettext_lazy("alert state", "on scene"),
    "closed": pgettext_lazy("alert state", "closed"),
}

_FIELDS = re.compile(r"\{(\w+)\}")


def priority(code: str) -> str:
    return str(PRIORITIES.get(code, code))


def rule(rule_id: str, summary: str = "") -> str:
    """A rule's title; an unknown rule is named by what it raised (its summary), never by its id."""
    if rule_id in RULES:
        return str(RULES[rule_id])
    if summary.startswith("immediate.") and summary[10:] in EVENT_TYPES:
        return event_type(summary[10:]).capitalize()
    return str(UNKNOWN_RULE)


def ruleset(ruleset_id: str, version: str) -> str:
    """"Default rules for street devices, version 1.0.0"; an operation's rule set by its number."""
    m = re.fullmatch(r"op-(\d+)", ruleset_id or "")
    name = _("rules of operation %(n)s") % {"n": m.group(1)} if m else str(RULESETS.get(ruleset_id, ruleset_id))
    return _("%(name)s, version %(version)s") % {"name": name, "version": version}


def routed_by(code: str) -> str:
    return str(ROUTED_BY.get(code, ROUTED_BY["none"]))


def action(code: str) -> str:
    return str(ACTIONS.get(code, code.replace("_", " ")))


def state(code: str) -> str:
    return str(STATES.get(code, code))


def event_type(code: str) -> str:
    return str(EVENT_TYPES.get(code, code))


def roles(codes: Iterable[str]) -> str:
    """Role codes as their labels, joined the language's way ("officer, station chief" / "民警、所长")."""
    from pingan.core.models import Role

    names = [str(Role(c).label) if c in Role.values else c for c in codes]
    return list_separator().join(names)


def list_separator() -> str:
    """", " in English, "、" in Chinese."""
    return str(pgettext_lazy("list separator", ", "))


def display_params(summary: str, params: Mapping, *, device_name: str = "") -> dict[str, str]:
    """The values a summary's sentence shows: codes among them (event type, incident category) as labels, a
    count's area as the fence's or device's name. ``terminal.js`` does the same with :func:`js_table`."""
    out = {k: "" if v is None else str(v) for k, v in (params or {}).items()}
    if "type" in out:
        out["type"] = event_type(out["type"])
    if "category" in out:
        out["category"] = str(INCIDENT_CATEGORIES.get(out["category"], out["category"].replace("_", " ")))
    elif summary == "immediate.incident":
        out["category"] = str(EVENT_TYPES["incident"])
    if summary == "count":
        from pingan.core.models import unit_label

        # a fence by its name in the reader's language (its English name on a page that is not Chinese)
        fence = unit_label(out.get("area_name", ""), out.get("area_name_en", ""))
        out["area"] = fence or device_name or out.get("area", "")
    return out


def summary_text(summary: str, params: Mapping, *, device_name: str = "") -> str:
    """The alert's sentence in the active language ("SOS button pressed", "Reported incident: aggravated
    assault"); ``immediate.<type>`` of a type without a sentence says the event type."""
    template = SUMMARIES.get(summary)
    if template is None and summary.startswith("immediate.") and summary[10:] in EVENT_TYPES:
        return event_type(summary[10:]).capitalize()
    values = display_params(summary, params, device_name=device_name)
    text = _FIELDS.sub(lambda m: values.get(m.group(1), ""), str(template or UNKNOWN_SUMMARY))
    if values.get("category") and "{category}" not in str(template or ""):
        text = str(WITH_CATEGORY).format(summary=text, category=values["category"])
    return text


def zone(name: str = ""):
    """The time zone ``name`` (IANA, a device's ``time_zone``), or the bureau's (``TIME_ZONE``) for a blank or
    unknown name."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if name:
        try:
            return ZoneInfo(name)
        except (ValueError, ZoneInfoNotFoundError):
            pass
    return timezone.get_default_timezone()


def when(value: dt.datetime | None, *, offset: bool = True, zone_name: str = "") -> str:
    """Date and time in the bureau's time zone, ``2026-12-06 14:03:05 UTC+08:00`` (the offset unless
    ``offset=False``), or in ``zone_name`` (a device's zone: ``2019-03-04 21:15:00 UTC-06:00``). An alert may
    be from another day (or, replayed, another year): never a bare time."""
    if value is None:
        return "—"
    local = value.astimezone(zone(zone_name)) if zone_name else timezone.localtime(value)
    text = local.strftime("%Y-%m-%d %H:%M:%S")
    return f"{text} {utc_offset(local)}" if offset else text


def event_time(alert) -> str:
    """When ``alert`` was raised, on the clock of the place it happened (its device's ``time_zone``) with the
    offset, and, when that is not the bureau's zone, the bureau's time beside it: ``2019-03-04 21:15:00
    UTC-06:00 (北京时间 2019-03-05 11:15:00)`` (issue 11: the Chicago replay's alerts read in Beijing time)."""
    here, aside = event_time_parts(alert)
    return here + aside


def event_time_parts(alert) -> tuple[str, str]:
    """:func:`event_time` as its two parts: the place's time, and the aside with Beijing time (``""`` when the
    device has no zone of its own) — a page keeps the first unbroken and lets the aside wrap on a phone."""
    device = getattr(alert, "device", None) if getattr(alert, "device_id", None) else None
    zone_name = getattr(device, "time_zone", "") if device is not None else ""
    if not zone_name or alert.raised_at is None:
        return when(alert.raised_at), ""
    here = when(alert.raised_at, zone_name=zone_name)
    site = when(alert.raised_at)
    return (here, "") if here == site else (here, paren(_("Beijing time %(time)s") % {"time": site}))


def js_table() -> dict[str, object]:
    """The label tables in the active language for ``terminal.js`` (keys are codes)."""
    return {
        "summaries": {k: str(v) for k, v in SUMMARIES.items()},
        "unknown_summary": str(UNKNOWN_SUMMARY),
        "priorities": {k: str(v) for k, v in PRIORITIES.items()},
        "event_types": {k: str(v) for k, v in EVENT_TYPES.items()},
        "categories": {k: str(v) for k, v in INCIDENT_CATEGORIES.items()},
        "with_category": str(WITH_CATEGORY),
        "states": {k: str(v) for k, v in STATES.items()},
    }


def timeline_detail(action: str, detail: Mapping, *, units: Mapping[str, str] | None = None,
                    devices: Mapping[str, str] | None = None) -> str:
    """One timeline entry's detail as a sentence in the active language (the stored ``detail`` holds codes:
    unit codes, role codes, routing, disposition, event keys). ``units``/``devices``: code → name."""
    from pingan.alerts.models import disposition_choices

    units, devices = units or {}, devices or {}
    d = dict(detail or {})

    def unit(code: str) -> str:
        return units.get(code, code) if code else ""

    parts: list[str] = []
    if action == "raised":
        if d.get("unit"):
            parts.append(_("responsible: %(unit)s (%(how)s)") % {"unit": unit(d["unit"]),
                                                                 "how": routed_by(d.get("routed_by", ""))})
        else:
            parts.append(routed_by(d.get("routed_by", "")))
    elif action in ("notified", "escalated"):
        if d.get("group_of"):
            parts.append(_("together with alert #%(id)s") % {"id": d["group_of"]})
        if d.get("step"):
            parts.append(_("step %(n)s") % {"n": d["step"]})
        if d.get("unit") or d.get("roles"):
            who = roles(d.get("roles") or [])
            parts.append(_("%(roles)s of %(unit)s") % {"roles": who, "unit": unit(d.get("unit", ""))}
                         if d.get("unit") else who)
        elif action == "escalated" and d.get("target") == "duty_chief":
            parts.append(_("the station's duty chief"))
        if d.get("reason") == "dispatch_unanswered":
            parts.append(_("no unit answered the dispatch"))
    elif action == "silenced" and d.get("silence"):
        parts.append(_("by silence #%(id)s") % {"id": d["silence"]})
    elif action in ("muted", "maintenance") and d.get("device"):
        parts.append(devices.get(d["device"], d["device"]))
    elif action == "repeated":
        n = len(d.get("events") or [])
        if n:
            parts.append(ngettext("%(n)s more event", "%(n)s more events", n) % {"n": n})
    elif action == "resolved":
        parts.append(_("the device is reporting again"))
    elif action == "closed" and d.get("disposition"):
        labels = dict(disposition_choices())
        parts.append(str(labels.get(d["disposition"], d["disposition"])))
        if d.get("notes"):
            parts.append(str(d["notes"]))
    elif action in ("dispatched", "accepted", "declined", "unanswered", "stood_down"):
        if d.get("unit"):
            parts.append(unit(d["unit"]))
        if d.get("reason") == "reassigned":
            parts.append(_("the alert was given to other units"))
        if d.get("chain") == "exhausted":
            parts.append(_("every unit asked, none answered"))
    return " · ".join(p for p in parts if p)


#: The parameters an alert carries (``Alert.params``), labelled for the alert page.
PARAMS = {
    "type": pgettext_lazy("alert parameter", "Event type"),
    "category": pgettext_lazy("alert parameter", "Category"),
    "confidence": pgettext_lazy("alert parameter", "Detection confidence"),
    "plate": pgettext_lazy("alert parameter", "Plate read"),
    "listed": pgettext_lazy("alert parameter", "Plate on the watch list"),
    "reason": pgettext_lazy("alert parameter", "Reason for the watch"),
    "reliability": pgettext_lazy("alert parameter", "Read reliability"),
    "partial": pgettext_lazy("alert parameter", "Matched without the province character"),
    "person": pgettext_lazy("alert parameter", "Person reference"),
    "similarity": pgettext_lazy("alert parameter", "Similarity"),
    "distance_m": pgettext_lazy("alert parameter", "Distance (m)"),
    "minutes": pgettext_lazy("alert parameter", "Minutes"),
    "speed_kmh": pgettext_lazy("alert parameter", "Speed needed (km/h)"),
    "other_device": pgettext_lazy("alert parameter", "Other checkpoint"),
    "subject": pgettext_lazy("alert parameter", "Subject"),
    "fence": pgettext_lazy("alert parameter", "Area"),
    "count": pgettext_lazy("alert parameter", "Events"),
    "area": pgettext_lazy("alert parameter", "Where"),
    "last_seen": pgettext_lazy("alert parameter", "Last heard from"),
}
_HIDDEN_PARAMS = {"area_name", "area_name_en"}


def param_rows(summary: str, params: Mapping, *, device_name: str = "",
               devices: Mapping[str, str] | None = None) -> list[tuple[str, str]]:
    """(label, value) for each parameter with a value: codes as labels, device IDs as names, times dated."""
    devices = devices or {}
    values = display_params(summary, params, device_name=device_name)
    rows = []
    for key, raw in (params or {}).items():
        if key in _HIDDEN_PARAMS or raw in (None, "", False):
            continue
        value = values.get(key, str(raw))
        if raw is True:
            value = str(_("yes"))
        elif key in ("confidence", "similarity") and isinstance(raw, int | float) and raw <= 1:
            value = f"{raw:.0%}"
        elif key == "other_device":
            value = devices.get(str(raw), str(raw))
        elif key == "last_seen":
            try:
                value = when(dt.datetime.fromisoformat(str(raw)))
            except ValueError:
                value = str(raw)
        rows.append((str(PARAMS.get(key, key.replace("_", " "))), value))
    return rows


def muted(code: str) -> str:
    """Why an alert was raised but not delivered (``Alert.muted_by``)."""
    if code.startswith("silence:"):
        return _("by silence #%(id)s") % {"id": code.split(":", 1)[1]}
    if code == "maintenance":
        return _("its device is in maintenance")
    if code == "inhibited":
        return _("by a related alert nearby")
    return code


#: Where an input came from (``DeadLetter.source``).
SOURCES = {
    "mqtt": gettext_lazy("MQTT (device)"),
    "http": gettext_lazy("HTTP batch (integration)"),
    "viid": gettext_lazy("GA/T 1400 platform"),
    "replay": gettext_lazy("replay of recorded data"),
}


def source(code: str) -> str:
    return str(SOURCES.get(code, code))


def replay_outcome(outcome: str, replayed_at: dt.datetime | None = None) -> str:
    """A dead letter's replay (``DeadLetter.outcome`` holds ``accepted``, ``duplicate`` or ``rejected again:
    <reason code>``) in the reader's language, with when."""
    if not outcome:
        return ""
    if outcome == "accepted":
        text = pgettext("dead letter replay", "accepted")
    elif outcome == "duplicate":
        text = _("a duplicate: already accepted")
    elif outcome.startswith("rejected again:"):
        text = _("refused again (%(reason)s)") % {"reason": outcome.split(":", 1)[1].strip()}
    else:
        text = outcome
    return f"{text}, {when(replayed_at)}" if replayed_at else text


#: What a silence's matcher names (an alert's label), for the silences page: the form's fields and the table.
MATCHER_NAMES = {
    "alertname": pgettext_lazy("silence", "Rule"),
    "device": pgettext_lazy("silence", "Device"),
    "unit": pgettext_lazy("silence", "Unit"),
    "priority": pgettext_lazy("silence", "Priority"),
    "plate": pgettext_lazy("silence", "Plate"),
    "area": pgettext_lazy("silence", "Area"),
    "fence": pgettext_lazy("silence", "Geofence"),
    "operation": pgettext_lazy("silence", "Security operation"),
    "ruleset": pgettext_lazy("silence", "Rule set"),
}

MATCHER_OPS = {
    "=": pgettext_lazy("silence matcher", "is"),
    "!=": pgettext_lazy("silence matcher", "is not"),
    "=~": pgettext_lazy("silence matcher", "matches the pattern"),
    "!~": pgettext_lazy("silence matcher", "does not match the pattern"),
}


def matcher_text(text: str, names: dict[str, dict[str, str]] | None = None) -> str:
    """A silence's stored matcher (``alertname="sos"``) as a person reads it ("Rule is SOS alarm post"), in the
    active language; ``names``: display names of values by label (``{"device": {id: name}, "unit": {...}}``).
    A matcher that does not parse is shown as stored."""
    from pingan.alerts.alerting import parse_matcher

    try:
        m = parse_matcher(text)
    except ValueError:
        return text
    value = m.value
    if m.op in ("=", "!="):
        if m.name == "alertname":
            value = str(RULES.get(value, value))
        elif m.name == "priority":
            value = str(PRIORITIES.get(value, value))
        elif shown := (names or {}).get(m.name, {}).get(value):
            value = f"{shown}{paren(value)}" if shown != value else value
    label, op = MATCHER_NAMES.get(m.name, m.name), MATCHER_OPS.get(m.op, m.op)
    if texts.lang() == "zh":  # 设备为莲前…, 小区匹配模式 118.*: no space between Chinese words, one before a
        return f"{label}{op}{' ' if value[:1].isascii() else ''}{value}"  # Latin word or number (conventions.md)
    return f"{label} {op} {value}"

