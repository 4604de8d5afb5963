"""Dates of birth as lists and rosters write them, read at the precision they carry (pure Python, no Django).

Watchlists give dates of birth in every form: ISO 8601 (``1990-03-07``), slashes and dots
(``1990/3/7``, ``1990.3.7``), Chinese (``1990年3月7日``, ``1990年3月``), compact (``19900307``), day first
(``07/03/1990``, ``7 Mar 1990``), month names (``March 1990``, ``Mar 7, 1990``), approximate
(``circa 1990``, ``约1990年``), ranges (``1960 to 1965``), zero placeholders for an unknown month or day
(``1990-00-00``), and impossible dates (``1990-02-30``). :func:`parse_birth_dates` reads each at the
precision it carries and says what it did, so an entry is never dropped for its date: an impossible day
is dropped to the month, an impossible month to the year, an ambiguous day/month order (``03/07/1990``)
to the year. The result is ISO 8601 at that precision (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), which a
batch compares by prefix: a year-only date matches every roster date of that year.

Sources: ISO 8601-1:2019 (reduced precision ``YYYY-MM`` / ``YYYY``), GB/T 7408-2005 (its Chinese
adoption); the UN consolidated list's ``DATE``/``YEAR``/``FROM_YEAR``–``TO_YEAR``; OFAC's ``DOB`` remarks.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Precision = Literal["day", "month", "year"]

#: Notes on how a date was read (stable codes; params ``value``, the text as given).
DATE_NOTES: dict[str, tuple[str, str]] = {
    "impossible_date": ("the date %(value)s does not exist; compared at the precision that does (%(read_as)s)",
                        "日期 %(value)s 不存在，按 %(read_as)s 比对"),
    "ambiguous_day_month": ("in %(value)s the day and the month cannot be told apart; compared by year "
                            "(%(read_as)s)", "%(value)s 中日、月无法区分，按年份 %(read_as)s 比对"),
    "approximate": ("%(value)s is approximate; compared by year (%(read_as)s)",
                    "%(value)s 为约数，按年份 %(read_as)s 比对"),
    "unreadable_date": ("the date of birth %(value)s could not be read; the entry is kept without it",
                        "出生日期 %(value)s 无法识别，该条目保留，不按出生日期比对"),
}

_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_MONTH_WORD = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_APPROX = re.compile(r"^(?:circa|ca\.?|c\.|approx(?:imately|\.)?|about|around|约|大约|大概)\s*(.+?)(?:左右|前后)?$",
                     re.IGNORECASE)
_RANGE = re.compile(r"^(\d{4})\s*(?:to|-|–|—|~|～|至|到)\s*(\d{4})(?:年)?$", re.IGNORECASE)
_YMD = re.compile(r"^(\d{4})\s*[-/.年\s]\s*(\d{1,2})\s*(?:[-/.月\s]\s*(\d{1,2})\s*日?|月)?(?:[T\s].*)?$")
_Y = re.compile(r"^(\d{4})\s*年?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
_DMY = re.compile(r"^(\d{1,2})\s*[-/.\s]\s*(\d{1,2})\s*[-/.\s]\s*(\d{4})$")
_D_MON_Y = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s*[-/\s]\s*" + _MONTH_WORD + r"\s*[-/,\s]\s*(\d{4})$", re.IGNORECASE)
_MON_D_Y = re.compile(r"^" + _MONTH_WORD + r"\s*(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$", re.IGNORECASE)
_MON_Y = re.compile(r"^" + _MONTH_WORD + r"\s*[-/,\s]?\s*(\d{4})$", re.IGNORECASE)
_MAX_RANGE_YEARS = 20


@dataclass(frozen=True, slots=True)
class BirthDate:
    """One date of birth read from text: ``iso`` at its ``precision`` (``1990-03-07`` day, ``1990-03``
    month, ``1990`` year) and ``note``, a :data:`DATE_NOTES` code when the text was read coarser than it
    was written (``impossible_date``, ``ambiguous_day_month``, ``approximate``), else ``None``."""

    iso: str
    precision: Precision
    note: str | None = None


def _at_precision(year: int, month: int | None, day: int | None) -> BirthDate | None:
    """The date at the finest precision that exists; ``None`` for a year outside 1800–2100."""
    if not 1800 <= year <= 2100:
        return None
    if not month:  # 0 or None: unknown month (zero placeholders, 1990-00-00)
        return BirthDate(f"{year:04d}", "year")
    if not 1 <= month <= 12:
        return BirthDate(f"{year:04d}", "year", "impossible_date")
    if not day:
        return BirthDate(f"{year:04d}-{month:02d}", "month")
    try:
        dt.date(year, month, day)
    except ValueError:
        return BirthDate(f"{year:04d}-{month:02d}", "month", "impossible_date")
    return BirthDate(f"{year:04d}-{month:02d}-{day:02d}", "day")


def parse_birth_dates(text: str | None) -> list[BirthDate]:
    """Every date of birth in ``text`` (one, or each year of a range of at most 20 years), read at its
    precision (module docstring); ``[]`` when nothing can be read (the caller keeps the entry and notes
    ``unreadable_date``). Never raises."""
    if text is None:
        return []
    s = unicodedata.normalize("NFKC", str(text)).strip().rstrip(".").strip()
    if not s:
        return []
    if m := _APPROX.match(s):
        years = dict.fromkeys(d.iso[:4] for d in parse_birth_dates(m.group(1)))
        return [BirthDate(y, "year", "approximate") for y in years]
    if m := _RANGE.match(s):
        lo, hi = int(m.group(1)), int(m.group(2))
        if 0 <= hi - lo <= _MAX_RANGE_YEARS:
            return [d for y in range(lo, hi + 1) if (d := _at_precision(y, None, None))]
        return []
    parsed: BirthDate | None = None
    if m := _Y.match(s):
        parsed = _at_precision(int(m.group(1)), None, None)
    elif (m := _COMPACT.match(s)) or (m := _YMD.match(s)):
        parsed = _at_precision(int(m.group(1)), int(m.group(2)), int(m.group(3)) if m.group(3) else None)
    elif m := _D_MON_Y.match(s):
        parsed = _at_precision(int(m.group(3)), _MONTHS[m.group(2)[:3].lower()], int(m.group(1)))
    elif m := _MON_D_Y.match(s):
        parsed = _at_precision(int(m.group(3)), _MONTHS[m.group(1)[:3].lower()], int(m.group(2)))
    elif m := _MON_Y.match(s):
        parsed = _at_precision(int(m.group(2)), _MONTHS[m.group(1)[:3].lower()], None)
    elif m := _DMY.match(s):
        a, b, year = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if a > 12 or b == 0:  # day first (07/03/1990 read in most of the world, 31/12/1990)
            parsed = _at_precision(year, b, a)
        elif b > 12 or a == 0:  # month first (US: 12/31/1990)
            parsed = _at_precision(year, a, b)
        elif a == b:
            parsed = _at_precision(year, a, a)
        else:
            parsed = _at_precision(year, None, None)
            parsed = BirthDate(parsed.iso, "year", "ambiguous_day_month") if parsed else None
    return [parsed] if parsed else []


def listed_params(params: dict, lang: str = "en") -> dict:
    """``params`` with the dates a text was read as (``read_as``: a list, or a text joined with ", " as notes
    stored before it was a list) listed as the language lists them: ``1960、1961`` / ``1960, 1961`` (issue 11:
    a list's English comma in Chinese text)."""
    read_as = params.get("read_as")
    if read_as is None:
        return params
    items = read_as.split(", ") if isinstance(read_as, str) else [str(x) for x in read_as]
    return {**params, "read_as": ("、" if lang == "zh" else ", ").join(items)}


def date_note_text(code: str, params: dict[str, str], lang: Literal["en", "zh"] = "en") -> str:
    """A :data:`DATE_NOTES` note rendered in English or Chinese (one language, never both: issue 11)."""
    en, zh = (t % listed_params(params, lang) for t in DATE_NOTES[code])
    return zh if lang == "zh" else en
