"""Booking opens at 08:00 for a popular counter (issue 18): 2,000 citizens try for 200 places within a few
seconds. Target: places filled exactly 200, no double booking, p95 response < 500 ms on PostgreSQL.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/pingan_citizen_bench``), with a real WSGI server (waitress,
``--threads`` threads) in a child process:

1. one counter of the demo station 莲前派出所 with ``--slots`` slots of ``--capacity`` places on the first
   bookable day (default 20 × 10 = 200 places), and ``--citizens`` synthetic citizens (Faker zh_CN names and
   GB 11643 numbers), each with an API token — bulk-created, not through the services, to build it in seconds;
2. **the rush**: every citizen, in ``--clients`` client threads released together, asks
   ``POST /api/v1/citizen/bookings`` for a random slot; refused with ``409 slot_full`` they try another random
   slot, up to ``--tries`` attempts in all (as people press again when told the time has gone);
3. **the check**: places taken = bookings = the places on offer (200), no slot over capacity, no person twice
   on the day, every refusal a 409 ``slot_full`` (no 5xx).

**Floor** (``--floor``): the same rush calling ``citizen.services.booking_create`` in-process from the client
threads (no HTTP, no server): what the database work alone costs.

Run: ``.venv/bin/python bench/citizen_bench.py`` (``--floor`` adds the in-process run). Figures are printed
with the load average before and after and the CPU seconds of the server process (``/proc/<pid>/stat``)
and of the benchmark's own process (the clients; ``time.process_time``), and written to
``bench/out/citizen_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def pct(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank) of ``values``."""
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s)) - 1))] if s else float("nan")


def load() -> float:
    return os.getloadavg()[0]


def proc_cpu_s(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat`` utime + stime)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def setup_django(db_url: str, data_dir: str) -> None:
    os.environ.update({"PINGAN_DATABASE_URL": db_url, "PINGAN_DATA_DIR": data_dir, "PINGAN_DEBUG": "false",
                       "DJANGO_SETTINGS_MODULE": "pingan.config.settings"})
    os.environ.pop("PINGAN_PRODUCTION", None)
    import django

    django.setup()


