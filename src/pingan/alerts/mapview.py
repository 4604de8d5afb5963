"""The terminal's and the alert page's small map, drawn by the server as SVG from bundled data — no tile
server, no map library, nothing fetched at run time.

What it shows (a fresh-user trial found a bare polygon): the loaded jurisdiction boundaries (stations,
districts; ``alerts.Jurisdiction``) with their names, the viewer's own unit's area highlighted and its
neighbours around it; the devices as small squares; marks (an alert's position); a scale bar and a north
arrow. Equirectangular projection scaled by cos(latitude) (sub-pixel error at a city's extent); the page's
script places live alert dots with the same projection (``min_lon``, ``max_lat``, ``kx`` and ``scale`` are
handed to it)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from shapely.geometry import box, shape

PAD = 4
#: Scale-bar lengths to choose from (metres): the longest that fits a quarter of the width.
_NICE = (50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000, 100_000)


@dataclass(frozen=True)
class Area:
    name: str
    d: str
    own: bool
    label_x: float | None
    label_y: float | None


@dataclass(frozen=True)
class Mark:
    name: str
    x: float
    y: float
    kind: str  # "device" | a priority ("P1"…) for an alert


@dataclass(frozen=True)
class MapView:
    width: int
    height: int
    areas: tuple[Area, ...]
    devices: tuple[Mark, ...]
    marks: tuple[Mark, ...]
    min_lon: float
    max_lat: float
    kx: float
    scale: float
    scale_m: int  # the scale bar's length in metres
    scale_px: float  # … and in map units

    @property
    def paths(self) -> tuple[tuple[str, str], ...]:
        return tuple((a.name, a.d) for a in self.areas)

    @property
    def scale_km(self) -> str:
        """The scale bar's length in km ("2", "0.5")."""
        return f"{self.scale_m / 1000:g}"

    @property
    def north_x(self) -> float:
        return self.width - 14

    @property
    def scale_y(self) -> float:
        return self.height - 8


#: The names' font size (map units: the CSS's .area-name 10px at 1:1) and the widths of its characters:
#: a CJK character is one em, a Latin one about 0.62 em at most on average (bold, capitals), a space 0.3.
LABEL_EM = 10


def label_width(name: str) -> float:
    """An upper estimate of ``name``'s width on the map (map units), to keep it inside the frame."""
    return sum(LABEL_EM * (1.0 if ord(c) >= 0x2E80 else 0.3 if c == " " else 0.62) for c in name)


def _inside_frame(name: str, x: float, y: float, width: int, height: int) -> tuple[float, float]:
    """The centre of a name moved so that the whole name lies inside the frame (a name centred on a point near
    the edge was cut: the English map read "…g District Branch")."""
    half = label_width(name) / 2
    lo, hi = PAD + half, width - PAD - half
    x = width / 2 if lo > hi else min(max(x, lo), hi)
    y = min(max(y, PAD + LABEL_EM), height - PAD)
    return round(x, 1), round(y, 1)


def _box(name: str, x: float, y: float) -> tuple[float, float, float, float]:
    """The box a name drawn at (``x``, ``y``) covers (centred, baseline at ``y``), with a little air around it."""
    half = label_width(name) / 2 + 2
    return x - half, y - LABEL_EM - 1, x + half, y + 3


def _apart(areas: list[Area], width: int, height: int) -> list[Area]:
    """The areas with names that do not overlap (issue 11: neighbouring names ran into each other on a phone,
    where the map is drawn at about 1:1). The own area's name first, then the others in turn; a name that
    overlaps one already placed moves a line up or down, and when neither fits it is left off (the area keeps
    its name as a tooltip, ``<title>``)."""
    placed: list[tuple[float, float, float, float]] = []
    order = sorted(range(len(areas)), key=lambda i: not areas[i].own)
    result = list(areas)
    step = LABEL_EM * 1.3
    for i in order:
        a = areas[i]
        if a.label_x is None:
            continue
        for dy in (0, -step, step, -2 * step, 2 * step):
            y = a.label_y + dy
            if not PAD + LABEL_EM <= y <= height - PAD:
                continue
            b = _box(a.name, a.label_x, y)
            if all(b[2] <= p[0] or b[0] >= p[2] or b[3] <= p[1] or b[1] >= p[3] for p in placed):
                placed.append(b)
                result[i] = Area(a.name, a.d, a.own, a.label_x, round(y, 1))
                break
        else:
            result[i] = Area(a.name, a.d, a.own, None, None)
    return result


