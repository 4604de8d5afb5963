"""Dispatch pages: the command-centre console (map, open alerts, units, response figures; dispatching an
alert to units or a drone) and the officer's unit terminal (assignments on the alerts live stream,
accept/decline, CAD status, AVL position from the browser). Thin: one selector or service per request."""

from __future__ import annotations

import contextlib
import json
from importlib import resources

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.alerts import labels, mapview
from pingan.alerts.models import Jurisdiction
from pingan.alerts.selectors import openable_alert_ids
from pingan.core import audit, texts
from pingan.core.confirm import CONFIRM_FIELD
from pingan.core.downloads import day, download_name, file_response
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError, localised
from pingan.core.models import Role
from pingan.core.paging import counted
from pingan.core.web import page
from pingan.dispatch import alert_text, durations, figures, selectors, services
from pingan.dispatch.models import Drone, PatrolUnit
from pingan.dispatch.scoping import root_path

CONSOLE = frozenset({Role.DISPATCHER, Role.STATION_CHIEF})
CREW = frozenset({Role.OFFICER})
S = PatrolUnit.Status
XIAMEN = "jurisdictions/xiamen_350200_districts.json"


def _console_map(actor) -> mapview.MapView | None:
    """The console's map: the jurisdiction polygons loaded under the actor's line (a station chief's
    station or district, the centre's whole city); without any loaded, the bundled Xiamen districts (the
    real boundaries of ``shared/data/china_geojson_xiamen``). Drawn by the server as SVG: no tile server."""
    root = root_path(actor) or ""
    rows = [
        (j.unit.label, j.geometry)
        for j in Jurisdiction.objects.select_related("unit").order_by("unit__path")
        if j.unit.path.startswith(root)
    ]
    if not rows and actor.unit is not None:  # a station without a polygon: its nearest ancestor's
        chain = actor.unit.path.strip("/").split("/")
        by_path = {j.unit.path: j for j in Jurisdiction.objects.select_related("unit")}
        for i in range(len(chain), 0, -1):
            j = by_path.get("/".join(chain[:i]) + "/")
            if j is not None:
                rows = [(j.unit.label, j.geometry)]
                break
    if not rows:
        data = json.loads(resources.files("pingan.data").joinpath(XIAMEN).read_text(encoding="utf-8"))
        rows = [(f["properties"].get("name", ""), f["geometry"]) for f in data["features"]]
    return mapview.build(rows, width=960)


def _no_fly_paths(m: mapview.MapView | None) -> list[tuple[str, str]]:
    if m is None:
        return []
    out = []
    for z in figures.no_fly_zones():
        poly = z.geometry.context
        pts = [
            (round(4 + (x - m.min_lon) * m.kx * m.scale, 1), round(4 + (m.max_lat - y) * m.scale, 1))
            for x, y in poly.exterior.coords
        ]
        name = (z.name_zh or z.name) if texts.lang() == "zh" else z.name
        out.append((name, "M" + " L".join(f"{x},{y}" for x, y in pts) + " Z"))
    return out


@page(roles=CONSOLE)
@require_GET
def console(request: HttpRequest) -> HttpResponse:
    """The command-centre console (1920×1080, usable on a laptop): live map, open alerts with age against
    the acknowledge target, unit-status board, the day's response figures per station."""
    state = selectors.console_state(actor=request.user)
    audit.record_read(request.user, "Console", "", purpose="dispatch")
    m = _console_map(request.user)
    return TemplateResponse(
        request,
        "dispatch/console.html",
        {
            "map": m,
            "no_fly": _no_fly_paths(m),
            "state_json": json.dumps(state, ensure_ascii=False),
            "statuses": PatrolUnit.Status.choices,
            "kinds": PatrolUnit.Kind.choices,
            "figures": selectors.response_figures(actor=request.user),
            "time_zone": settings.TIME_ZONE,
            "durations": durations.js_templates(),
        },
    )


@page(roles=CONSOLE)
@require_GET
def console_state(request: HttpRequest) -> HttpResponse:
    """The console's changes since ``?cursor=`` as JSON (polled every 500 ms): only the units and alerts that
    changed; without a usable cursor the whole state (``full: true``)."""
    state = selectors.console_changes(actor=request.user, cursor=request.GET.get("cursor", ""))
    return JsonResponse(state, json_dumps_params={"ensure_ascii": False})


