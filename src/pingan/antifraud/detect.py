"""Real-time detection seam: a transfer (or call, SMS, app install) to a listed fraud identifier becomes a
P1 alert to the anti-fraud centre. Pure code (no Django): :class:`Watchlist` holds the normalised keys of
listed identifiers; :func:`check` decides on one event in microseconds, so the caller — a batch import, the
alerts app's event pipeline, a bank's push — can call it inline and still alert within a second.

The event is a plain mapping (what the alerts pipeline carries): ``kind`` (``transfer``/``call``/``sms``/
``app``), ``counterpart`` (the account, number, domain or app contacted), ``counterpart_kind`` (an
identifier kind), ``person`` (the phone or account of the likely victim), ``amount`` (cents, transfers),
``at`` (ISO time), ``ref`` (the source's id).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pingan.antifraud.identifiers import IdentifierError, normalise


@dataclass
class Watchlist:
    """Listed identifiers: ``(kind, key) → reference`` (e.g. the report or block that listed it)."""

    entries: dict[tuple[str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, items: Iterable[tuple[str, str, str]]) -> Watchlist:
        """From ``(kind, key, reference)`` triples (keys already normalised)."""
        return cls({(k, v): ref for k, v, ref in items})

    def lookup(self, kind: str, value: str) -> str | None:
        try:
            key = normalise(kind, value)
        except IdentifierError:
            return None
        ref = self.entries.get((kind, key))
        if ref is None and kind in ("domain", "url"):
            parts = key.split(".")  # a listed parent domain covers its subdomains (as the RPZ wildcard does)
            for i in range(1, len(parts) - 1):
                ref = self.entries.get(("domain", ".".join(parts[i:])))
                if ref:
                    break
        return ref


@dataclass(frozen=True)
class Detection:
    """What :func:`check` found: ``priority`` (``P1`` for a transfer — money is moving — else ``P2``), the
    matched identifier, the listing's reference, and the event."""

    priority: str
    counterpart_kind: str
    counterpart: str
    listed_by: str
    event: Mapping[str, Any]


def check(event: Mapping[str, Any], watchlist: Watchlist) -> Detection | None:
    """``Detection`` when the event's counterpart is listed, else ``None``."""
    kind = str(event.get("counterpart_kind") or "")
    value = str(event.get("counterpart") or "")
    if not kind or not value:
        return None
    ref = watchlist.lookup(kind, value)
    if ref is None:
        return None
    priority = "P1" if event.get("kind") == "transfer" else "P2"
    return Detection(priority, kind, value, ref, dict(event))
