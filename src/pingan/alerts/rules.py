"""Alert rules as data, and the rule engine that turns device events into firings. No Django.

A rule set is a versioned TOML file (like the screening rule sets) with ids, descriptions and sources::

    id = "xiamen-street"            version = "1.0.0"     title = "..."
    active_from = 2026-12-01T08:00:00+08:00   # optional: a temporary rule set (large event) is active only
    active_until = 2026-12-01T22:00:00+08:00  #   inside this window ...
    within = "gulangyu"                       #   ... and for events inside this fence (issue 14's seam)
    [[citation]]  id = "..."  title = "..."  url = "..."
    [[fence]]     id = "school-1"  name = "..."  polygon = [[lon, lat], ...]     # WGS-84, closed or not
    [[rule]]
    id = "gunshot"  kind = "immediate"  priority = "P1"  description = "..."  cites = ["..."]
    [rule.condition]  types = ["gunshot", "explosion"]

Kinds (``KINDS``) and their state — every stateful rule is bounded: its state expires with its window and
has a cap (``state_cap``); when full, the least recently updated entries are evicted and counted
(``Engine.stats()``), because unbounded partial-match state is how complex-event engines run out of memory:

* ``immediate``  — one event of ``types`` (optionally ``min_confidence``) fires at once. Stateless.
* ``hotlist``    — an ``anpr`` plate (normalised, :mod:`pingan.alerts.plates`) or a ``person_match``
  ``person_ref`` on the watch list (布控) given to :meth:`Engine.set_hotlist`; a read below
  ``reliability_threshold`` also matches on the plate without its province character. Stateless.
* ``cloned_plate`` (套牌) — the same plate read by two devices ``min_distance_m`` apart within
  ``window_minutes`` at a speed above ``max_speed_kmh``. State: the last read per plate.
* ``geofence``   — a subject (``attributes.subject``, else the plate) ``enter``s, ``leave``s or ``dwell``s
  ``dwell_minutes`` in a fence. State: per subject, whether inside and since when; ``state_ttl_minutes``.
* ``count``      — at least ``threshold`` events of ``types`` (and GA/T 2000.254 ``event_codes``) within
  ``window_minutes``, per ``group_by`` = ``device`` or ``fence`` (e.g. 3 intrusions in 10 minutes; gathering
  聚集 = video_event code 11). State: at most ``threshold`` timestamps per key.
* ``absence``    — a device that sent anything was silent for ``after_minutes`` (processing time, checked by
  :meth:`Engine.tick`): a maintenance alert, never silence. State: last-seen per device.

Firings carry the rule's priority (P1 most urgent … P4), labels (the fingerprint of Alertmanager-style
deduplication is computed from them), the keys of the events that caused them, a position and a summary
code with parameters (rendered in the reader's language at display time).
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from shapely import Point, Polygon, prepared

from pingan.alerts import plates
from pingan.alerts.events import EVENT_TYPES, Event
from pingan.alerts.gat1400 import person_key
from pingan.lib.coords import distance_m
from pingan.lib.gcpause import gc_paused

KINDS = ("immediate", "hotlist", "cloned_plate", "geofence", "count", "absence")
PRIORITIES = ("P1", "P2", "P3", "P4")
DEFAULT_RULESET = "street-default"
_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


class RuleSetError(ValueError):
    """A rule-set file is malformed; the message names the file, the rule and the field."""


# ------------------------------------------------------------------------------------------ definitions

_CONDITIONS: dict[str, dict[str, tuple[type | tuple[type, ...], Any]]] = {
    # field: (type, default); default ... means required
    "immediate": {"types": (list, ...), "min_confidence": ((int, float), 0)},
    "hotlist": {"list": (str, "plates"), "reliability_threshold": (int, 80)},
    "cloned_plate": {
        "max_speed_kmh": ((int, float), 250),
        "window_minutes": (int, 120),
        "min_distance_m": ((int, float), 2000),
        "state_cap": (int, 200_000),
    },
    "geofence": {
        "fence": (str, ...),
        "on": (str, ...),
        "dwell_minutes": (int, 0),
        "types": (list, ["position", "anpr"]),
        "state_ttl_minutes": (int, 120),
        "state_cap": (int, 100_000),
    },
    "count": {
        "types": (list, ...),
        "event_codes": (list, []),
        "threshold": (int, ...),
        "window_minutes": (int, ...),
        "group_by": (str, "device"),
        "state_cap": (int, 50_000),
    },
    "absence": {"after_minutes": (int, ...), "state_cap": (int, 200_000)},
}


@dataclass(frozen=True, slots=True)
class Fence:
    """A named polygon (WGS-84 lon/lat ring); ``name_en``: its English name (``name_en`` in the file; pages that
    are not Chinese say it, else ``name``)."""

    id: str
    name: str
    ring: tuple[tuple[float, float], ...]
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    kind: str
    priority: str
    description: str
    condition: dict[str, Any]
    cites: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    id: str
    version: str
    title: str
    rules: tuple[Rule, ...]
    fences: tuple[Fence, ...] = ()
    citations: tuple[dict, ...] = ()
    active_from: dt.datetime | None = None
    active_until: dt.datetime | None = None
    within: str | None = None
    path: str = ""

    def active_at(self, when: dt.datetime) -> bool:
        return (self.active_from is None or when >= self.active_from) and (
            self.active_until is None or when < self.active_until
        )


def _fail(path: str, rule: str | None, msg: str) -> RuleSetError:
    where = f"{path}: rule {rule!r}: " if rule else f"{path}: "
    return RuleSetError(where + msg)


def _aware(value: Any, path: str, name: str) -> dt.datetime | None:
    if value is None:
        return None
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise _fail(path, None, f"{name} must be a TOML date-time with an offset, e.g. 2026-12-01T08:00:00+08:00")
    return value.astimezone(dt.UTC)


def parse_ruleset(data: Mapping[str, Any], *, path: str = "<rules>") -> RuleSet:
    """Validate a decoded rule-set document. Raises :class:`RuleSetError` naming the file, rule and field."""
    for key in ("id", "version", "title"):
        if not isinstance(data.get(key), str) or not data[key]:
            raise _fail(path, None, f"{key!r} is required (a non-empty string)")
    if not re.match(r"^\d+\.\d+\.\d+$", data["version"]):
        raise _fail(path, None, f"version {data['version']!r} must be MAJOR.MINOR.PATCH")
    citations = tuple(data.get("citation", ()))
    cite_ids = {c.get("id") for c in citations}
    fences = []
    for f in data.get("fence", ()):
        fid, ring = f.get("id"), f.get("polygon")
        if not isinstance(fid, str) or not _ID.match(fid):
            raise _fail(path, None, f"fence id {fid!r} must be lower-case letters, digits and '-'")
        if (
            not isinstance(ring, list)
            or len(ring) < 3
            or not all(isinstance(p, list) and len(p) == 2 and all(isinstance(v, int | float) for v in p) for p in ring)
        ):
            raise _fail(path, None, f"fence {fid!r}: polygon must be a list of at least 3 [lon, lat] pairs")
        fences.append(Fence(fid, str(f.get("name", fid)), tuple((float(a), float(b)) for a, b in ring),
                            str(f.get("name_en", ""))))
    fence_ids = {f.id for f in fences}
    rules, seen = [], set()
    for r in data.get("rule", ()):
        rid = r.get("id")
        if not isinstance(rid, str) or not _ID.match(rid):
            raise _fail(path, None, f"rule id {rid!r} must be lower-case letters, digits and '-'")
        if rid in seen:
            raise _fail(path, rid, "duplicate rule id")
        seen.add(rid)
        kind = r.get("kind")
        if kind not in KINDS:
            raise _fail(path, rid, f"kind {kind!r} is not one of {', '.join(KINDS)}")
        prio = r.get("priority")
        if prio not in PRIORITIES:
            raise _fail(path, rid, f"priority {prio!r} is not one of {', '.join(PRIORITIES)}")
        if not isinstance(r.get("description"), str) or not r["description"]:
            raise _fail(path, rid, "description is required")
        for c in r.get("cites", ()):
            if c not in cite_ids:
                raise _fail(path, rid, f"cites {c!r}, which is not a [[citation]] id of this file")
        spec, given = _CONDITIONS[kind], dict(r.get("condition", {}))
        unknown = set(given) - set(spec)
        if unknown:
            raise _fail(path, rid, f"condition has unknown field(s) {', '.join(sorted(unknown))} for kind {kind}")
        cond = {}
        for name, (typ, default) in spec.items():
            if name not in given:
                if default is ...:
                    raise _fail(path, rid, f"condition.{name} is required for kind {kind}")
                cond[name] = default
                continue
            value = given[name]
            if not isinstance(value, typ) or isinstance(value, bool):
                raise _fail(path, rid, f"condition.{name} = {value!r} has the wrong type")
            if isinstance(value, int | float) and value < 0:
                raise _fail(path, rid, f"condition.{name} must not be negative")
            cond[name] = value
        for t in cond.get("types", ()):
            if t not in EVENT_TYPES:
                raise _fail(path, rid, f"condition.types names {t!r}, not an event type")
        if kind == "geofence":
            if cond["fence"] not in fence_ids:
                raise _fail(path, rid, f"condition.fence {cond['fence']!r} is not a [[fence]] of this file")
            if cond["on"] not in ("enter", "leave", "dwell"):
                raise _fail(path, rid, "condition.on must be enter, leave or dwell")
            if cond["on"] == "dwell" and cond["dwell_minutes"] <= 0:
                raise _fail(path, rid, "condition.dwell_minutes must be positive for on = dwell")
        if kind == "count":
            if cond["group_by"] not in ("device", "fence"):
                raise _fail(path, rid, "condition.group_by must be device or fence")
            if cond["threshold"] < 1 or cond["window_minutes"] < 1:
                raise _fail(path, rid, "condition.threshold and window_minutes must be at least 1")
        if "state_cap" in cond and cond["state_cap"] < 1:
            raise _fail(path, rid, "condition.state_cap must be at least 1")
        rules.append(Rule(rid, kind, prio, r["description"], cond, tuple(r.get("cites", ()))))
    within = data.get("within")
    if within is not None and within not in fence_ids:
        raise _fail(path, None, f"within {within!r} is not a [[fence]] of this file")
    return RuleSet(
        data["id"],
        data["version"],
        data["title"],
        tuple(rules),
        tuple(fences),
        citations,
        _aware(data.get("active_from"), path, "active_from"),
        _aware(data.get("active_until"), path, "active_until"),
        within,
        path,
    )


def load_ruleset(path: str | Path) -> RuleSet:
    """Read and validate a rule-set TOML file. Raises :class:`RuleSetError` (also for a missing file)."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RuleSetError(f"{p}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise RuleSetError(f"{p}: not valid TOML: {exc}") from None
    return parse_ruleset(data, path=str(p))


