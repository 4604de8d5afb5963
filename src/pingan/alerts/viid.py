"""GA/T 1400 (VIID) endpoints for a checkpoint/video platform cascading to pingan (视图库级联).

``POST /VIID/System/Register`` answers 401 with a Digest challenge, then checks the ``Authorization``
against the device's credentials (username = its GB/T 28181 DeviceID); a registered platform then
``Keepalive``s, posts ``/VIID/MotorVehicles`` (identifying itself with the ``User-Identify`` header, as
viid-server does) or pushes the notifications of pingan's subscriptions to ``/VIID/SubscribeNotifications``
(``services.viid_notifications_ingest``), and ``UnRegister``s; ``GET /VIID/System/Time`` gives the server
time. Answers are ``ResponseStatusObject`` / ``ResponseStatusListObject`` (``alerts.gat1400``). A platform that has not
registered, or whose last keepalive is older than ``REGISTRATION_TTL``, is refused (StatusCode 4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from pingan.alerts import gat1400, services
from pingan.alerts.events import EventError
from pingan.alerts.models import Device
from pingan.core import audit

REGISTRATION_TTL = dt.timedelta(minutes=5)  # platforms keep alive every ~50 s (viid-server's interval)


def _secret() -> bytes:
    return hashlib.sha256(("viid-nonce:" + settings.SECRET_KEY).encode()).digest()


def _status(request, object_id: str, status: str, message: str, http: int = 200) -> JsonResponse:
    body = {
        "ResponseStatusObject": gat1400.response_status(
            request_url=request.path, object_id=object_id, status=status, message=message, now=timezone.now()
        )
    }
    return JsonResponse(body, status=http, json_dumps_params={"ensure_ascii": False})


def _body(request) -> dict | None:
    try:
        obj = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _registered(request) -> Device | None:
    ident = request.headers.get("User-Identify", "")
    dev = Device.objects.filter(device_id=ident, viid_registered_at__isnull=False).first()
    if dev is None or dev.last_seen_at is None or timezone.now() - dev.last_seen_at > REGISTRATION_TTL:
        return None
    return dev


@csrf_exempt
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    body = _body(request) or {}
    device_id = str((body.get("RegisterObject") or {}).get("DeviceID", ""))
    params = gat1400.parse_authorization(request.headers.get("Authorization", ""))
    dev = Device.objects.filter(device_id=params.get("username") or device_id).first()
    ok = (
        bool(params)
        and dev is not None
        and dev.digest_ha1
        and gat1400.digest_verify_ha1(params, method="POST", ha1=dev.digest_ha1, secret=_secret())
    )
    if not ok:
        resp = _status(
            request, device_id, gat1400.STATUS["invalid_operation"], "unauthorised: HTTP Digest required", http=401
        )
        resp["WWW-Authenticate"] = gat1400.digest_challenge(_secret())
        return resp
    now = timezone.now()
    Device.objects.filter(pk=dev.pk).update(viid_registered_at=now, last_seen_at=now, status=Device.Status.ONLINE)
    audit.record(audit.Agent("platform", dev.device_id), "viid_register", "Device", dev.device_id)
    return _status(request, dev.device_id, gat1400.STATUS["ok"], "OK")


@csrf_exempt
@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    body = _body(request) or {}
    device_id = str((body.get("KeepaliveObject") or {}).get("DeviceID", ""))
    dev = Device.objects.filter(device_id=device_id, viid_registered_at__isnull=False).first()
    if dev is None:
        return _status(request, device_id, gat1400.STATUS["invalid_operation"], "not registered: Register first")
    Device.objects.filter(pk=dev.pk).update(last_seen_at=timezone.now(), status=Device.Status.ONLINE)
    return _status(request, device_id, gat1400.STATUS["ok"], "OK")


@csrf_exempt
@require_POST
def unregister(request: HttpRequest) -> JsonResponse:
    body = _body(request) or {}
    device_id = str((body.get("UnRegisterObject") or {}).get("DeviceID", ""))
    n = Device.objects.filter(device_id=device_id, viid_registered_at__isnull=False).update(viid_registered_at=None)
    if not n:
        return _status(request, device_id, gat1400.STATUS["invalid_operation"], "not registered")
    audit.record(audit.Agent("platform", device_id), "viid_unregister", "Device", device_id)
    return _status(request, device_id, gat1400.STATUS["ok"], "OK")


@require_GET
def system_time(request: HttpRequest) -> JsonResponse:
    now = timezone.now()
    return JsonResponse(
        {
            "SystemTimeObject": {
                "VIIDServerID": settings.PINGAN.get("VIID_SERVER_ID", ""),
                "TimeMode": "1",
                "LocalTime": gat1400.format_time(now),
                "TimeZone": "Asia/Shanghai",
            }
        }
    )


def _post_records(request: HttpRequest, kind: str) -> JsonResponse:
    """``POST /VIID/<kind>`` (``MotorVehicles``, ``Faces``, ``Persons``): each record gets its own
    ResponseStatusObject (accepted, duplicate or refused with its reason, dead-lettered)."""
    platform = _registered(request)
    if platform is None:
        return _status(
            request,
            request.headers.get("User-Identify", ""),
            gat1400.STATUS["invalid_operation"],
            "not registered (or keepalive lapsed): Register, then send User-Identify",
            http=401,
        )
    body = _body(request)
    try:
        if body is None:
            raise EventError("bad_json", "body is not a JSON object")
        records = gat1400.records_of(body, kind)
    except EventError as exc:
        services.events_ingest(
            inputs=[services.RawInput(payload=request.body.decode("utf-8", "replace"), error=exc)], source="viid"
        )
        return _status(request, "", gat1400.STATUS["invalid_format"], f"{exc.code}: {exc.message}", http=400)
    results = gat1400.parse_records(records, kind)
    inputs = [
        services.RawInput(payload=rec, event=r.event, error=r.error) for r, rec in zip(results, records, strict=True)
    ]
    res = services.events_ingest(inputs=inputs, source="viid")
    failed = {id(raw): exc for raw, exc in res.rejected}
    dupes = {id(e) for e in res.duplicates}
    statuses = []
    now = timezone.now()
    for raw, r in zip(inputs, results, strict=True):
        if id(raw) in failed:
            exc = failed[id(raw)]
            code = (
                gat1400.STATUS["invalid_id"]
                if exc.code in ("bad_event_id", "bad_device_id", "unknown_device")
                else gat1400.STATUS["invalid_content"]
            )
            statuses.append(
                gat1400.response_status(
                    request_url=request.path,
                    object_id=r.record_id,
                    status=code,
                    message=f"{exc.code}: {exc.message}",
                    now=now,
                )
            )
        else:
            msg = "duplicate (already received)" if raw.event is not None and id(raw.event) in dupes else "OK"
            statuses.append(
                gat1400.response_status(
                    request_url=request.path, object_id=r.record_id, status=gat1400.STATUS["ok"], message=msg, now=now
                )
            )
    Device.objects.filter(pk=platform.pk).update(last_seen_at=now)
    return JsonResponse(gat1400.response_list(statuses), json_dumps_params={"ensure_ascii": False})


@csrf_exempt
@require_POST
def motor_vehicles(request: HttpRequest) -> JsonResponse:
    """Pass records (``MotorVehicleListObject``)."""
    return _post_records(request, "MotorVehicles")


@csrf_exempt
@require_POST
def faces(request: HttpRequest) -> JsonResponse:
    """Face records (``FaceListObject``): identified ones are ``person_match`` events for the watch list."""
    return _post_records(request, "Faces")


@csrf_exempt
@require_POST
def persons(request: HttpRequest) -> JsonResponse:
    """Person (body) records (``PersonListObject``), as faces."""
    return _post_records(request, "Persons")


@csrf_exempt
@require_POST
def subscribe_notifications(request: HttpRequest) -> JsonResponse:
    """Notifications of pingan's subscriptions; one ResponseStatusObject per notification."""
    body = _body(request)
    try:
        if body is None:
            raise EventError("bad_json", "body is not a JSON object")
        statuses = services.viid_notifications_ingest(
            body=body, user_identify=request.headers.get("User-Identify", ""), request_url=request.path
        )
    except EventError as exc:
        services.events_ingest(
            inputs=[services.RawInput(payload=request.body.decode("utf-8", "replace"), error=exc)], source="viid"
        )
        return _status(request, "", gat1400.STATUS["invalid_format"], f"{exc.code}: {exc.message}", http=400)
    return JsonResponse(gat1400.response_list(statuses), json_dumps_params={"ensure_ascii": False})
