"""Nearest available suitable units: the travel estimate and the ranking (no Django).

Estimate (``data/travel.toml``, versioned): great-circle distance (haversine on the WGS-84 mean radius,
``pingan.lib.coords.distance_m``) × a road factor per unit kind (1.4: the mean detour index of road
networks, Boscoe et al. 2012), divided by the kind's average urban speed; drones fly straight at their cruise
speed. It is an estimate, not a route: a unit across water or behind a one-way system is ranked as if the
roads were average. Units beyond their kind's ``max_distance_km`` are not proposed.

Where a unit is (``Candidate.position``): ``avl`` — a fix no older than ``max_position_age_s``, taken as exact;
``last_known`` — an older fix, up to ``last_known_max_age_s``; ``base`` — no usable fix, the unit's registered
base (its station). The last two are uncertain by the kind's ``patrol_radius_km`` (the unit may be anywhere
that far from the point), so their ETA is a range (``eta_min_s``–``eta_max_s``). Candidates are ranked by
``eta_max_s`` — when the unit would surely arrive — then the point estimate and the call sign: the practice of
CAD unit recommendation (AVL where there is one, else the unit's last known location or home station), with
the doubt stated instead of hidden.
"""

from __future__ import annotations

import datetime as dt
import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from pingan.lib.coords import distance_m


@dataclass(frozen=True)
class KindTravel:
    road_factor: float
    speed_mps: float
    max_distance_m: float
    patrol_radius_m: float = 0.0


@dataclass(frozen=True)
class TravelModel:
    id: str
    version: str
    max_position_age: dt.timedelta
    kinds: dict[str, KindTravel]
    suitable: dict[str, tuple[str, ...]]
    last_known_max_age: dt.timedelta = dt.timedelta(0)

    def kinds_for(self, rule_id: str) -> tuple[str, ...]:
        """Unit kinds suitable for an alert of ``rule_id`` (the longest matching prefix, else ``default``)."""
        best = ""
        for prefix in self.suitable:
            if prefix != "default" and rule_id.startswith(prefix) and len(prefix) > len(best):
                best = prefix
        return self.suitable[best or "default"]


