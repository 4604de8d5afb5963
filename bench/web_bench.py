"""Web benchmark: 50 concurrent officers on the jurisdiction view, and a landlord's 50-row submission.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/pingan_bench``),
with a real WSGI server (waitress, the ``bench`` extra) and the django-tasks-db worker in child processes:

1. a city of ``--premises`` premises (default 10,000) spread over the Xiamen demo stations, each with one
   finished screening job, and ``--people`` screened people (default 200,000; ~5 % red/yellow, ~0.5 % silent
   watchlist hits) — bulk-created (``bulk_create``), not through the services, to build it in seconds; then
   the latest-job marks are set (``screening_job_latest_refresh``, as finishing a job does) and the tables
   are ANALYZEd (autovacuum would within a minute; before it the planner guesses the row counts);
2. ``--officers`` officers (default 50), each in a thread with its own signed-in session (purpose declared),
   request ``GET /police/`` ``--requests`` times: p50/p95/p99 latency (target p95 < 300 ms);
3. a landlord submits a 50-row roster through ``POST /api/v1/jobs`` and polls ``GET /api/v1/jobs/{id}`` until
   it is done, ``--submissions`` times: p95 from upload to result (target < 2 s).

Run: ``.venv/bin/python bench/web_bench.py`` (``--reuse`` keeps an already-built city). Figures are printed
and written to ``bench/out/web_bench_think<T>.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
UNUSABLE = "!"  # Django's marker of an unusable password: bench accounts sign in by session only


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``, in the same unit."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s)) - 1))]


def setup_django(db_url: str, data_dir: str) -> None:
    os.environ.update({"PINGAN_DATABASE_URL": db_url, "PINGAN_DATA_DIR": data_dir, "PINGAN_DEBUG": "false",
                       "DJANGO_SETTINGS_MODULE": "pingan.config.settings"})
    os.environ.pop("PINGAN_PRODUCTION", None)
    import django

    django.setup()


def build_city(premises_n: int, people_n: int, seed: int = 7) -> None:
    """Bulk-create the organisation, landlords, premises, one finished job each and the screened people."""
    from django.db import connection
    from django.utils import timezone

    from pingan.core.models import OrgUnit, Premises, User
    from pingan.core.reference import demo_org_load
    from pingan.screening.models import Hit, PersonResult, ScreeningJob
    from pingan.screening.services import screening_job_latest_refresh

    demo_org_load()
    rnd = random.Random(seed)
    stations = list(OrgUnit.objects.filter(kind="station"))
    landlords = User.objects.bulk_create(
        [User(username=f"bench_landlord_{i}", role="landlord", password=UNUSABLE) for i in range(200)])
    t0 = time.perf_counter()
    premises = Premises.objects.bulk_create([
        Premises(name=f"出租屋{i:05d}", kind="rental", address=f"厦门市某路{i}号",
                 adcode=(st := stations[i % len(stations)]).adcodes[0], owner=landlords[i % len(landlords)], unit=st)
        for i in range(premises_n)], batch_size=5000)
    now = timezone.now()
    per = max(1, people_n // premises_n)
    jobs = ScreeningJob.objects.bulk_create([
        ScreeningJob(premises=p, submitted_by=p.owner, roster_name="bench.csv", roster_sha256="0" * 64,
                     status="done", progress=100, as_of=now, finished_at=now - dt.timedelta(days=rnd.randint(0, 20)),
                     counts={}) for p in premises], batch_size=5000)
    persons, counts = [], {}
    for j in jobs:
        c = {"accepted": per, "rejected": 0, "green": 0, "yellow": 0, "red": 0, "silent_hits": 0}
        for r in range(per):
            x = rnd.random()
            level = "red" if x < 0.015 else "yellow" if x < 0.05 else "green"
            silent = rnd.random() < 0.005
            c[level] += 1
            c["silent_hits"] += silent
            persons.append(PersonResult(job=j, row=r + 2, status="accepted", level=level, name=f"某{r}",
                                        reason="" if level == "green" else "到访风险区", doc_type="ric",
                                        id_number=f"350203199001{r:06d}", silent_hit=silent,
                                        hit_count=int(level != "green") + silent))
        counts[j.pk] = c
    PersonResult.objects.bulk_create(persons, batch_size=10000)
    for j in jobs:
        j.counts = counts[j.pk]
    ScreeningJob.objects.bulk_update(jobs, ["counts"], batch_size=5000)
    flagged = PersonResult.objects.filter(hit_count__gt=0).values_list("id", "job_id", "level", "silent_hit")
    Hit.objects.bulk_create([
        Hit(person_id=pid, job_id=jid, rule_id="watchlist-un" if silent and level == "green" else f"area-{level}",
            source="movements", match_kind="id_exact", level_effect=level, silent=silent and level == "green")
        for pid, jid, level, silent in flagged], batch_size=10000)
    screening_job_latest_refresh()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(f"built {premises_n} premises, {len(persons)} screened people in {time.perf_counter() - t0:.1f} s")


def officer_sessions(n: int) -> list[str]:
    """``n`` officers spread over the stations, each with a signed-in session that declared its purpose."""
    from django.contrib.sessions.backends.db import SessionStore

    from pingan.core.models import OrgUnit, User

    stations = list(OrgUnit.objects.filter(kind="station"))
    keys = []
    for i in range(n):
        user, _ = User.objects.get_or_create(username=f"bench_officer_{i}",
                                             defaults={"role": "officer", "unit": stations[i % len(stations)],
                                                       "password": UNUSABLE})
        s = SessionStore()
        s.update({"_auth_user_id": str(user.pk), "_auth_user_backend": "django.contrib.auth.backends.ModelBackend",
                  "_auth_user_hash": user.get_session_auth_hash(), "purpose": "jurisdiction_management"})
        s.create()
        keys.append(s.session_key)
    return keys


def roster_50(seed: int) -> bytes:
    """A 50-row synthetic roster (Faker zh_CN names, GB 11643 numbers with valid check characters)."""
    import csv

    from faker import Faker
    from stdnum.cn import ric

    fake, rnd, buf = Faker("zh_CN"), random.Random(seed), io.StringIO()
    Faker.seed(seed)
    w = csv.writer(buf)
    w.writerow(["姓名", "证件类型", "证件号码", "手机号码"])
    for _ in range(50):
        birth = f"{rnd.randint(1960, 2004)}{rnd.randint(1, 12):02d}{rnd.randint(1, 28):02d}"
        body = f"350203{birth}{rnd.randint(0, 999):03d}"
        w.writerow([fake.name(), "居民身份证", body + ric.calc_check_digit(body), fake.phone_number()])
    return ("\ufeff" + buf.getvalue()).encode()


def wait_up(url: str, timeout: float = 60) -> None:
    import requests

    end = time.time() + timeout
    while time.time() < end:
        try:
            if requests.get(url, timeout=20).status_code < 500:
                return
        except (requests.ConnectionError, requests.Timeout):
            time.sleep(0.3)
    raise SystemExit(f"the server at {url} did not come up within {timeout} s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--premises", type=int, default=10_000)
    ap.add_argument("--people", type=int, default=200_000)
    ap.add_argument("--officers", type=int, default=50)
    ap.add_argument("--requests", type=int, default=10, help="requests per officer")
    ap.add_argument("--think", type=float, default=0.0,
                    help="seconds an officer reads a page before the next request (0: back-to-back, the worst case)")
    ap.add_argument("--submissions", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--reuse", action="store_true", help="keep the city already in the bench database")
    args = ap.parse_args()

    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_bench")
    data_dir = tempfile.mkdtemp(prefix="pingan-web-bench-")
    setup_django(db_url, data_dir)
    from django.core.management import call_command

    from pingan.core.models import Premises
    from pingan.core.services import premises_create, token_create, user_create
    from pingan.screening import riskimport
    from pingan.screening.models import RiskDataset

    call_command("migrate", verbosity=0)
    if not args.reuse or not Premises.objects.exists():
        if Premises.objects.exists():
            call_command("flush", interactive=False, verbosity=0)
        build_city(args.premises, args.people)
    if not RiskDataset.objects.filter(kind="listings", active=True).exists():
        riskimport.import_nhc()
    sessions = officer_sessions(args.officers)
    landlord = user_create(username=f"bench_submitter_{int(time.time())}", password=None, role="landlord")
    mine = premises_create(actor=landlord, name="基准出租屋", kind="rental", address="x", adcode="350203010")
    token = token_create(user=landlord, name="bench").secret

    env = {**os.environ}
    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "waitress", f"--threads={args.threads}",
                               f"--listen=127.0.0.1:{args.port}", "pingan.config.wsgi:application"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    worker = subprocess.Popen([sys.executable, "-m", "pingan.cli", "worker", "--interval", "0.05"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import requests

    try:
        wait_up(f"{base}/login/")
        # --- 1. officers
        def officer(key: str) -> list[float]:
            s = requests.Session()
            s.cookies.set("sessionid", key)
            times = []
            if args.think:  # officers do not all press the button in the same millisecond
                time.sleep(random.uniform(0, args.think))
            for _ in range(args.requests):
                t = time.perf_counter()
                r = s.get(f"{base}/police/", timeout=60)
                times.append((time.perf_counter() - t) * 1000)
                if r.status_code != 200:
                    raise SystemExit(f"officer view answered {r.status_code}")
                if args.think:
                    time.sleep(random.uniform(0.5, 1.5) * args.think)
            return times

        officer(sessions[0])  # warm up
        t0 = time.perf_counter()
        with ThreadPoolExecutor(args.officers) as pool:
            lat = [t for ts in pool.map(officer, sessions) for t in ts]
        wall = time.perf_counter() - t0
        officers = {"requests": len(lat), "p50_ms": pct(lat, 50), "p95_ms": pct(lat, 95), "p99_ms": pct(lat, 99),
                    "mean_ms": statistics.fmean(lat), "throughput_rps": len(lat) / wall}
        print(f"jurisdiction view, {args.officers} concurrent officers (think {args.think} s), {len(lat)} requests: "
              f"p50 {officers['p50_ms']:.0f} ms, p95 {officers['p95_ms']:.0f} ms, p99 {officers['p99_ms']:.0f} ms, "
              f"{officers['throughput_rps']:.1f} req/s")
        # --- 2. submissions
        sub = []
        hdr = {"Authorization": f"Bearer {token}"}
        for i in range(args.submissions):
            t = time.perf_counter()
            r = requests.post(f"{base}/api/v1/jobs", headers=hdr, data={"premises_id": mine.pk},
                              files={"roster": ("roster.csv", roster_50(i), "text/csv")}, timeout=60)
            job = r.json()
            while job["status"] in ("queued", "running"):
                time.sleep(0.02)
                job = requests.get(f"{base}/api/v1/jobs/{job['id']}", headers=hdr, timeout=60).json()
            if job["status"] != "done":
                raise SystemExit(f"submission failed: {job['error']}")
            sub.append((time.perf_counter() - t) * 1000)
        submissions = {"n": len(sub), "p50_ms": pct(sub, 50), "p95_ms": pct(sub, 95), "max_ms": max(sub)}
        print(f"50-row submission, upload to result, {len(sub)} runs: p50 {submissions['p50_ms']:.0f} ms, "
              f"p95 {submissions['p95_ms']:.0f} ms")
        OUT.mkdir(exist_ok=True)
        (OUT / f"web_bench_think{args.think:g}.json").write_text(json.dumps({
            "premises": Premises.objects.count(), "people": args.people, "think_s": args.think, "officers": officers,
            "submission": submissions, "server": f"waitress, {args.threads} threads", "cpus": os.cpu_count()},
            indent=2))
    finally:
        for p in (server, worker):
            p.terminate()
            p.wait(10)


if __name__ == "__main__":
    main()
