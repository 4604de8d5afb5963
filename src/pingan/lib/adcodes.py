"""GB/T 2260 administrative division codes (行政区划代码): current and historical.

A code is six digits ``PPCCDD``: province ``PP``, prefecture ``CC`` and county ``DD``; ``PP0000`` names a
province and ``PPCC00`` a prefecture.

Two sources, both bundled (see ``pingan/data/gbt2260/SOURCE.md``):

* the current codes: the National Bureau of Statistics' 2023 division codes (``provinces.csv``,
  ``cities.csv``, ``areas.csv``), whose county-level codes use GB/T 2260 numbering;
* historical codes: python-stdnum's ``stdnum/cn/loc.dat`` (GB/T 2260 codes with their years of validity).
  A resident ID number (GB 11643-1999) carries the code in force when it was *issued*, so a code abolished
  in 2003 is still a valid address code in an ID number. The file is parsed once per process; its years
  are exposed as :func:`years_of_use` / :func:`in_use` (the synthetic data generator draws address codes
  valid in the birth year from them).

This module imports no Django; it is safe inside DuckDB batch jobs and Spark executors.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Literal

Level = Literal["province", "prefecture", "county"]

#: An inclusive range of calendar years ``(first, last)``; ``0`` = in use since before the records begin,
#: ``9999`` = still in use.
YearSpan = tuple[int, int]

#: Special administrative regions and Taiwan, which the NBS tables leave out (GB/T 2260 assigns them).
_SAR_CODES = {"710000": "台湾省", "810000": "香港特别行政区", "820000": "澳门特别行政区"}

_YEARS = re.compile(r"^\[(\d{4})?-(\d{4})?\](.*)$")


@dataclass(frozen=True, slots=True)
class Division:
    """One administrative division.

    ``code`` is six digits; ``level`` is province / prefecture / county; ``parent`` the six-digit code of
    the enclosing division (``None`` for a province); ``current`` is true when the code is in the 2023
    release; ``name`` is the current name, or for a historical code the last name it had.
    """

    code: str
    name: str
    level: Level
    parent: str | None
    current: bool

    @property
    def province(self) -> str:
        """The six-digit code of the province this division lies in."""
        return self.code[:2] + "0000"


def level_of(code: str) -> Level:
    """The level a six-digit code denotes by its shape (``PP0000``, ``PPCC00``, or a county)."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == "province":
        return None
    if level == "prefecture":
        return code[:2] + "0000"
    return code[:4] + "00"


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("pingan.data.gbt2260").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@cache
def _current() -> dict[str, Division]:
    out: dict[str, Division] = {}
    for row in _read_csv("provinces.csv"):
        code = row["code"] + "0000"
        out[code] = Division(code, row["name"], "province", None, True)
    for row in _read_csv("cities.csv"):
        code = row["code"] + "00"
        out[code] = Division(code, row["name"], "prefecture", row["provinceCode"] + "0000", True)
    for row in _read_csv("areas.csv"):
        code = row["code"]
        parent = row["cityCode"] + "00"
        if code == parent:
            # prefecture-level cities without counties (东莞 441900, 中山 442000, 儋州 460400) are listed as
            # their own county: one division, county level (it is the code in ID numbers and movement
            # records), whose parent is the province
            parent = row["provinceCode"] + "0000"
        out[code] = Division(code, row["name"], "county", parent, True)
    for code, name in _SAR_CODES.items():
        out[code] = Division(code, name, "province", None, True)
    return out


@cache
def _loc_dat() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """python-stdnum's ``stdnum/cn/loc.dat``, parsed once: ``(code, names)`` per county line, in file order.

    Format: a line per province (``11 province="北京市"``), then indented lines ``  0101 county="…"``
    whose names are comma-separated, each optionally prefixed with its years of use
    (``[1983-1987]城区,[2003-]吴兴区``). A code may appear on more than one line.
    """
    try:
        text = resources.files("stdnum.cn").joinpath("loc.dat").read_text(encoding="utf-8")
    except (FileNotFoundError, ModuleNotFoundError):  # pragma: no cover - stdnum is a dependency
        return ()
    out: list[tuple[str, tuple[str, ...]]] = []
    province = ""
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            province = line[:2]
            continue
        suffix, _, rest = line.strip().partition(" ")
        if not rest.startswith("county="):
            continue
        out.append((province + suffix, tuple(rest[len("county=") :].strip('"').split(","))))
    return tuple(out)


@cache
def _historical() -> dict[str, Division]:
    """Codes from python-stdnum's loc.dat that are not in the current release."""
    current = _current()
    out: dict[str, Division] = {}
    for code, names in _loc_dat():
        if code in current:
            continue
        name = names[-1]
        m = _YEARS.match(name)
        if m:
            name = m.group(3)
        out[code] = Division(code, name, level_of(code), _parent_of(code), False)
    return out