def bundled_ruleset(name: str = DEFAULT_RULESET) -> RuleSet:
    """A rule set shipped in ``pingan/alerts/rulesets/<name>.toml``."""
    res = resources.files("pingan.alerts").joinpath(f"rulesets/{name}.toml")
    return parse_ruleset(tomllib.loads(res.read_text(encoding="utf-8")), path=f"rulesets/{name}.toml")


# ------------------------------------------------------------------------------------------------ engine


@dataclass(frozen=True, slots=True)
class HotlistEntry:
    """A watch-list (布控) entry: ``key`` is a normalised plate or a person reference."""

    key: str
    kind: str  # "plate" | "person"
    reason: str
    priority: str = "P2"
    expires_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule matched. ``labels`` identify the alert (fingerprint); ``summary`` is a message code rendered with
    ``params`` at display time; ``event_keys`` name the events (``device/event_id``) that caused it."""

    ruleset: str
    ruleset_version: str
    rule_id: str
    kind: str
    priority: str
    at: dt.datetime
    device_id: str
    labels: dict[str, str]
    event_keys: tuple[str, ...]
    summary: str
    params: dict[str, Any] = field(default_factory=dict)
    lon: float | None = None
    lat: float | None = None


class Bounded:
    """A map whose entries expire ``ttl`` after their last update and of which at most ``cap`` are kept
    (least recently updated evicted first). Expiry is driven by the time given to :meth:`put` and
    :meth:`expire` (event time), so a replay behaves as the live stream did."""

    __slots__ = ("cap", "data", "evicted", "expired", "ttl")

    def __init__(self, ttl: dt.timedelta, cap: int) -> None:
        self.ttl, self.cap = ttl, cap
        self.data: OrderedDict[Any, tuple[dt.datetime, Any]] = OrderedDict()
        self.evicted = self.expired = 0

    def get(self, key: Any, now: dt.datetime) -> Any:
        item = self.data.get(key)
        if item is None or item[0] + self.ttl <= now:
            return None
        return item[1]

    def put(self, key: Any, value: Any, now: dt.datetime) -> None:
        self.data[key] = (now, value)
        self.data.move_to_end(key)
        self.expire(now)
        while len(self.data) > self.cap:
            self.data.popitem(last=False)
            self.evicted += 1

    def pop(self, key: Any) -> Any:
        item = self.data.pop(key, None)
        return None if item is None else item[1]

    def expire(self, now: dt.datetime) -> list[tuple[Any, Any]]:
        """Drop entries not updated within ``ttl`` of ``now``; returns them (oldest first)."""
        gone = []
        while self.data:
            key, (stamp, value) = next(iter(self.data.items()))
            if stamp + self.ttl > now:
                break
            self.data.popitem(last=False)
            self.expired += 1
            gone.append((key, value))
        return gone

    def __len__(self) -> int:
        return len(self.data)


def _confidence(event: Event) -> float:
    try:
        return float(event.attributes.get("confidence", 1.0))
    except (TypeError, ValueError):
        return 0.0


class Engine:
    """Runs a rule set over events in arrival order. Pure and single-threaded; its state can be saved and
    restored (:meth:`snapshot`/:meth:`restore`) so a worker restarted after a crash continues exactly.

    ``position_of(device_id) -> (lon, lat) | None`` supplies a device's registered position when an event
    has none.
    """

    def __init__(self, ruleset: RuleSet, *, position_of=None, partition: tuple[int, int] = (0, 1)) -> None:
        self.ruleset = ruleset
        self.part, self.parts = partition
        if not 0 <= self.part < self.parts:
            raise ValueError(f"partition {self.part} of {self.parts}")
        self.position_of = position_of or (lambda device_id: None)
        self.fences = {f.id: (f, prepared.prep(Polygon(f.ring))) for f in ruleset.fences}
        self._bounds = {f.id: Polygon(f.ring).bounds for f in ruleset.fences}
        self._plates: dict[str, HotlistEntry] = {}
        self._tails: dict[str, HotlistEntry] = {}
        self._persons: dict[str, HotlistEntry] = {}
        self.state: dict[str, Bounded] = {}
        for r in ruleset.rules:
            c = r.condition
            if r.kind == "cloned_plate":
                self.state[r.id] = Bounded(dt.timedelta(minutes=c["window_minutes"]), c["state_cap"])
            elif r.kind == "geofence":
                self.state[r.id] = Bounded(dt.timedelta(minutes=c["state_ttl_minutes"]), c["state_cap"])
            elif r.kind == "count":
                self.state[r.id] = Bounded(dt.timedelta(minutes=c["window_minutes"]), c["state_cap"])
            elif r.kind == "absence":
                self.state[r.id] = Bounded(dt.timedelta(days=3650), c["state_cap"])
        self.high_water: dt.datetime | None = None
        self._received: dt.datetime | None = None
        # per event type, the handlers of the rules that can match it, in rule order (most events are plate
        # reads and heartbeats: trying every rule on each of them cost a third of the engine's time)
        self._handlers: dict[str, list] = {t: [] for t in EVENT_TYPES}
        for r in ruleset.rules:
            handler = getattr(self, "_" + r.kind)
            for t in self._types_of(r):
                self._handlers[t].append((handler, r))
        # event types whose every rule keeps its state by device: a partition that does not own the device
        # can skip such an event without looking further
        self._by_device = {
            t: all(r.kind in ("immediate", "hotlist", "absence") or (r.kind == "count" and r.condition[
                "group_by"] == "device") for _h, r in hs)
            for t, hs in self._handlers.items()
        }

    # -- partitions
    def owns(self, key: str) -> bool:
        """Whether this engine (partition ``part`` of ``parts``) keeps the state of ``key``. Every stateful
        rule has one key per piece of state — the device (immediate, hotlist, absence, count per device), the
        normalised plate (cloned plate), the subject (geofence), the fence (count per fence) — and each key
        belongs to exactly one partition (CRC-32 of the key modulo ``parts``), so several engines that each
        read the whole log in order evaluate every rule exactly once, and the events of one key in log
        order. One partition (the default) owns everything."""
        return self.parts == 1 or zlib.crc32(key.encode()) % self.parts == self.part

    def wants(self, device_id: str, type_: str) -> bool:
        """False when an event of ``type_`` from ``device_id`` cannot touch this partition's state (so a
        reader need not even parse it)."""
        return self.parts == 1 or not self._by_device.get(type_, True) or self.owns(device_id)

    @staticmethod
    def _types_of(rule: Rule) -> tuple[str, ...]:
        """The event types ``rule`` can fire on or keeps state for."""
        c = rule.condition
        if rule.kind in ("immediate", "geofence", "count"):
            return tuple(c["types"])
        if rule.kind == "hotlist":
            return ("anpr",) if c["list"] == "plates" else ("person_match",)
        if rule.kind == "cloned_plate":
            return ("anpr",)
        return tuple(EVENT_TYPES)  # absence: every event shows the device is alive

    # -- watch list
    def set_hotlist(self, entries: Iterable[HotlistEntry]) -> None:
        """Replace the watch list (plates are normalised here; person references are taken as given)."""
        plates_, tails, persons = {}, {}, {}
        for e in entries:
            if e.kind == "person":
                persons[person_key(e.key)] = e
            else:
                key = plates.normalise(e.key)
                if key:
                    plates_[key] = e
                    tails.setdefault("*" + plates.tail(key), e)
        self._plates, self._tails, self._persons = plates_, tails, persons

    # -- evaluation
    def _position(self, event: Event) -> tuple[float | None, float | None]:
        if event.lon is not None:
            return event.lon, event.lat
        pos = self.position_of(event.device_id)
        return pos if pos else (None, None)

    def _in_fence(self, fence_id: str, lon: float | None, lat: float | None) -> bool:
        if lon is None:
            return False
        minx, miny, maxx, maxy = self._bounds[fence_id]
        if not (minx <= lon <= maxx and miny <= lat <= maxy):
            return False  # most events are nowhere near a fence: skip building a geometry
        return self.fences[fence_id][1].contains(Point(lon, lat))

    def _fire(
        self,
        rule: Rule,
        event: Event,
        labels: dict[str, str],
        summary: str,
        params: dict,
        keys: tuple[str, ...] | None = None,
        priority: str | None = None,
    ) -> Firing:
        lon, lat = self._position(event)
        base = {"alertname": rule.id, "ruleset": self.ruleset.id, "device": event.device_id}
        if event.lon is not None and rule.kind in ("immediate", "hotlist"):
            # an event with its own position (an acoustic array's fix, a reported incident): the place is part
            # of the alert's identity, at ~100 m (0.001°), so repeats there merge and other places do not
            base["cell"] = f"{event.lon:.3f},{event.lat:.3f}"
        return Firing(
            self.ruleset.id,
            self.ruleset.version,
            rule.id,
            rule.kind,
            priority or rule.priority,
            event.time,
            event.device_id,
            {**base, **labels},
            keys or (event.key,),
            summary,
            params,
            lon,
            lat,
        )

    def process(self, event: Event, received_at: dt.datetime | None = None) -> list[Firing]:
        """The firings ``event`` causes (possibly none). Updates the bounded state. ``received_at`` (processing
        time; default the event's time) is what ``absence`` compares with :meth:`tick`'s clock."""
        rs = self.ruleset
        self._received = received_at or event.time
        if self.high_water is None or event.time > self.high_water:
            self.high_water = event.time
        if not rs.active_at(event.time):
            return []
        lon, lat = self._position(event)
        if rs.within is not None and not self._in_fence(rs.within, lon, lat):
            return []
        if self.parts > 1 and not self.wants(event.device_id, event.type):
            return []
        out: list[Firing] = []
        for handler, rule in self._handlers[event.type]:
            fired = handler(rule, event, lon, lat)
            if fired:
                out.extend(fired)
        return out

    def _immediate(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        c = rule.condition
        if event.type not in c["types"] or _confidence(event) < c["min_confidence"] or not self.owns(event.device_id):
            return []
        return [
            self._fire(
                rule,
                event,
                {"type": event.type},
                f"immediate.{event.type}",
                {
                    "type": event.type,
                    "confidence": event.attributes.get("confidence"),
                    # what an upstream system says it was (a replayed record's category): the alert's label
                    **({"category": str(event.attributes["category"])} if event.attributes.get("category") else {}),
                },
            )
        ]

    def _hotlist(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        c = rule.condition
        now = event.time
        if not self.owns(event.device_id):
            return []
        if event.type == "anpr" and c["list"] == "plates":
            rel = event.attributes.get("reliability")
            rel = int(rel) if isinstance(rel, int | float) else None
            keys = plates.candidates(
                str(event.attributes.get("plate") or ""), reliability=rel, threshold=c["reliability_threshold"]
            )
            for k in keys:
                entry = self._tails.get(k) if k.startswith("*") else self._plates.get(k)
                if entry and (entry.expires_at is None or entry.expires_at > now):
                    return [
                        self._fire(
                            rule,
                            event,
                            {"plate": entry.key},
                            "hotlist.plate",
                            {
                                "plate": str(event.attributes.get("plate")),
                                "listed": entry.key,
                                "reason": entry.reason,
                                "reliability": rel,
                                "partial": k.startswith("*"),
                            },
                            priority=entry.priority,
                        )
                    ]
        if event.type == "person_match" and c["list"] == "persons":
            ref = person_key(event.attributes.get("person_ref"))
            entry = self._persons.get(ref)
            if entry and (entry.expires_at is None or entry.expires_at > now):
                return [
                    self._fire(
                        rule,
                        event,
                        {"person": ref},
                        "hotlist.person",
                        {"person": ref, "reason": entry.reason, "similarity": event.attributes.get("similarity")},
                        priority=entry.priority,
                    )
                ]
        return []

    def _cloned_plate(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        if event.type != "anpr" or lon is None:
            return []
        plate = plates.normalise(str(event.attributes.get("plate") or ""))
        if not plate or not self.owns(plate):
            return []
        c, st = rule.condition, self.state[rule.id]
        prev = st.get(plate, event.time)
        st.put(plate, (event.time.timestamp(), lon, lat, event.device_id, event.key), event.time)
        if prev is None or prev[3] == event.device_id:
            return []
        dist = distance_m(prev[1], prev[2], lon, lat)
        hours = abs(event.time.timestamp() - prev[0]) / 3600
        if dist < c["min_distance_m"]:
            return []
        speed = dist / 1000 / hours if hours > 0 else float("inf")
        if speed <= c["max_speed_kmh"]:
            return []
        return [
            self._fire(
                rule,
                event,
                {"plate": plate},
                "cloned_plate",
                {
                    "plate": plate,
                    "distance_m": round(dist),
                    "minutes": round(hours * 60, 1),
                    "speed_kmh": None if speed == float("inf") else round(speed),
                    "other_device": prev[3],
                },
                keys=(prev[4], event.key),
            )
        ]

    def _geofence(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        c, st = rule.condition, self.state[rule.id]
        if event.type not in c["types"] or lon is None:
            return []
        subject = str(event.attributes.get("subject") or "")
        if not subject and event.type == "anpr":
            subject = plates.normalise(str(event.attributes.get("plate") or ""))
        if not subject or not self.owns(subject):
            return []
        inside = self._in_fence(c["fence"], lon, lat)
        prev = st.get(subject, event.time)  # (inside, since_ts, dwell_fired)
        if not inside and prev is None:
            return []  # most reads: a subject outside the fence that was not inside it either
        fence = self.fences[c["fence"]][0]
        labels = {"subject": subject, "fence": fence.id}
        params = {"subject": subject, "fence": fence.name}
        out = []
        if inside:
            since = prev[1] if prev and prev[0] else event.time.timestamp()
            fired = bool(prev and prev[0] and prev[2])
            if c["on"] == "enter" and not (prev and prev[0]):
                out.append(self._fire(rule, event, labels, "geofence.enter", params))
            if c["on"] == "dwell" and not fired and event.time.timestamp() - since >= c["dwell_minutes"] * 60:
                out.append(
                    self._fire(
                        rule,
                        event,
                        labels,
                        "geofence.dwell",
                        {**params, "minutes": round((event.time.timestamp() - since) / 60)},
                    )
                )
                fired = True
            st.put(subject, (True, since, fired), event.time)
        elif prev is not None:
            if c["on"] == "leave" and prev[0]:
                out.append(self._fire(rule, event, labels, "geofence.leave", params))
            st.pop(subject)  # outside is the same as unknown: only subjects inside a fence are state
        return out

    def _count(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        c, st = rule.condition, self.state[rule.id]
        if event.type not in c["types"]:
            return []
        if c["event_codes"] and str(event.attributes.get("event_code", "")) not in {str(x) for x in c["event_codes"]}:
            return []
        if c["group_by"] == "fence":
            keys = [fid for fid in self.fences if self._in_fence(fid, lon, lat)]
        else:
            keys = [event.device_id]
        window = c["window_minutes"] * 60
        out = []
        for key in keys:
            if not self.owns(key):
                continue
            q: deque | None = st.get(key, event.time)
            if q is None:
                q = deque(maxlen=c["threshold"])
            ts = event.time.timestamp()
            while q and q[0][0] <= ts - window:
                q.popleft()
            q.append((ts, event.key))
            st.put(key, q, event.time)
            if len(q) >= c["threshold"]:
                labels = {"area": key}
                out.append(
                    self._fire(
                        rule,
                        event,
                        labels,
                        "count",
                        {"count": len(q), "minutes": c["window_minutes"], "area": key, "type": event.type,
                         "area_name": self.fences[key][0].name if c["group_by"] == "fence" else "",
                         "area_name_en": self.fences[key][0].name_en if c["group_by"] == "fence" else ""},
                        keys=tuple(k for _, k in q),
                    )
                )
                q.clear()
        return out

    def _absence(self, rule: Rule, event: Event, lon, lat) -> list[Firing]:
        if not self.owns(event.device_id):
            return []
        st = self.state[rule.id]
        was = st.get(event.device_id, self._received)
        st.put(event.device_id, (event.key, False), self._received)
        if was is not None and was[1]:
            # back online: a resolving firing for the same labels (the alert is resolved, not re-raised)
            return [self._fire(rule, event, {"maintenance": "offline"}, "absence.back", {}, priority="P4")]
        return []

    def tick(self, now: dt.datetime) -> list[Firing]:
        """Time-driven rules at processing time ``now``: ``absence``; and expiry of all windows."""
        out = []
        for rule in self.ruleset.rules:
            st = self.state.get(rule.id)
            if st is None:
                continue
            if rule.kind == "absence":
                limit = now - dt.timedelta(minutes=rule.condition["after_minutes"])
                for device_id, (stamp, (key, flagged)) in list(st.data.items()):
                    if stamp > limit:
                        break  # ordered by last update
                    if not flagged:
                        st.data[device_id] = (stamp, (key, True))
                        ev = Event(f"absence-{int(stamp.timestamp())}", device_id, "heartbeat", now)
                        out.append(
                            self._fire(
                                rule,
                                ev,
                                {"maintenance": "offline"},
                                "absence",
                                {"minutes": rule.condition["after_minutes"], "last_seen": stamp.isoformat()},
                                keys=(key,),
                            )
                        )
            elif self.high_water is not None:
                st.expire(self.high_water)
        return out

    # -- state
    def stats(self) -> dict[str, dict[str, int]]:
        """Per stateful rule: entries held, cap, expired and evicted so far."""
        return {
            rid: {"entries": len(st), "cap": st.cap, "expired": st.expired, "evicted": st.evicted}
            for rid, st in self.state.items()
        }

    def state_size(self) -> int:
        return sum(len(st) for st in self.state.values())

    def snapshot(self) -> dict:
        """A JSON-able copy of the state (with the rule set id/version it belongs to)."""
        out = {}
        ts = dt.datetime.timestamp
        # ~200,000 new lists at the cloned-plate cap: the collector's passes over the growing heap cost ~40 % of
        # the copy, and the worker's batches wait while it runs
        with gc_paused():
            for rid, st in self.state.items():
                rows = [[k, ts(stamp), {"q": list(v)} if type(v) is deque else v]
                        for k, (stamp, v) in st.data.items()]
                out[rid] = {"rows": rows, "expired": st.expired, "evicted": st.evicted}
        return {
            "ruleset": self.ruleset.id,
            "version": self.ruleset.version,
            "state": out,
            "high_water": self.high_water.isoformat() if self.high_water else None,
        }

    def restore(self, snap: Mapping) -> None:
        """Load a :meth:`snapshot`; state of rules that no longer exist (or changed kind) is dropped."""
        if not snap or snap.get("ruleset") != self.ruleset.id:
            return
        by_id = {r.id: r for r in self.ruleset.rules}
        with gc_paused():  # as in snapshot(): up to ~200,000 entries rebuilt, the worker's restart waits for them
            self._restore_state(snap, by_id)
        hw = snap.get("high_water")
        self.high_water = dt.datetime.fromisoformat(hw) if hw else None

    def _restore_state(self, snap: Mapping, by_id: dict) -> None:
        for rid, saved in snap.get("state", {}).items():
            st, rule = self.state.get(rid), by_id.get(rid)
            if st is None or rule is None:
                continue
            for k, stamp, v in saved["rows"]:
                if isinstance(v, dict) and "q" in v:
                    v = deque((tuple(x) for x in v["q"]), maxlen=rule.condition["threshold"])
                elif isinstance(v, list):
                    v = tuple(v)
                when = (
                    dt.datetime.fromtimestamp(stamp, dt.UTC)
                    if isinstance(stamp, int | float)
                    else dt.datetime.fromisoformat(stamp)  # snapshots before 2026-05 kept ISO text
                )
                st.data[k] = (when, v)
            st.expired, st.evicted = saved.get("expired", 0), saved.get("evicted", 0)


def merge_snapshots(snapshots: list[Mapping], owns: Callable[[str], bool]) -> dict:
    """One engine's snapshot from the snapshots of the partitions of another partitioning, all taken at the
    same log position: for each rule the entries whose key ``owns`` says are this engine's (every piece of
    state is keyed by what :meth:`Engine.owns` decides on — device, plate, subject, fence — and each key was
    in exactly one old partition), in the order of their last update time (the order :class:`Bounded`
    expires them in); expired/evicted counts added up; the latest high-water mark. Snapshots of another rule
    set are left out (a restore would drop them)."""
    snaps = [s for s in snapshots if s]
    if not snaps:
        return {}
    ruleset, version = snaps[0].get("ruleset"), snaps[0].get("version")
    state: dict[str, dict] = {}
    for snap in snaps:
        if snap.get("ruleset") != ruleset:
            continue
        for rid, saved in snap.get("state", {}).items():
            into = state.setdefault(rid, {"rows": [], "expired": 0, "evicted": 0})
            into["rows"].extend(row for row in saved["rows"] if owns(row[0]))
            into["expired"] += saved.get("expired", 0)
            into["evicted"] += saved.get("evicted", 0)
    for saved in state.values():
        saved["rows"].sort(key=lambda row: row[1] if isinstance(row[1], int | float) else
                           dt.datetime.fromisoformat(row[1]).timestamp())
    marks = [s["high_water"] for s in snaps if s.get("high_water") and s.get("ruleset") == ruleset]
    return {"ruleset": ruleset, "version": version, "state": state,
            "high_water": max(marks, key=lambda t: dt.datetime.fromisoformat(t)) if marks else None}