@page(roles=CONSOLE | {Role.ANALYST})
@require_GET
def console_figures(request: HttpRequest) -> HttpResponse:
    """The day's response figures per station with the cited reference lines (htmx partial, every minute)."""
    return TemplateResponse(
        request, "dispatch/partials/figures.html", {"figures": selectors.response_figures(actor=request.user)}
    )


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def console_alert(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Dispatch panel of one alert: the nearest available suitable units with their estimates; POST assigns
    the chosen ones (or sends a drone). htmx partial."""
    error = ""
    done = ""
    confirm = None
    alert = selectors.alert_for_dispatch(actor=request.user, alert_id=alert_id)
    if request.method == "POST":
        try:
            if request.POST.get("drone"):
                drone = request.POST["drone"].strip()
                mission = services.drone_dispatch(  # a drone id that is not a number matches no drone (404)
                    actor=request.user, drone_id=int(drone) if drone.isdigit() else 0, lon=0, lat=0,
                    alert_id=alert.pk)
                done = gettext("Drone %(code)s sent: %(eta)s to the alert.") % {
                    "code": mission.drone.patrol_unit.code, "eta": durations.eta_text(mission.eta_s)}
            elif (request.POST.get("reassign") == "1" and request.POST.get(CONFIRM_FIELD) != "1"
                  and request.POST.getlist("unit") and not services.reassign_blocked(request.user, alert)):
                # taking the alert off the units on it is asked first, in the panel and the page's language
                confirm = _confirm_reassign(request, alert)
            else:
                ids = [int(x) for x in request.POST.getlist("unit") if x.isdigit()]
                within = request.POST.get("answer_within_s", "")
                out = services.dispatch_assign(
                    actor=request.user,
                    alert_id=alert.pk,
                    patrol_unit_ids=ids,
                    answer_within_s=int(within) if within.isdigit() else services.DEFAULT_ANSWER_S,
                    reassign=request.POST.get("reassign") == "1",
                )
                done = gettext("Offered to %(units)s; waiting for their answer.") % {
                    "units": texts.join(a.patrol_unit.code for a in out)}
        except DomainError as exc:
            # a unit another station's crew took meanwhile is said in the panel; any other refusal is the 403 page
            if exc.code in ("not_found", "permission_denied") and exc.message_id != "reassign_not_allowed":
                raise
            error = page_message(exc)
    if confirm:
        return confirm
    cands = services.candidates(alert=alert, limit=8)
    # offered only what the services would do for this account: the units it may send, and the reassignment
    # only when it may take the alert off every unit now on it (one rule for showing and doing)
    allowed = services.dispatchable(request.user, [c.unit_id for c in cands])
    blocked = services.reassign_blocked(request.user, alert)
    drones = [
        d
        for d in Drone.objects.select_related("patrol_unit").filter(
            patrol_unit__in=selectors.patrol_units(actor=request.user),
            drone_status=Drone.DroneStatus.READY,
            patrol_unit__status=PatrolUnit.Status.AVAILABLE,
        )
    ]
    return TemplateResponse(
        request,
        "dispatch/partials/alert_dispatch.html",
        {
            "alert": alert,
            "candidates": cands,
            "drones": drones,
            "error": error,
            "done": done,
            "assignments": list(alert.assignments.select_related("patrol_unit").order_by("-id")[:10]),
            "on_it": texts.join(selectors.units_on_alert(alert)),
            "allowed": allowed,
            "first_allowed": next((c.unit_id for c in cands if c.unit_id in allowed), None),
            "can_reassign": not blocked,
            "blocked": texts.join(blocked),
        },
        status=400 if error else 200,
    )


def _confirm_reassign(request: HttpRequest, alert) -> HttpResponse:
    """The dispatch panel's confirmation of a reassignment (htmx partial): which units lose the alert and which
    get it, and a button that posts the same fields again with ``confirmed=1``, or one back to the panel."""
    ids = [int(x) for x in request.POST.getlist("unit") if x.isdigit()]
    fields = [(k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken", CONFIRM_FIELD)
              for v in values]
    to = list(PatrolUnit.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True))
    off = [code for code in selectors.units_on_alert(alert) if code not in to]  # a unit chosen again stays on it
    return TemplateResponse(request, "dispatch/partials/confirm_reassign.html", {
        "alert": alert, "fields": fields, "off": texts.join(off), "to": texts.join(to)})


@page(roles=CREW)
@require_GET
def terminal(request: HttpRequest) -> HttpResponse:
    """The officer's unit terminal: the patrol unit they crew on this shift, its status buttons, its live
    assignments (new ones arrive on the alerts stream), and position reporting from the browser."""
    from pingan.alerts import duty
    from pingan.alerts.models import FeedHead

    now = timezone.now()
    units = services.crew_units(request.user, now)
    assignments = selectors.my_assignments(actor=request.user, now=now)
    on_duty = duty.roster().duty_unit(request.user, now)
    head = FeedHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    return TemplateResponse(
        request,
        "dispatch/terminal.html",
        {
            "units": units,
            "assignments": assignments,
            "duty_unit": on_duty,
            "since": head,
            "actions": {pu.pk: [(to, status_action(pu.status, to)) for to in services.next_statuses(request.user, pu)]
                        for pu in units},
            "time_zone": settings.TIME_ZONE,
            "summaries": {k: str(v) for k, v in alert_text.SUMMARIES.items()},
            "alert_names": {"priorities": {k: str(v) for k, v in labels.PRIORITIES.items()},
                            "rules": {k: str(v) for k, v in labels.RULES.items()},
                            "unknown_rule": str(labels.UNKNOWN_RULE)},
            "durations": durations.js_templates(),
            "left_texts": {k: str(v) for k, v in LEFT_TEXTS.items()},
        },
    )


#: What the terminal says when an alert leaves the crew's unit (the stream's ``left`` item, by its ``reason``:
#: ``services.LEFT_REASONS``); ``{unit}`` and ``{id}`` are filled in by the page's script.
LEFT_TEXTS = {
    "reassigned": gettext_lazy("Alert #{id} was reassigned: {unit} is no longer on it."),
    "stood_down": gettext_lazy("{unit} was stood down from alert #{id} by the station or the command centre."),
    "declined": gettext_lazy("The offer of alert #{id} to {unit} was declined."),
    "expired": gettext_lazy("The offer of alert #{id} to {unit} was not answered in time."),
    "cleared": gettext_lazy("{unit} is off alert #{id}."),
    "landed": gettext_lazy("{unit} is off alert #{id}."),
}


#: The terminal's buttons say what the crew does (issue 11: they read as states, "dispatched"/"已派"), by the
#: status the button sets; ``(from, to)`` where the words depend on where the unit is.
STATUS_ACTIONS = {
    S.EN_ROUTE: pgettext_lazy("unit action", "En route"),
    S.ON_SCENE: pgettext_lazy("unit action", "On scene"),
    S.AVAILABLE: pgettext_lazy("unit action", "Available"),
    (S.OFF_DUTY, S.AVAILABLE): pgettext_lazy("unit action", "On duty: available"),
    (S.ON_SCENE, S.AVAILABLE): pgettext_lazy("unit action", "Cleared: available"),
    S.BUSY: pgettext_lazy("unit action", "Busy: not taking calls"),
    S.OFF_DUTY: pgettext_lazy("unit action", "Off duty"),
}


def status_action(from_status: str, to: str):
    """The words of the button that moves a unit from ``from_status`` to ``to`` (lazy, the reader's language)."""
    return STATUS_ACTIONS.get((from_status, to)) or STATUS_ACTIONS[to]


def _json_or_redirect(request: HttpRequest, ok: dict, status: int = 200) -> HttpResponse:
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse(ok, status=status)
    if not ok.get("ok"):  # a form without script: the refusal is said on the terminal, not dropped
        messages.error(request, ok["error"])
    return redirect("dispatch:terminal")


def _error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    if exc.code in ("not_found", "permission_denied"):
        raise exc
    return _json_or_redirect(request, {"ok": False, "code": exc.code, "error": str(page_message(exc))}, exc.status)


@page(roles=CREW)
@require_POST
def terminal_status(request: HttpRequest) -> HttpResponse:
    try:
        change = services.unit_status_set(
            actor=request.user, patrol_unit_id=int(request.POST.get("unit", "0") or 0), to=request.POST.get("to", "")
        )
    except DomainError as exc:
        return _error(request, exc)
    return _json_or_redirect(request, {"ok": True, "status": change.to_status})


@page(roles=CREW)
@require_POST
def terminal_position(request: HttpRequest) -> HttpResponse:
    """The browser's geolocation (W3C Geolocation API: WGS-84) for the unit(s) the officer crews."""
    try:
        body = json.loads(request.body or b"{}")
        lon, lat = float(body["lon"]), float(body["lat"])
        acc = body.get("accuracy")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"ok": False, "code": "bad_position"}, status=400)
    units = services.crew_units(request.user, timezone.now())
    if not units:
        return JsonResponse({"ok": False, "code": "no_unit"}, status=409)
    try:
        for pu in units:
            services.position_report(
                actor=request.user,
                patrol_unit_id=pu.pk,
                lon=lon,
                lat=lat,
                crs="wgs84",
                source="terminal",
                accuracy_m=float(acc) if acc is not None else None,
            )
    except DomainError as exc:
        return JsonResponse({"ok": False, "code": exc.code}, status=exc.status)
    return JsonResponse({"ok": True, "units": [pu.code for pu in units]})


