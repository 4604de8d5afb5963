"""DuckDB engine vs Spark engine (local mode) on the same inputs: time, peak memory, identical answers, and a
scaling curve over the movement table's size.

    .venv/bin/python bench/spark_bench.py --people 100000 --movements 1000000,10000000
    .venv/bin/python bench/spark_bench.py --people 1000000 --movements 10000000,50000000,100000000
    .venv/bin/python bench/spark_bench.py --people 1000000 --movements 10000000 --replicate 10   # 100 M rows

For each movement size: data from ``bench/screening_bench.py``'s generator (roster.csv with the ingest's
headers, movements.parquet, the bundled NHC 2022 listings; 5 % exposed, 5 % traps, 10 % corrupted), then each
engine end to end in a fresh process (read the roster with the ingest, screen, write Parquet):

* ``duckdb``: ``get_engine("duckdb", memory_limit=…)``;
* ``spark``: ``get_engine("spark", master="local[N]", conf=…)``; the session start (JVM) is timed apart
  from the screen, which is what a long-running cluster session pays per roster.

Peak memory is the largest summed RSS of the process tree (the Python process and, for Spark, its JVM),
sampled every 0.2 s from /proc. Identity: the ``persons`` and ``hits`` tables of the two runs are compared
row by row (hits in a total order). The 1-minute load average is read before and after each run (the
machine is shared). CPU time is that of the whole process tree (JVM included). Splink on Spark is
``bench/splink_bench.py`` on the same generated data (not a pingan dependency: installed apart; its
probabilistic linkage answers another question than the rule contract compared here). Results go to
``<out>/spark-report-<time>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from screening_bench import generate_local  # noqa: E402  (the screening benchmark's generator, same data)

from pingan.screening.batch import partition_movements  # noqa: E402

RUN_CODE = r"""
import datetime as dt, json, os, sys, time
t0 = time.perf_counter()
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
import django; django.setup()  # a rejected row's message is rendered from the screening catalogue
from zoneinfo import ZoneInfo
import pyarrow as pa
from pingan.screening.batch import get_engine
from pingan.screening.roster import read_roster_arrow
from pingan.screening.rules import load_ruleset
from pingan.screening.riskdata.nhc import bundled_nhc_listings
engine_name, data, out, as_of, options = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
as_of = dt.date.fromisoformat(as_of)
listings = bundled_nhc_listings(); ruleset = load_ruleset()
engine = get_engine(engine_name, **options)
t_session = 0.0
if engine_name == "spark":
    ts = time.perf_counter(); engine.session; t_session = time.perf_counter() - ts
t_start = time.perf_counter()
roster, rejected, meta = read_roster_arrow(data + "/roster.csv")
rej = pa.table({"row": [r.row for r in rejected], "message": [r.message for r in rejected]}) if rejected else None
as_of_dt = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time(), tzinfo=ZoneInfo("Asia/Shanghai"))
res = engine.screen(roster, listings=listings, movements=sys.argv[6], ruleset=ruleset,
                    as_of=as_of_dt, rejected=rej)
res.write(out)
t_end = time.perf_counter()
print(json.dumps({"end_to_end_s": round(t_end - t_start, 2), "session_start_s": round(t_session, 2),
                  "imports_s": round(t_start - t0 - t_session, 2), "stages": res.stats["seconds"],
                  "counts": res.stats["counts"]}))
