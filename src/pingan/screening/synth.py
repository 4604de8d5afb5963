"""Synthetic rosters, movement records and ground truth for batch screening (demo, tests, benchmarks).

Two generators:

* :func:`generate` — a realistic, fully labelled data set of modest size (up to ~10⁵ people): a roster
  (``roster.csv`` UTF-8 with BOM and/or ``roster.xlsx``) with a documented share of corrupted entries, the
  authority's movement records (``movements.parquet``, optionally ``movements.csv``) for the roster people
  *and* for many people not on the roster, and ``truth.csv`` giving, for every roster row, the clean
  identity, the corruption applied and the level the screening must reach with the rule and area behind it.
* :func:`generate_large` — the speed benchmark's 1,000,000-person roster against 100,000,000 movement
  records, generated with numpy and DuckDB SQL (hash-based pseudo-randomness over ``range()``), not with
  Faker per row.

Rules and formats followed (details and shares: ``docs/synthetic-data.md``):

* resident ID numbers per GB 11643-1999 (address code of a GB/T 2260 county valid in the birth year as
  python-stdnum's ``cn/loc`` database records it, birth date, sequence code odd for men / even for women,
  ISO 7064 MOD 11-2 check character); the 15-digit first-generation form per GB 11643-1989;
* the expected level follows the default rule set ``prevention-2022-v9`` (新型冠状病毒肺炎防控方案（第九版）):
  a stay in a listed high-risk area while listed within the 7-day look-back → red (rule ``area-high``);
  in a listed medium-risk area → yellow (``area-medium``); elsewhere in a county that had a listed
  high-risk area at the time → yellow (``county-with-high``); otherwise green. Low-risk listings carry no
  level. The look-back window is ``[as_of − 7 days 00:00, as_of + 1 day 00:00)`` Asia/Shanghai; the
  generator keeps exposures at least a day inside it and traps at least two days outside it, so an engine
  that reads "7 days" slightly differently still agrees with the truth file.

Synthetic people come from Faker ``zh_CN`` and from its name pools; no real private person's data is used.
This module imports no Django.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from pingan.lib import adcodes

TZ = ZoneInfo("Asia/Shanghai")

#: Look-back of the 2022 protocol (第九版 §(三): "7天内有…旅居史").
LOOKBACK_DAYS = 7

#: Roster headers, in order (the ingest's contract).
#: The roster's columns. 房号 is the room at the premises (the roster template's 房号/地址, what the pages show as where
#: the person lives there); the column used to be 地址 holding a home-province address — a household (户籍) address,
#: which officers read as the room (a fresh-user trial).
ROSTER_HEADERS = ("姓名", "证件类型", "证件号码", "手机号码", "性别", "出生日期", "房号", "入住日期")

#: Movement record columns, in order (the engine's contract).
MOVEMENT_COLUMNS = ("id_type", "id_number", "name", "adcode", "place", "start", "end", "source")

#: ``truth.csv`` columns, in order.
TRUTH_COLUMNS = (
    "row", "person_key", "clean_id", "clean_name", "birth_date", "id_as_written", "name_as_written",
    "corruption", "scenario", "expected_level", "rule", "area_key",
)

ID_TYPE = "居民身份证"

#: Movement sources and their typical stay (hours, min–max): a train or a flight is a few hours, a hotel
#: check-in a night or more, a roaming record or a self-declaration about a day.
SOURCES: dict[str, tuple[float, float]] = {
    "rail_ticket": (1.0, 8.0),
    "hotel_checkin": (10.0, 60.0),
    "telecom_roaming": (2.0, 30.0),
    "self_declaration": (4.0, 24.0),
    "flight": (1.0, 5.0),
}

#: Share of each corruption type among the corrupted roster rows (sums to 1).
CORRUPTION_SHARES: dict[str, float] = {
    "typo": 0.15,            # one digit of the ID substituted
    "transposition": 0.15,   # two adjacent, different digits of the ID swapped
    "id15": 0.10,            # the 15-digit first-generation number (born 1900–1999 only)
    "traditional": 0.10,     # the name in traditional characters (OpenCC s2t)
    "fullwidth": 0.10,       # the ID in full-width digits (０-９, Ｘ)
    "homophone": 0.10,       # one name character replaced by a homophone (same toned pinyin)
    "missing_phone": 0.08,   # phone left empty
    "missing_id": 0.07,      # no document: name + phone + birth date only
    "lowercase_x": 0.05,     # check character X written x (only IDs ending in X)
    "spaces_dashes": 0.10,   # ID grouped 6-8-4 with spaces or dashes
}

#: Scenarios of the people who must be flagged, as shares of ``exposed_share`` (sum 1).
EXPOSED_SCENARIOS: dict[str, float] = {"area_high": 0.5, "area_medium": 0.3, "county_high": 0.2}
#: Precision traps, as shares of ``trap_share`` (sum 1): a listed area visited before the look-back
#: window, or inside the window while the area was not listed.
TRAP_SCENARIOS: dict[str, float] = {"trap_window": 0.5, "trap_interval": 0.5}

#: Share of roster people who have a namesake off the roster (same name, other ID and birth date) who
#: stayed in a high-risk area — a trap for name-only matching.
NAMESAKE_SHARE = 0.02

#: Background movements fall in the 30 days before ``as_of``.
BACKGROUND_DAYS = 30

_LEVEL_RANK = {"green": 0, "yellow": 1, "red": 2}
_FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_DAY = dt.timedelta(days=1)


class SynthError(ValueError):
    """The inputs cannot produce the requested data set (e.g. no listing is active before ``as_of``)."""


@dataclass(frozen=True, slots=True)
class GenerateResult:
    """What :func:`generate` or :func:`generate_large` wrote.

    ``files`` maps a logical name (``roster_csv``, ``roster_xlsx``, ``movements_parquet``,
    ``movements_csv``, ``truth``) to its path; ``people`` is the roster size, ``outsiders`` the number of
    people in the movement records who are not on the roster, ``movements`` the number of movement rows;
    ``by_corruption``, ``by_scenario`` and ``by_expected`` count roster rows (``by_expected`` is empty for
    :func:`generate_large`, which does not evaluate 10⁸ records); ``seconds`` is the wall-clock time.
    """

    out_dir: Path
    files: dict[str, Path]
    people: int
    outsiders: int
    movements: int
    by_corruption: dict[str, int] = field(default_factory=dict)
    by_scenario: dict[str, int] = field(default_factory=dict)
    by_expected: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------------
# Listings: the risk-area intervals, indexed for placing visits and for judging them.


@dataclass(frozen=True, slots=True)
class Listing:
    """One listing interval of :func:`pingan.screening.riskdata` shape, times tz-aware (``until`` None = open)."""

    area_key: str
    county_name: str
    community: str
    adcode: str
    level: str
    start: dt.datetime
    until: dt.datetime | None

    def overlaps(self, lo: dt.datetime, hi: dt.datetime) -> bool:
        """True when ``[lo, hi)`` and the listing interval share a positive duration."""
        return lo < (self.until or dt.datetime.max.replace(tzinfo=TZ)) and hi > self.start


_LISTING_COLUMNS = ("area_key", "county", "community", "adcode", "adcode_level", "level", "listed_from",
                    "listed_until")


def _aware(value: dt.datetime | None, column: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise SynthError(f"listings column {column!r} holds a naive timestamp {value}; it must be timestamptz")
    return value.astimezone(TZ)


def parse_listings(table: pa.Table) -> list[Listing]:
    """The listings a visit can be placed in and judged against, from a riskdata-shaped table.

    Keeps level ``high``/``medium`` rows located at a county (``adcode_level == "county"``); ``low``
    listings carry no level under the 2022 protocol and coarser or unresolved ones cannot be placed.
    Raises :class:`SynthError` for a missing column or a naive timestamp.
    """
    missing = [c for c in _LISTING_COLUMNS if c not in table.column_names]
    if missing:
        raise SynthError(
            f"listings table lacks column(s) {', '.join(missing)}; it needs the columns of "
            "pingan.screening.riskdata.nhc_listings(): " + ", ".join(_LISTING_COLUMNS)
        )
    out: list[Listing] = []
    for row in table.select(list(_LISTING_COLUMNS)).to_pylist():
        code = row["adcode"]
        if row["level"] not in ("high", "medium") or not code or row["adcode_level"] != "county":
            continue
        start = _aware(row["listed_from"], "listed_from")
        if start is None:
            continue
        out.append(Listing(
            area_key=str(row["area_key"]), county_name=(row["county"] or "").strip(),
            community=(row["community"] or "").strip(), adcode=str(code), level=row["level"],
            start=start, until=_aware(row["listed_until"], "listed_until"),
        ))
    out.sort(key=lambda x: (x.area_key, x.start))
    return out


def _excluded_prefixes(table: pa.Table, lo: dt.datetime, hi: dt.datetime) -> set[str]:
    """Code prefixes (2, 4 or 6 digits) of every division with any listing overlapping ``[lo, hi)``."""
    out: set[str] = set()
    cols = table.select(["adcode", "listed_from", "listed_until"]).to_pylist()
    for row in cols:
        code = row["adcode"]
        if not code:
            continue
        start = _aware(row["listed_from"], "listed_from")
        until = _aware(row["listed_until"], "listed_until")
        if start is not None and start >= hi:
            continue
        if until is not None and until <= lo:
            continue
        code = str(code)
        out.add(code[:2] if code.endswith("0000") else code[:4] if code.endswith("00") else code)
    return out


def look_back_window(as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The look-back window ``[as_of − 7 days 00:00, as_of + 1 day 00:00)`` in Asia/Shanghai time."""
    midnight = dt.datetime.combine(as_of, dt.time(), tzinfo=TZ)
    return midnight - LOOKBACK_DAYS * _DAY, midnight + _DAY


