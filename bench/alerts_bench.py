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
            "PGAPPNAME": "bench-benchmark",  # this process's backends, named in the CPU table
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
    devices = [(dev, kind, lon, lat) for dev, _name, _name_en, kind, lon, lat, _adcode in DEVICES]
    return {
        "sessions": sessions,
        "devices": devices,
        "units": {u.pk: u.code for u in units},
        "device_units": dict(Device.objects.values_list("device_id", "unit_id")),
    }


# ------------------------------------------------------------------------------------------ publisher


def _mqtt_str(s: str | bytes) -> bytes:
    b = s.encode() if isinstance(s, str) else s
    return len(b).to_bytes(2, "big") + b


def _remaining_length(n: int) -> bytes:
    out = bytearray()
    while True:
        n, digit = divmod(n, 128)
        out.append(digit | (0x80 if n else 0))
        if not n:
            return bytes(out)


class RawPublisher:
    """The devices' side: MQTT 3.1.1 QoS 1 PUBLISH packets written straight to a socket (OASIS MQTT 3.1.1
    §3.3), ~3 µs each instead of paho's ~100 µs, so that on a 2-core machine the load generator leaves the
    CPU to what is measured. A reader thread counts the broker's PUBACKs (4 bytes each; keep-alive is off, so
    nothing else arrives); at most ``window`` messages are unacknowledged at a time."""

    def __init__(self, host: str, port: int, client_id: str, window: int = 20_000) -> None:
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        body = b"\x00\x04MQTT\x04\x02\x00\x00" + _mqtt_str(client_id)  # level 4, clean session, no keep-alive
        self.sock.sendall(b"\x10" + _remaining_length(len(body)) + body)
        connack = self.sock.recv(4)
        if connack[:1] != b"\x20" or connack[3:4] != b"\x00":
            raise ConnectionError(f"CONNACK {connack!r}")
        self.window, self.sent, self.acked = window, 0, 0
        self.buf: list[bytes] = []
        self.pid = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        rest = 0
        while True:
            data = self.sock.recv(1 << 16)
            if not data:
                return
            rest += len(data)
            self.acked += rest // 4
            rest %= 4

    def publish(self, topic: str, payload: bytes | str) -> None:
        self.pid = self.pid % 65535 + 1
        body = (
            _mqtt_str(topic) + self.pid.to_bytes(2, "big") + (payload.encode() if isinstance(payload, str) else payload)
        )
        self.buf.append(b"\x32" + _remaining_length(len(body)) + body)
        self.sent += 1

    def flush(self) -> None:
        if self.buf:
            self.sock.sendall(b"".join(self.buf))
            self.buf = []
        while self.sent - self.acked > self.window:
            time.sleep(0.001)

    def close(self) -> None:
        self.flush()
        self.sock.sendall(b"\xe0\x00")  # DISCONNECT
        self.sock.close()


# ------------------------------------------------------------------------------------------ terminals


class Terminals:
    """``n`` SSE connections; records (recv_time, alert id, first event key) per terminal."""

    def __init__(self, port: int, sessions: list[tuple[str, int]]) -> None:
        self.port, self.sessions = port, sessions
        self.received: list[dict[int, float]] = [{} for _ in sessions]
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
                            aid = json.loads(block["data"])["id"]
                            if aid in self.received[i]:
                                self.dupes += 1
                            else:
                                self.received[i][aid] = now
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


def terminals_process(port: int, sessions: list, connected, stop_flag, results) -> None:
    """The terminals in a process of their own (their reading must not share the publisher's interpreter
    lock, or the latency measured would be the benchmark's own): reports the connected count through
    ``connected`` and, once ``stop_flag`` is set, sends (received per terminal, duplicates) to ``results``."""
    terms = Terminals(port, sessions)

    async def main():
        stop = asyncio.Event()
        task = asyncio.ensure_future(terms.run(stop))
        while not stop_flag.is_set():
            connected.value = terms.connected
            await asyncio.sleep(0.2)
        stop.set()
        task.cancel()

    asyncio.run(main())
    results.send((terms.received, terms.dupes))


# ------------------------------------------------------------------------------------------ CPU meter