@page(roles=CREW)
@require_POST
def terminal_answer(request: HttpRequest, assignment_id: int) -> HttpResponse:
    try:
        a = services.assignment_answer(
            actor=request.user, assignment_id=assignment_id, accept=request.POST.get("answer") == "accept"
        )
    except DomainError as exc:
        return _error(request, exc)
    return _json_or_redirect(request, {"ok": True, "state": a.state})


# ------------------------------------------------------------------------ large-event security (大型安保)


def _local_dt(value: str):
    """A ``datetime-local`` form value, read in Asia/Shanghai; ``None`` if empty or malformed."""
    import datetime as dt

    from pingan.dispatch.roster import ZONE

    try:
        return dt.datetime.fromisoformat(value.strip()).replace(tzinfo=ZONE)
    except ValueError:
        return None


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def operations(request: HttpRequest) -> HttpResponse:
    """Security operations in the viewer's line, and the form that sets one up: the area as a list of points
    (latitude and longitude fields, blank rows skipped), or typed as ``lon,lat`` pairs under "for experts"."""
    from pingan.core.models import OrgUnit
    from pingan.dispatch import area, point_fields

    error, form, errors, rows = "", {}, {}, None
    if request.method == "POST":
        form = request.POST
        unit = OrgUnit.objects.filter(code=form.get("unit", "")).first() or request.user.unit
        points, errors, rows = point_fields.read_area_rows(form)
        expert = form.get("area", "").strip()
        if not points and not errors and expert:
            try:
                points = area.parse_pairs(expert)
            except area.BadArea as e:
                errors["area"] = str(page_message(services.area_error(e)))
        if not errors:
            starts, ends = _local_dt(form.get("starts_at", "")), _local_dt(form.get("ends_at", ""))
            try:
                if starts is None or ends is None:
                    raise DomainError("times missing", code="bad_operation", params={})
                attendance = int(form.get("expected_attendance") or 0)
                op = services.operation_create(
                    actor=request.user, unit=unit, name=form.get("name", ""), venue=form.get("venue", ""),
                    starts_at=starts, ends_at=ends, area_points=points, crs=form.get("crs", "wgs84"),
                    expected_attendance=attendance,
                )
                return redirect("dispatch:operation", operation_id=op.pk)
            except ValueError:
                error = str(page_message(DomainError("bad attendance", code="bad_operation", params={})))
            except DomainError as exc:
                if exc.code in ("not_found", "permission_denied"):
                    raise
                if exc.code == "bad_area":
                    errors["area"] = str(page_message(exc))
                else:
                    error = str(page_message(exc))
    return operations_page(request, error=error, form=form, errors=errors, rows=rows)


