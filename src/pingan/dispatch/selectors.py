"""Dispatch selectors: every read takes the actor and is scoped (``dispatch.scoping``); reads that show
officers' whereabouts or alerts' personal parameters write the audit record.

The console's state (polled twice a second) carries no personal parameters (no plates, no person
references: alert codes, priorities, positions and unit call signs only), so polls are not audited; the
console page itself and the alert detail are.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import F, Max, Min, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from pingan.alerts import labels
from pingan.alerts.models import Alert, Device
from pingan.core import audit
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import OrgUnit, Role, User, unit_label
from pingan.dispatch import area, changes, figures
from pingan.dispatch.models import (
    LIVE_ASSIGNMENTS,
    Assignment,
    OperationUnit,
    PatrolUnit,
    Position,
    SecurityOperation,
    Shift,
    StatusChange,
)
from pingan.dispatch.roster import ZONE, active_assignments, crewed_units
from pingan.dispatch.scoping import root_path, scope

audit.register_purpose("dispatch", _("dispatching units"), app="dispatch")
for _name, _label in (
    ("Shift", _("duty shift")),
    ("PatrolUnit", _("patrol unit")),
    ("Assignment", _("dispatch")),
    ("Drone", _("drone")),
    ("DroneMission", _("drone mission")),
    ("Console", _("command-centre console")),
    ("SecurityOperation", _("security operation")),
    ("OperationTemplate", _("security operation template")),
):
    audit.register_object_type(_name, _label)


def _register_describers() -> None:
    """How the audit page names a dispatch record (issue 11: "警力 № 3"): a unit by its call sign and station,
    a dispatch by the unit, the alert's number (as the alert pages show it) and its state, an operation by its
    name, venue and start — no person in any of them."""
    from pingan.core.texts import lang, moment
    from pingan.dispatch.models import Drone, DroneMission, OperationTemplate

    said, when = audit.said, moment
    for name, model, text, related in (
        ("PatrolUnit", PatrolUnit, lambda u: said(u.code, u.get_kind_display(), u.unit.label), ("unit",)),
        ("Assignment", Assignment, lambda a: said(f"{a.patrol_unit.code} → #{a.alert_id}", a.get_state_display(),
                                                  when(a.created_at)), ("patrol_unit",)),
        ("SecurityOperation", SecurityOperation, lambda o: said(o.name, o.venue, when(o.starts_at)), ()),
        ("OperationTemplate", OperationTemplate, lambda t: said(
            t.title_zh if lang(when_none="en") == "zh" else t.title_en, t.unit.label), ("unit",)),
        ("Drone", Drone, lambda d: said(d.patrol_unit.code, d.model, d.serial), ("patrol_unit",)),
        ("DroneMission", DroneMission, lambda m: said(m.drone.patrol_unit.code, f"#{m.alert_id}" if m.alert_id
                                                      else "", when(m.started_at)), ("drone__patrol_unit",)),
    ):
        audit.register_object_describer(name, audit.rows_describer(model, text, related=related))


_register_describers()
for _code, _label in (
    ("shift_create", _("rostered a shift")),
    ("patrol_unit_create", _("registered a patrol unit")),
    ("patrol_unit_base", _("set a patrol unit's base")),
    ("unit_status", _("changed a unit's status")),
    ("dispatch_assign", _("dispatched a unit")),
    ("dispatch_accept", _("accepted a dispatch")),
    ("dispatch_decline", _("declined a dispatch")),
    ("dispatch_escalate", _("escalated an unanswered dispatch")),
    ("drone_register", _("registered a drone")),
    ("drone_dispatch", _("sent a drone")),
    ("drone_refused", _("refused a drone flight")),
    ("drone_land", _("landed a drone")),
    ("operation_create", _("set up a security operation")),
    ("operation_post_add", _("added a post to a security operation")),
    ("operation_deploy", _("deployed units to a security operation")),
    ("operation_from_template", _("set up a security operation from a template")),
    ("roster_import", _("imported a duty roster")),
    ("template_create", _("wrote a security operation template")),
    ("template_update", _("changed a security operation template")),
    ("operation_review_record", _("put an after-action review on record")),
):
    audit.register_action(_code, _label)


def _allowed(actor, roles) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False) and actor.role in roles


def patrol_units(*, actor) -> QuerySet[PatrolUnit]:
    """Patrol units in the actor's line (dispatchers, station chiefs, officers, analysts)."""
    return scope(actor, PatrolUnit.objects.select_related("unit", "current_alert"))


