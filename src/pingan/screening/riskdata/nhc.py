"""Listing intervals of COVID-19 risk areas from the National Health Commission's published snapshots.

The NHC query page (国家卫生健康委 疫情风险等级查询, http://bmfw.www.gov.cn/yqfxdjcx/risk.html) published, from
April 2022 to December 2022, the *current* high / medium (and from 2022-07-21 low) risk areas, as JSON::

    {"code": 0, "data": {"end_update_time": "2022-04-15 20时", "hcount": .., "mcount": .., ["lcount": ..],
      "highlist": [{"province": "北京市", "city": "朝阳区", "county": "酒仙桥街道",
                    "communitys": ["..."]}, ...], "middlelist": [...], ["lowlist": [...]]}}

Snapshots of it (saved by github.com/panghaibin/RiskLevelAPI, one per day in pingan's copy) only say
*what was listed at one time*.  :func:`nhc_listings` turns consecutive snapshots into listing intervals:
an interval of ``(area, level)`` starts at the update time of the first snapshot that lists it and ends at
the update time of the first later snapshot that no longer lists it at that level (a level change ends
one interval and starts another).  Gaps are handled as described in ``docs/risk-data.md``: the absence of a
file is never a delisting; only a later snapshot that was read, and is valid, can end an interval, and
``last_seen`` keeps the last time the listing was actually observed.

This module imports no Django.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.parquet as pq

from pingan.screening.riskdata.places import resolve_place

#: The NHC published times in China Standard Time (UTC+8, no daylight saving).
SHANGHAI = ZoneInfo("Asia/Shanghai")
TIMESTAMP = pa.timestamp("us", tz="Asia/Shanghai")

#: JSON list name → pingan's level name.
LEVEL_LISTS = {"highlist": "high", "middlelist": "medium", "lowlist": "low"}
_COUNT_OF = {"highlist": "hcount", "middlelist": "mcount", "lowlist": "lcount"}

_UPDATE_TIME = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s+(\d{1,2})(?:时|:(\d{2})(?::(\d{2}))?)?\s*$")

BUNDLED_NHC = "nhc_2022_listings.parquet"

#: Schema of :func:`nhc_listings`.
LISTING_SCHEMA = pa.schema([
    pa.field("area_key", pa.string(), nullable=False),
    pa.field("province", pa.string(), nullable=False),
    pa.field("city", pa.string(), nullable=False),
    pa.field("county", pa.string(), nullable=False),
    pa.field("community", pa.string()),
    pa.field("adcode", pa.string()),
    pa.field("adcode_level", pa.string()),
    pa.field("resolution_note", pa.string()),
    pa.field("level", pa.string(), nullable=False),
    pa.field("listed_from", TIMESTAMP, nullable=False),
    pa.field("listed_until", TIMESTAMP),
    pa.field("last_seen", TIMESTAMP, nullable=False),
    pa.field("source", pa.string(), nullable=False),
    pa.field("first_snapshot", pa.string(), nullable=False),
    pa.field("last_snapshot", pa.string(), nullable=False),
])


class NHCFormatError(ValueError):
    """A snapshot file is not a usable NHC risk-area JSON document (the message names the file and why)."""


def parse_update_time(text: str) -> datetime:
    """Parse the NHC ``end_update_time`` (``"2022-04-15 20时"``, also ``"2022-04-15 20:00"``) as CST.

    Returns an aware datetime in Asia/Shanghai.  Raises ``ValueError`` for any other shape.
    """
    m = _UPDATE_TIME.match(text or "")
    if not m:
        raise ValueError(f"end_update_time {text!r} is not 'YYYY-MM-DD HH时'")
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    return datetime(y, mo, d, h, mi, s, tzinfo=SHANGHAI)


def area_key(province: str, city: str, county: str, community: str | None) -> str:
    """Stable identifier of a listed area: the first 16 hex digits of SHA-1 of ``province|city|county|community``.

    ``community`` is ``""`` when the area itself (no community list) is the listing.
    """
    raw = "|".join((province, city, county, community or ""))
    return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


Entry = tuple[str, str, str, str | None, str]  # province, city, county, community, level


@dataclass(slots=True)
class Snapshot:
    """One parsed snapshot: its file name, update time, the levels it publishes, and its listed entries."""

    name: str
    time: datetime
    levels: frozenset[str]
    entries: set[Entry] = field(default_factory=set)


def _load_json(path: Path) -> object:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return json.loads(raw)
    except (OSError, EOFError, ValueError) as exc:
        raise NHCFormatError(f"{path}: cannot read JSON ({exc})") from exc


def read_snapshot(path: Path) -> Snapshot:
    """Read one snapshot file (``.json`` or gzipped ``.json.gz``).

    Raises :class:`NHCFormatError` when the file is not a successful answer (``code`` ≠ 0, no ``data``), has
    no valid ``end_update_time``, or declares areas (``hcount`` > 0) but carries an empty list — the shape
    of a failed or truncated fetch, which must not be read as "everything was delisted".
    """
    doc = _load_json(path)
    if not isinstance(doc, dict) or doc.get("code") not in (0, "0") or not isinstance(doc.get("data"), dict):
        raise NHCFormatError(f"{path.name}: not a successful NHC answer (code={doc.get('code')!r})"
                             if isinstance(doc, dict) else f"{path.name}: not a JSON object")
    data = doc["data"]
    try:
        when = parse_update_time(str(data.get("end_update_time", "")))
    except ValueError as exc:
        raise NHCFormatError(f"{path.name}: {exc}") from exc
    levels: set[str] = set()
    entries: set[Entry] = set()
    for list_name, level in LEVEL_LISTS.items():
        items = data.get(list_name)
        if items is None:
            continue  # this level was not published then (low-risk lists began on 2022-07-21)
        if not isinstance(items, list):
            raise NHCFormatError(f"{path.name}: {list_name} is not a list")
        declared = data.get(_COUNT_OF[list_name]) or 0
        if not items and isinstance(declared, int) and declared > 0:
            raise NHCFormatError(f"{path.name}: {list_name} is empty but {_COUNT_OF[list_name]}={declared}")
        levels.add(level)
        for item in items:
            try:
                prov, city, county = (str(item.get(k) or "").strip() for k in ("province", "city", "county"))
                communities = item.get("communitys") or []
            except AttributeError as exc:
                raise NHCFormatError(f"{path.name}: an entry of {list_name} is not an object") from exc
            if not communities:
                entries.add((prov, city, county, None, level))
            for community in communities:
                entries.add((prov, city, county, str(community).strip(), level))
    return Snapshot(path.name, when, frozenset(levels), entries)


_PEEK = re.compile(rb'"end_update_time"\s*:\s*"([^"]*)"')


def _peek_time(path: Path) -> datetime | None:
    """The update time read from the first bytes of a snapshot (cheap; ``None`` if not found there)."""
    try:
        with path.open("rb") as raw:
            head = raw.read(2)
            raw.seek(0)
            if head == b"\x1f\x8b":
                with gzip.open(raw) as fh:
                    m = _PEEK.search(fh.read(4096))
            else:
                m = _PEEK.search(raw.read(4096))
        return parse_update_time(m.group(1).decode("utf-8")) if m else None
    except (OSError, EOFError, ValueError, UnicodeDecodeError):
        return None


def _snapshot_paths(paths: Iterable[Path] | Path) -> tuple[list[Path], Path | None]:
    if isinstance(paths, str | Path):
        root = Path(paths)
        if root.is_dir():
            base = root / "daily" if (root / "daily").is_dir() else root
            files = sorted(p for p in base.iterdir() if p.name.endswith((".json", ".json.gz"))
                           and not p.name.startswith("info."))
            info = next((p for p in (root / "info.json", base / "info.json") if p.is_file()), None)
            return files, info
        return [root], None
    return [Path(p) for p in paths], None


def _upstream_times(info: Path | None) -> list[datetime]:
    if info is None:
        return []
    doc = _load_json(info)
    items = doc.get("file_list", []) if isinstance(doc, dict) else []
    return sorted(datetime.fromtimestamp(int(i["update_time"]), SHANGHAI) for i in items if "update_time" in i)


def nhc_listings(paths: Iterable[Path] | Path, *, info: Path | None = None,
                 gap_hours: float = 36.0) -> pa.Table:
    """Listing intervals from NHC snapshot files: one row per (area, level, interval).

    ``paths`` is a directory (its ``daily/`` subfolder if present; ``info.json`` beside it is used) or an
    iterable of snapshot files in any order (they are ordered by ``end_update_time``).  ``info`` is the
    upstream index (RiskLevelAPI's ``info.json``: every snapshot's ``update_time``), used to report the
    upstream snapshots that were not read between two that were.

    Columns: see :data:`LISTING_SCHEMA`.  ``community`` is null when the area itself is listed (empty
    ``communitys``).  ``listed_from`` is the update time of the first snapshot listing the area at that
    level — for the first snapshot read it is a lower bound, the area may have been listed before;
    ``listed_until`` the update time of the first later snapshot that does not list it at that level
    (null: still listed in the last snapshot); ``last_seen`` the last snapshot time that did list it, so the
    delisting lies in ``(last_seen, listed_until]``.  ``adcode`` / ``adcode_level`` / ``resolution_note``
    come from :func:`pingan.screening.riskdata.places.resolve_place`.  Times are ``timestamp[us,
    tz=Asia/Shanghai]``.

    Gaps: a snapshot that is missing, unreadable or looks like a failed fetch (see :func:`read_snapshot`) is
    skipped and never ends an interval; a level that a snapshot does not publish (no ``lowlist`` before
    2022-07-21) is not a delisting at that level.  The table's schema metadata ``pingan.nhc`` (JSON) lists
    snapshots read and skipped, the gaps longer than ``gap_hours`` between snapshots read, and how many
    upstream snapshots (from ``info``) fell between snapshots read.  Raises :class:`NHCFormatError` if no
    file is usable.
    """
    files, found_info = _snapshot_paths(paths)
    info = info or found_info
    skipped: list[dict[str, str]] = []
    # Order by update time, read from each file's head, so that only one snapshot is in memory at a time.
    order = sorted(files, key=lambda p: (_peek_time(p) or datetime.max.replace(tzinfo=SHANGHAI), p.name))
    read: list[Snapshot] = []  # entries dropped once processed; kept for times, names and metadata
    # (province, city, county, community, level) → [listed_from, first_snapshot, last_seen, last_snapshot]
    open_: dict[Entry, list] = {}
    rows: list[tuple[Entry, datetime, str, datetime, str, datetime | None]] = []
    for path in order:
        try:
            snap = read_snapshot(path)
        except NHCFormatError as exc:
            skipped.append({"file": path.name, "reason": str(exc)})
            continue
        if read and snap.time <= read[-1].time:
            skipped.append({"file": snap.name, "reason": f"not later than {read[-1].name} ({snap.time})"})
            continue
        for entry in open_.keys() - snap.entries:
            if entry[4] in snap.levels:
                start, first, seen, last = open_.pop(entry)
                rows.append((entry, start, first, seen, last, snap.time))
        for entry in snap.entries:
            state = open_.get(entry)
            if state is None:
                open_[entry] = [snap.time, snap.name, snap.time, snap.name]
            else:
                state[2], state[3] = snap.time, snap.name
        snap.entries = set()
        read.append(snap)
    if not read:
        raise NHCFormatError(f"no usable NHC snapshot among {len(files)} file(s): {skipped[:3]}")
    for entry, (start, first, seen, last) in open_.items():
        rows.append((entry, start, first, seen, last, None))
    rows.sort(key=lambda r: (r[0][0], r[0][1], r[0][2], r[0][3] or "", r[0][4], r[1]))

    cols: dict[str, list] = {f.name: [] for f in LISTING_SCHEMA}
    for (prov, city, county, community, level), start, first, seen, last, until in rows:
        res = resolve_place(prov, city, county)
        cols["area_key"].append(area_key(prov, city, county, community))
        cols["province"].append(prov)
        cols["city"].append(city)
        cols["county"].append(county)
        cols["community"].append(community)
        cols["adcode"].append(res.adcode)
        cols["adcode_level"].append(res.level)
        cols["resolution_note"].append(res.note)
        cols["level"].append(level)
        cols["listed_from"].append(start)
        cols["listed_until"].append(until)
        cols["last_seen"].append(seen)
        cols["source"].append("NHC")
        cols["first_snapshot"].append(first)
        cols["last_snapshot"].append(last)
    meta = _metadata(read, skipped, _upstream_times(info), gap_hours)
    table = pa.table(cols, schema=LISTING_SCHEMA)
    return table.replace_schema_metadata({"pingan.nhc": json.dumps(meta, ensure_ascii=False)})


def _metadata(snaps: list[Snapshot], skipped: list[dict[str, str]], upstream: list[datetime],
              gap_hours: float) -> dict:
    import bisect

    gaps = []
    missed_total = 0
    for a, b in itertools.pairwise(snaps):
        # upstream snapshots strictly between two that were read: changes there are seen late, or never.
        missed = bisect.bisect_left(upstream, b.time) - bisect.bisect_right(upstream, a.time)
        missed_total += missed
        hours = (b.time - a.time) / timedelta(hours=1)
        if hours > gap_hours:
            gaps.append({"after": a.name, "before": b.name, "hours": hours, "upstream_missed": missed})
    return {
        "snapshots_read": len(snaps),
        "first_snapshot": snaps[0].name,
        "first_time": snaps[0].time.isoformat(),
        "last_snapshot": snaps[-1].name,
        "last_time": snaps[-1].time.isoformat(),
        "skipped": skipped,
        "gaps_over_hours": gap_hours,
        "gaps": gaps,
        "upstream_snapshots": len(upstream),
        "upstream_snapshots_between_read": missed_total,
    }


def resolution_shares(table: pa.Table) -> dict[str, float]:
    """Share of rows whose ``adcode_level`` is county / prefecture / province / unresolved (sums to 1)."""
    n = table.num_rows or 1
    counts = {"county": 0, "prefecture": 0, "province": 0, "unresolved": 0}
    for value in table.column("adcode_level").to_pylist():
        counts[value or "unresolved"] += 1
    return {k: v / n for k, v in counts.items()}


def build_bundled_nhc(src_dir: Path, out_path: Path) -> pa.Table:
    """Derive the listing intervals from the snapshot folder ``src_dir`` and write them as Parquet (zstd).

    This is how ``pingan/data/risk/nhc_2022_listings.parquet`` is made (see its ``SOURCE.md``).  Returns the
    table written.
    """
    table = nhc_listings(Path(src_dir))
    pq.write_table(table, out_path, compression="zstd", compression_level=19, use_dictionary=True,
                   row_group_size=1 << 20)
    return table


def bundled_nhc_listings() -> pa.Table:
    """The NHC 2022 listing intervals shipped with pingan (same schema as :func:`nhc_listings`)."""
    with resources.as_file(resources.files("pingan.data.risk").joinpath(BUNDLED_NHC)) as path:
        return pq.read_table(path)
