"""Alerts services: every write of the app (devices, jurisdictions, ingest, dead letters, watch list,
alerts and their transitions, silences, duty shifts, the terminals' feed).

Keyword-only, atomic, raising :class:`~pingan.core.errors.DomainError`. The pure parts they call:
``pingan.lib.gb28181`` (device IDs), ``pingan.lib.coords`` (datums), ``alerts.events`` (payloads),
``alerts.rules`` (the engine), ``alerts.alerting`` (fingerprints, silences, inhibition, escalation),
``alerts.routing`` (point in polygon).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, F, JSONField, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from pingan.alerts import alerting, gat1400, responders, routing
from pingan.alerts.events import Event, EventError, check_position, check_time, event_storable, parse_payload
from pingan.alerts.models import (
    Alert,
    AlertCause,
    AlertTransition,
    Checkpoint,
    Counter,
    DeadLetter,
    Device,
    DutyShift,
    FeedHead,
    FeedItem,
    HotlistEntry,
    Jurisdiction,
    Silence,
    ViidSubscription,
)
from pingan.alerts.rules import PRIORITIES, Firing
from pingan.core import audit
from pingan.core.copystore import copy_insert
from pingan.core.errors import DomainError, NotFound, PermissionDenied, outside_text
from pingan.core.models import OrgUnit, Role, User
from pingan.core.scoping import can_see_unit
from pingan.core.texts import moment
from pingan.lib import coords, gb28181

TERRITORIAL = (OrgUnit.Kind.BUREAU, OrgUnit.Kind.BRANCH, OrgUnit.Kind.STATION, OrgUnit.Kind.AREA)
ALERT_ROLES = (Role.OFFICER, Role.STATION_CHIEF)


# ------------------------------------------------------------------------------------------- counters


COUNTERS_ADD_SQL = (
    "INSERT INTO alerts_counter (name, value) SELECT * FROM unnest(%s::text[], %s::bigint[]) "
    "ON CONFLICT (name) DO UPDATE SET value = alerts_counter.value + EXCLUDED.value"
)


def counters_add(values: dict[str, int]) -> None:
    """Add to the pipeline counters (inside the caller's transaction): on PostgreSQL one statement for all
    of them, in name order (the row locks of concurrent batches are taken in one order)."""
    items = sorted((name, n) for name, n in values.items() if n)
    if not items:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(COUNTERS_ADD_SQL, [[k for k, _ in items], [n for _, n in items]])
        return
    for name, n in items:
        if n:
            updated = Counter.objects.filter(name=name).update(value=F("value") + n)
            if not updated:
                try:
                    with transaction.atomic():
                        Counter.objects.create(name=name, value=n)
                except IntegrityError:
                    Counter.objects.filter(name=name).update(value=F("value") + n)


def counters() -> dict[str, int]:
    return dict(Counter.objects.values_list("name", "value"))


# ------------------------------------------------------------------------------- event-log retention


def event_log_prunable() -> int:
    """The last log position no consumer needs any more: the lowest, over every consumer's checkpoint, of
    its committed position and the position of its saved rule state (a restarted worker re-runs the events
    after its saved state). 0 when there is no checkpoint (nothing has been processed)."""
    marks = [
        min(position, int(saved if saved is not None else handed or 0))
        for position, saved, handed in Checkpoint.objects.values_list(
            "position", "saved_state__position", "snapshot__position")
    ]
    return min(marks) if marks else 0


def event_log_prune(*, now: dt.datetime | None = None, limit: int = 5000, log=None) -> int:
    """Retention of the database event log: delete up to ``limit`` events that were received more than
    ``PINGAN_EVENTS_MAX_AGE_S`` ago (0: keep everything) *and* that every consumer has processed and saved
    its state past (:func:`event_log_prunable`) — an event no worker has processed is never pruned, however
    old. The oldest go first. Counted as ``log_pruned``. Returns how many were deleted. The JetStream log
    expires its messages itself (the stream's ``max_age``, the same setting). Run by the alert worker
    (partition 0) and by ``pingan alerts prune-log``."""
    max_age = settings.PINGAN["EVENTS_MAX_AGE_S"]
    if max_age <= 0:
        return 0
    from pingan.alerts.eventlog import get_log

    log = log or get_log()
    now = now or timezone.now()
    with transaction.atomic():
        n = log.prune(upto=event_log_prunable(), before=now - dt.timedelta(seconds=max_age), limit=limit)
        if n:
            counters_add({"log_pruned": n})
    return n


# ------------------------------------------------------------- retention of the feed, dead letters, timelines


def _prune_oldest(model, order: str, stamp: str, before: dt.datetime, limit: int) -> int:
    """Of the first ``limit`` rows of ``model`` by ``order`` (which rises with ``stamp``: the oldest first, so
    nothing beyond them is read), delete those stamped before ``before``; returns how many."""
    head = model.objects.order_by(order).values_list("pk", stamp)[:limit]
    ids = [pk for pk, at in head if at < before]
    if ids:
        model.objects.filter(pk__in=ids).delete()
    return len(ids)


#: The one step left of a pruned timeline: when, and under which rule (``detail``: the policy's ``policy`` id,
#: ``version``, ``days`` and the ``steps`` removed), so that the alert's page says why it has no other (issue 11:
#: it showed an empty timeline). Never pruned itself, and not a step that keeps a timeline young.
TIMELINE_PRUNED = "timeline_pruned"


def _prune_timelines(before: dt.datetime, limit: int, *, now: dt.datetime, policy) -> int:
    """The timelines of up to ``limit`` alerts no longer open whose last step is older than ``before``, each
    replaced by one :data:`TIMELINE_PRUNED` step; returns the steps deleted."""
    steps = AlertTransition.objects.exclude(action=TIMELINE_PRUNED)
    last = steps.filter(alert=OuterRef("pk")).order_by("-at").values("at")[:1]
    ids = list(Alert.objects.filter(open=False).annotate(last_step=Subquery(last)).filter(last_step__lt=before)
               .order_by("pk").values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    counts = dict(steps.filter(alert_id__in=ids).values_list("alert_id").annotate(n=Count("id")))
    deleted = steps.filter(alert_id__in=ids).delete()[0]
    rule = policy.rules["timelines"]
    AlertTransition.objects.bulk_create([
        AlertTransition(alert_id=i, at=now, action=TIMELINE_PRUNED, detail={
            "policy": policy.id, "version": policy.version, "days": rule.days, "steps": counts.get(i, 0)})
        for i in ids])
    return deleted


def alert_records_prune(*, now: dt.datetime | None = None, limit: int = 2_000) -> dict[str, int]:
    """Apply the retention policy of ``alerts/data/retention.toml`` (:mod:`pingan.alerts.retention`): delete
    the feed items, dead letters and timelines of alerts no longer open that are older than their kind's
    days — ``limit`` rows (timelines: alerts) at a time, each step in a transaction of its own, until none is
    left. Counted as ``feed_pruned``, ``dead_letters_pruned``, ``timeline_steps_pruned``; a run that deleted
    anything writes one audit record (``retention_purge`` of ``AlertRecords``: the counts, the cut-offs, the
    policy's version). Never touched: the audit trail, the alerts and their causes. Returns the counts by kind
    (:data:`retention.KINDS`). Run by ``pingan alerts prune-records``, its task, and the alert worker hourly."""
    from pingan.alerts import retention

    policy = retention.policy()
    now = now or timezone.now()
    cut = {kind: rule.cutoff(now) for kind, rule in policy.rules.items()}
    steps = {
        "feed": lambda: _prune_oldest(FeedItem, "seq", "created_at", cut["feed"], limit),
        "dead_letters": lambda: _prune_oldest(DeadLetter, "id", "received_at", cut["dead_letters"], limit),
        "timelines": lambda: _prune_timelines(cut["timelines"], limit, now=now, policy=policy),
    }
    counted = {"feed": "feed_pruned", "dead_letters": "dead_letters_pruned", "timelines": "timeline_steps_pruned"}
    out = dict.fromkeys(retention.KINDS, 0)
    for kind in retention.KINDS:
        while True:
            with transaction.atomic():
                n = steps[kind]()
                counters_add({counted[kind]: n})
            out[kind] += n
            if not n:
                break
    if any(out.values()):
        audit.record(None, "retention_purge", "AlertRecords", policy.version, detail={
            "deleted": out, "before": {k: v.isoformat() for k, v in cut.items()}, "policy": policy.id})
    return out


# -------------------------------------------------------------------------------------------- routing

_index_lock = threading.Lock()
_index_cache: dict[str, Any] = {"stamp": None, "checked": 0.0, "index": None, "units": {}}
_adcode_units: dict[str, tuple[float, OrgUnit | None]] = {}


def jurisdiction_index() -> tuple[routing.JurisdictionIndex, dict[str, OrgUnit]]:
    """The point-in-polygon index over all loaded jurisdictions (rebuilt when they change; checked ≤ 1/s)."""
    with _index_lock:
        now = time.monotonic()
        if _index_cache["index"] is not None and now - _index_cache["checked"] < 1.0:
            return _index_cache["index"], _index_cache["units"]
        with connection.cursor() as cur:  # one plain statement a second (two aggregate querysets cost ~2 ms)
            cur.execute(f"SELECT max(loaded_at), count(*) FROM {Jurisdiction._meta.db_table}")  # noqa: S608 - the model's table
            stamp = tuple(cur.fetchone())
        if stamp != _index_cache["stamp"] or _index_cache["index"] is None:
            from shapely.geometry import shape

            rows = list(Jurisdiction.objects.select_related("unit"))
            _index_cache["index"] = routing.JurisdictionIndex(
                [routing.Jurisdiction(r.unit.code, r.unit.name, shape(r.geometry)) for r in rows]
            )
            _index_cache["units"] = {r.unit.code: r.unit for r in rows}
            _adcode_units.clear()
            _index_cache["stamp"] = stamp
        _index_cache["checked"] = now
        return _index_cache["index"], _index_cache["units"]


def routing_forget() -> None:
    """Forget the routing caches of this process — the jurisdiction index with its units, the units found by
    adcode and the device directory — so that the next alert or device is routed from the database as it is now.
    They hold ``OrgUnit`` rows for up to a few seconds: a test whose transaction was rolled back left them
    behind for the next test, which routed a device to a unit no longer in the database (CI of 2026-12-07:
    ``alerts_device`` violates the foreign key to ``core_orgunit``, unit 24; tests/conftest.py calls this before
    every test)."""
    with _index_lock:
        _index_cache.update(stamp=None, checked=0.0, index=None, units={})
        _adcode_units.clear()
    directory.forget()


def _unit_for_adcode(adcode: str) -> OrgUnit | None:
    """``core.services.unit_for_adcode`` (``None`` when no unit covers it), remembered for 5 s: it reads every
    territorial unit, and each new alert asks."""
    from pingan.core.services import unit_for_adcode

    jurisdiction_index()  # a rebuilt index (new jurisdictions) forgets these too
    now = time.monotonic()
    hit = _adcode_units.get(adcode)
    if hit is not None and now - hit[0] < 5.0:
        return hit[1]
    try:
        unit = unit_for_adcode(adcode)
    except DomainError:
        unit = None
    if len(_adcode_units) > 10_000:
        _adcode_units.clear()
    _adcode_units[adcode] = (now, unit)
    return unit


@functools.cache
def area_owner():
    """The configured owner of alerts by area and time (``PINGAN_ALERTS_AREA_OWNER``, a dotted path to
    ``(lon, lat, at) -> (OrgUnit, operation id) | None``; empty: none) — how a large-event operation of the
    dispatch app takes the alerts raised in its area during its window."""
    from django.utils.module_loading import import_string

    path = settings.PINGAN.get("ALERTS_AREA_OWNER") or ""
    return import_string(path) if path else None


def route(
    *, lon: float | None, lat: float | None, adcode: str = "", fallback: OrgUnit | None = None
) -> tuple[OrgUnit | None, str]:
    """The responsible unit of a position: the deepest unit whose jurisdiction polygon contains it (ties: the
    smaller polygon); a unit found from ``adcode`` that lies inside that unit refines it (a station under its
    district branch). Without a polygon hit: the unit of ``adcode``; then ``fallback``. Returns the unit and
    how it was found: ``polygon`` | ``adcode`` | ``device`` | ``none``."""
    by_code = _unit_for_adcode(adcode) if adcode else None
    if lon is not None and lat is not None:
        index, units = jurisdiction_index()
        hits = [units[k] for k in index.locate(lon, lat)]
        if hits:
            best = max(hits, key=lambda u: u.depth)  # stable: smallest area first among equal depth
            best = next(u for u in hits if u.depth == best.depth)
            if by_code is not None and by_code.path.startswith(best.path) and by_code.depth > best.depth:
                return by_code, "adcode"
            return best, "polygon"
    if by_code is not None:
        return by_code, "adcode"
    if fallback is not None:
        return fallback, "device"
    return None, "none"


@transaction.atomic
def jurisdictions_load(
    *, actor: User | None, path: str, key: str = "adcode", unit_codes: dict[str, str] | None = None
) -> int:
    """Load jurisdiction polygons from a GeoJSON or KML file and attach them to organisation units.

    Each feature's key (property ``key`` in GeoJSON, ``<name>`` in KML) is mapped through ``unit_codes``
    (default: the key is the unit code). Features whose unit does not exist are refused with the list.
    Returns the number loaded. Raises ``DomainError`` (``bad_boundary_file``, ``unknown_units``).
    """
    from shapely.geometry import mapping

    try:
        items = routing.load(path, key=key)
    except routing.BoundaryError as exc:
        raise DomainError(str(exc), code="bad_boundary_file", params={"detail": str(exc)}) from None
    mapping_ = unit_codes or {}
    units = {u.code: u for u in OrgUnit.objects.filter(kind__in=TERRITORIAL)}
    missing = sorted({mapping_.get(j.key, j.key) for j in items} - set(units))
    if missing:
        raise DomainError(
            f"{path}: no organisation unit with code(s) {', '.join(missing)}; create the units "
            f"first or give a key→unit mapping",
            code="unknown_units",
            params={"codes": list(missing)},
        )
    from shapely.ops import unary_union

    merged: dict[str, list] = {}
    for j in items:
        merged.setdefault(mapping_.get(j.key, j.key), []).append(j.geometry)
    for code, geoms in merged.items():
        geom = geoms[0] if len(geoms) == 1 else unary_union(geoms)
        Jurisdiction.objects.update_or_create(
            unit=units[code], defaults={"geometry": mapping(geom), "source": str(path)}
        )
    audit.record(actor, "load", "Jurisdiction", "", detail={"file": str(path), "units": sorted(merged)})
    _index_cache["index"] = None
    return len(merged)


# -------------------------------------------------------------------------------------------- devices


def _require(actor: User | None, roles: Iterable[str], what: str) -> None:
    if actor is not None and actor.role not in roles:
        raise PermissionDenied(f"your role may not {what}", message_id="alerts_not_allowed", params={"what": what})


@transaction.atomic
def device_register(
    *,
    actor: User | None,
    device_id: str,
    name: str,
    kind: str,
    lon: float | None = None,
    lat: float | None = None,
    crs: str = "wgs84",
    adcode: str = "",
    password: str = "",
    active_since: dt.datetime | None = None,
    name_en: str = "",
    time_zone: str | None = None,
) -> Device:
    """Register (or update) a device (``name_en``: its English name, if it has one — ``Device.label``;
    ``time_zone``: the IANA zone of its place when not the site's, ``None`` keeps what it has). The ID
    is validated as GB/T 28181 (edition from settings); the position
    is converted to WGS-84; the unit is routed from it (else from ``adcode``, else the ID's centre code).
    Only administrators (and the system) register devices. Raises ``DomainError`` (``bad_device_id``,
    ``bad_device_kind``, ``bad_position``)."""
    _require(actor, (Role.ADMIN,), "register devices")
    name = outside_text(name, field="device name", field_zh="设备名称")
    name_en = outside_text(name_en, field="English device name", field_zh="设备英文名称")
    try:
        parsed = gb28181.parse(device_id, edition=settings.PINGAN["GB28181_EDITION"])
    except gb28181.DeviceIdError as exc:
        raise DomainError(str(exc), code="bad_device_id", params={"device_id": device_id, "detail": str(exc)}) from None
    if kind not in Device.Kind.values:
        raise DomainError(
            f"device kind {kind!r} is not one of {', '.join(Device.Kind.values)}",
            code="bad_device_kind",
            params={"kind": kind},
        )
    wlon = wlat = None
    if lon is not None and lat is not None:
        try:
            wlon, wlat = coords.to_wgs84(float(lon), float(lat), crs)
        except ValueError as exc:
            raise DomainError(str(exc), code="bad_position", params={"detail": str(exc)}) from None
    unit, routed_by = route(lon=wlon, lat=wlat, adcode=adcode or parsed.adcode)
    ha1 = ""
    if password:
        ha1 = hashlib.md5(f"{device_id}:{gat1400.DIGEST_REALM}:{password}".encode()).hexdigest()  # noqa: S324 - RFC 7616
    defaults = {
        "name": name,
        "name_en": name_en.strip()[:200],
        "kind": kind,
        "type_code": parsed.type,
        "lon": wlon,
        "lat": wlat,
        "crs_reported": crs,
        "adcode": adcode,
        "unit": unit,
        "routed_by": routed_by,
        "active_since": active_since or timezone.now(),
    }
    if ha1:
        defaults["digest_ha1"] = ha1
    if time_zone is not None:  # a zone the pages cannot read is said on the site's clock (labels.zone)
        defaults["time_zone"] = "" if time_zone == settings.TIME_ZONE else time_zone[:40]
    device, created = Device.objects.update_or_create(device_id=parsed.value, defaults=defaults)
    audit.record(
        actor,
        "register" if created else "update",
        "Device",
        device.device_id,
        detail={"unit": unit.code if unit else "", "routed_by": routed_by, "kind": kind},
    )
    directory.forget(device.device_id)
    _adcode_units.clear()
    return device


@transaction.atomic
def device_maintenance_end(*, actor: User | None, device_id: str) -> Device:
    """A device put into maintenance by a ``device_fault`` disposition is repaired: back to online (its
    alerts are delivered again). Administrators, and station chiefs of the device's unit line; ``actor``
    None is the command line. Audited. Raises ``NotFound``, ``PermissionDenied``, ``DomainError``
    (``not_in_maintenance``)."""
    device = Device.objects.select_related("unit").filter(device_id=device_id).first()
    if device is None:
        raise NotFound(f"device {device_id} is not registered")
    if actor is not None and not (
        actor.role == Role.ADMIN
        or (actor.role == Role.STATION_CHIEF and device.unit is not None and can_see_unit(actor, device.unit))
    ):
        raise PermissionDenied("only administrators and the device's station chief end a maintenance")
    if device.status != Device.Status.MAINTENANCE:
        raise DomainError(f"device {device_id} is not in maintenance", code="not_in_maintenance",
                          params={"device": device_id})
    device.status = Device.Status.ONLINE
    device.save(update_fields=["status"])
    directory.forget(device_id)
    audit.record(actor, "device_maintenance_end", "Device", device_id, detail={})
    return device


class DeviceDirectory:
    """An in-process cache of the registry for ingest: device ID → (active_since, retired, lon, lat,
    unit_id), refreshed per entry after ``ttl`` seconds (a newly registered device is seen within that)."""

    def __init__(self, ttl: float = 5.0) -> None:
        self.ttl = ttl
        self._data: dict[str, tuple[float, tuple | None]] = {}
        self._lock = threading.Lock()

    def get_many(self, ids: Iterable[str]) -> dict[str, tuple | None]:
        now = time.monotonic()
        out, missing = {}, []
        with self._lock:
            for i in set(ids):
                hit = self._data.get(i)
                if hit and now - hit[0] < self.ttl:
                    out[i] = hit[1]
                else:
                    missing.append(i)
        if missing:
            rows = {
                d[0]: d[1:]
                for d in Device.objects.filter(device_id__in=missing).values_list(
                    "device_id", "active_since", "status", "lon", "lat", "unit_id"
                )
            }
            with self._lock:
                for i in missing:
                    val = rows.get(i)
                    val = (val[0], val[1] == Device.Status.RETIRED, val[2], val[3], val[4]) if val else None
                    self._data[i] = (now, val)
                    out[i] = val
        return out

    def position(self, device_id: str) -> tuple[float, float] | None:
        """The device's registered position, for the rule engine (asked for every event without one). The
        worker refreshes its batch's devices in one query before the batch (:meth:`get_many`), so a value
        that expires while the batch runs is still used (up to twice ``ttl``): no query per device in the
        middle of the rules, each a round trip that the whole batch waited for."""
        hit = self._data.get(device_id)
        if hit is not None and time.monotonic() - hit[0] < 2 * self.ttl:
            val = hit[1]
        else:
            val = self.get_many([device_id]).get(device_id)
        if val and val[2] is not None:
            return val[2], val[3]
        return None

    def forget(self, device_id: str | None = None) -> None:
        with self._lock:
            if device_id is None:
                self._data.clear()
            else:
                self._data.pop(device_id, None)


directory = DeviceDirectory()


# --------------------------------------------------------------------------------------------- ingest


@dataclass
class RawInput:
    """One input as received: the payload (bytes/str/dict) or an already parsed event, its MQTT topic's
    device (if any), and for GA/T 1400 the pre-parsed error."""

    payload: Any
    topic: str = ""
    topic_device: str | None = None
    event: Event | None = None
    error: EventError | None = None


@dataclass
class IngestResult:
    accepted: list[Event] = field(default_factory=list)
    duplicates: list[Event] = field(default_factory=list)
    rejected: list[tuple[RawInput, EventError]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {"accepted": len(self.accepted), "duplicates": len(self.duplicates), "dead_lettered": len(self.rejected)}


def _payload_text(raw: RawInput) -> str:
    p = raw.payload
    if isinstance(p, bytes):
        return p.decode("utf-8", errors="replace")
    if isinstance(p, str):
        return p
    return json.dumps(p, ensure_ascii=False, default=str)


#: how stale a device's ``last_seen_at`` may be before an event rewrites it (an online device reporting many
#: times a second was rewritten by every batch: a row update with its index entries, ~100 a second per device)
LAST_SEEN_RESOLUTION = dt.timedelta(seconds=1)

_DEVICES_SEEN = (
    "UPDATE alerts_device SET last_seen_at = %s, status = CASE WHEN status IN ('retired', 'maintenance') "
    "THEN status ELSE 'online' END WHERE device_id = ANY(%s) AND (last_seen_at IS NULL OR last_seen_at < %s "
    "OR status NOT IN ('online', 'retired', 'maintenance'))"
)


# an ingest batch's counters (counters_add's statement) and its devices seen, in one statement
_COUNTED_AND_SEEN = f"WITH c AS ({COUNTERS_ADD_SQL}) {_DEVICES_SEEN}"


def _devices_seen(device_ids: list[str], now: dt.datetime, counts: dict[str, int] | None = None) -> None:
    """Devices that sent accepted events are online (retired and in-maintenance ones stay so), seen ``now``;
    rows already online and seen within :data:`LAST_SEEN_RESOLUTION` are left alone. ``counts``: also add
    these to the counters (:func:`counters_add`) — on PostgreSQL in the same statement (inside the caller's
    transaction)."""
    stale = now - LAST_SEEN_RESOLUTION
    if connection.vendor == "postgresql":
        items = sorted((name, n) for name, n in (counts or {}).items() if n)  # in name order, as counters_add
        with connection.cursor() as cur:
            if items:
                cur.execute(_COUNTED_AND_SEEN, [[k for k, _ in items], [n for _, n in items], now, device_ids, stale])
            else:
                cur.execute(_DEVICES_SEEN, [now, device_ids, stale])
        return
    if counts:
        counters_add(counts)
    kept = (Device.Status.RETIRED, Device.Status.MAINTENANCE)
    Device.objects.filter(device_id__in=device_ids).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=stale) | ~Q(status__in=(Device.Status.ONLINE, *kept))
    ).update(
        last_seen_at=now,
        status=Case(When(status__in=kept, then=F("status")), default=Value(Device.Status.ONLINE)),
    )


def events_ingest(*, inputs: list[RawInput], source: str, log=None, now: dt.datetime | None = None) -> IngestResult:
    """Judge and append a batch of inputs: each ends accepted (appended to the event log), a duplicate
    (dropped, counted) or dead-lettered with its reason. Checks: the payload schema, a registered and not
    retired device, a possible time (not far in the future, not before the device's ``active_since``).
    Accepted events keep their devices online (``last_seen_at``). Returns the three lists."""
    from pingan.alerts.eventlog import get_log

    now = now or timezone.now()
    res = IngestResult()
    candidates: list[tuple[RawInput, Event]] = []
    for raw in inputs:
        if raw.error is not None:
            res.rejected.append((raw, raw.error))
            continue
        try:
            if raw.event is not None:  # built by a GA/T 1400 parser from JSON decoded elsewhere
                ev = raw.event
                event_storable(ev)
            else:
                ev = parse_payload(raw.payload, source=source, topic_device=raw.topic_device)
        except EventError as exc:
            res.rejected.append((raw, exc))
            continue
        candidates.append((raw, ev))
    devices = directory.get_many(ev.device_id for _, ev in candidates)
    max_future = dt.timedelta(seconds=settings.PINGAN["ALERTS_MAX_FUTURE_S"])
    max_distance = settings.PINGAN["ALERTS_MAX_DEVICE_DISTANCE_M"]
    good: list[Event] = []
    for raw, ev in candidates:
        dev = devices.get(ev.device_id)
        try:
            if dev is None:
                raise EventError(
                    "unknown_device",
                    f"device {ev.device_id} is not registered; register it "
                    f"(pingan alerts device add) and replay this event",
                )
            if dev[1]:
                raise EventError("retired_device", f"device {ev.device_id} is retired")
            check_time(ev.time, now=now, device_since=dev[0], max_future=max_future)
            check_position(ev.lon, ev.lat, device_lon=dev[2], device_lat=dev[3], max_distance_m=max_distance)
        except EventError as exc:
            res.rejected.append((raw, exc))
            continue
        good.append(ev)
    log = log or get_log()
    with transaction.atomic():
        dupes = log.append(good, received_at=now) if good else []
        dupe_ids = {id(e) for e in dupes}
        res.duplicates = dupes
        res.accepted = [e for e in good if id(e) not in dupe_ids]
        if res.rejected:
            DeadLetter.objects.bulk_create(
                [
                    DeadLetter(
                        received_at=now,
                        source=source,
                        topic=raw.topic[:200],
                        device_id=(raw.event.device_id if raw.event else (raw.topic_device or ""))[:64],
                        reason_code=exc.code,
                        reason=exc.message[:500],
                        payload=_payload_text(raw),
                    )
                    for raw, exc in res.rejected
                ]
            )
        seen = sorted({e.device_id for e in res.accepted})
        counts = {"received": len(inputs), **res.counts}
        if seen:
            _devices_seen(seen, now, counts)  # one statement for both
        else:
            counters_add(counts)
    return res


#: Letters one replay feeds through ingest at most (one transaction); the page says so on its button.
REPLAY_BATCH = 1000


@transaction.atomic
def dead_letters_replay(
    *, actor: User | None, ids: list[int] | None = None, reason_code: str = "", limit: int = REPLAY_BATCH
) -> dict[str, int]:
    """Feed dead letters through ingest again (after the cause was fixed): the ``ids`` given, or with none every
    letter not yet replayed (of ``reason_code`` if given), oldest first, at most ``limit``. Each replayed letter
    records its outcome; a letter that fails again gets a new dead letter with the new reason (the old one stays,
    with ``outcome`` saying so). Administrators and analysts only. Returns counts."""
    _require(actor, (Role.ADMIN, Role.ANALYST), "replay dead letters")
    qs = DeadLetter.objects.filter(replayed_at__isnull=True).order_by("id")
    if ids:
        qs = qs.filter(id__in=ids)
    if reason_code:
        qs = qs.filter(reason_code=reason_code)
    letters = list(qs.select_for_update()[:limit])
    out = {"replayed": 0, "accepted": 0, "duplicates": 0, "dead_lettered": 0}
    now = timezone.now()
    for letter in letters:
        if letter.source == "viid":
            try:
                rec = json.loads(letter.payload)
                raw = RawInput(payload=letter.payload, event=gat1400.motor_vehicle_event(rec))
            except (ValueError, EventError) as exc:
                raw = RawInput(
                    payload=letter.payload,
                    error=exc if isinstance(exc, EventError) else EventError("bad_json", str(exc)),
                )
        else:
            raw = RawInput(
                payload=letter.payload,
                topic=letter.topic,
                topic_device=letter.topic.split("/")[-2] if letter.topic.count("/") >= 2 else None,
            )
        res = events_ingest(inputs=[raw], source=letter.source)
        outcome = (
            "accepted"
            if res.accepted
            else "duplicate"
            if res.duplicates
            else f"rejected again: {res.rejected[0][1].code}"
        )
        letter.replayed_at, letter.replayed_by, letter.outcome = now, actor, outcome
        letter.save(update_fields=["replayed_at", "replayed_by", "outcome"])
        out["replayed"] += 1
        for k, v in res.counts.items():
            out[k] += v
    audit.record(actor, "replay", "DeadLetter", "", detail={**out, "ids": [x.id for x in letters][:100]})
    return out


# ------------------------------------------------------------------------------------------ watch list


@transaction.atomic
def hotlist_add(
    *, actor: User, kind: str, key: str, reason: str, priority: str = "P2", expires_at: dt.datetime | None = None
) -> HotlistEntry:
    """Put a plate (normalised) or a person reference on the watch list (布控). Station chiefs and analysts.
    Raises ``DomainError`` (``bad_hotlist_entry``, ``already_listed``)."""
    from pingan.alerts import plates

    _require(actor, (Role.STATION_CHIEF, Role.ANALYST), "manage the watch list")
    if kind not in HotlistEntry.Kind.values or priority not in PRIORITIES:
        raise DomainError(
            f"kind must be plate or person and priority P1-P4 (got {kind}, {priority})",
            code="bad_hotlist_entry",
            params={"detail": f"{kind}, {priority}"},
        )
    # typed by an officer: no control or text-direction character (pingan.lib.textchars, issue 11)
    key = outside_text(key, field="plate or person reference", field_zh="号牌或人员编号")  # the form's labels
    reason = outside_text(reason, field="reason", field_zh="理由")
    norm = plates.normalise(key) if kind == "plate" else gat1400.person_key(key)
    expired = expires_at is not None and expires_at <= timezone.now()
    if not norm or not reason.strip() or len(norm) > 64 or len(reason.strip()) > 300 or expired:
        raise DomainError(
            "a watch-list entry needs a plate/reference (at most 64 characters), a reason (at most 300) and an "
            "expiry in the future",
            code="bad_hotlist_entry",
            params={"detail": key},
        )
    now = timezone.now()
    # an entry that has expired no longer matches; it is closed so the plate can be listed again
    stale = HotlistEntry.objects.filter(kind=kind, key=norm, removed_at__isnull=True, expires_at__lte=now)
    stale.update(removed_at=now)
    if HotlistEntry.objects.filter(kind=kind, key=norm, removed_at__isnull=True).exists():
        raise DomainError(f"{norm} is already on the watch list", code="already_listed", params={"key": norm})
    entry = HotlistEntry.objects.create(
        kind=kind,
        key=norm,
        reason=reason.strip(),
        priority=priority,
        expires_at=expires_at,
        unit=actor.unit,
        created_by=actor,
    )
    audit.record(actor, "hotlist_add", "HotlistEntry", entry.pk, detail={"kind": kind, "key": norm})
    return entry


@transaction.atomic
def hotlist_remove(*, actor: User, entry_id: int) -> HotlistEntry:
    """Take an entry off the watch list (撤控). Raises ``NotFound`` outside the actor's jurisdiction."""
    from pingan.core.scoping import scope

    _require(actor, (Role.STATION_CHIEF, Role.ANALYST), "manage the watch list")
    entry = scope(actor, HotlistEntry.objects.filter(pk=entry_id, removed_at__isnull=True)).first()
    if entry is None:
        raise NotFound(f"watch-list entry {entry_id} not found")
    entry.removed_at = timezone.now()
    entry.save(update_fields=["removed_at"])
    audit.record(actor, "hotlist_remove", "HotlistEntry", entry.pk)
    return entry


# ---------------------------------------------------------------------------------------------- feed


def feed_append(
    *,
    unit: OrgUnit,
    roles: Iterable[str],
    kind: str,
    alert: Alert | None,
    payload: dict,
    now: dt.datetime | None = None,
) -> FeedItem:
    """Append one item to the officers' live stream (inside the caller's transaction). The head row stays
    locked until that transaction commits, so items become visible in sequence order."""
    return feed_append_many([(unit, roles, kind, alert, payload)], now=now)[0]


def feed_append_many(
    items: list[tuple[OrgUnit, Iterable[str], str, Alert | None, dict]], *, now: dt.datetime | None = None,
    pks: bool = True,
) -> list[FeedItem]:
    """Append ``(unit, roles, kind, alert, payload)`` items in order (inside the caller's transaction): one
    ``UPDATE … RETURNING`` of the head row, which stays locked until commit (items become visible in
    sequence order), and one bulk insert (``COPY`` on PostgreSQL). On PostgreSQL the same statement notifies
    ``pingan_feed``. ``pks=False``: the items returned have no primary key (the alert worker needs none: one
    statement fewer, :func:`core.copystore.copy_insert`); their ``seq`` is set either way."""
    if not items:
        return []
    bump = "UPDATE alerts_feedhead SET seq = seq + %s WHERE id = 1 RETURNING seq"
    if connection.vendor == "postgresql":
        # wakes the SSE servers' feed listeners (alerts.stream); delivered when this transaction commits
        bump = ("WITH h AS (UPDATE alerts_feedhead SET seq = seq + %s WHERE id = 1 RETURNING seq) "
                "SELECT seq, pg_notify('pingan_feed', '') FROM h")
    with connection.cursor() as cur:
        cur.execute(bump, [len(items)])
        row = cur.fetchone()
        if row is None:
            FeedHead.objects.get_or_create(id=1)
            cur.execute(bump, [len(items)])
            row = cur.fetchone()
    first = row[0] - len(items) + 1
    at = now or timezone.now()
    return copy_insert(
        FeedItem,
        [
            FeedItem(seq=first + i, created_at=at, unit=unit, roles=list(roles), kind=kind, alert=alert, payload=p)
            for i, (unit, roles, kind, alert, p) in enumerate(items)
        ],
        pks=pks,
    )


#: Who on a station's terminals hears of new screening hits (the people who follow them up).
SCREENING_HIT_ROLES = (Role.OFFICER, Role.STATION_CHIEF)


def screening_hits_notify(run, raised: list[dict]) -> list[FeedItem]:
    """Tell each responsible unit, on its officers' live stream, that a re-evaluation after new risk data
    raised police hits on people of its premises (``pingan.screening.reevaluate.HITS_RAISED_HOOKS``; in the
    re-evaluation's transaction, so the item appears when the hits do). One ``hits`` item per unit, not per
    person: ``summary`` ``screening.hits_raised`` with ``people``, ``hits``, ``premises`` and ``dataset``
    (rendered in the reader's language on the terminal), and ``url``, the unit's jurisdiction view listing
    exactly those people. The item carries counts, no name or number: who they are is read on the
    jurisdiction page, where the read is audited. People of a screening without premises have no responsible
    unit and are not notified (no unit's jurisdiction view lists them either)."""
    from django.urls import reverse

    from pingan.core.copystore import ids_in
    from pingan.core.models import Premises

    # tens of thousands of premises after a day's movements: one array parameter, not one per premises
    units = dict(Premises.objects.filter(pk__in=ids_in(Premises, {r["premises"] for r in raised if r["premises"]}))
                 .values_list("pk", "unit_id"))
    per_unit: dict[int, dict] = {}
    for r in raised:
        unit_id = units.get(r["premises"])
        if unit_id is None:
            continue
        agg = per_unit.setdefault(unit_id, {"people": 0, "hits": 0, "premises": set()})
        agg["people"] += 1
        agg["hits"] += r["hits"]
        agg["premises"].add(r["premises"])
    if not per_unit:
        return []
    now = timezone.now()
    url = f"{reverse('dashboard:jurisdiction')}?reeval={run.pk}"
    return feed_append_many([
        (OrgUnit(pk=unit_id), SCREENING_HIT_ROLES, "hits", None, {
            "id": f"reeval-{run.pk}-{unit_id}", "kind": "screening_hits", "summary": "screening.hits_raised",
            "params": {"people": agg["people"], "hits": agg["hits"], "premises": len(agg["premises"]),
                       "dataset": run.dataset.name},
            "run": run.pk, "raised_at": now.isoformat(), "url": url})
        for unit_id, agg in sorted(per_unit.items())], now=now)


def alert_payload(alert: Alert, **extra) -> dict:
    """What a terminal shows of an alert (codes and parameters; text is rendered in the viewer's language)."""
    return {
        "id": alert.pk,
        "priority": alert.priority,
        "rule": alert.rule_id,
        "kind": alert.kind,
        "summary": alert.summary,
        "params": alert.params,
        "state": alert.state,
        "status": alert.status,
        "lon": alert.lon,
        "lat": alert.lat,
        # both names: the worker pushes without a viewer, the terminal's script picks the reader's (issue 11)
        "unit": alert.unit.name if alert.unit else "",
        "unit_en": alert.unit.name_en if alert.unit else "",
        "device": alert.device.device_id if alert.device_id else alert.labels.get("device", ""),
        "device_name": alert.device.name if alert.device_id else "",
        "device_name_en": alert.device.name_en if alert.device_id else "",
        "raised_at": alert.raised_at.isoformat(),
        # the zone of the place it happened (blank: the site's): the terminal says the time on that clock
        "time_zone": alert.device.time_zone if alert.device_id else "",
        "event_keys": alert.event_keys[:5],
        # who took it, as pages name an account (User.shown_name, never the login: issue 11's trial), in both
        # languages since the payload is built without a viewer (an unnamed account is its role and unit)
        **_owner_names(alert.owner if alert.owner_id else None),
        **extra,
    }


# --------------------------------------------------------------------------------------------- alerts


def _cause_key(f: Firing) -> str:
    raw = f"{f.ruleset}:{f.rule_id}:{f.summary}:{'|'.join(sorted(f.event_keys))}"
    return hashlib.sha256(raw.encode()).hexdigest()[:64]


def _timeline(alert: Alert, action: str, *, actor: User | None = None, at: dt.datetime, **detail) -> AlertTransition:
    return AlertTransition(alert=alert, at=at, actor=actor, action=action, detail=detail)


@dataclass(frozen=True, slots=True)
class ActiveSilence:
    """What matching needs of a silence in force: its id, its unit's path (and whether that is the root),
    its parsed matchers."""

    pk: int
    unit_path: str
    unit_is_root: bool
    matchers: list


_ACTIVE_SILENCES = (
    f"SELECT s.id, s.matchers, u.path, u.parent_id FROM {Silence._meta.db_table} s "  # noqa: S608 - the models' tables
    f"JOIN {OrgUnit._meta.db_table} u ON u.id = s.unit_id "
    "WHERE s.starts_at <= %s AND s.ends_at > %s AND s.expired_at IS NULL"
)


def _active_silences(now: dt.datetime) -> list[ActiveSilence]:
    if connection.vendor == "postgresql":  # every batch with firings asks: no queryset to compile (~1 ms of CPU)
        with connection.cursor() as cur:
            cur.execute(_ACTIVE_SILENCES, [now, now])
            rows = [(pk, json.loads(m), path, parent) for pk, m, path, parent in cur.fetchall()]
    else:
        rows = Silence.objects.filter(starts_at__lte=now, ends_at__gt=now, expired_at__isnull=True).values_list(
            "pk", "matchers", "unit__path", "unit__parent_id"
        )
    return [ActiveSilence(pk, path, parent is None, [alerting.parse_matcher(m) for m in matchers])
            for pk, matchers, path, parent in rows]


def _silence_for(
    labels: dict, unit: OrgUnit | None, now: dt.datetime, silences: list[ActiveSilence] | None = None
) -> ActiveSilence | None:
    for s in _active_silences(now) if silences is None else silences:
        if unit is not None and not unit.path.startswith(s.unit_path):
            continue
        if unit is None and not s.unit_is_root:
            continue
        if alerting.matches_all(s.matchers, labels):
            return s
    return None


def _inhibit_sources(now: dt.datetime) -> list[alerting.ActiveAlert]:
    window = now - dt.timedelta(minutes=10)
    return [
        alerting.ActiveAlert(a.labels, a.lon, a.lat)
        for a in Alert.objects.filter(open=True, last_fired_at__gte=window)
        .only("labels", "lon", "lat")
        .order_by("-id")[:500]
    ]


def _inhibited(
    firing: Firing, policy: alerting.Policy, now: dt.datetime, sources: list[alerting.ActiveAlert] | None = None
) -> bool:
    if not policy.inhibit:
        return False
    target = alerting.ActiveAlert(firing.labels, firing.lon, firing.lat)
    if not any(alerting.matches_all(rule.target, firing.labels) for rule in policy.inhibit):
        return False  # nothing can mute it: no need to look at the open alerts
    return alerting.inhibited(target, _inhibit_sources(now) if sources is None else sources, policy.inhibit)


def _applied_causes(keys: list[str]) -> set[str]:
    """The cause keys already applied (on PostgreSQL one array parameter, without the ORM's query building)."""
    if connection.vendor != "postgresql":
        return set(AlertCause.objects.filter(key__in=set(keys)).values_list("key", flat=True))
    with connection.cursor() as cur:
        cur.execute("SELECT key FROM alerts_alertcause WHERE key = ANY(%s)", [list(set(keys))])
        return {r[0] for r in cur.fetchall()}


def _open_alerts_locked(fingerprints: set[str]):
    """The open alerts of ``fingerprints``, their rows locked until the transaction ends (on PostgreSQL a raw
    query: no queryset to compile, ~1 ms of CPU every batch with firings)."""
    if connection.vendor != "postgresql":
        return Alert.objects.select_for_update(of=("self",)).filter(fingerprint__in=fingerprints, open=True)
    with connection.cursor() as cur:  # rows made into alerts here: a raw queryset's set-up cost more than them
        cur.execute(f"SELECT {_columns(Alert, 'a')} FROM {Alert._meta.db_table} a "  # noqa: S608 - the model's table
                    "WHERE a.fingerprint = ANY(%s) AND a.open ORDER BY a.id DESC FOR UPDATE", [list(fingerprints)])
        return [_from_row(Alert, row) for row in cur.fetchall()]


@functools.cache
def _columns(model, alias: str) -> str:
    """``alias."col", …`` of the model's concrete columns, in field order (made once per process)."""
    return ", ".join(f'{alias}."{f.column}"' for f in model._meta.concrete_fields)


def _from_row(model, values):
    """A model instance from one row of its concrete columns (in field order), as Django's own reads make it
    (``Model.from_db``, JSON fields decoded by ``from_db_value``): for the plain reads below."""
    fields = model._meta.concrete_fields
    converted = [f.from_db_value(v, None, connection) if v is not None and hasattr(f, "from_db_value") else v
                 for f, v in zip(fields, values, strict=True)]
    return model.from_db(connection.alias, [f.attname for f in fields], converted)


def _devices_with_units(device_ids: set[str]) -> dict[str, Device]:
    """The devices of ``device_ids`` with their units (``select_related("unit")``), by device id. On
    PostgreSQL one plain statement: the queryset's compilation cost ~1 ms of client CPU every batch with
    firings."""
    if connection.vendor != "postgresql":
        return {d.device_id: d for d in Device.objects.filter(device_id__in=device_ids).select_related("unit")}
    n = len(Device._meta.concrete_fields)
    sql = (f"SELECT {_columns(Device, 'd')}, {_columns(OrgUnit, 'u')} FROM {Device._meta.db_table} d "  # noqa: S608 - the models' tables
           f"LEFT JOIN {OrgUnit._meta.db_table} u ON u.id = d.unit_id WHERE d.device_id = ANY(%s)")
    out = {}
    with connection.cursor() as cur:
        cur.execute(sql, [list(device_ids)])
        for row in cur.fetchall():
            device = _from_row(Device, row[:n])
            device.unit = _from_row(OrgUnit, row[n:]) if device.unit_id is not None else None
            out[device.device_id] = device
    return out


def _alerts_locked(where: str, params: list, queryset) -> list[Alert]:
    """The alerts matching ``where`` (SQL over ``a``, the alerts table), their rows locked, in id order, with
    their units and devices (an owner, were there one, is read when asked) — on PostgreSQL one plain
    statement: the queryset with its three joins cost ~2 ms of client CPU to compile, and partition 0 asks
    every tick while alerts wait for their group or go unacknowledged. ``queryset``: the same read elsewhere."""
    if connection.vendor != "postgresql":
        return list(queryset.select_for_update(of=("self",)).select_related("unit", "device", "owner").order_by("id"))
    na, nu = len(Alert._meta.concrete_fields), len(OrgUnit._meta.concrete_fields)
    sql = (f"SELECT {_columns(Alert, 'a')}, {_columns(OrgUnit, 'u')}, {_columns(Device, 'd')} "  # noqa: S608 - the models' tables
           f"FROM {Alert._meta.db_table} a LEFT JOIN {OrgUnit._meta.db_table} u ON u.id = a.unit_id "
           f"LEFT JOIN {Device._meta.db_table} d ON d.id = a.device_id WHERE {where} ORDER BY a.id FOR UPDATE OF a")
    out = []
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for row in cur.fetchall():
            alert = _from_row(Alert, row[:na])
            alert.unit = _from_row(OrgUnit, row[na:na + nu]) if alert.unit_id is not None else None
            alert.device = _from_row(Device, row[na + nu:]) if alert.device_id is not None else None
            out.append(alert)
    return out


def _alerts_save(alerts: list[Alert], fields: list[str]) -> None:
    """Write back ``fields`` of ``alerts`` (``bulk_update``; on PostgreSQL one ``UPDATE … FROM unnest`` of an
    array per field, not a ``CASE`` per row and field to compile)."""
    if connection.vendor != "postgresql":
        Alert.objects.bulk_update(alerts, fields)
        return
    model_fields = [Alert._meta.get_field(f) for f in fields]
    q = connection.ops.quote_name
    sets = ", ".join(f"{q(f.column)} = v.{q(f.column)}" for f in model_fields)
    arrays = ", ".join(["%s::bigint[]", *(f"%s::{f.db_type(connection)}[]" for f in model_fields)])
    names = ", ".join(["id", *(q(f.column) for f in model_fields)])

    def column(f):  # JSON values go as their text (an array of text cast to jsonb[])
        values = [getattr(a, f.attname) for a in alerts]
        if isinstance(f, JSONField):
            return [None if v is None else json.dumps(v, cls=f.encoder) for v in values]
        return values

    with connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Alert._meta.db_table} a SET {sets} FROM unnest({arrays}) AS v({names}) WHERE a.id = v.id",  # noqa: S608 - the model's names
            [[a.pk for a in alerts], *(column(f) for f in model_fields)],
        )


@dataclass
class ApplyResult:
    created: list[Alert] = field(default_factory=list)
    updated: list[Alert] = field(default_factory=list)
    skipped: int = 0  # already applied (a re-processed event after a restart)


_UPDATE_FIELDS = ["fire_count", "last_fired_at", "status", "event_keys", "open", "state", "closed_at",
                  "disposition", "next_escalation_at"]


def firings_apply(
    *,
    firings: list[Firing],
    policy: alerting.Policy,
    now: dt.datetime | None = None,
    device_units: dict[str, int] | None = None,
) -> ApplyResult:
    """Turn firings into alerts (inside the caller's transaction): idempotent per cause; a firing whose
    fingerprint matches an open alert updates it (or resolves it: ``absence.back``); a new alert is routed,
    checked against silences and inhibition, grouped, and — when its route has no ``group_wait`` — put on
    the responsible unit's stream at once. Every step is on the alert's timeline; creations are audited.

    The whole list is applied with a fixed number of queries (causes, open alerts, devices, silences and
    inhibition sources read once; alerts, causes, timeline, feed and audit written in bulk), in the order of
    ``firings``: a later firing sees the alerts an earlier one in the same list raised."""
    now = now or timezone.now()
    res = ApplyResult()
    if not firings:
        return res
    keys = [_cause_key(f) for f in firings]
    fps = [alerting.fingerprint(f.labels) for f in firings]
    applied = _applied_causes(keys)
    open_by_fp = {a.fingerprint: a for a in _open_alerts_locked(set(fps))}
    devices = _devices_with_units({f.device_id for f in firings})
    silences: list | None = None
    sources: list[alerting.ActiveAlert] | None = None  # open alerts of the last 10 minutes, read once if needed
    batch_active: list[alerting.ActiveAlert] = []  # and those raised by this list so far
    timeline: list[AlertTransition] = []
    causes: list[tuple[str, Alert]] = []
    dirty: dict[int, Alert] = {}
    notify: list[tuple[Alert, alerting.Step, OrgUnit | None]] = []
    for f, key, fp in zip(firings, keys, fps, strict=True):
        if key in applied:
            res.skipped += 1
            continue
        applied.add(key)
        alert = open_by_fp.get(fp)
        if alert is not None:
            if f.summary == "absence.back":
                alert.status = "resolved"
                if alert.state == Alert.State.NEW:
                    alert.state, alert.closed_at, alert.disposition = (
                        Alert.State.CLOSED,
                        now,
                        "device_fault",
                    )
                    alert.open = False
                    alert.next_escalation_at = None
                    open_by_fp.pop(fp)
                timeline.append(_timeline(alert, "resolved", at=now, reason="device back online"))
                Device.objects.filter(device_id=f.device_id, status=Device.Status.OFFLINE).update(
                    status=Device.Status.ONLINE
                )
            else:
                alert.fire_count += 1
                alert.last_fired_at = now
                alert.status = "firing"
                alert.event_keys = (alert.event_keys + [k for k in f.event_keys if k not in alert.event_keys])[-20:]
                timeline.append(_timeline(alert, "repeated", at=now, events=list(f.event_keys)[:5]))
            if alert.pk is not None:
                dirty[alert.pk] = alert
            causes.append((key, alert))
            res.updated.append(alert)
            continue
        if f.summary == "absence.back":
            res.skipped += 1
            continue
        device = devices.get(f.device_id)
        unit, routed_by = route(
            lon=f.lon, lat=f.lat, adcode=device.adcode if device else "", fallback=device.unit if device else None
        )
        if (
            device is not None
            and device.unit_id
            and routed_by == "polygon"
            and f.lon == device.lon
            and f.lat == device.lat
        ):
            unit, routed_by = device.unit, device.routed_by or "polygon"  # the device's own (refined) routing
        extra_labels = {}
        owner = area_owner()(f.lon, f.lat, now) if area_owner() else None
        if owner is not None:  # a large-event operation's area during its window: its command owns the alert
            unit, routed_by = owner[0], "operation"
            extra_labels = {"operation": str(owner[1])}
        labels = {**f.labels, **extra_labels, "priority": f.priority, "unit": unit.code if unit else ""}
        if silences is None:
            silences = _active_silences(now)
        silence = _silence_for(labels, unit, now, silences)
        muted = ""
        if silence:
            muted = f"silence:{silence.pk}"
        elif device is not None and device.status == Device.Status.MAINTENANCE and f.kind != "absence":
            muted = "maintenance"  # closed before as a device fault: raised, kept, not delivered
        elif policy.inhibit and any(alerting.matches_all(r.target, f.labels) for r in policy.inhibit):
            if sources is None:
                sources = _inhibit_sources(now)
            if _inhibited(f, policy, now, batch_active[::-1] + sources):
                muted = "inhibited"
        route_cfg = policy.routes[f.priority]
        group = (
            ""
            if route_cfg.group_wait.total_seconds() == 0
            else f"{unit.code if unit else '-'}|{f.priority}|{alerting.group_key(labels, route_cfg.group_by)}"
        )
        alert = Alert(
            fingerprint=fp,
            priority=f.priority,
            ruleset=f.ruleset,
            ruleset_version=f.ruleset_version,
            rule_id=f.rule_id,
            kind=f.kind,
            labels=labels,
            summary=f.summary,
            params=f.params,
            device=device,
            lon=f.lon,
            lat=f.lat,
            unit=unit,
            routed_by=routed_by,
            raised_at=f.at,
            created_at=now,
            last_fired_at=now,
            event_keys=list(f.event_keys),
            muted_by=muted,
            group_key=group,
        )
        batch_active.append(alerting.ActiveAlert(labels, f.lon, f.lat))
        open_by_fp[fp] = alert
        causes.append((key, alert))
        timeline.append(
            _timeline(alert, "raised", at=now, unit=unit.code if unit else "", routed_by=routed_by,
                      events=list(f.event_keys)[:5])
        )
        if silence:
            timeline.append(_timeline(alert, "silenced", at=now, silence=silence.pk))
        elif muted == "maintenance":
            timeline.append(_timeline(alert, "muted", at=now, by="maintenance", device=device.device_id))
        elif muted:
            timeline.append(_timeline(alert, "inhibited", at=now))
        if f.kind == "absence" and device is not None:
            Device.objects.filter(pk=device.pk).update(status=Device.Status.OFFLINE)
        if not muted and not group and unit is not None:
            notify.append((alert, _notify_fields(alert, policy, now), None))
            timeline.append(_notify_timeline(alert, policy, now))
        res.created.append(alert)
    if dirty:  # first: an alert resolved and closed here frees its fingerprint for a new one of this list
        _alerts_save(list(dirty.values()), _UPDATE_FIELDS)
    copy_insert(Alert, res.created)
    _causes_insert(causes)
    targets: dict[str, OrgUnit | None] = {}
    feed_append_many(
        [
            (target, step.roles, "alert", alert, alert_payload(alert, group=[]))
            for alert, step, _ in notify
            if (target := _step_target(step, alert, targets)) is not None
        ],
        now=now,
        pks=False,
    )
    _timeline_insert(timeline)
    audits = [
        audit.Entry(
            "alert_raise",
            "Alert",
            str(a.pk),
            {"rule": a.rule_id, "priority": a.priority, "unit": a.unit.code if a.unit else ""},
        )
        for a in res.created
    ]
    if audits:
        audit.record_many(None, audits, returning=False)
    return res


def _timeline_insert(timeline: list[AlertTransition]) -> None:
    """The steps' rows (``COPY`` on PostgreSQL: ``bulk_create`` cost ~1 ms of client CPU per call here, a
    batch's alert writes several such calls), each pointing at its alert, saved by now."""
    for t in timeline:
        t.alert_id = t.alert.pk  # built before a new alert had its primary key
    copy_insert(AlertTransition, timeline, pks=False)  # nobody reads their ids back: one statement fewer


def _causes_insert(causes: list[tuple[str, Alert]]) -> None:
    if not causes:
        return
    if connection.vendor != "postgresql":
        AlertCause.objects.bulk_create([AlertCause(key=k, alert=a) for k, a in causes])
        return
    with connection.cursor() as cur:  # one statement of two arrays (bulk_create built a model per cause)
        cur.execute("INSERT INTO alerts_alertcause (key, alert_id) SELECT * FROM unnest(%s::text[], %s::bigint[])",
                    [[k for k, _ in causes], [a.pk for _, a in causes]])


def _unit_by_code(code: str) -> OrgUnit | None:
    """The unit with ``code`` (on PostgreSQL a plain statement: no queryset to compile every escalation)."""
    if connection.vendor != "postgresql":
        return OrgUnit.objects.filter(code=code).first()
    with connection.cursor() as cur:
        cur.execute(f"SELECT {_columns(OrgUnit, 'u')} FROM {OrgUnit._meta.db_table} u WHERE u.code = %s",  # noqa: S608 - the model's table
                    [code])
        row = cur.fetchone()
    return _from_row(OrgUnit, row) if row else None


def _step_target(step: alerting.Step, alert: Alert, cache: dict | None = None) -> OrgUnit | None:
    if step.target.startswith("unit:"):
        code = step.target[5:]
        if cache is not None and code in cache:
            return cache[code]
        unit = _unit_by_code(code)
        if cache is not None:
            cache[code] = unit
        return unit
    return alert.unit


def _notify_fields(alert: Alert, policy: alerting.Policy, now: dt.datetime) -> alerting.Step:
    """Mark ``alert`` notified now (first step of its priority's escalation chain, normally the unit's
    on-duty officers); returns that step. The caller saves the alert and appends the feed item."""
    esc = policy.escalations[alert.priority]
    alert.notified_at = now
    alert.escalations_sent = 1
    alert.next_escalation_at = alerting.next_due(esc, raised_at=now, sent=1)
    return esc.steps[0]


def _notify_timeline(alert: Alert, policy: alerting.Policy, now: dt.datetime) -> AlertTransition:
    step = policy.escalations[alert.priority].steps[0]
    target = step.target[5:] if step.target.startswith("unit:") else (alert.unit.code if alert.unit else "")
    return _timeline(alert, "notified", at=now, unit=target, roles=list(step.roles))


def _groups_last_notified(keys: list[str]) -> dict[str, dt.datetime]:
    """When each of the groups ``keys`` was last notified (groups never notified are left out): one query for
    all of them (it was one per group)."""
    if not keys:
        return {}
    if connection.vendor != "postgresql":
        return dict(Alert.objects.filter(group_key__in=keys, notified_at__isnull=False).values("group_key")
                    .annotate(m=Max("notified_at")).values_list("group_key", "m"))
    with connection.cursor() as cur:
        cur.execute(f"SELECT group_key, max(notified_at) FROM {Alert._meta.db_table} "  # noqa: S608 - the model's table
                    "WHERE group_key = ANY(%s) AND notified_at IS NOT NULL GROUP BY group_key", [keys])
        return dict(cur.fetchall())


def groups_flush(*, policy: alerting.Policy, now: dt.datetime | None = None) -> int:
    """Notify waiting groups whose ``group_wait`` (first notification) or ``group_interval`` (later ones)
    has passed: one stream item per group naming all its new alerts. Returns the number of alerts notified."""
    now = now or timezone.now()
    pending = _alerts_locked(
        "a.open AND a.notified_at IS NULL AND a.muted_by = '' AND a.group_key <> ''", [],
        Alert.objects.filter(open=True, notified_at__isnull=True, muted_by="").exclude(group_key=""),
    )
    groups: dict[str, list[Alert]] = {}
    for a in pending:
        groups.setdefault(a.group_key, []).append(a)
    last_notified = _groups_last_notified(list(groups))
    timeline: list[AlertTransition] = []
    feed: list = []
    saved: list[Alert] = []
    targets: dict[str, OrgUnit | None] = {}
    for key, alerts in groups.items():
        route_cfg = policy.routes[alerts[0].priority]
        last = last_notified.get(key)
        due = (alerts[0].created_at + route_cfg.group_wait) if last is None else (last + route_cfg.group_interval)
        if due > now or alerts[0].unit is None:
            continue
        head, rest = alerts[0], alerts[1:]
        step = _notify_fields(head, policy, now)
        target = _step_target(step, head, targets)
        if target is not None:
            group = [alert_payload(a) for a in rest]
            feed.append((target, step.roles, "alert", head, alert_payload(head, group=group)))
        timeline.append(_notify_timeline(head, policy, now))
        for a in rest:
            a.notified_at, a.escalations_sent = now, 1
            a.next_escalation_at = alerting.next_due(policy.escalations[a.priority], raised_at=now, sent=1)
            timeline.append(_timeline(a, "notified", at=now, group_of=head.pk))
        saved += alerts
    if saved:
        _alerts_save(saved, ["notified_at", "escalations_sent", "next_escalation_at"])
    feed_append_many(feed, now=now, pks=False)
    _timeline_insert(timeline)
    return len(saved)


def escalations_run(*, policy: alerting.Policy, now: dt.datetime | None = None) -> int:
    """Send the escalation steps that fell due for unacknowledged alerts (the duty chief after 30 s, the
    command centre after 60 s … as the policy says); stops at acknowledgement or when the chain, with its
    repeats, is exhausted. Returns the number of steps sent."""
    now = now or timezone.now()
    sent = 0
    timeline: list[AlertTransition] = []
    feed: list = []
    saved: list[Alert] = []
    targets: dict[str, OrgUnit | None] = {}
    for alert in _alerts_locked(
        "a.open AND a.state = %s AND a.next_escalation_at <= %s AND a.notified_at IS NOT NULL", [Alert.State.NEW, now],
        Alert.objects.filter(open=True, state=Alert.State.NEW, next_escalation_at__lte=now, notified_at__isnull=False),
    ):
        esc = policy.escalations[alert.priority]
        for index, step in alerting.due_steps(esc, raised_at=alert.notified_at, now=now, sent=alert.escalations_sent):
            target = _step_target(step, alert, targets)
            if target is not None:
                feed.append((target, step.roles, "escalation", alert, alert_payload(alert, step=index + 1)))
            timeline.append(
                _timeline(
                    alert,
                    "escalated",
                    at=now,
                    step=index + 1,
                    target=step.target,
                    unit=target.code if target else "",
                    roles=list(step.roles),
                )
            )
            alert.escalations_sent = index + 1
            sent += 1
        alert.next_escalation_at = alerting.next_due(esc, raised_at=alert.notified_at, sent=alert.escalations_sent)
        saved.append(alert)
    if saved:
        _alerts_save(saved, ["escalations_sent", "next_escalation_at"])
    feed_append_many(feed, now=now, pks=False)
    _timeline_insert(timeline)
    return sent


# ------------------------------------------------------------------------------ ownership (human response)

#: state → the states it may move to, and who may.
_NEXT = {
    Alert.State.NEW: {Alert.State.ACKNOWLEDGED, Alert.State.CLOSED},
    Alert.State.ACKNOWLEDGED: {Alert.State.EN_ROUTE, Alert.State.ON_SCENE, Alert.State.CLOSED},
    Alert.State.EN_ROUTE: {Alert.State.ON_SCENE, Alert.State.CLOSED},
    Alert.State.ON_SCENE: {Alert.State.CLOSED},
    Alert.State.CLOSED: set(),
}


def _alert_for_action(actor: User, alert_id: int) -> Alert:
    from pingan.core.scoping import scope

    if actor is None or actor.role not in (Role.OFFICER, Role.STATION_CHIEF, Role.DISPATCHER):
        raise PermissionDenied(
            "only officers, station chiefs and dispatchers respond to alerts",
            message_id="alerts_not_allowed",
            params={"what": "respond to alerts"},
        )
    qs = Alert.objects.select_for_update(of=("self",)).filter(pk=alert_id)
    alert = qs.first() if actor.role == Role.DISPATCHER else scope(actor, qs).first()
    if alert is None and responders.responds(actor, alert_id, timezone.now()):
        alert = qs.first()
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert


@transaction.atomic
def alert_transition(*, actor: User, alert_id: int, to: str, disposition: str = "", notes: str = "") -> Alert:
    """Move an alert along new → acknowledged (the actor owns it) → en route → on scene → closed (with a
    disposition code and notes). Only the owner moves an acknowledged alert on (a station chief may too); a
    dispatcher of the command centre may act on any alert. Audited, on the timeline and on the unit's
    stream. Raises ``DomainError``: ``bad_transition``, ``not_owner``, ``disposition_required``."""
    alert = _alert_for_action(actor, alert_id)
    if to not in Alert.State.values or to not in _NEXT[alert.state]:
        raise DomainError(
            f"alert {alert_id} is {alert.state}; it cannot become {to}",
            code="bad_transition",
            params={"state": alert.state, "to": to},
        )
    if (alert.state != Alert.State.NEW and alert.owner_id != actor.pk and actor.role == Role.OFFICER
            and not responders.responds(actor, alert.pk, timezone.now())):
        raise DomainError(f"alert {alert_id} is owned by another officer", code="not_owner", params={"id": alert_id})
    # typed by an officer: no control or text-direction character (pingan.lib.textchars, issue 11)
    notes = outside_text(notes, field="notes", field_zh="备注", allow_newlines=True)
    now = timezone.now()
    fields = ["state"]
    codes = alerting.dispositions()
    if to == Alert.State.CLOSED:
        if disposition not in codes:
            raise DomainError(
                f"closing needs a disposition: one of {', '.join(codes)}",
                code="disposition_required",
                params={"choices": list(codes)},
            )
        alert.disposition, alert.notes, alert.closed_at, alert.open = disposition, notes.strip()[:4000], now, False
        alert.next_escalation_at = None
        fields += ["disposition", "notes", "closed_at", "open", "next_escalation_at"]
    if alert.state == Alert.State.NEW:
        alert.owner, alert.acknowledged_at, alert.next_escalation_at = actor, now, None
        fields += ["owner", "acknowledged_at", "next_escalation_at"]
    alert.state = to
    alert.save(update_fields=list(dict.fromkeys(fields)))
    AlertTransition.objects.create(
        alert=alert,
        at=now,
        actor=actor,
        action=to,
        detail={"disposition": disposition, "notes": notes[:200]} if disposition else {},
    )
    audit.record(actor, f"alert_{to}", "Alert", alert.pk, detail={"disposition": disposition} if disposition else {})
    effect = codes[disposition].device if to == Alert.State.CLOSED else ""
    if effect == "maintenance" and alert.device_id:
        changed = Device.objects.filter(pk=alert.device_id).exclude(
            status__in=(Device.Status.MAINTENANCE, Device.Status.RETIRED)).update(status=Device.Status.MAINTENANCE)
        if changed:
            directory.forget(alert.device.device_id)
            AlertTransition.objects.create(alert=alert, at=now, actor=actor, action="maintenance",
                                           detail={"device": alert.device.device_id})
            audit.record(actor, "device_maintenance", "Device", alert.device.device_id,
                         detail={"alert": alert.pk, "disposition": disposition})
    if alert.unit_id:
        feed_append(
            unit=alert.unit,
            roles=(Role.OFFICER, Role.STATION_CHIEF),
            kind="update",
            alert=alert,
            payload=alert_payload(alert),
            now=now,
        )
    return alert


# ------------------------------------------------------------------------------------------- silences


@transaction.atomic
def silence_create(
    *, actor: User, matchers: list[str], ends_at: dt.datetime, comment: str, starts_at: dt.datetime | None = None
) -> Silence:
    """A silence over the actor's unit subtree (station chiefs and analysts). Matchers as Alertmanager's.
    Raises ``DomainError``: ``bad_matcher``, ``bad_silence``, ``duplicate_silence`` (the same matchers as an active
    silence of the unit)."""
    _require(actor, (Role.STATION_CHIEF, Role.ANALYST), "create silences")
    parsed = []
    for m in matchers:
        try:
            parsed.append(str(alerting.parse_matcher(m)))
        except ValueError as exc:
            raise DomainError(str(exc), code="bad_matcher", params={"matcher": m}) from None
    comment = outside_text(comment, field="comment", field_zh="说明")
    now = timezone.now()
    starts_at = starts_at or now
    if not parsed or ends_at <= starts_at or not comment.strip():
        raise DomainError(
            "a silence needs at least one matcher, an end after its start and a comment", code="bad_silence", params={}
        )
    same = sorted(parsed)  # an exact duplicate of an active silence of the unit mutes nothing more: refused
    for other in Silence.objects.filter(unit=actor.unit, expired_at__isnull=True, starts_at__lte=now, ends_at__gt=now):
        if sorted(other.matchers) == same:
            raise DomainError(
                f"silence {other.pk} with the same matchers is active until {other.ends_at.isoformat()}",
                code="duplicate_silence",
                params={"until": moment(other.ends_at)},
            )
    s = Silence.objects.create(
        matchers=parsed,
        starts_at=starts_at,
        ends_at=ends_at,
        comment=comment.strip()[:500],
        unit=actor.unit,
        created_by=actor,
    )
    audit.record(
        actor,
        "silence_create",
        "Silence",
        s.pk,
        detail={"matchers": parsed, "ends_at": ends_at.isoformat(), "comment": s.comment},
    )
    return s


@transaction.atomic
def silence_expire(*, actor: User, silence_id: int) -> Silence:
    """End a silence now. Raises ``NotFound`` outside the actor's jurisdiction."""
    from pingan.core.scoping import scope

    _require(actor, (Role.STATION_CHIEF, Role.ANALYST), "expire silences")
    s = scope(actor, Silence.objects.filter(pk=silence_id, expired_at__isnull=True)).first()
    if s is None:
        raise NotFound(f"silence {silence_id} not found")
    s.expired_at, s.expired_by = timezone.now(), actor
    s.save(update_fields=["expired_at", "expired_by"])
    audit.record(actor, "silence_expire", "Silence", s.pk)
    return s


# ------------------------------------------------------------------------------------------------ duty


@transaction.atomic
def duty_start(*, actor: User, hours: float = 8) -> DutyShift:
    """Go on duty for the actor's unit for ``hours`` (0.5-24) — the minimal roster. Raises ``DomainError``
    (``alerts_not_allowed`` for roles without alerts, ``bad_shift``)."""
    if actor.role not in (Role.OFFICER, Role.STATION_CHIEF, Role.DISPATCHER) or actor.unit_id is None:
        raise PermissionDenied(
            "only officers, station chiefs and dispatchers go on duty",
            message_id="alerts_not_allowed",
            params={"what": "go on duty"},
        )
    if not 0.5 <= hours <= 24:
        raise DomainError("a shift lasts 0.5 to 24 hours", code="bad_shift", params={})
    now = timezone.now()
    DutyShift.objects.filter(user=actor, ended_at__isnull=True, ends_at__gt=now).update(ended_at=now)
    shift = DutyShift.objects.create(
        user=actor, unit=actor.unit, starts_at=now, ends_at=now + dt.timedelta(hours=hours)
    )
    audit.record(actor, "duty_start", "DutyShift", shift.pk, detail={"hours": hours})
    return shift


@transaction.atomic
def duty_end(*, actor: User) -> int:
    """End the actor's current shift(s). Returns how many were ended."""
    now = timezone.now()
    n = DutyShift.objects.filter(user=actor, ended_at__isnull=True, ends_at__gt=now).update(ended_at=now)
    if n:
        audit.record(actor, "duty_end", "DutyShift", "")
    return n


def can_receive(actor: User, unit: OrgUnit) -> bool:
    """Scoping check used by the stream: a unit's alerts reach only members of its line."""
    return actor.role == Role.DISPATCHER or can_see_unit(actor, unit)


# ------------------------------------------------------------------------- GA/T 1400 subscriptions (订阅)

VIID_MANAGERS = (Role.ADMIN, Role.ANALYST)


def _viid_server_id() -> str:
    sid = settings.PINGAN.get("VIID_SERVER_ID", "")
    if not (len(sid) == 20 and sid.isdigit()):
        raise DomainError(
            "set PINGAN_VIID_SERVER_ID to pingan's 20-digit 视图库 ID before subscribing",
            code="viid_not_configured",
            params={},
        )
    return sid


def _viid_call(method: str, url: str, body: dict, *, user: str, password: str = "") -> tuple[int, Any]:
    """One request to a lower platform (``User-Identify`` = pingan's ID; HTTP Digest if it challenges and a
    password was given). Returns (HTTP status, parsed JSON or None). Raises ``OSError`` when unreachable."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit

    data = json.dumps(body, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json;charset=UTF-8", "User-Identify": user}
    for attempt in (1, 2):
        req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - http(s) only
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:  # noqa: S310 - checked in viid_subscribe
                text = resp.read(1 << 20)
                status = resp.status
        except urllib.error.HTTPError as exc:
            challenge = exc.headers.get("WWW-Authenticate", "")
            if exc.code == 401 and attempt == 1 and password and challenge.lower().startswith("digest"):
                headers["Authorization"] = gat1400.digest_authorization(
                    challenge, username=user, password=password, method=method, uri=urlsplit(url).path
                )
                continue
            text, status = exc.read(1 << 20), exc.code
        try:
            return status, json.loads(text or b"null")
        except ValueError:
            return status, None
    raise AssertionError("unreachable")


def _viid_outcome(status: int, body: Any) -> str:
    """'' when the platform accepted every object, else what it said (for ``last_error``)."""
    statuses = gat1400.response_statuses(body)
    if status == 200 and statuses and all(str(s.get("StatusCode")) == gat1400.STATUS["ok"] for s in statuses):
        return ""
    said = "; ".join(f"{s.get('StatusCode')} {s.get('StatusString', '')}".strip() for s in statuses)
    return f"HTTP {status}: {said or 'no ResponseStatusObject'}"[:500]


def viid_subscribe(
    *,
    actor: User,
    platform_id: str,
    endpoint: str,
    resource_uri: str,
    title: str,
    reason: str,
    hours: float,
    detail: str = "13",
    resource_class: str = "0",
    password: str = "",
) -> ViidSubscription:
    """Subscribe with a lower platform (``POST {endpoint}/VIID/Subscribes``) to ``detail`` records (13 motor
    vehicles) of ``resource_uri`` (TollgateIDs, comma-separated; with ``resource_class`` 4 the platform's own
    ID) for ``hours``, pushed to ``PINGAN_VIID_RECEIVE_ADDR``. Administrators and analysts; audited. The
    row is saved first (so a subscription the platform took is never forgotten), the request is made outside
    any transaction, and the outcome is stored: status 0 when every answer is StatusCode 0, else 9 with the
    platform's words in ``last_error``. Raises ``DomainError`` (``viid_not_configured``,
    ``bad_subscription``), ``NotFound`` (no such platform)."""
    from urllib.parse import urlsplit

    _require(actor, VIID_MANAGERS, "manage GA/T 1400 subscriptions")
    server_id = _viid_server_id()
    platform = Device.objects.filter(device_id=platform_id, kind=Device.Kind.PLATFORM).first()
    if platform is None or platform.status == Device.Status.RETIRED:
        raise NotFound(f"no VIID platform {platform_id} is registered")
    title = outside_text(title, field="title", field_zh="标题")
    reason = outside_text(reason, field="reason", field_zh="理由")
    codes = [c.strip() for c in detail.split(",") if c.strip()]
    url = urlsplit(endpoint.strip())
    problems = [
        what
        for what, bad in (
            ("endpoint", url.scheme not in ("http", "https") or not url.netloc),
            ("detail", not codes or any(not gat1400.label("SubscribeDetail", c) for c in codes)),
            ("resource_class", not gat1400.label("ResourceClass", resource_class)),
            ("resource_uri", not resource_uri.strip() or len(resource_uri) > 2000),
            ("title", not title.strip() or len(title) > 200),
            ("reason", not reason.strip() or len(reason) > 300),
            ("hours", not 0 < hours <= 24 * 366),
        )
        if bad
    ]
    if problems:
        raise DomainError(
            f"bad subscription: {', '.join(problems)}", code="bad_subscription", params={"fields": problems}
        )
    now = timezone.now()
    with transaction.atomic():
        sub = ViidSubscription.objects.create(
            subscribe_id="",
            platform=platform,
            endpoint=f"{url.scheme}://{url.netloc}{url.path.rstrip('/')}",
            title=title.strip(),
            detail=",".join(codes),
            resource_class=resource_class,
            resource_uri=resource_uri.strip(),
            reason=reason.strip(),
            receive_addr=settings.PINGAN["VIID_RECEIVE_ADDR"],
            begins_at=now,
            ends_at=now + dt.timedelta(hours=hours),
            created_by=actor,
        )
        # pingan's ID + a serial: unique, and it tells a platform's operator who subscribed
        sub.subscribe_id = f"{server_id}{sub.pk:012d}"
        sub.save(update_fields=["subscribe_id"])
        audit.record(actor, "viid_subscribe", "ViidSubscription", sub.subscribe_id,
                     detail={"platform": platform_id, "detail": sub.detail, "resource_uri": sub.resource_uri[:200]})
    body = gat1400.subscribes_body([_subscribe_object(sub, actor, gat1400.OPERATE_SUBSCRIBE)])
    try:
        error = _viid_outcome(*_viid_call("POST", sub.endpoint + "/VIID/Subscribes", body, user=server_id,
                                          password=password))
    except OSError as exc:
        error = f"unreachable: {exc}"[:500]
    sub.status = ViidSubscription.Status.NOT_SUBSCRIBED if error else ViidSubscription.Status.SUBSCRIBED
    sub.last_error = error
    sub.save(update_fields=["status", "last_error"])
    return sub


def _owner_names(owner: User | None) -> dict[str, str]:
    """``owner`` (Chinese) and ``owner_en`` of an alert's payload: the account's shown name in each language."""
    if owner is None:
        return {"owner": "", "owner_en": ""}
    return {"owner": owner.name_in("zh-hans"), "owner_en": owner.name_in("en")}


def _subscribe_object(sub: ViidSubscription, actor: User, operate: str) -> dict[str, str]:
    return gat1400.subscribe_object(
        subscribe_id=sub.subscribe_id,
        title=sub.title,
        detail=sub.detail,
        resource_uri=sub.resource_uri,
        # named as pages name the account, in Chinese (the platform's language): never its user name
        applicant=actor.name_in("zh-hans"),
        org=actor.unit.name if actor.unit_id else "",
        begin=sub.begins_at,
        end=sub.ends_at,
        receive_addr=sub.receive_addr,
        reason=sub.reason,
        resource_class=sub.resource_class,
        operate_type=operate,
    )


def viid_unsubscribe(*, actor: User, subscription_id: int, password: str = "") -> ViidSubscription:
    """Cancel a subscription (``PUT {endpoint}/VIID/Subscribes`` with ``OperateType`` 1). It is cancelled
    here whatever the platform answers — its notifications are refused from now on — and the platform's
    answer, if not OK, is kept in ``last_error``. Administrators and analysts; audited."""
    _require(actor, VIID_MANAGERS, "manage GA/T 1400 subscriptions")
    server_id = _viid_server_id()
    with transaction.atomic():
        sub = ViidSubscription.objects.select_for_update().filter(pk=subscription_id).first()
        if sub is None:
            raise NotFound(f"subscription {subscription_id} not found")
        was = sub.status
        sub.status, sub.cancelled_by, sub.cancelled_at = ViidSubscription.Status.CANCELLED, actor, timezone.now()
        sub.save(update_fields=["status", "cancelled_by", "cancelled_at"])
        audit.record(actor, "viid_unsubscribe", "ViidSubscription", sub.subscribe_id)
    if was == ViidSubscription.Status.SUBSCRIBED:
        body = gat1400.subscribes_body([_subscribe_object(sub, actor, gat1400.OPERATE_CANCEL)])
        try:
            error = _viid_outcome(*_viid_call("PUT", sub.endpoint + "/VIID/Subscribes", body, user=server_id,
                                              password=password))
        except OSError as exc:
            error = f"unreachable: {exc}"[:500]
        if error:
            sub.last_error = f"cancel: {error}"[:500]
            sub.save(update_fields=["last_error"])
    return sub


def viid_notifications_ingest(
    *, body: Any, user_identify: str = "", request_url: str = "/VIID/SubscribeNotifications"
) -> list[dict[str, str]]:
    """``POST /VIID/SubscribeNotifications``: each notification must name a subscription of pingan's that is
    subscribed and in its window, from its own platform (``User-Identify``, when sent, must be that
    platform), which must be registered and keeping alive (Digest at ``Register``). Its
    ``MotorVehicleObject`` s go through the same ingest as ``/VIID/MotorVehicles``; records of other kinds
    (faces, persons, non-motor vehicles …) and the records of a refused notification are dead-lettered one by
    one (``unsupported_object``, ``unknown_subscription``, ``subscription_expired``, ``wrong_platform``,
    ``platform_not_registered``), so none is silently lost. Returns one ``ResponseStatusObject`` per
    notification (Id = its NotificationID). Raises ``EventError`` (``bad_envelope``)."""
    from pingan.alerts.viid import REGISTRATION_TTL

    items = gat1400.notifications(body)
    now = timezone.now()
    subs = {s.subscribe_id: s for s in ViidSubscription.objects.select_related("platform").filter(
        subscribe_id__in={n.subscribe_id for n in items if n.subscribe_id})}
    out = []
    for n in items:
        sub = subs.get(n.subscribe_id)
        refusal: tuple[str, str, str] | None = None  # (StatusCode, reason code, message)
        if sub is None or sub.status not in (ViidSubscription.Status.SUBSCRIBED, ViidSubscription.Status.EXPIRED):
            refusal = (gat1400.STATUS["invalid_id"], "unknown_subscription",
                       f"SubscribeID {n.subscribe_id!r} is not a subscription of this server")
        elif now >= sub.ends_at or sub.status == ViidSubscription.Status.EXPIRED:
            if sub.status != ViidSubscription.Status.EXPIRED:
                ViidSubscription.objects.filter(pk=sub.pk).update(status=ViidSubscription.Status.EXPIRED)
            refusal = (gat1400.STATUS["invalid_operation"], "subscription_expired",
                       f"subscription {sub.subscribe_id} ended at {gat1400.format_time(sub.ends_at)}")
        elif user_identify and user_identify != sub.platform.device_id:
            refusal = (gat1400.STATUS["invalid_operation"], "wrong_platform",
                       f"subscription {sub.subscribe_id} belongs to {sub.platform.device_id}, not {user_identify}")
        else:
            p = Device.objects.filter(pk=sub.platform_id).values("viid_registered_at", "last_seen_at").first()
            if not p["viid_registered_at"] or not p["last_seen_at"] or now - p["last_seen_at"] > REGISTRATION_TTL:
                refusal = (gat1400.STATUS["invalid_operation"], "platform_not_registered",
                           f"platform {sub.platform.device_id} is not registered (or its keepalive lapsed)")
        inputs: list[RawInput] = []
        if refusal is not None:
            err = EventError(refusal[1], refusal[2])
            records = n.vehicles + [r for k in n.other for r in _records(n.raw, k)]
            inputs = [RawInput(payload=r, error=err) for r in records] or [RawInput(payload=n.raw, error=err)]
            events_ingest(inputs=inputs, source="viid", now=now)
            out.append(gat1400.response_status(request_url=request_url, object_id=n.notification_id,
                                               status=refusal[0], message=f"{refusal[1]}: {refusal[2]}", now=now))
            continue
        results = gat1400.parse_records(n.vehicles, "MotorVehicles")
        inputs = [RawInput(payload=rec, event=r.event, error=r.error) for r, rec in zip(results, n.vehicles,
                                                                                         strict=True)]
        handled = len(n.vehicles)
        for kind in n.other:
            records = _records(n.raw, kind)
            if kind in gat1400.NOTIFICATION_KINDS:  # faces and persons: events like their POSTs
                results = gat1400.parse_records(records, gat1400.NOTIFICATION_KINDS[kind])
                inputs += [RawInput(payload=rec, event=r.event, error=r.error)
                           for r, rec in zip(results, records, strict=True)]
                handled += len(records)
                continue
            err = EventError("unsupported_object", f"{kind} records are not turned into events (kept here)")
            inputs += [RawInput(payload=r, error=err) for r in records]
        res = events_ingest(inputs=inputs, source="viid", now=now)
        bad = [exc.code for raw, exc in res.rejected if exc.code != "unsupported_object"]
        ViidSubscription.objects.filter(pk=sub.pk).update(
            notifications=F("notifications") + 1, records=F("records") + handled, last_notified_at=now
        )
        Device.objects.filter(pk=sub.platform_id).update(last_seen_at=now)
        msg = f"{len(res.accepted)} accepted, {len(res.duplicates)} duplicates"
        unhandled = {k: v for k, v in n.other.items() if k not in gat1400.NOTIFICATION_KINDS}
        if unhandled:
            msg += ", not handled (kept): " + ", ".join(f"{k} {v}" for k, v in unhandled.items())
        if bad:
            msg += f", {len(bad)} refused: " + ", ".join(sorted(set(bad)))
        out.append(gat1400.response_status(
            request_url=request_url, object_id=n.notification_id,
            status=gat1400.STATUS["invalid_content"] if bad else gat1400.STATUS["ok"], message=msg, now=now))
    return out


def _records(raw: dict, list_name: str) -> list:
    block = raw.get(list_name) or {}
    recs = block.get(gat1400.NOTIFICATION_LISTS[list_name]) if isinstance(block, dict) else None
    return [recs] if isinstance(recs, dict) else recs if isinstance(recs, list) else []
