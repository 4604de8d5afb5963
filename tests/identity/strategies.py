"""Hypothesis strategies for identity numbers (synthetic; no real person's number)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from pingan.lib import adcodes
from pingan.lib.identity import ric

#: A fixed "today" so that birth-date bounds do not move under the tests.
TODAY = dt.date(2026, 11, 29)

COUNTY_CODES = sorted(d.code for d in adcodes.divisions(include_historical=True) if d.level == "county")


@st.composite
def valid_rics(draw: st.DrawFn, min_year: int = TODAY.year - ric.MAX_AGE_YEARS + 1) -> str:
    """An 18-digit GB 11643-1999 number with a real county code, birth date and check character."""
    area = draw(st.sampled_from(COUNTY_CODES))
    born = draw(st.dates(min_value=dt.date(min_year, 1, 1), max_value=TODAY))
    seq = draw(st.integers(0, 999))
    first17 = f"{area}{born:%Y%m%d}{seq:03d}"
    return first17 + ric.check_character(first17)


def substitutions(number: str) -> list[tuple[str, int]]:
    """Every single-character substitution of ``number`` (digits at 1–17, digit or X at 18)."""
    out = []
    for i in range(18):
        for ch in "0123456789X" if i == 17 else "0123456789":
            if ch != number[i]:
                out.append((number[:i] + ch + number[i + 1 :], i + 1))
    return out


def transpositions(number: str) -> list[tuple[str, int]]:
    """Every swap of two adjacent, different characters of ``number``."""
    return [
        (number[:i] + number[i + 1] + number[i] + number[i + 2 :], i + 1)
        for i in range(17)
        if number[i] != number[i + 1]
    ]