def patrol_unit_get(*, actor, patrol_unit_id: int) -> PatrolUnit:
    pu = patrol_units(actor=actor).filter(pk=patrol_unit_id).first()
    if pu is None:
        raise NotFound(f"patrol unit {patrol_unit_id} not found")
    return pu


def status_history(*, actor, patrol_unit_id: int, limit: int = 100) -> list[StatusChange]:
    """A unit's CAD status changes, newest first (who changed what when)."""
    pu = patrol_unit_get(actor=actor, patrol_unit_id=patrol_unit_id)
    return list(StatusChange.objects.filter(patrol_unit=pu).select_related("actor").order_by("-at", "-id")[:limit])


def on_duty(*, actor, unit: OrgUnit | None = None, at: dt.datetime | None = None) -> dict:
    """Who is on duty at ``at`` (default now) in ``unit``'s subtree (default: the actor's line): the people
    and the patrol units on shifts containing ``at``. A query over the roster, audited (it says where officers
    are). Raises ``NotFound`` for a unit outside the actor's line."""
    root = root_path(actor)
    if root is None or not _allowed(actor, (Role.DISPATCHER, Role.STATION_CHIEF, Role.ANALYST)):
        raise NotFound("no roster in your line")
    if unit is not None and not unit.path.startswith(root):
        raise NotFound(f"unit {unit.code} not found")
    at = at or timezone.now()
    path = unit.path if unit is not None else root
    rows = (
        active_assignments(at)
        .filter(shift__unit__path__startswith=path)
        .select_related("shift__unit", "user", "patrol_unit")
    )
    people: dict[int, User] = {}
    units: dict[int, PatrolUnit] = {}
    shifts: dict[int, Shift] = {}
    for r in rows:
        shifts[r.shift_id] = r.shift
        if r.user_id:
            people[r.user_id] = r.user
        if r.patrol_unit_id:
            units[r.patrol_unit_id] = r.patrol_unit
    audit.record_read(actor, "Shift", "", purpose="dispatch")
    return {
        "at": at,
        "people": sorted(people.values(), key=lambda u: u.username),
        "patrol_units": sorted(units.values(), key=lambda p: p.code),
        "shifts": sorted(shifts.values(), key=lambda s: (s.starts_at, s.pk)),
    }


def _alerts(actor) -> QuerySet[Alert]:
    root = root_path(actor)
    if root is None or not _allowed(actor, (Role.DISPATCHER, Role.STATION_CHIEF, Role.ANALYST, Role.OFFICER)):
        return Alert.objects.none()
    qs = Alert.objects.select_related("unit", "owner", "device")
    if actor.role == Role.DISPATCHER:
        from django.db.models import Q

        return qs.filter(Q(unit__path__startswith=root) | Q(unit__isnull=True))
    return qs.filter(unit__path__startswith=root)


def alert_for_dispatch(*, actor, alert_id: int) -> Alert:
    """One alert the actor may dispatch to (audited read). Raises ``NotFound``."""
    from pingan.alerts.selectors import alert_subjects

    alert = _alerts(actor).filter(pk=alert_id).first()
    if alert is None:
        raise NotFound(f"alert {alert_id} not found")
    audit.record_read(actor, "Alert", alert.pk, subjects=alert_subjects(alert), purpose="dispatch")
    return alert


def my_assignments(*, actor, now: dt.datetime | None = None) -> list[Assignment]:
    """The live assignments (offered, accepted) of the patrol units the officer crews now."""
    from pingan.dispatch.services import crew_units

    now = now or timezone.now()
    ids = [pu.pk for pu in crew_units(actor, now)]
    return list(
        Assignment.objects.filter(patrol_unit_id__in=ids)
        .filter(LIVE_ASSIGNMENTS)
        .select_related("alert__unit", "alert__device", "alert__owner", "patrol_unit")
        .order_by("-id")[:20]
    )


