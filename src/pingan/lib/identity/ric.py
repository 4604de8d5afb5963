"""Resident identity card numbers (公民身份号码), GB 11643-1999.

An 18-character number is ``AAAAAA YYYYMMDD SSS C``:

* ``AAAAAA`` — address code (地址码), a GB/T 2260 administrative division code in force when the number
  was issued, so historical codes stay valid (checked with :mod:`pingan.lib.adcodes`);
* ``YYYYMMDD`` — birth date (出生日期码), GB/T 7408;
* ``SSS`` — sequence code (顺序码); its last digit is odd for men and even for women;
* ``C`` — check character (校验码) by ISO 7064:1983 MOD 11-2: ``sum(a_i * 2^(18-i)) ≡ 1 (mod 11)`` over
  positions 1..18, with ``X`` standing for 10.

The 15-digit numbers of first-generation cards are ``AAAAAA YYMMDD SSS``, with no check character; the
18-digit form inserts the century ``19`` before the year and appends the check character. ``19`` is right
for everybody who can still show such a number: first-generation cards lapsed on 2013-01-01, and people
born from October 1999 on were given 18-digit numbers.

MOD 11-2 detects every single-character substitution and every transposition of two adjacent characters
(the weights of neighbouring positions differ by a factor of 2, never ≡ 0 mod 11), so a failing check
means that *something* is wrong but several corrections can pass; :func:`recovery_candidates` lists them.

python-stdnum (``stdnum.cn.ric``) is the reference implementation for the check character; the functions
here are faster equivalents for batch work and the tests assert they agree. This module imports no Django.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from pingan.lib import adcodes

#: Weights of positions 1..17: ``2^(18-i) mod 11`` (GB 11643-1999 check character, ISO 7064 MOD 11-2).
WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))

#: Oldest age accepted for a birth date (a guard against typos in the century: 1823 for 1923).
MAX_AGE_YEARS = 130

_RIC18 = re.compile(r"^\d{17}[\dX]$")
#: Weights of all 18 positions (the check character's own weight is 1) and inverses mod 11.
_ALL_WEIGHTS: tuple[int, ...] = (*WEIGHTS, 1)
_INVERSE: dict[int, int] = {w: pow(w, -1, 11) for w in range(1, 11)}
_RIC15 = re.compile(r"^\d{15}$")
#: What recovery accepts: a valid shape, or the check character ``X`` swapped into position 17.
_RECOVERABLE = re.compile(r"^\d{16}(?:\d[\dX]|X\d)$")


def check_character(first17: str) -> str:
    """The GB 11643-1999 check character (``0``–``9`` or ``X``) for the first 17 digits.

    ``first17`` must be 17 ASCII digits (not checked here; callers validate the shape). Uses the identity
    ``13 ≡ 2 (mod 11)`` so ``int(first17, 13)`` computes the weighted sum in C, as python-stdnum does.
    """
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def check_passes(number18: str) -> bool:
    """True when an 18-character number (digits, last may be ``X``) satisfies ISO 7064 MOD 11-2."""
    return check_character(number18[:17]) == number18[17]


def convert_15_to_18(number15: str) -> str:
    """The 18-digit form of a 15-digit first-generation number (GB 11643-1999): ``19`` + check character.

    Raises ``ValueError`` when ``number15`` is not 15 ASCII digits.
    """
    if not _RIC15.match(number15):
        raise ValueError(f"not a 15-digit resident ID number: {number15!r}")
    first17 = number15[:6] + "19" + number15[6:]
    return first17 + check_character(first17)


def convert_18_to_15(number18: str) -> str | None:
    """The 15-digit form of an 18-digit number born in 1900–1999, or ``None`` when none exists."""
    if not _RIC18.match(number18) or number18[6:8] != "19":
        return None
    return number18[:6] + number18[8:17]


@lru_cache(maxsize=65536)
def parse_birth_date(yyyymmdd: str, today: dt.date) -> dt.date | None:
    """The birth date in ``yyyymmdd`` if it is a real calendar date, not after ``today``, age ≤ 130 years.

    Cached: a batch sees at most ~47,500 distinct birth dates.
    """
    try:
        born = dt.date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return None
    if born > today or today.year - born.year > MAX_AGE_YEARS:
        return None
    return born


@lru_cache(maxsize=8192)
def area_code_exists(code: str) -> bool:
    """True when ``code`` is or was a GB/T 2260 code, or 810000/820000/830000 (HK/MO/TW residence permits)."""
    return code in ("810000", "820000", "830000") or adcodes.exists(code)


@lru_cache(maxsize=8192)
def area_code_unlisted(code: str) -> bool:
    """True when ``code`` is in no bundled GB/T 2260 table but lies in a prefecture-level division that is
    or was one (``430419``, ``321119``: counties or zones of 衡阳 4304 / 镇江 3211 that the tables lack).

    Public security bureaus have issued numbers with such codes (development zones, new districts, codes
    used before or outside their publication), and no bundled table is complete for every year. A number
    with such a code that passes its check character and birth date is valid, matched exactly, and flagged
    for verification (``area_code_unlisted``); a code whose prefecture never existed (``999999``,
    ``119999``) stays ``unknown_area_code``. ``code`` is six ASCII digits.
    """
    return (not area_code_exists(code) and code[4:6] != "00" and code[2:4] != "00"
            and adcodes.exists(code[:4] + "00"))


def area_code_plausible(code: str) -> bool:
    """:func:`area_code_exists` or :func:`area_code_unlisted`: what the GB 11643 address-code rule accepts."""
    return area_code_exists(code) or area_code_unlisted(code)


ErrorCode = Literal["bad_length", "bad_characters", "bad_check_digit", "bad_birth_date", "unknown_area_code"]


def validate18(number: str, today: dt.date) -> ErrorCode | None:
    """The first failing GB 11643-1999 rule for a cleaned 18-character number, or ``None`` when valid.

    Order: length, characters, check character, birth date, address code — so a typo is reported as
    ``bad_check_digit`` even when it also breaks the date. An address code that no bundled table lists but
    whose prefecture exists passes (:func:`area_code_unlisted`; the document layer flags it).
    """
    if len(number) != 18:
        return "bad_length"
    if not _RIC18.match(number):
        return "bad_characters"
    if check_character(number[:17]) != number[17]:
        return "bad_check_digit"
    if parse_birth_date(number[6:14], today) is None:
        return "bad_birth_date"
    if not area_code_plausible(number[:6]):
        return "unknown_area_code"
    return None


def sex_of(number18: str) -> Literal["M", "F"]:
    """``M`` when the 17th digit (last of the sequence code) is odd, else ``F`` (GB 11643-1999 sequence code)."""
    return "M" if int(number18[16]) % 2 else "F"


@dataclass(frozen=True, slots=True)
class Candidate:
    """A correction of a mistyped 18-digit number that passes every GB 11643-1999 rule.

    ``kind`` is ``substitution`` (one character replaced) or ``transposition`` (two adjacent characters
    swapped); ``positions`` are the 1-based positions changed (one for a substitution, two for a swap).
    """

    number: str
    kind: Literal["substitution", "transposition"]
    positions: tuple[int, ...]

    def describe(self) -> str:
        """A short English description, e.g. ``transposition at positions 11–12``."""
        if self.kind == "transposition":
            return f"transposition at positions {self.positions[0]}–{self.positions[1]}"
        return f"substitution at position {self.positions[0]}"


def recovery_candidates(number: str, today: dt.date | None = None) -> list[Candidate]:
    """Every valid number one substitution or one adjacent transposition away from a failing ``number``.

    ``number`` is a cleaned 18-character string (digits, last may be ``X``; an ``X`` at position 17 with a
    digit at 18 is accepted too, the trace of a 17–18 transposition) whose check fails; for a number that
    already validates, or has another shape, the list is empty. Each candidate passes the
    check character, has a real birth date and an address code that is, was, or plausibly is a GB/T 2260
    code (:func:`area_code_plausible`: a corrected number is used only when another record holds it, so
    an unlisted county code is no reason to drop it). Substitutions at positions
    1..17 have at most one passing digit each (the weight is invertible mod 11); at position 18 exactly
    one check character passes. Order: by position, substitutions before transpositions.
    """
    today = today or dt.date.today()
    if not _RECOVERABLE.match(number) or (_RIC18.match(number) and check_passes(number)):
        return []
    # Work in the ISO 7064 residue: with values v (X = 10) and weights W (the check character's is 1),
    # a number is valid iff T = sum(v*W) ≡ 1 (mod 11). The digit that repairs position i is then solved
    # for directly instead of trying all ten, which makes recovery ~20x cheaper in a batch.
    values = [10 if ch == "X" else int(ch) for ch in number]
    total = sum(v * w for v, w in zip(values, _ALL_WEIGHTS, strict=True)) % 11
    need = (1 - total) % 11
    out: list[Candidate] = []

    def keep(cand: str, kind: Literal["substitution", "transposition"], pos: tuple[int, ...]) -> None:
        if not _RIC18.match(cand):
            return
        if parse_birth_date(cand[6:14], today) is None or not area_code_plausible(cand[:6]):
            return
        out.append(Candidate(cand, kind, pos))

    for i in range(18):
        repaired = (values[i] + need * _INVERSE[_ALL_WEIGHTS[i]]) % 11
        if repaired != values[i] and (repaired < 10 or i == 17):
            ch = "X" if repaired == 10 else str(repaired)
            keep(number[:i] + ch + number[i + 1 :], "substitution", (i + 1,))
        if i < 17 and values[i] != values[i + 1]:
            delta = (values[i + 1] - values[i]) * (_ALL_WEIGHTS[i] - _ALL_WEIGHTS[i + 1])
            if delta % 11 == need:
                keep(number[:i] + number[i + 1] + number[i] + number[i + 2 :], "transposition", (i + 1, i + 2))
    return out
