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
from collections.abc import Iterable, Iterator, Mapping
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
    ``gap``, ``edited``, ``relinked``, ``head_mismatch``, ``wrong_item``, ``checkpoint_changed``).
    ``head_hash``: the hash of the last event checked; ``since``: the ``seq`` verification started after
    (0 for the whole chain, the checkpoint's for :func:`verify_from`)."""

    ok: bool
    checked: int
    bad_seq: int | None = None
    problem: str = ""
    head_hash: str = ""
    since: int = 0


def _walk(item: object, events: Iterator[Mapping[str, Any]], *, seq0: int, prev: str, head_seq: int,
          head_hash: str) -> Verdict:
    """Check events ``seq0 + 1 …`` linking to ``prev``; ``checked`` counts from ``seq0``."""
    n = seq0
    for e in events:
        n += 1
        seq = e["seq"]
        if e["item"] != item:
            return Verdict(False, n - 1, seq, "wrong_item", prev, seq0)
        if seq != n:
            return Verdict(False, n - 1, n, "gap", prev, seq0)
        if e["prev_hash"] != prev:
            return Verdict(False, n - 1, seq, "relinked", prev, seq0)
        if event_hash(e) != e["hash"]:
            return Verdict(False, n - 1, seq, "edited", prev, seq0)
        prev = e["hash"]
    if n != head_seq or prev != head_hash:
        return Verdict(False, n, n + 1 if n < head_seq else n, "head_mismatch", prev, seq0)
    return Verdict(True, n, head_hash=prev, since=seq0)


def verify(item: object, events: Iterable[Mapping[str, Any]], *, head_seq: int, head_hash: str) -> Verdict:
    """Check ``events`` (mappings with :data:`FIELDS` and ``hash``, in ``seq`` order) of ``item`` against the
    head the item row keeps. O(n) hashes; the first problem found is returned."""
    return _walk(item, iter(events), seq0=0, prev=GENESIS, head_seq=head_seq, head_hash=head_hash)


def verify_from(item: object, events: Iterable[Mapping[str, Any]], *, checkpoint_seq: int, checkpoint_hash: str,
                head_seq: int, head_hash: str) -> Verdict:
    """Incremental verification: ``events`` start at the checkpointed event (``checkpoint_seq``, whose hash a
    full :func:`verify` found to be ``checkpoint_hash``). That event must be there, unchanged in content and
    hash; every later one must link and hash, up to the head. Work is O(events since the checkpoint).

    What it does not prove: the events *before* the checkpoint. An edit there that leaves the checkpointed
    event alone is found only by a full :func:`verify` (run on a schedule, and for the court's PDF)."""
    it = iter(events)
    first = next(it, None)
    if first is None or first["seq"] != checkpoint_seq or first["item"] != item:
        return Verdict(False, checkpoint_seq - 1, checkpoint_seq, "checkpoint_changed", "", checkpoint_seq)
    if first["hash"] != checkpoint_hash or event_hash(first) != first["hash"]:
        return Verdict(False, checkpoint_seq - 1, checkpoint_seq, "checkpoint_changed", "", checkpoint_seq)
    return _walk(item, it, seq0=checkpoint_seq, prev=checkpoint_hash, head_seq=head_seq, head_hash=head_hash)
