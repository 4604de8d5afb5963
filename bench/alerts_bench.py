"""Alerts benchmark: device events through the real Mosquitto into pingan, alerts onto officers' terminals.

Against PostgreSQL (``PINGAN_BENCH_DATABASE_URL``, default ``postgres://postgres@127.0.0.1:5432/pingan_bench_alerts``,
dropped and created afresh) with real servers in child processes — uvicorn (the SSE streams),
``pingan alerts worker`` and ``pingan alerts ingest-mqtt`` — this process:

1. registers the Xiamen demo devices and ``--terminals`` officers (default 500) on duty over the demo stations,
   each holding a Server-Sent-Events connection (asyncio sockets, as a phone's EventSource);
2. publishes ``--rate`` events/s (default 5,000) for ``--duration`` seconds (default 600) over MQTT, QoS 1:
   plate reads at the checkpoints (random plates: they feed the cloned-plate state), heartbeats, a fraction
   ``--alert-fraction`` (default 0.5 %) of gunshots/smoke alarms that each raise a new alert, and 0.1 %
   malformed payloads (dead letters);
3. measures publish → terminal latency of every alert delivery (p50/p99; target p99 < 200 ms), the accounting
   (published = received; received = accepted + duplicates + dead-lettered; accepted = alerting + non-alert;
   every alert on every on-duty terminal of its unit, once), resident memory of each process and the rule
   engine's state size every 5 s;
4. kills the alert worker with SIGKILL at ``--kill-at`` seconds (default half-way) and restarts it;
5. beside it, the floor — a bare MQTT publish → subscribe round trip through the same broker (20 msg/s) — and
   the peer a bureau would otherwise deploy: Prometheus Alertmanager (Debian's package) receiving the same
   alerts through its API (``POST /api/v2/alerts``) with a webhook receiver, ``group_wait: 0s`` and
   ``group_by: ['...']`` (no grouping), its latency and losses.

Run: ``nice -n 10 .venv/bin/python bench/alerts_bench.py --duration 60`` for a short check. Figures are printed
and written to ``bench/out/alerts_bench.json``. Needs Debian's ``mosquitto`` (a private broker is started with
the settings docs/alerts.md asks for) and ``prometheus-alertmanager``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib import request as urlrequest

OUT = Path(__file__).resolve().parent / "out"
ROOT = Path(__file__).resolve().parent.parent


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    return s[max(0, min(len(s) - 1, round(p / 100 * len(s)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


# ------------------------------------------------------------------------------------------------ setup


def setup(db_url: str, data_dir: str, terminals: int) -> dict:
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
    from pingan.alerts.demo import DEVICES, demo_setup
    from pingan.alerts.models import Device, DutyShift
    from pingan.core.models import User
    from pingan.core.reference import demo_org_load

    demo_org_load()
    demo_setup()
    units = sorted({d.unit for d in Device.objects.select_related("unit")}, key=lambda u: u.code)
    users = User.objects.bulk_create(
        [
            User(username=f"bench{i}", role="officer", unit=units[i % len(units)], password="!")  # noqa: S106 - unusable: session only
            for i in range(terminals)
        ]
    )
    now = timezone.now()
    DutyShift.objects.bulk_create(
        [DutyShift(user=u, unit=u.unit, starts_at=now, ends_at=now + dt.timedelta(hours=12)) for u in users]
    )
    sessions = []
    for u in users:
        s = SessionStore()
        s["_auth_user_id"], s["_auth_user_backend"] = str(u.pk), "django.contrib.auth.backends.ModelBackend"
        s["_auth_user_hash"], s["purpose"] = u.get_session_auth_hash(), "alert_response"
        s.create()
        sessions.append((s.session_key, u.unit_id))
    devices = [(d[0], d[2], d[3], d[4]) for d in DEVICES]
    return {
        "sessions": sessions,
        "devices": devices,
        "units": {u.pk: u.code for u in units},
        "device_units": dict(Device.objects.values_list("device_id", "unit_id")),
    }


# ------------------------------------------------------------------------------------------ terminals


class Terminals:
    """``n`` SSE connections; records (recv_time, alert id, first event key) per terminal."""

    def __init__(self, port: int, sessions: list[tuple[str, int]]) -> None:
        self.port, self.sessions = port, sessions
        self.received: list[dict[int, float]] = [{} for _ in sessions]
        self.first_key: dict[int, str] = {}
        self.dupes = 0
        self.connected = 0

    async def one(self, i: int, cookie: str, stop: asyncio.Event) -> None:
        last = None
        while not stop.is_set():
            try:
                r, w = await asyncio.open_connection("127.0.0.1", self.port, limit=1 << 20)
                hdr = f"GET /alerts/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\n"
                if last is not None:
                    hdr += f"Last-Event-ID: {last}\r\n"
                w.write((hdr + "Accept: text/event-stream\r\n\r\n").encode())
                await w.drain()
                status = await r.readline()
                if b" 200 " not in status:
                    raise ConnectionError(status)
                while (await r.readline()) not in (b"\r\n", b""):
                    pass
                self.connected += 1
                block: dict[str, str] = {}
                while not stop.is_set():
                    line = await r.readline()
                    if not line:
                        break
                    line = line.decode().rstrip("\r\n")
                    if line[:1].isalnum() and all(c in "0123456789abcdefABCDEF" for c in line):
                        continue  # chunk size (HTTP/1.1 chunked)
                    if not line:
                        if "id" in block and block.get("event") == "alert":
                            now = time.time()
                            data = json.loads(block["data"])
                            aid = data["id"]
                            if aid in self.received[i]:
                                self.dupes += 1
                            else:
                                self.received[i][aid] = now
                                if data.get("event_keys"):
                                    self.first_key[aid] = data["event_keys"][0]
                        if "id" in block:
                            last = block["id"]
                        block = {}
                    elif not line.startswith(":") and ":" in line:
                        k, v = line.split(":", 1)
                        block[k] = v.strip()
                self.connected -= 1
                w.close()
            except (OSError, ConnectionError, asyncio.IncompleteReadError):
                await asyncio.sleep(0.5)

    async def run(self, stop: asyncio.Event) -> None:
        await asyncio.gather(*(self.one(i, s[0], stop) for i, s in enumerate(self.sessions)))


# ------------------------------------------------------------------------------------ Alertmanager peer


class Webhook(BaseHTTPRequestHandler):
    got: dict[str, float] = {}
    notifications = 0

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        now = time.time()
        Webhook.notifications += 1
        for a in body.get("alerts", []):
            Webhook.got.setdefault(a["labels"].get("key", ""), now)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def start_mosquitto(tmp: Path) -> tuple[subprocess.Popen, int]:
    """A private Mosquitto (Debian's) for the run, configured as docs/alerts.md "Broker settings" asks: the
    machine's shared broker keeps Mosquitto's defaults (20 in flight, 1,000 queued per client, then drops)."""
    port = free_port()
    conf = tmp / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                    "max_inflight_messages 2000\nmax_queued_messages 5000000\n")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return proc, port


def start_alertmanager(tmp: Path) -> tuple[subprocess.Popen, int, ThreadingHTTPServer]:
    hook = ThreadingHTTPServer(("127.0.0.1", free_port()), Webhook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    port = free_port()
    cfg = tmp / "alertmanager.yml"
    cfg.write_text(f"""route:
  receiver: hook
  group_by: ['...']
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 24h
receivers:
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:{hook.server_address[1]}/
        send_resolved: false
""")
    am = subprocess.Popen(
        [
            "prometheus-alertmanager",
            f"--config.file={cfg}",
            f"--storage.path={tmp / 'am'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    return am, port, hook


# ------------------------------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=5000, help="events per second (default 5000)")
    ap.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    ap.add_argument("--terminals", type=int, default=500, help="SSE terminals on duty (default 500)")
    ap.add_argument("--alert-fraction", type=float, default=0.005, help="share of events that raise an alert")
    ap.add_argument("--kill-at", type=float, default=None, help="SIGKILL the worker at this second (default half-way)")
    ap.add_argument("--no-peer", action="store_true", help="skip Alertmanager")
    ap.add_argument("--drain", type=float, default=120, help="seconds to wait for the pipeline to catch up")
    args = ap.parse_args()
    kill_at = args.duration / 2 if args.kill_at is None else args.kill_at
    db_url = os.environ.get("PINGAN_BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pingan_bench_alerts")
    tmp = Path(tempfile.mkdtemp(prefix="pingan-alerts-bench-"))
    t0 = time.monotonic()
    info = setup(db_url, str(tmp), args.terminals)
    print(
        f"setup {time.monotonic() - t0:.1f} s: {args.terminals} terminals over {len(info['units'])} stations, "
        f"load {os.getloadavg()}",
        flush=True,
    )

    prefix = f"bench-{secrets.token_hex(3)}/v1/devices"
    broker, mqtt_port = start_mosquitto(tmp)
    env = {k: v for k, v in os.environ.items()}
    env.update(PINGAN_MQTT_TOPIC_PREFIX=prefix, PINGAN_ALERTS_STREAM_POLL_MS="50",
               PINGAN_MQTT_URL=f"mqtt://127.0.0.1:{mqtt_port}")
    py = sys.executable
    port = free_port()
    procs: dict[str, subprocess.Popen] = {}

    def spawn(name, argv):
        procs[name] = subprocess.Popen(argv, env=env, cwd=str(ROOT))

    spawn(
        "web",
        [
            py,
            "-m",
            "uvicorn",
            "pingan.config.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--lifespan",
            "off",
            "--no-access-log",
        ],
    )
    spawn("worker", [py, "-m", "pingan.cli", "alerts", "worker"])
    spawn("ingest", [py, "-m", "pingan.cli", "alerts", "ingest-mqtt"])
    am = am_port = hook = None
    if not args.no_peer and shutil.which("prometheus-alertmanager"):
        am, am_port, hook = start_alertmanager(tmp)
    time.sleep(8)

    import paho.mqtt.client as mqtt

    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-pub-{secrets.token_hex(3)}")
    pub.max_inflight_messages_set(5000)
    pub.max_queued_messages_set(0)
    pub.connect("127.0.0.1", mqtt_port)
    pub.loop_start()
    fpub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-fpub-{secrets.token_hex(3)}")
    fpub.connect("127.0.0.1", mqtt_port)
    fpub.loop_start()
    floor_rtts: list[float] = []
    floor_sent: dict[str, float] = {}
    floor_topic = f"{prefix}-floor/{secrets.token_hex(3)}"

    def on_floor(client, userdata, msg):
        t = floor_sent.pop(msg.payload.decode(), None)
        if t is not None:
            floor_rtts.append((time.time() - t) * 1000)

    fsub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"bench-floor-{secrets.token_hex(3)}")
    fsub.on_message = on_floor
    fsub.connect("127.0.0.1", mqtt_port)
    fsub.subscribe(floor_topic, qos=1)
    fsub.loop_start()

    terms = Terminals(port, info["sessions"])
    loop = asyncio.new_event_loop()
    stop_terms = asyncio.Event()
    th = threading.Thread(target=lambda: loop.run_until_complete(terms.run(stop_terms)), daemon=True)
    th.start()
    deadline = time.monotonic() + 60
    while terms.connected < args.terminals and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"{terms.connected} terminals connected", flush=True)

    sent_alert: dict[str, float] = {}
    am_sent: dict[str, float] = {}
    am_batch: list[dict] = []
    published = malformed = 0
    samples = []
    rng = random.Random(7)
    anpr = [d for d in info["devices"] if d[1] == "anpr"]
    others = [d for d in info["devices"] if d[1] != "anpr"]
    killed = False
    start = time.monotonic()
    start_wall = time.time()
    next_sample = start
    next_floor = start
    next_am = start

    def flush_am():
        nonlocal am_batch
        if am_port is None or not am_batch:
            am_batch = []
            return
        body = json.dumps(am_batch).encode()
        now = time.time()
        for a in am_batch:
            am_sent[a["labels"]["key"]] = now
        try:
            req = urlrequest.Request(
                f"http://127.0.0.1:{am_port}/api/v2/alerts", body, {"Content-Type": "application/json"}
            )
            urlrequest.urlopen(req, timeout=5).read()  # noqa: S310 - our local Alertmanager
        except OSError as exc:
            print("alertmanager post failed:", exc, flush=True)
        am_batch = []

    def sample(now_m):
        from django.db import connection

        from pingan.alerts.models import Checkpoint
        from pingan.alerts.services import counters

        cp = Checkpoint.objects.filter(consumer="alerts").first()
        engine_state = ((cp.snapshot or {}).get("engine", {}).get("state", {}) or {}) if cp else {}
        state = sum(len(v.get("rows", [])) for v in engine_state.values())
        c = counters()
        samples.append(
            {
                "t": round(now_m - start, 1),
                "published": published,
                "counters": c,
                "state_entries": state,
                "rss_mb": {k: rss_mb(p.pid) for k, p in procs.items()}
                | ({"alertmanager": rss_mb(am.pid)} if am else {}),
                "load": os.getloadavg(),
            }
        )
        connection.close()

    seq = 0
    while True:
        now_m = time.monotonic()
        elapsed = now_m - start
        if elapsed >= args.duration:
            break
        if not killed and elapsed >= kill_at:
            procs["worker"].send_signal(signal.SIGKILL)
            procs["worker"].wait()
            spawn("worker", [py, "-m", "pingan.cli", "alerts", "worker"])
            killed = True
            print(f"worker killed with SIGKILL at {elapsed:.0f} s and restarted", flush=True)
        due = int(elapsed * args.rate) - published
        for _ in range(min(due, 2000)):
            seq += 1
            now = time.time()
            when = dt.datetime.now(dt.UTC).isoformat()
            r = rng.random()
            if r < 0.001:
                dev = rng.choice(info["devices"])[0]
                pub.publish(f"{prefix}/{dev}/events", b'{"event_id": "broken', qos=1)
                malformed += 1
            elif r < 0.001 + args.alert_fraction:
                dev, kind, lon, lat = rng.choice(others)
                etype = "gunshot" if kind == "acoustic" else "smoke"
                eid = f"a{seq}"
                p = {
                    "event_id": eid,
                    "device_id": dev,
                    "type": etype,
                    "time": when,
                    "position": {"lon": lon + rng.uniform(-0.01, 0.01), "lat": lat + rng.uniform(-0.01, 0.01)},
                }
                sent_alert[f"{dev}/{eid}"] = now
                pub.publish(f"{prefix}/{dev}/events", json.dumps(p), qos=1)
                am_batch.append(
                    {
                        "labels": {"alertname": etype, "key": f"{dev}/{eid}", "device": dev},
                        "annotations": {},
                        "startsAt": when,
                    }
                )
            elif r < 0.08:
                dev = rng.choice(info["devices"])[0]
                pub.publish(
                    f"{prefix}/{dev}/events",
                    json.dumps({"event_id": f"h{seq}", "device_id": dev, "type": "heartbeat", "time": when}),
                    qos=1,
                )
            else:
                dev = rng.choice(anpr)[0]
                plate = "闽D" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(5))
                pub.publish(
                    f"{prefix}/{dev}/events",
                    json.dumps(
                        {
                            "event_id": f"p{seq}",
                            "device_id": dev,
                            "type": "anpr",
                            "time": when,
                            "attributes": {"plate": plate, "reliability": rng.randint(60, 99)},
                        },
                        ensure_ascii=False,
                    ),
                    qos=1,
                )
            published += 1
        if now_m >= next_am:
            flush_am()
            next_am = now_m + 0.05
        if now_m >= next_floor:
            token = secrets.token_hex(6)
            floor_sent[token] = time.time()
            fpub.publish(floor_topic, token, qos=1)
            next_floor = now_m + 0.05
        if now_m >= next_sample:
            sample(now_m)
            next_sample = now_m + 5
        time.sleep(0.002)
    flush_am()
    pub_end = time.monotonic()
    print(f"published {published} in {pub_end - start:.0f} s; draining", flush=True)

    from pingan.alerts.models import Alert, FeedItem, LoggedEvent
    from pingan.alerts.services import counters

    drain_deadline = time.monotonic() + args.drain
    while time.monotonic() < drain_deadline:
        c = counters()
        from pingan.alerts.models import Checkpoint

        cp = Checkpoint.objects.filter(consumer="alerts").first()
        last = LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        if c.get("received", 0) >= published and cp and cp.position >= last:
            break
        time.sleep(1)
    time.sleep(3)
    sample(time.monotonic())
    stop_terms.set()
    c = counters()
    alerts = list(Alert.objects.filter(notified_at__isnull=False).values_list("id", "unit_id", "event_keys"))
    by_unit: dict[int, int] = {}
    for _sess, unit_id in info["sessions"]:
        by_unit[unit_id] = by_unit.get(unit_id, 0) + 1
    expected = sum(by_unit.get(u, 0) for _, u, _ in alerts)
    unit_of = {i: s[1] for i, s in enumerate(info["sessions"])}
    alert_unit = {a: u for a, u, _ in alerts}
    alert_key = {a: (k[0] if k else "") for a, _, k in alerts}
    lat_ms, lat_steady, delivered, foreign = [], [], 0, 0
    kill_wall = start_wall + kill_at
    for i, got in enumerate(terms.received):
        for aid, t in got.items():
            if alert_unit.get(aid) != unit_of[i]:
                foreign += 1
                continue
            delivered += 1
            sent = sent_alert.get(alert_key.get(aid, ""))
            if sent is not None:
                lat_ms.append((t - sent) * 1000)
                if not (killed and kill_wall - 1 <= sent <= kill_wall + 30):
                    lat_steady.append((t - sent) * 1000)
    am_lat = [(Webhook.got[k] - t) * 1000 for k, t in am_sent.items() if k in Webhook.got]
    result = {
        "rate": args.rate,
        "duration_s": args.duration,
        "terminals": args.terminals,
        "published": published,
        "malformed": malformed,
        "alert_events_published": len(sent_alert),
        "counters": c,
        "accounting_ok": (
            c.get("received") == published
            and c.get("received") == c.get("accepted", 0) + c.get("duplicates", 0) + c.get("dead_lettered", 0)
            and c.get("accepted") == c.get("alerting", 0) + c.get("non_alert", 0)
        ),
        "alerts": len(alerts),
        "alert_rows_total": Alert.objects.count(),
        "feed_items": FeedItem.objects.count(),
        "deliveries_expected": expected,
        "deliveries": delivered,
        "deliveries_lost": expected - delivered,
        "deliveries_duplicated": terms.dupes,
        "deliveries_to_other_units": foreign,
        "latency_ms": {
            "p50": pct(lat_ms, 50),
            "p99": pct(lat_ms, 99),
            "max": max(lat_ms) if lat_ms else None,
            "n": len(lat_ms),
        },
        "latency_ms_outside_kill_window": {
            "p50": pct(lat_steady, 50),
            "p99": pct(lat_steady, 99),
            "n": len(lat_steady),
            "window": "killed-1 s .. killed+30 s excluded",
        },
        "floor_mqtt_rtt_ms": {"p50": pct(floor_rtts, 50), "p99": pct(floor_rtts, 99), "n": len(floor_rtts)},
        "peer_alertmanager": None
        if am is None
        else {
            "sent": len(am_sent),
            "received": len(am_lat),
            "lost": len(am_sent) - len(am_lat),
            "notifications": Webhook.notifications,
            "latency_ms": {"p50": pct(am_lat, 50), "p99": pct(am_lat, 99)},
        },
        "samples": samples,
        "worker_killed_at_s": kill_at if killed else None,
        "load_at_end": os.getloadavg(),
    }
    for p in procs.values():
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs.values():
        try:
            p.wait(20)
        except subprocess.TimeoutExpired:
            p.kill()
    if am is not None:
        am.terminate()
        am.wait(10)
        hook.shutdown()
    pub.loop_stop()
    fpub.loop_stop()
    fsub.loop_stop()
    broker.terminate()
    broker.wait(10)
    OUT.mkdir(exist_ok=True)
    (OUT / "alerts_bench.json").write_text(json.dumps(result, indent=1, default=str))
    print(json.dumps({k: v for k, v in result.items() if k != "samples"}, indent=1, default=str))
    print(
        "state entries / worker RSS MB over time:",
        [(s["t"], s["state_entries"], round(s["rss_mb"].get("worker") or 0)) for s in samples],
    )
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if result["accounting_ok"] and result["deliveries_lost"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
