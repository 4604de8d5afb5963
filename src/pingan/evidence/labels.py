"""Item labels (物品标签): ``<store>-<year>-<serial>-<check>``, e.g. ``SW-2026-0000123-47``. Pure code.

The check is ISO/IEC 7064 MOD 97-10 over the digits of year and serial (the IBAN check): it catches every
single-digit error and every transposition of two adjacent digits, which a handheld scanner's misread or a
person typing the label from paper makes. :func:`parse` accepts what scanners and people type: any case,
spaces, hyphens or none, full-width digits.
"""

from __future__ import annotations

import re
import unicodedata

_LABEL = re.compile(r"([A-Z]{2,4})-?(\d{4})-?(\d{7})-?(\d{2})")


def check_digits(digits: str) -> str:
    """The two MOD 97-10 check digits of a digit string (``98 - (digits·100 mod 97)``)."""
    if not digits.isdigit() or not digits.isascii():
        raise ValueError("digits only")
    return f"{98 - (int(digits) * 100) % 97:02d}"


def make(store: str, year: int, serial: int) -> str:
    """The label of item ``serial`` (1..9,999,999) of ``year`` in ``store`` (2-4 letters)."""
    if not (re.fullmatch(r"[A-Z]{2,4}", store) and 1000 <= year <= 9999 and 1 <= serial <= 9_999_999):
        raise ValueError(f"bad label parts {store!r} {year} {serial}")
    body = f"{year:04d}{serial:07d}"
    return f"{store}-{year:04d}-{serial:07d}-{check_digits(body)}"


def parse(text: str) -> str | None:
    """The canonical label in ``text`` (as typed or scanned), or ``None`` when it is not one or its check
    digits are wrong."""
    t = unicodedata.normalize("NFKC", text or "").upper()
    t = re.sub(r"[\s_./]+", "", t)
    m = _LABEL.fullmatch(t)
    if not m:
        return None
    store, year, serial, check = m.groups()
    if check_digits(year + serial) != check or int(serial) == 0:
        return None
    return f"{store}-{year}-{serial}-{check}"
