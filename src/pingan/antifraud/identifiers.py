"""Suspect identifiers (涉案标识): normalisation so that the same account, number, domain, app, IM account or
wallet written differently is one key — the key that links reports into a series (串并案), feeds block lists
and matches contact records. Pure code (no Django).

Kinds and rules:

* ``bank_account`` — digits only (spaces, dashes removed); 8–30 digits (bank cards are 16–19, GB/T 20548
  / ISO/IEC 7812; corporate accounts vary).
* ``phone`` — E.164 via ``phonenumbers`` (region CN by default); a number it cannot parse is refused.
* ``domain`` / ``url`` — the host, lower-case, IDNA (punycode), no trailing dot; a URL keeps its host
  only for linking (the full URL is kept as given).
* ``app`` — lower-case, inner whitespace removed (package names such as ``com.example.loan`` or app names).
* ``im`` — ``platform:account`` lower-case (e.g. ``wechat:abc123``; ``qq:12345``).
* ``wallet`` — hex (``0x…``) addresses lower-case; others (base58, bech32) as given, trimmed.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import phonenumbers

KINDS = ("bank_account", "phone", "domain", "url", "app", "im", "wallet")


class IdentifierError(ValueError):
    """The value cannot be an identifier of its kind; the message says why."""


def normalise(kind: str, value: str) -> str:
    """The linking key of ``value`` as a ``kind``. Raises :class:`IdentifierError` for a bad value or kind."""
    v = (value or "").strip()
    if not v:
        raise IdentifierError("the value is empty")
    if kind == "bank_account":
        digits = re.sub(r"[\s\-]", "", v)
        if not digits.isdigit() or not 8 <= len(digits) <= 30:
            raise IdentifierError(f"{value!r} is not a bank account number (8–30 digits)")
        return digits
    if kind == "phone":
        try:
            num = phonenumbers.parse(v, "CN")
        except phonenumbers.NumberParseException as exc:
            raise IdentifierError(f"{value!r} is not a phone number") from exc
        if not phonenumbers.is_possible_number(num):
            raise IdentifierError(f"{value!r} is not a possible phone number")
        return phonenumbers.format_number(num, phonenumbers.PhoneNumberFormat.E164)
    if kind in ("domain", "url"):
        return host_of(v)
    if kind == "app":
        return re.sub(r"\s+", "", v).lower()
    if kind == "im":
        if ":" not in v:
            raise IdentifierError(f"{value!r}: write an IM account as platform:account (e.g. wechat:abc123)")
        platform, account = v.split(":", 1)
        if not platform.strip() or not account.strip():
            raise IdentifierError(f"{value!r}: both the platform and the account are needed")
        return f"{platform.strip().lower()}:{account.strip().lower()}"
    if kind == "wallet":
        return v.lower() if re.fullmatch(r"0x[0-9a-fA-F]{40}", v) else v
    raise IdentifierError(f"unknown identifier kind {kind!r}; use one of {', '.join(KINDS)}")


_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def host_of(value: str) -> str:
    """The host of a URL or domain, lower-case IDNA without a trailing dot. Raises :class:`IdentifierError`."""
    v = value.strip()
    host = urlsplit(v if "://" in v else "http://" + v).hostname or ""
    host = host.rstrip(".")
    try:
        host = host.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise IdentifierError(f"{value!r} has no valid domain name") from exc
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.match(x) for x in labels) or len(host) > 253:
        raise IdentifierError(f"{value!r} has no valid domain name")
    return host
