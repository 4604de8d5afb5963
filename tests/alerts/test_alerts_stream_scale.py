"""Many officers' terminals on one real ASGI server hold no database connection each: the streams wait on the
process's one feed listener and share a small bounded pool for their catch-up queries."""

from __future__ import annotations

import os
import socket
import time

import pytest
from alerts_support import (
    LQ_ACOUSTIC,
    LQ_CAMERA,
    LQ_SOS,
    AsgiServer,
    SseClient,
    free_port,
    ingest,
    payload,
    subprocess_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

N_STREAMS = int(os.environ.get("PINGAN_TEST_STREAMS", "200"))


def _backends(dbname: str) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
        )
        return cur.fetchone()[0]


def _open_raw(port: int, cookie: str, last_id: int | None) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = (f"GET /alerts/stream/ HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={cookie}\r\n"
            "Accept: text/event-stream\r\n")
    if last_id is not None:
        head += f"Last-Event-ID: {last_id}\r\n"
    s.sendall((head + "\r\n").encode())
    return s


def _read_until(s: socket.socket, needle: bytes, timeout: float) -> bytes:
    s.settimeout(timeout)
    buf = b""
    deadline = time.monotonic() + timeout
    while needle not in buf and time.monotonic() < deadline:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf


def test_two_hundred_streams_use_a_small_bounded_number_of_database_connections(
    tmp_path, client, on_duty, clock, worker
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL backends")
    from alerts_support import sign_in

    from pingan.alerts.models import Alert

    dbname = connection.settings_dict["NAME"]
    # each terminal its own session, as each phone has (sessions are read from the database per request)
    cookies = []
    for _ in range(N_STREAMS):
        client.cookies.clear()
        sign_in(client, on_duty.officer_a)
        cookies.append(client.cookies["sessionid"].value)
    before = _backends(dbname)
    env = subprocess_env(tmp_path)
    env.update({k: v for k, v in os.environ.items() if k == "PINGAN_ALERTS_STREAM_OPENING"})
    srv = AsgiServer(env, free_port()).start()
    socks = []
    peak = _PeakSampler(connection.settings_dict, dbname)
    try:
        w = worker()
        ingest(payload("s0", LQ_SOS, "sos", clock()))
        w.step()
        first = Alert.objects.get()
        for i, cookie in enumerate(cookies):
            # half resume after an id (a catch-up query each), half start from now
            socks.append(_open_raw(srv.port, cookie, 0 if i % 2 else None))
        for i, s in enumerate(socks):
            got = _read_until(s, b"event: hello", 60)
            assert b"200 OK" in got and b"event: hello" in got, got[:300]
            if i % 2:  # the catch-up brought the alert raised before the stream opened
                if f'"id":{first.pk}'.encode() not in got:
                    got += _read_until(s, f'"id":{first.pk}'.encode(), 30)
                assert f'"id":{first.pk}'.encode() in got
        peak.stop()
        # while 200 open together, the requests' own connections are bounded by the opening gate (16)
        assert peak.peak - before <= 16 + 8, f"{peak.peak - before} connections while {N_STREAMS} streams opened"
        time.sleep(1.0)
        held = _backends(dbname) - before
        assert held <= 8, f"{N_STREAMS} open streams hold {held} database connections"
        # a live alert reaches every one of them, and they still hold no connection each
        ingest(payload("g1", LQ_ACOUSTIC, "gunshot", clock()))
        w.step()
        second = Alert.objects.exclude(pk=first.pk).get()
        for s in socks:
            assert f'"id":{second.pk}'.encode() in _read_until(s, f'"id":{second.pk}'.encode(), 30)
        assert _backends(dbname) - before <= 8
        # a terminal that lost its connection resumes after its last id: the missed alert once
        socks[0].close()
        ingest(payload("c1", LQ_CAMERA, "smoke", clock()))
        w.step()
        third = Alert.objects.exclude(pk__in=[first.pk, second.pk]).get()
        sse = SseClient(srv, cookies[0], last_id=_feed_seq(second.pk))
        got = sse.events(2, timeout=3)
        sse.close()
        assert [e[2]["id"] for e in got] == [third.pk]
    finally:
        peak.stop()
        for s in socks:
            s.close()
        srv.kill()


class _PeakSampler:
    """The most backends on the test database seen while the streams open (its own connection, every 20 ms)."""

    def __init__(self, settings_dict: dict, dbname: str) -> None:
        import threading

        import psycopg

        self.conn = psycopg.connect(
            dbname=dbname, user=settings_dict["USER"], host=settings_dict["HOST"] or "127.0.0.1",
            port=settings_dict["PORT"] or 5432, password=settings_dict.get("PASSWORD") or None, autocommit=True,
        )
        self.peak, self.dbname, self.done = 0, dbname, threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.done.is_set():
            n = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [self.dbname]
            ).fetchone()[0]
            self.peak = max(self.peak, n - 1)  # the test's own connection is counted in ``before``
            time.sleep(0.02)

    def stop(self) -> None:
        if not self.done.is_set():
            self.done.set()
            self.thread.join(5)
            self.conn.close()


def _feed_seq(alert_id: int) -> int:
    from pingan.alerts.models import FeedItem

    return FeedItem.objects.filter(alert_id=alert_id, kind="alert").order_by("seq").values_list("seq", flat=True)[0]
