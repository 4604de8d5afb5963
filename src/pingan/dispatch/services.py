"""Dispatch services: every write of the app — shifts, patrol units, CAD status, AVL positions, assignments
of units to alerts and their answers, expiry and escalation of unanswered dispatches, drones and missions.

Keyword-only, atomic, raising :class:`~pingan.core.errors.DomainError`; every status change is a
:class:`~pingan.dispatch.models.StatusChange` row and an audit record. The pure parts: ``dispatch.nearest``
(travel estimate), ``dispatch.figures`` (drone checks), ``dispatch.roster`` (shift times), ``lib.coords``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from pingan.alerts import alerting
from pingan.alerts import services as alert_services
from pingan.alerts.models import Alert, AlertTransition
from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied, outside_text
from pingan.core.models import OrgUnit, Role, User
from pingan.dispatch import alert_text, area, figures, nearest
from pingan.dispatch.models import (
    LIVE_ASSIGNMENTS,
    Assignment,
    Drone,
    DroneMission,
    OperationPost,
    OperationReview,
    OperationTemplate,
    OperationUnit,
    PatrolUnit,
    Position,
    SecurityOperation,
    Shift,
    ShiftAssignment,
    StatusChange,
)
from pingan.dispatch.roster import active_assignments, crewed_units
from pingan.dispatch.scoping import can_manage_unit
from pingan.lib import coords

S = PatrolUnit.Status


class Conflict(DomainError):
    """The unit, assignment or drone is not in a state that allows this now (HTTP 409)."""

    status = 409

#: CAD status → the statuses it may change to (any status may go off duty; off duty only to available).
NEXT_STATUS: dict[str, frozenset[str]] = {
    S.AVAILABLE: frozenset({S.DISPATCHED, S.EN_ROUTE, S.BUSY, S.OFF_DUTY}),
    S.DISPATCHED: frozenset({S.AVAILABLE, S.EN_ROUTE, S.OFF_DUTY}),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.AVAILABLE, S.OFF_DUTY}),
    S.ON_SCENE: frozenset({S.AVAILABLE, S.BUSY, S.OFF_DUTY}),
    S.BUSY: frozenset({S.AVAILABLE, S.OFF_DUTY}),
    S.OFF_DUTY: frozenset({S.AVAILABLE}),
}

#: The changes a unit's own crew makes on its terminal (issue 11), a subset of :data:`NEXT_STATUS`. Never to
#: *dispatched* (only an assignment makes it: ``dispatch_assign``) nor from it (the crew answers the offer:
#: accept → en route, decline → available); on scene only from en route; off duty only once clear of any alert
#: (available or busy). Station chiefs and dispatchers make any change of :data:`NEXT_STATUS` but to dispatched.
CREW_NEXT_STATUS: dict[str, frozenset[str]] = {
    S.AVAILABLE: frozenset({S.BUSY, S.OFF_DUTY}),
    S.DISPATCHED: frozenset(),
    S.EN_ROUTE: frozenset({S.ON_SCENE, S.AVAILABLE}),
    S.ON_SCENE: frozenset({S.AVAILABLE, S.BUSY}),
    S.BUSY: frozenset({S.AVAILABLE, S.OFF_DUTY}),
    S.OFF_DUTY: frozenset({S.AVAILABLE}),
}

DEFAULT_ANSWER_S = 60
MAX_POSITION_SKEW = dt.timedelta(minutes=5)


def _deny(what: str) -> PermissionDenied:
    return PermissionDenied(f"your role may not {what}", message_id="dispatch_not_allowed", params={"what": what})


def area_error(e: area.BadArea) -> DomainError:
    """The domain error of an operation area that is not a simple polygon, with a message id per reason so
    that a page says what is wrong and how to write it (core.error_messages); ``bad_area`` for the API."""
    where = f"bad area: {e}"
    if e.reason == "not_a_pair":
        return DomainError(where, code="bad_area", message_id="area_not_a_pair", params={"text": e.params["text"]})
    if e.reason == "not_a_number":
        return DomainError(where, code="bad_area", message_id="area_not_a_number", params={"text": e.params["text"]})
    if e.reason == "bad_crs":
        return DomainError(where, code="bad_area", message_id="area_bad_crs", params={"crs": e.params["crs"]})
    if e.reason in ("bad_point", "out_of_range"):
        return DomainError(where, code="bad_area", message_id="area_bad_point", params={"point": e.params["point"]})
    if e.reason == "not_simple" and e.params.get("where"):
        return DomainError(where, code="bad_area", message_id="area_edges_cross", params={"where": e.params["where"]})
    if e.reason == "flat":
        return DomainError(where, code="bad_area", message_id="area_flat", params={})
    return DomainError(where, code="bad_area", message_id="area_too_few_points", params={})


def _require(actor: User | None, roles: Iterable[str], what: str) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in set(roles):
        raise _deny(what)


def _managed_unit(actor: User, unit: OrgUnit, what: str) -> None:
    if not can_manage_unit(actor, unit):
        raise _deny(what)


# --------------------------------------------------------------------------------------------- rosters


@transaction.atomic
def shift_create(
    *,
    actor: User | None,
    unit: OrgUnit,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    users: Iterable[User] = (),
    crews: Iterable[tuple[PatrolUnit, Iterable[User]]] = (),
    name_en: str = "",
) -> Shift:
    """A shift of ``unit`` with officers (``users``) and patrol units with their crews; ``name_en``: its English
    name, if it has one (pages in English show it, ``Shift.label``). Station chiefs
    roster their station's subtree, dispatchers the city (``actor=None``: the system, e.g. the demo).
    Raises ``DomainError`` ``bad_roster_shift`` (not aware, end not after start, longer than 24 h), and
    ``PermissionDenied`` outside the actor's line or for a unit or officer of another line."""
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "roster shifts")
        _managed_unit(actor, unit, "roster shifts")
    if (
        starts_at.tzinfo is None
        or ends_at.tzinfo is None
        or ends_at <= starts_at
        or ends_at - starts_at > dt.timedelta(hours=24)
    ):
        raise DomainError(
            "a shift needs aware times and ends after it starts, within 24 hours", code="bad_roster_shift", params={}
        )
    # typed by an officer: no control or text-direction character (pingan.lib.textchars, issue 11)
    name = outside_text(name, field="shift name", field_zh="班次名称")
    name_en = outside_text(name_en, field="English shift name", field_zh="班次英文名称")
    shift = Shift.objects.create(
        unit=unit, name=name.strip()[:60] or "shift", name_en=name_en.strip()[:60], starts_at=starts_at,
        ends_at=ends_at, created_by=actor,
    )
    rows = [ShiftAssignment(shift=shift, user=u) for u in users]
    for pu, crew in crews:
        crew = list(crew)
        if not pu.unit.path.startswith(unit.path):
            raise _deny("roster another station's patrol units")
        rows += [ShiftAssignment(shift=shift, patrol_unit=pu, user=u) for u in crew] or [
            ShiftAssignment(shift=shift, patrol_unit=pu)
        ]
    for r in rows:
        if r.user is not None and (r.user.unit_id is None or not r.user.unit.path.startswith(unit.path)):
            raise _deny("roster officers of another station")
    ShiftAssignment.objects.bulk_create(rows)
    audit.record(
        actor,
        "shift_create",
        "Shift",
        shift.pk,
        detail={
            "unit": unit.code,
            "starts_at": starts_at.isoformat(),
            "ends_at": ends_at.isoformat(),
            "people": sorted({r.user_id for r in rows if r.user_id}),
            "patrol_units": sorted({r.patrol_unit_id for r in rows if r.patrol_unit_id}),
        },
    )
    return shift


@transaction.atomic
def patrol_unit_create(*, actor: User | None, code: str, kind: str, unit: OrgUnit,
                       base: tuple[float, float] | None = None, crs: str = "wgs84") -> PatrolUnit:
    """Register a patrol unit of ``unit`` (off duty until it reports available); ``base`` ``(lon, lat)`` in
    ``crs`` is where it is taken to be without an AVL fix (its station or parking place). Raises
    ``DomainError`` ``bad_patrol_unit`` (unknown kind, empty or taken call sign), ``bad_position``."""
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "register patrol units")
        _managed_unit(actor, unit, "register patrol units")
    code = outside_text(code, field="call sign", field_zh="呼号").strip()
    if kind not in PatrolUnit.Kind.values or not code or PatrolUnit.objects.filter(code=code).exists():
        raise DomainError(f"bad patrol unit {code!r} ({kind})", code="bad_patrol_unit", params={"code": code})
    blon, blat = _base_point(base, crs) if base is not None else (None, None)
    pu = PatrolUnit.objects.create(code=code[:32], kind=kind, unit=unit, status=S.OFF_DUTY, status_since=timezone.now(),
                                   base_lon=blon, base_lat=blat)
    audit.record(actor, "patrol_unit_create", "PatrolUnit", pu.pk, detail={"code": pu.code, "kind": kind})
    return pu


def _base_point(base: tuple[float, float], crs: str) -> tuple[float, float]:
    try:
        lon, lat = float(base[0]), float(base[1])
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise ValueError("out of range")
        return coords.to_wgs84(lon, lat, crs)
    except (TypeError, ValueError, IndexError) as exc:
        raise DomainError(f"not a usable position: {exc}", code="bad_position", params={}) from None


