"""Xiamen's geography for pages: township codes for the premises form, and district outlines as SVG paths.

Pure module (no Django). Data and sources: ``dashboard/data/SOURCE.md``. The map is drawn server-side from
the bundled GeoJSON (RFC 7946) with an equirectangular projection scaled by cos(latitude) — at Xiamen's
24.5°N and a 60-km extent the distortion is far below a pixel, and no tile server or JS library is needed.
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

CITY = "350200"
_DATA = resources.files("pingan.dashboard").joinpath("data")


@dataclass(frozen=True)
class Township:
    """A township-level division (街道/镇): 9-digit NBS 统计用区划代码, its name and 6-digit county code."""

    code: str
    name: str
    county: str


@cache
def townships() -> tuple[Township, ...]:
    """Xiamen's townships (NBS 2023), ordered by code."""
    with _DATA.joinpath("xiamen_townships_2023.csv").open(encoding="utf-8") as fh:
        return tuple(sorted((Township(r["code"], r["name"], r["county"]) for r in csv.DictReader(fh)),
                            key=lambda t: t.code))


@dataclass(frozen=True)
class District:
    """One district outline projected into the SVG's user space: ``path`` is an SVG path ``d`` string,
    ``label_x``/``label_y`` the projected centroid where its name and count go."""

    adcode: str
    name: str
    path: str
    label_x: float
    label_y: float


@cache
def _features() -> list[dict]:
    with _DATA.joinpath("xiamen_350200_full.json").open(encoding="utf-8-sig") as fh:
        return json.load(fh)["features"]


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry["type"] == "Polygon":
        return list(geometry["coordinates"])
    if geometry["type"] == "MultiPolygon":
        return [ring for poly in geometry["coordinates"] for ring in poly]
    raise ValueError(f"unsupported GeoJSON geometry {geometry['type']!r}")


@cache
def district_map(width: int = 360) -> tuple[tuple[District, ...], int, int]:
    """Xiamen's districts as SVG paths fitting ``width`` pixels: ``(districts, width, height)``.

    Coordinates are rounded to 0.1 px; rings with fewer than 3 points after rounding are dropped.
    """
    feats = _features()
    lons = [p[0] for f in feats for r in _rings(f["geometry"]) for p in r]
    lats = [p[1] for f in feats for r in _rings(f["geometry"]) for p in r]
    kx = math.cos(math.radians((min(lats) + max(lats)) / 2))
    span_x, span_y = (max(lons) - min(lons)) * kx, max(lats) - min(lats)
    scale = (width - 8) / span_x
    height = int(span_y * scale) + 8

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(4 + (lon - min(lons)) * kx * scale, 1), round(4 + (max(lats) - lat) * scale, 1)

    out = []
    for f in feats:
        parts = []
        for ring in _rings(f["geometry"]):
            pts = []
            for lon, lat in ring:
                p = project(lon, lat)
                if not pts or pts[-1] != p:
                    pts.append(p)
            if len(pts) >= 3:
                parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in pts) + "Z")
        props = f["properties"]
        cx, cy = project(*(props.get("centroid") or props["center"]))
        out.append(District(str(props["adcode"]), props["name"], "".join(parts), cx, cy))
    return tuple(out), width, height
