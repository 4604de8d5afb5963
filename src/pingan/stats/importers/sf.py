"""San Francisco importer: SFPD incident reports (DataSF, "Police Department Incident Reports: 2018 to Present").

Counting rules (DataSF's overview; mapping in ``data/mappings/sf.toml``):

* an incident is an initial report (report type ``II`` — initial or Coplogic initial — or ``VI``, vehicle
  initial), identified by its Incident ID; it has one row per incident code, all folded into one incident.
  Its offence is the most serious of its rows' offences (the UCR Hierarchy Rule for multiple-offence
  incidents; seriousness from ``offences.toml``), and every incident code is kept in ``offence_codes``;
* supplemental reports (``IS``, ``VS``) are never counted. A supplement of an initial report in the file
  (same Incident Number) is folded into that incident, because it may carry a later resolution; one whose
  initial report is not in the file is excluded (``supplemental_report``);
* the resolution of the latest report of the incident (by report time) is its status: "Cite or Arrest" →
  cleared by arrest, "Exceptional" → cleared exceptionally (SFPD publishes no NIBRS A–E code, so the code
  stays empty), "Unfounded" → unfounded, which the UCR does not count; the clearance is dated on the report
  that first carried it (``cleared_on_estimated``: the arrest itself may be earlier);
* the police district is the unit; "Out of SF" incidents stay with the city (they are in SFPD's data);
* times are San Francisco local time; addresses are published as intersections (already block level).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
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
    note,
    open_source,
    org_root,
    row_issue,
    to_float,
)

ORG = "US-SF"
OUT_OF_CITY = "Out of SF"


def station_unit(district: str) -> UnitRef:
    key = re.sub(r"[^A-Z]", "", district.upper())
    return UnitRef(f"{ORG}-{key}", f"{district.title()}警察分站", "station", ORG,
                   name_en=f"{district.title()} Station")


def _time(text: str) -> dt.datetime | None:
    for fmt in ("%Y/%m/%d %I:%M:%S %p", "%Y/%m/%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def offence_of(category: str, subcategory: str, description: str, m: dict | None = None) -> str | None:
    """The pingan offence of an SF incident code row (description overrides, then category/subcategory)."""
    m = m or mapping("sf")
    for pattern, offence in m["description"].items():
        if re.search(pattern, description):
            return offence
    cats = m["category"]
    return cats.get(f"{category} / {subcategory}") or cats.get(category)


def read(path: str | Path | bytes | None = None) -> ImportRead:
    """Read an SFPD incident-report export into incidents; see the module docstring."""
    m = mapping("sf")
    tz, currency = m["timezone"], m["currency"]
    vocab = vocabulary()
    attempt = re.compile(m["attempt_pattern"])
    _header, rows, name = open_source(
        path, default, ("Incident Datetime", "Incident Date", "Report Datetime", "Incident ID", "Incident Number",
                        "Report Type Code", "Incident Code", "Incident Category", "Incident Subcategory",
                        "Incident Description", "Resolution", "Intersection", "Police District", "Latitude",
                        "Longitude"), "an SFPD incident-report export")
    initial, supplement = set(m["initial_report_types"]), set(m["supplemental_report_types"])
    rejected: list[RowIssue] = []
    excluded: list[RowIssue] = []
    by_id: dict[str, list[tuple[int, dict, str, dt.datetime, dt.datetime]]] = defaultdict(list)
    supplements: dict[str, list[tuple[int, dict, dt.datetime]]] = defaultdict(list)
    total = 0
    for n, r in rows:
        total += 1
        kind = r["Report Type Code"].strip().upper()
        reported = _time(r["Report Datetime"])
        if reported is None:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "Report Datetime",
                                      value=r["Report Datetime"]))
            continue
        if r["Resolution"].strip() not in m["resolution"]:
            rejected.append(row_issue(n, "rejected", "unknown_resolution", "row_unknown_value", "Resolution",
                                      value=r["Resolution"]))
            continue
        if kind in supplement:
            supplements[r["Incident Number"].strip()].append((n, r, reported))
            continue
        if kind not in initial:
            rejected.append(row_issue(n, "rejected", "unknown_report_type", "row_unknown_value", "Report Type Code",
                                      value=kind))
            continue
        occurred = _time(r["Incident Datetime"])
        if occurred is None:
            rejected.append(row_issue(n, "rejected", "bad_date", "row_unreadable_value", "Incident Datetime",
                                      value=r["Incident Datetime"]))
            continue
        offence = offence_of(r["Incident Category"], r["Incident Subcategory"], r["Incident Description"], m)
        if offence is None or offence not in vocab.offences:
            rejected.append(row_issue(n, "rejected", "unknown_category", "row_not_in_mapping", "Incident Category",
                                      value=f"{r['Incident Category']} / {r['Incident Subcategory']}", source="sf"))
            continue
        by_id[r["Incident ID"].strip()].append((n, r, offence, occurred, reported))

    units: dict[str, UnitRef] = {ORG: org_root(ORG)}
    records: list[IncidentRecord] = []
    first_id_of_number: dict[str, str] = {}
    for incident_id, group in sorted(by_id.items(), key=lambda kv: kv[1][0][0]):
        number = group[0][1]["Incident Number"].strip()
        first_id_of_number.setdefault(number, incident_id)
    for incident_id, group in sorted(by_id.items(), key=lambda kv: kv[1][0][0]):
        _n0, r0, _, occurred, reported = group[0]
        number = r0["Incident Number"].strip()
        worst = max(group, key=lambda g: (vocab.severity(g[2]), -g[0]))
        offence, wr = worst[2], worst[1]
        reports = [(reported, 0, r0["Resolution"].strip())]
        rows_of = [g[0] for g in group]
        if first_id_of_number[number] == incident_id:
            for sn, sr, sreported in supplements.pop(number, []):
                reports.append((sreported, 1, sr["Resolution"].strip()))
                rows_of.append(sn)
        reports.sort()
        final = m["resolution"][reports[-1][2]]
        status, clearance, cleared_on = "open", "", None
        if final == "unfounded":
            status = "unfounded"
        elif final in ("arrest", "exceptional"):
            status, clearance = "cleared", final
            cleared_on = next(t for t, _, res in reports if m["resolution"][res] == final).date()
        district = r0["Police District"].strip()
        if district and district != OUT_OF_CITY:
            unit = station_unit(district)
            units.setdefault(unit.code, unit)
            unit_code = unit.code
        else:
            unit_code = ORG
        lat, lon = to_float(r0["Latitude"]), to_float(r0["Longitude"])
        place = r0["Intersection"].strip()
        records.append(IncidentRecord(
            source_ref=f"incident:{incident_id}", unit=unit_code, offence=offence,
            count_date=occurred.date(), rows=tuple(rows_of),
            offence_codes=tuple(dict.fromkeys(g[1]["Incident Code"].strip() for g in group)),
            source_category=f"{wr['Incident Category']} / {wr['Incident Subcategory']} / {wr['Incident Description']}",
            reported_at=aware(reported, tz), occurred_from=aware(occurred, tz),
            attempted=bool(attempt.search(wr["Incident Description"])), location=place,
            block=place.upper() if place else blocks.grid_block(lat, lon), latitude=lat, longitude=lon,
            status=status, clearance=clearance, cleared_on=cleared_on, cleared_on_estimated=cleared_on is not None,
            currency=currency, timezone=tz))
    for number, sups in supplements.items():
        for sn, _sr, _t in sups:
            excluded.append(row_issue(sn, "excluded", "supplemental_report", "row_supplement_not_counted",
                                      "Report Type Code", number=number))
    rejected += rows.rejected  # lines with a stray double quote (csv_rows)
    total += len(rows.rejected)
    out = ImportRead("sf-incidents", name, ORG, m["version"], units, records, excluded, rejected, total)
    out.notes.append(note("outside_districts", n=sum(1 for r in records if r.unit == ORG), label=OUT_OF_CITY))
    return out


def default() -> Path:
    return bundled("sf_incidents_2018_12", "sf_incidents_2018_12.csv.gz")


SOURCE = Source("sf-incidents", "San Francisco incident reports (DataSF columns; bundled: December 2018)", ORG, read,
                default)