@transaction.atomic
def patrol_unit_base_set(*, actor: User | None, patrol_unit_id: int, lon: float, lat: float,
                         crs: str = "wgs84") -> PatrolUnit:
    """Set a unit's base (station or parking place, WGS-84 after conversion): where the nearest-unit query
    takes it to be without a usable AVL fix. Station chiefs (their line) and dispatchers; audited
    ``patrol_unit_base``. Raises ``bad_position``, ``NotFound``, ``PermissionDenied``."""
    pu = PatrolUnit.objects.select_for_update().filter(pk=patrol_unit_id).select_related("unit").first()
    if pu is None:
        raise NotFound("no such patrol unit")
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "set a unit's base")
        _managed_unit(actor, pu.unit, "set a unit's base")
    pu.base_lon, pu.base_lat = _base_point((lon, lat), crs)
    pu.save(update_fields=["base_lon", "base_lat"])
    audit.record(actor, "patrol_unit_base", "PatrolUnit", pu.pk, detail={"lon": pu.base_lon, "lat": pu.base_lat})
    return pu


def crew_units(user: User, at: dt.datetime) -> list[PatrolUnit]:
    """The patrol units ``user`` crews on a shift at ``at``."""
    return list(PatrolUnit.objects.filter(pk__in=crewed_units(user, at)).select_related("unit"))


def crew_of(patrol_unit: PatrolUnit, at: dt.datetime) -> list[User]:
    """The officers crewing ``patrol_unit`` on a shift at ``at``."""
    ids = active_assignments(at).filter(patrol_unit=patrol_unit, user__isnull=False).values("user")
    return list(User.objects.filter(pk__in=ids, is_active=True))


def _crews(actor: User | None, pu: PatrolUnit, now: dt.datetime) -> bool:
    """Whether ``actor`` is an officer crewing ``pu`` on a shift at ``now``."""
    return actor is not None and actor.role == Role.OFFICER and any(u.pk == actor.pk for u in crew_of(pu, now))


def _may_operate(actor: User | None, pu: PatrolUnit, now: dt.datetime) -> bool:
    """The system, the unit's crew on shift, its station's chiefs, and dispatchers of its city."""
    if actor is None:
        return True
    if actor.role == Role.OFFICER:
        return _crews(actor, pu, now)
    return actor.role in (Role.STATION_CHIEF, Role.DISPATCHER) and can_manage_unit(actor, pu.unit)


def _patrol_unit_for_update(actor: User | None, patrol_unit_id: int, now: dt.datetime, what: str) -> PatrolUnit:
    pu = PatrolUnit.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=patrol_unit_id).first()
    if pu is None:
        raise NotFound(f"patrol unit {patrol_unit_id} not found")
    if not _may_operate(actor, pu, now):
        if actor is not None and actor.role == Role.OFFICER:
            raise NotFound(f"patrol unit {patrol_unit_id} not found")
        raise _deny(what)
    return pu


# ------------------------------------------------------------------------------------------ CAD status


def _status_change(
    pu: PatrolUnit, to: str, *, actor: User | None, now: dt.datetime, alert: Alert | None = None, reason: str = ""
) -> StatusChange:
    change = StatusChange.objects.create(
        patrol_unit=pu, at=now, from_status=pu.status, to_status=to, actor=actor, alert=alert, reason=reason
    )
    left = pu.current_alert_id if to in (S.AVAILABLE, S.OFF_DUTY) else None
    pu.status, pu.status_since = to, now
    if to in (S.AVAILABLE, S.OFF_DUTY):
        pu.current_alert = None
    elif alert is not None:
        pu.current_alert = alert
    pu.save(update_fields=["status", "status_since", "current_alert"])
    audit.record(
        actor,
        "unit_status",
        "PatrolUnit",
        pu.pk,
        detail={"from": change.from_status, "to": to, "alert": alert.pk if alert else None, "reason": reason},
    )
    if left is not None:
        _tell_crew_left(pu, left, now=now, reason=reason)
    return change


#: Why an alert left a unit, as the crew's ``left`` item says it (``reason``): the offer declined (by one of
#: the crew: the others' terminals still show it) or not answered in time, the crew clearing itself, a chief
#: or dispatcher standing the unit down (``stood_down``), the alert given to other units (``reassigned``), a
#: drone landed.
LEFT_REASONS = {"declined": "declined", "offer_expired": "expired", "landed": "landed", "reassigned": "reassigned",
                "stood_down": "stood_down"}


def _crew_items(pu: PatrolUnit, now: dt.datetime, kind: str, alert: Alert, payload,
                crew: list[User] | None = None) -> list[tuple]:
    """Feed items addressed to the crew of ``pu`` on shift now: one per duty unit their terminals stream
    (``for_users``: only they get it, back-fill included); ``payload(user_ids)`` makes each item's payload."""
    by_unit: dict[int, list[User]] = {}
    for u in crew_of(pu, now) if crew is None else crew:
        duty_unit = _duty_unit_id(u, now)
        if duty_unit is not None:
            by_unit.setdefault(duty_unit, []).append(u)
    return [(OrgUnit(pk=unit_id), sorted({u.role for u in users}), kind, alert, payload([u.pk for u in users]))
            for unit_id, users in by_unit.items()]


def _tell_crew_left(pu: PatrolUnit, alert_id: int, *, now: dt.datetime, reason: str) -> None:
    """Every change that takes an alert off a unit reaches its crew's live stream as one item of kind ``left``
    (issue 11: a crew whose alert was given to another unit was not told, and its terminal kept showing the
    job). In the change's transaction and the feed's order, so it arrives once, after what came before, and
    again after a reconnect with ``Last-Event-ID`` like every item. ``reason``: :data:`LEFT_REASONS` (a chief or
    dispatcher taking the unit off an open alert is ``stood_down``: :func:`unit_status_set` decides it), else
    ``cleared`` (one of the crew made the change, or the alert is closed)."""
    alert = Alert.objects.select_related("unit", "device", "owner").filter(pk=alert_id).first()
    if alert is None:
        return
    a = Assignment.objects.filter(patrol_unit=pu, alert=alert).order_by("-id").first()
    why = LEFT_REASONS.get(reason, "cleared")
    place, place_en = _in("zh-hans", alert_text.place, alert), _in("en", alert_text.place, alert)
    alert_services.feed_append_many(_crew_items(pu, now, "left", alert, lambda users: {
        "assignment": a.pk if a else None,
        "state": a.state if a else "",
        "unit": pu.code,
        "status": pu.status,
        "reason": why,
        "alert": alert_services.alert_payload(alert, place=place, place_en=place_en),
        "for_users": users,
    }), now=now)


def next_statuses(actor: User | None, pu: PatrolUnit) -> list[str]:
    """The statuses ``actor`` may set ``pu`` to now, the next step of a call first (en route, on scene,
    available, busy, off duty): what the terminal offers as buttons. The caller has checked that ``actor``
    may operate the unit."""
    allowed = CREW_NEXT_STATUS if actor is not None and actor.role == Role.OFFICER else NEXT_STATUS
    return [s for s in (S.EN_ROUTE, S.ON_SCENE, S.AVAILABLE, S.BUSY, S.OFF_DUTY) if s in allowed[pu.status]]


def _check_status_change(actor: User | None, pu: PatrolUnit, to: str) -> None:
    """Raise when ``actor`` may not move ``pu`` to ``to``: ``Conflict`` ``bad_unit_status`` for a change CAD
    does not allow or one to *dispatched* (message ids ``unit_status_by_assignment``), ``PermissionDenied``
    ``crew_status_not_allowed`` for one CAD allows but the crew does not make (``crew_answer_offer`` while an
    offer waits for its answer)."""
    if to not in S.values or to not in NEXT_STATUS[pu.status]:
        raise Conflict(
            f"unit {pu.code} cannot go from {pu.status} to {to}",
            code="bad_unit_status",
            params={"unit": pu.code, "from": S(pu.status), "to": S(to) if to in S.values else to},
        )
    if to == S.DISPATCHED and actor is not None:
        raise Conflict(
            f"unit {pu.code}: only an assignment to an alert makes a unit dispatched",
            code="bad_unit_status",
            message_id="unit_status_by_assignment",
            params={"unit": pu.code},
        )
    if actor is not None and actor.role == Role.OFFICER and to not in CREW_NEXT_STATUS[pu.status]:
        extra = {"allowed": sorted(CREW_NEXT_STATUS[pu.status])}
        if pu.status == S.DISPATCHED:
            raise PermissionDenied(
                f"unit {pu.code} has an offer waiting for its crew's answer: accept or decline it",
                code="crew_status_not_allowed",
                message_id="crew_answer_offer",
                params={"unit": pu.code},
                extra=extra,
            )
        raise PermissionDenied(
            f"the crew of {pu.code} may not change it from {pu.status} to {to}: a station chief or the command "
            "centre may",
            code="crew_status_not_allowed",
            params={"unit": pu.code, "from": S(pu.status), "to": S(to)},
            extra=extra,
        )


