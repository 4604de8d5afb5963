"""CPU per event of each stage of the alerts pipeline, in process (no broker, no terminals): the figure to
project throughput from on a shared machine, where wall times lie.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``…/pingan_bench_alerts_cpu``, dropped and created
afresh) with the Xiamen demo devices, it makes ``--events`` payloads with the mix of ``bench/alerts_bench.py``
(92 % plate reads, 7 % heartbeats, 0.5 % gunshots/smoke alarms, 0.1 % malformed) and measures, in CPU seconds
of this process and of its PostgreSQL backend (``/proc/<pid>/stat``):

1. ``ingest``: ``events_ingest`` over batches of ``--batch`` raw MQTT-like inputs (judge + log append);
2. ``ingest-mqtt``: the same number of other events through a private Mosquitto (the broker settings of
   docs/alerts.md) into :class:`pingan.alerts.mqtt.MqttIngest` in this process — what the ``pingan alerts
   ingest-mqtt`` process spends: the gmqtt network thread, the acknowledgement after commit, the batching and
   ``events_ingest`` (the devices' side publishes from a child process at ``--rate`` events/s, not counted);
3. ``worker``: ``Worker.step`` until the log is consumed (rules, alerts, feed, checkpoint); with
   ``--partitions N``, each of the N partitions in turn (``worker-p<i>of<N>``), each over the whole log: the
   per-event CPU of every partition is what N processes would each spend, so the largest is the throughput
   bound on N cores;
4. ``stream`` (with ``--stream-items N``): the web process's CPU per delivery — uvicorn serving pingan's ASGI
   application in a child process, ``--terminals`` SSE terminals in another (those of ``bench/alerts_bench.py``,
   one per on-duty officer), and N alert items appended to the feed from this process, ``--stream-per-commit``
   a transaction at ``--stream-rate`` items/s, each for one unit's officers in turn; the figure is the server's
   CPU (and its PostgreSQL backends') from the first append until every terminal has every item of its unit,
   divided by the deliveries (the terminals' duplicates, and items not delivered 3 s after the last append, are
   reported beside it).

``--profile ingest|ingest-mqtt|worker`` prints a cProfile of that stage (sorted by internal time; ``--profile-out
FILE`` keeps the stats for ``pstats``); ``--queries`` counts each stage's SQL statements (the counting costs
CPU of its own: leave it off for the figures).

Run: ``nice -n 10 .venv/bin/python bench/alerts_cpu.py --events 50000``.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def proc_cpu(pid: int) -> float:
    """utime + stime of a process in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def payloads(n: int, devices: list, prefix: str, alert_fraction: float = 0.005, seed: int = 7, tag: str = ""):
    """``n`` (topic, payload bytes) pairs with the benchmark's mix."""
    rng = random.Random(seed)
    anpr = [d for d in devices if d[1] == "anpr"]
    others = [d for d in devices if d[1] != "anpr"]
    when = dt.datetime.now(dt.UTC).isoformat()
    out = []
    for seq in range(n):
        r = rng.random()
        if r < 0.001:
            dev = rng.choice(devices)[0]
            out.append((f"{prefix}/{dev}/events", b'{"event_id": "broken'))
        elif r < 0.001 + alert_fraction:
            dev, kind, lon, lat = rng.choice(others)
            p = {
                "event_id": f"a{tag}{seq}",
                "device_id": dev,
                "type": "gunshot" if kind == "acoustic" else "smoke",
                "time": when,
                "position": {"lon": lon + rng.uniform(-0.01, 0.01), "lat": lat + rng.uniform(-0.01, 0.01)},
            }
            out.append((f"{prefix}/{dev}/events", json.dumps(p).encode()))
        elif r < 0.08:
            dev = rng.choice(devices)[0]
            p = {"event_id": f"h{tag}{seq}", "device_id": dev, "type": "heartbeat", "time": when}
            out.append((f"{prefix}/{dev}/events", json.dumps(p).encode()))
        else:
            dev = rng.choice(anpr)[0]
            plate = "闽D" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))
            p = {
                "event_id": f"p{tag}{seq}",
                "device_id": dev,
                "type": "anpr",
                "time": when,
                "attributes": {"plate": plate, "reliability": rng.randint(60, 99)},
            }
            out.append((f"{prefix}/{dev}/events", json.dumps(p, ensure_ascii=False).encode()))
    return out


def publish_process(port: int, data: list, rate: float) -> None:
    """The devices: QoS 1 publishes at ``rate`` events/s (0: as fast as the broker takes them)."""
    from alerts_bench import RawPublisher

    pub = RawPublisher("127.0.0.1", port, "bench-devices", window=5000)
    t0 = time.monotonic()
    for i, (topic, payload) in enumerate(data):
        pub.publish(topic, payload)
        if i % 100 == 99:
            pub.flush()
            if rate:
                ahead = (i + 1) / rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
    pub.flush()
    while pub.acked < pub.sent:
        time.sleep(0.01)
    pub.close()


