"""Statistics benchmark: the full weekly CompStat of every unit, and a unit's page, over N incidents on
PostgreSQL — beside a plain pandas script computing the same report.

1. ``--incidents`` incidents (default 8,000,000, about Chicago's whole 2001-present record) are generated from
   the real Chicago distributions in the bundled data: the joint mix of offence, location type, attempt and
   arrest of the crimes sample (each generated incident copies a random sample row's), the sample's beats
   (hence districts), and the day-of-year, weekday and hour profile of the ten years of aggravated assaults;
   days run from 2001-01-01 to ``--end`` with a slow decline. Clearances (the sample's arrest rate per
   offence) are dated 0–60 days after the offence, so the UCR rule (counted when cleared) matters. They are
   written with ``COPY`` into an organisation ``BENCH-CHI`` (city → 22 districts → the sample's beats).
2. The rollups are built (``services.rollup_refresh``: one INSERT … SELECT … GROUP BY per table) and the
   tables ANALYZEd; both timed.
3. **The full weekly report**: ``selectors.compstat_all_units`` for every unit as of ``--end`` (UCR Part I),
   ``--runs`` times (target < 10 s).
4. **A unit's page**: ``GET /stats/u/<code>/`` through Django's test client (selector, template, SVG) for
   every unit of the organisation, city included, several times each: p50/p95/p99 (target p95 < 300 ms) —
   with the figures cached by ``selectors.figures_warm`` (what the task run after every rollup change does;
   its time is reported), and once more cold (cache emptied before each request).
5. **pandas baseline**: the incidents are exported once to Parquet (timed apart), then
   ``bench/stats_pandas_baseline.py`` computes the same report — every unit, every Part I category, the six
   windows and the year-to-date clearances — and its figures are compared with pingan's (they must agree).

Run: ``.venv/bin/python bench/stats_bench.py [--incidents N] [--reuse]``; ``PINGAN_BENCH_DATABASE_URL``
(default ``postgres://postgres@127.0.0.1:5432/pingan_statsbench``, created when missing). Figures are printed
and written to ``bench/out/stats_bench_<N>.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parent / "out"
ROOT = "BENCH-CHI"


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s)) - 1))]


def setup_django(db_url: str, data_dir: str) -> None:
    os.environ.update({"PINGAN_DATABASE_URL": db_url, "PINGAN_DATA_DIR": data_dir, "PINGAN_DEBUG": "false",
                       "DJANGO_SETTINGS_MODULE": "pingan.config.settings"})
    os.environ.pop("PINGAN_PRODUCTION", None)
    import django

    django.setup()


def backend_cpu() -> float:
    """CPU seconds (user + system) the PostgreSQL backend serving this process's connection has used so far:
    ``/proc/<pg_backend_pid()>/stat`` (the server runs on this machine); ``nan`` when it cannot be read."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def ensure_database(db_url: str) -> None:
    import psycopg

    name = db_url.rsplit("/", 1)[1]
    admin = db_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as con:
        if not con.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            con.execute(f'CREATE DATABASE "{name}"')


# ------------------------------------------------------------------------------------------------ generation


def chicago_profile() -> dict:
    """The distributions the generator draws from, all from the bundled real files."""
    from pingan.stats.importers import chicago

    sample = chicago.read_crimes()
    rows = [(r.offence, r.place_type, r.attempted, r.clearance == "arrest", int(r.unit.rsplit("B", 1)[1]))
            for r in sample.records]
    assaults = chicago.read_assaults()
    when = [r.occurred_from for r in assaults.records]
    doy = np.bincount([min(w.timetuple().tm_yday, 365) - 1 for w in when], minlength=365).astype(float)
    doy = np.convolve(np.r_[doy[-7:], doy, doy[:7]], np.ones(15) / 15, mode="valid")  # smooth a fortnight
    weekday = np.bincount([w.weekday() for w in when], minlength=7).astype(float)
    hour = np.bincount([w.hour for w in when], minlength=24).astype(float)
    return {"rows": rows, "doy": doy / doy.mean(), "weekday": weekday / weekday.mean(), "hour": hour / hour.sum()}


