"""Resolve the place names of published risk-area lists to GB/T 2260 codes, as precisely as they allow.

The National Health Commission lists give ``province / city / county`` names that are irregular:
municipalities put the district in ``city`` (``北京市 / 朝阳区 / 酒仙桥街道``), the ``county`` field is often a
township (街道 / 镇 / 乡, below GB/T 2260's county level), names carry notes in brackets
(``南磨房（地区）乡``, ``经开区（汉南区）``) and some areas are development zones that are no division at all
(``宁东能源化工基地``).  :func:`resolve_place` returns the most specific code the names determine and a reason
whenever that is coarser than county level, so a caller never mistakes a prefecture for a county.

Townships are mapped to their county with a slim index derived from the National Bureau of Statistics'
2023 统计用区划代码 township table (``pingan/data/risk/townships_2023.csv.gz``; see its ``SOURCE.md``).
This module imports no Django.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path

from pingan.lib import adcodes

#: Placeholder names for "county-level divisions administered directly by the province" (省直辖县级行政区划):
#: the NHC lists write 省直辖县级行政单位; the NBS tables 省直辖县级行政区划.  They carry no information.
_PLACEHOLDERS = frozenset({
    "", "-", "—", "省直辖县级行政单位", "省直辖县级行政区划", "自治区直辖县级行政区划", "自治区直辖县级行政单位",
    "市辖区", "县",
})

_BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")
#: Township-level suffixes, longest first (NBS writes 瀛海地区 where the NHC writes 瀛海（地区）镇).
_TOWNSHIP_SUFFIXES = ("街道办事处", "办事处", "民族乡", "街道", "地区", "镇", "乡", "街")

TOWNSHIP_INDEX = "townships_2023.csv.gz"


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving a name triple.

    ``adcode`` is a six-digit GB/T 2260 code or ``None``; ``level`` is ``"county"``, ``"prefecture"``,
    ``"province"`` or ``None``; ``note`` says why the result is coarser than county level (``None`` when a
    county was found).
    """

    adcode: str | None
    level: str | None
    note: str | None


def name_variants(name: str) -> list[str]:
    """The names to try for one published field: as written, without bracketed notes, and the note itself.

    ``经开区（汉南区）`` → ``["经开区（汉南区）", "经开区", "汉南区"]``; the bracket content is tried last because
    it is sometimes the real division (汉南区) and sometimes only a remark (（地区）, （虚拟）).
    """
    name = name.strip()
    out = [name]
    bare = _BRACKETS.sub("", name).strip()
    if bare and bare not in out:
        out.append(bare)
    for inner in _BRACKETS.findall(name):
        inner = inner.strip()
        if len(inner) >= 2 and inner not in out:
            out.append(inner)
    return out


def township_key(name: str) -> str:
    """A comparison key for a township name: brackets and the 街道/镇/乡/地区 suffix removed.

    ``瀛海（地区）镇`` and ``瀛海地区`` both give ``瀛海``.  A key shorter than two characters keeps its suffix.
    """
    name = _BRACKETS.sub("", name).strip()
    for suffix in _TOWNSHIP_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


@cache
def _township_index() -> dict[str, tuple[str, ...]]:
    """``township_key`` → the county codes having a township of that name (ambiguous names map to many)."""
    raw = resources.files("pingan.data.risk").joinpath(TOWNSHIP_INDEX).read_bytes()
    index: dict[str, set[str]] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))):
        index.setdefault(township_key(row["name"]), set()).add(row["county"])
    return {k: tuple(sorted(v)) for k, v in index.items()}


def township_counties(name: str, within: str) -> list[str]:
    """County codes under ``within`` (a province, prefecture or county code) having a township ``name``."""
    codes = _township_index().get(township_key(name), ())
    prefix = within[:2] if within.endswith("0000") else within[:4] if within.endswith("00") else within
    return [c for c in codes if c.startswith(prefix)]