@dataclass(frozen=True, slots=True)
class Movement:
    """One movement record (clean identity, as the authority holds it)."""

    id_number: str
    name: str
    adcode: str
    place: str
    start: dt.datetime
    end: dt.datetime
    source: str


class _Index:
    """Listings indexed by area and by county, with the judging rule of the 2022 protocol."""

    def __init__(self, listings: list[Listing]) -> None:
        self.listings = listings
        self.by_county: dict[str, list[Listing]] = {}
        self.places: dict[tuple[str, str], list[Listing]] = {}
        for item in listings:
            self.by_county.setdefault(item.adcode, []).append(item)
            if item.community:
                for place in (item.community, item.county_name + item.community):
                    self.places.setdefault((item.adcode, place), []).append(item)

    def judge(self, movement: Movement, window: tuple[dt.datetime, dt.datetime]) -> tuple[str, str, str]:
        """``(level, rule, area_key)`` one movement earns, or ``("green", "", "")``."""
        lo = max(movement.start, window[0])
        hi = min(movement.end, window[1])
        if lo >= hi:
            return ("green", "", "")
        place = "".join(movement.place.split())
        best: tuple[int, int, str, str] = (0, 0, "", "")
        area_hits = list(self.places.get((movement.adcode, place), []))
        # A listing with no community lists the whole county.
        area_hits += [x for x in self.by_county.get(movement.adcode, []) if not x.community]
        for item in area_hits:
            if item.overlaps(lo, hi):
                rule = "area-high" if item.level == "high" else "area-medium"
                cand = (2 if item.level == "high" else 1, 3 if item.level == "high" else 2, rule, item.area_key)
                best = max(best, cand)
        if best[0] < 1:
            for item in self.by_county.get(movement.adcode, []):
                if item.level == "high" and item.overlaps(lo, hi):
                    best = max(best, (1, 1, "county-with-high", item.area_key))
        if best[0] == 0:
            return ("green", "", "")
        return ({2: "red", 1: "yellow"}[best[0]], best[2], best[3])


def expected_level(
    movements: Iterable[Movement], listings: pa.Table | Sequence[Listing], as_of: dt.date
) -> tuple[str, str, str]:
    """The level one person's movements earn under ``prevention-2022-v9``: ``(level, rule, area_key)``.

    ``level`` is ``"red"``, ``"yellow"`` or ``"green"``; ``rule`` is ``area-high`` / ``area-medium`` /
    ``county-with-high`` (``""`` when green); ``area_key`` the listing that decided it. A movement counts
    when its interval shares a positive duration with both the listing interval and
    :func:`look_back_window`; it is *in* a listed area when its ``adcode`` is the area's county and its
    ``place`` (whitespace removed) is the community name or county field + community name, or when the
    listing has no community (the whole county is listed). This is the reference the truth file is built
    with; ``listings`` is a riskdata-shaped table or the parsed listings.
    """
    index = _Index(parse_listings(listings) if isinstance(listings, pa.Table) else list(listings))
    return _judge_all(index, movements, look_back_window(as_of))


def _judge_all(index: _Index, movements: Iterable[Movement], window: tuple[dt.datetime, dt.datetime]
               ) -> tuple[str, str, str]:
    best = ("green", "", "")
    for m in movements:
        got = index.judge(m, window)
        if _LEVEL_RANK[got[0]] > _LEVEL_RANK[best[0]]:
            best = got
    return best