def operations_page(request: HttpRequest, *, error: str = "", form=None, errors=None, rows=None,
                    hand: bool = True) -> HttpResponse:
    """The operations list with both set-up forms (from a template; by hand), ``error`` shown above them and
    ``errors`` (field name → message) beside their fields (400 if any)."""
    from django.utils.translation import get_language

    from pingan.core.models import OrgUnit
    from pingan.dispatch import point_fields

    errors = errors or {}
    root = root_path(request.user) or "-"
    lang = get_language() or "en"
    area_rows = [{**r, "lat_error": errors.get(f"area_lat_{i}", ""), "lon_error": errors.get(f"area_lon_{i}", ""),
                  "n": i + 1} for i, r in enumerate(point_fields.blank_rows(rows))]
    return TemplateResponse(
        request,
        "dispatch/operations.html",
        {
            "operations": counted(selectors.operations(actor=request.user), request.GET.get("page")),
            "units": OrgUnit.objects.filter(path__startswith=root).order_by("path"),
            "templates": [(d["key"], d["template"].title(lang), d["template"])
                          for d in selectors.templates(actor=request.user) if d["template"] is not None],
            "error": error,
            "errors": errors,
            "hand_open": hand and bool(error or errors),
            "area_rows": area_rows,
            "crs_choices": point_fields.CRS_CHOICES,
            "tform": {} if hand else form or {},
            "hform": (form or {}) if hand else {},
            "now": timezone.now(),
        },
        status=400 if error or errors else 200,
    )


