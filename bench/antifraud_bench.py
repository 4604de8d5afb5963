"""Anti-fraud benchmark: a 5-hop FIFO fund trace over a large ledger beside what an analyst would otherwise
use (igraph and networkx traversals, a DuckDB recursive query), and the statement import.

    nice -n 10 .venv/bin/python bench/antifraud_bench.py                       # 10 M transfers, 1 M rows
    .venv/bin/python bench/antifraud_bench.py --transfers 200000 --rows 20000  # quick check

The ledger comes from ``pingan.antifraud.amlsim.generate`` (the AMLSim sample's fan-in and cycle patterns,
scaled); the seeds are the origin transfers of the first ``--seeds`` patterns (one case's victim transfers).
Each tool runs in its own process so its peak RSS is its own: ``load_s`` (read Parquet + build the tool's
structure), ``query_s`` (the 5-hop trace), ``peak_mib`` (the process's peak RSS) and how many accounts it
reached. FIFO follows amounts (held/stopped/beyond the limit); the others find time-respecting reachability
only (the poison set), which is what a graph library or SQL gives without writing an allocation rule.
networkx is skipped above ``--networkx-max`` transfers (its graph needs ~1.5 KiB per edge). Needs the
``bench`` extra (igraph, networkx). Prints one JSON line per step and a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _load(folder: Path):
    import numpy as np
    import pyarrow.parquet as pq

    t = pq.read_table(folder / "transfers.parquet")
    a = pq.read_table(folder / "accounts.parquet")
    seeds = json.loads((folder / "seeds.json").read_text())
    cols = {k: t.column(k).to_numpy() for k in ("src", "dst", "amount", "time")}
    return cols, {k: a.column(k).to_numpy() for k in ("opening", "kind")}, np.array(seeds, np.int64)


def run_fifo(folder: Path, hops: int) -> dict:
    from pingan.antifraud.trace import Ledger, Seed, trace_fifo

    t0 = time.perf_counter()
    cols, acc, seeds = _load(folder)
    ledger = Ledger(cols["src"], cols["dst"], cols["amount"], cols["time"], n_accounts=len(acc["opening"]),
                    opening=acc["opening"], kind=acc["kind"])
    t1 = time.perf_counter()
    tr = trace_fifo(ledger, [Seed(int(s)) for s in seeds], max_hops=hops)
    t2 = time.perf_counter()
    assert tr.check_conservation()
    return {"tool": "pingan FIFO (numpy)", "load_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 3),
            "reached": len(tr.reached), "held_accounts": len(tr.held), "pieces": len(tr.edges["transfer"]),
            "peak_mib": peak_mib()}


def run_poison(folder: Path, hops: int) -> dict:
    from pingan.antifraud.trace import Ledger, Seed, trace_poison

    t0 = time.perf_counter()
    cols, acc, seeds = _load(folder)
    ledger = Ledger(cols["src"], cols["dst"], cols["amount"], cols["time"], n_accounts=len(acc["opening"]),
                    opening=acc["opening"], kind=acc["kind"])
    t1 = time.perf_counter()
    tr = trace_poison(ledger, [Seed(int(s)) for s in seeds], max_hops=hops)
    t2 = time.perf_counter()
    return {"tool": "pingan poison (numpy)", "load_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 3),
            "reached": len(tr.reached), "peak_mib": peak_mib()}


def run_igraph(folder: Path, hops: int) -> dict:
    import igraph
    import numpy as np

    t0 = time.perf_counter()
    cols, acc, seeds = _load(folder)
    g = igraph.Graph(n=len(acc["opening"]), edges=np.column_stack([cols["src"], cols["dst"]]), directed=True)
    times = cols["time"]
    t1 = time.perf_counter()
    arrival: dict[int, int] = {}
    frontier: dict[int, int] = {}
    for s in seeds.tolist():
        d = int(cols["dst"][s])
        frontier[d] = min(frontier.get(d, 1 << 62), int(times[s]))
    arrival.update(frontier)
    for _ in range(hops - 1):
        nxt: dict[int, int] = {}
        for v, at in frontier.items():
            eids = np.asarray(g.incident(v, mode="out"), np.int64)
            if len(eids) == 0:
                continue
            ok = eids[times[eids] > at]
            for e, tm in zip(ok.tolist(), times[ok].tolist(), strict=True):
                w = int(cols["dst"][e])
                if tm < arrival.get(w, 1 << 62) and tm < nxt.get(w, 1 << 62):
                    nxt[w] = tm
        arrival.update(nxt)
        frontier = nxt
    t2 = time.perf_counter()
    return {"tool": "igraph (time-respecting BFS)", "load_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 3),
            "reached": len(arrival), "peak_mib": peak_mib()}


def run_networkx(folder: Path, hops: int) -> dict:
    import networkx as nx

    t0 = time.perf_counter()
    cols, acc, seeds = _load(folder)
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(len(acc["opening"])))
    g.add_edges_from(zip(cols["src"].tolist(), cols["dst"].tolist(), ({"t": t} for t in cols["time"].tolist()),
                         strict=True))
    t1 = time.perf_counter()
    arrival: dict[int, int] = {}
    frontier: dict[int, int] = {}
    for s in seeds.tolist():
        d = int(cols["dst"][s])
        frontier[d] = min(frontier.get(d, 1 << 62), int(cols["time"][s]))
    arrival.update(frontier)
    for _ in range(hops - 1):
        nxt: dict[int, int] = {}
        for v, at in frontier.items():
            for _u, w, data in g.out_edges(v, data=True):
                tm = data["t"]
                if tm > at and tm < arrival.get(w, 1 << 62) and tm < nxt.get(w, 1 << 62):
                    nxt[w] = tm
        arrival.update(nxt)
        frontier = nxt
    t2 = time.perf_counter()
    return {"tool": "networkx (time-respecting BFS)", "load_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 3),
            "reached": len(arrival), "peak_mib": peak_mib()}


def run_duckdb(folder: Path, hops: int) -> dict:
    from pingan.lib import duck

    t0 = time.perf_counter()
    con = duck.connect()
    p = duck.sql_str(str(folder / "transfers.parquet"))
    # the path is quoted by sql_str; the seed ids and hop count below are integers
    con.execute("CREATE TABLE tr AS SELECT file_row_number AS id, * EXCLUDE (file_row_number) "  # noqa: S608
                f"FROM read_parquet({p}, file_row_number = true)")
    seeds = json.loads((folder / "seeds.json").read_text())
    t1 = time.perf_counter()
    ids = ",".join(str(int(s)) for s in seeds)
    n = con.execute(f"""  -- noqa: S608
        WITH RECURSIVE walk(acct, t, hop) AS (
            SELECT dst, time, 1 FROM tr WHERE id IN ({ids})
            UNION
            SELECT tr.dst, tr.time, walk.hop + 1 FROM walk JOIN tr ON tr.src = walk.acct AND tr.time > walk.t
            WHERE walk.hop < {hops}
        )
        SELECT count(DISTINCT acct) FROM walk""").fetchone()[0]  # noqa: S608
    t2 = time.perf_counter()
    return {"tool": "DuckDB recursive CTE", "load_s": round(t1 - t0, 2), "query_s": round(t2 - t1, 3),
            "reached": int(n), "peak_mib": peak_mib()}


def run_statements(folder: Path, rows: int) -> dict:
    import numpy as np
    import pyarrow as pa
    import pyarrow.csv as pcsv

    from pingan.antifraud.statements import read_statement

    rng = np.random.default_rng(7)
    cents = rng.integers(1, 5_000_000, rows)
    sign = rng.integers(0, 2, rows)
    secs = 1_704_067_200 + np.sort(rng.integers(0, 365 * 86_400, rows))
    ts = pa.array(secs.astype("datetime64[s]")).cast(pa.string())
    amount = pa.array([f"{c / 100:.2f}" for c in cents.tolist()])
    path = folder / "statement.csv"
    table = pa.table({
        "交易流水号": pa.array([f"T{i:010d}" for i in range(rows)]),
        "交易时间": ts,
        "借贷标志": pa.array(np.where(sign == 1, "贷", "借")),
        "交易金额": amount,
        "余额": amount,
        "对方账号": pa.array(rng.integers(6_222_000_000_000_000, 6_222_999_999_999_999, rows).astype(str)),
        "对方户名": pa.array(np.where(sign == 1, "张三", "李四")),
        "摘要": pa.array(np.full(rows, "转账")),
    })
    pcsv.write_csv(table, path)
    t0, c0 = time.perf_counter(), time.process_time()
    r = read_statement(path)
    t1, c1 = time.perf_counter(), time.process_time()
    return {"tool": f"statement import ({rows:,} rows CSV)", "load_s": 0.0, "query_s": round(t1 - t0, 2),
            "cpu_s": round(c1 - c0, 2), "load_average": [round(x, 1) for x in os.getloadavg()],
            "reached": r.table.num_rows, "rejected": len(r.rejected), "mib_file": round(path.stat().st_size / 2**20),
            "peak_mib": peak_mib()}


def generate(folder: Path, transfers: int, n_seeds: int) -> dict:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pingan.antifraud.amlsim import generate as gen

    t0 = time.perf_counter()
    g = gen(transfers)
    pq.write_table(pa.table({"src": g.src, "dst": g.dst, "amount": g.amount, "time": g.time}),
                   folder / "transfers.parquet")
    pq.write_table(pa.table({"opening": g.opening, "kind": g.kind}), folder / "accounts.parquet")
    seeds = [t for inst in g.patterns[:n_seeds] for t in inst.transfers if int(g.src[t]) in inst.origins]
    (folder / "seeds.json").write_text(json.dumps(seeds))
    return {"step": "generate", "transfers": len(g.src), "accounts": len(g.opening), "seeds": len(seeds),
            "seconds": round(time.perf_counter() - t0, 1)}


TOOLS = {"fifo": run_fifo, "poison": run_poison, "igraph": run_igraph, "networkx": run_networkx,
         "duckdb": run_duckdb}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--transfers", type=int, default=10_000_000)
    ap.add_argument("--rows", type=int, default=1_000_000, help="statement rows for the import benchmark")
    ap.add_argument("--hops", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=10, help="patterns whose origin transfers seed the trace")
    ap.add_argument("--networkx-max", type=int, default=2_000_000)
    ap.add_argument("--timeout", type=int, default=900, help="seconds per tool")
    ap.add_argument("--tool", help=argparse.SUPPRESS)
    ap.add_argument("--dir", help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.tool:
        folder = Path(a.dir)
        out = run_statements(folder, a.rows) if a.tool == "statements" else TOOLS[a.tool](folder, a.hops)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    folder = Path(tempfile.mkdtemp(prefix="pingan-antifraud-bench-"))
    print(json.dumps(generate(folder, a.transfers, a.seeds)), flush=True)
    results = []
    tools = ["fifo", "poison", "igraph", "duckdb"] + (["networkx"] if a.transfers <= a.networkx_max else [])
    for tool in [*tools, "statements"]:
        cmd = [sys.executable, __file__, "--tool", tool, "--dir", str(folder), "--hops", str(a.hops),
               "--rows", str(a.rows)]
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout, check=False)
            line = p.stdout.strip().splitlines()[-1] if p.stdout.strip() else json.dumps(
                {"tool": tool, "error": p.stderr.strip().splitlines()[-1:]})
        except subprocess.TimeoutExpired:
            line = json.dumps({"tool": tool, "error": f"timeout after {a.timeout} s"})
        print(line, flush=True)
        results.append(json.loads(line))
    if a.transfers > a.networkx_max:
        results.append({"tool": "networkx", "error": f"skipped above {a.networkx_max:,} transfers (memory)"})
    print(f"\n{a.transfers:,} transfers, {a.hops} hops, load average {os.getloadavg()[0]:.2f}\n")
    print("| tool | load s | trace s | peak MiB | accounts reached |\n|---|---|---|---|---|")
    for r in results:
        if "error" in r:
            print(f"| {r['tool']} | – | – | – | {r['error']} |")
        else:
            print(f"| {r['tool']} | {r['load_s']} | {r['query_s']} | {r['peak_mib']} | {r['reached']:,} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