def build(citizens: int, slots: int, capacity: int, seed: int = 18) -> tuple[int, list[int], dict[int, str]]:
    """Counter, slots of the first bookable day and citizens with tokens; returns (counter id, slot ids,
    user id → token secret)."""
    import datetime as dt

    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from faker import Faker

    from pingan.citizen import rules, services
    from pingan.citizen.models import Booking, Counter, Identity, Slot
    from pingan.core.models import ApiToken, OrgUnit, User
    from pingan.core.reference import demo_org_load
    from pingan.core.services import token_create

    demo_org_load()
    services.catalogue_load()
    Booking.objects.all().delete()
    Slot.objects.all().delete()
    Counter.objects.all().delete()
    ApiToken.objects.filter(user__username__startswith="rush_").delete()
    Identity.objects.filter(user__username__startswith="rush_").delete()
    User.objects.filter(username__startswith="rush_").delete()
    unit = OrgUnit.objects.get(code="350203-LQ")
    counter = services.counter_create(unit=unit, name="莲前派出所户政窗口（基准）", services=["id_card_replacement"],
                                      sessions=[["08:00", "18:00"]], slot_minutes=600 // slots, capacity=capacity)
    day = rules.bookable_days(rules.booking_rules(), dt.date.today(), weekdays=counter.weekdays)[0]
    starts = rules.day_slots(services.counter_sessions(counter), counter.slot_minutes)[:slots]
    Slot.objects.bulk_create([Slot(counter=counter, day=day, start=s, capacity=capacity) for s in starts])
    slot_ids = list(Slot.objects.filter(counter=counter).values_list("pk", flat=True))
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    numbers: set[str] = set()
    while len(numbers) < citizens:
        numbers.add(fake.ssn(min_age=18, max_age=80))
    unusable = make_password(None)
    users = User.objects.bulk_create([User(username=f"rush_{i:05d}", role="citizen", password=unusable)
                                      for i in range(citizens)])
    Identity.objects.bulk_create([Identity(user=u, name=fake.name(), id_number=n)
                                  for u, n in zip(users, sorted(numbers), strict=True)])
    tokens = {u.pk: token_create(user=u, name="rush").secret for u in users}
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return counter.pk, slot_ids, tokens


def rush(attempt, user_ids: list[int], slot_ids: list[int], clients: int, tries: int, seed: int = 8) -> dict:
    """Every user tries for a random slot, and another after a refusal, up to ``tries`` times; ``attempt(user,
    slot)`` returns (status, seconds). Client threads wait at a barrier so that the rush starts together."""
    rnd = random.Random(seed)
    plans = {u: rnd.sample(slot_ids, min(tries, len(slot_ids))) for u in user_ids}
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    booked: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    queue = list(user_ids)

    def client(_: int) -> None:
        barrier.wait()
        while True:
            with lock:
                if not queue:
                    return
                user = queue.pop()
            for slot in plans[user]:
                status, seconds = attempt(user, slot)
                with lock:
                    latencies.append(seconds)
                    statuses[status] = statuses.get(status, 0) + 1
                    if status == 201:
                        booked.append(user)
                if status != 409:
                    break

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    ms = [x * 1000 for x in latencies]
    return {"requests": len(ms), "wall_s": round(wall, 2), "req_per_s": round(len(ms) / wall, 1),
            "p50_ms": round(pct(ms, 50), 1), "p95_ms": round(pct(ms, 95), 1), "p99_ms": round(pct(ms, 99), 1),
            "max_ms": round(max(ms), 1), "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "people_booked": len(booked), "people_booked_distinct": len(set(booked))}


def check(slot_ids: list[int]) -> dict:
    from django.db.models import Count, F, Sum

    from pingan.citizen.models import Booking, Slot

    slots = Slot.objects.filter(pk__in=slot_ids)
    active = Booking.objects.filter(slot__in=slots, status="booked")
    return {"places": slots.aggregate(n=Sum("capacity"))["n"], "taken": slots.aggregate(n=Sum("taken"))["n"],
            "bookings": active.count(),
            "slots_over_capacity": slots.filter(taken__gt=F("capacity")).count(),
            "slots_where_bookings_differ_from_taken": sum(
                1 for s in slots.annotate(n=Count("bookings")) if s.n != s.taken),
            "people_twice_on_the_day": active.values("id_number", "day").annotate(n=Count("id")).filter(n__gt=1)
            .count()}


def reset(slot_ids: list[int]) -> None:
    from pingan.citizen.models import Booking, Slot

    Booking.objects.filter(slot_id__in=slot_ids).delete()
    Slot.objects.filter(pk__in=slot_ids).update(taken=0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--citizens", type=int, default=2000)
    ap.add_argument("--slots", type=int, default=20)
    ap.add_argument("--capacity", type=int, default=10)
    ap.add_argument("--clients", type=int, default=100, help="client threads sending at once")
    ap.add_argument("--tries", type=int, default=3, help="attempts per citizen (another slot after a 409)")
    ap.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    ap.add_argument("--port", type=int, default=8818)
    ap.add_argument("--floor", action="store_true", help="also the in-process run (services, no HTTP)")
    args = ap.parse_args()

    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/pingan_citizen_bench")
    data_dir = tempfile.mkdtemp(prefix="pingan-citizen-bench-")
    setup_django(db_url, data_dir)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    _counter, slot_ids, tokens = build(args.citizens, args.slots, args.capacity)
    print(f"built: {len(tokens):,} citizens, {len(slot_ids)} slots × {args.capacity} places "
          f"in {time.perf_counter() - t0:.1f} s")
    results: dict = {"citizens": args.citizens, "places": len(slot_ids) * args.capacity, "clients": args.clients,
                     "tries": args.tries, "cpus": os.cpu_count()}

    import requests

    base = f"http://127.0.0.1:{args.port}"
    server = subprocess.Popen([sys.executable, "-m", "waitress", f"--threads={args.threads}",
                               f"--listen=127.0.0.1:{args.port}", "pingan.config.wsgi:application"],
                              env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    local = threading.local()
    try:
        for _ in range(300):
            try:
                if requests.get(f"{base}/api/v1/citizen/services/counts", timeout=30).ok:
                    break
            except requests.RequestException:  # not listening yet, or still starting up
                time.sleep(0.2)

        def over_http(user: int, slot: int) -> tuple[int, float]:
            s = getattr(local, "s", None) or requests.Session()
            local.s = s
            t = time.perf_counter()
            try:
                r = s.post(f"{base}/api/v1/citizen/bookings", json={"slot_id": slot, "service": "id_card_replacement"},
                           headers={"Authorization": f"Bearer {tokens[user]}"}, timeout=120)
            except requests.RequestException:
                return 598, time.perf_counter() - t  # no answer in time: counted, not retried
            seconds = time.perf_counter() - t
            if r.status_code == 409 and r.json().get("code") != "slot_full":
                return 499, seconds
            return r.status_code, seconds

        before, server_cpu, client_cpu = load(), proc_cpu_s(server.pid), time.process_time()
        figures = rush(over_http, list(tokens), slot_ids, args.clients, args.tries)
        server_cpu, client_cpu = proc_cpu_s(server.pid) - server_cpu, time.process_time() - client_cpu
        figures.update(load_before=round(before, 2), load_after=round(load(), 2),
                       server=f"waitress, {args.threads} threads", server_cpu_s=round(server_cpu, 2),
                       server_cpu_ms_per_request=round(server_cpu * 1000 / figures["requests"], 2),
                       client_cpu_s=round(client_cpu, 2))
        figures["check"] = check(slot_ids)
        results["http"] = figures
        print("HTTP  ", json.dumps(figures, ensure_ascii=False))
    finally:
        server.terminate()
        server.wait(10)

    if args.floor:
        from django.db import connections

        from pingan.citizen import services
        from pingan.core.errors import DomainError
        from pingan.core.models import User

        reset(slot_ids)
        users = {u.pk: u for u in User.objects.filter(pk__in=list(tokens))}

        def in_process(user: int, slot: int) -> tuple[int, float]:
            t = time.perf_counter()
            try:
                services.booking_create(actor=users[user], slot_id=slot, service="id_card_replacement")
                status = 201
            except DomainError as exc:
                status = exc.status
            return status, time.perf_counter() - t

        before, cpu = load(), time.process_time()
        clients = min(args.clients, 20)  # one PostgreSQL connection per thread
        figures = rush(in_process, list(tokens), slot_ids, clients, args.tries)
        cpu = time.process_time() - cpu
        connections.close_all()
        figures.update(load_before=round(before, 2), load_after=round(load(), 2), clients=clients,
                       cpu_s=round(cpu, 2), cpu_ms_per_request=round(cpu * 1000 / figures["requests"], 2))
        figures["check"] = check(slot_ids)
        results["floor_in_process"] = figures
        print("FLOOR ", json.dumps(figures, ensure_ascii=False))

    OUT.mkdir(exist_ok=True)
    (OUT / "citizen_bench.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    ok = results["http"]["check"]
    good = (ok["taken"] == ok["bookings"] == ok["places"] and not ok["slots_over_capacity"]
            and not ok["people_twice_on_the_day"] and not ok["slots_where_bookings_differ_from_taken"])
    print(f"places filled {ok['bookings']}/{ok['places']}, double bookings {ok['people_twice_on_the_day']}, "
          f"over capacity {ok['slots_over_capacity']}: {'OK' if good else 'FAILED'}; "
          f"p95 {results['http']['p95_ms']} ms (target < 500) at load {results['http']['load_before']}"
          f"→{results['http']['load_after']}, server CPU {results['http']['server_cpu_ms_per_request']} ms a request")


if __name__ == "__main__":
    main()