def units_on_alert(alert) -> list[str]:
    """The call signs of the units on ``alert`` now (``models.LIVE_ASSIGNMENTS``), those a reassignment takes it
    off. The caller has read the alert for the actor (``alert_for_dispatch``)."""
    return list(Assignment.objects.filter(LIVE_ASSIGNMENTS, alert=alert).order_by("id")
                .values_list("patrol_unit__code", flat=True))


def dispatched_alert_ids(actor, now: dt.datetime):
    """The alerts ``actor`` responds to as dispatched crew (a rule of ``alerts.responders``): an officer crewing
    now a patrol unit whose accepted assignment to the alert has not ended — the unit is still on it (its
    ``current_alert``; going available or off duty ends it). Whatever the unit's station: that is the point,
    an officer of 江头 sent to a 莲前 alert must open it to report on scene and close it. ``None`` for anyone
    else (chiefs, other roles, officers not dispatched)."""
    if getattr(actor, "role", None) != Role.OFFICER:
        return None
    units = crewed_units(actor, now)
    return Alert.objects.filter(
        assignments__state=Assignment.State.ACCEPTED,
        assignments__patrol_unit__in=units,
        assignments__patrol_unit__current_alert=F("pk"),
    ).values("pk")


def offered_alert_ids(actor, now: dt.datetime):
    """The alerts offered now to a patrol unit ``actor`` crews (an open offer, not yet answered): a rule of
    ``alerts.responders`` for the live stream only — the crew hears of the alert's changes (acknowledged by
    someone else, closed) while it decides, but cannot open it before accepting. ``None`` for anyone else."""
    if getattr(actor, "role", None) != Role.OFFICER:
        return None
    units = crewed_units(actor, now)
    return Alert.objects.filter(
        assignments__state=Assignment.State.OFFERED,
        assignments__answer_by__gte=now,
        assignments__patrol_unit__in=units,
    ).values("pk")


#: A cursor older than this (a console asleep, a laptop lid closed) gets the whole state again.
CURSOR_MAX_AGE = dt.timedelta(seconds=120)
#: Alert transitions are looked for from the previous cursor's greatest id less this many (ids are drawn
#: before commit: a transition numbered below the greatest one seen may commit after it), then filtered to
#: those written since the cursor (``dispatch.changes``).
ID_OVERLAP = 200

_UNIT_FIELDS = ("pk", "code", "kind", "status", "status_since", "lon", "lat", "position_at", "current_alert_id",
                "unit__name", "unit__name_en", "drone__battery_pct", "drone__drone_status")


def _console_allowed(actor) -> None:
    if root_path(actor) is None or not _allowed(actor, (Role.DISPATCHER, Role.STATION_CHIEF)):
        raise NotFound("no console for your role")


def _unit_rows(qs, now: dt.datetime) -> list[dict]:
    return [
        {
            "id": pk, "code": code, "kind": kind, "status": status,
            "since": since.isoformat() if since else None, "lon": lon, "lat": lat,
            "stale": pos_at is None or (now - pos_at).total_seconds() > 300,
            "alert": alert_id, "station": unit_label(station, station_en), "battery": battery,
            "drone_status": drone_status,
        }
        for pk, code, kind, status, since, lon, lat, pos_at, alert_id, station, station_en, battery, drone_status
        in qs.values_list(*_UNIT_FIELDS)
    ]


def _alert_rows(alerts: list[Alert], now: dt.datetime) -> list[dict]:
    ack_targets = figures.targets().acknowledge_by_priority
    live = defaultdict(list)
    for alert_id, code, state in (
        Assignment.objects.filter(alert__in=[a.pk for a in alerts])
        .exclude(state__in=["cancelled"])
        .order_by("id")
        .values_list("alert_id", "patrol_unit__code", "state")
    ):
        live[alert_id].append({"unit": code, "state": state})
    return [
        {
            "id": a.pk, "priority": a.priority, "rule": a.rule_id, "summary": a.summary, "state": a.state,
            # the alert's sentence and priority in the viewer's language (alerts.labels, as the terminal has)
            "text": labels.summary_text(a.summary, a.params, device_name=a.device.label if a.device_id and a.device
                                        else ""),
            "priority_label": labels.priority(a.priority),
            "unit": a.unit.label if a.unit else "", "lon": a.lon, "lat": a.lat,
            "place": a.device.label if a.device_id and a.device else "",
            "created": a.created_at.isoformat(), "raised": a.raised_at.isoformat(),
            "age_s": round((now - a.created_at).total_seconds()),
            "ack_target_s": ack_targets.get(a.priority),
            "ack_s": round((a.acknowledged_at - a.created_at).total_seconds()) if a.acknowledged_at else None,
            "assignments": live.get(a.pk, []),
        }
        for a in alerts
    ]