def _operation_page(request: HttpRequest, operation_id: int, error: str = "", errors=None, form=None
                    ) -> HttpResponse:
    from pingan.dispatch import area, point_fields
    from pingan.dispatch.models import OperationPost
    from pingan.dispatch.scoping import can_manage_unit

    view = selectors.operation_view(actor=request.user, operation_id=operation_id)
    openable = openable_alert_ids(actor=request.user, alert_ids=[a.pk for a in view["alerts"]])
    deployed = {d.patrol_unit_id for d in view["deployments"]}
    free = [pu for pu in selectors.patrol_units(actor=request.user).order_by("code")
            if pu.pk not in deployed and can_manage_unit(request.user, pu.unit)]
    template = "dispatch/partials/operation_live.html" if request.headers.get("HX-Request") else \
        "dispatch/operation.html"
    project, d = area.svg_frame(view["operation"].area)
    marks = [("post " + p.kind, p.title, *project(p.lon, p.lat)) for p in view["posts"]]
    marks += [("alert " + a.priority, f"#{a.pk}", *project(a.lon, a.lat)) for a in view["alerts"]]
    drone_paths = [(code, " ".join("{},{}".format(*project(x, y)) for x, y in pts))
                   for code, pts in view["drone_paths"]]
    sectors = [(sec["name_zh"] if texts.lang() == "zh" else sec["name_en"],
                "M" + " L".join("{},{}".format(*project(x, y)) for x, y in sec["polygon"]) + " Z")
               for sec in view["operation"].sectors or []]
    return TemplateResponse(
        request, template,
        {**view, "free_units": free, "post_kinds": OperationPost.Kind.choices, "error": error,
         "errors": errors or {}, "form": form or {}, "crs_choices": point_fields.CRS_CHOICES,
         "area_d": d, "marks": marks, "openable": openable, "sector_paths": sectors,
         "here": reverse("dispatch:operation", kwargs={"operation_id": operation_id}),
         "drone_path_points": drone_paths},
        status=400 if error or errors else 200,
    )


@page(roles=CONSOLE)
@require_GET
def operation(request: HttpRequest, operation_id: int) -> HttpResponse:
    """An operation: its area on a small map, posts, deployed units with their CAD status, alerts inside its
    area and window (refreshed by htmx every 10 s) and the after-action figures."""
    return _operation_page(request, operation_id)


def _operation_write(request: HttpRequest, operation_id: int, write) -> HttpResponse:
    """Run ``write()`` (a service call); back to the page, or the page with the translated error (400)."""
    try:
        write()
    except ValueError:
        return _operation_page(request, operation_id, str(page_message(DomainError("bad", code="bad_post"))))
    except DomainError as exc:
        if exc.code in ("not_found", "permission_denied"):
            raise
        return _operation_page(request, operation_id, str(page_message(exc)))
    return redirect("dispatch:operation", operation_id=operation_id)


@page(roles=CONSOLE)
@require_POST
def operation_post(request: HttpRequest, operation_id: int) -> HttpResponse:
    """Add a post or checkpoint: its name, kind and position (latitude and longitude fields, each checked)."""
    from pingan.dispatch import point_fields

    p = request.POST
    point, errors = point_fields.read_point(p.get("lat", ""), p.get("lon", ""))
    if point is None:
        return _operation_page(request, operation_id, errors=errors, form=p)
    return _operation_write(request, operation_id, lambda: services.operation_post_add(
        actor=request.user, operation_id=operation_id, name=p.get("name", ""), kind=p.get("kind", ""),
        lon=point[0], lat=point[1], crs=p.get("crs", "wgs84"),
    ))


@page(roles=CONSOLE)
@require_POST
def operation_deploy(request: HttpRequest, operation_id: int) -> HttpResponse:
    post = request.POST.get("post") or ""
    return _operation_write(request, operation_id, lambda: services.operation_deploy(
        actor=request.user, operation_id=operation_id,
        patrol_unit_ids=[int(x) for x in request.POST.getlist("unit")], post_id=int(post) if post else None,
    ))