def stream_stage(info: dict, items: int, rate: float, per_commit: int) -> dict:
    """The SSE server's CPU per delivery (stage 4 of the module's docstring)."""
    import multiprocessing
    import subprocess
    from collections import Counter

    from alerts_bench import free_port, terminals_process
    from alerts_bench import proc_cpu as proc_cpu_children
    from django.db import connection, transaction

    from pingan.alerts.services import feed_append_many
    from pingan.core.models import OrgUnit

    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "pingan.config.asgi:application", "--port", str(port), "--log-level",
         "warning", "--lifespan", "off", "--no-access-log"],
        env={**os.environ, "PGAPPNAME": "bench-web"},
    )
    ctx = multiprocessing.get_context("spawn")
    connected, stop_flag = ctx.Value("i", 0), ctx.Event()
    results_rx, results_tx = ctx.Pipe(duplex=False)
    sessions = info["sessions"]
    terms = ctx.Process(target=terminals_process, args=(port, sessions, connected, stop_flag, results_tx),
                        daemon=True)
    per_unit = Counter(unit for _, unit in sessions)
    units = sorted(per_unit)
    try:
        deadline = time.monotonic() + 120
        terms.start()
        while connected.value < len(sessions) and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(2)  # the hub has read the head; the back-fills are done

        def web_cpu() -> tuple[float, float]:
            with connection.cursor() as cur:
                cur.execute("SELECT pid FROM pg_stat_activity WHERE application_name = 'bench-web' AND datname = "
                            "current_database()")
                backends = [r[0] for r in cur.fetchall()]
            return proc_cpu_children(web.pid), sum(proc_cpu(b) for b in backends)

        c0, b0 = web_cpu()
        t0 = time.monotonic()
        expected = 0
        rng = random.Random(11)
        for i in range(0, items, per_commit):
            batch = []
            for j in range(i, min(items, i + per_commit)):
                unit = units[j % len(units)]
                expected += per_unit[unit]
                batch.append((OrgUnit(pk=unit), ("officer", "station_chief"), "alert", None, {
                    "id": j + 1, "priority": "P1", "rule": "gunshot", "kind": "immediate",
                    "summary": "gunshot.detected", "params": {"confidence": rng.randint(60, 99), "rounds": 3},
                    "state": "new", "status": "firing", "lon": 118.13 + rng.random() / 100,
                    "lat": 24.48 + rng.random() / 100, "unit": "莲前派出所", "unit_en": "Lianqian Police Station",
                    "device": "35020301001340000002", "device_name": "莲前街道声学传感器",
                    "device_name_en": "Lianqian acoustic sensor", "raised_at": dt.datetime.now(dt.UTC).isoformat(),
                    "event_keys": [f"35020301001340000002/a{j}"], "owner": "", "group": []}))
            with transaction.atomic():
                feed_append_many(batch)
            ahead = (i + per_commit) / rate - (time.monotonic() - t0)
            if ahead > 0:
                time.sleep(ahead)
        appended = time.monotonic() - t0
        time.sleep(3)  # the last items reach the terminals (milliseconds, unless the machine is saturated)
        c1, b1 = web_cpu()  # before the terminals disconnect
        stop_flag.set()  # the terminals report what they received
        received, dupes = results_rx.recv() if results_rx.poll(90) else ([], -1)
        delivered = sum(len(r) for r in received)
    finally:
        stop_flag.set()
        terms.join(10)
        web.terminate()
        web.wait(10)
    return {
        "terminals": len(sessions), "items": items, "per_commit": per_commit, "rate": rate,
        "deliveries": delivered, "expected": expected, "duplicates": dupes, "append_s": round(appended, 1),
        "web_us_per_delivery": round((c1 - c0) / max(delivered, 1) * 1e6, 1),
        "web_postgres_us_per_delivery": round((b1 - b0) / max(delivered, 1) * 1e6, 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=50_000)
    ap.add_argument("--batch", type=int, default=500)
    ap.add_argument("--terminals", type=int, default=500)
    ap.add_argument("--profile", choices=("ingest", "ingest-mqtt", "worker"), default=None)
    ap.add_argument("--profile-out", default="", help="also write the --profile stage's cProfile stats to this file")
    ap.add_argument("--queries", action="store_true", help="count the SQL statements of each stage")
    ap.add_argument("--rate", type=float, default=0, help="events/s published in ingest-mqtt (0: flat out)")
    ap.add_argument("--partitions", type=int, default=1, help="measure the worker as N partitions, one after another")
    ap.add_argument("--stream-items", type=int, default=0, help="also measure the SSE server over N feed items")
    ap.add_argument("--stream-rate", type=float, default=50, help="feed items/s appended in the stream stage")
    ap.add_argument("--stream-per-commit", type=int, default=2, help="feed items per transaction in the stream stage")
    ap.add_argument("--only-stream", action="store_true", help="skip the ingest and worker stages")
    args = ap.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_bench_alerts_cpu")
    from alerts_bench import setup

    info = setup(db_url, tempfile.mkdtemp(prefix="pingan-alerts-cpu-"), args.terminals)
    from django.conf import settings
    from django.db import connection

    from pingan.alerts.mqtt import device_of
    from pingan.alerts.services import RawInput, counters, events_ingest
    from pingan.alerts.worker import Worker

    prefix = settings.PINGAN["MQTT_TOPIC_PREFIX"]
    data = payloads(args.events, info["devices"], prefix)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    me = os.getpid()
    load = os.getloadavg()
    results = {}

    def measure(name, fn, n=args.events):
        prof = cProfile.Profile(time.process_time) if args.profile == name else None
        from django.test.utils import CaptureQueriesContext

        queries = CaptureQueriesContext(connection) if args.queries else None
        c0, b0, w0 = proc_cpu(me), proc_cpu(backend), time.monotonic()
        if prof:
            prof.enable()
        if queries is not None:
            with queries:
                extra = fn()
            import collections
            import re

            shapes = collections.Counter(re.sub(r"\s+", " ", q["sql"])[:70] for q in queries.captured_queries)
            extra = {**(extra or {}), "sql_statements": len(queries), "sql_top": shapes.most_common(12)}
        else:
            extra = fn()
        if prof:
            prof.disable()
        c1, b1, w1 = proc_cpu(me), proc_cpu(backend), time.monotonic()
        results[name] = {
            "python_us_per_event": round((c1 - c0) / n * 1e6, 1),
            "postgres_us_per_event": round((b1 - b0) / n * 1e6, 1),
            "wall_s": round(w1 - w0, 1),
            **(extra or {}),
        }
        if prof and args.profile_out:
            prof.dump_stats(args.profile_out)
        if prof:
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
            pstats.Stats(prof).sort_stats("cumulative").print_stats("pingan", 30)

    def ingest():
        for i in range(0, len(data), args.batch):
            events_ingest(
                inputs=[
                    RawInput(payload=p, topic=t, topic_device=device_of(t, prefix)) for t, p in data[i : i + args.batch]
                ],
                source="mqtt",
            )
        return {"counters": counters()}

    def ingest_mqtt():
        import multiprocessing

        from alerts_bench import start_mosquitto

        from pingan.alerts.mqtt import MqttIngest

        broker, port = start_mosquitto(Path(tempfile.mkdtemp(prefix="pingan-alerts-cpu-mqtt-")))
        try:
            sub = MqttIngest(url=f"mqtt://127.0.0.1:{port}", client_id="bench-ingest", batch=args.batch)
            sub.start()
            pub = multiprocessing.get_context("spawn").Process(
                target=publish_process, args=(port, mqtt_data, args.rate)
            )
            pub.start()
            deadline = time.monotonic() + 600
            while sub.ingested < len(mqtt_data) and time.monotonic() < deadline:
                sub.drain_once()
            pub.join(30)
            sub.stop()
        finally:
            broker.terminate()
            broker.wait(10)
        return {"ingested": sub.ingested, "rate_asked": args.rate, "counters": counters()}

    def work(part=(0, 1)):
        w = Worker(batch=args.batch, snapshot_every_s=30, partition=part)
        while w.step(timeout=0):
            pass
        from pingan.alerts.models import Alert, FeedItem

        return {"alerts": Alert.objects.count(), "feed_items": FeedItem.objects.count(), "counters": counters()}

    if not args.only_stream:
        measure("ingest", ingest)
        mqtt_data = payloads(args.events, info["devices"], prefix, seed=8, tag="m")
        measure("ingest-mqtt", ingest_mqtt)
        logged = 2 * args.events
        if args.partitions == 1:
            measure("worker", work, logged)
        for i in range(args.partitions if args.partitions > 1 else 0):
            measure(f"worker-p{i}of{args.partitions}", lambda i=i: work((i, args.partitions)), logged)
    if args.stream_items:
        results["stream"] = stream_stage(info, args.stream_items, args.stream_rate, args.stream_per_commit)
    print(json.dumps({"events": args.events, "batch": args.batch, "load": load, **results}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