def _devices(actor) -> tuple[list[dict], str]:
    """The devices in the actor's line with a position, and a digest of their statuses (the cursor carries
    it: the device layer is sent again only when a status changed or a device came or went)."""
    import zlib

    rows = list(scope(actor, Device.objects.filter(lon__isnull=False), "unit")
                .order_by("device_id").values_list("device_id", "name", "name_en", "status", "lon", "lat"))
    digest = zlib.crc32("|".join(f"{d}={s}" for d, _n, _e, s, _lo, _la in rows).encode())
    return [{"id": d, "name": unit_label(n, en), "status": s, "lon": lo, "lat": la}
            for d, n, en, s, lo, la in rows], f"{digest:x}"


def _transition_max() -> int:
    from pingan.alerts.models import AlertTransition

    return AlertTransition.objects.aggregate(m=Max("id"))["m"] or 0


def _cursor(now: dt.datetime, snap: changes.Snapshot | None, transition_max: int, devices: str) -> str:
    return f"c3.{int(now.timestamp() * 1000)}.{snap.encode() if snap else '0'}.{transition_max}.{devices}"


def _parse_cursor(cursor: str, now: dt.datetime) -> tuple[dt.datetime, changes.Snapshot, int, str] | None:
    """``(time, snapshot, last transition id, device digest)`` or ``None`` (malformed, from the future, or
    older than ``CURSOR_MAX_AGE``)."""
    parts = cursor.split(".")
    if len(parts) != 5 or parts[0] != "c3":
        return None
    try:
        at = dt.datetime.fromtimestamp(int(parts[1]) / 1000, tz=dt.UTC)
        snap, t_max = changes.Snapshot.decode(parts[2]), int(parts[3])
    except (ValueError, OverflowError, OSError):
        return None
    if at > now + dt.timedelta(seconds=5) or now - at > CURSOR_MAX_AGE or snap.xmax == 0:
        return None
    return at, snap, t_max, parts[4]


def console_state(*, actor, now: dt.datetime | None = None) -> dict:
    """Everything the command-centre console draws, for the actor's line: units (call sign, kind, status,
    since, position), open alerts (priority, rule, age, acknowledge target, state, position, assignments),
    devices (online/offline) and drones (battery, status); ``cursor`` for :func:`console_changes`."""
    now = now or timezone.now()
    _console_allowed(actor)
    snap = changes.snapshot() if changes.supported() else None
    t_max = _transition_max()
    devices, digest = _devices(actor)
    alerts = list(_alerts(actor).filter(open=True).order_by("priority", "created_at")[:300])
    return {
        "cursor": _cursor(now, snap, t_max, digest),
        "full": True,
        "now": now.isoformat(),
        "units": _unit_rows(patrol_units(actor=actor), now),
        "alerts": _alert_rows(alerts, now),
        "devices": devices,
    }


def console_changes(*, actor, cursor: str, now: dt.datetime | None = None) -> dict:
    """What changed on the console since ``cursor`` (an earlier answer's): only the units written since
    (status, position, drone telemetry), the open alerts written since or with a new timeline entry (raised,
    acknowledged, dispatched, accepted, declined, unanswered …) and the ids of those no longer open
    (``removed``), and the device layer only when a device's status changed. "Since" is PostgreSQL's
    transaction order (``dispatch.changes``): a change committed late is not missed, and a change may come
    twice (the console applies it twice, harmlessly). A missing, malformed or stale cursor — or a database
    other than PostgreSQL — answers the whole state (``full: true``). The cost of an answer grows with the
    changes, not with the city."""
    from pingan.alerts.models import AlertTransition

    now = now or timezone.now()
    _console_allowed(actor)
    parsed = _parse_cursor(cursor, now) if changes.supported() else None
    if parsed is None:
        return console_state(actor=actor, now=now)
    _prev, snap, t_prev, d_prev = parsed
    new_snap = changes.snapshot()  # before the reads: what they miss, the next answer finds
    t_max = _transition_max()
    units = _unit_rows(changes.since(patrol_units(actor=actor), snap), now)
    alert_ids = set(changes.since(_alerts(actor).filter(open=True), snap).values_list("id", flat=True))
    alert_ids |= set(
        changes.since(AlertTransition.objects.filter(id__gt=t_prev - ID_OVERLAP), snap)
        .values_list("alert_id", flat=True)
    )
    changed = list(_alerts(actor).filter(pk__in=alert_ids)) if alert_ids else []
    devices, digest = _devices(actor)
    out = {
        "cursor": _cursor(now, new_snap, t_max, digest),
        "full": False,
        "now": now.isoformat(),
        "units": units,
        "alerts": _alert_rows([a for a in changed if a.open], now),
        "removed": sorted(a.pk for a in changed if not a.open),
    }
    if digest != d_prev:
        out["devices"] = devices
    return out


