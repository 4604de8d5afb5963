"""API schemas of the dispatch app."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Schema

from pingan.dispatch import durations


class PatrolUnitOut(Schema):
    id: int
    code: str
    kind: str
    station: str = Field(alias="unit.code")
    status: str
    status_since: dt.datetime | None
    lon: float | None
    lat: float | None
    position_at: dt.datetime | None
    current_alert: int | None = Field(alias="current_alert_id")


class UnitStatusIn(Schema):
    to: str = Field(description="available | dispatched | en_route | on_scene | busy | off_duty")


class UnitStatusOut(Schema):
    unit: str = Field(alias="patrol_unit.code")
    at: dt.datetime
    from_status: str
    to_status: str


class AvlPositionIn(Schema):
    lon: float
    lat: float
    crs: str = Field("wgs84", description="wgs84 | gcj02 | bd09 | cgcs2000 (stored as WGS-84)")
    time: dt.datetime | None = Field(None, description="RFC 3339 with an offset; default: now")
    accuracy_m: float | None = None
    battery_pct: float | None = Field(None, ge=0, le=100)


class AvlPositionOut(Schema):
    unit: str = Field(alias="patrol_unit.code")
    at: dt.datetime
    lon: float
    lat: float
    crs_reported: str


class UnitCandidateOut(Schema):
    unit_id: int
    code: str
    kind: str
    straight_m: float = Field(description="straight line from where the unit is taken to be, metres")
    road_m: float = Field(description="estimated road distance (straight line × road factor), metres")
    eta_s: float = Field(description="estimated travel time from that point, seconds")
    position: Literal["avl", "last_known", "base"] = Field(
        description="avl: a fresh fix; last_known: an older fix (up to the travel model's limit); base: the "
        "unit's station or parking place, no usable fix")
    position_age_s: float | None = Field(description="age of the fix in seconds; null for a base")
    uncertainty_m: float = Field(description="how far the unit may be from that point (0 for a fresh fix)")
    eta_min_s: float = Field(description="the ETA's range: earliest, seconds")
    eta_max_s: float = Field(description="the ETA's range: latest, seconds (candidates are ranked by it)")
    eta_text: str = Field(description="the ETA as the console says it, in the request's language (\"约 2 分 16 秒\", "
                          "\"at most 9 min 20 s\"; dispatch.durations.eta_text)")

    @staticmethod
    def resolve_eta_text(obj) -> str:
        return durations.eta_text(obj.eta_s, obj.eta_min_s, obj.eta_max_s)


class AssignIn(Schema):
    units: list[int] = Field(..., min_length=1, max_length=20)
    answer_within_s: int = Field(60, ge=10, le=600)
    reassign: bool = Field(False, description="take the alert off the units now on it first (their crews are "
                                              "told on their live stream)")


class AssignmentOut(Schema):
    id: int
    alert: int = Field(alias="alert_id")
    unit: str = Field(alias="patrol_unit.code")
    state: str
    created_at: dt.datetime
    answer_by: dt.datetime
    answered_at: dt.datetime | None
    arrived_at: dt.datetime | None
    distance_m: float | None
    eta_s: float | None
    eta_min_s: float | None = Field(description="the ETA's range when the unit's position was uncertain, seconds")
    eta_max_s: float | None
    eta_text: str = Field(description="the ETA in the same words as the console and the crew's terminal, in the "
                          "request's language; \"–\" when there was nothing to estimate from")

    @staticmethod
    def resolve_eta_text(obj) -> str:
        return durations.eta_text(obj.eta_s, obj.eta_min_s, obj.eta_max_s)


class AssignmentAnswerIn(Schema):
    accept: bool


class DutyPersonOut(Schema):
    username: str
    display_name: str
    role: str


class OnDutyOut(Schema):
    at: dt.datetime
    people: list[DutyPersonOut]
    patrol_units: list[PatrolUnitOut]


class DroneMissionIn(Schema):
    alert: int | None = None
    lon: float | None = None
    lat: float | None = None
    crs: str = "wgs84"


class DroneMissionOut(Schema):
    id: int
    drone: str = Field(alias="drone.patrol_unit.code")
    alert: int | None = Field(alias="alert_id")
    dest_lon: float
    dest_lat: float
    distance_m: float
    eta_s: float
    battery_at_start: float
    started_at: dt.datetime


class ResponseMetricOut(Schema):
    n: int
    p50: float | None
    p90: float | None


class StationFiguresOut(Schema):
    code: str
    name: str
    acknowledge: ResponseMetricOut
    dispatch: ResponseMetricOut
    arrive: ResponseMetricOut


class ResponseTargetOut(Schema):
    id: str
    metric: str
    percentile: int
    seconds: float
    source: str
    url: str


class ResponseFiguresOut(Schema):
    day: str
    stations: list[StationFiguresOut]
    targets: list[ResponseTargetOut]
    targets_version: str


class OperationIn(Schema):
    name: str
    venue: str
    unit: str = Field(description="code of the commanding station or centre (default: the caller's unit)", default="")
    starts_at: dt.datetime
    ends_at: dt.datetime
    area: list[list[float]] = Field(description="the area as [lon, lat] pairs (3 or more; closed or not)")
    crs: str = Field("wgs84", description="wgs84 | gcj02 | bd09 | cgcs2000 (stored as WGS-84)")
    expected_attendance: int = Field(0, ge=0)


class OperationOut(Schema):
    id: int
    name: str
    venue: str
    unit: str = Field(alias="unit.code")
    starts_at: dt.datetime
    ends_at: dt.datetime
    area: list[list[float]]
    expected_attendance: int


class OperationPostIn(Schema):
    name: str
    kind: str = Field("post", description="post | checkpoint")
    lon: float
    lat: float
    crs: str = "wgs84"


class OperationPostOut(Schema):
    id: int
    name: str = Field(description="the post's name (the Chinese one for a post placed from a template)")
    name_en: str = Field(description="its English name, for a post placed from a template; empty otherwise")
    kind: str
    lon: float
    lat: float


class OperationDeployIn(Schema):
    units: list[int] = Field(description="patrol unit ids")
    post: int | None = None


class OperationDeploymentOut(Schema):
    unit: str = Field(alias="patrol_unit.code")
    kind: str = Field(alias="patrol_unit.kind")
    status: str = Field(alias="patrol_unit.status")
    post: int | None = Field(alias="post_id")
    assigned_at: dt.datetime


class OperationAlertOut(Schema):
    id: int
    priority: str
    rule_id: str
    state: str
    lon: float | None
    lat: float | None
    created_at: dt.datetime
    station: str | None = Field(None, alias="unit.code")


class ResponseInterval(Schema):
    n: int
    p50: float | None
    p90: float | None


class OperationSummaryOut(Schema):
    units_deployed: int
    units_by_kind: dict[str, int]
    alerts: int
    alerts_by_priority: dict[str, int]
    alerts_by_rule: dict[str, int]
    response: dict[str, ResponseInterval]


class OperationDetailOut(Schema):
    operation: OperationOut
    active: bool
    posts: list[OperationPostOut]
    deployments: list[OperationDeploymentOut]
    alerts: list[OperationAlertOut]
    summary: OperationSummaryOut


class OperationTemplateOut(Schema):
    key: str = Field(description="the template's id: set up operations from it with this")
    version: str = Field(description="for a template written in pingan <saves>.0.0; operations record it")
    title_en: str
    title_zh: str
    bundled: bool = Field(description="shipped with pingan (read only) or written in pingan")
    unit: str | None = Field(description="owning station or centre (unit code); null for a bundled template")
    source: str = Field(description="the template as TOML (docs/dispatch.md, 'From a template')")
    updated_at: dt.datetime | None


class OperationTemplateIn(Schema):
    key: str = Field(..., min_length=3, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]+[a-z0-9]$")
    unit: str | None = Field(None, description="owning unit code (default: the caller's unit)")
    source: str = Field(..., max_length=64_000, description="TOML; its own id and version are not read")


class OperationTemplateUpdateIn(Schema):
    source: str = Field(..., max_length=64_000)
    version: str = Field(..., max_length=20, description="the version the edit started from, e.g. 2.0.0 (409 if "
                         "another save came in between)")


class OperationReviewIn(Schema):
    findings: str = Field(..., min_length=1, max_length=20_000, description="the reviewer's findings")


class OperationReviewOut(Schema):
    id: int
    operation: int = Field(alias="operation_id")
    author: str = Field(alias="author.username")
    created_at: dt.datetime
    findings: str
    figures: dict = Field(description="the operation's figures when the review was recorded: units_deployed, "
                          "units_by_kind, alerts, alerts_by_priority, alerts_by_rule, response (n, p50, p90 s)")