@page(roles=CONSOLE)
@require_POST
def operation_from_template(request: HttpRequest) -> HttpResponse:
    """Set up an operation from a template: the template, the event's name and venue, the venue point
    (latitude and longitude fields in the chosen coordinate system), the start (Beijing time) and the
    commanding unit; the rest comes from the template."""
    from pingan.core.models import OrgUnit
    from pingan.dispatch import point_fields

    form = request.POST
    unit = OrgUnit.objects.filter(code=form.get("unit", "")).first() or request.user.unit
    point, errors = point_fields.read_point(form.get("lat", ""), form.get("lon", ""))
    if point is None:
        return operations_page(request, form=form, errors=errors, hand=False)
    try:
        starts = _local_dt(form.get("starts_at", ""))
        if starts is None:
            raise DomainError("start missing", code="bad_operation", params={})
        attendance = form.get("expected_attendance", "").strip()
        op = services.operation_from_template(
            actor=request.user, unit=unit, template_id=form.get("template", ""), name=form.get("name", ""),
            venue=form.get("venue", ""), lon=point[0], lat=point[1], crs=form.get("crs", "wgs84"),
            starts_at=starts, expected_attendance=int(attendance) if attendance.isdigit() else None,
        )
    except DomainError as exc:
        if exc.code in ("not_found", "permission_denied"):
            raise
        return operations_page(request, error=str(page_message(exc)), form=form, hand=False)
    return redirect("dispatch:operation", operation_id=op.pk)


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def operation_review(request: HttpRequest, operation_id: int) -> HttpResponse:
    """The after-action review (复盘): units needed and deployed, response figures, the alerts inside the
    area with their response times, the units, and the timeline; a link to the printable PDF; the reviews on
    record and (POST) the form that records one."""
    from pingan.dispatch import review
    from pingan.dispatch.scoping import can_manage_unit

    error, findings = "", ""
    if request.method == "POST":
        findings = request.POST.get("findings", "")
        try:
            services.operation_review_record(actor=request.user, operation_id=operation_id, findings=findings)
            return redirect(f"{request.path}#reviews")
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied"):
                raise
            error = str(page_message(exc))
    r = selectors.operation_review(actor=request.user, operation_id=operation_id)
    openable = openable_alert_ids(actor=request.user, alert_ids=[a["id"] for a in r["alert_rows"]])
    return TemplateResponse(request, "dispatch/operation_review.html",
                            {**r, "openable": openable, "timeline_rows": review.timeline_rows(r),
                             "kinds": dict(PatrolUnit.Kind.choices),
                             "reviews": selectors.operation_reviews(actor=request.user, operation_id=operation_id),
                             "may_record": can_manage_unit(request.user, r["operation"].unit),
                             "review_error": error, "findings": findings},
                            status=400 if error else 200)


# ------------------------------------------------------------------ operation templates (预案模板)


def _template_units(actor):
    from pingan.core.models import OrgUnit

    root = root_path(actor) or "-"
    return OrgUnit.objects.filter(path__startswith=root).order_by("path")


@page(roles=CONSOLE)
@require_GET
def operation_templates(request: HttpRequest) -> HttpResponse:
    """The templates: bundled (read, copy) and those of the viewer's line (edit), and a link to write one."""
    zh = texts.lang(when_none="en") == "zh"
    rows = [{**d, "title": (d["title_zh"] if zh else d["title_en"])}
            for d in selectors.templates(actor=request.user)]
    return TemplateResponse(request, "dispatch/operation_templates.html", {"templates": rows})


