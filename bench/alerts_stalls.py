"""Stalls of the alert worker's batch loop: each step's wall and CPU time, in process, with the rule state at
its caps, the snapshots and the log's pruning active — the tail a terminal sees behind the worker stage.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``…/pingan_bench_alerts_stalls``, dropped and
created afresh), the Xiamen demo devices and ``bench/alerts_bench.py``'s event mix (92 % plate reads with
random plates: ~230,000 events fill the cloned-plate state to its cap of 200,000): ``--events`` are ingested
first, then one ``Worker.run`` consumes them in batches of ``--batch`` (a worker at 5,000 events/s that keeps
up sees batches of ~100–250), saving its state every ``--snapshot-every`` s and pruning the log as it goes
(``PINGAN_EVENTS_MAX_AGE_S=1``: every processed event is due). With ``--inline`` both run between batches, as
before the worker moved them off its loop (``Worker.background = False``).

It prints, per step: wall and CPU (this thread's) p50 / p99 / max in ms and how many steps took more than
20 ms of either; each of those is logged on standard error with its phases (wall/CPU ms of refresh, read,
rules, commit, snapshot, prune: ``PINGAN_ALERTS_SLOW_STEP_MS``). CPU is the figure on a shared machine: wall
times there include other processes' turns.

Run: ``nice -n 5 .venv/bin/python bench/alerts_stalls.py [--inline]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s)) - 1))] if s else 0.0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=250_000)
    ap.add_argument("--batch", type=int, default=200)
    ap.add_argument("--snapshot-every", type=float, default=5.0, help="seconds between snapshots (default 5)")
    ap.add_argument("--inline", action="store_true", help="snapshots and pruning between batches (the old way)")
    args = ap.parse_args()
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL",
                            "postgres://postgres@127.0.0.1:5432/pingan_bench_alerts_stalls")
    os.environ["PINGAN_EVENTS_MAX_AGE_S"] = "1"
    os.environ["PINGAN_ALERTS_SLOW_STEP_MS"] = "20"
    from alerts_bench import setup
    from alerts_cpu import payloads

    info = setup(db_url, tempfile.mkdtemp(prefix="pingan-alerts-stalls-"), 4)
    from django.conf import settings

    from pingan.alerts.models import EngineSnapshot, LoggedEvent
    from pingan.alerts.mqtt import device_of
    from pingan.alerts.services import RawInput, counters, events_ingest
    from pingan.alerts.worker import Worker

    prefix = settings.PINGAN["MQTT_TOPIC_PREFIX"]
    data = payloads(args.events, info["devices"], prefix)
    t0 = time.monotonic()
    for i in range(0, len(data), 500):
        events_ingest(inputs=[RawInput(payload=p, topic=t, topic_device=device_of(t, prefix))
                              for t, p in data[i:i + 500]], source="mqtt")
    print(f"ingested {len(data)} in {time.monotonic() - t0:.0f} s; load {os.getloadavg()}", flush=True)
    del data
    last = LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    time.sleep(1.5)  # every event older than PINGAN_EVENTS_MAX_AGE_S: the pruning has work from the start

    logging.getLogger("pingan.alerts.worker").setLevel(logging.WARNING)  # the slow steps' phases, on stderr
    w = Worker(batch=args.batch, snapshot_every_s=args.snapshot_every, prune_every_s=1.0)
    w.background = not args.inline
    w._next_prune = 0
    steps: list[tuple[float, float, int]] = []
    snapshots = {"n": 0}
    step, snapshot = w.step, w.snapshot

    def timed_step(**kw):
        t, c = time.perf_counter(), time.thread_time()
        n = step(**kw)
        steps.append((time.perf_counter() - t, time.thread_time() - c, n))
        return n

    def counted_snapshot():
        snapshots["n"] += 1
        snapshot()

    w.step, w.snapshot = timed_step, counted_snapshot
    load0, t0 = os.getloadavg(), time.monotonic()
    w.run(stop=lambda: w.position >= last)
    wall = time.monotonic() - t0
    busy = [s for s in steps if s[2]]
    walls, cpus = [1000 * s[0] for s in busy], [1000 * s[1] for s in busy]
    saved = EngineSnapshot.objects.filter(checkpoint_id=w.consumer).values("position", "entries", "size").first()
    out = {
        "mode": "inline (between batches)" if args.inline else "snapshot in a forked child, pruning in a thread",
        "events": args.events, "batch": args.batch, "snapshot_every_s": args.snapshot_every,
        "load_start_end": [round(load0[0], 1), round(os.getloadavg()[0], 1)],
        "worker_wall_s": round(wall, 1), "steps_with_events": len(busy), "snapshots": snapshots["n"],
        "step_wall_ms_p50_p99_max": [round(pct(walls, 50), 1), round(pct(walls, 99), 1), round(max(walls), 1)],
        "step_cpu_ms_p50_p99_max": [round(pct(cpus, 50), 1), round(pct(cpus, 99), 1), round(max(cpus), 1)],
        "steps_over_20ms_wall_cpu": [sum(x > 20 for x in walls), sum(x > 20 for x in cpus)],
        "log_pruned": counters().get("log_pruned", 0), "last_snapshot": saved,
    }
    print(json.dumps(out, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