def proc_cpu(pid: int) -> float | None:
    """utime + stime of a process in seconds, with those of its children that ended (cutime + cstime: the
    worker's snapshot children, each forked to write one state); ``None`` when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


class CpuMeter:
    """CPU seconds used by each named part since :meth:`start`: its processes (a restarted worker adds its
    new pid) and, for ``postgres``, the backends connected to the benchmark's database."""

    def __init__(self, db_name: str) -> None:
        self.db_name = db_name
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.names: dict[int, str] = {}

    def track(self, name: str, pid: int, *, from_zero: bool = False) -> None:
        cpu = proc_cpu(pid)
        if cpu is not None and pid not in self.names:
            self.names[pid], self.first[pid], self.last[pid] = name, 0.0 if from_zero else cpu, cpu

    def sample(self, *, from_zero: bool = True) -> None:
        """Read every tracked process; backends that connected since the last sample count from zero. A
        backend is named after the process it serves (``postgres (worker)``: each child is started with
        ``PGAPPNAME``, which libpq sends as the application name)."""
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT pid, application_name FROM pg_stat_activity WHERE datname = %s", [self.db_name])
            for pid, app in cur.fetchall():
                self.track(f"postgres ({app.removeprefix('bench-') or '?'})", pid, from_zero=from_zero)
        for pid in self.names:
            cpu = proc_cpu(pid)
            if cpu is not None:
                self.last[pid] = cpu

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for pid, name in self.names.items():
            out[name] = out.get(name, 0.0) + self.last[pid] - self.first[pid]
        return out


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
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "max_inflight_messages 2000\nmax_queued_messages 5000000\n"
    )
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


def spread(values: list[float]) -> str:
    """First → last (min–max) of a series sampled over the run."""
    vals = [v for v in values if v is not None]
    if not vals:
        return "—"
    return f"{vals[0]:,.0f} → {vals[-1]:,.0f} (min {min(vals):,.0f}, max {max(vals):,.0f})"


def ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:.1f}" if v < 10 else f"{v:,.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rate", type=float, default=5000, help="events per second (default 5000)")
    ap.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    ap.add_argument("--terminals", type=int, default=500, help="SSE terminals on duty (default 500)")
    ap.add_argument("--alert-fraction", type=float, default=0.005, help="share of events that raise an alert")
    ap.add_argument("--kill-at", type=float, default=None, help="SIGKILL the worker at this second (default half-way)")
    ap.add_argument("--no-kill", action="store_true", help="do not kill the worker")
    ap.add_argument("--no-peer", action="store_true", help="skip Alertmanager")
    ap.add_argument(
        "--log",
        choices=("db", "nats"),
        default="db",
        help="event log: the database (embedded default) or NATS JetStream at PINGAN_BENCH_NATS_URL",
    )
    ap.add_argument("--drain", type=float, default=120, help="seconds to wait for the pipeline to catch up")
    ap.add_argument("--workers", type=int, default=1,
                    help="alert worker processes (partitions by key, docs/alerts.md; partition 0 is the one killed)")
    args = ap.parse_args()
    kill_at = None if args.no_kill else (args.duration / 2 if args.kill_at is None else args.kill_at)
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
    env.update(
        PINGAN_MQTT_TOPIC_PREFIX=prefix,
        PINGAN_ALERTS_STREAM_POLL_MS="50",
        PINGAN_MQTT_URL=f"mqtt://127.0.0.1:{mqtt_port}",
    )
    stream = None
    if args.log == "nats":
        stream = f"BENCH_{secrets.token_hex(3).upper()}"
        env.update(
            PINGAN_EVENTS_URL=os.environ.get("PINGAN_BENCH_NATS_URL", "nats://127.0.0.1:4222"),
            PINGAN_EVENTS_STREAM=stream,
        )
    py = sys.executable
    port = free_port()
    procs: dict[str, subprocess.Popen] = {}
    meter = CpuMeter(db_url.rpartition("/")[2])

    def spawn(name, argv):
        procs[name] = subprocess.Popen(argv, env={**env, "PGAPPNAME": f"bench-{name}"}, cwd=str(ROOT))
        return procs[name]

    web_argv = [
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
    ]
    spawn("web", web_argv)
    def worker_argv(i: int) -> list[str]:
        if args.workers == 1:
            return [py, "-m", "pingan.cli", "alerts", "worker"]
        return [py, "-m", "pingan.cli", "alerts", "worker", "--partitions", str(args.workers), "--partition", str(i)]

    worker_names = ["worker"] + [f"worker{i}" for i in range(1, args.workers)]
    for i, name in enumerate(worker_names):
        spawn(name, worker_argv(i))
    spawn("ingest", [py, "-m", "pingan.cli", "alerts", "ingest-mqtt"])
    am = am_port = hook = None
    if not args.no_peer and shutil.which("prometheus-alertmanager"):
        am, am_port, hook = start_alertmanager(tmp)
    time.sleep(8)

    # the terminals, in a process of their own (forked before this process starts any MQTT thread)
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    connected, stop_flag = ctx.Value("i", 0), ctx.Event()
    results_rx, results_tx = ctx.Pipe(duplex=False)
    term_proc = ctx.Process(
        target=terminals_process, args=(port, info["sessions"], connected, stop_flag, results_tx), daemon=True
    )
    term_proc.start()

    import paho.mqtt.client as mqtt

    pub = RawPublisher("127.0.0.1", mqtt_port, f"bench-pub-{secrets.token_hex(3)}")
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

    deadline = time.monotonic() + 90
    while connected.value < args.terminals and time.monotonic() < deadline:
        time.sleep(0.2)
    print(f"{connected.value} terminals connected; load {os.getloadavg()}", flush=True)

    sent_alert: dict[str, float] = {}
    am_sent: dict[str, float] = {}
    am_batch: list[dict] = []
    published = malformed = 0
    samples = []
    rng = random.Random(7)
    anpr = [d for d in info["devices"] if d[1] == "anpr"]
    others = [d for d in info["devices"] if d[1] != "anpr"]
    killed = False
    for name, p in procs.items():
        meter.track(name, p.pid)
    meter.track("broker", broker.pid)
    meter.track("terminals", term_proc.pid)
    meter.track("benchmark (publisher, floor, peer client)", os.getpid())
    if am is not None:
        meter.track("alertmanager", am.pid)
    meter.sample(from_zero=False)
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

        from pingan.alerts.models import EngineSnapshot
        from pingan.alerts.services import counters

        meter.sample()
        # every partition's engine: the size the worker saved beside its state (reading the state itself, up to
        # ~20 MB each, every 5 s cost this process and PostgreSQL more than some measured stages)
        state = sum(EngineSnapshot.objects.filter(checkpoint__consumer__startswith="alerts")
                    .values_list("entries", flat=True))
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
        if kill_at is not None and not killed and elapsed >= kill_at:
            procs["worker"].send_signal(signal.SIGKILL)
            procs["worker"].wait()
            meter.track("worker", spawn("worker", worker_argv(0)).pid, from_zero=True)
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
                pub.publish(f"{prefix}/{dev}/events", b'{"event_id": "broken')
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
                pub.publish(f"{prefix}/{dev}/events", json.dumps(p))
                am_batch.append(
                    {
                        "labels": {"alertname": etype, "key": f"{dev}/{eid}", "device": dev},
                        "annotations": {},
                        "startsAt": when,
                    }
                )
            elif r < 0.08:
                dev = rng.choice(info["devices"])[0]
                # formatted, not json.dumps: the values need no escaping, and the publisher's CPU is taken
                # from the two cores the pipeline runs on
                pub.publish(
                    f"{prefix}/{dev}/events",
                    f'{{"event_id": "h{seq}", "device_id": "{dev}", "type": "heartbeat", "time": "{when}"}}',
                )
            else:
                dev = rng.choice(anpr)[0]
                plate = "闽D" + "".join(rng.choices("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", k=5))
                pub.publish(
                    f"{prefix}/{dev}/events",
                    f'{{"event_id": "p{seq}", "device_id": "{dev}", "type": "anpr", "time": "{when}", '
                    f'"attributes": {{"plate": "{plate}", "reliability": {rng.randint(60, 99)}}}}}',
                )
            published += 1
        pub.flush()
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
    print(f"published {published} in {pub_end - start:.0f} s; draining; load {os.getloadavg()}", flush=True)

    from pingan.alerts.models import Alert, FeedItem
    from pingan.alerts.services import counters

    drain_deadline = time.monotonic() + args.drain
    while time.monotonic() < drain_deadline:
        c = counters()
        if c.get("received", 0) >= published and c.get("accepted", 0) == c.get("alerting", 0) + c.get("non_alert", 0):
            break
        time.sleep(1)
    drained_after = time.monotonic() - pub_end
    time.sleep(3)
    sample(time.monotonic())
    cpu = meter.totals()
    stop_flag.set()
    received, dupes = results_rx.recv() if results_rx.poll(60) else ([{} for _ in info["sessions"]], 0)
    term_proc.join(10)
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
    kill_wall = start_wall + (kill_at or 0)
    by_minute: dict[int, list[float]] = {}  # latency by the minute of the run the alert's event was published in
    alert_span: dict[int, list[float]] = {}  # per alert: the first and the last terminal's reception
    for i, got in enumerate(received):
        for aid, t in got.items():
            if alert_unit.get(aid) != unit_of[i]:
                foreign += 1
                continue
            delivered += 1
            span = alert_span.setdefault(aid, [t, t])
            span[0], span[1] = min(span[0], t), max(span[1], t)
            sent = sent_alert.get(alert_key.get(aid, ""))
            if sent is not None:
                lat_ms.append((t - sent) * 1000)
                by_minute.setdefault(int((sent - start_wall) // 60), []).append((t - sent) * 1000)
                if not (killed and kill_wall - 1 <= sent <= kill_wall + 30):
                    lat_steady.append((t - sent) * 1000)
    fan_out_ms = [(b - a) * 1000 for a, b in alert_span.values()]
    # where the latency goes, per alert: publish → the ingest's batch (the log's reception stamp, taken when
    # the batch is judged), → the worker's batch (the alert's created_at, taken when its batch starts), → the
    # first terminal that got it
    from pingan.alerts.models import LoggedEvent

    created = dict(Alert.objects.filter(notified_at__isnull=False).values_list("id", "created_at"))
    first_key = {a: k for a, k in alert_key.items() if k}
    logged = dict(LoggedEvent.objects.filter(key__in=list(first_key.values())).values_list("key", "received_at"))
    first_seen: dict[int, float] = {}
    for got in received:
        for aid, t in got.items():
            first_seen[aid] = min(t, first_seen.get(aid, t))
    stage_ms: dict[str, list[float]] = {"publish → ingest": [], "ingest → worker": [], "worker → terminal": []}
    for aid, key in first_key.items():
        sent, rec, made, seen = sent_alert.get(key), logged.get(key), created.get(aid), first_seen.get(aid)
        if None in (sent, rec, made, seen):
            continue
        stage_ms["publish → ingest"].append((rec.timestamp() - sent) * 1000)
        stage_ms["ingest → worker"].append((made - rec).total_seconds() * 1000)
        stage_ms["worker → terminal"].append((seen - made.timestamp()) * 1000)
    am_lat = [(Webhook.got[k] - t) * 1000 for k, t in am_sent.items() if k in Webhook.got]
    accounted = c.get("alerting", 0) + c.get("non_alert", 0) + c.get("dead_lettered", 0) + c.get("duplicates", 0)
    result = {
        "rate": args.rate,
        "duration_s": args.duration,
        "terminals": args.terminals,
        "log": args.log,
        "workers": args.workers,
        "published": published,
        "malformed": malformed,
        "alert_events_published": len(sent_alert),
        "counters": c,
        "accounting_ok": (
            c.get("received") == published
            and c.get("received") == c.get("accepted", 0) + c.get("duplicates", 0) + c.get("dead_lettered", 0)
            and c.get("accepted") == c.get("alerting", 0) + c.get("non_alert", 0)
        ),
        "drained_after_s": round(drained_after, 1),
        "alerts": len(alerts),
        "alert_rows_total": Alert.objects.count(),
        "feed_items": FeedItem.objects.count(),
        "deliveries_expected": expected,
        "deliveries": delivered,
        "deliveries_lost": expected - delivered,
        "deliveries_duplicated": dupes,
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
        "stages_ms": {k: {"p50": pct(v, 50), "p99": pct(v, 99), "n": len(v)} for k, v in stage_ms.items()},
        "latency_ms_by_minute": {
            m: {"p50": pct(v, 50), "p99": pct(v, 99), "n": len(v)} for m, v in sorted(by_minute.items())
        },
        "fan_out_ms": {"p50": pct(fan_out_ms, 50), "p99": pct(fan_out_ms, 99), "max": max(fan_out_ms, default=None)},
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
        "cpu_s": {k: round(v, 2) for k, v in cpu.items()},
        "cpu_us_per_event": {k: round(v / max(published, 1) * 1e6, 1) for k, v in cpu.items()},
        "samples": samples,
        "worker_killed_at_s": kill_at if killed else None,
        "load_at_start": samples[0]["load"] if samples else None,
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
    pub.close()
    fpub.loop_stop()
    fsub.loop_stop()
    broker.terminate()
    broker.wait(10)
    if stream:
        from pingan.alerts.eventlog import JetStreamLog

        jl = JetStreamLog(env["PINGAN_EVENTS_URL"], stream=stream)
        jl.delete_stream()
        jl.close()
    OUT.mkdir(exist_ok=True)
    (OUT / "alerts_bench.json").write_text(json.dumps(result, indent=1, default=str))
    print_table(result, accounted)
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if result["accounting_ok"] and result["deliveries_lost"] == 0 else 1


def print_table(r: dict, accounted: int) -> None:
    """The run as one Markdown table."""
    c, lat, steady, floor, am = (
        r["counters"],
        r["latency_ms"],
        r["latency_ms_outside_kill_window"],
        r["floor_mqtt_rtt_ms"],
        r["peer_alertmanager"],
    )
    samples = r["samples"]
    rows = [
        (
            "run",
            f"{r['rate']:,.0f} events/s × {r['duration_s']:,.0f} s, {r['terminals']} terminals, log {r['log']}, "
            f"{r.get('workers', 1)} worker process(es), "
            + (f"worker SIGKILLed at {r['worker_killed_at_s']:.0f} s" if r["worker_killed_at_s"] else "no kill"),
        ),
        ("load average (start → end)", f"{r['load_at_start']} → {tuple(round(x, 1) for x in r['load_at_end'])}"),
        ("events published / received", f"{r['published']:,} / {c.get('received', 0):,}"),
        (
            "accounted: alerting + non-alert + dead-lettered + duplicates",
            f"{c.get('alerting', 0):,} + {c.get('non_alert', 0):,} + {c.get('dead_lettered', 0):,} + "
            f"{c.get('duplicates', 0):,} = {accounted:,} — {'exact, 0 lost' if r['accounting_ok'] else 'NOT EXACT'}",
        ),
        ("drained after the load stopped", f"{r['drained_after_s']} s"),
        ("alerts notified / deliveries expected", f"{r['alerts']:,} / {r['deliveries_expected']:,}"),
        (
            "deliveries lost / twice / to another unit",
            f"{r['deliveries_lost']:,} / {r['deliveries_duplicated']:,} / {r['deliveries_to_other_units']:,}",
        ),
        ("pingan publish → terminal p50 / p99 / max (ms)", f"{ms(lat['p50'])} / {ms(lat['p99'])} / {ms(lat['max'])}"),
        ("… outside the kill window p50 / p99 (ms)", f"{ms(steady['p50'])} / {ms(steady['p99'])}"),
        *[(f"… {k} p50 / p99 (ms, first terminal)", f"{ms(v['p50'])} / {ms(v['p99'])}")
          for k, v in r.get("stages_ms", {}).items()],
        (
            "… first → last terminal of an alert p50 / p99 (ms)",
            f"{ms(r['fan_out_ms']['p50'])} / {ms(r['fan_out_ms']['p99'])}" if r.get("fan_out_ms") else "—",
        ),
        (
            "… p99 by minute of the run (ms)",
            " · ".join(ms(v["p99"]) for v in r.get("latency_ms_by_minute", {}).values()) or "—",
        ),
        ("floor: bare MQTT round trip p50 / p99 (ms)", f"{ms(floor['p50'])} / {ms(floor['p99'])} (n={floor['n']})"),
        (
            "peer: Alertmanager webhook p50 / p99 (ms), lost",
            "not run"
            if am is None
            else f"{ms(am['latency_ms']['p50'])} / {ms(am['latency_ms']['p99'])}, {am['lost']} of {am['sent']}",
        ),
        ("rule-state entries over the run", spread([s["state_entries"] for s in samples])),
    ]
    for name in ("ingest", *[k for k in samples[0]["rss_mb"] if k.startswith("worker")], "web") if samples else ():
        rows.append((f"RSS {name} (MB)", spread([s["rss_mb"].get(name) for s in samples])))
    for name, us in sorted(r["cpu_us_per_event"].items(), key=lambda kv: -kv[1]):
        rows.append((f"CPU {name} (µs/event)", f"{us:,.1f}"))
    rows.append(("CPU all (µs/event; 2 cores = 400 µs at 5,000/s)", f"{sum(r['cpu_us_per_event'].values()):,.1f}"))
    width = max(len(a) for a, _ in rows)
    print(f"| {'measure':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for a, b in rows:
        print(f"| {a:<{width}} | {b} |")


if __name__ == "__main__":
    sys.exit(main())