@transaction.atomic
def unit_status_set(
    *, actor: User | None, patrol_unit_id: int, to: str, now: dt.datetime | None = None
) -> StatusChange:
    """Change a unit's CAD status (the crew on its terminal, a chief or a dispatcher). On scene records the
    arrival on its accepted assignment (and moves the alert on scene when the actor owns it or crews the unit);
    available or off duty ends it. The crew makes only the changes of :data:`CREW_NEXT_STATUS`; nobody but an
    assignment makes a unit dispatched. Raises ``Conflict`` ``bad_unit_status``, ``PermissionDenied``
    (``crew_status_not_allowed``, or the role may not), ``NotFound``."""
    now = now or timezone.now()
    pu = _patrol_unit_for_update(actor, patrol_unit_id, now, "change unit status")
    _check_status_change(actor, pu, to)
    alert = pu.current_alert
    if to == S.ON_SCENE:
        a = Assignment.objects.filter(patrol_unit=pu, state=Assignment.State.ACCEPTED, arrived_at__isnull=True).first()
        if a is not None:
            a.arrived_at = now
            a.save(update_fields=["arrived_at"])
            alert = a.alert
            if (  # the owner, or an officer of the crew (dispatched there: ``alerts.responders``)
                actor is not None
                and (alert.owner_id == actor.pk or actor.role == Role.OFFICER)
                and alert.open
                and alert.state in (Alert.State.ACKNOWLEDGED, Alert.State.EN_ROUTE)
            ):
                alert_services.alert_transition(actor=actor, alert_id=alert.pk, to=Alert.State.ON_SCENE)
    if to in (S.AVAILABLE, S.OFF_DUTY) and alert is not None and alert.open and not _crews(actor, pu, now):
        # a chief or dispatcher takes the unit off its open alert: its open offer is withdrawn (no later accept),
        # the alert's timeline says so, and the crew is told on its stream (``_status_change``); after the alert
        # closed it is the job's normal end, not a stand-down
        Assignment.objects.filter(patrol_unit=pu, alert=alert, state=Assignment.State.OFFERED).update(
            state=Assignment.State.CANCELLED)
        AlertTransition.objects.create(alert=alert, at=now, actor=actor, action="stood_down",
                                       detail={"unit": pu.code})
        change = _status_change(pu, to, actor=actor, now=now, alert=alert, reason="stood_down")
        _escalate_if_unanswered(alert, now=now)  # no unit left on a new alert: as after a decline
        return change
    return _status_change(pu, to, actor=actor, now=now, alert=alert)


# ----------------------------------------------------------------------------------------------- AVL


@transaction.atomic
def position_report(
    *,
    actor: User | None,
    patrol_unit_id: int,
    lon: float,
    lat: float,
    crs: str = "wgs84",
    at: dt.datetime | None = None,
    source: str = "api",
    accuracy_m: float | None = None,
    battery_pct: float | None = None,
) -> Position:
    """Store an AVL position in WGS-84 (GCJ-02/BD-09 converted with ``lib.coords``, as the alerts app does)
    and make it the unit's last position if it is the newest. ``actor=None``: a vehicle or drone over MQTT
    (authenticated by the broker). Raises ``DomainError`` ``bad_position`` (not a position, unknown datum,
    time more than 5 minutes ahead), ``NotFound``/``PermissionDenied``."""
    now = timezone.now()
    at = at or now
    try:
        lon, lat = float(lon), float(lat)
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or at.tzinfo is None or at > now + MAX_POSITION_SKEW:
            raise ValueError("out of range or time")
        wlon, wlat = coords.to_wgs84(lon, lat, crs)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"not a usable position: {exc}", code="bad_position", params={}) from None
    pu = _patrol_unit_for_update(actor, patrol_unit_id, now, "report positions")
    pos = Position.objects.create(
        patrol_unit=pu,
        at=at,
        lon=wlon,
        lat=wlat,
        crs_reported=str(crs).lower()[:10],
        accuracy_m=accuracy_m,
        source=source[:10],
        battery_pct=battery_pct,
    )
    if pu.position_at is None or at >= pu.position_at:
        pu.lon, pu.lat, pu.position_at = wlon, wlat, at
        pu.save(update_fields=["lon", "lat", "position_at"])
    if battery_pct is not None and pu.kind == PatrolUnit.Kind.DRONE:
        Drone.objects.filter(patrol_unit=pu).update(battery_pct=max(0.0, min(100.0, float(battery_pct))))
    return pos


def positions_ingest(
    rows: list[tuple[str, float, float, str, dt.datetime, float | None]], *, source: str = "mqtt"
) -> int:
    """Bulk AVL from vehicles and drones: ``(call sign, lon, lat, crs, at, battery or None)``; unknown call
    signs and unusable positions are skipped (the caller counts the difference). One insert and one update
    statement per batch (PostgreSQL). Returns the number stored."""
    units = {
        c: (pk, kind)
        for c, pk, kind in PatrolUnit.objects.filter(code__in={r[0] for r in rows}).values_list("code", "pk", "kind")
    }
    now = timezone.now()
    out: list[Position] = []
    latest: dict[int, Position] = {}
    drones: set[int] = set()
    for code, lon, lat, crs, at, battery in rows:
        if code not in units or at.tzinfo is None or at > now + MAX_POSITION_SKEW:
            continue
        try:
            wlon, wlat = coords.to_wgs84(float(lon), float(lat), crs)
        except (TypeError, ValueError):
            continue
        pid, kind = units[code]
        p = Position(
            patrol_unit_id=pid, at=at, lon=wlon, lat=wlat, crs_reported=crs, source=source, battery_pct=battery
        )
        out.append(p)
        if kind == PatrolUnit.Kind.DRONE and battery is not None:
            drones.add(pid)
        if pid not in latest or at >= latest[pid].at:
            latest[pid] = p
    with transaction.atomic():
        Position.objects.bulk_create(out)
        if latest and connection.vendor == "postgresql":
            ids, lons, lats, ats = zip(*((pid, p.lon, p.lat, p.at) for pid, p in latest.items()), strict=True)
            with connection.cursor() as cur:
                cur.execute(
                    "UPDATE dispatch_patrolunit AS u SET lon = v.lon, lat = v.lat, position_at = v.at "
                    "FROM unnest(%s::bigint[], %s::float8[], %s::float8[], %s::timestamptz[]) AS v(id, lon, lat, at) "
                    "WHERE u.id = v.id AND (u.position_at IS NULL OR u.position_at <= v.at)",
                    [list(ids), list(lons), list(lats), list(ats)],
                )
        else:
            for pid, p in latest.items():
                PatrolUnit.objects.filter(pk=pid).update(lon=p.lon, lat=p.lat, position_at=p.at)
        for pid in drones:
            b = latest[pid].battery_pct
            if b is not None:
                Drone.objects.filter(patrol_unit_id=pid).update(battery_pct=max(0.0, min(100.0, float(b))))
    return len(out)


# ------------------------------------------------------------------------------------------- dispatch


#: Where the nearest-unit query reads the units: ``db`` (a box query on the (status, lat, lon) index) or
#: ``index`` (the in-process grid, ``dispatch.live_index``). Both give the same answer (tested);
#: bench/dispatch_bench.py measures both side by side: the index was no cheaper (docs/dispatch.md), so the
#: simpler one is the default.
NEAREST_SOURCE = "db"


def _box_rows_db(base, *, lat, lon, dlat, dlon):
    return list(base.filter(lat__gte=lat - dlat, lat__lte=lat + dlat, lon__gte=lon - dlon, lon__lte=lon + dlon)
                .values_list("pk", "code", "kind", "lon", "lat", "drone__cruise_mps"))


