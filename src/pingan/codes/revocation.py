"""Revocation of single safety codes: a compact, signed revocation list that verifiers fetch and cache.

A revocation list is one issuer's list of revoked code ids (CWT ``cti``), signed by one of that
issuer's code-signing keys as a COSE_Sign1 (RFC 9052 §4.2) whose signature binds the external AAD
``b"pingan-revocation-list/1"`` (RFC 9052 §4.3), so that a list can never pass for a safety code nor a
code for a list. The payload is a CBOR map (docs/codes.md, "Revocation list")::

    {1: issuer (tstr), 6: issued-at (NumericDate), 4: next-update (NumericDate),
     -65538: serial (uint, grows with each list), -65539: [[cti (bstr), reason (uint), code-exp (NumericDate)], ...]}

An entry names the code's own expiry so that a publisher can drop it once the code would read as
expired anyway, which keeps the list small. Reasons: 1 re-screened (superseded), 2 fraud, 3 error,
4 suspended (awaiting a police check of the premises' new screening), 5 overridden (superseded by the code of
an approved four-eyes level change). A verifier that does not know a reason still reads the code as revoked.

A verifier keeps the latest list per issuer (highest serial), and after ``next_update`` should fetch a
new one; :meth:`RevocationList.is_stale` says when. This module imports no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import cbor2

from pingan.codes.keys import KeyStore, Signer
from pingan.codes.token import Layer, MalformedError, Status, Verification, loads_cbor, parse_sign1, sign1, signing_key

#: External AAD bound into every revocation-list signature (domain separation from safety codes).
EXTERNAL_AAD = b"pingan-revocation-list/1"

_ISS, _IAT, _NEXT, _SERIAL, _ENTRIES = 1, 6, 4, -65538, -65539


class Reason(IntEnum):
    """Why a code was revoked (the integer is what the list carries)."""

    RESCREENED = 1  # superseded by a code from a newer screening
    FRAUD = 2       # obtained or used fraudulently
    ERROR = 3       # issued in error
    SUSPENDED = 4   # withdrawn until the police check a new screening (docs/codes.md, "The code is derived")
    OVERRIDDEN = 5  # superseded by the code an approved level change (four-eyes) issued


class RevocationListError(ValueError):
    """A revocation list is malformed, signed by an untrusted key, or has a bad signature."""


@dataclass(frozen=True, slots=True)
class Revocation:
    """One revoked code: its id, the reason, and the code's own expiry (UTC, whole seconds)."""

    code_id: bytes
    reason: Reason
    code_expires_at: datetime


def _seconds(value: datetime, name: str) -> int:
    if value.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware (UTC)")
    return int(value.timestamp())


