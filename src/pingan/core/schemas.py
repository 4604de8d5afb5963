"""API schemas of the core app."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str
    kind: str


class PremisesIn(Schema):
    name: str
    kind: str
    address: str
    adcode: str


class PremisesOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    adcode: str
    unit: UnitOut
    created_at: datetime


class MeOut(Schema):
    username: str
    role: str
    unit: UnitOut | None


class AuditRecordOut(Schema):
    seq: int
    at: datetime
    actor: str
    role: str
    unit: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    request_id: str
    client_addr: str
