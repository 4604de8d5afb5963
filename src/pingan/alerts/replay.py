"""``pingan alerts replay``: real public records through the same ingest, at a chosen rate.

* St. Louis ShotSpotter detections 2013–2015 → ``gunshot`` events (``Gunshot_or_firework`` with confidence
  0.5) from one replay sensor array at the city centre; dates only, so replayed at ``rate`` events/s.
* Chicago aggravated assaults 2010–2019 → ``incident`` events from one replay feed; routed by the real CPD
  district polygons (KML), loaded as a replay organisation (root ``CPD``, one station per district
  ``CPD-<n>``). :func:`chicago_agreement` compares the polygon routing with each record's own district.

Replay devices need GB/T 28181 IDs; as the records are American, they get IDs under a Xiamen centre code with
type 134 (alarm input) and serials 9xxxxx, named "(replay)". Data: ``pingan/data/replay/SOURCE.md``.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from zoneinfo import ZoneInfo

from pingan.alerts import routing

DATA = resources.files("pingan.data").joinpath("replay")
STL_DEVICE = "35020000001349900001"
CHI_DEVICE = "35020000001349900002"
CHICAGO_TZ = ZoneInfo("America/Chicago")
STL_TZ = ZoneInfo("America/Chicago")
_ISO = "%Y-%m-%dT%H:%M:%S%z"


def stlouis_payloads() -> Iterator[dict]:
    """The St. Louis rows as event payloads (row order; event ids ``stl-<row>``)."""
    with gzip.open(DATA.joinpath("st_louis_shotspotter.csv.gz").open("rb"), "rt", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            kind = r["Type"].strip().lower()
            try:
                day = dt.datetime.strptime(r["Date"].strip(), "%m/%d/%Y").replace(hour=12, tzinfo=STL_TZ)
                lat, lon = float(r["Latitude"]), float(r["Longitude"])
            except ValueError:
                yield {
                    "event_id": f"stl-{i}",
                    "device_id": STL_DEVICE,
                    "type": "gunshot",
                    "time": r["Date"],
                    "attributes": {"row": i},
                }
                continue
            yield {
                "event_id": f"stl-{i}",
                "device_id": STL_DEVICE,
                "type": "gunshot",
                "time": day.strftime(_ISO),
                "position": {"lon": lon, "lat": lat, "crs": "wgs84"},
                # the detection's own kind (Multiple_Gunshots, Single_Gunshot, Gunshot_or_firework, …) labels it
                "attributes": {"confidence": 0.5 if "firework" in kind else 1.0, "label": r["Type"], "row": i,
                               "category": kind},
            }


@dataclass(frozen=True)
class ChicagoRecord:
    row: int
    time: dt.datetime
    lon: float
    lat: float
    district: str
    loc_cat: str


def chicago_records() -> Iterator[ChicagoRecord]:
    with gzip.open(DATA.joinpath("chicago_aggravated_assaults.csv.gz").open("rb"), "rt", encoding="utf-8") as fh:
        for i, r in enumerate(csv.DictReader(fh), start=2):
            t = dt.datetime.strptime(r["date"], "%Y-%m-%d %H:%M").replace(tzinfo=CHICAGO_TZ)
            yield ChicagoRecord(i, t, float(r["longitude"]), float(r["latitude"]), r["district"].strip(), r["loc_cat"])


def chicago_payload(rec: ChicagoRecord) -> dict:
    return {
        "event_id": f"chi-{rec.row}",
        "device_id": CHI_DEVICE,
        "type": "incident",
        "time": rec.time.strftime(_ISO),
        "position": {"lon": rec.lon, "lat": rec.lat, "crs": "wgs84"},
        "attributes": {"category": "aggravated_assault", "location": rec.loc_cat, "district": rec.district},
    }


def chicago_districts() -> list[routing.Jurisdiction]:
    with DATA.joinpath("chicago_police_districts.kml.gz").open("rb") as fh:
        raw = gzip.decompress(fh.read())
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "districts.kml"
        p.write_bytes(raw)
        return routing.from_kml(p)


@dataclass
class Agreement:
    """Polygon routing vs. the record's own district field."""

    total: int = 0
    agree: int = 0
    outside: int = 0  # in no polygon
    border: int = 0  # disagreements within 100 m of the record district's polygon
    pairs: Counter = field(default_factory=Counter)  # (record district, routed) → n, disagreements only
    by_year: Counter = field(default_factory=Counter)
    disagree_by_year: Counter = field(default_factory=Counter)
    examples: list = field(default_factory=list)

    @property
    def rate(self) -> float:
        return self.agree / self.total if self.total else 0.0


def chicago_agreement(records: Iterator[ChicagoRecord] | None = None) -> Agreement:
    """Route every record by the district polygons (pure, the same index the worker uses) and compare."""
    from shapely import Point

    districts = chicago_districts()
    index = routing.JurisdictionIndex(districts)
    geoms: dict[str, list] = {}
    for j in districts:
        geoms.setdefault(j.key, []).append(j.geometry)
    out = Agreement()
    for rec in records if records is not None else chicago_records():
        out.total += 1
        out.by_year[rec.time.year] += 1
        hits = index.locate(rec.lon, rec.lat)
        routed = hits[0] if hits else ""
        if routed == rec.district:
            out.agree += 1
            continue
        out.disagree_by_year[rec.time.year] += 1
        if not hits:
            out.outside += 1
        own = geoms.get(rec.district)
        if own is not None:
            # distance in degrees → metres (1° lat ≈ 111 km; Chicago's longitude degree ≈ 83 km; take the smaller)
            d = min(g.distance(Point(rec.lon, rec.lat)) for g in own) * 83_000
            if d <= 100:
                out.border += 1
        out.pairs[(rec.district, routed or "none")] += 1
        if len(out.examples) < 10:
            out.examples.append((rec.row, rec.time.isoformat(), rec.lon, rec.lat, rec.district, routed or "none"))
    return out


def paced(
    payloads: Iterator[dict],
    *,
    rate: float,
    send: Callable[[list[dict]], None],
    batch: int = 100,
    limit: int | None = None,
) -> int:
    """Send ``payloads`` in batches at about ``rate`` events/s (0: as fast as possible). Returns the count."""
    n, buf, start = 0, [], time.monotonic()
    for p in payloads:
        if limit is not None and n >= limit:
            break
        buf.append(p)
        n += 1
        if len(buf) >= batch:
            send(buf)
            buf = []
            if rate > 0:
                ahead = n / rate - (time.monotonic() - start)
                if ahead > 0:
                    time.sleep(ahead)
    if buf:
        send(buf)
    return n


def csv_text(rows: list[list]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()
