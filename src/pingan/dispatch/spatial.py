"""An in-memory grid index of patrol units by position (no Django): cells of ``cell_deg`` degrees of
longitude and latitude (0.01° ≈ 1.1 km north-south, 1.0 km east-west at Xiamen's 24.5° N), each holding
the ids of the units whose last position lies in it. A box query visits only the cells the box touches.

It is the nearest-unit query's in-process index (``dispatch.live_index`` keeps it fresh from the database);
the ranking itself stays ``dispatch.nearest.rank``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    """One unit as the index knows it: id, call sign, kind, CAD status, position (WGS-84), when the position
    was taken (epoch seconds), a drone's cruise speed (m/s) or ``None``."""

    id: int
    code: str
    kind: str
    status: str
    lon: float
    lat: float
    position_ts: float
    speed_mps: float | None = None


class GridIndex:
    """Units by grid cell. ``upsert`` replaces a unit's entry (moving it between cells), ``remove`` drops it,
    ``box`` yields the entries inside a lon/lat box (inclusive)."""

    def __init__(self, cell_deg: float = 0.01) -> None:
        if not 0 < cell_deg <= 10:
            raise ValueError("cell_deg must be in (0, 10]")
        self.cell_deg = cell_deg
        self.entries: dict[int, Entry] = {}
        self.cells: dict[tuple[int, int], set[int]] = {}

    def _cell(self, lon: float, lat: float) -> tuple[int, int]:
        return math.floor(lon / self.cell_deg), math.floor(lat / self.cell_deg)

    def __len__(self) -> int:
        return len(self.entries)

    def upsert(self, e: Entry) -> None:
        old = self.entries.get(e.id)
        if old is not None:
            self._unlink(old)
        self.entries[e.id] = e
        self.cells.setdefault(self._cell(e.lon, e.lat), set()).add(e.id)

    def remove(self, unit_id: int) -> None:
        old = self.entries.pop(unit_id, None)
        if old is not None:
            self._unlink(old)

    def _unlink(self, e: Entry) -> None:
        c = self._cell(e.lon, e.lat)
        ids = self.cells.get(c)
        if ids is not None:
            ids.discard(e.id)
            if not ids:
                del self.cells[c]

    def box(self, min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> Iterator[Entry]:
        x0, y0 = self._cell(min_lon, min_lat)
        x1, y1 = self._cell(max_lon, max_lat)
        if (x1 - x0 + 1) * (y1 - y0 + 1) > len(self.cells):  # a box wider than the occupied cells: scan them
            for ids in self.cells.values():
                yield from self._inside(ids, min_lon, min_lat, max_lon, max_lat)
            return
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                ids = self.cells.get((x, y))
                if ids:
                    yield from self._inside(ids, min_lon, min_lat, max_lon, max_lat)

    def _inside(self, ids, min_lon, min_lat, max_lon, max_lat) -> Iterator[Entry]:
        for i in ids:
            e = self.entries[i]
            if min_lon <= e.lon <= max_lon and min_lat <= e.lat <= max_lat:
                yield e
