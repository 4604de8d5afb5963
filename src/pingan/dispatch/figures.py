"""Response figures and reference targets (no Django): percentiles of response intervals and the cited
targets they are drawn against (``data/response_targets.toml``), and the drone flight checks (no-fly
zones, range of the remaining battery)."""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from shapely.geometry import Point, shape
from shapely.prepared import prep

from pingan.lib.coords import distance_m


def percentile(values: Sequence[float], p: float) -> float | None:
    """The ``p``-th percentile (0-100) by linear interpolation between closest ranks (NumPy's default,
    'linear'); ``None`` for no values."""
    if not values:
        return None
    xs = sorted(values)
    if len(xs) == 1:
        return float(xs[0])
    k = (len(xs) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return float(xs[lo] + (xs[hi] - xs[lo]) * (k - lo))


@dataclass(frozen=True)
class Target:
    id: str
    metric: str  # acknowledge | dispatch | arrive
    percentile: int
    seconds: float
    source: str
    url: str
    standard: str = ""  # the document's name (NENA-STA-020.1-2020); empty for a local target


@dataclass(frozen=True)
class Targets:
    id: str
    version: str
    targets: tuple[Target, ...]
    acknowledge_by_priority: dict[str, float]

    def for_metric(self, metric: str) -> list[Target]:
        return [t for t in self.targets if t.metric == metric]


@cache
def targets() -> Targets:
    """The bundled response targets."""
    text = resources.files("pingan.dispatch").joinpath("data/response_targets.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    ts = tuple(
        Target(t["id"], t["metric"], int(t["percentile"]), float(t["seconds"]), t["source"], t["url"],
               t.get("standard", ""))
        for t in data["target"]
    )
    return Targets(data["id"], data["version"], ts, {k: float(v) for k, v in data["acknowledge_by_priority"].items()})


# ----------------------------------------------------------------------------------------------- drones

#: Battery kept in reserve for landing and contingencies (the flight plan may use only the rest): 20 %.
#: A stated policy of the demo squadron, not a regulation.
BATTERY_RESERVE_PCT = 20.0


@dataclass(frozen=True)
class NoFlyZone:
    id: str
    name: str
    geometry: object
    name_zh: str = ""  # the name a Chinese page shows (``name`` is English)


@cache
def no_fly_zones(text: str | None = None) -> tuple[NoFlyZone, ...]:
    """No-fly zones from a GeoJSON FeatureCollection (WGS-84); default: the bundled demo zones."""
    if text is None:
        text = resources.files("pingan.dispatch").joinpath("data/no_fly_zones.geojson").read_text(encoding="utf-8")
    data = json.loads(text)
    return tuple(
        NoFlyZone(str(f["properties"]["id"]), str(f["properties"].get("name", "")), prep(shape(f["geometry"])),
                  str(f["properties"].get("name_zh", "")))
        for f in data["features"]
    )


def no_fly_zone_at(lon: float, lat: float, zones: Sequence[NoFlyZone]) -> NoFlyZone | None:
    """The zone containing the point (boundary included), or ``None``."""
    p = Point(lon, lat)
    for z in zones:
        if z.geometry.intersects(p):
            return z
    return None


@dataclass(frozen=True)
class FlightPlan:
    """A drone flight to a destination and back: distances (m), ETA (s), the battery it needs and the
    usable battery (% above the reserve), the range that usable battery allows (m)."""

    distance_m: float
    eta_s: float
    needed_pct: float
    usable_pct: float
    range_m: float

    @property
    def within_range(self) -> bool:
        return self.needed_pct <= self.usable_pct


def flight_plan(
    *,
    from_lon: float,
    from_lat: float,
    to_lon: float,
    to_lat: float,
    cruise_mps: float,
    max_flight_min: float,
    battery_pct: float,
    loiter_s: float = 300.0,
    reserve_pct: float = BATTERY_RESERVE_PCT,
) -> FlightPlan:
    """Straight-line flight out, ``loiter_s`` over the destination, and back, at ``cruise_mps``; battery use
    proportional to flight time (100 % = ``max_flight_min``). ETA is the outbound leg only."""
    d = distance_m(from_lon, from_lat, to_lon, to_lat)
    flight_s = 2 * d / cruise_mps + loiter_s
    needed = 100.0 * flight_s / (max_flight_min * 60)
    usable = max(0.0, battery_pct - reserve_pct)
    range_m = max(0.0, (usable / 100.0 * max_flight_min * 60 - loiter_s) * cruise_mps / 2)
    return FlightPlan(d, d / cruise_mps, needed, usable, range_m)
