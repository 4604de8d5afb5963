"""API shapes of the citizen app. ID numbers are never returned whole (minimal disclosure): the API shows
them masked; the officer checks the card itself at the counter."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Schema


class ServiceOut(Schema):
    code: str
    name_zh: str
    name_en: str
    department: str
    output_zh: str
    output_en: str
    documents: list[str]
    time_limit_days: int | None
    fee_cents: int | None
    channels: list[str]
    bookable: bool
    basis_zh: str
    basis_en: str


class CountsOut(Schema):
    """Services per channel and in all (the seed's figures, as a query over the loaded catalogue)."""

    online: int
    nearby: int
    one_visit: int
    immediate: int
    terminal: int
    all: int


class CounterOut(Schema):
    id: int
    name: str
    station: str
    address: str
    services: list[str]
    sessions: list[list[str]]
    weekdays: list[int]
    slot_minutes: int
    capacity: int


class SlotOut(Schema):
    id: int
    day: dt.date
    start: dt.time
    capacity: int
    free: int


class DisplayOut(Schema):
    """The call display (叫号屏): ticket labels only."""

    current: str | None
    recent: list[str]
    waiting: int
    wait_minutes: int


class BookingIn(Schema):
    slot_id: int = Field(ge=1, le=2**62)
    service: str = Field(max_length=64)


class BookingOut(Schema):
    id: int
    counter: str
    station: str
    day: dt.date
    start: dt.time
    service: str
    status: str
    name: str
    id_number_masked: str

    @staticmethod
    def resolve_counter(obj) -> str:
        return obj.slot.counter.name

    @staticmethod
    def resolve_station(obj) -> str:
        return obj.slot.counter.unit.name

    @staticmethod
    def resolve_start(obj) -> dt.time:
        return obj.slot.start

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        from pingan.citizen.present import mask

        return mask(obj.id_number)


class CheckInIn(Schema):
    id_number: str = Field(max_length=40)


class WalkInIn(Schema):
    service: str = Field("", max_length=64)


class TicketOut(Schema):
    label: str
    kind: str
    status: str
    day: dt.date
    issued_at: dt.datetime
    waiting_ahead: int
    wait_minutes: int


class CallOut(Schema):
    ticket: str | None


class PermitIn(Schema):
    address: str = Field(max_length=300)
    adcode: str = Field(max_length=12)
    residence_since: dt.date
    basis: str = Field(max_length=12)


class FindingOut(Schema):
    code: str
    article: str
    text: str


class MissingOut(Schema):
    code: str
    text: str


class PermitOut(Schema):
    id: int
    status: str
    status_text: str
    name: str
    id_number_masked: str
    address: str
    adcode: str
    station: str
    basis: str
    residence_since: dt.date
    rules_version: str
    findings: list[FindingOut]
    missing: list[MissingOut]
    documents: list[str]
    submitted_at: dt.datetime
    accepted_on: dt.date | None
    due_on: dt.date | None
    issued_on: dt.date | None
    permit_number: str
    reason: str
    endorsement: str | None

    @staticmethod
    def resolve_status_text(obj) -> str:
        return str(obj.get_status_display())

    @staticmethod
    def resolve_id_number_masked(obj) -> str:
        from pingan.citizen.present import mask

        return mask(obj.id_number)

    @staticmethod
    def resolve_station(obj) -> str:
        return obj.unit.name

    @staticmethod
    def resolve_findings(obj) -> list[dict]:
        from pingan.citizen.texts import finding_text

        return [{"code": f["code"], "article": f["article"], "text": finding_text(f)} for f in obj.findings]

    @staticmethod
    def resolve_missing(obj) -> list[dict]:
        from pingan.citizen.texts import document_label

        return [{"code": c, "text": document_label(c)} for c in obj.missing]

    @staticmethod
    def resolve_documents(obj) -> list[str]:
        return [d.kind for d in obj.documents.all()]

    @staticmethod
    def resolve_endorsement(obj) -> str | None:
        from pingan.citizen.present import endorsement_text

        return endorsement_text(obj)


class PermitDecisionIn(Schema):
    decision: str = Field(max_length=12)
    reason: str = Field("", max_length=500)


class EndorsementOut(Schema):
    year: int
    endorsed_on: dt.date
    late: bool


class TransitCheckIn(Schema):
    """A traveller's trip: ISO 3166-1 alpha-2 countries, a port code of ``GET /citizen/transit/ports`` (or any
    other: "unknown"), local China Standard Time, GB/T 2260 codes of where they will stay."""

    nationality: str = Field(min_length=2, max_length=2)
    entry_port: str = Field(max_length=20)
    entry_at: dt.datetime
    exit_at: dt.datetime
    coming_from: str = Field(min_length=2, max_length=2)
    going_to: str = Field(min_length=2, max_length=2)
    onward_confirmed: bool
    document_valid: bool
    areas: list[str] = Field(max_length=10)
    purpose: str = Field(max_length=20)


class TransitConditionOut(Schema):
    name: str
    outcome: str  # pass | fail | unknown
    code: str
    params: dict
    text: str


class TransitCheckOut(Schema):
    verdict: str  # eligible | not_eligible | cannot_tell
    deadline: dt.datetime
    version: str
    conditions: list[TransitConditionOut]
