"""Alerts API (``/api/v1/alerts/...``): batch ingest for integrations, alerts and their response, dead
letters and replay, silences, the watch list, devices, counters. Thin handlers: parse, one selector or
service, return; ``DomainError`` → RFC 9457 problem details (declared per operation below).
"""

from __future__ import annotations

from ninja import Router, Status
from ninja.pagination import paginate

from pingan.alerts import selectors, services
from pingan.alerts.schemas import (
    AlertDetailOut,
    AlertOut,
    DeadLetterOut,
    DeviceOut,
    EventsIn,
    HotlistIn,
    HotlistOut,
    IngestOut,
    ReplayIn,
    ReplayOut,
    SilenceIn,
    SilenceOut,
    TransitionIn,
)
from pingan.core.apiutil import Pagination
from pingan.core.errors import DomainError, PermissionDenied
from pingan.core.models import Role

router = Router(tags=["alerts"])
MAX_BATCH = 1000

_PROBLEM = {
    "application/problem+json": {
        "schema": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "code": {"type": "string"},
            },
        }
    }
}


def _errors(*statuses: int) -> dict:
    text = {
        400: "bad request (see code)",
        401: "no valid token or session",
        403: "role not allowed",
        404: "not found or outside your jurisdiction",
        409: "conflict",
        422: "invalid request",
    }
    return {"responses": {s: {"description": text[s], "content": _PROBLEM} for s in statuses}}


def _user(request):
    return request.user


@router.post(
    "/alerts/events",
    response=IngestOut,
    summary="Ingest a batch of device events (integrations)",
    openapi_extra=_errors(400, 401, 403, 422),
)
def ingest(request, body: EventsIn):
    """Each event is accepted, dropped as a duplicate, or dead-lettered with its reason (listed in
    ``rejected``). Only administrators' integration accounts (API tokens) may post."""
    if request.user.role != Role.ADMIN:
        raise PermissionDenied(
            "only integration (administrator) accounts ingest events",
            message_id="alerts_not_allowed",
            params={"what": "ingest events"},
        )
    if len(body.events) > MAX_BATCH:
        raise DomainError(f"{len(body.events)} events in one batch; the limit is {MAX_BATCH}", code="batch_too_large")
    inputs = [services.RawInput(payload=e) for e in body.events]
    res = services.events_ingest(inputs=inputs, source="http")
    index = {id(r): i for i, r in enumerate(inputs)}
    rejected = [
        {
            "index": index[id(raw)],
            "event_id": str(raw.payload.get("event_id", ""))[:64] if isinstance(raw.payload, dict) else "",
            "code": exc.code,
            "reason": exc.message,
        }
        for raw, exc in res.rejected
    ]
    return {**res.counts, "rejected": rejected}


@router.get(
    "/alerts",
    response=list[AlertOut],
    summary="Alerts in the caller's jurisdiction, newest first",
    openapi_extra=_errors(401),
)
@paginate(Pagination)
def alert_list(request, open_only: bool = False):
    return selectors.alert_list(actor=_user(request), open_only=open_only)


@router.get(
    "/alerts/{alert_id}",
    response=AlertDetailOut,
    summary="One alert with its timeline",
    openapi_extra=_errors(401, 404),
)
def alert_get(request, alert_id: int):
    return selectors.alert_get(actor=_user(request), alert_id=alert_id)


@router.post(
    "/alerts/{alert_id}/transition",
    response=AlertOut,
    summary="Acknowledge (own), en route, on scene, or close with a disposition",
    openapi_extra=_errors(400, 401, 403, 404),
)
def alert_transition(request, alert_id: int, body: TransitionIn):
    return services.alert_transition(
        actor=_user(request), alert_id=alert_id, to=body.to, disposition=body.disposition, notes=body.notes
    )


@router.get(
    "/alerts-dead-letters",
    response=list[DeadLetterOut],
    summary="Refused inputs (administrators, analysts)",
    openapi_extra=_errors(401),
)
@paginate(Pagination)
def dead_letters(request, reason_code: str = ""):
    return selectors.dead_letter_list(actor=_user(request), reason_code=reason_code)


@router.post(
    "/alerts-dead-letters/replay",
    response=ReplayOut,
    summary="Replay dead letters through ingest",
    openapi_extra=_errors(401, 403),
)
def dead_letters_replay(request, body: ReplayIn):
    return services.dead_letters_replay(actor=_user(request), ids=body.ids or None, reason_code=body.reason_code)


@router.get(
    "/alerts-silences", response=list[SilenceOut], summary="Silences in the caller's line", openapi_extra=_errors(401)
)
@paginate(Pagination)
def silences(request):
    return selectors.silence_list(actor=_user(request))


@router.post(
    "/alerts-silences",
    response={201: SilenceOut},
    summary="Create a silence (audited)",
    openapi_extra=_errors(400, 401, 403),
)
def silence_create(request, body: SilenceIn):
    s = services.silence_create(
        actor=_user(request),
        matchers=body.matchers,
        ends_at=body.ends_at,
        comment=body.comment,
        starts_at=body.starts_at,
    )
    return Status(201, s)


@router.delete(
    "/alerts-silences/{silence_id}",
    response=SilenceOut,
    summary="Expire a silence now",
    openapi_extra=_errors(401, 403, 404),
)
def silence_expire(request, silence_id: int):
    return services.silence_expire(actor=_user(request), silence_id=silence_id)


@router.get(
    "/alerts-hotlist",
    response=list[HotlistOut],
    summary="Watch-list entries in the caller's line",
    openapi_extra=_errors(401),
)
@paginate(Pagination)
def hotlist(request):
    return selectors.hotlist(actor=_user(request))


@router.post(
    "/alerts-hotlist",
    response={201: HotlistOut},
    summary="Put a plate or person reference on the watch list",
    openapi_extra=_errors(400, 401, 403),
)
def hotlist_add(request, body: HotlistIn):
    e = services.hotlist_add(
        actor=_user(request),
        kind=body.kind,
        key=body.key,
        reason=body.reason,
        priority=body.priority,
        expires_at=body.expires_at,
    )
    return Status(201, e)


@router.delete(
    "/alerts-hotlist/{entry_id}",
    response=HotlistOut,
    summary="Take an entry off the watch list",
    openapi_extra=_errors(401, 403, 404),
)
def hotlist_remove(request, entry_id: int):
    return services.hotlist_remove(actor=_user(request), entry_id=entry_id)


@router.get(
    "/alerts-devices",
    response=list[DeviceOut],
    summary="Registered devices the caller may see",
    openapi_extra=_errors(401),
)
@paginate(Pagination)
def devices(request):
    return selectors.device_list(actor=_user(request))
