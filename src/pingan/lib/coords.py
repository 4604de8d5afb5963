"""Chinese map datums to WGS-84: GCJ-02 (国测局坐标, Amap/Tencent/iOS maps) and BD-09 (Baidu), both ways.

Pure module (no Django). Coordinates are ``(lon, lat)`` in decimal degrees, GeoJSON order.

The algorithms are those of PRCoords by Mingye Wang (https://github.com/Artoria2e5/PRCoords, CC0 1.0), which
is accurate where the widely copied eviltransform is not (its BD-09 constants are wrong, googollee/
eviltransform#43/#44/#53):

* WGS-84 → GCJ-02: the leaked obfuscation polynomial on the Krasovsky 1940 ellipsoid
  (a = 6378245 m, e² = 0.00669342162296594323); exact by definition.
* GCJ-02 ↔ BD-09: Baidu's polar perturbation with its offsets 0.0065°/0.0060°; the inverse is closed form
  (PRCoords ``bd_gcj``, ~1e-7° ≈ 1 cm).
* The inverses to WGS-84 are solved by fixed-point iteration on the forward function (Caijun 2014, PRCoords'
  "bored" functions) to :data:`EPS` degrees (~1e-6 m), instead of the one-step approximation (1–2 m off).

Points outside the box PRCoords uses for China (lon 72.004–137.8347, lat 0.8293–55.8271) are returned
unchanged: GCJ-02 is defined only inside China, so a device abroad reports WGS-84 whatever it says.
CGCS2000 (北斗/国家2000) differs from WGS-84 by centimetres; it is taken as WGS-84.
"""

from __future__ import annotations

import math
from enum import StrEnum

GCJ_A = 6378245.0
GCJ_EE = 0.00669342162296594323
BD_DLAT = 0.0060
BD_DLON = 0.0065
#: Convergence threshold of the iterative inverses, in degrees.
EPS = 1e-11
_MAX_ITER = 30


class CRS(StrEnum):
    """The coordinate reference systems a position may be reported in (the ``crs`` field of an event)."""

    WGS84 = "wgs84"
    GCJ02 = "gcj02"
    BD09 = "bd09"
    CGCS2000 = "cgcs2000"


def in_china(lon: float, lat: float) -> bool:
    """PRCoords' rough box of China; GCJ-02 is applied only inside it."""
    return 72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271


def wgs84_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (the published obfuscation); unchanged outside China."""
    if not in_china(lon, lat):
        return lon, lat
    return _wgs_gcj(lon, lat)


def _wgs_gcj(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - 105.0, lat - 35.0
    pi = math.pi
    dlat_m = (
        -100
        + 2 * x
        + 3 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * math.sqrt(abs(x))
        + (
            2 * math.sin(x * 6 * pi)
            + 2 * math.sin(x * 2 * pi)
            + 2 * math.sin(y * pi)
            + 4 * math.sin(y / 3 * pi)
            + 16 * math.sin(y / 12 * pi)
            + 32 * math.sin(y / 30 * pi)
        )
        * 20
        / 3
    )
    dlon_m = (
        300
        + x
        + 2 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * math.sqrt(abs(x))
        + (
            2 * math.sin(x * 6 * pi)
            + 2 * math.sin(x * 2 * pi)
            + 2 * math.sin(x * pi)
            + 4 * math.sin(x / 3 * pi)
            + 15 * math.sin(x / 12 * pi)
            + 30 * math.sin(x / 30 * pi)
        )
        * 20
        / 3
    )
    rad = math.radians(lat)
    magic = 1 - GCJ_EE * math.sin(rad) ** 2
    lat_deg_arclen = math.radians(GCJ_A * (1 - GCJ_EE) / magic**1.5)
    lon_deg_arclen = math.radians(GCJ_A * math.cos(rad) / math.sqrt(magic))
    return lon + dlon_m / lon_deg_arclen, lat + dlat_m / lat_deg_arclen


def gcj02_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's perturbation, PRCoords ``gcj_bd``)."""
    r = math.hypot(lon, lat) + 0.00002 * math.sin(math.radians(lat) * 3000)
    theta = math.atan2(lat, lon) + 0.000003 * math.cos(math.radians(lon) * 3000)
    return r * math.cos(theta) + BD_DLON, r * math.sin(theta) + BD_DLAT


def _bd_gcj_approx(lon: float, lat: float) -> tuple[float, float]:
    x, y = lon - BD_DLON, lat - BD_DLAT
    r = math.hypot(x, y) - 0.00002 * math.sin(math.radians(y) * 3000)
    theta = math.atan2(y, x) - 0.000003 * math.cos(math.radians(x) * 3000)
    return r * math.cos(theta), r * math.sin(theta)


def _invert(forward, target: tuple[float, float], start: tuple[float, float]) -> tuple[float, float]:
    """Solve ``forward(p) == target`` by fixed-point iteration from ``start`` (converges in a few steps:
    both perturbations have derivatives far below 1)."""
    lon, lat = start
    for _ in range(_MAX_ITER):
        flon, flat = forward(lon, lat)
        dlon, dlat = flon - target[0], flat - target[1]
        lon, lat = lon - dlon, lat - dlat
        if abs(dlon) < EPS and abs(dlat) < EPS:
            break
    return lon, lat


def bd09_to_gcj02(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → GCJ-02, exact to :data:`EPS` (iterating on :func:`gcj02_to_bd09`)."""
    return _invert(gcj02_to_bd09, (lon, lat), _bd_gcj_approx(lon, lat))


def gcj02_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """GCJ-02 → WGS-84, exact to :data:`EPS`; unchanged outside China."""
    if not in_china(lon, lat):
        return lon, lat
    glon, glat = _wgs_gcj(lon, lat)
    return _invert(_wgs_gcj, (lon, lat), (2 * lon - glon, 2 * lat - glat))


def bd09_to_wgs84(lon: float, lat: float) -> tuple[float, float]:
    """BD-09 → WGS-84 (via GCJ-02); a point whose GCJ-02 lies outside China is only un-Baidu'd."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


def wgs84_to_bd09(lon: float, lat: float) -> tuple[float, float]:
    """WGS-84 → BD-09 (via GCJ-02)."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def to_wgs84(lon: float, lat: float, crs: str | CRS) -> tuple[float, float]:
    """A position reported in ``crs`` as WGS-84. Raises ``ValueError`` for an unknown ``crs`` or a position
    outside lon −180..180 / lat −90..90."""
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0) or math.isnan(lon) or math.isnan(lat):
        raise ValueError(f"position ({lon}, {lat}) is not a longitude/latitude pair in degrees")
    try:
        crs = CRS(str(crs).lower().replace("-", "").replace("_", ""))
    except ValueError:
        raise ValueError(f"unknown coordinate system {crs!r}; use one of {', '.join(c.value for c in CRS)}") from None
    if crs is CRS.GCJ02:
        return gcj02_to_wgs84(lon, lat)
    if crs is CRS.BD09:
        return bd09_to_wgs84(lon, lat)
    return lon, lat


def distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle (haversine) distance in metres on a sphere of radius 6,371,008.8 m (IUGG mean radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(h)))
