"""API schemas of the anti-fraud app (``<Thing>In`` / ``<Thing>Out``). Money is integer cents."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema

from pingan.antifraud import rules


class TransferIn(Schema):
    at: datetime
    amount_cents: int
    to_account: str
    from_account: str = ""
    to_name: str = ""
    to_bank: str = ""
    serial: str = ""


class IdentifierIn(Schema):
    kind: str
    value: str
    note: str = ""


class ReportIn(Schema):
    victim_name: str
    victim_phone: str = ""
    victim_id_number: str = ""
    victim_address: str = ""
    reported_at: datetime
    occurred_at: datetime | None = None
    loss_cents: int = 0
    channel: str = "other"
    fraud_type: str
    narrative: str = ""
    transfers: list[TransferIn] = []
    identifiers: list[IdentifierIn] = []


class TransferOut(Schema):
    id: int
    at: datetime
    amount_cents: int
    from_account: str
    to_account: str
    to_name: str
    to_bank: str


class IdentifierOut(Schema):
    id: int
    kind: str
    value: str
    key: str
    note: str


class ReportOut(Schema):
    id: int
    unit: str
    victim_name: str
    victim_phone: str
    reported_at: datetime
    loss_cents: int
    channel: str
    fraud_type: str

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class SeriesLinkOut(Schema):
    report: int
    shared: list[dict]


class ReportDetailOut(ReportOut):
    victim_address: str
    occurred_at: datetime | None
    narrative: str
    transfers: list[TransferOut]
    identifiers: list[IdentifierOut]
    series: list[SeriesLinkOut]

    @staticmethod
    def resolve_transfers(obj) -> list:
        return list(obj.transfers.all())

    @staticmethod
    def resolve_identifiers(obj) -> list:
        return list(obj.identifiers.all())


class StatementOut(Schema):
    id: int
    report_id: int
    account: str
    bank: str
    filename: str
    encoding: str
    columns: dict
    total_rows: int
    accepted: int
    duplicates: int
    rejections: list[dict]
    gaps: list[dict]


class TraceIn(Schema):
    method: str = "fifo"
    max_hops: int = 5


class TraceOut(Schema):
    id: int
    report_id: int
    method: str
    max_hops: int
    created_at: datetime
    result: dict


class DraftOrdersIn(Schema):
    kind: str = "stop_payment"
    min_cents: int = 100


class OrderIn(Schema):
    kind: str
    account: str
    amount_cents: int
    account_name: str = ""
    bank: str = ""
    major: bool = False


class OrderOut(Schema):
    id: int
    report_id: int
    trace_id: int | None
    kind: str
    account: str
    account_name: str
    bank: str
    amount_cents: int
    major: bool
    basis_version: str
    status: str
    drafted_by: str
    approved_by: str | None
    sent_at: datetime | None
    effective_at: datetime | None
    expires_at: datetime | None
    feedback: str
    executed_cents: int | None
    renewal_of_id: int | None
    queued_behind_id: int | None

    @staticmethod
    def resolve_drafted_by(obj) -> str:
        return obj.drafted_by.username

    @staticmethod
    def resolve_approved_by(obj) -> str | None:
        return obj.approved_by.username if obj.approved_by_id else None


class OrderToSendOut(OrderOut):
    """An approved order not yet sent: ``send_by`` is when what holds the account now ends (``null``: nothing
    holds it, send at once); ``send_rule`` the legal.toml section whose citation says so."""

    send_by: datetime | None
    send_rule: str

    @staticmethod
    def resolve_send_by(obj) -> datetime | None:
        return obj.send_by.at

    @staticmethod
    def resolve_send_rule(obj) -> str:
        return obj.send_by.rule


class AttentionOut(Schema):
    overdue: list[OrderOut]
    expiring: list[OrderOut]
    awaiting_approval: list[OrderOut]
    to_send: list[OrderToSendOut]
    awaiting_feedback: list[OrderOut]


class FeedbackIn(Schema):
    feedback: str
    executed_cents: int | None = None
    effective_at: datetime | None = None


class ReasonIn(Schema):
    reason: str


class ReturnPlanOut(Schema):
    id: int
    order_id: int
    shares: list[dict]
    pro_rata: bool
    notice_until: str | None
    bank_due: str | None

    @staticmethod
    def resolve_notice_until(obj) -> str | None:
        return obj.notice_until.isoformat() if obj.notice_until else None

    @staticmethod
    def resolve_bank_due(obj) -> str | None:
        return obj.bank_due.isoformat() if obj.bank_due else None


class BlockIn(Schema):
    kind: str
    value: str
    reason: str
    evidence: str
    expires_at: datetime | None = None
    report_id: int | None = None


class BlockOut(Schema):
    id: int
    kind: str
    value: str
    key: str
    reason: str
    evidence: str
    status: str
    created_at: datetime
    expires_at: datetime | None
    lifted_at: datetime | None
    lift_reason: str
    appeal_route: str
    appeal_documents: list[str]
    basis: str

    @staticmethod
    def resolve_appeal_route(obj) -> str:
        return rules.legal(version=obj.basis_version)["restriction"]["appeal_route_en"]

    @staticmethod
    def resolve_appeal_documents(obj) -> list[str]:
        return list(rules.legal(version=obj.basis_version)["restriction"]["documents_en"])

    @staticmethod
    def resolve_basis(obj) -> str:
        return rules.legal(version=obj.basis_version)["restriction"]["citation_en"]


class AppealIn(Schema):
    appellant: str
    contact: str
    reason: str
    documents: list[str] = []


class AppealOut(Schema):
    id: int
    block_id: int
    appellant: str
    status: str
    decision_note: str


class AppealDecisionIn(Schema):
    upheld: bool
    note: str = ""


class ContactImportOut(Schema):
    id: int
    filename: str
    total_rows: int
    matched: int
    warned: int
    suppressed: int
    rejections: list[dict]


class WarningOut(Schema):
    id: int
    unit: str
    person_phone: str
    person_name: str
    channel: str
    contact_kind: str
    counterpart_kind: str
    counterpart: str
    listed_by: str
    fraud_type: str
    created_at: datetime
    due_at: datetime | None
    outcome: str
    opened_report_id: int | None

    @staticmethod
    def resolve_unit(obj) -> str:
        return obj.unit.code


class OutcomeIn(Schema):
    outcome: str
    note: str = ""


class ReceiptIn(Schema):
    delivered: bool


class EventIn(Schema):
    kind: str
    counterpart: str
    counterpart_kind: str
    person: str = ""
    amount: int = 0
    at: datetime | None = None
    ref: str = ""


class DetectionOut(Schema):
    listed: bool
    priority: str | None = None
    listed_by: str | None = None


class FiguresOut(Schema):
    sms_sent: int
    sms_delivered: int
    calls: int
    face_to_face: int
    face_to_face_done: int
    persuaded: int
    saved_persuaded_cents: int
    intercepted_cents: int
    money_saved_cents: int
    reports: int


class FraudTypeOut(Schema):
    code: str
    zh: str
    en: str
