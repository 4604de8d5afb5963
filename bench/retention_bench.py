"""Retention benchmark: time to prune old records from a large movement dataset and to purge a large job.

    createdb -h 127.0.0.1 -U postgres pingan_bench
    PINGAN_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_bench \
        .venv/bin/python bench/retention_bench.py --records 10000000 --persons 200000

Uses the database named by ``PINGAN_DATABASE_URL`` (migrated here) and a fresh data directory. Movements:
DuckDB writes ``--records`` synthetic records (the import's columns, ``end`` spread evenly over the 180
days before the screening clock, so a third are within the 60 days kept) and
``retention.movement_records_prune`` removes the older ones. Jobs: one finished job with ``--persons``
result rows and a hit for every tenth row; ``retention.screening_job_purge`` deletes them. Prints one JSON
line per step: wall seconds, rows before and after, the file sizes, and the process's peak RSS so far (MiB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time


def peak_mib() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000_000)
    parser.add_argument("--persons", type=int, default=200_000)
    args = parser.parse_args()
    if not os.environ.get("PINGAN_DATABASE_URL"):
        print("set PINGAN_DATABASE_URL to a scratch database (see the docstring)", file=sys.stderr)
        return 2
    os.environ["PINGAN_DATA_DIR"] = tempfile.mkdtemp(prefix="pingan-retention-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pingan.config.settings")
    import django

    django.setup()
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    from pingan.screening import retention
    from pingan.screening.models import Hit, PersonResult, RiskDataset, ScreeningJob
    from pingan.screening.services import _data_dir

    call_command("migrate", verbosity=0)
    clock = dt.datetime(2022, 8, 20, 23, 59, 59, tzinfo=dt.UTC)

    # ---- movements
    path = _data_dir("risk") / "movements-bench.parquet"
    con = retention._connect()
    con.execute(f"""
        COPY (SELECT i AS record_id, 'ric' AS id_type, printf('350203%08d%04d', 19600101 + i % 400000, i % 9999)
                     AS id_number, '某人' AS name, '350203' AS adcode, NULL::VARCHAR AS place,
                     TIMESTAMPTZ '{clock.isoformat()}' - INTERVAL 1 SECOND * ((i * 15552000) // {args.records})
                       - INTERVAL 3 HOUR AS start,
                     TIMESTAMPTZ '{clock.isoformat()}' - INTERVAL 1 SECOND * ((i * 15552000) // {args.records})
                       AS "end",
                     'rail_ticket' AS source
              FROM range({args.records}) t(i))
        TO '{path}' (FORMAT parquet, COMPRESSION zstd)""")  # noqa: S608 - numbers and our own path
    con.close()
    ds = RiskDataset.objects.create(kind="movements", name="bench", source="bench", path=str(path),
                                    rows=args.records)
    size_before = path.stat().st_size
    t0 = time.perf_counter()
    removed = retention.movement_records_prune(dataset=ds, before=clock - dt.timedelta(days=60))
    print(json.dumps({"step": "movement_records_prune", "records": args.records, "removed": removed,
                      "kept": ds.rows, "seconds": round(time.perf_counter() - t0, 2),
                      "file_mb_before": round(size_before / 1e6, 1),
                      "file_mb_after": round(path.stat().st_size / 1e6, 1),
                      "peak_rss_mib": peak_mib()}))

    # ---- a large job
    now = timezone.now()
    job = ScreeningJob.objects.create(roster_name="bench.csv", roster_sha256="0" * 64, status="done",
                                      as_of=now, finished_at=now - dt.timedelta(days=31), counts={"rows": 1})
    rows = [PersonResult(job=job, row=r + 2, status="accepted", level="green", name="某人", id_number=str(r))
            for r in range(args.persons)]
    PersonResult.objects.bulk_create(rows, batch_size=5000)
    ids = list(PersonResult.objects.filter(job=job).values_list("id", flat=True)[::10])
    Hit.objects.bulk_create([Hit(job=job, person_id=i, rule_id="area-high", source="movements") for i in ids],
                            batch_size=5000)
    t0 = time.perf_counter()
    done = retention.screening_job_purge(job_id=job.pk, now=timezone.now())
    print(json.dumps({"step": "screening_job_purge", "person_results": done.person_results, "hits": done.hits,
                      "seconds": round(time.perf_counter() - t0, 2), "peak_rss_mib": peak_mib()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
