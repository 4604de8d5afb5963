"""Point-in-polygon over GeoJSON (RFC 7946) features, vectorised with numpy. Pure module (no Django).

Used to place incidents that have coordinates but no district (NYC collisions without a BOROUGH) in the
data set's own police geography. Even–odd rule over every ring of a (Multi)Polygon, so holes work;
coordinates are WGS 84 longitude/latitude. A point exactly on a shared edge may fall in either neighbour.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Area:
    """One feature: its name (a property chosen by the caller), its rings and its bounding box."""

    name: str
    rings: tuple[np.ndarray, ...]
    bbox: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def load_areas(path: str | Path, name_property: str) -> list[Area]:
    """The (Multi)Polygon features of a GeoJSON file (``.gz`` allowed), named by ``name_property``."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    out = []
    for f in doc["features"]:
        g = f["geometry"]
        polys = g["coordinates"] if g["type"] == "MultiPolygon" else [g["coordinates"]]
        rings = tuple(np.asarray(ring, dtype=float)[:, :2] for poly in polys for ring in poly)
        allpts = np.concatenate(rings)
        out.append(Area(str(f["properties"][name_property]), rings,
                        (allpts[:, 0].min(), allpts[:, 1].min(), allpts[:, 0].max(), allpts[:, 1].max())))
    return out


def _inside(ring: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Even–odd crossing test of many points against one ring."""
    inside = np.zeros(x.shape, dtype=bool)
    x1, y1 = ring[:-1, 0], ring[:-1, 1]
    x2, y2 = ring[1:, 0], ring[1:, 1]
    for k in range(0, len(x1), 4096):  # edges in chunks: points × edges stays small
        a, b, c, d = x1[k:k + 4096], y1[k:k + 4096], x2[k:k + 4096], y2[k:k + 4096]
        straddles = (b[None, :] > y[:, None]) != (d[None, :] > y[:, None])
        with np.errstate(divide="ignore", invalid="ignore"):
            cross_x = a[None, :] + (y[:, None] - b[None, :]) * (c - a)[None, :] / (d - b)[None, :]
        hits = straddles & (x[:, None] < cross_x)
        inside ^= (hits.sum(axis=1) % 2).astype(bool)
    return inside


def locate(areas: Sequence[Area], lons: Sequence[float], lats: Sequence[float]) -> list[str | None]:
    """The name of the area containing each point (``None`` outside every area or without a point)."""
    x = np.asarray(lons, dtype=float)
    y = np.asarray(lats, dtype=float)
    out: list[str | None] = [None] * len(x)
    valid = np.isfinite(x) & np.isfinite(y) & ~((x == 0) & (y == 0))
    for area in areas:
        lo_x, lo_y, hi_x, hi_y = area.bbox
        cand = np.nonzero(valid & (x >= lo_x) & (x <= hi_x) & (y >= lo_y) & (y <= hi_y))[0]
        if not len(cand):
            continue
        inside = np.zeros(len(cand), dtype=bool)
        for ring in area.rings:
            inside ^= _inside(ring, x[cand], y[cand])
        for i in cand[inside]:
            if out[i] is None:
                out[i] = area.name
    return out