def response_figures(*, actor, day: dt.date | None = None) -> dict:
    """The day's (Asia/Shanghai) response intervals per responsible unit in the actor's line: time to
    acknowledge (created → acknowledged), to dispatch (created → first assignment), to arrive (created →
    first unit on scene), each p50/p90 in seconds with the count; and the cited targets
    (``data/response_targets.toml``) to draw as reference lines."""
    if root_path(actor) is None or not _allowed(actor, (Role.DISPATCHER, Role.STATION_CHIEF, Role.ANALYST)):
        raise NotFound("no figures for your role")
    day = day or timezone.now().astimezone(ZONE).date()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=ZONE)
    end = start + dt.timedelta(days=1)
    rows = (
        _alerts(actor)
        .filter(created_at__gte=start, created_at__lt=end, unit__isnull=False)
        .annotate(first_assigned=Min("assignments__created_at"), first_arrived=Min("assignments__arrived_at"))
        .values_list("unit__code", "unit__name", "unit__name_en", "created_at", "acknowledged_at", "first_assigned",
                     "first_arrived")
    )
    per: dict[tuple[str, str], dict[str, list[float]]] = defaultdict(
        lambda: {"acknowledge": [], "dispatch": [], "arrive": []}
    )
    for code, name, name_en, created, acked, assigned, arrived in rows:
        d = per[(code, unit_label(name, name_en))]
        for metric, t in (("acknowledge", acked), ("dispatch", assigned), ("arrive", arrived)):
            if t is not None:
                d[metric].append(max(0.0, (t - created).total_seconds()))
    t = figures.targets()
    stations = []
    for (code, name), d in sorted(per.items()):
        stations.append(
            {
                "code": code,
                "name": name,
                **{
                    m: {"n": len(v), "p50": figures.percentile(v, 50), "p90": figures.percentile(v, 90)}
                    for m, v in d.items()
                },
            }
        )
    return {
        "day": day.isoformat(),
        "stations": stations,
        "targets": [
            {
                "id": x.id,
                "metric": x.metric,
                "percentile": x.percentile,
                "seconds": x.seconds,
                "source": x.source,
                "url": x.url,
                "standard": x.standard,
            }
            for x in t.targets
        ],
        "targets_version": f"{t.id}@{t.version}",  # the API's; a page shows the version alone
        "targets_release": t.version,
    }


def track(*, actor, patrol_unit_id: int, since: dt.datetime) -> list[Position]:
    """A unit's AVL track since ``since`` (audited: where officers were)."""
    pu = patrol_unit_get(actor=actor, patrol_unit_id=patrol_unit_id)
    audit.record_read(actor, "PatrolUnit", pu.pk, purpose="dispatch", detail={"track_since": since.isoformat()})
    return list(Position.objects.filter(patrol_unit=pu, at__gte=since).order_by("at")[:5000])


# ------------------------------------------------------------------------ large-event security (大型安保)

OPERATION_ROLES = (Role.DISPATCHER, Role.STATION_CHIEF)


def operations(*, actor) -> QuerySet[SecurityOperation]:
    """Security operations commanded in the actor's line: the centre's dispatchers see the city's, a
    station chief their station's; nobody else any."""
    if not _allowed(actor, OPERATION_ROLES):
        return SecurityOperation.objects.none()
    return scope(actor, SecurityOperation.objects.select_related("unit"))


