"""Re-evaluation benchmark (issue 10): after a day's movement records and a new risk-area snapshot, how long
continuous re-screening takes end to end, against re-screening every screened person from scratch — and
whether the two end in the same levels.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/
pingan_reeval_bench``, rebuilt each run) with a scratch data directory:

1. a city: ``--premises`` premises (default 5,000) with ``--people`` screened people (default 100,000; the
   issue's sizes are 50,000 and 1,000,000), one finished latest screening each, all green, each with a live
   safety code (derived through the codes services in bulk, signed); every person has one movement record
   outside the listed areas, and 10 counties of 60 are listed high-risk (the first snapshot); each job has
   what a screening leaves to re-screen its people from (``--rosters``: by default its roster file, a CSV of
   its people, and its engine roster; ``files``: the roster file only, as a job screened before engine
   rosters existed; ``none``: neither, as after the retention period — written once into the data directory);
2. a day's delta of ``--delta`` movement records (default 3 per screened person, the issue's ratio: 3,000,000
   for 1,000,000) of people drawn from a population five times the screened one (movement data is about
   everyone), in any of the 60 counties, imported and re-evaluated as the task does; then a new snapshot
   listing 3 more counties, imported and re-evaluated (each import is followed by its re-evaluation, as in use);
3. per run, end to end (the whole call, its commit included: the server checks the new rows' deferred
   foreign keys then) and per stage (select the people, read them, engine, compare, store results and hits,
   re-derive codes, notify units): wall seconds, CPU seconds of this process, CPU seconds of the PostgreSQL
   server process serving it (from ``/proc``, when the server runs on this host), load average; people
   re-evaluated, results changed, hits raised, codes changed;
4. the comparison: every screened person screened again from scratch through the same function
   (``reevaluate.screen_again``) against the same data; the bench fails unless every person's level from
   scratch equals the level the re-evaluations left in the database (the incremental selection missed no
   one), and reports the from-scratch time (reading everyone + the engine; storing a million results comes
   on top: docs/jobs.md has the result store's figures).

Run: ``PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py [--people N --premises N]``. The issue's
size, building the city once and keeping it (~6 minutes to build at load 9–11, 90 s more for the rosters):

    PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py --people 1000000 --premises 50000 --keep-built

prints ``--reuse-built DIR`` (the data directory); every later run starts from that copy (``createdb -T``,
~1 minute) and measures only the re-evaluations and the from-scratch comparison (~5 minutes at load 10):

    PYTHONPATH=src .venv/bin/python bench/reevaluation_bench.py --people 1000000 --premises 50000 \
        --reuse-built DATA_DIR

(same ``PINGAN_BENCH_DATABASE_URL`` for both; the kept database is ``<name>_built``, and ``psql -l`` shows
whether it is still there; the data directory holds the risk data files and the signing keys, so a kept
database whose directory is gone must be built again). ``PINGAN_BENCH_PROFILE=1`` prints the day's run's
CPU profile (cProfile; it slows that run down). ``--rewrite`` rewrites the jobs, results and codes tables
(``VACUUM FULL``) before the runs, as a database built on the current schema has their pages (their fill factors: a kept
city built before a fill factor was set has full pages, and no update of a full page is HOT); at the end the bench
prints how many row updates of the jobs, results and codes tables were HOT. The machine is shared: CPU time
(this process's and the database server's) and the load average stand beside every wall-clock figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
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
#: the hit counts a screening that found nothing writes (``services._counts`` writes every key)
NO_HITS = {"police_hits": 0, "silent_hits": 0, "flagged_people": 0}
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
                     counts={"accepted": per, "rejected": 0, "green": per, "yellow": 0, "red": 0, **NO_HITS})
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


ROSTER_HEADER = "姓名,身份证号码"


def give_rosters(data_dir: str, mode: str) -> str:
    """Give the city's jobs what a screening leaves (``--rosters``): ``engine`` — each job's roster file and
    its engine roster (``services.ENGINE_ROSTER_FILE``, in a result folder), as a screening now leaves them;
    ``files`` — the roster files only, as a job screened before engine rosters existed has (each is parsed, and
    no engine roster is written: the jobs have no result folder); ``none`` — neither (the person data's files
    deleted under the retention policy: every person rebuilt from the stored result). The files are written
    once into the data directory (CSV rosters of the stored people; each engine roster is the table the
    roster reader gives for that file — checked against it for the first jobs) and pointed to from the jobs.
    Returns what was done, for the report."""
    import pyarrow as pa
    from django.db import connection

    from pingan.core.copystore import int_array
    from pingan.screening import reevaluate
    from pingan.screening.roster import ARROW_SCHEMA, read_roster_arrow
    from pingan.screening.services import ENGINE_ROSTER_FILE, engine_roster_write

    rosters, results = os.path.join(data_dir, "bench-rosters"), os.path.join(data_dir, "bench-results")
    t0, c0 = time.perf_counter(), time.process_time()
    with connection.cursor() as cur:
        people = reevaluate._copy_out(cur.cursor, "SELECT job_id, row, name, id_number FROM screening_personresult "
                                                  "ORDER BY job_id, row", [], pa.schema([
                                                      ("job_id", pa.int64()), ("row", pa.int64()),
                                                      ("name", pa.string()), ("id_number", pa.string())]))
    job_ids = people.column("job_id").to_numpy()
    starts = [0, *(i for i in range(1, len(job_ids)) if job_ids[i] != job_ids[i - 1])] if len(job_ids) else []
    bounds = list(zip(starts, [*starts[1:], len(job_ids)], strict=True))
    jobs = [int(job_ids[a]) for a, _ in bounds]
    written = ""
    if mode != "none" and not os.path.exists(os.path.join(rosters, "done")):
        os.makedirs(rosters, exist_ok=True)
        names, numbers = people.column("name").to_pylist(), people.column("id_number").to_pylist()
        for job, (a, b) in zip(jobs, bounds, strict=True):
            with open(os.path.join(rosters, f"job-{job}.csv"), "w", encoding="utf-8") as f:
                f.write(ROSTER_HEADER + "\n" + "".join(f"{names[i]},{numbers[i]}\n" for i in range(a, b)))
        open(os.path.join(rosters, "done"), "w").close()
        written += f"{len(jobs):,} roster files"
    done = os.path.join(results, f"done-{ENGINE_ROSTER_FILE}")
    if mode == "engine" and not os.path.exists(done):
        empty = pa.array([""] * people.num_rows, pa.string())
        flag = read_roster_arrow(os.path.join(rosters, f"job-{jobs[0]}.csv"), filename="bench.csv")[2]
        table = pa.table({f.name: (people.column(f.name) if f.name in ("row", "name", "id_number") else
                                   pa.nulls(people.num_rows, pa.int64()) if f.name == "duplicate_of" else empty)
                          for f in ARROW_SCHEMA}, schema=ARROW_SCHEMA)
        for k, (job, (a, b)) in enumerate(zip(jobs, bounds, strict=True)):
            part = table.slice(a, b - a)
            if k < 20:  # the engine roster is what the roster reader gives for the file
                parsed, _, meta = read_roster_arrow(os.path.join(rosters, f"job-{job}.csv"), filename="bench.csv")
                assert parsed.equals(part), (job, parsed, part)
                assert meta.resident_id_column == flag.resident_id_column
            os.makedirs(os.path.join(results, f"job-{job}"), exist_ok=True)
            engine_roster_write(os.path.join(results, f"job-{job}"), part, flag.resident_id_column)
        open(done, "w").close()
        written += f"{', ' if written else ''}{len(jobs):,} engine rosters"
    with connection.cursor() as cur:
        # (and the hit counts every screening writes, which cities built before they were written lack: the
        # re-evaluation moves them by the changes, and recounts a job's hits only where they are missing)
        cur.execute("UPDATE screening_screeningjob j SET roster_path = CASE WHEN %s THEN %s || '/job-' || j.id || "
                    "'.csv' ELSE '' END, result_dir = CASE WHEN %s THEN %s || '/job-' || j.id ELSE '' END, "
                    "counts = %s::jsonb || j.counts "
                    "WHERE j.id = ANY(%s::bigint[])", [mode != "none", rosters, mode == "engine", results,
                                                       json.dumps(NO_HITS), int_array(jobs)])
        cur.execute("ANALYZE screening_screeningjob")
    return (f"rosters: {mode} ({written or 'files already there'}; {time.perf_counter() - t0:.1f} s, "
            f"CPU {time.process_time() - c0:.1f} s)")


def timed_reevaluation(dataset):
    """``reevaluate.reevaluate(dataset=…)`` with ``run.end_to_end`` = (wall, this process's CPU, the PostgreSQL
    backend's CPU) seconds of the whole call — its stages (``run.stats``) end before the commit, whose
    deferred foreign-key checks of the new hits and codes the server runs then."""
    from pingan.codes import signing
    from pingan.screening import reevaluate

    backend = reevaluate._backend_stat_path()
    t, c, d, w = time.perf_counter(), time.process_time(), reevaluate._proc_cpu(backend), signing.worker_cpu()
    run = reevaluate.reevaluate(dataset=dataset)
    db = reevaluate._proc_cpu(backend)
    run.end_to_end = (time.perf_counter() - t, time.process_time() - c,
                      db - d if db is not None and d is not None else float("nan"))
    run.signing_cpu = signing.worker_cpu() - w  # the code-signing process's, when it was used (its start included)
    return run


def stage_table(runs: list[tuple[str, object, str]]) -> list[str]:
    """The per-stage table of the re-evaluation runs: wall, CPU and PostgreSQL-backend CPU seconds, and the load
    when each ended."""
    stages = ("select", "table", "read", "engine", "compare", "prepare", "store", "codes", "notify", "total")
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
    parser.add_argument("--rosters", choices=("engine", "files", "none"), default="engine",
                        help="what the jobs have to re-screen their people from: their engine rosters and roster "
                             "files (default; what a screening leaves), roster files only (screened before engine "
                             "rosters existed), or nothing (files deleted under retention)")
    parser.add_argument("--rewrite", action="store_true",
                        help="rewrite the jobs, results and codes tables (VACUUM FULL) before the runs: their pages "
                             "as a city built on this schema has them (with their fill factors); a kept city's were "
                             "written before they were set")
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

    print(give_rosters(data_dir, args.rosters), flush=True)
    if args.rewrite:
        from django.db import connection

        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for table in ("screening_screeningjob", "screening_personresult", "codes_safetycode"):
                cur.execute(f"VACUUM FULL ANALYZE {table}")
                cur.execute("SELECT pg_relation_size(%s), reloptions FROM pg_class WHERE relname = %s",
                            [table, table])
                size, options = cur.fetchone()
                print(f"rewrote {table} ({size / 1e6:.0f} MB, {options or 'fillfactor 100'}) in "
                      f"{time.perf_counter() - t0:.1f} s", flush=True)
                t0 = time.perf_counter()
    # the engine-roster table as a deployment has it: brought up to date by the previous re-evaluation (here
    # built once from the 50,000 jobs' engine rosters; a day's run then only reads the day's new jobs)
    from pingan.screening import rostertable

    t0, c0 = time.perf_counter(), time.process_time()
    rows = rostertable.sync().num_rows
    print(f"engine-roster table: {rows:,} rows, {os.path.getsize(rostertable.path()) / 1e6:.0f} MB, synced in "
          f"{time.perf_counter() - t0:.1f} s (CPU {time.process_time() - c0:.1f} s, {load()})", flush=True)
    from django.db.models import Count
    from django.urls import reverse

    from pingan.codes.models import SafetyCode
    from pingan.screening import reevaluate, services

    # a worker that runs re-evaluations has its URL configuration loaded after its first task (the alert of new
    # hits links to the jurisdiction page through reverse()): loading it inside the timed run cost ~1 s of CPU,
    # once per process, not per run
    reverse("dashboard:jurisdiction")
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
            runs.append(("after the day's movements", timed_reevaluation(delta), load()))
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
    else:
        runs.append(("after the day's movements", timed_reevaluation(delta), load()))
    t0 = time.perf_counter()
    snapshot = services.risk_dataset_store(kind="listings", name="bench listings", source="bench 2",
                                           table=listings_table(LISTED + NEWLY_LISTED, "high"))
    print(f"imported a snapshot in {time.perf_counter() - t0:.1f} s ({load()})", flush=True)
    runs.append(("after the new snapshot", timed_reevaluation(snapshot), load()))

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
    # wall, CPU and PG CPU of each whole call (its commit included); "stages" is the wall seconds the run's
    # stages add up to (run.stats, before the commit)
    # codes: changed (issued or suspended); kept: the same level and people, only their counts brought up to date
    print(f"{'run':28} {'people':>9} {'changed':>8} {'hits+':>7} {'hits-':>7} {'codes':>6} {'kept':>6} {'wall s':>7} "
          f"{'CPU s':>6} {'PG CPU s':>8} {'stages s':>8} {'signing CPU s':>13}")
    for what, run, _ld in runs:
        wall, cpu, db = run.end_to_end
        print(f"{what:28} {run.candidates:9,} {run.changed:8,} {run.hits_added:7,} {run.hits_removed:7,} "
              f"{run.codes_changed:6,} {run.stats.get('codes_kept', 0):6,} {wall:7.2f} {cpu:6.2f} {db:8.2f} "
              f"{run.stats['seconds']['total']:8.2f} {run.signing_cpu:13.2f}")
    total, total_cpu, total_db = (sum(r.end_to_end[i] for _w, r, _l in runs) for i in range(3))
    print(f"{'both re-evaluations':28} {'':9} {'':8} {'':7} {'':7} {'':6} {'':6} {total:7.2f} {total_cpu:6.2f} "
          f"{total_db:8.2f}")
    print(f"{'from scratch (read+engine)':28} {everyone.num_rows:9,} {'':8} {'':7} {'':7} {'':6} {'':6} {full_s:7.2f} "
          f"{full_cpu:6.2f} {full_db:8.2f}  (read {read_s:.2f} s / {read_cpu:.2f} s CPU; {full_load})")
    print("\nper stage, wall / CPU / PostgreSQL-backend CPU seconds (markdown):")
    for line in stage_table(runs):
        print(line)
    from django.db import connection

    with connection.cursor() as cur:  # how many row updates since the copy was made were HOT (no index entries)
        cur.execute("SELECT relname, n_tup_upd, n_tup_hot_upd, pg_relation_size(relid) FROM pg_stat_user_tables "
                    "WHERE relname IN ('screening_screeningjob', 'screening_personresult', 'codes_safetycode') "
                    "ORDER BY relname")
        print("\nrow updates (HOT of all), table size: " + "; ".join(
            f"{name} {hot:,} of {upd:,}, {size / 1e6:.0f} MB" for name, upd, hot, size in cur.fetchall()))
    live = dict(SafetyCode.objects.filter(revoked_at__isnull=True).values_list("level").annotate(n=Count("id")))
    print(f"\nlevels from scratch: {levels}; live codes by level: {live}")
    with connection.cursor() as cur:  # a kept code's counts are brought up to date: none may lag its screening's
        cur.execute("SELECT count(*) FROM codes_safetycode c JOIN screening_screeningjob j ON j.id = c.job_id "
                    "WHERE c.revoked_at IS NULL AND j.is_latest AND c.counts <> jsonb_build_object("
                    "'green', (j.counts->>'green')::int, 'yellow', (j.counts->>'yellow')::int, "
                    "'red', (j.counts->>'red')::int, 'unresolved', (j.counts->>'accepted')::int "
                    "+ (j.counts->>'rejected')::int - (j.counts->>'green')::int - (j.counts->>'yellow')::int "
                    "- (j.counts->>'red')::int)")
        stale = cur.fetchone()[0]
    if stale:
        print(f"FAILED: {stale:,} live codes' counts differ from their screening's")
        sys.exit(1)
    if differ:
        print(f"FAILED: {len(differ):,} people end in another level from scratch than after the re-evaluations "
              f"(first: {differ[:5]})")
        sys.exit(1)
    print(f"checked: all {len(from_scratch):,} people end in the same level from scratch as after the re-evaluations")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
