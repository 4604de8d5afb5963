"""Operation areas (no Django): a polygon from coordinates given in a form or the API, converted to WGS-84
and checked with shapely; point-in-polygon for alerts."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from shapely.geometry import Point, Polygon
from shapely.validation import explain_validity

from pingan.lib import coords


class BadArea(ValueError):
    """The coordinates do not make a simple polygon. ``reason`` says why, ``params`` where (both for the
    message a page shows in its reader's language: ``dispatch.services.area_error``); the English text is
    the API's.

    ``not_a_pair`` / ``not_a_number`` (``text``: the piece as typed), ``bad_crs`` (``crs``), ``bad_point``
    (``point``), ``too_few_points``, ``out_of_range`` (``point``), ``flat``, ``not_simple`` (``where``: a point near
    the problem, or ``""``)."""

    def __init__(self, message: str, reason: str, **params: str) -> None:
        super().__init__(message)
        self.reason, self.params = reason, params


def parse_pairs(text: str) -> list[tuple[float, float]]:
    """``"lon,lat; lon,lat; ..."`` (or one pair a line) → pairs. Raises :class:`BadArea`."""
    out = []
    for chunk in text.replace("\n", ";").split(";"):
        chunk = chunk.strip()
        if not chunk:
            continue
        parts = [p for p in chunk.replace(" ", ",").split(",") if p]
        if len(parts) != 2:
            raise BadArea(f"not a lon,lat pair: {chunk!r}", "not_a_pair", text=chunk)
        try:
            out.append((float(parts[0]), float(parts[1])))
        except ValueError as e:
            raise BadArea(f"not a number in {chunk!r}", "not_a_number", text=chunk) from e
    return out


def ring(points: Sequence[Sequence[float]], crs: str = "wgs84") -> list[list[float]]:
    """A closed WGS-84 ring from ``points`` (``[lon, lat]`` in ``crs``). Raises :class:`BadArea`."""
    if crs not in {c.value for c in coords.CRS}:
        raise BadArea(f"unknown coordinate system {crs!r}", "bad_crs", crs=str(crs))
    pts = []
    for p in points:
        try:
            pts.append(coords.to_wgs84(float(p[0]), float(p[1]), crs))
        except (ValueError, TypeError, IndexError) as e:
            raise BadArea(str(e), "bad_point", point=str(p)) from e
    if pts and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(set(pts)) < 3:
        raise BadArea("an area needs at least three distinct points", "too_few_points")
    for x, y in pts:
        if not (-180 <= x <= 180 and -90 <= y <= 90):
            raise BadArea("a point is outside lon -180..180, lat -90..90", "out_of_range", point=f"{x:g},{y:g}")
    poly = Polygon(pts)
    if poly.convex_hull.area == 0:  # every point on one line (a crossing "bow tie" has zero signed area too)
        raise BadArea("the points lie on one line", "flat")
    if not poly.is_valid:
        why = explain_validity(poly)
        near = re.search(r"\[([-\d.]+) ([-\d.]+)\]", why)
        raise BadArea(f"not a simple polygon: {why}", "not_simple",
                      where=f"{float(near[1]):.5f},{float(near[2]):.5f}" if near else "")
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