# --------------------------------------------------------------------------------------------------
# Identities: GB 11643-1999 numbers, names, homophones.


Years = tuple[adcodes.YearSpan, ...]


@cache
def _county_validity() -> tuple[tuple[str, Years], ...]:
    """Current GB/T 2260 county codes with the birth-year ranges they are usable for in an ID number
    (:func:`pingan.lib.adcodes.years_of_use`, python-stdnum's record: ``stdnum.cn.ric.validate`` rejects a
    number whose address code was not in use in the birth year). Prefecture-level cities without counties
    (东莞 441900, 中山 442000, 儋州 460400) are county-level divisions there and are used like any county."""
    years = adcodes.years_of_use()
    out: list[tuple[str, Years]] = []
    for div in adcodes.divisions():
        if div.level != "county" or div.code not in years:
            continue
        out.append((div.code, years[div.code]))
    return tuple(out)


def _valid_in(spans: Years, year: int) -> bool:
    return any(lo <= year <= hi for lo, hi in spans)


def _check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character (GB 11643-1999 §7.2); ``13 ≡ 2 (mod 11)`` gives the weighted sum."""
    value = (1 - 2 * int(first17, 13)) % 11
    return "X" if value == 10 else str(value)


def _make_id(rng: random.Random, birth: dt.date, male: bool, taken: set[str]) -> str:
    counties = _county_validity()
    while True:
        code, spans = counties[rng.randrange(len(counties))]
        if not _valid_in(spans, birth.year):
            continue
        seq = rng.randrange(500) * 2 + (1 if male else 0)
        body = f"{code}{birth:%Y%m%d}{seq:03d}"
        number = body + _check_character(body)
        if number not in taken:
            taken.add(number)
            return number


def to_id15(number18: str) -> str:
    """The 15-digit first-generation form (GB 11643-1989) of an 18-digit number of someone born 1900–1999.

    Raises :class:`SynthError` for a number whose birth year is not 19xx.
    """
    if number18[6:8] != "19":
        raise SynthError(f"{number18}: only people born 1900–1999 had a 15-digit number")
    return number18[:6] + number18[8:17]


@cache
def _gb2312_level1() -> str:
    """The 3,755 level-1 characters of GB 2312-1980 (一级汉字, the common ones), rows 16–55."""
    chars = []
    for hi in range(0xB0, 0xD8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@cache
def homophones() -> dict[str, tuple[str, ...]]:
    """Common characters → other common characters with the same single toned reading (pypinyin data).

    Only characters with exactly one reading in ``pypinyin.pinyin_dict`` take part, so a replacement is a
    true homophone (e.g. ``伟`` → ``委``, ``尾``…); both sides are GB 2312 level-1 characters.
    """
    from pypinyin.pinyin_dict import pinyin_dict

    by_reading: dict[str, list[str]] = {}
    for ch in _gb2312_level1():
        reading = pinyin_dict.get(ord(ch))
        if reading and "," not in reading:
            by_reading.setdefault(reading, []).append(ch)
    out: dict[str, tuple[str, ...]] = {}
    for group in by_reading.values():
        if len(group) > 1:
            for ch in group:
                out[ch] = tuple(c for c in group if c != ch)
    return out


@cache
def _s2t():  # type: ignore[no-untyped-def]
    from opencc import OpenCC

    return OpenCC("s2t")


def _homophone_name(name: str, rng: random.Random) -> str | None:
    table = homophones()
    spots = [i for i, ch in enumerate(name) if ch in table]
    if not spots:
        return None
    # Prefer a given-name character: surnames are fewer and better known.
    given = [i for i in spots if i > 0] or spots
    i = rng.choice(given)
    return name[:i] + rng.choice(table[name[i]]) + name[i + 1 :]


def _traditional(name: str) -> str | None:
    out = _s2t().convert(name)
    return out if out != name else None


def _eligible(kind: str, person: dict) -> bool:
    number = person["id"]
    if kind == "id15":
        return number[6:8] == "19"
    if kind == "lowercase_x":
        return number.endswith("X")
    if kind == "traditional":
        return _traditional(person["name"]) is not None
    if kind == "homophone":
        return any(ch in homophones() for ch in person["name"])
    return True


def _corrupt(kind: str, person: dict, rng: random.Random) -> tuple[str, str, str, str]:
    """``(name, id_type, id_number, phone)`` as written on the roster for this corruption."""
    name, number, phone = person["name"], person["id"], person["phone"]
    id_type = ID_TYPE
    if kind == "typo":
        i = rng.randrange(17)  # the check character stays: a wrong body digit is the common slip
        number = number[:i] + rng.choice([d for d in "0123456789" if d != number[i]]) + number[i + 1 :]
    elif kind == "transposition":
        spots = [i for i in range(16) if number[i] != number[i + 1]]
        i = rng.choice(spots)
        number = number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    elif kind == "id15":
        number = to_id15(number)
    elif kind == "traditional":
        name = _traditional(name) or name
    elif kind == "fullwidth":
        number = number.translate(_FULLWIDTH)
    elif kind == "homophone":
        name = _homophone_name(name, rng) or name
    elif kind == "missing_phone":
        phone = ""
    elif kind == "missing_id":
        id_type, number = "", ""
    elif kind == "lowercase_x":
        number = number[:-1] + "x"
    elif kind == "spaces_dashes":
        sep = rng.choice((" ", "-"))
        number = sep.join((number[:6], number[6:14], number[14:]))
    elif kind != "clean":
        raise SynthError(f"unknown corruption type {kind!r}; known: {', '.join(CORRUPTION_SHARES)}")
    return name, id_type, number, phone


def _quota(total: int, shares: dict[str, float]) -> dict[str, int]:
    """Largest-remainder apportionment of ``total`` by ``shares`` (exact sum, deterministic)."""
    raw = {k: total * v for k, v in shares.items()}
    out = {k: math.floor(v) for k, v in raw.items()}
    rest = total - sum(out.values())
    for k in sorted(raw, key=lambda k: (out[k] - raw[k], list(shares).index(k)))[:rest]:
        out[k] += 1
    return out


def _assign_corruptions(n: int, person, share: float, rng: random.Random) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Pick the corrupted rows: ``{row index: corruption type}`` with exact quotas.

    ``person(i)`` returns the clean person ``{"name", "id", ...}`` of row ``i`` (called lazily, so a
    million-row roster need not be materialised). Ineligible people are skipped for a type (id15 needs a
    19xx birth year, lowercase_x an X check character, traditional/homophone a name they change).
    """
    quotas = _quota(round(share * n), CORRUPTION_SHARES)
    order = list(range(n))
    rng.shuffle(order)
    out: dict[int, str] = {}
    # Scarce types first (lowercase_x needs an X check character, ~1 in 11).
    for kind in sorted(quotas, key=lambda k: (k != "lowercase_x", k not in ("traditional", "homophone"))):
        need = quotas[kind]
        for i in order:
            if need == 0:
                break
            if i not in out and _eligible(kind, person(i)):
                out[i] = kind
                need -= 1
        if need:
            raise SynthError(f"roster too small to hold {quotas[kind]} people eligible for {kind!r}")
    return out


