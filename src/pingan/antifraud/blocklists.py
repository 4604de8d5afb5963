"""Block-list exports in the formats the receivers load. Pure code (no Django).

* **Domains → DNS Response Policy Zone (RPZ)** (draft-vixie-dnsop-dns-rpz; the zone format of BIND, Unbound,
  PowerDNS Recursor — ``PowerDNS/pdns:pdns/basic.rpz``): an ordinary zone with ``$TTL``, ``SOA`` and ``NS``;
  each blocked name is an owner name under the zone's origin with ``CNAME .`` (answer NXDOMAIN), plus the
  same for ``*.name`` so subdomains are blocked too. The SOA serial is ``YYYYMMDDnn`` so that a resolver's
  IXFR sees every export as newer. Tested by loading it into Unbound (tests/antifraud/test_rpz_unbound.py).
* **Numbers → carriers' CSV**: ``number,action,reason_code,expires_at,reference`` with E.164 numbers; one
  line per blocked number; UTF-8, RFC 4180 quoting.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass

from pingan.antifraud.identifiers import host_of


@dataclass(frozen=True, slots=True)
class ZoneEntry:
    """A blocked domain (already normalised) and a short comment (e.g. the block's reference)."""

    domain: str
    comment: str = ""


def rpz_zone(entries: Iterable[ZoneEntry], *, origin: str = "rpz.pingan.invalid", serial: int,
             ttl: int = 300, nameserver: str = "localhost.", contact: str = "hostmaster.pingan.invalid.") -> str:
    """The RPZ zone file text. ``serial``: 32-bit unsigned (e.g. :func:`serial_for`). Raises ``ValueError``
    for a serial out of range. Duplicate domains are written once; the order is sorted (stable diffs)."""
    if not 0 < serial < 2**32:
        raise ValueError("the SOA serial must be a 32-bit unsigned integer")
    origin = origin.rstrip(".") + "."
    lines = [
        f"$TTL {ttl}",
        f"$ORIGIN {origin}",
        f"@ IN SOA {nameserver} {contact} ( {serial} 3600 600 86400 {ttl} )",
        f"@ IN NS {nameserver}",
    ]
    seen: dict[str, str] = {}
    for e in entries:
        seen.setdefault(host_of(e.domain), e.comment)
    for d in sorted(seen):
        comment = seen[d].replace("\n", " ").replace(";", ",")
        lines.append(f"{d} CNAME .{'  ; ' + comment if comment else ''}")
        lines.append(f"*.{d} CNAME .")
    return "\n".join(lines) + "\n"


def serial_for(now: dt.datetime, counter: int = 0) -> int:
    """``YYYYMMDDnn`` (``nn`` = ``counter`` 0–99): the usual date-based SOA serial (RFC 1912 §2.2)."""
    if not 0 <= counter <= 99:
        raise ValueError("counter must be 0–99")
    return int(now.strftime("%Y%m%d")) * 100 + counter


@dataclass(frozen=True, slots=True)
class NumberEntry:
    number: str  # E.164
    reason_code: str
    expires_at: dt.datetime | None
    reference: str


def carriers_csv(entries: Iterable[NumberEntry]) -> str:
    """The numbers CSV: header ``number,action,reason_code,expires_at,reference``; ``action`` is ``block``;
    ``expires_at`` ISO 8601 with offset, empty when open-ended."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["number", "action", "reason_code", "expires_at", "reference"])
    for e in sorted(entries, key=lambda e: e.number):
        w.writerow([e.number, "block", e.reason_code, e.expires_at.isoformat() if e.expires_at else "", e.reference])
    return buf.getvalue()
