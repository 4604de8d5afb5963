"""The NATS event log down: an ingest answers 503 ``event_log_unavailable`` with ``Retry-After`` within seconds,
saying none of its events was accepted (it waited ~30 s for a 500: the log's first connection retried for ever
until the call timed out), and the JetStream log is one per process (each request built its own, with a thread
and a connection) — on the real nats-server at 127.0.0.1:4222, "down" being a closed port."""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid

import pytest
from alerts_support import LQ_SOS, payload

from pingan.alerts.models import DeadLetter

CJK_TITLE = {"zh-hans": "事件日志无法连接", "en": "The event log cannot be reached"}


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nats_down(settings):
    settings.PINGAN = {**settings.PINGAN, "EVENTS_URL": f"nats://127.0.0.1:{_closed_port()}",
                       "EVENTS_CONNECT_TIMEOUT_S": 1}
    return settings


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_ingest_while_nats_is_down_answers_503_at_once_and_keeps_nothing(xiamen, clock, nats_down, language):
    from django.test import Client

    from pingan.core.services import token_create

    tok = token_create(user=xiamen.admin, name="anpr").secret
    body = {"events": [payload("h1", LQ_SOS, "heartbeat", clock()), {"event_id": "x"}]}
    import nats.js.api  # noqa: F401 — the first import of nats-py (seconds on a loaded machine) is not the wait measured
    started = time.monotonic()
    r = Client(raise_request_exception=False).post(
        "/api/v1/alerts/events", json.dumps(body), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {tok}", HTTP_ACCEPT_LANGUAGE=language)
    took = time.monotonic() - started
    assert took < 5, took
    assert r.status_code == 503 and r["Content-Type"] == "application/problem+json", r.content[:300]
    assert r["Retry-After"] == "30"
    problem = r.json()
    assert problem["code"] == "event_log_unavailable" and problem["title"] == CJK_TITLE[language]
    assert ("没有" in problem["detail"]) if language == "zh-hans" else ("none of this request's events was accepted"
                                                                        in problem["detail"])
    assert not DeadLetter.objects.exists()  # the batch's rejected event was not kept either: the batch is resent


def test_the_jetstream_log_is_one_per_process(settings):
    from pingan.alerts import eventlog

    stream = f"T_ONE_{uuid.uuid4().hex[:8]}"
    settings.PINGAN = {**settings.PINGAN, "EVENTS_URL": "nats://127.0.0.1:4222", "EVENTS_STREAM": stream}
    eventlog._shared.clear()
    got: list = []
    threads = [threading.Thread(target=lambda: got.append(eventlog.get_log())) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(10)
        assert len(got) == 4 and all(g is got[0] for g in got)
        assert eventlog.get_log() is got[0]
        got[0].delete_stream()
        got[0].close()
        again = eventlog.get_log()  # a closed one is built again
        assert again is not got[0]
        again.delete_stream()
        again.close()
    finally:
        eventlog._shared.clear()


def test_a_closed_port_fails_within_the_connect_timeout():
    from pingan.alerts.eventlog import JetStreamLog
    from pingan.core.unavailable import ServiceUnavailable, unavailable

    before = threading.active_count()
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable) as caught:
        JetStreamLog(f"nats://127.0.0.1:{_closed_port()}", connect_timeout_s=1)
    assert time.monotonic() - started < 4
    assert unavailable(caught.value) == "event_log_unavailable"
    time.sleep(0.2)
    assert threading.active_count() <= before  # its loop thread stopped


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_worker_waits_for_the_event_log_and_stops_when_told(nats_down, language):
    """``pingan alerts worker`` started while NATS is down says so in one line a try, waits 1, 2, 4 … s and stops
    cleanly on SIGTERM (before: a ServiceUnavailable traceback two seconds after start)."""
    import io

    from django.core.management import call_command
    from django.utils import translation

    from pingan.alerts.management.commands import alerts as command

    err = io.StringIO()
    timer = threading.Timer(3.5, lambda: setattr(command, "_stop", True))
    timer.start()
    try:
        with translation.override(language):
            call_command("alerts", "worker", stdout=io.StringIO(), stderr=err)
    finally:
        timer.cancel()
        command._stop = False
    lines = err.getvalue().strip().splitlines()
    said = "无法连接事件日志" if language == "zh-hans" else "the event log cannot be reached; trying again in"
    assert len(lines) >= 2 and all(said in line for line in lines), lines
    assert ("1 秒" in lines[0] and "2 秒" in lines[1]) if language == "zh-hans" else (
        "in 1 s" in lines[0] and "in 2 s" in lines[1]), lines