def operation_get(*, actor, operation_id: int) -> SecurityOperation:
    op = operations(actor=actor).filter(pk=operation_id).first()
    if op is None:
        raise NotFound(f"operation {operation_id} not found")
    return op


def operation_alerts(*, op: SecurityOperation, until: dt.datetime | None = None) -> list[Alert]:
    """The alerts raised inside the operation's area during its window (up to ``until``, default its end):
    a bounding-box query, then point-in-polygon (shapely). Whatever station an alert was routed to, the
    operation's command sees it here; the caller has already been allowed to see ``op``."""
    end = min(op.ends_at, until) if until is not None else op.ends_at
    rows = (
        Alert.objects.filter(
            created_at__gte=op.starts_at, created_at__lt=end,
            lon__gte=op.min_lon, lon__lte=op.max_lon, lat__gte=op.min_lat, lat__lte=op.max_lat,
        )
        .select_related("unit")
        .annotate(first_assigned=Min("assignments__created_at"), first_arrived=Min("assignments__arrived_at"))
        .order_by("-created_at", "-id")
    )
    return [a for a in rows if area.contains(op.area, a.lon, a.lat)]


#: Points of one drone's flight path on the operation page, at most (the newest are kept).
DRONE_PATH_MAX = 600


def operation_drone_paths(*, op: SecurityOperation, deployments, until: dt.datetime) -> list[tuple[str, list]]:
    """The flight paths of the drones deployed to ``op``: ``(call sign, [(lon, lat), …])`` in time order, from
    their AVL positions (WGS-84 as stored: MQTT telemetry converted from GCJ-02/BD-09 on ingest) during the
    window up to ``until``, at most ``DRONE_PATH_MAX`` points each. The caller has been allowed to see ``op``
    (and audits the read)."""
    drones = {d.patrol_unit_id: d.patrol_unit.code for d in deployments
              if d.patrol_unit.kind == PatrolUnit.Kind.DRONE}
    out = []
    for pid, code in sorted(drones.items(), key=lambda x: x[1]):
        pts = list(Position.objects.filter(patrol_unit_id=pid, at__gte=op.starts_at, at__lt=min(op.ends_at, until))
                   .order_by("-at").values_list("lon", "lat")[:DRONE_PATH_MAX])
        if pts:
            out.append((code, pts[::-1]))
    return out


def operation_view(*, actor, operation_id: int) -> dict:
    """An operation with its posts, deployed units (and their CAD status), the alerts inside its area so far
    and the after-action figures: units deployed by kind, alerts by priority and rule, and the response
    intervals of those alerts (created → acknowledged, → first dispatch, → first unit on scene; p50/p90).
    Audited (it says where officers are posted)."""
    op = operation_get(actor=actor, operation_id=operation_id)
    now = timezone.now()
    alerts = operation_alerts(op=op, until=now)
    deployments = list(
        OperationUnit.objects.filter(operation=op).select_related("patrol_unit", "post").order_by("patrol_unit__code")
    )
    intervals: dict[str, list[float]] = {"acknowledge": [], "dispatch": [], "arrive": []}
    by_priority: dict[str, int] = defaultdict(int)
    by_rule: dict[str, int] = defaultdict(int)
    for a in alerts:
        by_priority[a.priority] += 1
        by_rule[a.rule_id] += 1
        for metric, t in (("acknowledge", a.acknowledged_at), ("dispatch", a.first_assigned),
                          ("arrive", a.first_arrived)):
            if t is not None:
                intervals[metric].append(max(0.0, (t - a.created_at).total_seconds()))
    by_kind: dict[str, int] = defaultdict(int)
    for d in deployments:
        by_kind[d.patrol_unit.kind] += 1
    audit.record_read(actor, "SecurityOperation", op.pk, purpose="dispatch")
    return {
        "operation": op,
        "active": op.active_at(now),
        "posts": list(op.posts.all()),
        "deployments": deployments,
        "drone_paths": operation_drone_paths(op=op, deployments=deployments, until=now),
        "alerts": alerts,
        "summary": {
            "units_deployed": len(deployments),
            "units_by_kind": dict(sorted(by_kind.items())),
            "alerts": len(alerts),
            "alerts_by_priority": dict(sorted(by_priority.items())),
            "alerts_by_rule": dict(sorted(by_rule.items())),
            "response": {
                m: {"n": len(v), "p50": figures.percentile(v, 50), "p90": figures.percentile(v, 90)}
                for m, v in intervals.items()
            },
        },
    }


