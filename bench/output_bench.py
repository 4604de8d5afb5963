"""Result-file benchmark: time and peak memory to write N screening result rows as XLSX, CSV and Parquet.

    .venv/bin/python bench/output_bench.py --rows 1000000
    .venv/bin/python bench/output_bench.py --rows 100000 --formats xlsx

Each write runs in a fresh interpreter (so peak RSS is the write's own, ``ru_maxrss`` of the child) through
``pingan.screening.output.write_results``, on a table shaped like the police view of a screening job
(``row, status, level, reason, name, given_id_number, given_phone, doc_type, id_number,
corrected_id_number, identity_status, identity_reason, police_hits``): synthetic names and numbers, 5 % of
the rows yellow or red with a Chinese reason, 1 % rejected, a few cells starting with ``=`` (formula
neutralisation is on the measured path). Prints one JSON line per format: wall and CPU seconds of the write,
the child's resident memory before the write (the input table) and its peak (``ru_maxrss``) in MiB, the
file size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = r"""
import resource, sys, time
import pyarrow as pa
import pyarrow.compute as pc
from pingan.screening.output import write_results

n, out = int(sys.argv[1]), sys.argv[2]
i = pa.array(range(n), pa.int64())
birth = pc.cast(pc.add(pc.multiply(pc.bit_wise_and(i, 1023), 7), 19600101), pa.string())
seq = pc.utf8_lpad(pc.cast(pc.bit_wise_and(i, 4095), pa.string()), 4, "0")
idn = pc.binary_join_element_wise("350203", birth, seq, "")
sel = pc.bit_wise_and(i, 63)
level = pc.if_else(pc.equal(sel, 1), "red", pc.if_else(pc.equal(sel, 2), "yellow", "green"))
status = pc.if_else(pc.equal(sel, 3), "rejected", "accepted")
reason = pc.if_else(pc.equal(sel, 1), "7天内到访高风险区：厦门市思明区某社区",
                    pc.if_else(pc.equal(sel, 2), "=证件需核实", ""))
names = pa.array(["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强"] * 128)
table = pa.table({
    "row": pc.add(i, 2), "status": status, "level": level, "reason": reason,
    "name": pc.take(names, pc.bit_wise_and(i, 1023)),
    "given_id_number": pc.if_else(pc.equal(sel, 3), idn, pa.scalar(None, pa.string())),
    "given_phone": pa.nulls(n, pa.string()),
    "doc_type": pa.array(["ric"] * n), "id_number": idn, "corrected_id_number": pa.nulls(n, pa.string()),
    "identity_status": pa.array(["valid"] * n), "identity_reason": pa.nulls(n, pa.string()),
    "police_hits": pc.if_else(pc.equal(sel, 1), "area-high:id_exact; watchlist:document (silent)", ""),
})
rss_before = int(next(l for l in open("/proc/self/status") if l.startswith("VmRSS")).split()[1])
t0, c0 = time.perf_counter(), time.process_time()
write_results(table, out)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(time.perf_counter() - t0, time.process_time() - c0, rss_before, peak)
"""


def run(rows: int, fmt: str, folder: Path) -> dict:
    out = folder / f"results.{fmt}"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(rows), str(out)], capture_output=True, text=True,
                          check=False)
    if proc.returncode:
        return {"format": fmt, "rows": rows, "error": proc.stderr.strip().splitlines()[-1]}
    wall, cpu, rss_before, peak = (float(x) for x in proc.stdout.split())
    return {"format": fmt, "rows": rows, "write_s": round(wall, 2), "write_cpu_s": round(cpu, 2),
            "rss_before_write_mib": round(rss_before / 1024), "peak_rss_mib": round(peak / 1024),
            "bytes": out.stat().st_size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--formats", default="xlsx,csv,parquet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="pingan-output-bench-") as tmp:
        for fmt in args.formats.split(","):
            t = time.perf_counter()
            report = run(args.rows, fmt, Path(tmp))
            report["process_s"] = round(time.perf_counter() - t, 2)
            print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
