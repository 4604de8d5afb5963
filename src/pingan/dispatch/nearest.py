"""Nearest available suitable units: the travel estimate and the ranking (no Django).

Estimate (``data/travel.toml``, versioned): great-circle distance (haversine on the WGS-84 mean radius,
``pingan.lib.coords.distance_m``) × a road factor per unit kind (1.4: the mean detour index of road
networks, Boscoe et al. 2012), divided by the kind's average urban speed; drones fly straight at their cruise
speed. It is an estimate, not a route: a unit across water or behind a one-way system is ranked as if the
roads were average. Units whose last position is older than ``max_position_age_s`` are not proposed, nor
units beyond their kind's ``max_distance_km``.
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


@dataclass(frozen=True)
class TravelModel:
    id: str
    version: str
    max_position_age: dt.timedelta
    kinds: dict[str, KindTravel]
    suitable: dict[str, tuple[str, ...]]

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
            k: KindTravel(float(v["road_factor"]), float(v["speed_kmh"]) / 3.6, float(v["max_distance_km"]) * 1000)
            for k, v in data["kinds"].items()
        }
        suitable = {k: tuple(v) for k, v in data["suitable"].items()}
        model = TravelModel(
            str(data["id"]),
            str(data["version"]),
            dt.timedelta(seconds=int(data["max_position_age_s"])),
            kinds,
            suitable,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: malformed travel model ({exc!r})") from None
    for k, t in kinds.items():
        if not (1.0 <= t.road_factor <= 3.0 and t.speed_mps > 0 and t.max_distance_m > 0):
            raise ValueError(f"{path}: kinds.{k}: road_factor 1-3, positive speed and distance")
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
    travel time (s)."""

    unit_id: int
    code: str
    kind: str
    straight_m: float
    road_m: float
    eta_s: float


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
        out.append(Candidate(uid, code, kind, d, road, eta))
    out.sort(key=lambda c: (c.eta_s, c.code))
    return out[:limit]