def build_township_index(streets_csv: Path, out_path: Path) -> int:
    """Write the slim township → county index bundled with pingan; returns the number of rows written.

    ``streets_csv`` is ``dist/streets.csv`` of modood/Administrative-divisions-of-China (columns ``code``
    (9 digits), ``name``, ``areaCode`` (the 6-digit county code), ...), which reproduces the NBS 2023
    统计用区划代码 township table.  The output is a gzipped CSV with columns ``name,county``.
    """
    with streets_csv.open(encoding="utf-8", newline="") as fh:
        rows = sorted({(r["name"], r["areaCode"]) for r in csv.DictReader(fh)}, key=lambda r: (r[1], r[0]))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "county"])
    writer.writerows(rows)
    # mtime=0 keeps the file byte-identical across rebuilds.
    out_path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0))
    return len(rows)


def _find_below(name: str, within: str) -> list[adcodes.Division]:
    """Divisions strictly below ``within`` named ``name``; among several, those directly below it."""
    cands = [d for d in adcodes.find(name, within=within) if d.code != within]
    if len(cands) > 1:
        direct = [d for d in cands if d.parent == within]
        cands = direct or cands
    return cands


def _step(field: str, within: str) -> tuple[str | None, str]:
    """Resolve one name below ``within``: a division, else a township's county. ``(code, why-not)``."""
    seen: set[str] = set()
    for variant in name_variants(field):
        cands = _find_below(variant, within)
        if len(cands) == 1:
            return cands[0].code, ""
        seen.update(d.code for d in cands)
        counties = township_counties(variant, within)
        if len(counties) == 1:
            return counties[0], ""
        seen.update(counties)
    if seen:
        return None, f"{field!r} is ambiguous under {within} ({', '.join(sorted(seen)[:4])})"
    return None, f"{field!r} is no division or township under {within}"


@lru_cache(maxsize=65536)
def resolve_place(province: str, city: str, county: str) -> Resolution:
    """Resolve a published ``province / city / county`` triple to the most specific GB/T 2260 code.

    Order: the province must resolve (else ``adcode`` is ``None``); ``city`` is looked up below it (a
    prefecture, or a municipality's district); ``county`` below that — as a county-level division or, via
    the NBS township index, as a township whose county is then returned.  If ``city`` does not resolve,
    ``county`` is tried directly below the province (``杨凌示范区 / 杨陵区``).  Placeholder names
    (省直辖县级行政单位, ``-``) and a field repeating its parent are skipped.  An ambiguous name is never guessed:
    the result stays at the enclosing level, with the reason in ``note``.
    """
    provs = []
    for variant in name_variants(province):
        provs = adcodes.find(variant, level="province")
        if provs:
            break
    if len(provs) != 1:
        return Resolution(None, None, f"province {province!r} is not a GB/T 2260 province")
    code = provs[0].code
    notes: list[str] = []
    fields = [f.strip() for f in (city, county)]
    for i, field in enumerate(fields):
        if field in _PLACEHOLDERS or (i == 1 and field == fields[0]):
            continue  # no information, or 宁东能源化工基地 / 宁东能源化工基地 repeating the city
        if division_level(code) == "county":
            # the city field already named a county-level division (a municipality's district, or a
            # prefecture-level city without counties such as 东莞市): the county field is a township below it.
            break
        found, why = _step(field, code)
        if found is None:
            parent = adcodes.get(code)
            if parent is None or field not in (parent.name, adcodes.short_name(parent.name)):
                notes.append(why)  # (北京 / 北京市 repeats the province: nothing lost)
            continue
        code = found
    level = division_level(code)
    if level == "county":
        return Resolution(code, level, None)
    return Resolution(code, level, "; ".join(notes) or f"the names only determine a {level}")


def division_level(code: str) -> str:
    """The level of a code as the NBS tables file it.

    Differs from :func:`pingan.lib.adcodes.level_of` (which reads the code's shape) for prefecture-level
    cities without counties (不设区的地级市: 东莞市 441900, 中山市 442000, 儋州市 460400, 嘉峪关市 620200): their
    ``PPCC00`` code is also their county-level code, the finest there is.
    """
    div = adcodes.get(code)
    return div.level if div is not None else adcodes.level_of(code)