def candidates(*, alert: Alert, now: dt.datetime | None = None, kinds: tuple[str, ...] | None = None,
               limit: int = 5, model: nearest.TravelModel | None = None,
               source: str | None = None) -> list[nearest.Candidate]:
    """The nearest available suitable units for ``alert`` by estimated travel time (``dispatch.nearest``):
    status available, on a shift now; where they are from a fresh AVL fix, else their last known position or
    their base, with the ETA's range (ranked by its later end). Empty when the alert has no position.
    ``source``: ``index`` or ``db`` (default ``NEAREST_SOURCE``).

    Reads only the units in a box around the alert, widening it (2, 6, 20 km, then the kinds' limit) until
    the ``limit``-th best ETA found is no later than the earliest ETA any unit outside the box could have —
    so the answer is the same as over all units, from a few dozen rows instead of a city's."""
    if alert.lon is None or alert.lat is None:
        return []
    now = now or timezone.now()
    model = model or nearest.travel_model()
    kinds = kinds or model.kinds_for(alert.rule_id)
    source = source or NEAREST_SOURCE
    fresh_after = now - model.max_position_age
    if source == "db":
        on_shift = active_assignments(now).filter(patrol_unit__isnull=False).values("patrol_unit")
        base = PatrolUnit.objects.filter(status=S.AVAILABLE, kind__in=kinds, position_at__gte=fresh_after,
                                         pk__in=on_shift).order_by()

        def box(dlat, dlon):
            return _box_rows_db(base, lat=alert.lat, lon=alert.lon, dlat=dlat, dlon=dlon)
    elif source == "index":
        from pingan.dispatch.live_index import INDEX

        INDEX.refresh(now)

        def box(dlat, dlon):
            return INDEX.units_in_box(fresh_after=fresh_after, kinds=kinds, min_lon=alert.lon - dlon,
                                      min_lat=alert.lat - dlat, max_lon=alert.lon + dlon, max_lat=alert.lat + dlat)
    else:
        raise ValueError(f"unknown nearest-unit source {source!r}")
    reach = max(model.kinds[k].max_distance_m for k in kinds)
    # the fastest a unit can close a straight-line distance: metres of straight line per second
    fastest = max(model.kinds[k].speed_mps / model.kinds[k].road_factor for k in kinds)
    if PatrolUnit.Kind.DRONE in kinds:
        fastest = max(fastest, 100.0)  # a drone's registered cruise speed may be up to 100 m/s
    coslat = max(math.cos(math.radians(alert.lat)), 0.01)
    got: list[nearest.Candidate] = []
    for radius in (2_000.0, 6_000.0, 20_000.0, reach):
        r = min(radius, reach)
        rows = box(r / 110_500, r / (110_500 * coslat))
        got = nearest.rank(model, lon=alert.lon, lat=alert.lat, units=rows, kinds=kinds, limit=limit)
        if r >= reach or (len(got) >= limit and got[-1].eta_s <= r / fastest):
            break
    fixes = dict(PatrolUnit.objects.filter(pk__in=[c.unit_id for c in got]).values_list("pk", "position_at"))
    got = [dataclasses.replace(c, position_age_s=_age_s(now, fixes.get(c.unit_id))) for c in got]
    # A unit without a fresh fix arrives at the latest no sooner than its patrol radius × road factor / speed
    # (d + r ≥ r): when the fresh units found already all beat that, none of them can rank, and their query is
    # not needed (the usual case in a city with AVL running).
    floors = [t.patrol_radius_m * t.road_factor / t.speed_mps for t in (model.kinds[k] for k in kinds)
              if t.patrol_radius_m > 0]
    if not floors or (len(got) >= limit and got[-1].eta_s < min(floors)):
        return got
    return nearest.merge(got, _uncertain_candidates(alert=alert, now=now, kinds=kinds, model=model, limit=limit),
                         limit=limit)


def unit_estimate(pu: PatrolUnit, alert: Alert, now: dt.datetime,
                  model: nearest.TravelModel | None = None) -> nearest.Candidate | None:
    """One unit's travel estimate to ``alert`` as the candidates list makes it — from a fresh fix exactly; else
    from its last known position or its base, with the ETA's range — so that the assignment says what the
    console's candidate said. ``None`` when there is nothing to estimate from (no alert position, no usable
    position or base, a drone without a fresh fix, a base or last position beyond the kind's reach)."""
    if alert.lon is None or alert.lat is None:
        return None
    model = model or nearest.travel_model()
    if pu.kind not in model.kinds:
        return None
    if pu.lon is not None and pu.lat is not None and pu.position_at and pu.position_at >= now - model.max_position_age:
        speed = getattr(getattr(pu, "drone", None), "cruise_mps", None) if pu.kind == PatrolUnit.Kind.DRONE else None
        straight = coords.distance_m(pu.lon, pu.lat, alert.lon, alert.lat)
        road, eta = nearest.estimate(model, pu.kind, straight, speed)
        return nearest.Candidate(pu.pk, pu.code, pu.kind, straight, road, eta, "avl", _age_s(now, pu.position_at),
                                 eta_min_s=eta, eta_max_s=eta)
    if pu.lon is not None and pu.lat is not None and pu.position_at \
            and pu.position_at >= now - model.last_known_max_age:
        where = (pu.lon, pu.lat, "last_known", _age_s(now, pu.position_at))
    elif pu.base_lon is not None and pu.base_lat is not None:
        where = (pu.base_lon, pu.base_lat, "base", None)
    else:
        return None
    got = nearest.rank_uncertain(model, lon=alert.lon, lat=alert.lat, units=[(pu.pk, pu.code, pu.kind, *where)],
                                 kinds=(pu.kind,), limit=1)
    return got[0] if got else None


def _age_s(now: dt.datetime, at: dt.datetime | None) -> float | None:
    return max(0.0, (now - at).total_seconds()) if at is not None else None


def _uncertain_candidates(*, alert: Alert, now: dt.datetime, kinds: tuple[str, ...], model: nearest.TravelModel,
                          limit: int) -> list[nearest.Candidate]:
    """Available units on a shift now without a fresh fix (terminal closed, no AVL yet): from their last
    known position while it is no older than ``last_known_max_age``, else from their base (station); ranked
    with their uncertainty (``nearest.rank_uncertain``). Units with neither are not proposed. Usually a few
    rows: units with a fresh fix are excluded by the query."""
    fresh_after = now - model.max_position_age
    known_after = now - model.last_known_max_age
    on_shift = active_assignments(now).filter(patrol_unit__isnull=False).values("patrol_unit")
    rows = (PatrolUnit.objects.filter(status=S.AVAILABLE, kind__in=kinds, pk__in=on_shift)
            .filter(Q(position_at__isnull=True) | Q(position_at__lt=fresh_after))
            .values_list("pk", "code", "kind", "lon", "lat", "position_at", "base_lon", "base_lat").order_by())
    units = []
    for pk, code, kind, lon, lat, at, blon, blat in rows:
        if at is not None and at >= known_after and lon is not None and lat is not None:
            units.append((pk, code, kind, lon, lat, "last_known", _age_s(now, at)))
        elif blon is not None and blat is not None:
            units.append((pk, code, kind, blon, blat, "base", None))
    return nearest.rank_uncertain(model, lon=alert.lon, lat=alert.lat, units=units, kinds=kinds, limit=limit)


def _in(language: str, fn, *args):
    from django.utils import translation

    with translation.override(language):
        return fn(*args)


def _assignment_payload(a: Assignment, for_users: list[int]) -> dict:
    return {
        "assignment": a.pk,
        "state": a.state,
        "unit": a.patrol_unit.code,
        "answer_by": a.answer_by.isoformat(),
        "distance_m": round(a.distance_m) if a.distance_m is not None else None,
        "eta_s": round(a.eta_s) if a.eta_s is not None else None,
        "eta_min_s": round(a.eta_min_s) if a.eta_min_s is not None else None,
        "eta_max_s": round(a.eta_max_s) if a.eta_max_s is not None else None,
        # the place (device's name, responsible unit) is data, not text: the terminal names the alert with it
        # both languages' (device and unit names): pushed without a viewer, the terminal's script picks its page's
        "alert": alert_services.alert_payload(a.alert, place=_in("zh-hans", alert_text.place, a.alert),
                                              place_en=_in("en", alert_text.place, a.alert)),
        "for_users": for_users,
    }


@transaction.atomic
def dispatch_assign(
    *,
    actor: User,
    alert_id: int,
    patrol_unit_ids: list[int],
    answer_within_s: int = DEFAULT_ANSWER_S,
    reassign: bool = False,
    now: dt.datetime | None = None,
) -> list[Assignment]:
    """A dispatcher (or the station chief of the alert's line) sends units to an alert: each becomes an
    offered :class:`Assignment` with a deadline, the unit goes to *dispatched*, and the crew on shift gets
    the assignment on their terminal's live stream (the alerts stream, item kind ``assignment``). Raises
    ``DomainError`` ``unit_unavailable`` (not available or nobody crews it), ``bad_assignment`` (no units,
    deadline outside 10-600 s, the alert is closed), ``NotFound``.

    ``reassign``: the alert is taken off the units now on it first (an open offer withdrawn, a unit on its way
    or on scene made available; timeline ``stood_down`` with ``reason: reassigned``), and each of their crews
    is told on its stream (item ``left``, reason ``reassigned``)."""
    _require(actor, (Role.DISPATCHER, Role.STATION_CHIEF), "dispatch units")
    now = now or timezone.now()
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("unit", "device", "owner")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or (alert.unit is not None and not can_manage_unit(actor, alert.unit)):
        raise NotFound(f"alert {alert_id} not found")
    if not patrol_unit_ids or not 10 <= answer_within_s <= 600 or not alert.open:
        raise DomainError(
            "an assignment needs units, an answer deadline of 10-600 s and an open alert",
            code="bad_assignment",
            params={},
        )
    if reassign:
        if blocked := reassign_blocked(actor, alert, keep=patrol_unit_ids, now=now):
            raise PermissionDenied(f"units {', '.join(blocked)} belong to another station: only the command centre "
                                   f"can take the alert off them", message_id="reassign_not_allowed",
                                   params={"units": blocked})
        _stand_down_others(actor, alert, keep=set(patrol_unit_ids), now=now)
    out = []
    feed = []
    for pid in dict.fromkeys(patrol_unit_ids):
        pu = _patrol_unit_for_update(actor, pid, now, "dispatch units")
        crew = crew_of(pu, now)
        if pu.status != S.AVAILABLE or not crew:
            raise Conflict(
                f"unit {pu.code} is {pu.status}" + ("" if crew else " and has no crew on shift"),
                code="unit_unavailable",
                params={"unit": pu.code, "status": pu.get_status_display()},
            )
        est = unit_estimate(pu, alert, now)
        a = Assignment.objects.create(
            alert=alert,
            patrol_unit=pu,
            dispatcher=actor,
            created_at=now,
            answer_by=now + dt.timedelta(seconds=answer_within_s),
            distance_m=est.straight_m if est else None,
            eta_s=est.eta_s if est else None,
            eta_min_s=est.eta_min_s if est else None,
            eta_max_s=est.eta_max_s if est else None,
        )
        _status_change(pu, S.DISPATCHED, actor=actor, now=now, alert=alert, reason="assigned")
        AlertTransition.objects.create(
            alert=alert, at=now, actor=actor, action="dispatched", detail={"unit": pu.code, "assignment": a.pk}
        )
        feed += _crew_items(pu, now, "assignment", alert, lambda users, a=a: _assignment_payload(a, users),
                            crew=crew)
        audit.record(
            actor,
            "dispatch_assign",
            "Assignment",
            a.pk,
            detail={"alert": alert.pk, "unit": pu.code, "answer_within_s": answer_within_s},
        )
        out.append(a)
    alert_services.feed_append_many(feed, now=now)
    return out


