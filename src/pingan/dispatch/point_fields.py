"""A point or an area on a page as labelled fields (issue 11: people typed ``lon,lat`` and ``lon,lat; …``).

A point is two fields, latitude (degrees north, -90 to 90) and longitude (degrees east, -180 to 180), read in
the coordinate system chosen beside them; an area is a list of such rows, blank rows skipped. Each field that
is wrong gets its own message (``errors[field name]``) in the reader's language. The API keeps its machine
form (``[[lon, lat], …]``); the typed ``lon,lat; …`` list stays on the page under "for experts".
"""

from __future__ import annotations

from collections.abc import Mapping

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: The coordinate systems a page offers, each named by the maps and devices that use it (``lib.coords.CRS``).
CRS_CHOICES = (
    ("wgs84", gettext_lazy("WGS-84: GPS, BeiDou (CGCS2000), a phone's location")),
    ("gcj02", gettext_lazy("GCJ-02: Amap, Tencent maps, Apple maps in China")),
    ("bd09", gettext_lazy("BD-09: Baidu maps")),
)

#: Blank point rows the area form offers (a fixed set: the page works without script).
AREA_ROWS = 8


def _number(raw: str) -> float | None:
    raw = raw.strip().replace("，", ".").replace("°", "")
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def read_point(lat_raw: str, lon_raw: str, lat_field: str = "lat", lon_field: str = "lon"
               ) -> tuple[tuple[float, float] | None, dict[str, str]]:
    """``((lon, lat), {})`` or ``(None, {field: message})`` from the two fields as typed."""
    errors: dict[str, str] = {}
    lat, lon = _number(lat_raw), _number(lon_raw)
    if not lat_raw.strip():
        errors[lat_field] = _("Enter the latitude.")
    elif lat is None or not -90 <= lat <= 90:
        if lat is not None and _number(lon_raw) is not None and -90 <= _number(lon_raw) <= 90:
            errors[lat_field] = _("“%(value)s” is not a latitude (-90 to 90): latitude and longitude look "
                                  "swapped.") % {"value": lat_raw.strip()[:40]}
        else:
            errors[lat_field] = _("“%(value)s” is not a latitude: degrees north from -90 to 90, as a decimal "
                                  "number (e.g. 24.5010).") % {"value": lat_raw.strip()[:40]}
    if not lon_raw.strip():
        errors[lon_field] = _("Enter the longitude.")
    elif lon is None or not -180 <= lon <= 180:
        errors[lon_field] = _("“%(value)s” is not a longitude: degrees east from -180 to 180, as a decimal "
                              "number (e.g. 118.1290).") % {"value": lon_raw.strip()[:40]}
    if errors:
        return None, errors
    return (lon, lat), {}


def read_area_rows(data) -> tuple[list[tuple[float, float]], dict[str, str], list[dict[str, str]]]:
    """The area's point rows (``area_lat`` / ``area_lon``, repeated): ``(points, errors, rows as typed)``;
    a blank row is skipped, a half-filled one is an error on its blank field (``area_lat_3``: the 4th row)."""
    lats, lons = data.getlist("area_lat"), data.getlist("area_lon")
    points, errors, rows = [], {}, []
    for i in range(max(len(lats), len(lons))):
        lat_raw = lats[i] if i < len(lats) else ""
        lon_raw = lons[i] if i < len(lons) else ""
        rows.append({"lat": lat_raw, "lon": lon_raw})
        if not lat_raw.strip() and not lon_raw.strip():
            continue
        point, row_errors = read_point(lat_raw, lon_raw, f"area_lat_{i}", f"area_lon_{i}")
        errors.update(row_errors)
        if point is not None:
            points.append(point)
    return points, errors, rows


def blank_rows(rows: list[Mapping[str, str]] | None) -> list[dict[str, str]]:
    """The rows to show: those typed, then blank ones up to :data:`AREA_ROWS` (at least one blank)."""
    rows = [dict(r) for r in rows or []]
    return rows + [{"lat": "", "lon": ""}] * max(AREA_ROWS - len(rows), 1)
