"""The pandas baseline of bench/stats_bench.py: the weekly CompStat of every unit with nothing but pandas.

Reads the incidents (Parquet: count_date, cleared_on, offence, attempted, status, beat, district), classifies
them into the UCR Part I categories with plain string tests, and for the city, every district and every beat
counts each category over the six CompStat windows (week to date from Monday, 28 days, year to date, each
against the same period a year earlier: 364 days back for the first two, the calendar for the third) and the
offences cleared in the year to date (by clearance date). Writes ``{"read_s", "report_s", "read_cpu_s",
"report_cpu_s", "report"}`` as JSON (wall and this process's CPU seconds).

    python bench/stats_pandas_baseline.py incidents.parquet 2024-12-31 out.json
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import numpy as np
import pandas as pd


def windows(as_of: dt.date) -> dict[str, tuple[dt.date, dt.date]]:
    monday = as_of - dt.timedelta(days=as_of.weekday())
    back = dt.timedelta(days=364)
    try:
        last_year = as_of.replace(year=as_of.year - 1)
    except ValueError:
        last_year = as_of.replace(year=as_of.year - 1, day=28)
    d28 = as_of - dt.timedelta(days=27)
    return {"wtd": (monday, as_of), "wtd_prev": (monday - back, as_of - back), "d28": (d28, as_of),
            "d28_prev": (d28 - back, as_of - back), "ytd": (dt.date(as_of.year, 1, 1), as_of),
            "ytd_prev": (dt.date(as_of.year - 1, 1, 1), last_year)}


def category(df: pd.DataFrame) -> pd.Series:
    o, att = df["offence"], df["attempted"].astype(str).str.lower().isin(["t", "true"])
    cat = pd.Series(pd.NA, index=df.index, dtype="object")
    murder = o.str.startswith("homicide.murder")
    cat[murder & ~att] = "homicide"
    cat[o.str.startswith("sexual.rape")] = "rape"
    cat[o == "robbery"] = "robbery"
    cat[o.str.startswith("assault.aggravated") | (murder & att)] = "aggravated_assault"
    cat[o.str.startswith("theft.burglary")] = "burglary"
    cat[o.str.startswith("theft.larceny") | (o == "snatching")] = "larceny_theft"
    cat[o.str.startswith("theft.motor_vehicle")] = "motor_vehicle_theft"
    cat[o == "arson"] = "arson"
    return cat


def main(path: str, as_of_text: str, out: str) -> None:
    t, cpu0 = time.perf_counter(), time.process_time()
    df = pd.read_parquet(path)
    read_s, read_cpu = time.perf_counter() - t, time.process_time() - cpu0
    t, cpu0 = time.perf_counter(), time.process_time()
    as_of = dt.date.fromisoformat(as_of_text)
    df = df[df["status"] != "unfounded"].copy()
    df["category"] = category(df)
    df = df.dropna(subset=["category"])
    df["city"] = "BENCH-CHI"
    day = pd.to_datetime(df["count_date"]).to_numpy()
    cleared = pd.to_datetime(df["cleared_on"]).to_numpy()
    flags = {}
    for name, (a, b) in windows(as_of).items():
        flags[name] = (day >= np.datetime64(a)) & (day <= np.datetime64(b))
    ya, yb = windows(as_of)["ytd"]
    flags["cleared_ytd"] = (df["status"].to_numpy() == "cleared") & (cleared >= np.datetime64(ya)) & (
        cleared <= np.datetime64(yb))
    counts = pd.DataFrame({k: v.astype(np.int64) for k, v in flags.items()}, index=df.index)
    report: dict = {}
    for level in ("city", "district", "beat"):
        sums = counts.groupby([df[level], df["category"]]).sum()
        for (unit, cat), row in sums.iterrows():
            report.setdefault(unit, {})[cat] = {
                "wtd": [int(row["wtd"]), int(row["wtd_prev"])], "d28": [int(row["d28"]), int(row["d28_prev"])],
                "ytd": [int(row["ytd"]), int(row["ytd_prev"])], "cleared_ytd": int(row["cleared_ytd"])}
    cats = ["homicide", "rape", "robbery", "aggravated_assault", "burglary", "larceny_theft", "motor_vehicle_theft",
            "arson"]
    zero = {"wtd": [0, 0], "d28": [0, 0], "ytd": [0, 0], "cleared_ytd": 0}
    for unit in report:
        for c in cats:
            report[unit].setdefault(c, dict(zero))
    report_s, report_cpu = time.perf_counter() - t, time.process_time() - cpu0
    with open(out, "w") as fh:
        json.dump({"read_s": round(read_s, 2), "report_s": round(report_s, 2), "read_cpu_s": round(read_cpu, 2),
                   "report_cpu_s": round(report_cpu, 2), "report": report}, fh)


if __name__ == "__main__":
    main(*sys.argv[1:4])