def dispatchable(actor: User | None, unit_ids, now: dt.datetime | None = None) -> set[int]:
    """The ids among ``unit_ids`` (patrol units) that ``actor`` may send (:func:`_may_operate`, the rule
    :func:`dispatch_assign` applies to each unit): the console offers only these (issue 11: a station chief was
    offered another station's units and the assignment answered 403)."""
    now = now or timezone.now()
    units = PatrolUnit.objects.select_related("unit").filter(pk__in=list(unit_ids))
    return {pu.pk for pu in units if _may_operate(actor, pu, now)}


def reassign_blocked(actor: User | None, alert: Alert, *, keep=(), now: dt.datetime | None = None) -> list[str]:
    """The call signs of the units on ``alert`` now (``models.LIVE_ASSIGNMENTS``, but those of ``keep``) that
    ``actor`` may not take it off (:func:`_may_operate`): a reassignment is refused while any is, and the console
    offers the Reassign choice only when none is — one rule for showing and doing (issue 11: a station chief was
    offered to reassign an alert another station's unit was on, and submitting answered 403)."""
    now = now or timezone.now()
    live = (Assignment.objects.filter(LIVE_ASSIGNMENTS, alert=alert).exclude(patrol_unit_id__in=list(keep))
            .select_related("patrol_unit__unit").order_by("id"))
    return [a.patrol_unit.code for a in live if not _may_operate(actor, a.patrol_unit, now)]


def _stand_down_others(actor: User, alert: Alert, *, keep: set[int], now: dt.datetime) -> None:
    """Take ``alert`` off every unit on it (a live offer, or an accepted assignment the unit is still on:
    ``models.LIVE_ASSIGNMENTS``, what the console's reassign choice names) but those of ``keep``: the
    reassignment's first half."""
    live = Assignment.objects.filter(LIVE_ASSIGNMENTS, alert=alert)
    for a in live.exclude(patrol_unit_id__in=keep).order_by("id"):
        pu = _patrol_unit_for_update(actor, a.patrol_unit_id, now, "dispatch units")
        if a.state == Assignment.State.OFFERED:
            a.state = Assignment.State.CANCELLED
            a.save(update_fields=["state"])
        AlertTransition.objects.create(alert=alert, at=now, actor=actor, action="stood_down",
                                       detail={"unit": pu.code, "assignment": a.pk, "reason": "reassigned"})
        if pu.current_alert_id == alert.pk:
            _status_change(pu, S.AVAILABLE, actor=actor, now=now, alert=alert, reason="reassigned")


def _duty_unit_id(user: User, now: dt.datetime) -> int | None:
    from pingan.alerts import duty

    unit = duty.roster().duty_unit(user, now)
    return unit.pk if unit else None


@transaction.atomic
def assignment_answer(*, actor: User, assignment_id: int, accept: bool, now: dt.datetime | None = None) -> Assignment:
    """The crew's answer on the terminal. Accept: the assignment is accepted, the unit *en route*, and the
    alert acknowledged by the officer (who owns it) and en route — which stops its escalation. Decline: the
    unit is available again. Raises ``DomainError`` ``assignment_closed`` (already answered or expired),
    ``NotFound`` (not the actor's unit)."""
    now = now or timezone.now()
    a = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("patrol_unit", "alert")
        .filter(pk=assignment_id)
        .first()
    )
    if a is None or actor is None or not any(u.pk == actor.pk for u in crew_of(a.patrol_unit, now)):
        raise NotFound(f"assignment {assignment_id} not found")
    if a.state != Assignment.State.OFFERED or now > a.answer_by:
        raise Conflict(
            f"assignment {assignment_id} is {a.state}", code="assignment_closed", params={"id": assignment_id}
        )
    pu = PatrolUnit.objects.select_for_update().get(pk=a.patrol_unit_id)
    a.state = Assignment.State.ACCEPTED if accept else Assignment.State.DECLINED
    a.answered_at, a.answered_by = now, actor
    a.save(update_fields=["state", "answered_at", "answered_by"])
    AlertTransition.objects.create(
        alert=a.alert,
        at=now,
        actor=actor,
        action="accepted" if accept else "declined",
        detail={"unit": pu.code, "assignment": a.pk},
    )
    audit.record(
        actor,
        "dispatch_accept" if accept else "dispatch_decline",
        "Assignment",
        a.pk,
        detail={"alert": a.alert_id, "unit": pu.code},
    )
    if accept:
        _status_change(pu, S.EN_ROUTE, actor=actor, now=now, alert=a.alert, reason="accepted")
        alert = a.alert
        if alert.open and alert.state == Alert.State.NEW:
            alert_services.alert_transition(actor=actor, alert_id=alert.pk, to=Alert.State.ACKNOWLEDGED)
            alert.refresh_from_db()
        if alert.open and alert.state == Alert.State.ACKNOWLEDGED and alert.owner_id == actor.pk:
            alert_services.alert_transition(actor=actor, alert_id=alert.pk, to=Alert.State.EN_ROUTE)
    else:
        if pu.status == S.DISPATCHED:
            _status_change(pu, S.AVAILABLE, actor=actor, now=now, reason="declined")
        _escalate_if_unanswered(a.alert, now=now)
    return a


def _escalate_if_unanswered(alert: Alert, *, now: dt.datetime, policy: alerting.Policy | None = None) -> bool:
    """When an alert still new has no offered or accepted assignment left, send the next step of its
    escalation chain now (the alerts app's policy), marked ``reason: dispatch_unanswered``. Returns whether a
    step went out."""
    alert = Alert.objects.select_for_update(of=("self",)).select_related("unit", "device", "owner").get(pk=alert.pk)
    live = alert.assignments.filter(state__in=[Assignment.State.OFFERED, Assignment.State.ACCEPTED]).exists()
    if live or not alert.open or alert.state != Alert.State.NEW:
        return False
    if policy is None:
        from pingan.alerts.worker import load_configured_policy

        policy = load_configured_policy()
    esc = policy.escalations[alert.priority]
    n = len(esc.steps)
    index = alert.escalations_sent
    if index >= n * (1 + esc.repeat):
        AlertTransition.objects.create(alert=alert, at=now, action="unanswered", detail={"chain": "exhausted"})
        return False
    step = esc.steps[index % n]
    target = alert_services._step_target(step, alert)
    if target is not None:
        alert_services.feed_append(
            unit=target,
            roles=step.roles,
            kind="escalation",
            alert=alert,
            payload=alert_services.alert_payload(alert, step=index + 1, reason="dispatch_unanswered"),
            now=now,
        )
    AlertTransition.objects.create(
        alert=alert,
        at=now,
        action="escalated",
        detail={
            "step": index + 1,
            "target": step.target,
            "unit": target.code if target else "",
            "roles": list(step.roles),
            "reason": "dispatch_unanswered",
        },
    )
    alert.escalations_sent = index + 1
    alert.notified_at = alert.notified_at or now
    alert.next_escalation_at = alerting.next_due(esc, raised_at=alert.notified_at, sent=alert.escalations_sent)
    alert.save(update_fields=["escalations_sent", "notified_at", "next_escalation_at"])
    audit.record(None, "dispatch_escalate", "Alert", alert.pk, detail={"step": index + 1, "target": step.target})
    return True


@transaction.atomic
def assignments_expire(*, now: dt.datetime | None = None, policy: alerting.Policy | None = None) -> int:
    """Offers not answered by their deadline expire: the unit is available again, and an alert left without
    any live assignment escalates at once through the alerts policy. Run every second by ``pingan dispatch
    worker`` (and ``pingan serve``). Returns the number expired."""
    now = now or timezone.now()
    expired = list(
        Assignment.objects.select_for_update(of=("self",))
        .select_related("patrol_unit", "alert")
        .filter(state=Assignment.State.OFFERED, answer_by__lt=now)
        .order_by("id")
    )
    alerts: dict[int, Alert] = {}
    for a in expired:
        a.state = Assignment.State.EXPIRED
        a.save(update_fields=["state"])
        pu = PatrolUnit.objects.select_for_update().get(pk=a.patrol_unit_id)
        if pu.status == S.DISPATCHED and pu.current_alert_id == a.alert_id:
            _status_change(pu, S.AVAILABLE, actor=None, now=now, reason="offer_expired")
        AlertTransition.objects.create(
            alert=a.alert, at=now, action="unanswered", detail={"unit": pu.code, "assignment": a.pk}
        )
        alerts[a.alert_id] = a.alert
    for alert in alerts.values():
        _escalate_if_unanswered(alert, now=now, policy=policy)
    return len(expired)


