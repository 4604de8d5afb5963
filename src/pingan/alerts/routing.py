"""Jurisdiction polygons and point-in-polygon routing. Pure (no Django); geometry by shapely (GEOS).

A :class:`JurisdictionIndex` holds named polygons (the key is an organisation unit's code, or whatever the
caller maps to one) and answers :meth:`~JurisdictionIndex.locate`: the keys whose polygon contains a WGS-84
point, through an STR-tree of prepared geometries (a few microseconds per point for a city's districts).

Loaders:

* :func:`from_geojson` — a FeatureCollection (RFC 7946) of Polygon/MultiPolygon features; the key comes from
  a property (``adcode`` for the Aliyun DataV boundary files, or any other) — a UTF-8 BOM is tolerated.
* :func:`from_kml` — KML 2.2 Placemarks with Polygon or MultiGeometry (``<name>`` is the key), as the City of
  Chicago publishes its police districts.

A point on a shared border belongs to every polygon that ``covers`` it; the caller breaks the tie (deepest
unit, then smallest area — :meth:`locate` returns keys ordered by area, smallest first).
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from shapely import MultiPolygon, Point, Polygon, STRtree, prepared
from shapely.geometry import shape
from shapely.validation import make_valid

_KML = "{http://www.opengis.net/kml/2.2}"


class BoundaryError(ValueError):
    """A boundary file cannot be read; the message names the file and the feature."""


@dataclass(frozen=True)
class Jurisdiction:
    key: str
    name: str
    geometry: Polygon | MultiPolygon


class JurisdictionIndex:
    """Point-in-polygon over a set of jurisdictions."""

    def __init__(self, items: Iterable[Jurisdiction]) -> None:
        self.items = list(items)
        self._tree = STRtree([j.geometry for j in self.items])
        self._prepared = [prepared.prep(j.geometry) for j in self.items]

    def __len__(self) -> int:
        return len(self.items)

    def locate(self, lon: float, lat: float) -> list[str]:
        """Keys of the jurisdictions covering (lon, lat), smallest area first; [] when none does."""
        p = Point(lon, lat)
        hits = [i for i in self._tree.query(p) if self._prepared[i].covers(p)]
        hits.sort(key=lambda i: self.items[i].geometry.area)
        return [self.items[i].key for i in hits]

    def nearest(self, lon: float, lat: float) -> tuple[str, float] | None:
        """The jurisdiction nearest to a point outside all of them and its distance in degrees (diagnostics)."""
        if not self.items:
            return None
        p = Point(lon, lat)
        i = int(self._tree.nearest(p))
        return self.items[i].key, self.items[i].geometry.distance(p)


def _valid(geom, where: str):
    if geom.is_empty:
        raise BoundaryError(f"{where}: empty geometry")
    if not geom.is_valid:
        geom = make_valid(geom)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        polys = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
        if not polys:
            raise BoundaryError(f"{where}: not a polygon ({geom.geom_type})")
        geom = MultiPolygon([p for g in polys for p in (g.geoms if g.geom_type == "MultiPolygon" else [g])])
    return geom


def from_geojson(text_or_path: str | Path, *, key: str = "adcode", name: str = "name") -> list[Jurisdiction]:
    """Jurisdictions from a GeoJSON FeatureCollection; ``key``/``name`` are property names."""
    where = str(text_or_path)
    if isinstance(text_or_path, Path) or (
        isinstance(text_or_path, str) and not text_or_path.lstrip("\ufeff ").startswith("{")
    ):
        try:
            text = Path(text_or_path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise BoundaryError(f"{where}: cannot read it ({exc.strerror})") from None
    else:
        text, where = str(text_or_path).lstrip("\ufeff"), "<geojson>"
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise BoundaryError(f"{where}: not JSON ({exc})") from None
    if doc.get("type") != "FeatureCollection":
        raise BoundaryError(f"{where}: expected a GeoJSON FeatureCollection")
    out = []
    for i, f in enumerate(doc.get("features", [])):
        props = f.get("properties") or {}
        if key not in props:
            raise BoundaryError(f"{where}: feature {i + 1} has no property {key!r}")
        try:
            geom = shape(f["geometry"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise BoundaryError(f"{where}: feature {i + 1} ({props.get(key)}): bad geometry ({exc})") from None
        out.append(
            Jurisdiction(
                str(props[key]), str(props.get(name, props[key])), _valid(geom, f"{where}: feature {props[key]}")
            )
        )
    return out


def _ring(text: str, where: str) -> list[tuple[float, float]]:
    pts = []
    for tup in text.split():
        parts = tup.split(",")
        try:
            pts.append((float(parts[0]), float(parts[1])))
        except (IndexError, ValueError):
            raise BoundaryError(f"{where}: bad coordinate {tup!r}") from None
    return pts


def from_kml(path: str | Path) -> list[Jurisdiction]:
    """Jurisdictions from the Placemarks of a KML file (``<name>`` as key, ``<description>`` as name)."""
    where = str(path)
    try:
        if str(path).endswith(".gz"):
            import gzip

            with gzip.open(path) as fh:
                root = ET.parse(fh).getroot()  # noqa: S314 - operator-supplied boundary file
        else:
            root = ET.parse(path).getroot()  # noqa: S314
    except (OSError, ET.ParseError) as exc:
        raise BoundaryError(f"{where}: cannot read it as KML ({exc})") from None
    out = []
    for pm in root.iter(_KML + "Placemark"):
        key = (pm.findtext(_KML + "name") or "").strip()
        polys = []
        for poly in pm.iter(_KML + "Polygon"):
            outer = poly.find(f"{_KML}outerBoundaryIs/{_KML}LinearRing/{_KML}coordinates")
            if outer is None or not outer.text:
                continue
            holes = [
                _ring(h.text, f"{where}: {key}")
                for h in poly.findall(f"{_KML}innerBoundaryIs/{_KML}LinearRing/{_KML}coordinates")
                if h.text
            ]
            polys.append(Polygon(_ring(outer.text, f"{where}: {key}"), holes))
        if not key or not polys:
            raise BoundaryError(f"{where}: a Placemark without a name or a polygon ({key!r})")
        geom = polys[0] if len(polys) == 1 else MultiPolygon(polys)
        out.append(
            Jurisdiction(key, (pm.findtext(_KML + "description") or key).strip(), _valid(geom, f"{where}: {key}"))
        )
    if not out:
        raise BoundaryError(f"{where}: no Placemark polygons found")
    return out


def load(path: str | Path, *, key: str = "adcode", name: str = "name") -> list[Jurisdiction]:
    """GeoJSON (``.json``/``.geojson``) or KML (``.kml``) by the file's extension."""
    p = Path(path)
    if p.name.lower().endswith((".kml", ".kml.gz")):
        return from_kml(p)
    if p.suffix.lower() in (".json", ".geojson"):
        return from_geojson(p, key=key, name=name)
    raise BoundaryError(f"{p}: use a .geojson/.json or .kml boundary file")