# --------------------------------------------------------------------------------------------------
# Places and times.


def _minute(value: dt.datetime) -> dt.datetime:
    return value.replace(second=0, microsecond=0)


class _Planner:
    """Draws visits: exposures, traps and background stays, each checked against the reference rule."""

    def __init__(self, listings: list[Listing], excluded: set[str], as_of: dt.date, rng: random.Random,
                 fake) -> None:  # type: ignore[no-untyped-def]
        self.index = _Index(listings)
        self.window = look_back_window(as_of)
        self.as_of = as_of
        self.rng = rng
        self.fake = fake
        self.streets: list[str] = []
        self.pool_size = 2000
        w0, w1 = self.window
        # Exposures lie a day inside the window, traps two days outside it (see module docstring).
        self.inner = (w0 + _DAY, min(w1 - _DAY, dt.datetime.combine(as_of, dt.time(), tzinfo=TZ)))
        self.outer = (w0 - 21 * _DAY, w0 - 2 * _DAY)
        with_place = [x for x in listings if x.community]
        self.active = {lv: [x for x in with_place if x.level == lv and self._span(x, *self.inner, 6)]
                       for lv in ("high", "medium")}
        self.before = [x for x in with_place if self._span(x, *self.outer, 6)]
        self.unlisted_in_window = [x for x in with_place if self._gaps(x)]
        self.background = [c for c, _spans in _county_validity()
                           if not ({c[:2], c[:4], c} & excluded)]
        if not self.background:
            raise SynthError("every county has a listing near as_of; no place left for background movements")

    @staticmethod
    def _span(x: Listing, lo: dt.datetime, hi: dt.datetime, hours: float) -> tuple[dt.datetime, dt.datetime] | None:
        """The part of ``[lo, hi)`` inside the listing, with an hour's margin, if at least ``hours`` long."""
        a = max(lo, x.start + dt.timedelta(hours=1))
        b = min(hi, (x.until - dt.timedelta(hours=1)) if x.until else hi)
        return (a, b) if b - a >= dt.timedelta(hours=hours) else None

    def _gaps(self, x: Listing) -> list[tuple[dt.datetime, dt.datetime]]:
        """Parts of the inner window when area ``x`` is not listed at all (a day's margin each side)."""
        spans = [(y.start - _DAY, (y.until + _DAY) if y.until else self.window[1])
                 for y in self.index.places.get((x.adcode, x.community), [])]
        free = [self.inner]
        for a, b in spans:
            nxt = []
            for lo, hi in free:
                if b <= lo or a >= hi:
                    nxt.append((lo, hi))
                    continue
                if a > lo:
                    nxt.append((lo, a))
                if b < hi:
                    nxt.append((b, hi))
            free = nxt
        return [(lo, hi) for lo, hi in free if hi - lo >= dt.timedelta(hours=6)]

    def _stay(self, lo: dt.datetime, hi: dt.datetime, source: str | None = None
              ) -> tuple[dt.datetime, dt.datetime, str]:
        src = source or self.rng.choice(list(SOURCES))
        h0, h1 = SOURCES[src]
        length = dt.timedelta(hours=self.rng.uniform(h0, h1))
        length = min(length, (hi - lo))
        offset = (hi - lo - length).total_seconds() * self.rng.random()
        start = _minute(lo + dt.timedelta(seconds=offset))
        end = _minute(start + length)
        if end <= start:
            end = start + dt.timedelta(minutes=1)
        return start, end, src

    def _place_text(self, x: Listing) -> str:
        # As published, or prefixed with the list's county field (often a township).
        if x.county_name and self.rng.random() < 0.3:
            return x.county_name + x.community
        return x.community

    def background_visit(self, number: str, name: str) -> Movement:
        code = self.rng.choice(self.background)
        end_all = dt.datetime.combine(self.as_of, dt.time(), tzinfo=TZ)
        start, end, src = self._stay(end_all - BACKGROUND_DAYS * _DAY, end_all)
        return Movement(number, name, code, self._street(), start, end, src)

    def _street(self) -> str:
        # A pool drawn once: Faker's street_address costs ~0.5 ms, too slow per movement.
        if not self.streets:
            self.streets = [self.fake.street_address() for _ in range(self.pool_size)]
        return self.rng.choice(self.streets)

    def scenario(self, kind: str, number: str, name: str) -> tuple[Movement, str] | None:
        """A movement realising ``kind`` and the area_key behind it, or None when the listings allow none."""
        for _ in range(50):
            got = self._try(kind, number, name)
            if got is None:
                return None
            movement, key = got
            level, _rule, _area = self.index.judge(movement, self.window)
            want = {"area_high": "red", "area_medium": "yellow", "county_high": "yellow"}.get(kind, "green")
            if level == want:
                return movement, key
        return None

    def _try(self, kind: str, number: str, name: str) -> tuple[Movement, str] | None:
        rng = self.rng
        if kind in ("area_high", "area_medium", "county_high"):
            pool = self.active["medium" if kind == "area_medium" else "high"]
            if not pool:
                return None
            x = rng.choice(pool)
            span = self._span(x, *self.inner, 6)
            assert span is not None
            start, end, src = self._stay(*span)
            place = self._street() if kind == "county_high" else self._place_text(x)
            return Movement(number, name, x.adcode, place, start, end, src), x.area_key
        if kind == "trap_window":
            if not self.before:
                return None
            x = rng.choice(self.before)
            span = self._span(x, *self.outer, 6)
            assert span is not None
            start, end, src = self._stay(*span)
            return Movement(number, name, x.adcode, self._place_text(x), start, end, src), x.area_key
        if kind == "trap_interval":
            if not self.unlisted_in_window:
                return None
            x = rng.choice(self.unlisted_in_window)
            start, end, src = self._stay(*rng.choice(self._gaps(x)))
            return Movement(number, name, x.adcode, self._place_text(x), start, end, src), x.area_key
        raise SynthError(f"unknown scenario {kind!r}")