# --------------------------------------------------------------------------------------------- drones


@transaction.atomic
def drone_register(
    *, actor: User | None, code: str, unit: OrgUnit, model: str, serial: str, max_flight_min: float, cruise_mps: float
) -> Drone:
    """A drone of the squadron with its patrol unit (kind drone). Raises ``DomainError`` ``bad_drone``,
    ``control_character`` (a control or text-direction character in the model or serial)."""
    model = outside_text(model, field="drone model", field_zh="无人机型号")
    serial = outside_text(serial, field="serial number", field_zh="序列号")
    if not (model.strip() and serial.strip() and 1 <= max_flight_min <= 600 and 1 <= cruise_mps <= 100):
        raise DomainError(
            "a drone needs a model, a serial, 1-600 min of flight and 1-100 m/s cruise speed",
            code="bad_drone",
            params={},
        )
    if Drone.objects.filter(serial=serial.strip()).exists():
        raise DomainError(f"drone {serial} is registered already", code="bad_drone", params={})
    pu = patrol_unit_create(actor=actor, code=code, kind=PatrolUnit.Kind.DRONE, unit=unit)
    drone = Drone.objects.create(
        patrol_unit=pu,
        model=model.strip()[:80],
        serial=serial.strip()[:64],
        max_flight_min=max_flight_min,
        cruise_mps=cruise_mps,
    )
    audit.record(actor, "drone_register", "Drone", drone.pk, detail={"serial": drone.serial, "code": pu.code})
    return drone


@transaction.atomic
def drone_dispatch(
    *,
    actor: User,
    drone_id: int,
    lon: float,
    lat: float,
    alert_id: int | None = None,
    crs: str = "wgs84",
    now: dt.datetime | None = None,
    zones: tuple[figures.NoFlyZone, ...] | None = None,
) -> DroneMission:
    """Send a ready drone to a position (an alert's, or given): refused when the destination is inside a
    no-fly zone (``drone_no_fly``) or the round trip with 5 minutes over the scene does not fit in the battery
    above the 20 % reserve (``drone_out_of_range``), or when the drone is not ready / has no position
    (``drone_not_ready``). Starts a mission (flight log) and puts the unit en route."""
    _require(actor, (Role.DISPATCHER, Role.STATION_CHIEF), "dispatch drones")
    now = now or timezone.now()
    drone = (
        Drone.objects.select_for_update(of=("self",)).select_related("patrol_unit__unit").filter(pk=drone_id).first()
    )
    if drone is None or not can_manage_unit(actor, drone.patrol_unit.unit):
        raise NotFound(f"drone {drone_id} not found")
    pu = drone.patrol_unit
    alert = None
    if alert_id is not None:
        alert = Alert.objects.filter(pk=alert_id).first()
        if alert is None or alert.lon is None:
            raise NotFound(f"alert {alert_id} not found or without a position")
        lon, lat = alert.lon, alert.lat
    else:
        try:
            lon, lat = coords.to_wgs84(float(lon), float(lat), crs)
        except (TypeError, ValueError):
            raise DomainError("not a usable position", code="bad_position", params={}) from None
    if drone.drone_status != Drone.DroneStatus.READY or pu.lon is None or pu.status not in (S.AVAILABLE,):
        raise Conflict(
            f"drone {pu.code} is {drone.drone_status}/{pu.status} or has no position",
            code="drone_not_ready",
            params={"unit": pu.code},
        )
    zone = figures.no_fly_zone_at(lon, lat, zones if zones is not None else figures.no_fly_zones())
    if zone is not None:
        audit.record(actor, "drone_refused", "Drone", drone.pk, detail={"reason": "no_fly", "zone": zone.id})
        raise DomainError(f"the destination lies in no-fly zone {zone.id}", code="drone_no_fly",
                          params={"zone": zone.name or zone.id, "zone_zh": zone.name_zh})
    plan = figures.flight_plan(
        from_lon=pu.lon,
        from_lat=pu.lat,
        to_lon=lon,
        to_lat=lat,
        cruise_mps=drone.cruise_mps,
        max_flight_min=drone.max_flight_min,
        battery_pct=drone.battery_pct,
    )
    if not plan.within_range:
        audit.record(
            actor,
            "drone_refused",
            "Drone",
            drone.pk,
            detail={
                "reason": "range",
                "needed_pct": round(plan.needed_pct, 1),
                "usable_pct": round(plan.usable_pct, 1),
            },
        )
        raise DomainError(
            f"the round trip needs {plan.needed_pct:.0f} % of battery, {plan.usable_pct:.0f} % is "
            f"usable above the {figures.BATTERY_RESERVE_PCT:.0f} % reserve",
            code="drone_out_of_range",
            params={"distance_km": f"{plan.distance_m / 1000:.1f}", "range_km": f"{plan.range_m / 1000:.1f}"},
        )
    mission = DroneMission.objects.create(
        drone=drone,
        alert=alert,
        dispatcher=actor,
        dest_lon=lon,
        dest_lat=lat,
        distance_m=plan.distance_m,
        eta_s=plan.eta_s,
        battery_at_start=drone.battery_pct,
        started_at=now,
    )
    drone.drone_status = Drone.DroneStatus.IN_FLIGHT
    drone.save(update_fields=["drone_status"])
    _status_change(pu, S.EN_ROUTE, actor=actor, now=now, alert=alert, reason="drone_mission")
    if alert is not None:
        AlertTransition.objects.create(
            alert=alert,
            at=now,
            actor=actor,
            action="dispatched",
            detail={"unit": pu.code, "drone_mission": mission.pk, "eta_s": round(plan.eta_s)},
        )
    audit.record(
        actor,
        "drone_dispatch",
        "DroneMission",
        mission.pk,
        detail={"drone": drone.serial, "distance_m": round(plan.distance_m), "eta_s": round(plan.eta_s)},
    )
    return mission


@transaction.atomic
def drone_land(*, actor: User | None, mission_id: int, now: dt.datetime | None = None) -> DroneMission:
    """End a mission: the drone charges, its unit is available; the flight log keeps the battery used."""
    now = now or timezone.now()
    m = (
        DroneMission.objects.select_for_update(of=("self",))
        .select_related("drone__patrol_unit__unit")
        .filter(pk=mission_id, ended_at__isnull=True)
        .first()
    )
    if m is None or (actor is not None and not can_manage_unit(actor, m.drone.patrol_unit.unit)):
        raise NotFound(f"mission {mission_id} not found or ended")
    m.ended_at, m.battery_at_end = now, m.drone.battery_pct
    m.save(update_fields=["ended_at", "battery_at_end"])
    m.drone.drone_status = Drone.DroneStatus.CHARGING
    m.drone.save(update_fields=["drone_status"])
    pu = PatrolUnit.objects.select_for_update().get(pk=m.drone.patrol_unit_id)
    if pu.status != S.AVAILABLE:
        _status_change(pu, S.AVAILABLE, actor=actor, now=now, reason="landed")
    audit.record(actor, "drone_land", "DroneMission", m.pk, detail={"battery_at_end": m.battery_at_end})
    return m


# ------------------------------------------------------------------------ large-event security (大型安保)


def _operation_for_update(actor: User | None, operation_id: int) -> SecurityOperation:
    op = (
        SecurityOperation.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=operation_id).first()
    )
    if op is None or (actor is not None and not can_manage_unit(actor, op.unit)):
        raise NotFound(f"operation {operation_id} not found")  # another line's: not revealed
    return op


@transaction.atomic
def operation_create(
    *,
    actor: User | None,
    unit: OrgUnit,
    name: str,
    venue: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    area_points,
    crs: str = "wgs84",
    expected_attendance: int = 0,
) -> SecurityOperation:
    """A security operation commanded by ``unit`` (station chiefs: their subtree; dispatchers: the city).
    ``area_points``: ``[lon, lat]`` pairs in ``crs``, stored as a closed WGS-84 ring. Raises ``DomainError``
    ``bad_operation`` (empty name, times not aware or end not after start, longer than 31 days, negative
    attendance) or ``bad_area`` (not a simple polygon)."""
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "set up security operations")
        _managed_unit(actor, unit, "set up security operations")
    name = outside_text(name, field="event name", field_zh="活动名称").strip()
    venue = outside_text(venue, field="venue", field_zh="场地").strip()
    if (
        not name
        or starts_at.tzinfo is None
        or ends_at.tzinfo is None
        or ends_at <= starts_at
        or ends_at - starts_at > dt.timedelta(days=31)
        or expected_attendance < 0
    ):
        raise DomainError(
            "an operation needs a name, aware times ending after they start (at most 31 days) and an attendance ≥ 0",
            code="bad_operation",
            params={},
        )
    try:
        ring = area.ring(area_points, crs)
    except area.BadArea as e:
        raise area_error(e) from None
    x0, y0, x1, y1 = area.bbox(ring)
    op = SecurityOperation.objects.create(
        name=name[:120], venue=venue[:200], unit=unit, starts_at=starts_at, ends_at=ends_at, area=ring,
        min_lon=x0, min_lat=y0, max_lon=x1, max_lat=y1, expected_attendance=expected_attendance, created_by=actor,
    )
    audit.record(
        actor, "operation_create", "SecurityOperation", op.pk,
        detail={"unit": unit.code, "starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat(),
                "points": len(ring) - 1},
    )
    return op


