"""Re-evaluation benchmark (issue 10): after a day's movement records and a new risk-area snapshot, how long
continuous re-screening takes end to end, against re-screening every screened person from scratch — and
whether the two end in the same levels.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/
pingan_reeval_bench``, rebuilt each run) with a scratch data directory:

1. a city: ``--premises`` premises (default 5,000) with ``--people`` screened people (default 100,000; the
   issue's sizes are 50,000 and 1,000,000), one finished latest screening each, all green, each with a live
   safety code (derived through the codes services in bulk, signed); every person has one movement record
   outside the listed areas, and 10 counties of 60 are listed high-risk (the first snapshot);
2. a day's delta of ``--delta`` movement records (default 3 per screened person, the issue's ratio: 3,000,000
   for 1,000,000) of people drawn from a population five times the screened one (movement data is about
   everyone), in any of the 60 counties, imported and re-evaluated as the task does; then a new snapshot
   listing 3 more counties, imported and re-evaluated (each import is followed by its re-evaluation, as in use);
3. per run and stage (select the people, read them, engine, compare, store results and hits, re-derive codes,
   notify units): wall seconds, CPU seconds of this process, CPU seconds of the PostgreSQL server process
   serving it (from ``/proc``, when the server runs on this host), load average; people re-evaluated, results
   changed, hits raised, codes changed;
4. the comparison: every screened person screened again from scratch through the same function
   (``reevaluate.screen_again``) against the same data; the bench fails unless every person's level from
   scratch equals the level the re-evaluations left in the database (the incremental selection missed no
   one), and reports the from-scratch time (reading everyone + the engine; storing a million results comes
   on top: docs/jobs.md has the result store's figures).

Run: ``PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py [--people N --premises N]``. The issue's
size, building the city once and keeping it (~3 minutes to build at load 6; a ~350 MB database):

    PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py --people 1000000 --premises 50000 --keep-built

prints ``--reuse-built DIR`` (the data directory); every later run starts from that copy (``createdb -T``,
~1 minute) and measures only the re-evaluations and the from-scratch comparison (~5 minutes at load 10):

    PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py --people 1000000 --premises 50000 \
        --reuse-built DATA_DIR

(same ``PINGAN_BENCH_DATABASE_URL`` for both; the kept database is ``<name>_built``, and ``psql -l`` shows
whether it is still there; the data directory holds the risk data files and the signing keys, so a kept
database whose directory is gone must be built again). ``PINGAN_BENCH_PROFILE=1`` prints the day's run's
CPU profile (cProfile; it slows that run down). The machine is shared: CPU time (this process's and the
database server's) and the load average stand beside every wall-clock figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from zoneinfo import ZoneInfo

SH = ZoneInfo("Asia/Shanghai")
AS_OF = dt.datetime(2022, 8, 20, 23, 59, 59, tzinfo=SH)
COUNTIES = [f"3502{c:02d}" for c in (3, 5, 6, 11, 12, 13)] + [f"{p}{c:02d}" for p in ("3501", "3505", "3506", "4403",
                                                                                       "4401", "3301", "3101", "1101",
                                                                                       "5101")
                                                              for c in range(2, 8)]
COUNTIES = COUNTIES[:60]
LISTED, NEWLY_LISTED = COUNTIES[:10], COUNTIES[10:13]
UNUSABLE = "!"  # Django's marker of an unusable password: the bench landlord never signs in


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def ric(i: int) -> str:
    from stdnum.cn import ric as stdric

    birth = dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000)
    body = f"110105{birth:%Y%m%d}{i // 20000:03d}"
    return body + stdric.calc_check_digit(body + "0")


def setup_django(db_url: str, data_dir: str) -> None:
    os.environ.update({"PINGAN_DATABASE_URL": db_url, "PINGAN_DATA_DIR": data_dir, "PINGAN_DEBUG": "false",
                       "PINGAN_KEY_DIR": os.path.join(data_dir, "keys"), "PINGAN_SCREENING_AS_OF": "2022-08-20",
                       "DJANGO_SETTINGS_MODULE": "pingan.config.settings"})
    os.environ.pop("PINGAN_PRODUCTION", None)
    import django

    django.setup()
    from django.conf import settings

    settings.PINGAN["REEVALUATE_AFTER_IMPORT"] = False  # the bench calls it itself, timed


def listings_table(counties: list[str], level: str):
    import pyarrow as pa

    from pingan.screening.riskdata.nhc import LISTING_SCHEMA

    t0, t1 = dt.datetime(2022, 8, 10, 20, tzinfo=SH), dt.datetime(2022, 8, 25, 20, tzinfo=SH)
    rows = [(f"k-{c}", "省", "市", "区", f"{c} 某街道", c, "county", None, level, t0, t1, t1, "bench", "a", "b")
            for c in counties]
    cols = list(zip(*rows, strict=True))
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(cols, LISTING_SCHEMA, strict=True)],
                                schema=LISTING_SCHEMA)


def movements_table(ids: list[str], counties: list[str], rnd: random.Random):
    import numpy as np
    import pyarrow as pa

    n = len(ids)
    start = np.array([int(dt.datetime(2022, 8, 14, 8, tzinfo=SH).timestamp() * 1e6)], dtype=np.int64) + \
        np.array([rnd.randrange(0, 5 * 86400) for _ in range(n)], dtype=np.int64) * 1_000_000
    ts = pa.timestamp("us", tz="UTC")
    return pa.table({"id_type": pa.array(["ric"] * n), "id_number": pa.array(ids), "name": pa.array(["某人"] * n),
                     "adcode": pa.array([rnd.choice(counties) for _ in range(n)]),
                     "place": pa.array(["某地"] * n), "start": pa.array(start, ts),
                     "end": pa.array(start + 4 * 3600 * 1_000_000, ts), "source": pa.array(["bench"] * n),
                     "record_id": pa.array([f"r{rnd.getrandbits(48):x}" for _ in range(n)])})


def build(premises_n: int, people_n: int, rnd: random.Random) -> list[str]:
    from django.db import connection, transaction
    from django.utils import timezone

    from pingan.codes import services as codes
    from pingan.core.copystore import copy_insert
    from pingan.core.models import OrgUnit, Premises, User
    from pingan.core.reference import demo_org_load
    from pingan.screening import services
    from pingan.screening.models import PersonResult, ScreeningJob

    t0 = time.perf_counter()
    demo_org_load()
    stations = list(OrgUnit.objects.filter(kind="station"))
    owner = User.objects.create(username="bench_landlord", role="landlord", password=UNUSABLE)
    premises = Premises.objects.bulk_create([
        Premises(name=f"出租屋{i:05d}", kind="rental", address=f"某路{i}号",
                 adcode=(st := stations[i % len(stations)]).adcodes[0], owner=owner, unit=st)
        for i in range(premises_n)], batch_size=5000)
    now = timezone.now()
    per = people_n // premises_n
    jobs = ScreeningJob.objects.bulk_create([
        ScreeningJob(premises=p, submitted_by=owner, roster_name="bench.csv", roster_sha256="0" * 64, status="done",
                     progress=100, as_of=AS_OF, finished_at=now,
                     counts={"accepted": per, "rejected": 0, "green": per, "yellow": 0, "red": 0})
        for p in premises], batch_size=5000)
    ids = [ric(i) for i in range(per * premises_n)]
    for k in range(0, len(jobs), 1000):
        with transaction.atomic():
            copy_insert(PersonResult, [
                PersonResult(job=j, row=r + 2, status="accepted", level="green", name=f"某{r}", doc_type="ric",
                             id_number=ids[(k + jn) * per + r], identity_status="valid")
                for jn, j in enumerate(jobs[k:k + 1000]) for r in range(per)])
    services.screening_job_latest_refresh()
    services.risk_dataset_store(kind="listings", name="bench listings", source="bench",
                                table=listings_table(LISTED, "high"))
    services.risk_dataset_store(kind="movements", name="bench base movements", source="bench",
                                table=movements_table(ids, COUNTIES[13:], rnd))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t1 = time.perf_counter()
    codes.safety_codes_derive_bulk(causes={p.pk: {"code": "code_cause.screening", "params": {"job": j.pk}}
                                           for p, j in zip(premises, jobs, strict=True)})
    print(f"built {premises_n:,} premises, {len(ids):,} screened people in {t1 - t0:.1f} s, issued "
          f"{premises_n:,} codes in {time.perf_counter() - t1:.1f} s ({load()})", flush=True)
    return ids


def stage_table(runs: list[tuple[str, object, str]]) -> list[str]:
    """The per-stage table of the re-evaluation runs: wall, CPU and PostgreSQL-backend CPU seconds, and the load
    when each ended."""
    stages = ("select", "read", "engine", "compare", "store", "codes", "notify", "total")
    out = [f"| run | {' | '.join(stages)} | load |", "|---|" + "---|" * (len(stages) + 1)]
    for what, run, ld in runs:
        s = run.stats["seconds"]
        db = s.get("db_cpu", {})
        cells = [f"{s.get(k, 0):.2f} / {s['cpu'].get(k, 0):.2f}" + (f" / {db.get(k, 0):.2f}" if db else "")
                 for k in stages]
        out.append(f"| {what} | {' | '.join(cells)} | {ld} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--premises", type=int, default=5_000)
    parser.add_argument("--delta", type=int, default=0, help="movement records in the day's delta (default 3 × people)")
    parser.add_argument("--keep-built", action="store_true",
                        help="after building the city, keep a copy of its database (<name>_built) to --reuse-built")
    parser.add_argument("--reuse-built", metavar="DATA_DIR",
                        help="start from the kept copy and the data directory that run printed (building a million "
                             "people takes minutes); same --people/--premises")
    args = parser.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_reeval_bench")
    name = db_url.rsplit("/", 1)[1]
    pg = "-h 127.0.0.1 -U postgres"
    if args.reuse_built:
        os.system(f"dropdb {pg} --if-exists {name} && createdb {pg} -T {name}_built {name}")  # noqa: S605
        data_dir = args.reuse_built
    else:
        os.system(f"dropdb {pg} --if-exists {name} && createdb {pg} {name}")  # noqa: S605
        data_dir = tempfile.mkdtemp(prefix="pingan-reeval-bench-")
    setup_django(db_url, data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rnd = random.Random(10)
    if args.reuse_built:
        per = args.people // args.premises
        ids = [ric(i) for i in range(per * args.premises)]
        # the draws the base movements took when the city was built (movements_table's order), so the delta
        # is the one a fresh build would get
        for _ in range(len(ids)):
            rnd.randrange(0, 5 * 86400)
        for _ in range(len(ids)):
            rnd.choice(COUNTIES[13:])
        for _ in range(len(ids)):
            rnd.getrandbits(48)
        print(f"reusing the city kept in {name}_built with data in {data_dir}", flush=True)
    else:
        ids = build(args.premises, args.people, rnd)
        if args.keep_built:
            from django.db import connections

            connections.close_all()
            os.system(f"dropdb {pg} --if-exists {name}_built && createdb {pg} -T {name} {name}_built")  # noqa: S605
            print(f"kept the city as {name}_built; data in {data_dir} (--reuse-built {data_dir})", flush=True)

    from django.db.models import Count

    from pingan.codes.models import SafetyCode
    from pingan.screening import reevaluate, services

    delta_n = args.delta or 3 * args.people
    population = len(ids) * 5
    owners = [ids[i] if i < len(ids) else ric(i) for i in (rnd.randrange(population) for _ in range(delta_n))]
    delta_table = movements_table(owners, COUNTIES, rnd)
    runs = []
    t0, c0 = time.perf_counter(), time.process_time()
    delta = services.risk_dataset_store(kind="movements", name="bench delta 2022-08-19", source="bench",
                                        table=delta_table)
    print(f"imported {delta_n:,} delta records in {time.perf_counter() - t0:.1f} s "
          f"(CPU {time.process_time() - c0:.1f} s, {load()})", flush=True)
    if os.environ.get("PINGAN_BENCH_PROFILE"):  # where the CPU goes, function by function
        import cProfile
        import pstats

        with cProfile.Profile(time.process_time) as prof:  # CPU, not wall: the machine is shared
            runs.append(("after the day's movements", reevaluate.reevaluate(dataset=delta), load()))
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        runs.append(("after the day's movements", reevaluate.reevaluate(dataset=delta), load()))
    t0 = time.perf_counter()
    snapshot = services.risk_dataset_store(kind="listings", name="bench listings", source="bench 2",
                                           table=listings_table(LISTED + NEWLY_LISTED, "high"))
    print(f"imported a snapshot in {time.perf_counter() - t0:.1f} s ({load()})", flush=True)
    runs.append(("after the new snapshot", reevaluate.reevaluate(dataset=snapshot), load()))

    # the comparison: every screened person screened again from scratch, same function, same data
    backend = reevaluate._backend_stat_path()
    t, c, d = time.perf_counter(), time.process_time(), reevaluate._proc_cpu(backend)
    everyone = reevaluate.people_table()
    read_s, read_cpu = time.perf_counter() - t, time.process_time() - c
    result, _ruleset = reevaluate.screen_again(everyone)
    full_s, full_cpu, full_load = time.perf_counter() - t, time.process_time() - c, load()
    full_db = (reevaluate._proc_cpu(backend) or 0) - (d or 0) if backend else float("nan")
    from_scratch = dict(zip(result.persons.column("row").to_pylist(), result.persons.column("level").to_pylist(),
                            strict=True))
    stored = dict(reevaluate._latest_people().values_list("pk", "level"))
    differ = [pk for pk, level in from_scratch.items() if (level or "") != stored[pk]]
    levels: dict[str, int] = {}
    for level in from_scratch.values():
        levels[level or "none"] = levels.get(level or "none", 0) + 1

    print(f"\n{len(ids):,} screened people, {args.premises:,} premises, delta {delta_n:,} records")
    print(f"{'run':28} {'people':>9} {'changed':>8} {'hits+':>7} {'hits-':>7} {'codes':>6} {'wall s':>7} {'CPU s':>6} "
          f"{'PG CPU s':>8}")
    for what, run, _ld in runs:
        s = run.stats["seconds"]
        print(f"{what:28} {run.candidates:9,} {run.changed:8,} {run.hits_added:7,} {run.hits_removed:7,} "
              f"{run.codes_changed:6,} {s['total']:7.2f} {s['cpu']['total']:6.2f} "
              f"{s.get('db_cpu', {}).get('total', float('nan')):8.2f}")
    total = sum(r.stats["seconds"]["total"] for _w, r, _l in runs)
    total_cpu = sum(r.stats["seconds"]["cpu"]["total"] for _w, r, _l in runs)
    total_db = sum(r.stats["seconds"].get("db_cpu", {}).get("total", float("nan")) for _w, r, _l in runs)
    print(f"{'both re-evaluations':28} {'':9} {'':8} {'':7} {'':7} {'':6} {total:7.2f} {total_cpu:6.2f} "
          f"{total_db:8.2f}")
    print(f"{'from scratch (read+engine)':28} {everyone.num_rows:9,} {'':8} {'':7} {'':7} {'':6} {full_s:7.2f} "
          f"{full_cpu:6.2f} {full_db:8.2f}  (read {read_s:.2f} s / {read_cpu:.2f} s CPU; {full_load})")
    print("\nper stage, wall / CPU / PostgreSQL-backend CPU seconds (markdown):")
    for line in stage_table(runs):
        print(line)
    live = dict(SafetyCode.objects.filter(revoked_at__isnull=True).values_list("level").annotate(n=Count("id")))
    print(f"\nlevels from scratch: {levels}; live codes by level: {live}")
    if differ:
        print(f"FAILED: {len(differ):,} people end in another level from scratch than after the re-evaluations "
              f"(first: {differ[:5]})")
        sys.exit(1)
    print(f"checked: all {len(from_scratch):,} people end in the same level from scratch as after the re-evaluations")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
