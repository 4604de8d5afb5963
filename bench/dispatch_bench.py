"""Dispatch benchmark (issue 14): a city-size shift — 2,000 patrol units reporting positions every 10 s over MQTT —
with the nearest-unit query's latency (target p99 < 20 ms) and the console's refresh: the time from a unit's
status change (committed) until the console's poll shows it (target p99 < 1 s). Prints figures; not a test.

    PINGAN_BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/pingan_bench_dispatch \\
        .venv/bin/python bench/dispatch_bench.py --units 2000 --duration 120

Path measured: positions over the local Mosquitto (QoS 0) → ``pingan dispatch worker`` (``positions_ingest``,
batches every 200 ms) → PostgreSQL; nearest-unit queries in this process (``services.candidates`` on a random
point of Xiamen, the query the console's dispatch panel and the API run); the console as the browser polls it
(``/dispatch/console/state/`` every 500 ms with its version) from uvicorn in a child process, as a dispatcher
who sees the whole city; alerts raised at ``--alerts-per-s`` straight into the database (the alerts pipeline's
own load is measured by bench/alerts_bench.py, not repeated here).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BBOX = (118.02, 24.42, 118.25, 24.62)  # Xiamen island and the mainland districts around it (WGS-84)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(xs: list[float], p: float) -> float:
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = (len(xs) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def setup(db_url: str, data_dir: str, n_units: int) -> dict:
    base, _, name = db_url.rpartition("/")
    subprocess.run(["psql", "-q", f"{base}/postgres", "-c", f"DROP DATABASE IF EXISTS {name}"], check=True)
    subprocess.run(["psql", "-q", f"{base}/postgres", "-c", f"CREATE DATABASE {name}"], check=True)
    os.environ.update(
        {
            "PINGAN_DATABASE_URL": db_url,
            "PINGAN_DATA_DIR": data_dir,
            "DJANGO_SETTINGS_MODULE": "pingan.config.settings",
            "PINGAN_LOG_LEVEL": "ERROR",
        }
    )
    import django

    django.setup()
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    from pingan.alerts.demo import demo_setup
    from pingan.core.models import OrgUnit, User
    from pingan.core.reference import demo_org_load
    from pingan.dispatch.models import PatrolUnit, Shift, ShiftAssignment

    demo_org_load()
    demo_setup()
    stations = list(OrgUnit.objects.filter(kind="station").order_by("code"))
    centre = OrgUnit.objects.get(code="350200-ZH")
    dispatcher = User.objects.create(username="bench-dispatcher", role="dispatcher", unit=centre, password="!")  # noqa: S106
    now = timezone.now()
    rng = random.Random(14)
    kinds = ["car"] * 5 + ["motorcycle"] * 3 + ["foot"] * 2
    units = PatrolUnit.objects.bulk_create(
        [
            PatrolUnit(
                code=f"B{i:05d}",
                kind=kinds[i % len(kinds)],
                unit=stations[i % len(stations)],
                status="available",
                status_since=now,
                lon=rng.uniform(BBOX[0], BBOX[2]),
                lat=rng.uniform(BBOX[1], BBOX[3]),
                position_at=now,
            )
            for i in range(n_units)
        ]
    )
    shifts = {
        s.pk: Shift.objects.create(
            unit=s, name="bench", starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=11)
        )
        for s in stations
    }
    ShiftAssignment.objects.bulk_create([ShiftAssignment(shift=shifts[u.unit_id], patrol_unit=u) for u in units])
    s = SessionStore()
    s["_auth_user_id"], s["_auth_user_backend"] = str(dispatcher.pk), "django.contrib.auth.backends.ModelBackend"
    s["_auth_user_hash"] = dispatcher.get_session_auth_hash()
    s.create()
    return {
        "session": s.session_key,
        "codes": [u.code for u in units],
        "ids": [u.pk for u in units],
        "stations": [st.pk for st in stations],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--interval", type=float, default=10.0, help="seconds between a unit's positions (default 10)")
    ap.add_argument("--duration", type=float, default=120.0)
    ap.add_argument("--alerts-per-s", type=float, default=1.0)
    ap.add_argument("--mqtt", default="127.0.0.1:1883")
    args = ap.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_bench_dispatch")
    tmp = tempfile.mkdtemp(prefix="pingan-dispatch-bench-")
    t0 = time.monotonic()
    info = setup(db_url, tmp, args.units)
    print(
        f"setup {time.monotonic() - t0:.1f} s: {args.units} units on shift in {len(info['stations'])} stations; "
        f"load {load()}",
        flush=True,
    )

    prefix = f"bench-{secrets.token_hex(3)}/v1/units"
    host, _, mport = args.mqtt.partition(":")
    env = dict(os.environ, PINGAN_MQTT_UNITS_PREFIX=prefix, PINGAN_MQTT_URL=f"mqtt://{host}:{mport}")
    port = free_port()
    procs = [
        # the AVL worker prints its counters (received, stored, refused, backlog) every 5 s and when it stops
        subprocess.Popen([sys.executable, "-m", "pingan.cli", "dispatch", "worker", "--stats-every", "5"],
                         env=dict(env, PYTHONUNBUFFERED="1"),
                         cwd=str(ROOT), stdout=subprocess.PIPE, text=True, bufsize=1),
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "pingan.config.asgi:application",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
            env=env,
            cwd=str(ROOT),
        ),
    ]
    stop = threading.Event()
    # the worker's lines: "dispatch worker: … AVL over MQTT" once subscribed, then "avl key=value …" counters
    worker_lines: list[str] = []
    subscribed = threading.Event()

    def read_worker():
        for line in procs[0].stdout:
            worker_lines.append(line.rstrip())
            if "AVL over MQTT" in line:
                subscribed.set()

    threading.Thread(target=read_worker, daemon=True).start()
    published = [0]
    publish_failed = [0]  # paho refused to queue it (not connected)

    def publisher():
        import paho.mqtt.client as mqtt

        c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{secrets.token_hex(3)}")
        c.connect(host, int(mport))
        c.loop_start()
        rng = random.Random(1)
        rate = args.units / args.interval
        start, i = time.monotonic(), 0
        pos = {code: (rng.uniform(BBOX[0], BBOX[2]), rng.uniform(BBOX[1], BBOX[3])) for code in info["codes"]}
        while not stop.is_set():
            due = start + i / rate
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            code = info["codes"][i % len(info["codes"])]
            lon, lat = pos[code]
            lon, lat = lon + rng.uniform(-2e-4, 2e-4), lat + rng.uniform(-2e-4, 2e-4)  # ~20 m a step
            pos[code] = (lon, lat)
            info_ = c.publish(
                f"{prefix}/{code}/position",
                json.dumps({"lon": lon, "lat": lat, "crs": "wgs84", "time": dt.datetime.now(dt.UTC).isoformat()}),
                qos=0,
            )
            published[0] += 1
            publish_failed[0] += info_.rc != mqtt.MQTT_ERR_SUCCESS
            i += 1
        # DISCONNECT goes out after the publishes queued before it; stopping the loop first dropped them
        c.disconnect()
        c.loop_stop()

    # wait for the web server
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.2)
    # publish only once the worker is subscribed: QoS 0 with no subscriber is dropped by the broker, and the
    # worker's start (Django, the broker connection) can take seconds on a loaded machine
    if not subscribed.wait(120):
        print("the AVL worker did not subscribe within 120 s", flush=True)
    pub_thread = threading.Thread(target=publisher, daemon=True)
    pub_thread.start()
    time.sleep(3)

    changes: dict[tuple[str, str], float] = {}
    seen: dict[tuple[str, str], float] = {}
    polls: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    full_sizes: list[int] = []
    delta_sizes: list[int] = []
    lock = threading.Lock()

    def console():
        cursor = ""
        status: dict[str, str] = {}
        while not stop.is_set():
            t = time.monotonic()
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/dispatch/console/state/?cursor={cursor}",
                headers={"Cookie": f"sessionid={info['session']}", "Accept": "application/json"},
            )
            try:
                with urllib.request.urlopen(req, timeout=10) as r:  # noqa: S310 - our own server
                    body = r.read()
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            got = time.monotonic()
            polls.append(got - t)
            state = json.loads(body)
            sizes.append(len(body))
            (full_sizes if state["full"] else delta_sizes).append(len(body))
            cursor = state["cursor"]
            if state["full"]:
                status = {}
            status.update({u["code"]: u["status"] for u in state["units"]})
            with lock:
                for key, at in changes.items():
                    if key not in seen and status.get(key[0]) == key[1]:
                        seen[key] = got - at
            time.sleep(max(0.0, 0.5 - (time.monotonic() - t)))

    threading.Thread(target=console, daemon=True).start()

    from django.db import connection

    from pingan.alerts.models import Alert
    from pingan.dispatch import services

    rng = random.Random(7)
    nearest: dict[str, list[float]] = {"index": [], "db": []}
    nearest_cpu: dict[str, float] = {"index": 0.0, "db": 0.0}
    cpu0 = time.process_time()
    n_alerts = 0
    mismatches = [0]
    next_change = time.monotonic() + 1
    next_alert = time.monotonic()
    end = time.monotonic() + args.duration
    load_start = load()
    while time.monotonic() < end:
        now = time.monotonic()
        probe = Alert(rule_id="sos", lon=rng.uniform(BBOX[0], BBOX[2]), lat=rng.uniform(BBOX[1], BBOX[3]))
        order = ("index", "db") if len(nearest["db"]) % 2 else ("db", "index")
        answers = []
        for source in order:
            t, c = time.perf_counter(), time.process_time()
            answers.append(services.candidates(alert=probe, limit=5, source=source))
            nearest[source].append(time.perf_counter() - t)
            nearest_cpu[source] += time.process_time() - c
        # the same units in the same order (each answer also says how old each fix was when it was asked)
        if [(c.unit_id, c.eta_s) for c in answers[0]] != [(c.unit_id, c.eta_s) for c in answers[1]]:
            mismatches[0] += 1
        if now >= next_change:
            i = rng.randrange(len(info["ids"]))
            pu_id, code = info["ids"][i], info["codes"][i]
            from pingan.dispatch.models import PatrolUnit

            status = PatrolUnit.objects.filter(pk=pu_id).values_list("status", flat=True).get()
            to = "busy" if status == "available" else "available"
            services.unit_status_set(actor=None, patrol_unit_id=pu_id, to=to)
            with lock:
                changes[(code, to)] = time.monotonic()
            next_change = now + rng.uniform(1.5, 2.5)
        if args.alerts_per_s and now >= next_alert:
            from django.utils import timezone

            ts = timezone.now()
            Alert.objects.create(
                fingerprint=secrets.token_hex(8),
                priority=rng.choice(["P1", "P2", "P3"]),
                ruleset="bench",
                ruleset_version="1",
                rule_id="sos",
                kind="immediate",
                summary="immediate.sos",
                lon=probe.lon,
                lat=probe.lat,
                unit_id=rng.choice(info["stations"]),
                routed_by="bench",
                raised_at=ts,
                created_at=ts,
                last_fired_at=ts,
            )
            n_alerts += 1
            next_alert = now + 1 / args.alerts_per_s
        time.sleep(0.05)
    load_end = load()
    cpu_bench = time.process_time() - cpu0
    time.sleep(2)
    stop.set()
    pub_thread.join(30)
    time.sleep(2)  # the last positions reach the worker
    from pingan.dispatch.models import Position

    stored_before_stop = Position.objects.filter(source="mqtt").count()
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait(30)
    # counted after the worker stopped: it stores its backlog on SIGTERM
    stored = Position.objects.filter(source="mqtt").count()
    connection.close()
    time.sleep(0.5)
    avl = {}
    for line in worker_lines:
        if line.startswith("avl "):
            avl = dict(kv.split("=", 1) for kv in line.split()[1:])
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    lat = sorted(seen.values())
    missed = len(changes) - len(seen)
    ms = 1000
    print(
        f"\nduration {args.duration:.0f} s, {args.units} units every {args.interval:.0f} s "
        f"({args.units / args.interval:.0f} positions/s), {n_alerts} alerts raised; load {load_start} -> {load_end}"
    )
    print("| figure | n | p50 | p99 | max | target |")
    print("|---|---|---|---|---|---|")
    for source, xs in nearest.items():
        print(
            f"| nearest-unit query ({source}, {args.units} units) | {len(xs)} | {pct(xs, 50) * ms:.1f} ms | "
            f"{pct(xs, 99) * ms:.1f} ms | {max(xs) * ms:.1f} ms | p99 < 20 ms |"
        )
    print(
        f"| status change -> visible on the console | {len(lat)} (+{missed} not seen) | {pct(lat, 50) * ms:.0f} ms | "
        f"{pct(lat, 99) * ms:.0f} ms | {(max(lat) if lat else float('nan')) * ms:.0f} ms | p99 < 1 s |"
    )
    print(
        f"| console state poll (request) | {len(polls)} | {pct(polls, 50) * ms:.0f} ms | {pct(polls, 99) * ms:.0f} ms "
        f"| {max(polls) * ms:.0f} ms | — |"
    )
    for label, xs in (("console answer size (changes)", delta_sizes),
                      ("console answer size (whole state)", full_sizes)):
        if xs:
            print(f"| {label} | {len(xs)} | {pct(xs, 50) / 1024:.1f} KiB | {pct(xs, 99) / 1024:.1f} KiB | "
                  f"{max(xs) / 1024:.1f} KiB | — |")
    print(
        f"\nCPU: nearest-unit per query index {nearest_cpu['index'] / max(1, len(nearest['index'])) * ms:.2f} ms, "
        f"db {nearest_cpu['db'] / max(1, len(nearest['db'])) * ms:.2f} ms (bench process, Python side); "
        f"bench process {cpu_bench:.1f} s; web server + AVL worker + psql "
        f"{children.ru_utime + children.ru_stime:.1f} s "
        f"over {args.duration:.0f} s; index and db answers differed {mismatches[0]} times"
    )
    if errors:
        print(f"console poll errors: {len(errors)}, first: {errors[0]}")
    print(
        f"\nAVL (QoS 0): published {published[0]} (refused by the client library: {publish_failed[0]}); received by "
        f"the worker {avl.get('received', '?')}; stored {stored} ({stored_before_stop} before the worker stopped; "
        f"worker: stored {avl.get('stored', '?')}, refused {avl.get('refused', '?')}, not a position "
        f"{avl.get('not_a_position', '?')}, largest backlog {avl.get('max_pending', '?')}; the broker reports "
        f"{avl.get('broker_dropped', '?')} messages dropped meanwhile, -1: not heard). Published but not received: "
        f"{published[0] - int(avl.get('received', 0) or 0)}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
