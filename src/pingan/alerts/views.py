"""Alerts pages: the officer's terminal (live stream, duty, map, one-tap acknowledge), an alert with its
timeline and response buttons, the dead-letter store, silences and the watch list (布控); the SSE
stream; and the GA/T 1400 (VIID) endpoints a checkpoint platform cascades to. Thin: one selector or service
per request."""

from __future__ import annotations

import datetime as dt
import json

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db.models import Case, Q, Value, When
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pingan.alerts import backlinks, duty, labels, mapview, selectors, services
from pingan.alerts.models import Device, Jurisdiction, disposition_choices
from pingan.core.confirm import confirm_first
from pingan.core.error_messages import page_message
from pingan.core.errors import DomainError
from pingan.core.models import OrgUnit, Role, unit_label
from pingan.core.paging import counted, kept_query
from pingan.core.texts import paren
from pingan.core.web import page

RESPONDERS = frozenset({Role.OFFICER, Role.STATION_CHIEF, Role.DISPATCHER})
READERS = RESPONDERS | {Role.ANALYST}
OPERATORS = frozenset({Role.ADMIN, Role.ANALYST})
MANAGERS = frozenset({Role.STATION_CHIEF, Role.ANALYST})  # silences and the watch list (services._require)
WATCHERS = frozenset({Role.OFFICER, Role.STATION_CHIEF, Role.ANALYST})  # read the watch list


#: The most a duration field (:func:`_hours`) takes: ten years.
MAX_HOURS = 24 * 366 * 10