"""


_TICK = os.sysconf("SC_CLK_TCK")


def _tree_rss_kib(pid: int, cpu: dict[int, float] | None = None) -> int:
    """Summed VmRSS (KiB) of ``pid`` and all its descendants, from /proc; ``cpu`` (pid -> CPU seconds, user +
    system of the process and its reaped children) is updated with what each process has used so far."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
            if cpu is not None:
                with open(f"/proc/{p}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                cpu[p] = max(cpu.get(p, 0.0), sum(int(x) for x in fields[11:15]) / _TICK)
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo.extend(int(c) for c in fh.read().split())
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
    return total


def _movement_s(res: dict) -> float:
    """Seconds of the stages that read movement records (filter and match); the rest is roster-sized."""
    return sum(res["stages"].get(k, 0.0) for k in ("filter_movements", "match"))


def _load() -> float:
    return round(os.getloadavg()[0], 1)


def run_engine(engine: str, data: Path, movements: Path, out: Path, as_of: str, options: dict,
               timeout: float) -> dict:
    """One engine end to end in a fresh interpreter: its JSON figures, wall time, peak tree RSS and load."""
    load_before = _load()
    children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", RUN_CODE, engine, str(data), str(out), as_of, json.dumps(options),
                             str(movements)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    peak, cpu = 0, {}
    while proc.poll() is None:
        peak = max(peak, _tree_rss_kib(proc.pid, cpu))
        if time.perf_counter() - t0 > timeout:
            proc.kill()
            proc.wait()
            return {"ok": False, "error": f"timed out after {timeout:.0f} s", "load_before": load_before}
        time.sleep(0.2)
    stdout, stderr = proc.communicate()
    children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (children1.ru_utime - children0.ru_utime) + (children1.ru_stime - children0.ru_stime)
    # CPU of the process tree: what the kernel reports for reaped children (the Python process and the JVM
    # when it reaped it) or, if larger, the sum of the samples (a JVM that outlived its parent's wait)
    res: dict = {"wall_s": round(time.perf_counter() - t0, 2), "peak_rss_mib": round(peak / 1024, 1),
                 "cpu_s": round(max(reaped, sum(cpu.values())), 1),
                 "load_before": load_before, "load_after": _load()}
    if proc.returncode != 0:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip() and " WARN " not in ln]
        res.update(ok=False, error=" | ".join(lines[-3:])[:800] or f"exit status {proc.returncode}")
        return res
    res.update(ok=True, **json.loads(stdout.strip().splitlines()[-1]))
    return res


def compare(a: Path, b: Path) -> dict:
    """Row-by-row comparison of two result directories (persons by row, hits in a total order)."""
    import pyarrow.parquet as pq

    out: dict = {}
    for name in ("persons", "hits"):
        ta, tb = pq.read_table(a / f"{name}.parquet"), pq.read_table(b / f"{name}.parquet")
        ra, rb = sorted(ta.to_pylist(), key=repr), sorted(tb.to_pylist(), key=repr)
        differing = sum(1 for x, y in zip(ra, rb, strict=False) if x != y) + abs(len(ra) - len(rb))
        out[name] = {"rows": [len(ra), len(rb)], "differing": differing}
    out["identical"] = all(out[n]["differing"] == 0 for n in ("persons", "hits"))
    return out


