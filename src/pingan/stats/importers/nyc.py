"""New York City importers: NYPD shootings, homicides, and motor-vehicle collisions (NYC Open Data).

Counting rules (NYPD open-data documentation; mapping in ``data/mappings/nyc.toml``):

* shootings: a row is a shooting *victim*; rows with the same ``incident_key`` are one shooting incident
  (the CompStat row "Shooting Inc." counts incidents). ``victims`` = rows, ``killed`` = victims whose
  statistical-murder flag is true, ``injured`` = the others (they were shot). An incident with a murdered
  victim is a murder by shooting (``homicide.murder.shooting``), any other a non-fatal shooting
  (``assault.aggravated.shooting``). Only the date is published: the occurrence is that whole day;
* homicides: a row is a homicide victim with its time in UTC (counted on its New York date); the file has
  no incident key, so each victim is an incident — multi-victim homicides are counted once per victim, as
  murder counts are (UCR: one offence per victim of a crime against the person);
* collisions: a row is a crash (``COLLISION_ID``), an all-reported road traffic accident with its persons
  injured and killed. ``BOROUGH`` is empty in many rows: the crash is placed by its coordinates in the
  bundled borough boundaries, and one with neither stays with the city (the NYPD keeps crimes it cannot
  geocode in its totals).

The borough is the unit; homicides and shootings are placed by their borough column or coordinates alike.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pingan.stats import blocks, geo
from pingan.stats.importers import (
    ImportRead,
    IncidentRecord,
    RowIssue,
    Source,
    UnitRef,
    aware,
    bundled,
    mapping,
    note,
    open_source,
    org_root,
    row_issue,
    to_float,
)

ORG = "US-NYC"


def SHOOTINGS_FILE() -> Path:
    return bundled("nyc_shootings", "nyc_shootings.csv.gz")


def HOMICIDES_FILE() -> Path:
    return bundled("nyc_shootings", "nyc_homicides.csv.gz")


def COLLISIONS_FILE() -> Path:
    return bundled("nyc_collisions_2023_01", "nyc_crashes_202301.csv.gz")


def borough_unit(suffix: str) -> UnitRef:
    name = mapping("nyc")["borough_name"][suffix]
    return UnitRef(f"{ORG}-{suffix}", f"纽约{_ZH[suffix]}区", "branch", ORG, name_en=name)


_ZH = {"BX": "布朗克斯", "BK": "布鲁克林", "MN": "曼哈顿", "QN": "皇后", "SI": "史泰登岛"}


@cache
def _areas() -> list[geo.Area]:
    return geo.load_areas(bundled("nyc_collisions_2023_01", "nyc_boroughs.geojson.gz"), "boro_name")


def _float(text: str | None) -> float | None:
    return to_float(text, zero_is_none=True)


class _Placer:
    """Borough of a row: its borough column, else its point in the borough polygons, else the city."""

    def __init__(self) -> None:
        m = mapping("nyc")
        self.by_column = m["borough"]
        self.by_name = {v.upper(): k for k, v in m["borough_name"].items()}
        self.units: dict[str, UnitRef] = {ORG: org_root(ORG)}
        self.pending: list[tuple[IncidentRecord, float, float]] = []

    def place(self, rec: IncidentRecord, borough: str) -> None:
        suffix = self.by_column.get(borough.strip().upper())
        if suffix:
            self._set(rec, suffix)
        elif rec.latitude is not None and rec.longitude is not None:
            self.pending.append((rec, rec.longitude, rec.latitude))
        else:
            rec.unit = ORG

    def _set(self, rec: IncidentRecord, suffix: str) -> None:
        unit = borough_unit(suffix)
        self.units.setdefault(unit.code, unit)
        rec.unit = unit.code

    def finish(self) -> int:
        """Place the rows waiting for their point; returns how many were placed by coordinates."""
        if not self.pending:
            return 0
        names = geo.locate(_areas(), [p[1] for p in self.pending], [p[2] for p in self.pending])
        placed = 0
        for (rec, _x, _y), name in zip(self.pending, names, strict=True):
            if name is None:
                rec.unit = ORG
            else:
                self._set(rec, self.by_name[name.upper()])
                placed += 1
        return placed


def read_shootings(path: str | Path | bytes | None = None) -> ImportRead:
    m = mapping("nyc")
    tz = m["timezone"]
    _header, rows, name = open_source(path, SHOOTINGS_FILE, ("incident_key", "boro", "occur_date", "murder"),
                                      "an NYPD shooting file")
    placer = _Placer()
    records: dict[str, IncidentRecord] = {}
    rejected: list[RowIssue] = []
    total = 0
    for n, r in rows:
        total += 1
        try:
            day = dt.date.fromisoformat(r["occur_date"][:10])
        except ValueError:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "occur_date",
                                      value=r["occur_date"]))
            continue
        key = r["incident_key"].strip()
        if not key:
            rejected.append(row_issue(n, "rejected", "no_incident_key", "row_empty", "incident_key"))
            continue
        murdered = r["murder"].strip().upper() in ("TRUE", "Y", "1")
        rec = records.get(key)
        if rec is not None:
            rec.rows = (*rec.rows, n)
            rec.victims = (rec.victims or 0) + 1
            rec.killed += murdered
            continue
        lat, lon = _float(r.get("latitude", "")), _float(r.get("longitude", ""))
        start = aware(dt.datetime.combine(day, dt.time()), tz)
        rec = IncidentRecord(
            source_ref=f"incident:{key}", unit=ORG, offence="", count_date=day, rows=(n,),
            offence_codes=("shooting",), source_category="shooting incident", occurred_from=start,
            occurred_to=start + dt.timedelta(days=1, microseconds=-1), place_type="",
            block=blocks.grid_block(lat, lon), latitude=lat, longitude=lon, victims=1, killed=int(murdered),
            currency=m["currency"], timezone=tz)
        records[key] = rec
        placer.place(rec, r["boro"])
    for rec in records.values():
        rec.injured = (rec.victims or 0) - rec.killed
        rec.offence = "homicide.murder.shooting" if rec.killed else "assault.aggravated.shooting"
    placed = placer.finish()
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    out = ImportRead("nyc-shootings", name, ORG, m["version"], placer.units, list(records.values()), [], rejected,
                     total, scope=("assault.aggravated.shooting", "homicide.murder.shooting"),
                     records_clearance=False)
    if placed:
        out.notes.append(note("placed_by_point", placed=placed))
    return out


def read_homicides(path: str | Path | bytes | None = None) -> ImportRead:
    m = mapping("nyc")
    tz = m["timezone"]
    _header, rows, name = open_source(path, HOMICIDES_FILE, ("uid", "offense_date", "longitude", "latitude"),
                                      "the NYC homicide file")
    placer = _Placer()
    records: list[IncidentRecord] = []
    rejected: list[RowIssue] = []
    seen: dict[str, int] = {}
    total = 0
    for n, r in rows:
        total += 1
        try:
            when = dt.datetime.fromisoformat(r["offense_date"].replace("Z", "+00:00"))
        except ValueError:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "offense_date",
                                      value=r["offense_date"]))
            continue
        if when.tzinfo is None:
            when = when.replace(tzinfo=dt.UTC)
        uid = r["uid"].strip()
        if uid in seen:
            rejected.append(row_issue(n, "rejected", "duplicate_uid", "row_duplicate", "uid", value=uid,
                                      first=seen[uid]))
            continue
        seen[uid] = n
        local = when.astimezone(ZoneInfo(tz))
        lat, lon = _float(r["latitude"]), _float(r["longitude"])
        rec = IncidentRecord(
            source_ref=f"victim:{uid}", unit=ORG, offence="homicide.murder", count_date=local.date(), rows=(n,),
            offence_codes=("homicide",), source_category="homicide (victim)", occurred_from=local,
            block=blocks.grid_block(lat, lon), latitude=lat, longitude=lon, victims=1, killed=1,
            currency=m["currency"], timezone=tz)
        records.append(rec)
        placer.place(rec, "")
    placed = placer.finish()
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    out = ImportRead("nyc-homicides", name, ORG, m["version"], placer.units, records, [], rejected, total,
                     scope=("homicide.murder",), records_clearance=False)
    out.notes.append(note("homicides_placed_by_point", placed=placed, total=len(records)))
    return out


def read_collisions(path: str | Path | bytes | None = None) -> ImportRead:
    m = mapping("nyc")
    tz = m["timezone"]
    _header, rows, name = open_source(
        path, COLLISIONS_FILE, ("CRASH DATE", "CRASH TIME", "BOROUGH", "LATITUDE", "LONGITUDE", "ON STREET NAME",
                                "CROSS STREET NAME", "OFF STREET NAME", "NUMBER OF PERSONS INJURED",
                                "NUMBER OF PERSONS KILLED", "COLLISION_ID"), "an NYPD crash export")
    placer = _Placer()
    records: list[IncidentRecord] = []
    rejected: list[RowIssue] = []
    seen: dict[str, int] = {}
    total = 0
    for n, r in rows:
        total += 1
        try:
            when = dt.datetime.strptime(f"{r['CRASH DATE']} {r['CRASH TIME']}", "%m/%d/%Y %H:%M")
        except ValueError:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "CRASH DATE",
                                      value=f"{r['CRASH DATE']} {r['CRASH TIME']}"))
            continue
        try:
            injured = int(r["NUMBER OF PERSONS INJURED"] or 0)
            killed = int(r["NUMBER OF PERSONS KILLED"] or 0)
        except ValueError:
            rejected.append(row_issue(n, "rejected", "bad_number", "row_not_whole", "NUMBER OF PERSONS INJURED"))
            continue
        cid = r["COLLISION_ID"].strip()
        if not cid or cid in seen:
            if cid:
                rejected.append(row_issue(n, "rejected", "duplicate_collision", "row_duplicate", "COLLISION_ID",
                                          value=cid, first=seen.get(cid, "?")))
            else:
                rejected.append(row_issue(n, "rejected", "duplicate_collision", "row_empty", "COLLISION_ID"))
            continue
        seen[cid] = n
        street = r["ON STREET NAME"].strip() or r["OFF STREET NAME"].strip()
        cross = r["CROSS STREET NAME"].strip()
        place = f"{street} \\ {cross}" if street and cross else street
        lat, lon = _float(r["LATITUDE"]), _float(r["LONGITUDE"])
        rec = IncidentRecord(
            source_ref=f"collision:{cid}", unit=ORG, offence="traffic.accident", count_date=when.date(), rows=(n,),
            offence_codes=tuple(v for k, v in r.items() if k.startswith("CONTRIBUTING FACTOR") and v),
            source_category="motor vehicle collision", occurred_from=aware(when, tz), place_type="street",
            location=place, block=(blocks.us_block(place) if place else blocks.grid_block(lat, lon)),
            latitude=lat, longitude=lon, injured=injured, killed=killed, victims=injured + killed,
            property_loss=None, currency=m["currency"], timezone=tz)
        records.append(rec)
        placer.place(rec, r["BOROUGH"])
    placed = placer.finish()
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    out = ImportRead("nyc-collisions", name, ORG, m["version"], placer.units, records, [], rejected, total,
                     scope=("traffic",), records_clearance=False)
    city = sum(1 for r in records if r.unit == ORG)
    out.notes.append(note("crashes_placed_by_point", placed=placed, city=city))
    return out


SHOOTINGS = Source("nyc-shootings", "NYPD shooting incidents (victim rows; bundled: 2019)", ORG, read_shootings,
                   SHOOTINGS_FILE)
HOMICIDES = Source("nyc-homicides", "NYC homicides (victim rows; bundled: 2016-2018)", ORG, read_homicides,
                   HOMICIDES_FILE)
COLLISIONS = Source("nyc-collisions", "NYPD motor vehicle collisions (bundled: January 2023)", ORG, read_collisions,
                    COLLISIONS_FILE)
