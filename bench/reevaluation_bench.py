"""Re-evaluation benchmark (issue 10): after a day's movement records and a new risk-area snapshot, how long
continuous re-screening takes end to end, against re-screening every screened person from scratch.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/
pingan_reeval_bench``, rebuilt each run) with a scratch data directory:

1. a city: ``--premises`` premises (default 5,000) with ``--people`` screened people (default 100,000; the
   issue's sizes are 50,000 and 1,000,000), one finished latest screening each, all green, each with a live
   safety code (issued through the services, signed); every person has one movement record outside the
   listed areas, and 10 counties of 60 are listed high-risk (the first snapshot);
2. a day's delta of ``--delta`` movement records (default 3 per screened person, the issue's ratio: 3,000,000
   for 1,000,000) of people drawn from a population five times the screened one (movement data is about
   everyone), in any of the 60 counties; then a new snapshot listing 3 more counties;
3. ``reevaluate`` after each import, as the task does (people selected, engine run on them, results, hits,
   codes): seconds per stage, people re-evaluated, results changed, hits raised, codes changed;
4. the comparison: the batch engine screening all the screened people from scratch against the same data
   (the engine alone, without storing anything — a lower bound of a full re-screening).

Run: ``.venv/bin/python bench/reevaluation_bench.py [--people N --premises N]``. The load average is printed
beside every figure: the machine is shared.
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
    from django.db import connection
    from django.utils import timezone

    from pingan.codes import services as codes
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
        PersonResult.objects.bulk_create([
            PersonResult(job=j, row=r + 2, status="accepted", level="green", name=f"某{r}", doc_type="ric",
                         id_number=ids[(k + jn) * per + r], identity_status="valid")
            for jn, j in enumerate(jobs[k:k + 1000]) for r in range(per)], batch_size=10000)
    services.screening_job_latest_refresh()
    services.risk_dataset_store(kind="listings", name="bench listings", source="bench",
                                table=listings_table(LISTED, "high"))
    services.risk_dataset_store(kind="movements", name="bench base movements", source="bench",
                                table=movements_table(ids, COUNTIES[13:], rnd))
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    t1 = time.perf_counter()
    for p in Premises.objects.select_related("unit").order_by("pk"):
        codes.safety_code_derive(premises=p)
    print(f"built {premises_n:,} premises, {len(ids):,} screened people in {t1 - t0:.1f} s, issued "
          f"{premises_n:,} codes in {time.perf_counter() - t1:.1f} s ({load()})", flush=True)
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--premises", type=int, default=5_000)
    parser.add_argument("--delta", type=int, default=0, help="movement records in the day's delta (default 3 × people)")
    args = parser.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_reeval_bench")
    name = db_url.rsplit("/", 1)[1]
    os.system(f"dropdb -h 127.0.0.1 -U postgres --if-exists {name} && createdb -h 127.0.0.1 -U postgres {name}")  # noqa: S605
    data_dir = tempfile.mkdtemp(prefix="pingan-reeval-bench-")
    setup_django(db_url, data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rnd = random.Random(10)
    ids = build(args.premises, args.people, rnd)

    from pingan.screening import batch, reevaluate, rules, services
    from pingan.screening.models import RiskDataset

    delta_n = args.delta or 3 * args.people
    population = len(ids) * 5
    owners = [ids[i] if i < len(ids) else ric(i) for i in (rnd.randrange(population) for _ in range(delta_n))]
    t0 = time.perf_counter()
    delta = services.risk_dataset_store(kind="movements", name="bench delta 2022-08-19", source="bench",
                                        table=movements_table(owners, COUNTIES, rnd))
    snapshot = services.risk_dataset_store(kind="listings", name="bench listings", source="bench 2",
                                           table=listings_table(LISTED + NEWLY_LISTED, "high"))
    print(f"imported {delta_n:,} delta records and a snapshot in {time.perf_counter() - t0:.1f} s ({load()})")
    rows = []
    for ds in (delta, snapshot):
        t = time.perf_counter()
        run = reevaluate.reevaluate(dataset=ds)
        rows.append((f"re-evaluate after {ds.get_kind_display()}", time.perf_counter() - t, run, load()))
    # the comparison: every screened person through the engine from scratch, same data
    import pyarrow as pa

    roster = pa.table({"row": pa.array(range(len(ids)), pa.int64()), "name": pa.array(["某人"] * len(ids)),
                       "id_number": pa.array(ids), "id_type": pa.array(["ric"] * len(ids)),
                       "status": pa.array(["accepted"] * len(ids))})
    from django.conf import settings

    engine = batch.get_engine("duckdb", memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"],
                              threads=settings.PINGAN["DUCKDB_THREADS"])
    t = time.perf_counter()
    full = engine.screen(roster, listings=services.active_listings().path,
                         movements=services.active_paths(RiskDataset.Kind.MOVEMENTS), watchlist=None,
                         ruleset=rules.load_ruleset(), as_of=AS_OF)
    full_s = time.perf_counter() - t
    red = sum(1 for v in full.persons.column("level").to_pylist() if v == "red")
    print(f"\n{len(ids):,} screened people, {args.premises:,} premises, delta {delta_n:,} records")
    print(f"{'what':42} {'seconds':>8} {'people':>9} {'changed':>8} {'hits+':>7} {'hits-':>7} {'codes':>6}  load")
    for what, seconds, run, ld in rows:
        s = run.stats.get("seconds", {})
        print(f"{what:42} {seconds:8.2f} {run.candidates:9,} {run.changed:8,} {run.hits_added:7,} "
              f"{run.hits_removed:7,} {run.codes_changed:6,}  {ld}  (select {s.get('select', 0):.2f} s, "
              f"engine {s.get('engine', 0):.2f} s)")
    total = sum(r[1] for r in rows)
    print(f"{'both re-evaluations, end to end':42} {total:8.2f}")
    print(f"{'full re-screening, engine only (lower bound)':42} {full_s:8.2f} {len(ids):9,}  ({red:,} red) {load()}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