# --------------------------------------------------------------------------------------------------
# Writers.


def _write_roster_csv(path: Path, rows: list[list[str]]) -> None:
    # UTF-8 with BOM: what Excel on Chinese Windows writes and reads without mojibake.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(ROSTER_HEADERS)
        writer.writerows(rows)


def _write_roster_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("名单")
    ws.append(list(ROSTER_HEADERS))
    for row in rows:
        ws.append(row)  # every cell a string: an ID number stored as a number loses digits
    wb.save(path)


def _movements_table(items: list[Movement]) -> pa.Table:
    ts = pa.timestamp("us", tz="Asia/Shanghai")
    return pa.table({
        "id_type": pa.array([ID_TYPE] * len(items), pa.string()),
        "id_number": pa.array([m.id_number for m in items], pa.string()),
        "name": pa.array([m.name for m in items], pa.string()),
        "adcode": pa.array([m.adcode for m in items], pa.string()),
        "place": pa.array([m.place for m in items], pa.string()),
        "start": pa.array([m.start for m in items], ts),
        "end": pa.array([m.end for m in items], ts),
        "source": pa.array([m.source for m in items], pa.string()),
    })


def _write_movements_csv(path: Path, items: list[Movement]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(MOVEMENT_COLUMNS)
        for m in items:
            writer.writerow((ID_TYPE, m.id_number, m.name, m.adcode, m.place, m.start.isoformat(),
                             m.end.isoformat(), m.source))


# --------------------------------------------------------------------------------------------------
# The labelled generator.


def _new_person(fake, rng: random.Random, as_of: dt.date, taken: set[str]) -> dict:  # type: ignore[no-untyped-def]
    male = rng.random() < 0.5
    lo = as_of.replace(year=as_of.year - 75)
    birth = lo + dt.timedelta(days=rng.randrange((as_of.replace(year=as_of.year - 18) - lo).days))
    return {
        "name": fake.name_male() if male else fake.name_female(),
        "male": male,
        "birth": birth,
        "id": _make_id(rng, birth, male, taken),
        "phone": fake.phone_number(),
    }


def generate(
    out_dir: Path,
    *,
    people: int,
    movements_per_person: float,
    listings: pa.Table,
    as_of: dt.date,
    seed: int,
    exposed_share: float = 0.05,
    corruption_share: float = 0.10,
    formats: Sequence[str] = ("csv",),
    trap_share: float | None = None,
    outsiders_per_person: float = 4.0,
    movements_csv: bool = False,
) -> GenerateResult:
    """Write a labelled synthetic screening data set to ``out_dir`` and return what was written.

    ``people`` roster rows; every person (roster or not) gets on average ``movements_per_person``
    background movements in unlisted counties during the 30 days before ``as_of``, plus the movement of
    their scenario. ``exposed_share`` of each corruption group really stayed in a listed area (or its
    county) during its listing and the look-back (:data:`EXPOSED_SCENARIOS`); ``trap_share`` (default:
    ``exposed_share``) stayed in a listed area before the window or while it was not listed
    (:data:`TRAP_SCENARIOS`, expected green). ``corruption_share`` of the rows carry one corruption
    (:data:`CORRUPTION_SHARES`, exact quotas). ``outsiders_per_person`` × ``people`` people off the roster
    appear in the movements too, with the same exposure share, and :data:`NAMESAKE_SHARE` of the roster
    have an exposed namesake among them. ``formats`` holds ``"csv"`` and/or ``"xlsx"`` for the roster;
    ``movements_csv`` adds ``movements.csv``. Same arguments and seed → byte-identical CSV and Parquet.

    ``listings`` has the columns of ``pingan.screening.riskdata.nhc_listings`` (timestamptz). Raises
    :class:`SynthError` when a column is missing, when no high-risk listing is active in the look-back
    window, or for a bad argument.
    """
    from faker import Faker

    t0 = time.perf_counter()
    if people < 1:
        raise SynthError(f"people={people}: the roster needs at least one person")
    if movements_per_person < 0 or not 0 <= exposed_share <= 0.5 or not 0 <= corruption_share <= 1:
        raise SynthError("movements_per_person must be ≥ 0, exposed_share in [0, 0.5], corruption_share in [0, 1]")
    bad = set(formats) - {"csv", "xlsx"}
    if bad or not formats:
        raise SynthError(f"formats={tuple(formats)}: use 'csv' and/or 'xlsx'")
    trap_share = exposed_share if trap_share is None else trap_share
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    parsed = parse_listings(listings)
    window = look_back_window(as_of)
    excluded = _excluded_prefixes(listings, window[1] - (BACKGROUND_DAYS + LOOKBACK_DAYS + 3) * _DAY, window[1])
    planner = _Planner(parsed, excluded, as_of, rng, fake)
    planner.pool_size = min(2000, 100 + people)
    if not planner.active["high"]:
        raise SynthError(
            f"no high-risk listing is active in the look-back window before {as_of}; choose an as_of "
            "within a listing interval (e.g. 2022-11-20 for the NHC 2022 lists)"
        )

    taken: set[str] = set()
    roster = [_new_person(fake, rng, as_of, taken) for _ in range(people)]
    corrupted = _assign_corruptions(people, roster.__getitem__, corruption_share, rng)
    for i, p in enumerate(roster):
        p["corruption"] = corrupted.get(i, "clean")

    # Scenarios, stratified within each corruption group so every type has exposed people and traps.
    for p in roster:
        p["scenario"] = "background"
    groups: dict[str, list[int]] = {}
    for i, p in enumerate(roster):
        groups.setdefault(p["corruption"], []).append(i)
    for kind in sorted(groups):
        members = list(groups[kind])
        rng.shuffle(members)
        n_exp = round(exposed_share * len(members))
        n_trap = round(trap_share * len(members))
        plan: list[str] = []
        for name, n in _quota(n_exp, EXPOSED_SCENARIOS).items():
            plan += [name] * n
        for name, n in _quota(n_trap, TRAP_SCENARIOS).items():
            plan += [name] * n
        for i, scen in zip(members, plan, strict=False):
            roster[i]["scenario"] = scen

    def background(number: str, name: str) -> list[Movement]:
        n = int(movements_per_person) + (rng.random() < movements_per_person % 1)
        return [planner.background_visit(number, name) for _ in range(n)]

    movements: list[Movement] = []
    truth: list[list[str]] = []
    rows: list[list[str]] = []
    for row_no, p in enumerate(roster, start=1):
        own = background(p["id"], p["name"])
        key = ""
        if p["scenario"] != "background":
            got = planner.scenario(p["scenario"], p["id"], p["name"])
            if got is None:  # the listings allow no such visit (e.g. no medium listing): plain background
                p["scenario"] = "background"
            else:
                own.append(got[0])
                key = got[1]
        level, rule, area = _judge_all(planner.index, own, window)
        movements += own
        name_w, type_w, id_w, phone_w = _corrupt(p["corruption"], p, rng)
        planner._street()  # the draw the household address took: the demo's other data stay as they were
        rows.append([name_w, type_w, id_w, phone_w, "男" if p["male"] else "女", p["birth"].isoformat(),
                     _room(rng), _move_in(rng, as_of).isoformat()])
        truth.append([str(row_no), f"P{row_no:07d}", p["id"], p["name"], p["birth"].isoformat(), id_w,
                      name_w, p["corruption"], p["scenario"], level, rule, area or key])

    # People off the roster: as many exposures, plus namesakes of roster people.
    n_out = round(outsiders_per_person * people)
    exposed_kinds = list(EXPOSED_SCENARIOS)
    for j in range(n_out):
        q = _new_person(fake, rng, as_of, taken)
        own = background(q["id"], q["name"])
        if rng.random() < exposed_share:
            got = planner.scenario(rng.choice(exposed_kinds), q["id"], q["name"])
            if got:
                own.append(got[0])
        movements += own
        del j
    n_namesakes = round(NAMESAKE_SHARE * people)
    for i in rng.sample(range(people), n_namesakes):
        q = _new_person(fake, rng, as_of, taken)
        while q["birth"] == roster[i]["birth"]:
            q = _new_person(fake, rng, as_of, taken)
        got = planner.scenario("area_high", q["id"], roster[i]["name"])
        movements += background(q["id"], roster[i]["name"]) + ([got[0]] if got else [])
    rng.shuffle(movements)

    files: dict[str, Path] = {}
    if "csv" in formats:
        files["roster_csv"] = out_dir / "roster.csv"
        _write_roster_csv(files["roster_csv"], rows)
    if "xlsx" in formats:
        files["roster_xlsx"] = out_dir / "roster.xlsx"
        _write_roster_xlsx(files["roster_xlsx"], rows)
    files["movements_parquet"] = out_dir / "movements.parquet"
    pq.write_table(_movements_table(movements), files["movements_parquet"], compression="zstd")
    if movements_csv:
        files["movements_csv"] = out_dir / "movements.csv"
        _write_movements_csv(files["movements_csv"], movements)
    files["truth"] = out_dir / "truth.csv"
    with files["truth"].open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(TRUTH_COLUMNS)
        writer.writerows(truth)

    return GenerateResult(
        out_dir=out_dir, files=files, people=people, outsiders=n_out + n_namesakes, movements=len(movements),
        by_corruption=dict(Counter(t[7] for t in truth)), by_scenario=dict(Counter(t[8] for t in truth)),
        by_expected=dict(Counter(t[9] for t in truth)), seconds=time.perf_counter() - t0,
    )


def _room(rng: random.Random) -> str:
    """A room at the premises (``3栋1502室``), from one draw — as many as the household address it replaced took, so
    the rest of a seeded data set stays the same."""
    n = rng.randrange(len(_county_validity()))
    return f"{n % 12 + 1}栋{n // 12 % 30 + 1}{n // 360 % 6 + 1:02d}室"


def _move_in(rng: random.Random, as_of: dt.date) -> dt.date:
    return as_of - dt.timedelta(days=rng.randrange(1, 3 * 365))


# --------------------------------------------------------------------------------------------------
# The speed benchmark's generator: DuckDB SQL over range(), hash-based pseudo-randomness.


def _hash_sql(seed: int):  # type: ignore[no-untyped-def]
    """``h(stream)`` → SQL for a uniform non-negative BIGINT per row ``i`` of ``range()`` and stream.

    DuckDB's ``hash()`` is a UBIGINT; it is shifted into BIGINT because ``UBIGINT % BIGINT`` is computed
    in HUGEINT, many times slower.
    """
    return lambda stream: f"CAST(hash(i, {int(seed)}, {int(stream)}) >> 1 AS BIGINT)"


def _weights_sql() -> str:
    """SQL for the GB 11643-1999 weighted sum of the 17 body digits of BIGINT ``body``."""
    terms = [f"((body // {10 ** (16 - k)}) % 10) * {pow(2, 17 - k, 11)}" for k in range(17)]
    return " + ".join(terms)


def _name_pools() -> tuple[list[str], list[str], list[str], list[str]]:
    """Faker zh_CN pools: surnames repeated by frequency weight, male / female given names, phone prefixes."""
    from faker.providers.person.zh_CN import Provider as Person
    from faker.providers.phone_number.zh_CN import Provider as Phone

    surnames: list[str] = []
    for name, weight in Person.last_names.items():
        surnames += [name] * max(1, round(weight * 100))
    return (surnames, list(Person.first_names_male), list(Person.first_names_female),
            [str(p) for p in Phone.phonenumber_prefixes])


def generate_large(
    out_dir: Path,
    *,
    people: int = 1_000_000,
    movements: int = 100_000_000,
    listings: pa.Table,
    as_of: dt.date,
    seed: int,
    population: int | None = None,
    hit_share: float = 0.0005,
    corruption_share: float = 0.10,
    memory_limit: str = "3GB",
    threads: int | None = None,
) -> GenerateResult:
    """Write the speed benchmark's ``roster.csv``, ``movements.parquet`` and ``truth.csv`` with DuckDB.

    ``population`` people (default 10 × ``people``) are drawn in SQL: GB 11643-1999 numbers (county code
    valid in the birth year, sequence code unique within county × birth date × sex, MOD 11-2 check
    character computed in SQL), names and phones from Faker's zh_CN pools. The first ``people`` of them
    form the roster, with ``corruption_share`` corrupted exactly as in :func:`generate`. ``movements``
    rows pick a person uniformly; ``hit_share`` of them are 2-hour stays in a listed area active in the
    look-back window, the rest stays in unlisted counties during the 30 days before ``as_of``.
    ``movements.parquet`` is zstd-compressed, row groups of ~1,000,000 rows, **not sorted** (DuckDB
    writes in parallel). ``truth.csv`` holds the identity columns of :data:`TRUTH_COLUMNS` only (row …
    corruption): expected levels are not evaluated over 10⁸ records. Same seed and DuckDB version → same
    rows (file row order may differ). Raises :class:`SynthError` as :func:`generate` does.
    """
    from faker import Faker

    from pingan.lib import duck

    t0 = time.perf_counter()
    population = population or 10 * people
    if people < 1 or population < people or movements < 0 or not 0 <= hit_share <= 1:
        raise SynthError("need people ≥ 1, population ≥ people, movements ≥ 0 and hit_share in [0, 1]")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)

    parsed = parse_listings(listings)
    window = look_back_window(as_of)
    excluded = _excluded_prefixes(listings, window[1] - (BACKGROUND_DAYS + LOOKBACK_DAYS + 3) * _DAY,
                                  window[1])
    planner = _Planner(parsed, excluded, as_of, rng, fake)
    active = planner.active["high"] + planner.active["medium"]
    if not active:
        raise SynthError(f"no listing is active in the look-back window before {as_of}")

    spill = out_dir / ".duckdb-spill"
    con = duck.connect(memory_limit=memory_limit, threads=threads, temp_directory=spill)
    try:
        surnames, male_names, female_names, prefixes = _name_pools()
        lo_birth = as_of.replace(year=as_of.year - 75)
        span_days = (as_of.replace(year=as_of.year - 18) - lo_birth).days
        years = range(lo_birth.year, as_of.year - 17)
        valid = [(y, code) for y in years for code, spans in _county_validity() if _valid_in(spans, y)]
        con.register("cy_src", pa.table({"year": [y for y, _ in valid], "code": [int(c) for _, c in valid]}))
        con.execute("CREATE TABLE cy AS SELECT year, code, row_number() OVER (PARTITION BY year ORDER BY code) - 1"
                    " AS k, count(*) OVER (PARTITION BY year) AS n FROM cy_src")
        for table, values in (("surname", surnames), ("male", male_names), ("female", female_names),
                              ("prefix", prefixes)):
            con.register(f"{table}_src", pa.table({"v": values}))
            con.execute(f"CREATE TABLE {table} AS SELECT row_number() OVER () - 1 AS k, v FROM {table}_src")  # noqa: S608 - fixed names
        n_sur, n_male, n_female, n_pre = len(surnames), len(male_names), len(female_names), len(prefixes)
        # Persons: h(stream) gives independent uniform draws per person and stream.
        h = _hash_sql(seed)
        con.execute(f"""
            CREATE TABLE draws AS
            SELECT i AS pidx,
                   DATE '{lo_birth.isoformat()}' + CAST({h(1)} % {span_days} AS INTEGER) AS birth,
                   {h(2)} % 2 = 1 AS male,
                   {h(3)} AS hc, {h(4)} AS hs, {h(5)} AS hn,
                   {h(6)} AS hg, {h(7)} AS hp
            FROM range({population}) t(i)
        """)  # noqa: S608 - numbers and dates formatted by this function
        con.execute(f"""
            CREATE TABLE persons AS
            WITH placed AS (
                SELECT d.*, cy.code FROM draws d
                JOIN (SELECT DISTINCT year, n FROM cy) yn ON yn.year = year(d.birth)
                JOIN cy ON cy.year = yn.year AND cy.k = d.hc % yn.n
            ), seq AS (
                SELECT *, (row_number() OVER (PARTITION BY code, birth, male ORDER BY pidx) - 1
                           + hs % 500) % 500 * 2 + CAST(male AS INTEGER) AS sq
                FROM placed
            ), bodies AS (
                SELECT *, code * 100000000000 + CAST(strftime(birth, '%Y%m%d') AS BIGINT) * 1000 + sq AS body
                FROM seq
            ), checked AS (
                SELECT *, (12 - ({_weights_sql()}) % 11) % 11 AS c FROM bodies
            )
            SELECT pidx, CAST(body AS VARCHAR) || CASE WHEN c = 10 THEN 'X' ELSE CAST(c AS VARCHAR) END
                       AS id_number,
                   s.v || g.v || CASE WHEN length(g.v) = 1 AND hg % 4 = 0 THEN g2.v ELSE '' END AS name,
                   p.v || lpad(CAST(hp % 100000000 AS VARCHAR), 8, '0') AS phone,
                   male, birth
            FROM checked
            JOIN surname s ON s.k = hn % {n_sur}
            JOIN (SELECT k, v, FALSE AS m FROM female UNION ALL SELECT k, v, TRUE FROM male) g
              ON g.m = male AND g.k = hg % (CASE WHEN male THEN {n_male} ELSE {n_female} END)
            JOIN (SELECT k, v, FALSE AS m FROM female UNION ALL SELECT k, v, TRUE FROM male) g2
              ON g2.m = male AND g2.k = (hg // 7) % (CASE WHEN male THEN {n_male} ELSE {n_female} END)
            JOIN prefix p ON p.k = hp // 100000000 % {n_pre}
        """)  # noqa: S608 - numbers formatted by this function
        con.execute("DROP TABLE draws")

        # Places: background stays in unlisted counties; hits inside listed areas while listed.
        streets = [fake.street_address() for _ in range(5000)]
        bg_codes = planner.background
        n_bg = 50_000
        con.register("bg_src", pa.table({
            "k": list(range(n_bg)),
            "adcode": [bg_codes[rng.randrange(len(bg_codes))] for _ in range(n_bg)],
            "place": [streets[rng.randrange(len(streets))] for _ in range(n_bg)],
        }))
        hits = []
        for x in active:
            span = planner._span(x, *planner.inner, 6)
            assert span is not None
            lo, hi = int(span[0].timestamp()), int(span[1].timestamp()) - 7200
            hits.append((x.adcode, planner._place_text(x), lo, max(1, hi - lo)))
        con.register("hit_src", pa.table({
            "k": list(range(len(hits))), "adcode": [h[0] for h in hits], "place": [h[1] for h in hits],
            "lo": [h[2] for h in hits], "span": [h[3] for h in hits],
        }))
        con.register("src_src", pa.table({
            "k": list(range(len(SOURCES))), "source": list(SOURCES),
            "dmin": [int(a * 3600) for a, _ in SOURCES.values()],
            "dspan": [int((b - a) * 3600) for a, b in SOURCES.values()],
        }))
        end_all = int(dt.datetime.combine(as_of, dt.time(), tzinfo=TZ).timestamp())
        bg_lo = end_all - BACKGROUND_DAYS * 86400
        hit_ppm = round(hit_share * 1_000_000)
        path = out_dir / "movements.parquet"
        con.execute(f"""
            COPY (
                SELECT '{ID_TYPE}' AS id_type, p.id_number, p.name,
                       CASE WHEN r.hit THEN r.xadcode ELSE b.adcode END AS adcode,
                       CASE WHEN r.hit THEN r.xplace ELSE b.place END AS place,
                       to_timestamp(r.st) AS "start", to_timestamp(r.st + r.dur) AS "end", r.source
                FROM (
                    SELECT r0.pidx, r0.bk, r0.hit, x.adcode AS xadcode, x.place AS xplace, s.source,
                           CASE WHEN r0.hit THEN 7200 ELSE s.dmin + r0.ht % s.dspan END AS dur,
                           CASE WHEN r0.hit THEN x.lo + r0.hd % x.span
                                ELSE {bg_lo} + r0.hd % ({end_all - bg_lo} - s.dmin - r0.ht % s.dspan) END AS st
                    FROM (
                        SELECT {h(11)} % {population} AS pidx,
                               {h(12)} % {n_bg} AS bk,
                               {h(13)} % 1000000 < {hit_ppm} AS hit,
                               {h(14)} % {len(hits)} AS xk,
                               {h(15)} % {len(SOURCES)} AS sk,
                               {h(16)} AS ht, {h(17)} AS hd
                        FROM range({movements}) t(i)
                    ) r0
                    JOIN src_src s ON s.k = r0.sk
                    JOIN hit_src x ON x.k = r0.xk
                ) r
                JOIN persons p ON p.pidx = r.pidx
                JOIN bg_src b ON b.k = r.bk
            ) TO '{path}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 1000000)
        """)  # noqa: S608 - numbers and a path formatted by this function

        roster = con.sql(
            f"SELECT id_number, name, phone, male, birth FROM persons WHERE pidx < {people} ORDER BY pidx"  # noqa: S608
        ).to_arrow_table().to_pylist()
    finally:
        con.close()
        shutil.rmtree(spill, ignore_errors=True)

    files = _write_large_roster(out_dir, roster, corruption_share, rng, fake, as_of)
    files["movements_parquet"] = path
    n_rows = pq.ParquetFile(path).metadata.num_rows
    by_corruption = Counter(r["corruption"] for r in roster)
    return GenerateResult(
        out_dir=out_dir, files=files, people=people, outsiders=population - people, movements=n_rows,
        by_corruption=dict(by_corruption), seconds=time.perf_counter() - t0,
    )


