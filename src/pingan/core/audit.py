"""The audit trail: append-only, hash-chained records of every read or change of personal data.

Each record's ``hash`` is SHA-256 over the previous record's hash and the canonical JSON (sorted keys, no
spaces, UTF-8) of its own fields; the chain head (:class:`~pingan.core.models.AuditHead`) holds the last
sequence number and hash. :func:`verify` walks the chain and names the first record that is missing,
inserted or edited. This is the usual construction of a tamper-evident log (cf. Schneier & Kelsey,
"Secure audit logs to support computer forensics", ACM TISSEC 1999); it detects tampering by anyone who
cannot also rewrite every later record and the head — for that, ship the head hash off-site (``pingan
audit head`` prints it).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from pingan.core.models import AuditHead, AuditRecord

GENESIS = "0" * 64


@dataclass
class AuditContext:
    """Who is acting and why, for the records written during one request or command."""

    request_id: str = ""
    client_addr: str = ""
    purpose: str = ""


_context: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar("pingan_audit", default=None)


def set_context(ctx: AuditContext) -> contextvars.Token:
    """Install the context for the current request/command; returns a token for :func:`reset_context`."""
    return _context.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _context.reset(token)


def current_context() -> AuditContext:
    """The context of the current request/command (an empty one outside any)."""
    return _context.get() or AuditContext()


_FIELDS = ("seq", "at", "actor_id", "actor", "role", "unit", "action", "object_type", "object_id",
           "purpose", "request_id", "client_addr", "detail")


def _canonical(values: dict[str, Any]) -> bytes:
    body = {k: values[k] for k in _FIELDS}
    body["at"] = values["at"].isoformat(timespec="microseconds")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def chain_hash(prev_hash: str, values: dict[str, Any]) -> str:
    """SHA-256 hex of ``prev_hash`` (hex) followed by the canonical JSON of the record's fields."""
    return hashlib.sha256(prev_hash.encode() + b"\n" + _canonical(values)).hexdigest()


@dataclass
class Entry:
    """One thing to record (used by :func:`record_many` for a read of many objects at once)."""

    action: str
    object_type: str
    object_id: str = ""
    detail: dict = field(default_factory=dict)


def record(actor, action: str, object_type: str, object_id: object = "", *, purpose: str = "",
           detail: dict | None = None) -> AuditRecord:
    """Append one record; ``actor`` is a User (or ``None`` for the system). Returns the saved record."""
    return record_many(actor, [Entry(action, object_type, str(object_id), detail or {})], purpose=purpose)[0]


@transaction.atomic
def record_many(actor, entries: list[Entry], *, purpose: str = "") -> list[AuditRecord]:
    """Append several records in one transaction, chained in order. Locks the chain head while appending."""
    if not entries:
        return []
    head, _ = AuditHead.objects.select_for_update().get_or_create(id=1)
    ctx = current_context()
    now = timezone.now()
    prev, seq = head.hash, head.seq
    rows = []
    for entry in entries:
        seq += 1
        values = {
            "seq": seq,
            "at": now,
            "actor_id": getattr(actor, "pk", None),
            "actor": getattr(actor, "username", "") or "system",
            "role": getattr(actor, "role", "") or "",
            "unit": getattr(getattr(actor, "unit", None), "code", "") or "",
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "purpose": purpose or ctx.purpose,
            "request_id": ctx.request_id,
            "client_addr": ctx.client_addr,
            "detail": entry.detail,
        }
        digest = chain_hash(prev, values)
        rows.append(AuditRecord(prev_hash=prev, hash=digest, **values))
        prev = digest
    AuditRecord.objects.bulk_create(rows)
    head.seq, head.hash = seq, prev
    head.save(update_fields=["seq", "hash"])
    return rows


@dataclass
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, the count checked, and the first problem found (if any)."""

    ok: bool
    checked: int
    problem: str = ""
    bad_seq: int | None = None


def _iter_records(batch: int = 5000) -> Iterator[AuditRecord]:
    last = 0
    while True:
        chunk = list(AuditRecord.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].seq


def verify() -> VerifyResult:
    """Walk the whole chain; return the first record that was deleted, inserted or edited.

    Checks, in order for each record: its ``seq`` follows the previous one (a gap means a deleted record),
    its ``prev_hash`` is the previous record's hash, its ``hash`` matches its content; finally that the last
    record is the one the head names (records removed from the end).
    """
    prev, expected_seq, checked = GENESIS, 1, 0
    for rec in _iter_records():
        values = {k: getattr(rec, k) for k in _FIELDS}
        if rec.seq != expected_seq:
            kind = "missing (deleted?)" if rec.seq > expected_seq else "duplicated"
            return VerifyResult(False, checked, f"record {expected_seq} is {kind}; next found is {rec.seq}",
                                expected_seq)
        if rec.prev_hash != prev:
            return VerifyResult(False, checked, f"record {rec.seq} does not follow record {rec.seq - 1} "
                                f"(prev_hash mismatch: inserted or replaced)", rec.seq)
        if chain_hash(prev, values) != rec.hash:
            return VerifyResult(False, checked, f"record {rec.seq} was edited (its content does not match its hash)",
                                rec.seq)
        prev, expected_seq, checked = rec.hash, expected_seq + 1, checked + 1
    head = AuditHead.objects.filter(id=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS)
    if head_seq != checked or head_hash != prev:
        return VerifyResult(False, checked, f"the chain ends at record {checked} but its head names record "
                            f"{head_seq}: records were removed from the end", checked + 1)
    return VerifyResult(True, checked)