#: Timeline entries of an after-action review, at most (a long operation's entries beyond are counted).
REVIEW_TIMELINE_MAX = 2000


def operation_review(*, actor, operation_id: int) -> dict:
    """The after-action review (复盘) of an operation, during or after it: everything of
    :func:`operation_view`, plus

    * ``timeline`` — ``(at, kind, params)`` in time order: the operation set up, each unit deployed, each
      alert inside the area raised, acknowledged, dispatched, accepted/declined/unanswered, on scene, closed
      (its timeline), and the deployed units' status changes during the window; at most
      ``REVIEW_TIMELINE_MAX`` (``timeline_more``: how many were left out);
    * ``units`` — per deployed unit: kind, post, status changes in the window, assignments accepted,
      arrivals;
    * ``alert_rows`` — per alert: priority, rule, raised, seconds to acknowledge / dispatch / arrive, state,
      whether the operation owned it (``routed_by = operation``), which rule set raised it.

    Codes and parameters only: the page and the PDF render them in the reader's language. Audited like the
    operation page. Raises ``NotFound``."""
    from pingan.alerts.models import AlertTransition

    view = operation_view(actor=actor, operation_id=operation_id)
    op = view["operation"]
    alerts = view["alerts"]
    end = min(op.ends_at, timezone.now())
    timeline: list[tuple[dt.datetime, str, dict]] = [(op.created_at, "operation_created", {"name": op.name})]
    for d in view["deployments"]:
        timeline.append((d.assigned_at, "unit_deployed", {"unit": d.patrol_unit.code,
                                                          "post": d.post.title if d.post else ""}))
    ids = [a.pk for a in alerts]
    shown = {"raised", "acknowledged", "dispatched", "accepted", "declined", "unanswered", "en_route", "on_scene",
             "closed", "escalated", "resolved"}
    for alert_id, at, action, detail in (
        AlertTransition.objects.filter(alert_id__in=ids, action__in=shown).order_by("at", "id")
        .values_list("alert_id", "at", "action", "detail")
    ):
        timeline.append((at, f"alert_{action}", {"alert": alert_id, "unit": (detail or {}).get("unit", "")}))
    unit_ids = [d.patrol_unit_id for d in view["deployments"]]
    changes_by_unit: dict[int, int] = defaultdict(int)
    for pu_id, code, at, frm, to in (
        StatusChange.objects.filter(patrol_unit_id__in=unit_ids, at__gte=op.starts_at, at__lt=end)
        .order_by("at", "id").values_list("patrol_unit_id", "patrol_unit__code", "at", "from_status", "to_status")
    ):
        changes_by_unit[pu_id] += 1
        timeline.append((at, "unit_status", {"unit": code, "from": frm, "to": to}))
    timeline.sort(key=lambda t: t[0])
    more = max(0, len(timeline) - REVIEW_TIMELINE_MAX)
    accepted: dict[int, int] = defaultdict(int)
    arrived: dict[int, int] = defaultdict(int)
    for pu_id, arr in (
        Assignment.objects.filter(patrol_unit_id__in=unit_ids, state=Assignment.State.ACCEPTED,
                                  created_at__gte=op.starts_at, created_at__lt=end)
        .values_list("patrol_unit_id", "arrived_at")
    ):
        accepted[pu_id] += 1
        arrived[pu_id] += arr is not None
    units = [
        {"code": d.patrol_unit.code, "kind": d.patrol_unit.kind, "post": d.post.title if d.post else "",
         "status_changes": changes_by_unit[d.patrol_unit_id], "accepted": accepted[d.patrol_unit_id],
         "arrived": arrived[d.patrol_unit_id]}
        for d in view["deployments"]
    ]

    def secs(t, a):
        return round(max(0.0, (t - a.created_at).total_seconds())) if t is not None else None

    alert_rows = [
        {"id": a.pk, "priority": a.priority, "rule": a.rule_id, "ruleset": a.ruleset, "created_at": a.created_at,
         "acknowledge_s": secs(a.acknowledged_at, a), "dispatch_s": secs(a.first_assigned, a),
         "arrive_s": secs(a.first_arrived, a), "state": a.state, "owned": a.routed_by == "operation"}
        for a in sorted(alerts, key=lambda a: (a.created_at, a.pk))
    ]
    needs = {k: {"needed": n, "deployed": view["summary"]["units_by_kind"].get(k, 0)}
             for k, n in (op.unit_needs or {}).items()}
    return {**view, "timeline": timeline[:REVIEW_TIMELINE_MAX], "timeline_more": more, "units": units,
            "alert_rows": alert_rows, "needs": needs}