def _write_large_roster(out_dir: Path, roster: list[dict], corruption_share: float, rng: random.Random,
                        fake, as_of: dt.date) -> dict[str, Path]:  # type: ignore[no-untyped-def]
    for r in roster:
        r["id"] = r["id_number"]
    corrupted = _assign_corruptions(len(roster), roster.__getitem__, corruption_share, rng)
    rooms = [_room(rng) for _ in range(2000)]
    files = {"roster_csv": out_dir / "roster.csv", "truth": out_dir / "truth.csv"}
    with files["roster_csv"].open("w", encoding="utf-8-sig", newline="") as fh, \
            files["truth"].open("w", encoding="utf-8", newline="") as th:
        writer, truth = csv.writer(fh), csv.writer(th)
        writer.writerow(ROSTER_HEADERS)
        truth.writerow(TRUTH_COLUMNS[:8])
        for i, r in enumerate(roster):
            kind = corrupted.get(i, "clean")
            r["corruption"] = kind
            name_w, type_w, id_w, phone_w = _corrupt(kind, r, rng)
            writer.writerow((name_w, type_w, id_w, phone_w, "男" if r["male"] else "女", r["birth"].isoformat(),
                             rooms[rng.randrange(len(rooms))], _move_in(rng, as_of).isoformat()))
            truth.writerow((i + 1, f"P{i + 1:07d}", r["id"], r["name"], r["birth"].isoformat(), id_w, name_w,
                            kind))
    return files