def build(
    areas: list[tuple[str, dict, bool]] | list[tuple[str, dict]],
    *,
    devices: list[tuple[str, float, float]] = (),
    marks: list[tuple[str, float, float, str]] = (),
    width: int = 340,
    max_height: int | None = None,
) -> MapView | None:
    """``areas``: (name, GeoJSON geometry in WGS-84, is the viewer's own) triples; the view frames the own
    areas (all of them when none is own) and the ``marks``; ``devices``: (name, lon, lat); ``marks``: (name,
    lon, lat, kind); ``max_height`` (map units) shrinks the scale of a tall area. ``None`` when there is
    nothing to draw."""
    shapes = [(a[0], shape(a[1]), bool(a[2]) if len(a) > 2 else False) for a in areas]
    if not shapes and not marks:
        return None
    focus = [s for _, s, own in shapes if own] or [s for _, s, _ in shapes]
    xs = [b for s in focus for b in (s.bounds[0], s.bounds[2])] + [m[1] for m in marks]
    ys = [b for s in focus for b in (s.bounds[1], s.bounds[3])] + [m[2] for m in marks]
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    # a little room around the frame (and a few hundred metres around a lone point)
    padx = max((maxx - minx) * 0.06, 0.004)
    pady = max((maxy - miny) * 0.06, 0.004)
    minx, maxx, miny, maxy = minx - padx, maxx + padx, miny - pady, maxy + pady
    kx = math.cos(math.radians((miny + maxy) / 2))
    scale = (width - 2 * PAD) / ((maxx - minx) * kx)
    if max_height:
        scale = min(scale, (max_height - 2 * PAD) / (maxy - miny))
    height = int((maxy - miny) * scale) + 2 * PAD
    # centre the frame horizontally when the height limited the scale
    minx -= ((width - 2 * PAD) / scale / kx - (maxx - minx)) / 2

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round(PAD + (lon - minx) * kx * scale, 1), round(PAD + (maxy - lat) * scale, 1)

    view = box(minx, miny, minx + (width - 2 * PAD) / scale / kx, maxy)
    tolerance = 1.5 / scale  # one and a half map units: invisible at this size
    out: list[Area] = []
    for name, s, own in shapes:
        if not s.intersects(view):
            continue
        simple = s.simplify(tolerance)
        d = []
        for p in getattr(simple, "geoms", [simple]):
            if p.geom_type != "Polygon":
                continue
            for ring in (p.exterior, *p.interiors):
                pts = [xy(x, y) for x, y in ring.coords]
                if len(pts) >= 3:
                    d.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        inside = s.intersection(view)
        lx = ly = None
        if not inside.is_empty and inside.area * scale * scale * kx > 900:  # room for a name (≈30×30 units)
            pt = inside.representative_point()
            lx, ly = _inside_frame(name, *xy(pt.x, pt.y), width, height)
        out.append(Area(name, " ".join(d), own, lx, ly))
    out = _apart(out, width, height)
    out.sort(key=lambda a: a.own)  # the own area last: drawn on top
    devs = tuple(Mark(n, *xy(lon, lat), "device") for n, lon, lat in devices
                 if lon is not None and view.contains(box(lon, lat, lon, lat).centroid))
    mks = tuple(Mark(n, *xy(lon, lat), kind) for n, lon, lat, kind in marks if lon is not None)
    metres_per_unit = 111_320 / scale
    quarter = (width - 2 * PAD) / 4 * metres_per_unit
    scale_m = max([n for n in _NICE if n <= quarter] or [_NICE[0]])
    return MapView(width, height, tuple(out), devs, mks, minx, maxy, kx, scale, scale_m,
                   round(scale_m / metres_per_unit, 1))
