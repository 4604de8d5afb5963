"""API schemas of the core app."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class UnitOut(Schema):
    code: str
    name: str
    kind: str


class PremisesIn(Schema):
    """A premises to register: ``address`` is the building's street and number, ``room`` the flat, room or shop
    number in it (empty for a whole building); a premises is its address and room (docs/web.md)."""

    name: str
    kind: str
    address: str
    room: str = ""
    adcode: str


class PremisesRenameIn(Schema):
    name: str


class PremisesOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    room: str
    adcode: str
    unit: UnitOut
    created_at: datetime
    archived_at: datetime | None


class PremisesRemovedOut(Schema):
    """``outcome``: ``deleted`` (nothing recorded the premises) or ``archived`` (its screenings and codes stay)."""

    id: int
    outcome: str


class MeOut(Schema):
    username: str
    role: str
    unit: UnitOut | None


class AuditAgentOut(Schema):
    """What acted when no account did: ``kind`` (command, task, request, terminal, platform, system), its
    ``name`` (the command, the task's kind), ``object_id`` (the job, the terminal), ``by`` (on whose behalf)."""

    kind: str
    name: str = ""
    object_id: str = ""
    by: str = ""


class AuditRecordOut(Schema):
    seq: int
    at: datetime
    actor: str
    agent: AuditAgentOut | None = None
    role: str
    unit: str
    action: str
    object_type: str
    object_id: str
    purpose: str
    request_id: str
    client_addr: str

    @staticmethod
    def resolve_agent(obj) -> dict | None:
        agent = obj.detail.get("agent") if isinstance(obj.detail, dict) else None
        return agent if isinstance(agent, dict) else None