# --------------------------------------------------------------------------------------------------
# Command line (``python -m pingan.screening.synth``, in English; ``pingan generate`` has the same options in the
# user's language and calls :func:`generate` / :func:`generate_large` itself).


def read_listings(path: Path | None = None) -> pa.Table:
    """The risk-area listings to generate against: the Parquet file at ``path``, else the bundled
    ``pingan/data/risk/nhc_2022_listings.parquet``."""
    if path is not None:
        return pq.read_table(path)
    from importlib import resources

    with resources.as_file(resources.files("pingan.data.risk").joinpath("nhc_2022_listings.parquet")) as p:
        return pq.read_table(p)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run :func:`generate` (or :func:`generate_large` with ``--large``); exit code.

    The listings default to the bundled ``pingan/data/risk/nhc_2022_listings.parquet``. Prints what was
    written and how long it took; a :class:`SynthError` becomes a one-line message and exit code 2.
    """
    parser = argparse.ArgumentParser(prog="pingan generate", description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path, help="directory to write into (created if missing)")
    parser.add_argument("--people", type=int, default=10_000, help="roster rows (default 10000)")
    parser.add_argument("--movements-per-person", type=float, default=5.0,
                        help="background movements per person (default 5)")
    parser.add_argument("--movements", type=int, default=100_000_000, help="with --large: movement rows")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2022, 11, 20),
                        help="screening date, ISO (default 2022-11-20)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--exposed-share", type=float, default=0.05)
    parser.add_argument("--corruption-share", type=float, default=0.10)
    parser.add_argument("--format", action="append", choices=("csv", "xlsx"), dest="formats",
                        help="roster format, repeatable (default csv)")
    parser.add_argument("--movements-csv", action="store_true", help="also write movements.csv")
    parser.add_argument("--listings", type=Path, help="listings Parquet (default: the bundled NHC 2022 lists)")
    parser.add_argument("--large", action="store_true", help="the speed benchmark's set (DuckDB)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    listings = read_listings(args.listings)
    try:
        if args.large:
            result = generate_large(args.out_dir, people=args.people, movements=args.movements,
                                    listings=listings, as_of=args.as_of, seed=args.seed,
                                    corruption_share=args.corruption_share)
        else:
            result = generate(args.out_dir, people=args.people, movements_per_person=args.movements_per_person,
                              listings=listings, as_of=args.as_of, seed=args.seed,
                              exposed_share=args.exposed_share, corruption_share=args.corruption_share,
                              formats=tuple(args.formats or ("csv",)), movements_csv=args.movements_csv)
    except SynthError as exc:
        print(f"pingan generate: {exc}", file=sys.stderr)
        return 2
    for name, path in result.files.items():
        print(f"{name:18} {path}  {path.stat().st_size:,} bytes")
    print(f"{result.people:,} roster rows, {result.outsiders:,} people off the roster, "
          f"{result.movements:,} movements in {result.seconds:.1f} s")
    if result.by_expected:
        print("expected levels:", ", ".join(f"{k} {v:,}" for k, v in sorted(result.by_expected.items())))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
