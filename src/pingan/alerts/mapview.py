"""The terminal's small map: jurisdiction outlines as SVG paths, drawn by the server — no tile server, no
map library. Equirectangular projection scaled by cos(latitude) (sub-pixel error at a city's extent).
The page places alert dots with the same projection (``bbox`` and ``kx`` are handed to the script)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import shape


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    paths: tuple[tuple[str, str], ...]  # (label, d)
    min_lon: float
    max_lat: float
    kx: float
    scale: float


def build(geometries: list[tuple[str, dict]], *, width: int = 340) -> MapView | None:
    """``geometries``: (label, GeoJSON geometry) pairs in WGS-84. ``None`` when there are none."""
    shapes = [(label, shape(g)) for label, g in geometries]
    if not shapes:
        return None
    minx = min(s.bounds[0] for _, s in shapes)
    miny = min(s.bounds[1] for _, s in shapes)
    maxx = max(s.bounds[2] for _, s in shapes)
    maxy = max(s.bounds[3] for _, s in shapes)
    kx = math.cos(math.radians((miny + maxy) / 2))
    scale = (width - 8) / max((maxx - minx) * kx, 1e-9)
    height = int((maxy - miny) * scale) + 8
    paths = []
    for label, s in shapes:
        polys = list(getattr(s.simplify(0.0005), "geoms", [s.simplify(0.0005)]))
        d = []
        for p in polys:
            if p.geom_type != "Polygon":
                continue
            pts = [
                (round(4 + (x - minx) * kx * scale, 1), round(4 + (maxy - y) * scale, 1)) for x, y in p.exterior.coords
            ]
            if len(pts) >= 3:
                d.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        paths.append((label, " ".join(d)))
    return MapView(width, height, tuple(paths), minx, maxy, kx, scale)