@cache
def years_of_use() -> Mapping[str, tuple[YearSpan, ...]]:
    """Every code python-stdnum's ``cn/loc.dat`` lists (current and historical) → the years it was in use.

    Each name of a code contributes its span (``[1983-1987]城区`` → ``(1983, 1987)``, ``[2003-]`` →
    ``(2003, 9999)``); a name without years makes the code valid always, ``((0, 9999),)``. A code listed on
    several lines gets the spans of all of them, in file order. This is the rule ``stdnum.cn.ric.validate``
    applies to an ID number's address code and birth year (GB 11643-1999: the code in force at issue).
    Read-only mapping; parsed once, together with the historical divisions.
    """
    out: dict[str, tuple[YearSpan, ...]] = {}
    for code, names in _loc_dat():
        spans: list[YearSpan] = []
        for name in names:
            if not name.startswith("["):
                spans = [(0, 9999)]
                break
            start, end = name[1:].split("]")[0].split("-")
            spans.append((int(start) if start else 0, int(end) if end else 9999))
        out[code] = out.get(code, ()) + tuple(spans)
    return MappingProxyType(out)


def in_use(code: str, year: int) -> bool:
    """True when ``code`` was in use in ``year`` according to :func:`years_of_use` (``False`` if unlisted)."""
    return any(lo <= year <= hi for lo, hi in years_of_use().get(code, ()))


def get(code: str) -> Division | None:
    """The division with this six-digit code, current or historical, or ``None``."""
    return _current().get(code) or _historical().get(code)


def exists(code: str) -> bool:
    """True when ``code`` is or was a GB/T 2260 code (what an ID number's address code must be)."""
    return code in _current() or code in _historical()


def is_current(code: str) -> bool:
    """True when ``code`` is in the 2023 release."""
    return code in _current()


def divisions(*, include_historical: bool = False) -> list[Division]:
    """All divisions, sorted by code; the current ones only unless ``include_historical``."""
    items = dict(_current())
    if include_historical:
        for code, div in _historical().items():
            items.setdefault(code, div)
    return [items[c] for c in sorted(items)]


def children(code: str) -> list[Division]:
    """The current divisions directly under ``code``."""
    return [d for d in _current().values() if d.parent == code]


def name_path(code: str) -> str:
    """Full name from province down, e.g. ``350203`` → ``福建省厦门市思明区``; ``""`` for an unknown code.

    The NBS placeholder prefecture names ``市辖区`` / ``县`` (used under municipalities) are skipped.
    """
    parts: list[str] = []
    div = get(code)
    seen: set[str] = set()
    while div is not None and div.code not in seen:
        seen.add(div.code)
        if div.name not in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
            parts.append(div.name)
        div = get(div.parent) if div.parent else None
    return "".join(reversed(parts))


_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
             "地区", "新区", "林区", "省", "市", "区", "县", "盟", "旗")


def short_name(name: str) -> str:
    """A division name without its administrative suffix, e.g. ``广西壮族自治区`` → ``广西``.

    Used to compare names written irregularly in published lists (``北京`` vs ``北京市``). A name that would
    become a single character (``和平区`` stays ``和平``, but ``城区`` stays ``城区``) keeps its suffix.
    """
    name = name.strip()
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _name_index() -> dict[str, list[Division]]:
    index: dict[str, list[Division]] = {}
    for div in _current().values():
        for key in {div.name, short_name(div.name)}:
            index.setdefault(key, []).append(div)
    return index


def _under(div: Division, ancestor: str) -> bool:
    if ancestor.endswith("0000"):
        return div.code[:2] == ancestor[:2]
    if ancestor.endswith("00"):
        return div.code[:4] == ancestor[:4]
    return div.code == ancestor


def find(name: str, *, within: str | None = None, level: Level | None = None) -> list[Division]:
    """Current divisions whose name (full or without its suffix) equals ``name``.

    ``within`` restricts to the subtree of a code; ``level`` to one level. Returns every candidate, so
    the caller can tell an unambiguous name from an ambiguous one.
    """
    cands = _name_index().get(name.strip(), []) or _name_index().get(short_name(name), [])
    return sorted(
        (d for d in cands if (within is None or _under(d, within)) and (level is None or d.level == level)),
        key=lambda d: d.code,
    )


def resolve(province: str, city: str | None = None, county: str | None = None) -> str | None:
    """The six-digit code for a province / city / county name triple, or ``None`` when unresolvable.

    Tolerates the irregular forms of published lists: suffixes present or missing (``北京`` / ``北京市``),
    and municipalities that put the district in the city field (``北京市 / 朝阳区 / -``). Returns the most
    specific level the names determine; an ambiguous name resolves to ``None`` rather than to a guess.
    """
    provs = find(province, level="province")
    if len(provs) != 1:
        return None
    code = provs[0].code
    for part in (city, county):
        if not part or not part.strip() or part.strip() in ("-", "—"):
            continue
        if part.strip() == get(code).name or short_name(part) == short_name(get(code).name):  # type: ignore[union-attr]
            continue  # a municipality repeated in the city field
        cands = find(part, within=code)
        # prefer the level directly below, then any level below (a municipality's district).
        cands = [d for d in cands if d.code != code]
        if not cands:
            return None
        if len(cands) > 1:
            direct = [d for d in cands if d.parent == code]
            if len(direct) != 1:
                return None
            cands = direct
        code = cands[0].code
    return code