def generate(n: int, end: dt.date, seed: int) -> dict[str, np.ndarray]:
    """``n`` incidents as column arrays (see the module docstring)."""
    rng = np.random.default_rng(seed)
    prof = chicago_profile()
    start = dt.date(2001, 1, 1)
    days = np.arange((end - start).days + 1)
    dates = np.array([start + dt.timedelta(days=int(d)) for d in days])
    doy = np.array([min(d.timetuple().tm_yday, 365) - 1 for d in dates])
    wd = np.array([d.weekday() for d in dates])
    years = np.array([d.year for d in dates])
    weight = prof["doy"][doy] * prof["weekday"][wd] * (1.0 - 0.025 * (years - 2001))
    day_idx = rng.choice(len(days), size=n, p=weight / weight.sum())
    row_idx = rng.integers(0, len(prof["rows"]), size=n)
    rows = prof["rows"]
    offences = np.array([r[0] for r in rows], dtype=object)[row_idx]
    places = np.array([r[1] for r in rows], dtype=object)[row_idx]
    attempted = np.array([r[2] for r in rows])[row_idx]
    arrest = np.array([r[3] for r in rows])[row_idx]
    beats = np.array([r[4] for r in rows])[row_idx]
    hours = rng.choice(24, size=n, p=prof["hour"])
    minutes = rng.integers(0, 60, size=n)
    delay = np.minimum(rng.exponential(6.0, size=n).astype(int), 60)
    count_date = (np.datetime64(start) + day_idx).astype("datetime64[D]")
    cleared = np.where(arrest, count_date + delay, np.datetime64("NaT"))
    cleared = np.where(cleared > np.datetime64(end), np.datetime64("NaT"), cleared).astype("datetime64[D]")
    occurred = count_date.astype("datetime64[m]") + hours * 60 + minutes
    return {"count_date": count_date, "occurred": occurred, "offence": offences, "place": places,
            "attempted": attempted, "cleared_on": cleared, "beat": beats}


def build_org(beats: set[int]) -> dict[int, int]:
    """City → districts → beats (kinds bureau → branch → station); returns beat → unit id."""
    from pingan.core.models import OrgUnit
    from pingan.core.services import orgunit_create
    from pingan.stats import services

    city = OrgUnit.objects.filter(code=ROOT).first() or orgunit_create(
        code=ROOT, name="Benchmark city (Chicago distributions)", kind="bureau", adcodes_covered=[])
    out = {}
    for beat in sorted(beats):
        dcode = f"{ROOT}-D{beat // 100:03d}"
        district = OrgUnit.objects.filter(code=dcode).first() or orgunit_create(
            code=dcode, name=f"District {beat // 100}", kind="branch", parent=city, adcodes_covered=[])
        bcode = f"{ROOT}-B{beat:04d}"
        unit = OrgUnit.objects.filter(code=bcode).first() or orgunit_create(
            code=bcode, name=f"Beat {beat:04d}", kind="station", parent=district, adcodes_covered=[])
        out[beat] = unit.pk
    services.unit_closure_refresh()
    return out


