"""The result store of a screening job: ``COPY`` (now) against ``bulk_create`` (before), on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres pingan_storebench
    PINGAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_storebench \\
        .venv/bin/python bench/result_store_bench.py [--rows 20000] [--path copy --path orm]

Screens, inline, a CSV of ``--rows`` rows of one person (the shape of issue 12's 19 MB roster) once per
store path and prints one JSON line each: the whole job's wall time, and for ``_store_results`` alone its
wall time, this process's CPU and the PostgreSQL backend's CPU (read from ``/proc``, so the server must
run on this machine: ``COPY`` moves work into the server, and a figure without it would flatter it),
with the load average before and after (the machine is shared).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
import time

CLK = os.sysconf("SC_CLK_TCK")


def backend_cpu(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as fh:
        f = fh.read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / CLK  # utime, stime


def one_person_csv(rows: int) -> bytes:
    from stdnum.cn import ric

    body = "35020319900101123"
    one = body + ric.calc_check_digit(body + "0")
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["姓名", "身份证号", "手机号码"])
    w.writerows([["张伟", one, "13800138000"]] * rows)
    return buf.getvalue().encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--path", action="append", choices=["copy", "orm"])
    args = parser.parse_args()
    if not os.environ.get("PINGAN_DATABASE_URL", "").startswith("postgres"):
        print("set PINGAN_DATABASE_URL to a scratch PostgreSQL database (see the docstring)", file=sys.stderr)
        return 2
    os.environ.update(PINGAN_DATA_DIR=tempfile.mkdtemp(prefix="pingan-storebench-"),
                      DJANGO_SETTINGS_MODULE="pingan.config.settings", PINGAN_SCREENING_AS_OF="2022-08-20")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("init", verbosity=0)
    from pingan.core.models import OrgUnit
    from pingan.core.reference import demo_org_load
    from pingan.screening import riskimport, services

    if not OrgUnit.objects.exists():
        demo_org_load()
    riskimport.import_nhc(None)
    data = one_person_csv(args.rows)
    copy_insert = services.copy_insert

    def orm_insert(model, objs):  # the store before: bulk_create, STORE_BATCH rows per INSERT
        return model.objects.bulk_create(objs, batch_size=services.STORE_BATCH)

    store = services._store_results
    for path in args.path or ["orm", "copy"]:
        services.copy_insert = copy_insert if path == "copy" else orm_insert
        timing = {}

        def timed(job, result, timing=timing):
            with connection.cursor() as cur:
                cur.execute("SELECT pg_backend_pid()")
                pid = cur.fetchone()[0]
            w, c, b = time.perf_counter(), time.process_time(), backend_cpu(pid)
            store(job, result)
            timing.update(store_wall_s=round(time.perf_counter() - w, 2),
                          store_cpu_s=round(time.process_time() - c, 2),
                          store_server_cpu_s=round(backend_cpu(pid) - b, 2))

        services._store_results = timed
        load_before = os.getloadavg()
        t = time.perf_counter()
        job = services.screening_job_create(actor=None, roster_name="one-person.csv", roster_bytes=data)
        job = services.screening_job_run(job=job)
        wall = time.perf_counter() - t
        print(json.dumps({"path": path, "rows": args.rows, "status": job.status,
                          "persons": job.persons.count(), "hits": job.hits.count(), "job_wall_s": round(wall, 2),
                          **timing, "load_before": [round(x, 1) for x in load_before],
                          "load_after": [round(x, 1) for x in os.getloadavg()]}), flush=True)
        services._store_results = store
    return 0


if __name__ == "__main__":
    sys.exit(main())
