"""API schemas of the alerts app."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema


class EventsIn(Schema):
    """A batch of device events (the MQTT payload schema, docs/alerts.md), at most 1,000."""

    events: list[dict[str, Any]]


class RejectedOut(Schema):
    index: int
    event_id: str
    code: str
    reason: str


class IngestOut(Schema):
    accepted: int
    duplicates: int
    dead_lettered: int
    rejected: list[RejectedOut]


#: What makes the timeline steps no account makes: every one is written by the alerts engine (services: the
#: worker's and the ingest's batches), the officer's and dispatch's steps carry their account (issue 11).
ENGINE_AGENT = "alerts-engine"


class TimelineOut(Schema):
    at: dt.datetime
    action: str
    actor: str | None = Field(None, description="the account that made the step; null when none did (see agent)")
    agent: str = Field("", description="what made a step no account made: 'alerts-engine' (the worker's and "
                                        "the ingest's rules, notifications, escalations, resolutions); '' otherwise")
    detail: dict


class AlertOut(Schema):
    id: int
    priority: str
    state: str
    status: str
    rule_id: str
    ruleset: str
    ruleset_version: str
    summary: str
    params: dict
    labels: dict
    lon: float | None
    lat: float | None
    unit: str | None
    routed_by: str
    raised_at: dt.datetime
    created_at: dt.datetime
    fire_count: int
    muted_by: str
    owner: str | None
    disposition: str
    notes: str

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_owner(obj) -> str | None:
        return obj.owner.username if obj.owner_id else None


class AlertDetailOut(AlertOut):
    timeline: list[TimelineOut]

    @staticmethod
    def resolve_timeline(obj) -> list[dict]:
        return [
            {"at": t.at, "action": t.action, "actor": t.actor.username if t.actor_id else None,
             "agent": "" if t.actor_id else ENGINE_AGENT, "detail": t.detail}
            for t in obj.timeline.all()
        ]


class TransitionIn(Schema):
    to: Literal["acknowledged", "en_route", "on_scene", "closed"]
    disposition: str = ""
    notes: str = ""


class DeadLetterOut(Schema):
    id: int
    received_at: dt.datetime
    source: str
    topic: str
    device_id: str
    reason_code: str
    reason: str
    payload: str
    replayed_at: dt.datetime | None
    outcome: str


class ReplayIn(Schema):
    ids: list[int] = []
    reason_code: str = ""


class ReplayOut(Schema):
    replayed: int
    accepted: int
    duplicates: int
    dead_lettered: int


class SilenceIn(Schema):
    matchers: list[str]
    ends_at: dt.datetime
    comment: str
    starts_at: dt.datetime | None = None


class SilenceOut(Schema):
    id: int
    matchers: list[str]
    starts_at: dt.datetime
    ends_at: dt.datetime
    comment: str
    created_by: str
    expired_at: dt.datetime | None

    @staticmethod
    def resolve_created_by(obj) -> str:
        return obj.created_by.username


class HotlistIn(Schema):
    kind: Literal["plate", "person"] = "plate"
    key: str
    reason: str
    priority: Literal["P1", "P2", "P3", "P4"] = "P2"
    expires_at: dt.datetime | None = None


class HotlistOut(Schema):
    id: int
    kind: str
    key: str
    reason: str
    priority: str
    expires_at: dt.datetime | None


class DeviceOut(Schema):
    device_id: str
    name: str
    kind: str
    type_code: str
    lon: float | None
    lat: float | None
    unit: str | None
    routed_by: str
    status: str
    last_seen_at: dt.datetime | None

    @staticmethod
    def resolve_unit(obj) -> str | None:
        return obj.unit.code if obj.unit_id else None