@transaction.atomic
def operation_post_add(
    *, actor: User | None, operation_id: int, name: str, kind: str, lon: float, lat: float, crs: str = "wgs84"
) -> OperationPost:
    """A post or checkpoint of the operation at a point (converted to WGS-84). Raises ``DomainError``
    ``bad_post`` (empty name, unknown kind, bad position)."""
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "set up security operations")
    op = _operation_for_update(actor, operation_id)
    try:
        lon, lat = coords.to_wgs84(lon, lat, crs)
    except ValueError as e:
        raise DomainError(str(e), code="bad_post", params={}) from None
    name = outside_text(name, field="post name", field_zh="岗位名称")
    if not name.strip() or kind not in OperationPost.Kind.values:
        raise DomainError("a post needs a name and a kind (post | checkpoint)", code="bad_post", params={})
    post = OperationPost.objects.create(operation=op, name=name.strip()[:80], kind=kind, lon=lon, lat=lat)
    audit.record(actor, "operation_post_add", "SecurityOperation", op.pk, detail={"post": post.pk, "kind": kind})
    return post


@transaction.atomic
def operation_deploy(
    *, actor: User | None, operation_id: int, patrol_unit_ids: Iterable[int], post_id: int | None = None
) -> list[OperationUnit]:
    """Deploy patrol units to the operation (at ``post_id`` or roving). Units the actor may not manage are
    refused (a station chief deploys their station's units; the centre any of the city's); a unit already
    deployed to it moves to the new post. Raises ``DomainError`` ``bad_post`` for a post of another
    operation, ``NotFound`` for an unknown unit."""
    if actor is not None:
        _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "deploy units to operations")
    op = _operation_for_update(actor, operation_id)
    post = None
    if post_id is not None:
        post = OperationPost.objects.filter(pk=post_id, operation=op).first()
        if post is None:
            raise DomainError(f"post {post_id} is not a post of this operation", code="bad_post", params={})
    ids = sorted(set(patrol_unit_ids))
    pus = {p.pk: p for p in PatrolUnit.objects.select_related("unit").filter(pk__in=ids)}
    now = timezone.now()
    out = []
    for pid in ids:
        pu = pus.get(pid)
        if pu is None or (actor is not None and not can_manage_unit(actor, pu.unit)):
            raise NotFound(f"patrol unit {pid} not found")
        row, _ = OperationUnit.objects.update_or_create(
            operation=op, patrol_unit=pu, defaults={"post": post, "assigned_by": actor, "assigned_at": now}
        )
        out.append(row)
    audit.record(actor, "operation_deploy", "SecurityOperation", op.pk,
                 detail={"patrol_units": ids, "post": post_id})
    return out


@transaction.atomic
def operation_from_template(
    *,
    actor: User | None,
    unit: OrgUnit,
    template_id: str,
    name: str,
    venue: str,
    lon: float,
    lat: float,
    starts_at: dt.datetime,
    crs: str = "wgs84",
    expected_attendance: int | None = None,
    deploy: bool = True,
    now: dt.datetime | None = None,
) -> SecurityOperation:
    """Set up an operation from a template (``dispatch.optemplates``) in one step: the area, sectors and
    posts placed around the venue point (``lon``/``lat`` in ``crs``, converted to WGS-84), the window from
    ``starts_at`` for the template's duration, the temporary alert rule set (active only in the window and
    the area: the alerts worker picks it up within seconds), and — with ``deploy`` — the nearest units of each
    kind the template needs among the commanding unit's patrol units that are available with a position
    (fewer when there are not enough: the page shows the shortfall). Raises ``DomainError``
    ``bad_template`` (unknown template), ``bad_point`` (the venue point), ``bad_operation``, ``bad_area``;
    ``PermissionDenied``."""
    from pingan.dispatch import optemplates

    t = template_for(actor, template_id)
    try:
        wlon, wlat = coords.to_wgs84(float(lon), float(lat), crs)
    except (TypeError, ValueError) as e:
        raise DomainError(f"bad venue point: {e}", code="bad_point", params={"value": f"{lon},{lat}"[:60]}) from None
    if starts_at.tzinfo is None:
        raise DomainError("the start must be an aware time", code="bad_operation", params={})
    ends_at = starts_at + t.duration
    op = operation_create(
        actor=actor, unit=unit, name=name, venue=venue, starts_at=starts_at, ends_at=ends_at,
        area_points=optemplates.place(wlon, wlat, t.area), crs="wgs84",
        expected_attendance=t.attendance if expected_attendance is None else expected_attendance,
    )
    doc = optemplates.ruleset_document(t, lon=wlon, lat=wlat, op_id=op.pk, starts_at=starts_at, ends_at=ends_at,
                                       area=op.area)
    op.template_id, op.template_version = t.id, t.version
    try:
        op.sectors = [{"id": s.id, "name_en": s.name_en, "name_zh": s.name_zh,
                       "polygon": area.ring(optemplates.place(wlon, wlat, s.polygon))} for s in t.sectors]
    except area.BadArea as e:  # a template whose sector is not a simple polygon
        raise area_error(e) from None
    op.unit_needs = dict(t.units)
    op.ruleset = optemplates.document_for_storage(doc)
    op.save(update_fields=["template_id", "template_version", "sectors", "unit_needs", "ruleset"])
    posts = [
        # both languages, as the alerts app names its fences: a post's name is data, not an interface string
        OperationPost.objects.create(operation=op, name=p.name_zh[:80], name_en=p.name_en[:80], kind=p.kind, lon=x,
                                     lat=y)
        for p, (x, y) in zip(t.posts, optemplates.place(wlon, wlat, [p.at for p in t.posts]), strict=True)
    ]
    deployed: list[int] = []
    if deploy:
        now = now or timezone.now()
        pool = [
            pu for pu in PatrolUnit.objects.filter(unit__path__startswith=unit.path, status=S.AVAILABLE,
                                                   lon__isnull=False).select_related("unit")
            if actor is None or can_manage_unit(actor, pu.unit)
        ]
        for kind, n in t.units.items():
            ranked = sorted((p for p in pool if p.kind == kind),
                            key=lambda p: (coords.distance_m(p.lon, p.lat, wlon, wlat), p.code))
            deployed += [p.pk for p in ranked[:n]]
        if deployed:
            operation_deploy(actor=actor, operation_id=op.pk, patrol_unit_ids=deployed,
                             post_id=posts[0].pk if posts else None)
    audit.record(actor, "operation_from_template", "SecurityOperation", op.pk,
                 detail={"template": f"{t.id}@{t.version}", "posts": len(posts), "deployed": len(deployed)})
    return op


# --------------------------------------------------------------------------------------- roster import


@transaction.atomic
def roster_import(
    *, actor: User, data: bytes, filename: str
) -> tuple[list[Shift], list]:
    """Import a duty roster file (CSV/XLSX/XLS/ODS; ``dispatch.roster_file`` says the columns): one shift
    per station, day, name and times, with its officers, units and crews. All or nothing: with any
    row-level error (``roster_file.RowError``: a bad date or time, a station outside the actor's line, an
    unknown officer or call sign, one of another station, a shift longer than 24 h) nothing is saved and the
    errors are returned. Returns ``(shifts created, errors)``. Station chiefs import their subtree,
    dispatchers the city. Raises ``PermissionDenied`` for other roles; a file that cannot be read at all is
    one error at row 0 (``roster_unreadable``, its reason a message of its own: ``RosterError.as_param``)."""
    from pingan.dispatch import roster_file
    from pingan.dispatch.roster import shift_bounds
    from pingan.screening.roster import RosterError, read_table

    _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "roster shifts")
    E = roster_file.RowError
    try:
        rows, _meta = read_table(data, filename=filename)
    except RosterError as e:
        return [], [E(0, "", "roster_unreadable", {"reason": e.as_param()})]
    shifts, errors = roster_file.parse(rows)
    stations = {u.code: u for u in OrgUnit.objects.filter(code__in={s.station for s in shifts})}
    users = {u.username: u for u in User.objects.select_related("unit").filter(
        username__in={o for s in shifts for _r, o, _u in s.rows if o})}
    units = {p.code: p for p in PatrolUnit.objects.select_related("unit").filter(
        code__in={c for s in shifts for _r, _o, c in s.rows if c})}
    plan = []
    for s in shifts:
        station = stations.get(s.station)
        first = s.rows[0][0]
        if station is None or not can_manage_unit(actor, station):
            errors += [E(r, "", "roster_station_unknown", {"station": s.station}) for r, _o, _u in s.rows]
            continue
        starts, ends = shift_bounds(s.day, s.start, s.end)
        if ends - starts > dt.timedelta(hours=24):
            errors.append(E(first, "", "roster_bad_shift", {}))
            continue
        people: list[User] = []
        crews: dict[int, tuple[PatrolUnit, list[User]]] = {}
        for r, officer, call_sign in s.rows:
            u = pu = None
            if officer:
                u = users.get(officer)
                if u is None or (u.role != Role.OFFICER and u.role != Role.STATION_CHIEF):
                    errors.append(E(r, "", "roster_officer_unknown", {"officer": officer}))
                    continue
                if u.unit is None or not u.unit.path.startswith(station.path):
                    errors.append(E(r, "", "roster_officer_elsewhere", {"officer": officer, "station": s.station}))
                    continue
            if call_sign:
                pu = units.get(call_sign)
                if pu is None:
                    errors.append(E(r, "", "roster_unit_unknown", {"unit": call_sign}))
                    continue
                if not pu.unit.path.startswith(station.path):
                    errors.append(E(r, "", "roster_unit_elsewhere", {"unit": call_sign, "station": s.station}))
                    continue
            if pu is not None:
                crews.setdefault(pu.pk, (pu, []))[1].extend([u] if u else [])
            elif u is not None:
                people.append(u)
        plan.append((station, s.name, starts, ends, people, list(crews.values())))
    if errors:
        transaction.set_rollback(True)
        return [], sorted(errors, key=lambda e: (e.row, e.column, e.code))
    out = [shift_create(actor=actor, unit=st, name=name, starts_at=a, ends_at=b, users=people, crews=crews)
           for st, name, a, b, people, crews in plan]
    audit.record(actor, "roster_import", "Shift", "", detail={"file": filename[:200], "shifts": len(out)})
    return out, []