def parse_travel(data: dict, *, path: str = "<travel>") -> TravelModel:
    """Raises ``ValueError`` naming ``path`` and the field when the file is malformed."""
    try:
        kinds = {
            k: KindTravel(float(v["road_factor"]), float(v["speed_kmh"]) / 3.6, float(v["max_distance_km"]) * 1000,
                          float(v.get("patrol_radius_km", 0)) * 1000)
            for k, v in data["kinds"].items()
        }
        suitable = {k: tuple(v) for k, v in data["suitable"].items()}
        model = TravelModel(
            str(data["id"]),
            str(data["version"]),
            dt.timedelta(seconds=int(data["max_position_age_s"])),
            kinds,
            suitable,
            dt.timedelta(seconds=int(data.get("last_known_max_age_s", data["max_position_age_s"]))),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed travel model ({exc!r})") from None
    for k, t in kinds.items():
        if not (1.0 <= t.road_factor <= 3.0 and t.speed_mps > 0 and t.max_distance_m > 0 and t.patrol_radius_m >= 0):
            raise ValueError(f"{path}: kinds.{k}: road_factor 1-3, positive speed and distance, patrol radius ≥ 0")
    if model.last_known_max_age < model.max_position_age:
        raise ValueError(f"{path}: last_known_max_age_s must be at least max_position_age_s")
    if "default" not in suitable or any(k not in kinds for v in suitable.values() for k in v):
        raise ValueError(f"{path}: suitable needs a default and only known kinds")
    return model


@cache
def travel_model(path: str | None = None) -> TravelModel:
    """The travel model at ``path``, or the bundled default."""
    if path:
        return parse_travel(tomllib.loads(Path(path).read_text(encoding="utf-8")), path=path)
    text = resources.files("pingan.dispatch").joinpath("data/travel.toml").read_text(encoding="utf-8")
    return parse_travel(tomllib.loads(text), path="data/travel.toml")


@dataclass(frozen=True)
class Candidate:
    """A unit that could go: its id, code, kind, straight-line distance (m), estimated road distance (m) and
    travel time (s) from where it is taken to be; ``position`` (``avl`` | ``last_known`` | ``base``), the
    fix's age in seconds (``None`` for a base), the radius it may be off by (m) and the ETA's range (s)."""

    unit_id: int
    code: str
    kind: str
    straight_m: float
    road_m: float
    eta_s: float
    position: str = "avl"
    position_age_s: float | None = None
    uncertainty_m: float = 0.0
    eta_min_s: float | None = None
    eta_max_s: float | None = None

    def sort_key(self) -> tuple:
        return (self.eta_max_s if self.eta_max_s is not None else self.eta_s, self.eta_s, self.code)


def estimate(model: TravelModel, kind: str, straight_m: float, speed_mps: float | None = None) -> tuple[float, float]:
    """``(road distance m, travel time s)`` for a unit of ``kind`` ``straight_m`` metres away in a straight
    line; ``speed_mps`` overrides the kind's speed (a drone's cruise speed)."""
    t = model.kinds[kind]
    road = straight_m * t.road_factor
    return road, road / (speed_mps or t.speed_mps)


def rank(
    model: TravelModel,
    *,
    lon: float,
    lat: float,
    units: list[tuple[int, str, str, float, float, float | None]],
    kinds: tuple[str, ...],
    limit: int = 5,
) -> list[Candidate]:
    """Rank ``units`` — ``(id, code, kind, lon, lat, speed_mps or None)``, already filtered to available
    units with a fresh position — by estimated travel time to ``(lon, lat)``; only ``kinds``, only within
    each kind's maximum distance; ties broken by code. At most ``limit``."""
    out = []
    allowed = set(kinds)
    # A cheap bound first (1° of latitude ≥ 110.5 km): most of a city's units are rejected without a haversine.
    coslat = max(math.cos(math.radians(lat)), 0.01)
    for uid, code, kind, ulon, ulat, speed in units:
        if kind not in allowed:
            continue
        t = model.kinds[kind]
        if abs(ulat - lat) * 110_500 > t.max_distance_m or abs(ulon - lon) * 110_500 * coslat > t.max_distance_m * 1.01:
            continue
        d = distance_m(ulon, ulat, lon, lat)
        if d > t.max_distance_m:
            continue
        road, eta = estimate(model, kind, d, speed)
        out.append(Candidate(uid, code, kind, d, road, eta, eta_min_s=eta, eta_max_s=eta))
    out.sort(key=Candidate.sort_key)
    return out[:limit]


def rank_uncertain(
    model: TravelModel,
    *,
    lon: float,
    lat: float,
    units: list[tuple[int, str, str, float, float, str, float | None]],
    kinds: tuple[str, ...],
    limit: int = 5,
) -> list[Candidate]:
    """Rank units without a fresh fix — ``(id, code, kind, lon, lat, position, age_s or None)`` with
    ``position`` ``last_known`` or ``base`` — by the later end of their ETA range: the unit may be up to its
    kind's patrol radius from the point, so the straight line is ``d ± r`` (never below 0). Kinds without a
    patrol radius (drones) are left out; so is a unit whose nearest possible point is beyond its kind's reach."""
    out = []
    allowed = set(kinds)
    for uid, code, kind, ulon, ulat, where, age in units:
        t = model.kinds.get(kind)
        if kind not in allowed or t is None or t.patrol_radius_m <= 0:
            continue
        d = distance_m(ulon, ulat, lon, lat)
        r = t.patrol_radius_m
        if d - r > t.max_distance_m:
            continue
        road, eta = estimate(model, kind, d)
        out.append(Candidate(uid, code, kind, d, road, eta, where, age, r,
                             estimate(model, kind, max(0.0, d - r))[1], estimate(model, kind, d + r)[1]))
    out.sort(key=Candidate.sort_key)
    return out[:limit]


def merge(*lists: list[Candidate], limit: int = 5) -> list[Candidate]:
    """The best ``limit`` of several ranked lists, in the same order as :func:`rank`."""
    return sorted((c for lst in lists for c in lst), key=Candidate.sort_key)[:limit]