def _starter_source(key: str | None, actor) -> str:
    """The TOML a new template starts from: a copy of ``key`` (bundled or of the line) or the stadium one,
    without its id and version (pingan manages those)."""
    from importlib import resources

    from pingan.dispatch import optemplates

    t = optemplates.bundled().get(key or "stadium-event") or optemplates.bundled()["stadium-event"]
    text = resources.files("pingan.dispatch").joinpath(t.path).read_text(encoding="utf-8")
    if key and key not in optemplates.bundled():
        with contextlib.suppress(DomainError):  # not in the viewer's line: the stadium template instead
            text = selectors.template_row(actor=actor, key=key).source
    return "\n".join(line for line in text.splitlines() if not line.startswith(("id =", "version ="))) + "\n"


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def operation_template_new(request: HttpRequest) -> HttpResponse:
    """Write a template: its id, the owning station or centre, and the TOML (checked as the bundled files
    are; every problem named by field in the reader's language)."""
    from pingan.core.models import OrgUnit

    error = ""
    form = {"key": "", "unit": request.user.unit.code if request.user.unit else "",
            "source": _starter_source(request.GET.get("from"), request.user)}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("key", "unit", "source")}
        unit = OrgUnit.objects.filter(code=form["unit"]).first() or request.user.unit
        try:
            row = services.template_create(actor=request.user, unit=unit, key=form["key"], source=form["source"])
            return redirect("dispatch:operation_template", key=row.key)
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied"):
                raise
            error = str(page_message(exc))
    return TemplateResponse(request, "dispatch/operation_template.html",
                            {"form": form, "error": error, "row": None, "units": _template_units(request.user)},
                            status=400 if error else 200)


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def operation_template(request: HttpRequest, key: str) -> HttpResponse:
    """Edit a template of the viewer's line (a new version on save; a save by someone else in between is
    refused, nothing overwritten). Another line's template is 404."""
    row = selectors.template_row(actor=request.user, key=key)
    error, status = "", 200
    form = {"key": row.key, "unit": row.unit.code, "source": row.source, "version": row.semver}
    if request.method == "POST":
        form = {**form, "source": request.POST.get("source", ""), "version": request.POST.get("version", "")}
        try:
            row = services.template_update(actor=request.user, template_pk=row.pk, source=form["source"],
                                           expected_version=form["version"])
            return redirect(f"{request.path}?saved={row.semver}")
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied"):
                raise
            error, status = str(page_message(exc)), exc.status
    return TemplateResponse(request, "dispatch/operation_template.html",
                            {"form": form, "error": error, "row": row, "units": _template_units(request.user),
                             "saved": request.GET.get("saved", "")}, status=status)


@page(roles=CONSOLE)
@require_GET
def operation_review_pdf(request: HttpRequest, operation_id: int) -> HttpResponse:
    """The after-action review as an A4 PDF in the reader's language."""
    from pingan.dispatch import review

    r = selectors.operation_review(actor=request.user, operation_id=operation_id)
    op = r["operation"]
    # the operation, what the file is and its day: "鼓浪屿音乐节-复盘报告-2026-12-07.pdf", not operation-3-review.pdf
    return file_response(review.review_pdf(r, generated_by=request.user.shown_name), "application/pdf",
                         download_name(op.name, gettext("After-action review"), day(op.starts_at), ext="pdf"))


# ------------------------------------------------------------------------------------- duty rosters (排班)

ROSTER_ERRORS = {
    "roster_no_header": gettext_lazy("No header row naming the columns: the file needs %(columns)s; its first row "
                                     "holds %(found)s. Correct the header and import the file again."),
    "roster_no_people_column": gettext_lazy("The header (%(found)s) names neither an “officer” nor a “unit” column. "
                                            "Add one and import the file again."),
    "roster_too_many_rows": gettext_lazy("%(rows)s rows: at most %(limit)s in one file; split it."),
    "roster_bad_date": gettext_lazy("“%(value)s” is not a date: write YYYY-MM-DD."),
    "roster_bad_time": gettext_lazy("“%(value)s” is not a time: write HH:MM (24-hour, Beijing time)."),
    "roster_missing": gettext_lazy("The %(field)s is missing."),
    "roster_too_long": gettext_lazy("Longer than %(limit)s characters."),
    "roster_nobody": gettext_lazy("The row names neither an officer nor a unit."),
    # one or several by ``n`` (pingan.lib.textchars.named)
    "roster_control_character": ngettext_lazy(
        "Character %(position)s of the cell is an invisible control character, %(char)s, which changes how the text "
        "shows: type the cell again.",
        "Characters %(position)s of the cell are invisible control characters, %(char)s, which change how the text "
        "shows: type the cell again.", "n"),
    "roster_station_unknown": gettext_lazy("Station %(station)s is not a unit in your line."),
    "roster_bad_shift": gettext_lazy("The shift is longer than 24 hours."),
    "roster_officer_unknown": gettext_lazy("No officer with the user name %(officer)s."),
    "roster_officer_elsewhere": gettext_lazy("Officer %(officer)s does not belong to %(station)s."),
    "roster_unit_unknown": gettext_lazy("No patrol unit with the call sign %(unit)s."),
    "roster_unit_elsewhere": gettext_lazy("Patrol unit %(unit)s does not belong to %(station)s."),
    "roster_unreadable": gettext_lazy("The file cannot be read: %(reason)s"),
}
#: The codes of a problem with the whole file rather than with rows (the page says so, not "correct these rows").
ROSTER_FILE_CODES = frozenset({"roster_no_header", "roster_no_people_column", "roster_too_many_rows",
                               "roster_unreadable"})