def load(cols: dict[str, np.ndarray], beat_units: dict[int, int]) -> float:
    """COPY the incidents into stats_incident; returns seconds."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    from django.db import connection

    n = len(cols["count_date"])
    unit_of = np.vectorize(beat_units.get)(cols["beat"])
    homicide = np.array([o.startswith("homicide.") for o in cols["offence"]])
    cleared = ~np.isnat(cols["cleared_on"])
    table = pa.table({
        "source": pa.array(["bench"] * n), "source_ref": pa.array([f"b{i}" for i in range(n)]),
        "unit_id": pa.array(unit_of, pa.int64()),
        "occurred_from": pa.array(cols["occurred"].astype("datetime64[s]").astype(str) + "-06:00"),
        "count_date": pa.array(cols["count_date"]), "timezone": pa.array(["America/Chicago"] * n),
        "offence": pa.array(cols["offence"].astype(str)), "offence_codes": pa.array(["[]"] * n),
        "source_category": pa.array([""] * n), "place_type": pa.array(cols["place"].astype(str)),
        "attempted": pa.array(cols["attempted"]), "location": pa.array([""] * n), "block": pa.array([""] * n),
        "status": pa.array(np.where(cleared, "cleared", "open")),
        "clearance": pa.array(np.where(cleared, "arrest", "")), "exceptional_code": pa.array([""] * n),
        "cleared_on": pa.array(cols["cleared_on"], pa.date32()),
        "cleared_on_estimated": pa.array(np.zeros(n, bool)),
        "victims": pa.array(np.where(homicide, 1, None), pa.int32()), "injured": pa.array(np.zeros(n, np.int32)),
        "killed": pa.array(homicide.astype(np.int32)), "currency": pa.array(["USD"] * n),
        "created_at": pa.array(["2025-01-01 00:00:00+00"] * n), "updated_at": pa.array(["2025-01-01 00:00:00+00"] * n),
    })
    t = time.perf_counter()
    columns = ", ".join(table.column_names)
    with connection.cursor() as cur:
        cur.execute("SET synchronous_commit = off")
        raw = cur.cursor
        for offset in range(0, n, 500_000):
            buf = io.BytesIO()
            pacsv.write_csv(table.slice(offset, 500_000), buf, pacsv.WriteOptions(include_header=False))
            with raw.copy(f"COPY stats_incident ({columns}) FROM STDIN WITH (FORMAT csv)") as copy:
                copy.write(buf.getvalue())
    return time.perf_counter() - t


@contextlib.contextmanager
def indexes_deferred(tables: list[str]):
    """Drop the secondary indexes and unique constraints of ``tables`` (the primary keys stay) for a bulk
    load, and build them again afterwards (one sort per index instead of 8 M inserts into each B-tree)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("""SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                       FROM pg_constraint c WHERE c.contype = 'u' AND c.conrelid::regclass::text = ANY(%s)""",
                    [tables])
        constraints = cur.fetchall()
        cur.execute("""SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                       WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
                         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
                    [tables])
        indexes = cur.fetchall()
        for table, name, _ in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute("SET maintenance_work_mem = '512MB'")
            for table, name, definition in constraints:
                cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for _, definition in indexes:
                cur.execute(definition)


# ------------------------------------------------------------------------------------------------ the run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--incidents", type=int, default=8_000_000)
    ap.add_argument("--end", default="2024-12-31", help="last day of the data and the report's as-of day")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--runs", type=int, default=3, help="runs of the full report")
    ap.add_argument("--page-rounds", type=int, default=3, help="times each unit's page is requested")
    ap.add_argument("--reuse", action="store_true", help="keep the incidents already loaded")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--load-only", action="store_true", help="stop after loading and building the rollups")
    args = ap.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_statsbench")
    ensure_database(db_url)
    data_dir = tempfile.mkdtemp(prefix="pingan-statsbench-")
    setup_django(db_url, data_dir)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from pingan.core.models import OrgUnit, User
    from pingan.core.services import user_create
    from pingan.stats import selectors, services
    from pingan.stats.models import DailyCount, ImportBatch, Incident

    end = dt.date.fromisoformat(args.end)
    figures: dict = {"incidents": args.incidents, "as_of": args.end, "load_average_start": os.getloadavg()}
    have = Incident.objects.filter(source="bench").count() if args.reuse else 0
    if have != args.incidents:
        Incident.objects.filter(source="bench").delete()
        t = time.perf_counter()
        cols = generate(args.incidents, end, args.seed)
        figures["generate_s"] = round(time.perf_counter() - t, 1)
        beat_units = build_org(set(int(b) for b in np.unique(cols["beat"])))
        t = time.perf_counter()
        with indexes_deferred(["stats_incident"]):
            figures["copy_s"] = round(load(cols, beat_units), 1)
        figures["load_s"] = round(time.perf_counter() - t, 1)  # COPY and the index builds
        print(f"loaded: {figures}", flush=True)
        del cols
        root = OrgUnit.objects.get(code=ROOT)
        ImportBatch.objects.filter(source="bench").delete()
        ImportBatch.objects.create(source="bench", filename="generated", org=root, status="done", counts={
            "first_day": "2001-01-01", "last_day": args.end, "scope": [""], "incidents": args.incidents})
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("SET work_mem = '256MB'")
        services.unit_closure_refresh()
        rollups = ["stats_dailycount", "stats_dailyclearance", "stats_weeklycount", "stats_weeklyclearance"]
        with connection.cursor() as cur:
            cur.execute(f"TRUNCATE {', '.join(rollups)}")
        with indexes_deferred(rollups):  # a full rebuild: the tables are empty, the indexes built after
            rolled = services.rollup_refresh(start=dt.date(2001, 1, 1), end=end)
        figures["rollup_s"] = round(time.perf_counter() - t, 1)
        figures["rollup_rows"] = rolled
        t = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE stats_incident; ANALYZE stats_dailycount; ANALYZE stats_dailyclearance;")
        figures["analyze_s"] = round(time.perf_counter() - t, 1)
        print(f"rolled up: {figures}", flush=True)
    if args.load_only:
        return 0
    root = OrgUnit.objects.get(code=ROOT)
    units = list(OrgUnit.objects.filter(path__startswith=root.path).order_by("path"))
    figures["units"] = len(units)
    figures["rollup_rows_total"] = DailyCount.objects.count()
    analyst = User.objects.filter(username="bench-analyst").first() or user_create(
        username="bench-analyst", password=None, role="analyst", unit=root)

    # --- 3. the full weekly report for every unit
    # computed from the rollups each time (the figures cache emptied first), wall and this process's CPU
    from django.core.cache import cache

    report_times, report_cpu, report_db_cpu, report_load = [], [], [], []
    result = None
    for _ in range(args.runs):
        cache.clear()
        t, c, d = time.perf_counter(), time.process_time(), backend_cpu()
        result = selectors.compstat_all_units(actor=analyst, as_of=end, scheme_id="ucr_part1", root_code=ROOT)
        report_times.append(time.perf_counter() - t)
        report_cpu.append(time.process_time() - c)
        report_db_cpu.append(backend_cpu() - d)
        report_load.append(os.getloadavg()[0])
    figures["report_all_units_s"] = [round(x, 2) for x in report_times]
    figures["report_all_units_cpu_s"] = [round(x, 2) for x in report_cpu]
    figures["report_all_units_pg_cpu_s"] = [round(x, 2) for x in report_db_cpu]
    figures["report_all_units_load1"] = [round(x, 1) for x in report_load]
    print(f"full weekly report, {len(result)} units: {', '.join(f'{x:.2f}' for x in report_times)} s "
          f"(CPU of this process {', '.join(f'{x:.2f}' for x in report_cpu)} s, of the PostgreSQL backend "
          f"{', '.join(f'{x:.2f}' for x in report_db_cpu)} s; load {report_load})", flush=True)

    # --- 3b. what the task run after each rollup change does: every unit's page figures into the cache
    cache.clear()
    t = time.perf_counter()
    figures["figures_warmed_units"] = selectors.figures_warm()
    figures["figures_warm_s"] = round(time.perf_counter() - t, 1)
    print(f"figures warmed for {figures['figures_warmed_units']} units in {figures['figures_warm_s']} s", flush=True)

    # --- 4. a unit's page over HTTP (in-process client: view, selector, template)
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    client.force_login(analyst, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session["purpose"] = "jurisdiction_management"
    session.save()
    client.get(f"/stats/u/{units[-1].code}/?as_of={args.end}&scheme=ucr_part1")  # warm-up: imports, templates

    def pages(rounds: int, label: str, cold: bool) -> None:
        """Each unit's page ``rounds`` times; ``cold``: the figures cache emptied before each request."""
        latencies, cpu, db_cpu, per_kind = [], [], [], {"bureau": [], "branch": [], "station": []}
        for _ in range(rounds):
            for u in units:
                if cold:
                    cache.clear()
                t, c, d = time.perf_counter(), time.process_time(), backend_cpu()
                response = client.get(f"/stats/u/{u.code}/?as_of={args.end}&scheme=ucr_part1")
                ms = (time.perf_counter() - t) * 1000
                cpu.append((time.process_time() - c) * 1000)
                db_cpu.append((backend_cpu() - d) * 1000)
                assert response.status_code == 200, (u.code, response.status_code)
                latencies.append(ms)
                per_kind[u.kind].append(ms)
        figures[label] = {"n": len(latencies), "p50": round(pct(latencies, 50)), "p95": round(pct(latencies, 95)),
                          "p99": round(pct(latencies, 99)), "max": round(max(latencies)),
                          "cpu_p50": round(pct(cpu, 50)), "cpu_p95": round(pct(cpu, 95)),
                          "pg_cpu_p50": round(pct(db_cpu, 50)), "pg_cpu_p95": round(pct(db_cpu, 95)),
                          "load1": round(os.getloadavg()[0], 1)}
        figures[label + "_by_kind"] = {k: {"n": len(v), "p50": round(pct(v, 50)), "p95": round(pct(v, 95))}
                                       for k, v in per_kind.items() if v}
        print(f"{label}: {figures[label]} (by kind {figures[label + '_by_kind']})", flush=True)

    pages(args.page_rounds, "page_ms", cold=False)  # the figures cached by the warm-up above, as after an import
    pages(1, "page_cold_ms", cold=True)  # every figure computed in the request
    selectors.figures_warm()  # the cache as the task leaves it, for anything run after this

    # --- 5. pandas baseline over the same incidents
    if not args.no_baseline:
        parquet = Path(data_dir) / "incidents.parquet"
        t = time.perf_counter()
        export_parquet(parquet, root)
        figures["export_parquet_s"] = round(time.perf_counter() - t, 1)
        out = Path(data_dir) / "pandas_report.json"
        t, c = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run([sys.executable, str(Path(__file__).with_name("stats_pandas_baseline.py")), str(parquet),
                        args.end, str(out)], check=True)
        figures["pandas_total_s"] = round(time.perf_counter() - t, 1)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        figures["pandas_total_cpu_s"] = round(after.ru_utime + after.ru_stime - c.ru_utime - c.ru_stime, 1)
        figures["pandas_load1"] = round(os.getloadavg()[0], 1)
        baseline = json.loads(out.read_text())
        figures["pandas_read_s"], figures["pandas_report_s"] = baseline["read_s"], baseline["report_s"]
        figures["pandas_read_cpu_s"], figures["pandas_report_cpu_s"] = baseline["read_cpu_s"], baseline["report_cpu_s"]
        mismatches = compare(result, baseline["report"])
        figures["pandas_mismatches"] = mismatches
        print(f"pandas: read {baseline['read_s']} s (CPU {baseline['read_cpu_s']}), report {baseline['report_s']} s "
              f"(CPU {baseline['report_cpu_s']}); "
              f"{len(mismatches)} figures differ from pingan's")
    figures["load_average_end"] = os.getloadavg()
    OUT.mkdir(exist_ok=True)
    path = OUT / f"stats_bench_{args.incidents}.json"
    path.write_text(json.dumps(figures, indent=2, default=str))
    print(json.dumps(figures, indent=2, default=str))
    return 0 if not figures.get("pandas_mismatches") else 1


def export_parquet(path: Path, root) -> None:
    """The incidents with the codes of their unit, district and beat, as the pandas script reads them."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    from django.db import connection

    sql = """COPY (SELECT i.count_date, i.cleared_on, i.offence, i.attempted, i.status, u.code AS beat,
                          p.code AS district
                   FROM stats_incident i JOIN core_orgunit u ON u.id = i.unit_id
                   JOIN core_orgunit p ON p.id = u.parent_id WHERE i.source = 'bench') TO STDOUT WITH (FORMAT csv)"""
    buf = io.BytesIO()
    with connection.cursor() as cur, cur.cursor.copy(sql) as copy:
        for chunk in copy:
            buf.write(chunk)
    buf.seek(0)
    import pyarrow.csv as pacsv

    table = pacsv.read_csv(buf, read_options=pacsv.ReadOptions(column_names=[
        "count_date", "cleared_on", "offence", "attempted", "status", "beat", "district"]),
        convert_options=pacsv.ConvertOptions(column_types={"count_date": pa.date32(), "cleared_on": pa.date32(),
                                                           "attempted": pa.string()}))
    pq.write_table(table, path)


def compare(result, baseline: dict) -> list[str]:
    """The figures on which pingan's report and the pandas script's differ."""
    out = []
    for unit, cs in result:
        theirs = baseline.get(unit.code, {})
        for r in cs.rows:
            if r.is_group:
                continue
            mine = {w: [r.windows[w].current, r.windows[w].previous] for w in ("wtd", "d28", "ytd")}
            mine["cleared_ytd"] = r.cleared_ytd
            zero = {"wtd": [0, 0], "d28": [0, 0], "ytd": [0, 0], "cleared_ytd": 0}  # a unit pandas never saw
            if theirs.get(r.category, zero) != mine:
                out.append(f"{unit.code} {r.category}: pingan {mine} pandas {theirs.get(r.category)}")
    return out[:50]


if __name__ == "__main__":
    sys.exit(main())

