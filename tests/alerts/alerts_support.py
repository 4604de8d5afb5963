"""Helpers shared by the alerts tests (device IDs of the Xiamen demo, payloads, ingest)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

LQ_CAMERA = "35020301001320000001"  # 莲前东路卡口, station A (350203-LQ)
LQ_ACOUSTIC = "35020301001340000002"
LQ_SOS = "35020301001340000003"
JT_CAMERA = "35020601001320000001"  # 江头卡口, station B (350206-JT)
JT_INTRUSION = "35020601001340000002"


class Clock:
    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> dt.datetime:
        self.now += dt.timedelta(seconds=seconds)
        return self.now


def payload(event_id: str, device: str, type_: str, when: dt.datetime, **attrs) -> dict:
    pos = attrs.pop("position", None)
    p = {"event_id": event_id, "device_id": device, "type": type_, "time": when.isoformat(), "attributes": attrs}
    if pos:
        p["position"] = pos
    return p


def ingest(*payloads, source="http"):
    from pingan.alerts import services

    return services.events_ingest(inputs=[services.RawInput(payload=p) for p in payloads], source=source)


def sign_in(client, user, purpose: str = "alert_response"):
    """Sign ``client`` in as ``user`` (police also declare a purpose of use, as the page flow requires)."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if user.role in ("officer", "station_chief", "analyst"):
        session = client.session
        session["purpose"] = purpose
        session.save()
    return client


# ---------------------------------------------------------------- real servers against the test database


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def subprocess_env(tmp_path) -> dict:
    """Environment for a ``pingan`` child process that uses the test database and the test's secret key."""
    import os

    from django.conf import settings
    from django.db import connection

    d = connection.settings_dict
    url = f"postgres://{d['USER']}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PINGAN_")}
    env.update(
        DJANGO_SETTINGS_MODULE="pingan.config.settings",
        PINGAN_DATABASE_URL=url,
        PINGAN_SECRET_KEY=settings.SECRET_KEY,
        PINGAN_DATA_DIR=str(tmp_path),
        PINGAN_LOG_LEVEL="WARNING",
    )
    return env


class AsgiServer:
    """uvicorn serving pingan's ASGI application in a child process; ``kill()`` is SIGKILL, ``start()``
    brings it back on the same port."""

    def __init__(self, env: dict, port: int) -> None:
        self.env, self.port, self.proc = env, port, None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> AsgiServer:
        import socket
        import subprocess
        import sys
        import time

        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "pingan.config.asgi:demo_application",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--lifespan",
                "off",
            ],
            env=self.env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.2)
        raise RuntimeError("uvicorn did not start")

    def kill(self) -> None:
        import signal

        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)


@contextlib.contextmanager
def asgi_server(tmp_path) -> Iterator[AsgiServer]:
    """A running :class:`AsgiServer` on the test database for the block, SIGKILLed after it; skips the test
    on SQLite (the server is another process: it sees only what a shared PostgreSQL database holds)."""
    import pytest
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the server shares the test database: PostgreSQL only")
    srv = AsgiServer(subprocess_env(tmp_path), free_port()).start()
    try:
        yield srv
    finally:
        srv.kill()


class SseClient:
    """A minimal Server-Sent-Events reader over http.client (what EventSource does, without a browser)."""

    def __init__(self, server: AsgiServer, cookie: str, last_id: int | None = None, after: int | None = None):
        import http.client

        self.conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        headers = {"Cookie": f"sessionid={cookie}", "Accept": "text/event-stream"}
        if last_id is not None:
            headers["Last-Event-ID"] = str(last_id)
        self.conn.request("GET", "/alerts/stream/" + (f"?after={after}" if after is not None else ""), headers=headers)
        self.resp = self.conn.getresponse()

    def events(self, n: int, timeout: float = 10) -> list[tuple[int, str, dict]]:
        """The next ``n`` id-carrying events (skipping hello and keep-alives)."""
        import json

        self.resp.fp.raw._sock.settimeout(timeout)
        out, block = [], {}
        while len(out) < n:
            try:
                line = self.resp.fp.readline().decode()
            except TimeoutError:
                break
            if not line:
                break
            line = line.rstrip("\n")
            if not line:
                if "id" in block:
                    out.append((int(block["id"]), block.get("event", ""), json.loads(block.get("data", "{}"))))
                block = {}
            elif not line.startswith(":") and ":" in line:
                k, v = line.split(":", 1)
                block[k] = v.strip()
        return out

    def close(self) -> None:
        self.conn.close()


def in_both_languages(label) -> tuple[str, str]:
    """``(english, chinese)``: a label (lazy or plain) rendered under each language."""
    from django.utils import translation

    with translation.override("en"):
        en = str(label)
    with translation.override("zh-hans"):
        zh = str(label)
    return en, zh
