"""Operation areas (no Django): a polygon from coordinates given in a form or the API, converted to WGS-84
and checked with shapely; point-in-polygon for alerts."""

from __future__ import annotations

import math
from collections.abc import Sequence

from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

from pingan.lib import coords


class BadArea(ValueError):
    """The coordinates do not make a simple polygon (fewer than 3 distinct points, self-crossing, bad CRS)."""


def parse_pairs(text: str) -> list[tuple[float, float]]:
    """``"lon,lat; lon,lat; ..."`` (or one pair a line) → pairs. Raises :class:`BadArea`."""
    out = []
    for chunk in text.replace("\n", ";").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts = [p for p in chunk.replace(" ", ",").split(",") if p]
        if len(parts) != 2:
            raise BadArea(f"not a lon,lat pair: {chunk!r}")
        try:
            out.append((float(parts[0]), float(parts[1])))
        except ValueError as e:
            raise BadArea(f"not a number in {chunk!r}") from e
    return out


def ring(points: Sequence[Sequence[float]], crs: str = "wgs84") -> list[list[float]]:
    """A closed WGS-84 ring from ``points`` (``[lon, lat]`` in ``crs``). Raises :class:`BadArea`."""
    try:
        pts = [coords.to_wgs84(float(p[0]), float(p[1]), crs) for p in points]
    except (ValueError, TypeError, IndexError) as e:
        raise BadArea(str(e)) from e
    if pts and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(set(pts)) < 3:
        raise BadArea("an area needs at least three distinct points")
    if any(not (-180 <= x <= 180 and -90 <= y <= 90) for x, y in pts):
        raise BadArea("a point is outside lon -180..180, lat -90..90")
    poly = Polygon(pts)
    if not poly.is_valid or poly.area == 0:
        raise BadArea(f"not a simple polygon: {explain_validity(poly)}")
    return [[round(x, 7), round(y, 7)] for x, y in [*pts, pts[0]]]


def polygon(area: Sequence[Sequence[float]]) -> Polygon:
    return Polygon([(p[0], p[1]) for p in area])


def bbox(area: Sequence[Sequence[float]]) -> tuple[float, float, float, float]:
    return polygon(area).bounds


def contains(area: Sequence[Sequence[float]], lon: float, lat: float) -> bool:
    """Inside or on the boundary."""
    return polygon(area).covers(Point(lon, lat))


def svg_frame(ring: Sequence[Sequence[float]], size: float = 300, pad: float = 10):
    """A projector of WGS-84 points into a ``size``-square SVG frame around ``ring`` (equirectangular with
    cos(lat) on longitude, north up) and the ring's path ``d``. Returns ``(project, d)``."""
    x0, y0, x1, y1 = bbox(ring)
    kx = math.cos(math.radians((y0 + y1) / 2))
    span = max((x1 - x0) * kx, y1 - y0) or 1e-9
    scale = (size - 2 * pad) / span

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round(pad + (lon - x0) * kx * scale, 1), round(pad + (y1 - lat) * scale, 1)

    pts = [project(p[0], p[1]) for p in ring]
    return project, "M" + " L".join(f"{x},{y}" for x, y in pts) + " Z"
