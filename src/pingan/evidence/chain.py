"""The chain of custody of one item: hash-chained events. Pure code (no Django).

Each event's ``hash = SHA-256(prev_hash || "\\n" || canonical JSON of its fields)``, ``prev_hash`` of the first
event being :data:`GENESIS`; ``seq`` counts from 1 without gaps; the item row keeps the head (last ``seq`` and
``hash``), so an event removed from the end is noticed too. A deleted, edited, inserted or reordered event
breaks the chain and :func:`verify` names the first bad ``seq`` (the construction of Schneier & Kelsey,
"Secure audit logs to support computer forensics", ACM TISSEC 1999, as ``pingan.core.audit`` uses it).

Canonical JSON: sorted keys, no spaces, UTF-8, times as ISO 8601 with microseconds in UTC.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64

#: The fields an event's hash covers (everything but the hash itself and the database id).
FIELDS = ("item", "seq", "kind", "at", "actor", "witness", "location", "custody", "place", "reason", "detail",
          "prev_hash")


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            raise ValueError("event times must be timezone-aware")
        return v.astimezone(dt.UTC).isoformat(timespec="microseconds")
    return v


def canonical(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON of an event's :data:`FIELDS` (``KeyError`` for a missing one)."""
    body = {k: _value(fields[k]) for k in FIELDS}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def event_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 hex of the event's ``prev_hash`` and its canonical JSON."""
    return hashlib.sha256(str(fields["prev_hash"]).encode() + b"\n" + canonical(fields)).hexdigest()


@dataclass(frozen=True)
class Verdict:
    """Outcome of :func:`verify`: ``ok``, events checked, and the first problem (``bad_seq`` and a code:
    ``gap``, ``edited``, ``relinked``, ``head_mismatch``, ``wrong_item``)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""


def verify(item: object, events: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str) -> Verdict:
    """Check ``events`` (mappings with :data:`FIELDS` and ``hash``, in ``seq`` order) of ``item`` against the
    head the item row keeps. O(n) hashes; the first problem found is returned."""
    prev, n = GENESIS, 0
    for n, e in enumerate(events, start=1):
        seq = e["seq"]
        if e["item"] != item:
            return Verdict(False, n - 1, seq, "wrong_item")
        if seq != n:
            return Verdict(False, n - 1, n, "gap")
        if e["prev_hash"] != prev:
            return Verdict(False, n - 1, seq, "relinked")
        if event_hash(e) != e["hash"]:
            return Verdict(False, n - 1, seq, "edited")
        prev = e["hash"]
    if n != head_seq or prev != head_hash:
        return Verdict(False, n, n + 1 if n < head_seq else n, "head_mismatch")
    return Verdict(True, n)
