"""API schemas of the evidence app (``<Thing>In`` / ``<Thing>Out``). Money is integer cents; times ISO 8601."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Schema


class ItemOut(Schema):
    label: str
    name: str
    case: str = Field(alias="case.number")
    line: int
    category: str
    quantity: Decimal
    quantity_unit: str
    features: str
    source: str
    status: str
    location: str | None = Field(None, alias="location.code")
    custody: str = Field(alias="custody.code")
    legal_hold: bool
    value_cents: int | None
    seized_at: datetime
    intake_at: datetime | None
    due_back_at: datetime | None
    head_seq: int
    head_hash: str


class ClockOut(Schema):
    code: str
    due: datetime
    overdue: bool
    citation: str
    citation_en: str


class ChainVerifyOut(Schema):
    ok: bool
    checked: int
    bad_seq: int | None
    problem: str
    since: int = Field(description="the checkpointed seq verification started from (0: the whole chain)")


class ItemDetailOut(ItemOut):
    holder_name: str = Field(alias="seizure_list.holder_name")
    seizure_list: str = Field(alias="seizure_list.number")
    rule_version: str
    clocks: list[ClockOut]
    chain: ChainVerifyOut


class EventOut(Schema):
    seq: int
    kind: str
    at: datetime
    actor: str
    witness: str
    location: str
    custody: str
    place: str
    reason: str
    detail: dict
    prev_hash: str
    hash: str


class ScanIn(Schema):
    label: str = Field(max_length=64)
    location: str = Field("", max_length=40)
    witness: str = Field("", max_length=100)
    condition: str = Field("", max_length=300)


class ScanOut(Schema):
    action: str
    item: ItemOut


class CaseIn(Schema):
    number: str = Field(max_length=40)
    title: str = Field(max_length=200)
    investigators: list[str] = Field([], description="usernames of further investigators of the actor's unit")


class CaseOut(Schema):
    id: int
    number: str
    title: str
    unit: str = Field(alias="unit.code")
    created_at: datetime


class ItemIn(Schema):
    name: str = Field(max_length=200)
    category: str
    quantity: Decimal = Decimal(1)
    quantity_unit: str = Field("件", max_length=16)
    features: str = Field("", max_length=500)
    photos: int = Field(0, ge=0)
    value_cents: int | None = Field(None, ge=0)


class SeizureListIn(Schema):
    number: str = Field(max_length=40)
    source: str = "seized"
    holder_name: str = Field(max_length=100)
    holder_id_number: str = Field("", max_length=40)
    witness_name: str = Field(max_length=100)
    officers: list[str] = Field(description="usernames of the other investigators present (at least one)")
    place: str = Field("", max_length=200)
    seized_at: datetime
    items: list[ItemIn]


class SeizureListOut(Schema):
    number: str
    items: list[ItemOut]


class CheckOutIn(Schema):
    purpose: str
    reason: str = Field(max_length=300)
    due_back_at: datetime


class CheckOutOut(Schema):
    id: int
    item: str = Field(alias="item.label")
    borrower: str = Field(alias="borrower.username")
    approver: str | None = Field(None, alias="approver.username")
    purpose: str
    reason: str
    status: str
    due_back_at: datetime
    out_at: datetime | None
    returned_at: datetime | None


class CustodyTransferIn(Schema):
    case: int
    to: str = Field(description="the receiving body's unit code, e.g. 350203-JCY")
    items: list[str]
    recommendation: str = Field(max_length=500)


class CustodyTransferOut(Schema):
    id: int
    number: str
    case: str = Field(alias="case.number")
    from_org: str = Field(alias="from_org.code")
    to_org: str = Field(alias="to_org.code")
    recommendation: str
    status: str
    sent_at: datetime
    accepted_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str


class TransferRejectIn(Schema):
    reason: str = Field(max_length=500, description="why the receiving body refuses the list")


class ExtensionIn(Schema):
    new_due: datetime
    reason: str = Field(max_length=300)


class ExtensionDecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class ExtensionOut(Schema):
    id: int
    checkout: int = Field(alias="checkout_id")
    requested_by: str = Field(alias="requested_by.username")
    requested_at: datetime
    old_due: datetime
    new_due: datetime
    reason: str
    status: str
    decided_by: str | None = Field(None, alias="decided_by.username")
    decided_at: datetime | None


class FilingIn(Schema):
    reference: str = Field(max_length=60, description="the supervision's reference for the filed copies")
    supervision: str = Field(max_length=100, description="the supervision office (警务督察) filed with")


class FilingOut(Schema):
    id: int
    seizure_list: str = Field(alias="seizure_list.number")
    case: str = Field(alias="seizure_list.case.number")
    received_at: datetime
    due_at: datetime
    filed_at: datetime | None
    reference: str
    supervision: str


class RulingIn(Schema):
    number: str = Field(max_length=60)
    decided_at: date
    decisions: dict[str, str] = Field(description="item label → return, confiscate, auction or destroy")


class RulingOut(Schema):
    id: int
    number: str
    decided_at: date
    receipt_at: datetime | None


class HoldIn(Schema):
    on: bool
    reason: str = Field(max_length=200)


class RecipientIn(Schema):
    name: str = Field(max_length=100)
    id_number: str = Field(max_length=40)
    relation: str
    proof: str = Field(max_length=300)


class DisposalIn(Schema):
    disposition: str
    basis: str
    approver: str = Field("", description="username of the approving station chief (pre-trial return, sale)")
    recipient: RecipientIn | None = None
    proceeds_cents: int | None = Field(None, ge=0)
    witness: str = Field("", max_length=100)


class DisposalOut(Schema):
    item: str = Field(alias="item.label")
    disposition: str
    basis: str
    receipt_number: str
    done_at: datetime


class CountIn(Schema):
    location: str
    scanned: list[str] = Field(max_length=200_000)


class CountOut(Schema):
    id: int
    location: str = Field(alias="location.code")
    at: datetime
    scanned: int
    found: int
    missing: list[str]
    misplaced: dict[str, str]
    unexpected: list[str]
    seconds: float


class FileOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    acquired_at: datetime


class RuleOut(Schema):
    id: str
    effective: date
    rules: dict


class AttachmentOut(Schema):
    id: int
    kind: str
    item: str | None = Field(None, alias="item.label")
    seizure_list: str | None = Field(None, alias="seizure_list.number")
    signer: str
    content_type: str
    size: int
    sha256: str
    added_at: datetime