def replicate(partitions: Path, k: int) -> Path:
    """``partitions`` with each Parquet file present ``k`` times (hard links ``r<j>-<name>``), beside it."""
    out = partitions.with_name(f"{partitions.name}-x{k}")
    if out.exists():
        return out
    tmp = out.with_name(out.name + ".tmp")
    for f in partitions.rglob("*.parquet"):
        target = tmp / f.parent.relative_to(partitions)
        target.mkdir(parents=True, exist_ok=True)
        for j in range(k):
            os.link(f, target / f"r{j}-{f.name}")
    tmp.rename(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--movements", default="1000000,10000000", help="comma-separated movement table sizes")
    ap.add_argument("--as-of", default="2022-11-10")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    ap.add_argument("--memory-limit", default="1.5GB", help="DuckDB memory limit (both engines' driver DuckDB)")
    ap.add_argument("--spark-master", default="local[2]")
    ap.add_argument("--spark-conf", action="append", default=[], metavar="spark.KEY=VALUE",
                    help="extra Spark settings (default: driver memory 4g, 4 shuffle partitions)")
    ap.add_argument("--timeout", type=float, default=3600.0)
    ap.add_argument("--skip-duckdb", action="store_true")
    ap.add_argument("--replicate", type=int, default=1, metavar="K",
                    help="read K copies of each generated partition file (hard links): a K times larger "
                         "movement table without generating it; every record, the roster's own included, "
                         "appears K times under the same record_id (hits are then those of one copy)")
    ap.add_argument("--flat", action="store_true",
                    help="read the one generated movements.parquet (default: a directory of partitions "
                         "province_code=PP/start_date=YYYY-MM-DD written by batch.partition_movements)")
    args = ap.parse_args()
    if args.replicate > 1 and args.flat:
        ap.error("--replicate copies partition files: it needs the partitioned directory (no --flat)")
    conf = {"spark.driver.memory": "4g", "spark.sql.shuffle.partitions": "4"}
    for item in args.spark_conf:
        key, _, value = item.partition("=")
        conf[key] = value
    report: dict = {"people": args.people, "as_of": args.as_of, "spark_master": args.spark_master,
                    "spark_conf": conf, "cpus": os.cpu_count(), "runs": []}
    as_of = dt.date.fromisoformat(args.as_of)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"spark-report-{time.strftime('%Y%m%dT%H%M%S')}.json"
    for size in [int(s) for s in args.movements.split(",")]:
        base = args.out / f"screen-{args.people}x{size}"
        data = base / "data"
        if not (data / "movements.parquet").exists():
            t0 = time.perf_counter()
            generate_local(data, args.people, size, as_of, args.seed)
            print(f"generated {args.people} people x {size} movements in {time.perf_counter() - t0:.1f} s "
                  f"(load {_load()})", flush=True)
        movements = data / "movements.parquet"
        if not args.flat:
            movements = data / "movements-partitioned"
            if not movements.exists():
                t0, c0 = time.perf_counter(), time.process_time()
                partition_movements(data / "movements.parquet", movements)
                print(f"partitioned by province_code/start_date in {time.perf_counter() - t0:.1f} s "
                      f"(CPU {time.process_time() - c0:.1f} s, load {_load()})", flush=True)
        if args.replicate > 1:
            movements = replicate(movements, args.replicate)
            size *= args.replicate
        run: dict = {"movements": size, "replicas": args.replicate}
        engines = (("spark",) if args.skip_duckdb else ("duckdb", "spark"))
        for engine in engines:
            options = {"memory_limit": args.memory_limit}
            if engine == "spark":
                options.update(master=args.spark_master, conf=conf)
            suffix = f"-x{args.replicate}" if args.replicate > 1 else ""
            res = run_engine(engine, data, movements, base / f"result-{engine}{suffix}", args.as_of, options,
                             args.timeout)
            run[engine] = res
            # after each engine: a run cut short (a timeout, the session's end) keeps what finished
            path.write_text(json.dumps({**report, "runs": [*report["runs"], run]}, indent=2, ensure_ascii=False))
            if res.get("ok"):
                print(f"{size:>12,} movements  {engine:<6}  screen {res['end_to_end_s']:>8.2f} s"
                      f"  (session start {res['session_start_s']:.1f} s, process {res['wall_s']:.1f} s)"
                      f"  CPU {res['cpu_s']:.1f} s  peak {res['peak_rss_mib']:>8.1f} MiB"
                      f"  load {res['load_before']}-{res['load_after']}"
                      f"  per 100M rows {res['end_to_end_s'] * 1e8 / size:,.1f} s"
                      f"  (movement stages {_movement_s(res):.2f} s: {_movement_s(res) * 1e8 / size:,.1f} s"
                      " per 100M)", flush=True)
            else:
                print(f"{size:>12,} movements  {engine:<6}  FAILED: {res['error']}", flush=True)
        if all(run.get(e, {}).get("ok") for e in ("duckdb", "spark")):
            run["comparison"] = compare(base / f"result-duckdb{suffix}", base / f"result-spark{suffix}")
            print(f"{'':>12}  identical answers: {run['comparison']['identical']} "
                  f"{json.dumps(run['comparison'])}", flush=True)
        report["runs"].append(run)
        path.write_text(json.dumps(report, indent=2, ensure_ascii=False))  # after each size: a run cut short
    print(f"report: {path}")


if __name__ == "__main__":
    main()