def _hours(text: str, default: float | None) -> float | None:
    """A duration field: blank → ``default``; not a positive number up to :data:`MAX_HOURS` → 0 (the service
    refuses it)."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        return 0.0
    return value if 0 < value <= MAX_HOURS else 0.0


def _map_for(unit, *, marks: list[tuple[str, float, float, str]] = ()) -> mapview.MapView | None:
    """The map around ``unit``: every loaded jurisdiction with its name, the unit's own polygon (else its
    nearest ancestor's) framed and highlighted, the devices of the unit's line, and ``marks`` (an alert's
    position). Nothing is fetched from the network: the polygons are the loaded GeoJSON/KML."""
    rows = list(Jurisdiction.objects.select_related("unit"))
    own_path = ""
    if unit is not None:
        paths = {j.unit.path for j in rows}
        chain = unit.path.strip("/").split("/")
        for i in range(len(chain), 0, -1):
            if "/".join(chain[:i]) + "/" in paths:
                own_path = "/".join(chain[:i]) + "/"
                break
    areas = [(j.unit.label, j.geometry, j.unit.path == own_path) for j in rows]
    if own_path:  # the framed area's city: its neighbours, not another city's polygons
        parent = own_path.rstrip("/").rsplit("/", 1)[0] + "/" if own_path.count("/") > 1 else own_path
        areas = [a for a, j in zip(areas, rows, strict=True) if j.unit.path.startswith(parent)]
    elif unit is not None and any(j.unit.path.startswith(unit.path) for j in rows):
        # a unit above the polygons (a bureau's analyst): the polygons of its line, framed together
        areas = [a for a, j in zip(areas, rows, strict=True) if j.unit.path.startswith(unit.path)]
    devices = Device.objects.exclude(status=Device.Status.RETIRED).filter(lon__isnull=False)
    if unit is not None:
        devices = devices.filter(unit__path__startswith=unit.path)
    return mapview.build(areas, devices=[(d.label, d.lon, d.lat) for d in devices[:500]], marks=list(marks),
                         max_height=360)


@page(roles=READERS)
@require_GET
def terminal(request: HttpRequest) -> HttpResponse:
    """The terminal: on/off duty, the open alerts of the duty unit, the live stream, the map."""
    user = request.user
    unit = duty.roster().duty_unit(user, timezone.now())
    alerts = list(selectors.alert_list(actor=user, open_only=True).filter(unit=unit)[:50]) if unit else []
    head = services.FeedHead.objects.filter(id=1).values_list("seq", flat=True).first() or 0
    return TemplateResponse(
        request,
        "alerts/terminal.html",
        {
            "duty_unit": unit,
            "alerts": alerts,
            "since": head,
            "map": _map_for(unit or user.unit),
            "labels": labels.js_table(),
            "time_zone": settings.TIME_ZONE,
            "initial_alerts": [services.alert_payload(a) for a in reversed(alerts)],
        },
    )


@page(roles=RESPONDERS)
@require_POST
def duty_toggle(request: HttpRequest) -> HttpResponse:
    if request.POST.get("on") == "1":
        try:
            hours = float(request.POST.get("hours") or 8)
        except ValueError:
            hours = 0.0  # not a number: refused as a shift out of range (bad_shift), never a server error
        services.duty_start(actor=request.user, hours=hours)
    else:
        services.duty_end(actor=request.user)
    return redirect("alerts:terminal")


@page(roles=READERS)
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    """An alert with its timeline; POST moves it on (acknowledge, en route, on scene, close)."""
    error = ""
    if request.method == "POST":
        try:
            services.alert_transition(
                actor=request.user,
                alert_id=alert_id,
                to=request.POST.get("to", ""),
                disposition=request.POST.get("disposition", ""),
                notes=request.POST.get("notes", ""),
            )
            if request.headers.get("Accept", "").startswith("application/json"):
                return HttpResponse(json.dumps({"ok": True}), content_type="application/json")
            return redirect(backlinks.keep_from(request, reverse("alerts:alert", args=[alert_id])))
        except DomainError as exc:
            if request.headers.get("Accept", "").startswith("application/json"):
                return HttpResponse(
                    json.dumps({"ok": False, "error": str(page_message(exc))}),
                    content_type="application/json",
                    status=exc.status,
                )
            if exc.code in ("not_found", "permission_denied"):
                raise
            error = page_message(exc)
    alert = selectors.alert_get(actor=request.user, alert_id=alert_id)
    timeline = list(alert.timeline.all())
    # a timeline pruned under the retention rule keeps one step saying so: said as a sentence, not as a step
    pruned = next((t for t in timeline if t.action == services.TIMELINE_PRUNED), None)
    timeline = [t for t in timeline if t.action != services.TIMELINE_PRUNED]
    unit_codes = {str(t.detail.get("unit")) for t in timeline if (t.detail or {}).get("unit")}
    units = {u.code: u.label for u in OrgUnit.objects.filter(code__in=unit_codes)}
    device_ids = {str(v) for t in timeline for k, v in (t.detail or {}).items() if k == "device"}
    device_ids |= {str(alert.params.get("other_device"))} if alert.params.get("other_device") else set()
    devices = {i: unit_label(n, en) for i, n, en in
               Device.objects.filter(device_id__in=device_ids).values_list("device_id", "name", "name_en")}
    device_name = alert.device.label if alert.device_id else ""
    marks = [(labels.summary_text(alert.summary, alert.params, device_name=device_name), alert.lon, alert.lat,
              alert.priority)] if alert.lon is not None else []
    return TemplateResponse(
        request,
        "alerts/alert.html",
        {
            "alert": alert,
            "timeline": [(t, labels.timeline_detail(t.action, t.detail, units=units, devices=devices))
                         for t in timeline],
            "details": labels.param_rows(alert.summary, alert.params, device_name=device_name, devices=devices),
            "map": _map_for(alert.unit, marks=marks),
            "tz": labels.utc_offset(),
            "error": error,
            "dispositions": disposition_choices(),
            "false_alarms": (
                selectors.false_alarms(actor=request.user, alert=alert)
                if request.user.role in (Role.ANALYST, Role.STATION_CHIEF) else None
            ),
            "can_act": request.user.role in RESPONDERS and alert.open,
            "back": backlinks.back(request),
            "pruned": pruned,
        },
    )


#: Why an input was refused (a dead letter's ``reason_code``) and what to do, in the reader's language; the
#: logged detail (``reason``, English, naming the field or value) is shown beside it as logged.
UNKNOWN_REASON = gettext_lazy("Refused for a reason of a later version of pingan: see the technical details.")
DEAD_LETTER_REASONS = {
    "bad_json": gettext_lazy("The input is not valid JSON: have the device or platform send well-formed JSON."),
    "bad_envelope": gettext_lazy("The input is not in the expected envelope: check the device's message format "
                                 "against the alerts documentation."),
    "bad_record": gettext_lazy("A record of the platform's list is malformed: check the platform's GA/T 1400 "
                               "output."),
    "bad_event_id": gettext_lazy("The event ID is missing or malformed: the device must give each event an ID."),
    "bad_device_id": gettext_lazy("The device ID is missing or malformed: correct it in the device's settings."),
    "unknown_device": gettext_lazy("The device is not registered: register it, then replay."),
    "retired_device": gettext_lazy("The device is retired: bring it back into service, or ignore its inputs."),
    "topic_mismatch": gettext_lazy("The device ID in the message differs from the one in the topic: correct the "
                                   "device's settings."),
    "missing_field": gettext_lazy("A required field is missing: see the detail, correct the device's output."),
    "bad_field": gettext_lazy("The input has fields pingan does not know: see the detail and the alerts "
                              "documentation."),
    "unknown_type": gettext_lazy("The event type is not known: use a type of the alert rules, or add it."),
    "bad_attributes": gettext_lazy("The event's attributes are malformed: see the detail."),
    "bad_time": gettext_lazy("The event time cannot be read: see the detail for the expected format."),
    "impossible_time": gettext_lazy("The event time is in the future or before the device was registered: "
                                    "correct the device's clock, then replay."),
    "bad_position": gettext_lazy("The position cannot be read: see the detail."),
    "implausible_position": gettext_lazy("The position is too far from the device's registered place: correct "
                                         "the device's position or its registration, then replay."),
    "too_large": gettext_lazy("The input is larger than pingan accepts: send smaller batches."),
    "unsupported_object": gettext_lazy("Records of this kind are not turned into events; they are kept here."),
    "bad_id_number": gettext_lazy("A resident ID number in the record fails its check digit: the record was "
                                  "not used."),
    "unknown_subscription": gettext_lazy("The notification names a subscription pingan does not have."),
    "subscription_expired": gettext_lazy("The notification is for a cancelled or expired subscription."),
    "wrong_platform": gettext_lazy("The notification came from another platform than the subscription's."),
    "platform_not_registered": gettext_lazy("The platform is not registered here: have it register first."),
}


@page(roles=OPERATORS)
@require_http_methods(["GET", "POST"])
def dead_letters(request: HttpRequest) -> HttpResponse:
    """The dead-letter store: refused inputs with their reasons; replay after fixing the cause."""
    result = None
    if request.method == "POST":
        ids = [int(x) for x in request.POST.getlist("id") if x.isdigit()]
        result = services.dead_letters_replay(
            actor=request.user, ids=ids or None, reason_code=request.POST.get("reason_code", "")
        )
    reason = request.GET.get("reason_code", "")
    letters = counted(selectors.dead_letter_list(actor=request.user, reason_code=reason), request.GET.get("page"))
    for d in letters:
        d.explained = DEAD_LETTER_REASONS.get(d.reason_code, UNKNOWN_REASON)
    # the filter offers the reasons in words (issue 11: a text field that wanted the code, e.g. bad_json)
    reasons = [(code, str(label).split(":")[0].split("：")[0]) for code, label in DEAD_LETTER_REASONS.items()]
    return TemplateResponse(
        request, "alerts/dead_letters.html",
        {"letters": letters, "result": result, "reason_code": reason, "reasons": reasons,
         "replay_batch": services.REPLAY_BATCH, "query": kept_query(request.GET, ("reason_code",))},
    )


@page(roles=READERS)
@require_http_methods(["GET", "POST"])
def silences(request: HttpRequest) -> HttpResponse:
    """Silences of the reader's line (active first); station chiefs and analysts create one (matchers, how
    long, a comment) or end one early. Every change is audited by the service."""
    error = ""
    errors: dict[str, str] = {}
    form = {"rule": "", "device": "", "unit": "", "priority": "", "plate": "", "matchers": "", "hours": "2",
            "comment": ""}
    if request.method == "POST":
        if request.POST.get("expire") and (confirm := confirm_first(request, action=_("End the silence now"))):
            return confirm
        try:
            if request.POST.get("expire", "").isdigit():
                services.silence_expire(actor=request.user, silence_id=int(request.POST["expire"]))
                return redirect("alerts:silences")
            form = {k: request.POST.get(k, "") for k in form}
            errors = _silence_errors(form)
            if not errors:
                services.silence_create(
                    actor=request.user, matchers=_silence_matchers(form),
                    ends_at=timezone.now() + dt.timedelta(hours=_hours(form["hours"], 2.0)),
                    comment=form["comment"],
                )
                return redirect("alerts:silences")
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied"):
                raise
            if exc.code == "bad_matcher":
                errors["matchers"] = page_message(exc)
            else:
                error = page_message(exc)
        if errors:
            error = _("Check the fields marked below.")
    now = timezone.now()
    active = Q(expired_at__isnull=True, starts_at__lte=now, ends_at__gt=now)
    shown = counted(selectors.silence_list(actor=request.user).annotate(
        ended=Case(When(active, then=Value(0)), default=Value(1))).order_by("ended", "-id"),  # active first
        request.GET.get("page"))
    rows = [(s, s.ended == 0) for s in shown]
    devices = list(selectors.device_list(actor=request.user).order_by("name")[:500])
    units = list(OrgUnit.objects.filter(path__startswith=request.user.unit.path)) if request.user.unit_id else []
    names = {"device": {d.device_id: d.label for d in devices}, "unit": {u.code: u.label for u in units}}
    rows = [(s, active, [labels.matcher_text(m, names) for m in s.matchers]) for s, active in rows]
    choices = {
        "rules": sorted(((k, str(v)) for k, v in labels.RULES.items()), key=lambda c: c[1]),
        "devices": [(d.device_id, f"{d.label}{paren(d.device_id)}") for d in devices],
        "units": [(u.code, u.label) for u in units],
        "priorities": [(k, str(v)) for k, v in labels.PRIORITIES.items()],
    }
    return TemplateResponse(
        request,
        "alerts/silences.html",
        {"rows": rows, "shown": shown, "now": now, "error": error, "errors": errors, "form": form, "choices": choices,
         "can_manage": request.user.role in MANAGERS},
    )


def _silence_errors(form: dict[str, str]) -> dict[str, str]:
    """The silence form's own mistakes, each on its field: the hours (blank means 2; else a number more than 0 and
    at most :data:`MAX_HOURS`), what to mute (at least one field or matcher line) and the comment."""
    errors = {}
    if _hours(form["hours"], 2.0) == 0.0:
        errors["hours"] = _("Hours: a number more than 0 and at most %(max)s (ten years), such as 2 or 0.5.") % {
            "max": MAX_HOURS}
    if not _silence_matchers(form):
        errors["what"] = _("Choose at least one: a rule, a device, a unit, a priority, a plate or a matcher line.")
    if not form["comment"].strip():
        errors["comment"] = _("Say why: the comment is recorded with the silence.")
    return errors


def _silence_matchers(form: dict[str, str]) -> list[str]:
    """The silence form's fields as the service's matchers (``alertname=sos``, ``plate=闽D12345``): each field
    chosen is one equality; the expert lines (``name=value`` …, one a line) come after them."""
    from pingan.alerts import plates

    out = [f"{label}={form[field].strip()}" for field, label in
           (("rule", "alertname"), ("device", "device"), ("unit", "unit"), ("priority", "priority"))
           if form[field].strip()]
    if plate := plates.normalise(form["plate"].strip()):
        out.append(f"plate={plate}")
    out += [line.strip() for line in form["matchers"].splitlines() if line.strip()]
    return out


@page(roles=WATCHERS)
@require_http_methods(["GET", "POST"])
def watchlist(request: HttpRequest) -> HttpResponse:
    """The watch list (布控) of the reader's line: plates and person references with reason, priority and
    expiry; station chiefs and analysts add and remove entries (audited). Reading it is audited too."""
    from pingan.alerts.models import HotlistEntry
    from pingan.alerts.rules import PRIORITIES

    error = ""
    form = {"kind": "plate", "key": "", "reason": "", "priority": "P2", "days": ""}
    if request.method == "POST":
        if request.POST.get("remove") and (confirm := confirm_first(request, action=_("Take off the watch list"))):
            return confirm
        try:
            if request.POST.get("remove", "").isdigit():
                services.hotlist_remove(actor=request.user, entry_id=int(request.POST["remove"]))
            else:
                form = {k: request.POST.get(k, "") for k in form}
                days = _hours(form["days"], None)
                services.hotlist_add(
                    actor=request.user,
                    kind=form["kind"],
                    key=form["key"],
                    reason=form["reason"],
                    priority=form["priority"],
                    expires_at=None if days is None else timezone.now() + dt.timedelta(days=days),
                )
            return redirect("alerts:watchlist")
        except DomainError as exc:
            if exc.code in ("not_found", "permission_denied"):
                raise
            error = page_message(exc)
    return TemplateResponse(
        request,
        "alerts/watchlist.html",
        {
            "entries": counted(selectors.hotlist(actor=request.user), request.GET.get("page")),
            "now": timezone.now(),
            "error": error,
            "form": form,
            "kinds": HotlistEntry.Kind.choices,
            "priorities": PRIORITIES,
            "can_manage": request.user.role in MANAGERS,
        },
    )


@page(roles=OPERATORS)
@require_http_methods(["GET", "POST"])
def viid_subscriptions(request: HttpRequest) -> HttpResponse:
    """GA/T 1400 subscriptions with lower platforms: subscribe (motor vehicles of some checkpoints, for some
    hours) and cancel; each row shows what the platform answered and how many notifications came."""
    error = ""
    form = {"platform": "", "endpoint": "", "resource_uri": "", "resource_class": "0", "detail": "13",
            "title": "", "reason": "", "hours": "24"}
    if request.method == "POST":
        if request.POST.get("cancel") and (confirm := confirm_first(request, action=_("Cancel the subscription"))):
            return confirm
        try:
            if request.POST.get("cancel", "").isdigit():
                services.viid_unsubscribe(actor=request.user, subscription_id=int(request.POST["cancel"]),
                                          password=request.POST.get("password", ""))
            else:
                form = {k: request.POST.get(k, "") for k in form}
                services.viid_subscribe(
                    actor=request.user,
                    platform_id=form["platform"],
                    endpoint=form["endpoint"],
                    resource_uri=form["resource_uri"],
                    resource_class=form["resource_class"],
                    detail=form["detail"],
                    title=form["title"],
                    reason=form["reason"],
                    hours=_hours(form["hours"], 24.0) or 0.0,
                    password=request.POST.get("password", ""),
                )
            return redirect("alerts:viid_subscriptions")
        except DomainError as exc:
            if exc.code == "permission_denied":
                raise
            error = page_message(exc)
    from pingan.alerts import gat1400

    return TemplateResponse(
        request,
        "alerts/viid_subscriptions.html",
        {
            "subscriptions": counted(selectors.viid_subscription_list(actor=request.user), request.GET.get("page")),
            "platforms": selectors.viid_platforms(actor=request.user),
            "details": gat1400.labels("SubscribeDetail", get_language() or ""),
            "resource_classes": gat1400.labels("ResourceClass", get_language() or ""),
            "error": error,
            "form": form,
        },
    )


async def stream(request: HttpRequest) -> HttpResponse:
    """``text/event-stream`` of the duty unit's alerts; resumes after ``Last-Event-ID`` (or ``?after=``)."""
    from asgiref.sync import sync_to_async

    from pingan.alerts.stream import event_stream

    user = await request.auser()
    if not user.is_authenticated:
        return HttpResponse("sign in first", status=401, content_type="text/plain")
    if user.role not in RESPONDERS:
        return HttpResponse("your role receives no alerts", status=403, content_type="text/plain")
    unit = await sync_to_async(lambda: duty.roster().duty_unit(user, timezone.now()))()
    if unit is None:
        return HttpResponse("you are not on duty", status=409, content_type="text/plain")
    # The stream lives for hours and holds no database connection: it gives back the one this request's
    # thread opened (session, user, duty) once the middleware has answered (``alerts.stream.event_stream``).
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    last_id = int(raw) if raw.isdigit() else None
    # A WSGI server reads an async body to its end before sending any of it: there the body is the
    # back-fill only and the terminal reconnects every 2 s (``event_stream``'s ``live``).
    live = isinstance(request, ASGIRequest)
    resp = StreamingHttpResponse(
        event_stream(unit_id=unit.pk, role=user.role, last_id=last_id, user_id=user.pk, live=live, user=user),
        content_type="text/event-stream",
    )
    resp["Cache-Control"] = "no-cache"
    resp["X-Accel-Buffering"] = "no"
    return resp


def terminal_url() -> str:
    return reverse("alerts:terminal")