def roster_shifts(*, actor, start: dt.date, end: dt.date) -> list[dict]:
    """The shifts in the actor's line (station chiefs: their subtree; dispatchers: the city) starting on a
    local day in [``start``, ``end``), with their officers and patrol units (and crews). Audited: it says
    where officers are on duty. Raises ``NotFound`` for other roles."""
    if root_path(actor) is None or not _allowed(actor, (Role.DISPATCHER, Role.STATION_CHIEF)):
        raise NotFound("no roster in your line")
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=ZONE)
    hi = dt.datetime.combine(end, dt.time(0), tzinfo=ZONE)
    shifts = list(scope(actor, Shift.objects.select_related("unit")).filter(starts_at__gte=lo, starts_at__lt=hi)
                  .order_by("starts_at", "unit__code", "id"))
    rows = defaultdict(list)
    from pingan.dispatch.models import ShiftAssignment

    for a in (ShiftAssignment.objects.filter(shift__in=shifts).select_related("user__unit", "patrol_unit")
              .order_by("id")):
        rows[a.shift_id].append(a)
    audit.record_read(actor, "Shift", "", purpose="dispatch")
    # officers named as the roster form's pick-list offers them (User.pick_name: a name, or the role and unit with
    # the user name beside it), not by bare user names
    return [{"shift": s, "officers": sorted({a.user.pick_name for a in rows[s.pk] if a.user and not a.patrol_unit}),
             "crews": [(a.patrol_unit.code, a.user.pick_name if a.user else "") for a in rows[s.pk] if a.patrol_unit]}
            for s in shifts]


# ------------------------------------------------------------------ operation templates and reviews (预案, 复盘)


def templates(*, actor) -> list[dict]:
    """The templates the actor may set up operations from and read: the bundled ones, then those written in
    pingan in the actor's line (``OperationTemplate``; a station chief's station, the centre's city). Each
    ``{"key", "title_en", "title_zh", "template" (parsed, or None if it no longer parses), "row" (None for a
    bundled one)}``. Raises ``PermissionDenied`` outside ``OPERATION_ROLES``."""
    from pingan.dispatch import optemplates, services
    from pingan.dispatch.models import OperationTemplate

    if not _allowed(actor, OPERATION_ROLES):
        raise PermissionDenied("only dispatchers and station chiefs read operation templates")
    out = [{"key": t.id, "title_en": t.title_en, "title_zh": t.title_zh, "template": t, "row": None}
           for t in optemplates.bundled().values()]
    for row in scope(actor, OperationTemplate.objects.select_related("unit")):
        try:
            t = services.template_parse(key=row.key, version=row.version, source=row.source)
        except DomainError:
            t = None  # valid when saved; only a changed parser can refuse it now
        out.append({"key": row.key, "title_en": row.title_en, "title_zh": row.title_zh, "template": t, "row": row})
    return out


def template_row(*, actor, key: str):
    """A template written in pingan, in the actor's line. Raises ``NotFound``."""
    from pingan.dispatch.models import OperationTemplate

    row = None
    if _allowed(actor, OPERATION_ROLES):
        row = scope(actor, OperationTemplate.objects.select_related("unit")).filter(key=key).first()
    if row is None:
        raise NotFound(f"template {key} not found")
    return row


def operation_reviews(*, actor, operation_id: int) -> list:
    """The after-action reviews on record for an operation the actor may see, newest first. Raises
    ``NotFound``."""
    from pingan.dispatch.models import OperationReview

    op = operation_get(actor=actor, operation_id=operation_id)
    return list(OperationReview.objects.filter(operation=op).select_related("author"))