# ----------------------------------------------------------------- operation templates and reviews (预案, 复盘)

TEMPLATE_SOURCE_MAX = 64_000  # characters of TOML: the bundled templates are ~3,000


def template_parse(*, key: str, version: int, source: str):
    """``source`` (TOML in the bundled templates' format, ``dispatch.optemplates``) as a checked template with
    ``key`` and ``version`` as its id and version (the TOML's own ``id``/``version`` are not read). Raises
    ``DomainError`` ``bad_template_document`` with ``message_id`` ``template_<problem>`` and ``params``
    ``field`` (as named in the file) and ``detail`` (the TOML or rule-set parser's words)."""
    import tomllib

    from pingan.dispatch import optemplates

    path = f"template {key}"
    try:
        if len(source) > TEMPLATE_SOURCE_MAX:
            raise optemplates.TemplateError(path, "toml", "", f"longer than {TEMPLATE_SOURCE_MAX} characters")
        try:
            data = tomllib.loads(source)
        except tomllib.TOMLDecodeError as e:
            raise optemplates.TemplateError(path, "toml", "", str(e)) from None
        return optemplates.parse_template({**data, "id": key, "version": f"{version}.0.0"}, path=path)
    except optemplates.TemplateError as e:
        raise _TEMPLATE_PROBLEMS[e.problem](e) from None


def _bad_template(e, message_id: str) -> DomainError:
    return DomainError(str(e), code="bad_template_document", message_id=message_id, params=_template_params(e))


def _template_params(e) -> dict:
    """The page message's specifics of a ``TemplateError``: the field as the file names it, the parser's words,
    and (``template_character(s)``) each refused character and its position."""
    return {"field": e.field, "detail": e.detail, "chars": e.params.get("chars", []),
            "positions": e.params.get("positions", []), "n": e.params.get("n", 0)}


#: ``optemplates.PROBLEMS`` → the page message of each (core.error_messages)
_TEMPLATE_PROBLEMS = {
    "required": lambda e: _bad_template(e, "template_required"),
    "duration": lambda e: _bad_template(e, "template_duration"),
    "attendance": lambda e: _bad_template(e, "template_attendance"),
    "offsets": lambda e: _bad_template(e, "template_offsets"),
    "offset_far": lambda e: _bad_template(e, "template_offset_far"),
    "post_kind": lambda e: _bad_template(e, "template_post_kind"),
    "post_at": lambda e: _bad_template(e, "template_post_at"),
    "post_names": lambda e: _bad_template(e, "template_post_names"),
    "units": lambda e: _bad_template(e, "template_units"),
    "rules": lambda e: _bad_template(e, "template_rules"),
    "toml": lambda e: _bad_template(e, "template_toml"),
    "characters": lambda e: _bad_template(e, "template_character"),
}


def template_for(actor: User | None, template_id: str):
    """The template ``template_id``: a bundled one (everyone who may set up operations), else one written in
    pingan that ``actor`` may see (its line; ``None``: the system sees all). Raises ``bad_template``."""
    from pingan.dispatch import optemplates
    from pingan.dispatch.scoping import scope

    t = optemplates.bundled().get(template_id)
    if t is not None:
        return t
    qs = OperationTemplate.objects.filter(key=template_id)
    row = (qs if actor is None else scope(actor, qs)).first()
    if row is None:
        raise DomainError(f"no operation template {template_id!r}", code="bad_template",
                          params={"template": template_id})
    return template_parse(key=row.key, version=row.version, source=row.source)


_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")


@transaction.atomic
def template_create(*, actor: User, unit: OrgUnit, key: str, source: str) -> OperationTemplate:
    """Write a new template owned by ``unit`` (station chiefs: their line; dispatchers: the city). ``key``:
    3-64 lower-case letters, digits and hyphens, not a bundled template's nor another's. Audited
    ``template_create``. Raises ``bad_template_key``, ``bad_template_document``, ``PermissionDenied``."""
    from pingan.dispatch import optemplates

    _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "write operation templates")
    _managed_unit(actor, unit, "write operation templates")
    key = (key or "").strip()
    if not _KEY.match(key) or key in optemplates.bundled() or OperationTemplate.objects.filter(key=key).exists():
        raise DomainError(f"template id {key!r} is not usable (3-64 of a-z 0-9 -, not taken)",
                          code="bad_template_key", params={"key": key[:64]})
    t = template_parse(key=key, version=1, source=source)
    row = OperationTemplate.objects.create(key=key, unit=unit, version=1, source=source, title_en=t.title_en,
                                           title_zh=t.title_zh, created_by=actor, updated_by=actor)
    audit.record(actor, "template_create", "OperationTemplate", row.pk, detail={"key": key, "unit": unit.code})
    return row


@transaction.atomic
def template_update(*, actor: User, template_pk: int, source: str, expected_version: str) -> OperationTemplate:
    """Save a new version of a template of the actor's line. ``expected_version`` is the version the editor
    started from (``OperationTemplate.semver``, e.g. ``2.0.0``): another save in between is a conflict
    (nothing is overwritten). Operations already set up keep the version they were made from. Audited
    ``template_update``. Raises ``NotFound`` (not in the line), ``PermissionDenied``, ``Conflict``
    ``template_changed``, ``bad_template_document``."""
    from pingan.dispatch.scoping import scope

    _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "write operation templates")
    row = scope(actor, OperationTemplate.objects.select_for_update()).filter(pk=template_pk).first()
    if row is None:
        raise NotFound(f"template {template_pk} not found")
    _managed_unit(actor, row.unit, "write operation templates")
    if row.semver != str(expected_version):
        raise Conflict(f"template {row.key} was saved as version {row.semver} since version {expected_version}",
                       code="template_changed", params={"key": row.key, "version": row.semver})
    t = template_parse(key=row.key, version=row.version + 1, source=source)
    row.version += 1
    row.source, row.title_en, row.title_zh, row.updated_by = source, t.title_en, t.title_zh, actor
    row.save(update_fields=["version", "source", "title_en", "title_zh", "updated_by", "updated_at"])
    audit.record(actor, "template_update", "OperationTemplate", row.pk, detail={"key": row.key, "version": row.version})
    return row


REVIEW_FINDINGS_MAX = 20_000


@transaction.atomic
def operation_review_record(*, actor: User, operation_id: int, findings: str,
                            now: dt.datetime | None = None) -> OperationReview:
    """Put an after-action review on record: the reviewer's findings and the operation's figures now (units by
    kind, alerts by priority and rule, response intervals). Station chiefs and dispatchers of the operation's
    line; audited ``operation_review_record``. Raises ``bad_review`` (empty or longer than 20,000
    characters), ``NotFound``, ``PermissionDenied``."""
    from pingan.dispatch import selectors

    _require(actor, (Role.STATION_CHIEF, Role.DISPATCHER), "record after-action reviews")
    view = selectors.operation_view(actor=actor, operation_id=operation_id)
    op = view["operation"]
    _managed_unit(actor, op.unit, "record after-action reviews")
    findings = outside_text(findings, field="findings", field_zh="复盘结论", allow_newlines=True).strip()
    if not findings or len(findings) > REVIEW_FINDINGS_MAX:
        raise DomainError("the findings must be 1-20,000 characters", code="bad_review", params={})
    s = view["summary"]
    figures = {k: s[k] for k in ("units_deployed", "units_by_kind", "alerts", "alerts_by_priority", "alerts_by_rule",
                                 "response") if k in s}
    review = OperationReview.objects.create(operation=op, author=actor, created_at=now or timezone.now(),
                                            findings=findings, figures=json.loads(json.dumps(figures, default=str)))
    audit.record(actor, "operation_review_record", "SecurityOperation", op.pk, detail={"review": review.pk})
    return review
