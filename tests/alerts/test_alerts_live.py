"""The officers' live stream on a real ASGI server (uvicorn in a child process, on the test database), a real
browser that loses its connection, and an alert worker killed with SIGKILL mid-stream."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from alerts_support import (
    JT_CAMERA,
    LQ_CAMERA,
    LQ_SOS,
    SseClient,
    asgi_server,
    ingest,
    payload,
    subprocess_env,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the child processes share the test database: PostgreSQL only")


@pytest.fixture
def server(tmp_path):
    with asgi_server(tmp_path) as srv:
        yield srv


def _session(client, user) -> str:
    from alerts_support import sign_in

    sign_in(client, user)
    return client.cookies["sessionid"].value


def _fire(worker, *payloads):
    ingest(*payloads)
    worker.step()


def test_the_stream_resumes_after_last_event_id_with_every_missed_alert_once_in_order(
    server, client, on_duty, clock, worker
):
    from pingan.alerts.models import Alert

    w = worker()
    cookie = _session(client, on_duty.officer_a)
    sse = SseClient(server, cookie)
    time.sleep(0.5)  # the stream has said hello and subscribed
    _fire(w, payload("s1", LQ_SOS, "sos", clock()))
    first = sse.events(1)
    sse.close()  # the phone loses its connection
    assert [(e[1], e[2]["summary"]) for e in first] == [("alert", "immediate.sos")]
    _fire(w, payload("g1", "35020301001340000002", "gunshot", clock()))
    _fire(w, payload("b1", JT_CAMERA, "smoke", clock()))  # station B's
    _fire(w, payload("s2", LQ_CAMERA, "smoke", clock()))
    sse = SseClient(server, cookie, last_id=first[0][0])
    missed = sse.events(5, timeout=3)
    sse.close()
    a_alerts = list(Alert.objects.filter(unit=on_duty.unit_a).order_by("id").values_list("id", flat=True))
    assert [e[2]["id"] for e in missed] == a_alerts[1:]  # every missed one, once, in order; none of B's
    assert [e[0] for e in missed] == sorted({e[0] for e in missed})


def test_an_officer_off_duty_or_of_another_role_gets_no_stream(server, client, on_duty, xiamen):
    import http.client

    from pingan.alerts import services

    services.duty_end(actor=on_duty.officer_b)
    for user, status in ((on_duty.officer_b, 409), (xiamen.landlord_a, 403), (xiamen.admin, 403)):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/alerts/stream/", headers={"Cookie": f"sessionid={_session(client, user)}"})
        assert conn.getresponse().status == status
        conn.close()


@pytest.mark.browser
def test_a_terminal_that_loses_its_connection_shows_every_alert_once(
    server, client, on_duty, clock, worker, monkeypatch
):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    from pingan.alerts.models import Alert

    w = worker()
    cookie = _session(client, on_duty.officer_a)
    # Playwright's sync API runs an event loop in this thread; the ORM calls here are still synchronous
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
        )
        ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="zh-CN")
        ctx.add_cookies([{"name": "sessionid", "value": cookie, "domain": "127.0.0.1", "path": "/"}])
        page = ctx.new_page()
        logs = []
        page.on("console", lambda m: logs.append(m.text))
        page.goto(server.url + "/alerts/")
        page.wait_for_selector("#conn[data-state=live]", timeout=30_000)
        _fire(w, payload("s1", LQ_SOS, "sos", clock()))
        page.wait_for_selector("li.alert", timeout=15_000)
        server.kill()  # the connection is lost
        page.wait_for_selector("#conn[data-state=offline]", timeout=15_000)
        _fire(w, payload("g1", "35020301001340000002", "gunshot", clock()))
        _fire(w, payload("b1", JT_CAMERA, "smoke", clock()))
        _fire(w, payload("s2", LQ_CAMERA, "smoke", clock()))
        server.start()  # EventSource reconnects by itself, sending Last-Event-ID
        page.wait_for_function("document.querySelectorAll('li.alert').length >= 3", timeout=30_000)
        page.wait_for_timeout(1500)  # nothing more, nothing twice
        shown = page.eval_on_selector_all("li.alert", "els => els.map(e => Number(e.dataset.alert))")
        a_alerts = list(Alert.objects.filter(unit=on_duty.unit_a).order_by("-id").values_list("id", flat=True))
        assert shown == a_alerts and len(shown) == 3
        assert page.get_attribute("#terminal", "data-received") == "3"
        assert page.locator("svg#map circle.dot").count() == 3
        shots = os.environ.get("PINGAN_SCREENSHOTS", "/tmp/pingan-screenshots")
        os.makedirs(shots, exist_ok=True)
        page.screenshot(path=f"{shots}/alerts-terminal-375.png", full_page=True)
        page.click(f"li.alert[data-alert='{a_alerts[0]}'] button.ack")
        page.wait_for_function(
            f"document.querySelector(\"li.alert[data-alert='{a_alerts[0]}']\").classList.contains('acknowledged')",
            timeout=15_000,
        )
        browser.close()
        connections.close_all()  # the connection opened inside Playwright's loop must not outlive the test


def test_a_worker_killed_with_sigkill_mid_stream_loses_nothing_and_shows_nothing_twice(
    postgres_only, tmp_path, on_duty, clock
):
    from pingan.alerts.models import Alert, AlertCause, Checkpoint, FeedItem, HotlistEntry, LoggedEvent
    from pingan.alerts.services import counters

    n = 300
    HotlistEntry.objects.bulk_create(
        [
            HotlistEntry(kind="plate", key=f"闽D{i:05d}", reason="test", priority="P2", unit=on_duty.analyst.unit)
            for i in range(n)
        ]
    )
    ingest(*[payload(f"p{i}", LQ_CAMERA, "anpr", clock(), plate=f"闽D{i:05d}", reliability=99) for i in range(n)])
    last = LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    argv = [sys.executable, "-m", "pingan.cli", "alerts", "worker", "--batch", "7"]
    env = subprocess_env(tmp_path)

    def position():
        cp = Checkpoint.objects.filter(consumer="alerts").first()
        return cp.position if cp else 0

    proc = subprocess.Popen(argv, env=env)
    deadline = time.monotonic() + 120
    while position() < last // 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    killed_at = position()
    assert 0 < killed_at < last, "the worker was killed mid-stream"
    proc = subprocess.Popen(argv, env=env)
    try:
        deadline = time.monotonic() + 180
        while position() < last and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert position() == last
    assert Alert.objects.count() == AlertCause.objects.count() == n
    assert FeedItem.objects.filter(kind="alert").count() == n  # each on the stream exactly once
    assert sorted(FeedItem.objects.values_list("alert__params__listed", flat=True)) == sorted(
        f"闽D{i:05d}" for i in range(n)
    )
    c = counters()
    assert c["alerting"] == n and c.get("non_alert", 0) == 0


def test_partitioned_workers_keep_order_and_exactly_once_when_one_is_killed(postgres_only, tmp_path, on_duty, clock):
    """Two worker processes sharing the rules by key (device, plate): station A's checkpoint belongs to
    partition 0, station B's to 1, the cloned plates half to each. Partition 0 is SIGKILLed mid-stream and
    started again: every alert is raised and streamed exactly once, each device's alerts reach the stream in
    the order of its events, and the counters add up (an event that fired in the partition of its plate,
    not of its device, is counted once)."""
    import datetime as dt
    import zlib

    from pingan.alerts.models import Alert, AlertCause, Checkpoint, FeedItem, HotlistEntry, LoggedEvent
    from pingan.alerts.services import counters

    assert [zlib.crc32(d.encode()) % 2 for d in (LQ_CAMERA, JT_CAMERA)] == [0, 1]
    n, m = 200, 40
    HotlistEntry.objects.bulk_create(
        [HotlistEntry(kind="plate", key=f"闽D{i:05d}", reason="test", priority="P2", unit=on_duty.analyst.unit)
         for i in range(n)]
    )
    listed = [payload(f"p{i}", (LQ_CAMERA, JT_CAMERA)[i % 2], "anpr", clock(), plate=f"闽D{i:05d}", reliability=99)
              for i in range(n)]
    later = clock() + dt.timedelta(seconds=20)  # Lianqian → Jiangtou (2.9 km) in 20 s: a cloned plate
    cloned = [payload(f"c{i}{k}", dev, "anpr", when, plate=f"闽C{i:05d}", reliability=99)
              for i in range(m) for k, (dev, when) in enumerate(((LQ_CAMERA, clock()), (JT_CAMERA, later)))]
    for chunk in range(0, n, 50):  # interleaved, as a stream would be
        ingest(*listed[chunk:chunk + 50], *cloned[chunk // 50 * 20:(chunk // 50 + 1) * 20])
    last = LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    env = subprocess_env(tmp_path)

    def argv(i):
        return [sys.executable, "-m", "pingan.cli", "alerts", "worker", "--partitions", "2", "--partition", str(i),
                "--batch", "7"]

    def position(i):
        cp = Checkpoint.objects.filter(consumer=f"alerts-p{i}of2").first()
        return cp.position if cp else 0

    procs = [subprocess.Popen(argv(i), env=env) for i in (0, 1)]
    try:
        deadline = time.monotonic() + 180
        while position(0) < last // 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(procs[0].pid, signal.SIGKILL)
        procs[0].wait(10)
        killed_at = position(0)
        assert 0 < killed_at < last, "partition 0 was killed mid-stream"
        procs[0] = subprocess.Popen(argv(0), env=env)
        deadline = time.monotonic() + 300
        while min(position(0), position(1)) < last and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)
        for p in procs:
            p.wait(30)
    assert position(0) == position(1) == last
    rules = ("hotlist-plate", "cloned-plate")
    alerts = Alert.objects.filter(rule_id__in=rules)
    assert alerts.filter(rule_id="hotlist-plate").count() == n and alerts.filter(rule_id="cloned-plate").count() == m
    assert AlertCause.objects.filter(alert__rule_id__in=rules).count() == n + m
    feed = list(FeedItem.objects.filter(kind="alert", alert__rule_id__in=rules).order_by("seq")
                .values_list("alert__rule_id", "alert__device__device_id", "alert__params"))
    assert len(feed) == n + m and len({(r, p.get("listed") or p["plate"]) for r, _d, p in feed}) == n + m  # once each
    for dev in (LQ_CAMERA, JT_CAMERA):  # per device, in the order of its events
        order = [int(p["listed"][2:]) for r, d, p in feed if r == "hotlist-plate" and d == dev]
        assert order == sorted(order) and len(order) == n // 2
    c = counters()
    assert (c["accepted"], c["alerting"], c["non_alert"]) == (n + 2 * m, n + m, m)
