"""Phone numbers → E.164 (ITU-T Recommendation E.164), with Google's libphonenumber data (``phonenumbers``).

``phonenumbers`` is the reference: a number is kept only when ``phonenumbers.is_valid_number`` accepts it.
Parsing with it costs ~30 µs, too slow for a million-row roster, so the common clean case — a mainland
mobile number, optionally with a ``+86`` / ``0086`` / ``86`` prefix and separators — takes a fast path
that applies the *same* mobile pattern taken from phonenumbers' own metadata for region CN; a number of
that shape that fails the pattern is invalid for phonenumbers too. The tests assert that both paths
agree (hypothesis, plus a sweep over the 5-digit ``1xxxx`` prefixes in four written forms). Everything
else (fixed lines such as ``010-12345678``, numbers of Hong Kong +852, Macao +853, Taiwan +886 and
abroad) goes through phonenumbers.

A bare number is read in ``default_region`` (CN unless told): an 8-digit Hong Kong number without
``+852`` is not a valid mainland number and comes back ``None`` rather than being guessed.
This module imports no Django.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from pingan.lib.identity._text import fold

_CN_MOBILE = re.compile(
    "^(?:" + phonenumbers.PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern + ")$"
)
_STRIP = re.compile(r"[\s\u00a0\-\u2010-\u2015\u2212()（）.]+")
_FAST = re.compile(r"^(?:\+86|0086|86)?(1\d{10})$")
#: Extension markers that phonenumbers does not know in Chinese.
_EXT_ZH = re.compile(r"(?:转|分机)")


def _fast_cn_mobile(cleaned: str) -> tuple[bool, str | None]:
    """(decided, E.164) for a separator-free number shaped like a mainland mobile number.

    ``decided`` is true when ``cleaned`` is ``1`` + 10 digits, optionally +86/0086/86-prefixed: such a
    number is valid exactly when it matches the CN mobile pattern (the tests sweep the 5-digit prefixes
    against phonenumbers to hold this), so the result is final either way.
    """
    m = _FAST.match(cleaned)
    if m is None:
        return False, None
    return True, ("+86" + m.group(1)) if _CN_MOBILE.match(m.group(1)) else None


@lru_cache(maxsize=1 << 18)
def _via_phonenumbers(text: str, default_region: str) -> str | None:
    """The reference path: parse with phonenumbers and keep the number only if it is valid."""
    text = _EXT_ZH.sub(" ext ", text)
    candidates = [text]
    digits = re.sub(r"\D", "", text)
    if text.startswith("00") or (digits.startswith("86") and default_region == "CN" and len(digits) > 11):
        # "0086…" is the international call prefix; a bare "86…" is a country code typed without "+".
        candidates.append("+" + digits.removeprefix("00"))
    for cand in candidates:
        try:
            parsed = phonenumbers.parse(cand, default_region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(parsed):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return None


def normalize_phone(raw: str | None, default_region: str = "CN") -> str | None:
    """The E.164 form (``+8613812345678``) of a roster phone number, or ``None`` when empty or invalid.

    ``raw`` may use full-width digits, spaces, dashes, brackets and the ``+86`` / ``0086`` / ``86``
    prefixes; ``default_region`` is the ISO 3166-1 alpha-2 region a number without country code is read
    in. Never raises.
    """
    if raw is None:
        return None
    text = fold(str(raw)).strip()
    if not text:
        return None
    cleaned = _STRIP.sub("", text)
    if default_region == "CN":
        decided, fast = _fast_cn_mobile(cleaned)
        if decided:
            return fast
    return _via_phonenumbers(text, default_region)


def normalize_phone_reference(raw: str, default_region: str = "CN") -> str | None:
    """The phonenumbers-only result for ``raw`` (no fast path): what the tests compare the fast path with."""
    text = fold(raw).strip()
    return _via_phonenumbers.__wrapped__(text, default_region) if text else None
