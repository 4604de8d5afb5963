"""Chicago importers: the crimes sample (2012–2016) and the aggravated assaults (2010–2019).

Counting rules (Chicago data portal, "Crimes - 2001 to present"; mapping in ``data/mappings/chicago.toml``):

* a row is an incident, "with the exception of murders where data exists for each victim": homicide rows
  (FBI code 01A/01B) with the same Case Number are one incident whose ``victims`` is the number of rows;
  any other Case Number seen twice is rejected (``duplicate_case``: a row is an incident);
* the offence comes from the IUCR code where ``[iucr]`` refines it, else from the FBI (NIBRS) code;
  descriptions starting ATTEMPT/ATT: are attempts (UCR counts attempts with the offence; attempted murder
  as aggravated assault);
* ``Arrest`` true → cleared by arrest. The portal gives no clearance date, so the clearance is dated on the
  day of the offence (``cleared_on_estimated``): clearances of earlier years' offences, which the UCR counts
  in the year they are made, cannot be seen in this data;
* ``Date`` is the time of the offence in Chicago local time ("sometimes a best estimate"); the report time
  is not published. The unit is the beat (its first two digits are its district); addresses are already
  block level.

The aggravated-assault file has one row per offence, no identifier and no arrest flag: the row number is its
reference (so re-importing the bundled file is idempotent), the unit is the district.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pingan.stats import blocks
from pingan.stats.classify import vocabulary
from pingan.stats.importers import (
    ImportRead,
    IncidentRecord,
    RowIssue,
    Source,
    UnitRef,
    aware,
    bundled,
    mapping,
    open_source,
    org_root,
    row_issue,
    to_float,
)

CRIMES_ORG = "US-CHI"
ASSAULTS_ORG = "US-CHI-AA"
HOMICIDE_FBI_CODES = frozenset({"01A", "01B"})


def district_unit(org: str, district: int) -> UnitRef:
    return UnitRef(f"{org}-D{district:03d}", f"第{district}警区", "branch", org, name_en=f"District {district}")


def beat_unit(org: str, beat: int) -> UnitRef:
    return UnitRef(f"{org}-B{beat:04d}", f"巡区{beat:04d}", "station", district_unit(org, beat // 100).code,
                   name_en=f"Beat {beat:04d}")


def _int(text: str) -> int | None:
    v = to_float(text)
    return int(v) if v is not None and v.is_integer() else None


def offence_of(iucr: str, fbi_code: str, m: dict | None = None) -> str | None:
    """The pingan offence of a Chicago IUCR/FBI code pair (``None`` when neither is mapped)."""
    m = m or mapping("chicago")
    return m["iucr"].get(iucr.strip().upper().zfill(4)) or m["fbi_code"].get(fbi_code.strip().upper())


def read_crimes(path: str | Path | bytes | None = None) -> ImportRead:
    """Read the Chicago crimes CSV (the portal's columns) into incidents; see the module docstring."""
    m = mapping("chicago")
    tz, currency = m["timezone"], m["currency"]
    _header, rows, name = open_source(
        path, default_crimes, ("ID", "Case Number", "Date", "Block", "IUCR", "Primary Type", "Description",
                               "Location Description", "Arrest", "Beat", "FBI Code", "Latitude", "Longitude"),
        "a Chicago crimes export")
    org = CRIMES_ORG
    units: dict[str, UnitRef] = {org: org_root(org)}
    records: dict[str, IncidentRecord] = {}
    rejected: list[RowIssue] = []
    total = 0
    vocab = vocabulary()
    for n, r in rows:
        total += 1
        when = _chicago_time(r["Date"])
        if when is None:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "Date", value=r["Date"]))
            continue
        offence = offence_of(r["IUCR"], r["FBI Code"], m)
        if offence is None or offence not in vocab.offences:
            rejected.append(row_issue(n, "rejected", "unknown_offence", "row_not_in_mapping", "FBI Code",
                                      value=f"IUCR {r['IUCR']} / FBI {r['FBI Code']}", source="chicago"))
            continue
        beat = _int(r["Beat"])
        if beat is None or beat <= 0:
            rejected.append(row_issue(n, "rejected", "no_beat", "row_empty", "Beat"))
            continue
        unit = beat_unit(org, beat)
        units.setdefault(unit.parent, district_unit(org, beat // 100))
        units.setdefault(unit.code, unit)
        case = r["Case Number"].strip()
        is_homicide = r["FBI Code"].strip().upper() in HOMICIDE_FBI_CODES
        ref = f"case:{case}" if case else f"id:{r['ID']}"
        if ref in records:
            if is_homicide and records[ref].offence.startswith("homicide."):
                rec = records[ref]
                rec.rows = (*rec.rows, n)
                rec.victims = (rec.victims or 1) + 1
                continue
            rejected.append(row_issue(n, "rejected", "duplicate_case", "row_duplicate", "Case Number", value=case,
                                      first=records[ref].rows[0]))
            continue
        desc = r["Description"].strip().upper()
        arrest = r["Arrest"].strip().lower() in ("true", "1", "y", "yes")
        lat, lon = to_float(r["Latitude"]), to_float(r["Longitude"])
        location = r["Location Description"].strip().upper()
        records[ref] = IncidentRecord(
            source_ref=ref, unit=unit.code, offence=offence, count_date=when.date(), rows=(n,),
            offence_codes=(r["IUCR"].strip().upper().zfill(4), f"FBI {r['FBI Code'].strip().upper()}"),
            source_category=f"{r['Primary Type'].strip()} / {r['Description'].strip()}",
            occurred_from=aware(when, tz), place_type=m["place_type"].get(location, "other" if location else ""),
            attempted=any(desc.startswith(p) for p in m["attempt_prefixes"]),
            location=r["Block"].strip(), block=blocks.us_block(r["Block"]) if r["Block"].strip() else
            blocks.grid_block(lat, lon), latitude=lat, longitude=lon,
            status="cleared" if arrest else "open", clearance="arrest" if arrest else "",
            cleared_on=when.date() if arrest else None, cleared_on_estimated=arrest,
            victims=1 if is_homicide else None, killed=1 if is_homicide else 0, currency=currency, timezone=tz)
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    out = ImportRead("chicago-crimes", name, org, m["version"], units, list(records.values()), [], rejected, total)
    for rec in out.records:  # homicide victims are the dead
        if rec.offence.startswith("homicide."):
            rec.killed = rec.victims or 1
    return out


def _chicago_time(text: str) -> dt.datetime | None:
    for fmt in ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def read_assaults(path: str | Path | bytes | None = None) -> ImportRead:
    """Read the aggravated-assault file (date, loc_cat, longitude, latitude, district); see the module docstring."""
    m = mapping("chicago")
    tz, currency = m["timezone"], m["currency"]
    _header, rows, name = open_source(path, default_assaults, ("date", "loc_cat", "longitude", "latitude", "district"),
                                      "the aggravated-assault file")
    org = ASSAULTS_ORG
    units: dict[str, UnitRef] = {org: org_root(org)}
    records: list[IncidentRecord] = []
    rejected: list[RowIssue] = []
    total = 0
    for n, r in rows:
        total += 1
        try:
            when = dt.datetime.strptime(r["date"], "%Y-%m-%d %H:%M")
        except ValueError:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "date", value=r["date"]))
            continue
        district = _int(r["district"])
        if district is None or district <= 0:
            rejected.append(row_issue(n, "rejected", "no_district", "row_empty", "district"))
            continue
        unit = district_unit(org, district)
        units.setdefault(unit.code, unit)
        lat, lon = to_float(r["latitude"]), to_float(r["longitude"])
        records.append(IncidentRecord(
            source_ref=f"row:{n}", unit=unit.code, offence="assault.aggravated", count_date=when.date(), rows=(n,),
            offence_codes=("FBI 04A/04B",), source_category="aggravated assault", occurred_from=aware(when, tz),
            place_type=m["loc_cat"].get(r["loc_cat"].strip().lower(), "other"), location="",
            block=blocks.grid_block(lat, lon), latitude=lat, longitude=lon, currency=currency, timezone=tz))
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    return ImportRead("chicago-assaults", name, org, m["version"], units, records, [], rejected, total,
                      scope=("assault.aggravated",), records_clearance=False)


def default_crimes() -> Path:
    return bundled("chicago_crimes_sample", "chicago_crimes_sample.csv.gz")


def default_assaults() -> Path:
    return bundled("chicago_aggravated_assaults", "chicago_aggravated_assaults.csv.gz")


CRIMES = Source("chicago-crimes", "Chicago crimes (data-portal columns; bundled: random sample of 5,000, 2012-2016)",
                CRIMES_ORG, read_crimes, default_crimes)
ASSAULTS = Source("chicago-assaults", "Chicago aggravated assaults 2010-2019 (bundled)", ASSAULTS_ORG,
                  read_assaults, default_assaults)
