"""API schemas of the safety codes (平安码). No personal data: codes name premises, never people."""

from __future__ import annotations

from datetime import datetime

from ninja import Schema


class CodeOut(Schema):
    """One issued code: the signed text (``token``, what the QR holds) and its decoded fields; ``job_id``, the
    screening behind it (``null`` for none), and why it was issued: ``cause`` in the request's language,
    ``cause_code`` its stable code (``code_cause.screening``, ``code_cause.reevaluation``, ``code_cause.override``
    — a level set by an approved level change —, ``code_cause.release``, ``code_cause.manual``; ``""`` for codes
    issued before causes were recorded)."""

    code_id: str
    premises_id: int
    level: str
    issuer: str
    kid: str
    issued_at: datetime
    expires_at: datetime
    ruleset_version: int
    people: int
    token: str
    revoked_at: datetime | None
    revocation_reason: str
    job_id: int | None = None
    cause: str = ""
    cause_code: str = ""


class VerifyIn(Schema):
    """A code text to verify (``PA1:...``, as scanned from the QR)."""

    text: str


class VerifyOut(Schema):
    """The verdict: ``status`` (valid, malformed, unknown_key, bad_signature, revoked, not_yet_valid,
    expired), a one-line ``reason`` (the verifier's, technical English), ``message`` (what it means for a person,
    in the request's language: ``Accept-Language``, else the site's), the failing ``layer`` when malformed, and —
    whenever the signature
    verified — what the code says (level, premises, validity from ``issued_at`` until ``expires_at``,
    and the issuer that owns the signing key)."""

    status: str
    valid: bool
    reason: str
    message: str = ""
    layer: str | None = None
    level: str | None = None
    premises_id: int | None = None
    premises_name: str | None = None
    issuer: str | None = None
    code_id: str | None = None
    issued_at: datetime | None = None
    expires_at: datetime | None = None
    ruleset_version: int | None = None
    people: int | None = None
    revocation_reason: str | None = None


class RevokeIn(Schema):
    """Why a code is revoked: ``fraud``, ``error`` or ``rescreened``."""

    reason: str


class DisputeIn(Schema):
    """The owner's correction request (纠错): ``text`` says what is wrong (5 to 2,000 characters);
    ``code_id``, the code the owner disputes (optional: refused with ``dispute_code_superseded`` when a newer code
    replaced it)."""

    text: str
    code_id: str = ""


class DisputeResolveIn(Schema):
    """The outcome of a dispute: upheld or not, and what was decided."""

    upheld: bool
    outcome: str


class DisputeOut(Schema):
    """A dispute and its outcome."""

    id: int
    premises_id: int
    code_id: str | None
    unit: str
    text: str
    status: str
    outcome: str
    created_at: datetime
    resolved_at: datetime | None


class OverrideIn(Schema):
    """A requested manual level (green/yellow/red) and the required reason."""

    level: str
    reason: str


class DecisionIn(Schema):
    """An approver's optional note."""

    note: str = ""


class CodeReviewOut(Schema):
    """A premises whose code is suspended until the police check its newest screening (the roster left out
    people who were flagged before), and what was decided."""

    id: int
    premises_id: int
    unit: str
    job_id: int
    baseline_job_id: int
    baseline_level: str
    level: str
    dropped: int
    dropped_rows: list[int]
    status: str
    created_at: datetime
    #: when the code was suspended (the review, opened earlier, can have outlived a lifted suspension)
    suspended_at: datetime | None
    #: the officer who released it: police only, null for the premises' owner
    decided_by: str | None
    decided_at: datetime | None
    issued_code_id: str | None


class OverrideOut(Schema):
    """A level-change request (four-eyes) and its decision. ``reason`` (the officer's note for the station
    chief), ``requested_by`` and ``decided_by`` are given to the police only: null for the premises' owner."""

    id: int
    premises_id: int
    level: str
    reason: str | None
    status: str
    requested_by: str | None
    decided_by: str | None
    requested_at: datetime
    decided_at: datetime | None
    issued_code_id: str | None


class IssuerOut(Schema):
    """An issuer publishing a revocation list, and where to fetch it."""

    issuer: str
    url: str