@dataclass(frozen=True)
class RevocationList:
    """One issuer's revoked codes, as of ``issued_at``; valid for caching until ``next_update``.

    ``entries`` maps code id → :class:`Revocation`. Build with :meth:`build`, sign with :meth:`sign`,
    read a fetched list with :meth:`verify`.
    """

    issuer: str
    serial: int
    issued_at: datetime
    next_update: datetime
    entries: Mapping[bytes, Revocation] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "entries", MappingProxyType(dict(self.entries)))
        if self.next_update <= self.issued_at:
            raise ValueError("next_update must be after issued_at")
        if self.serial < 0:
            raise ValueError("serial must be ≥ 0")

    @classmethod
    def build(
        cls, *, issuer: str, serial: int, issued_at: datetime, next_update: datetime,
        revocations: Iterable[Revocation],
    ) -> RevocationList:
        """A list of ``revocations``, leaving out those whose code had already expired at ``issued_at``."""
        live = {r.code_id: r for r in revocations if r.code_expires_at > issued_at}
        return cls(issuer=issuer, serial=serial, issued_at=issued_at, next_update=next_update, entries=live)

    def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
        """The revocation of ``code_id`` when ``issuer`` is this list's issuer, else ``None``."""
        if issuer != self.issuer:
            return None
        return self.entries.get(code_id)

    def is_stale(self, now: datetime) -> bool:
        """True when ``now`` is at or past ``next_update``: fetch a fresh list."""
        return now >= self.next_update

    def to_payload(self) -> bytes:
        """The CBOR payload (entries sorted by code id, so equal lists give equal bytes)."""
        entries = [
            [r.code_id, int(r.reason), _seconds(r.code_expires_at, "code_expires_at")]
            for r in sorted(self.entries.values(), key=lambda r: r.code_id)
        ]
        return cbor2.dumps({
            _ISS: self.issuer, _IAT: _seconds(self.issued_at, "issued_at"),
            _NEXT: _seconds(self.next_update, "next_update"), _SERIAL: self.serial, _ENTRIES: entries,
        })

    def sign(self, signer: Signer) -> bytes:
        """The signed list (tagged COSE_Sign1 bytes, media type ``application/cose``).

        Raises ``ValueError`` when the signer belongs to another issuer.
        """
        if signer.issuer != self.issuer:
            raise ValueError(f"list issuer {self.issuer!r} differs from the signing key's issuer {signer.issuer!r}")
        return sign1(self.to_payload(), signer, external_aad=EXTERNAL_AAD)

    @classmethod
    def verify(cls, data: bytes, trust: KeyStore) -> RevocationList:
        """Check the signature of a fetched list and parse it.

        Raises :class:`RevocationListError` for malformed CBOR/COSE, an unknown key, a key of another
        issuer, a bad signature, or a bad payload — the message says which.
        """
        try:
            message = parse_sign1(data)
        except MalformedError as exc:
            raise RevocationListError(f"revocation list: {exc}") from None
        key = signing_key(message, trust, EXTERNAL_AAD)  # every key with that kid is tried
        if isinstance(key, Verification):
            if key.status is Status.UNKNOWN_KEY:
                raise RevocationListError(f"revocation list signed by unknown key {message.kid.hex()}")
            raise RevocationListError(f"revocation list signature does not verify with key {message.kid.hex()}"
                                      f" ({key.reason})")
        try:
            body = loads_cbor(message.payload, Layer.CWT)
            result = cls._from_payload(body)
        except MalformedError as exc:
            raise RevocationListError(f"revocation list payload: {exc.message}") from None
        except (KeyError, TypeError, ValueError, OverflowError, OSError) as exc:
            raise RevocationListError(f"revocation list payload is malformed ({exc!r})") from None
        if result.issuer != key.issuer:
            raise RevocationListError(
                f"revocation list of issuer {result.issuer!r} signed by key {key.kid.hex()} of {key.issuer!r}"
            )
        return result

    @classmethod
    def _from_payload(cls, body: Any) -> RevocationList:
        if not isinstance(body, Mapping):
            raise TypeError("payload is not a map")
        entries = []
        for item in body[_ENTRIES]:
            code_id, reason, expires = item
            if not isinstance(code_id, bytes):
                raise TypeError("entry code id is not a byte string")
            entries.append(Revocation(code_id, Reason(reason), datetime.fromtimestamp(expires, UTC)))
        issuer, serial = body[_ISS], body[_SERIAL]
        if not isinstance(issuer, str) or not isinstance(serial, int):
            raise TypeError("issuer must be text and serial an integer")
        return cls(
            issuer=issuer, serial=serial,
            issued_at=datetime.fromtimestamp(body[_IAT], UTC),
            next_update=datetime.fromtimestamp(body[_NEXT], UTC),
            entries={e.code_id: e for e in entries},
        )


class RevocationSet:
    """The latest revocation list of each issuer, as a verifier caches them; pass it to ``verify``.

    :meth:`add` keeps a list only if its serial is higher than the cached one of the same issuer, so
    a replayed older list cannot un-revoke a code.
    """

    def __init__(self, lists: Iterable[RevocationList] = ()) -> None:
        self._lists: dict[str, RevocationList] = {}
        for item in lists:
            self.add(item)

    def add(self, revocation_list: RevocationList) -> bool:
        """Cache ``revocation_list``; returns False (and keeps the old one) when it is not newer."""
        current = self._lists.get(revocation_list.issuer)
        if current is not None and current.serial >= revocation_list.serial:
            return False
        self._lists[revocation_list.issuer] = revocation_list
        return True

    def get(self, issuer: str) -> RevocationList | None:
        """The cached list of ``issuer``, or ``None``."""
        return self._lists.get(issuer)

    def lookup(self, issuer: str, code_id: bytes) -> Revocation | None:
        """The revocation of ``code_id`` by ``issuer`` in the cached lists, or ``None``."""
        current = self._lists.get(issuer)
        return current.lookup(issuer, code_id) if current else None