ROSTER_NO_FILE = gettext_lazy("Choose a roster file (CSV or XLSX) first.")
ROSTER_FIELDS = {"shift": pgettext_lazy("roster column", "shift name"),
                 "station": pgettext_lazy("roster column", "station")}


def roster_error_text(e) -> str:
    """One row-level error of a roster file in the reader's language."""
    params = localised(e.params, get_language() or "")
    if "field" in params:
        params["field"] = str(ROSTER_FIELDS.get(params["field"], params["field"]))
    return str(ROSTER_ERRORS[e.code] % params)  # one or several (ngettext_lazy on "n") chosen by the filling


@page(roles=CONSOLE)
@require_http_methods(["GET", "POST"])
def roster(request: HttpRequest) -> HttpResponse:
    """The duty roster (排班) of the viewer's line: the shifts from yesterday to a week ahead with who is on
    them; a form that makes a shift (officers, and patrol units with their crew); a roster file import
    (CSV/XLSX) that lists every row's error and saves nothing until none is left."""
    import datetime as dt

    from pingan.core.models import OrgUnit, User
    from pingan.dispatch.roster import ZONE, shift_bounds

    error, errors, done, form = "", [], "", request.POST if request.method == "POST" else {}
    file_problem = False
    if request.method == "POST" and request.POST.get("action") == "import":
        f = request.FILES.get("file")
        if f is None:
            errors = [(0, "", str(ROSTER_NO_FILE))]
        else:
            shifts, errs = services.roster_import(actor=request.user, data=f.read(), filename=f.name)
            errors = [(e.row, e.column, roster_error_text(e)) for e in errs]
            # a file-level problem (its header, its size, unreadable) is not a list of rows to correct
            file_problem = any(e.code in ROSTER_FILE_CODES for e in errs)
            done = str(len(shifts)) if not errs else ""
    elif request.method == "POST":
        try:
            unit = OrgUnit.objects.filter(code=form.get("station", "")).first()
            day = dt.date.fromisoformat(form.get("day", ""))
            start, end = dt.time.fromisoformat(form.get("start", "")), dt.time.fromisoformat(form.get("end", ""))
        except ValueError:
            unit = None
        if unit is None:
            error = str(page_message(DomainError("bad shift", code="bad_roster_shift", params={})))
        else:
            starts, ends = shift_bounds(day, start, end)
            users = {u.pk: u for u in User.objects.select_related("unit").filter(
                pk__in=[int(x) for x in form.getlist("officer") + [form.get(f"crew_{p}", "") for p in
                                                                     form.getlist("unit")] if x.isdigit()])}
            units = {p.pk: p for p in selectors.patrol_units(actor=request.user).filter(
                pk__in=[int(x) for x in form.getlist("unit") if x.isdigit()])}
            crews = []
            for pid, pu in units.items():
                crew = form.get(f"crew_{pid}", "")
                crews.append((pu, [users[int(crew)]] if crew.isdigit() and int(crew) in users else []))
            try:
                services.shift_create(actor=request.user, unit=unit, name=form.get("name", ""), starts_at=starts,
                                      ends_at=ends, users=[users[int(x)] for x in form.getlist("officer")
                                                           if x.isdigit() and int(x) in users], crews=crews)
                return redirect("dispatch:roster")
            except DomainError as exc:
                if exc.code in ("not_found", "permission_denied"):
                    raise
                error = str(page_message(exc))
    root = root_path(request.user) or "-"
    today = timezone.now().astimezone(ZONE).date()
    shifts = selectors.roster_shifts(actor=request.user, start=today - dt.timedelta(days=1),
                                     end=today + dt.timedelta(days=8))
    return TemplateResponse(
        request, "dispatch/roster.html",
        {"shifts": shifts, "stations": OrgUnit.objects.filter(path__startswith=root).order_by("path"),
         "officers": User.objects.filter(unit__path__startswith=root, role__in=[Role.OFFICER, Role.STATION_CHIEF],
                                         is_active=True).order_by("username"),
         "patrol_units": selectors.patrol_units(actor=request.user).order_by("code"),
         "error": error, "errors": errors, "file_problem": file_problem, "done": done, "form": form, "today": today},
        status=400 if (error or errors) else 200,
    )
