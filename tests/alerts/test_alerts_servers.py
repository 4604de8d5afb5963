"""Ingest through the real Mosquitto broker and the event log on the real NATS JetStream server
(``.ci/run`` starts both when they are not running). Topics, client ids and streams carry a random suffix
so that runs of different people on one machine never see each other's messages."""

from __future__ import annotations

import json
import secrets
import time

import paho.mqtt.client as mqtt
import pytest
from alerts_support import JT_CAMERA, LQ_SOS, payload

from pingan.alerts.models import Alert, DeadLetter
from pingan.alerts.services import counters

pytestmark = pytest.mark.django_db


def _publisher(prefix: str):
    c = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-pub-{secrets.token_hex(4)}")
    c.connect("127.0.0.1", 1883)
    c.loop_start()
    return c


def _publish(c, prefix, device, body):
    info = c.publish(f"{prefix}/{device}/events", body if isinstance(body, bytes | str) else json.dumps(body), qos=1)
    info.wait_for_publish(5)


def _drain(ing, want: int, timeout: float = 15) -> int:
    got, deadline = 0, time.monotonic() + timeout
    while got < want and time.monotonic() < deadline:
        got += ing.drain_once()
    return got


def test_events_published_over_mqtt_are_ingested_with_every_one_accounted_for(xiamen, clock):
    from pingan.alerts.mqtt import MqttIngest

    prefix = f"pingan-test-{secrets.token_hex(4)}/v1/devices"
    ing = MqttIngest(prefix=prefix, client_id=f"pingan-test-{secrets.token_hex(4)}", linger=0.05)
    ing.start()
    assert ing.connected.wait(5)
    pub = _publisher(prefix)
    try:
        for i in range(20):
            _publish(pub, prefix, LQ_SOS, payload(f"m{i}", LQ_SOS, "heartbeat", clock()))
        _publish(pub, prefix, LQ_SOS, payload("m0", LQ_SOS, "heartbeat", clock()))  # at-least-once: again
        _publish(pub, prefix, LQ_SOS, b"{not json")
        _publish(pub, prefix, JT_CAMERA, payload("x1", LQ_SOS, "sos", clock()))  # topic names another device
        assert _drain(ing, 23) == 23
    finally:
        pub.loop_stop()
        ing.stop()
    c = counters()
    assert (c["received"], c["accepted"], c["duplicates"], c["dead_lettered"]) == (23, 20, 1, 2)
    assert sorted(DeadLetter.objects.values_list("reason_code", flat=True)) == ["bad_json", "topic_mismatch"]
    assert DeadLetter.objects.get(reason_code="topic_mismatch").topic == f"{prefix}/{JT_CAMERA}/events"


def test_messages_not_acknowledged_before_a_crash_are_delivered_again(xiamen, clock):
    from pingan.alerts.mqtt import MqttIngest

    prefix = f"pingan-test-{secrets.token_hex(4)}/v1/devices"
    client_id = f"pingan-test-{secrets.token_hex(4)}"
    first = MqttIngest(prefix=prefix, client_id=client_id)
    first.start()
    assert first.connected.wait(5)
    pub = _publisher(prefix)
    for i in range(10):
        _publish(pub, prefix, LQ_SOS, payload(f"r{i}", LQ_SOS, "heartbeat", clock()))
    deadline = time.monotonic() + 5
    while first.pending() < 10 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert first.pending() == 10
    first.abort()  # the process "dies": received, never ingested, never acknowledged
    second = MqttIngest(prefix=prefix, client_id=client_id)  # same persistent session
    second.start()
    try:
        assert _drain(second, 10) == 10
    finally:
        pub.loop_stop()
        second.stop()
        # drop the broker-side session: connect once with a clean start and no session expiry
        end = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        end.connect("127.0.0.1", 1883, clean_start=True)
        end.disconnect()
    assert counters()["accepted"] == 10


def test_the_jetstream_log_drops_duplicates_and_its_consumer_resumes_where_it_stopped(xiamen, clock):
    from pingan.alerts.eventlog import JetStreamLog
    from pingan.alerts.events import parse_payload

    stream = f"PINGAN_TEST_{secrets.token_hex(4).upper()}"
    log = JetStreamLog("nats://127.0.0.1:4222", stream=stream, duplicate_window_s=60, max_age_s=600)
    try:
        evs = [parse_payload(payload(f"j{i}", LQ_SOS, "heartbeat", clock()), source="http") for i in range(5)]
        assert log.append(evs, received_at=clock()) == []
        dupes = log.append([evs[0], evs[1]], received_at=clock())
        assert [e.event_id for e in dupes] == ["j0", "j1"]
        first = log.read("worker", after=0, limit=3, timeout=2)
        assert [e.event.event_id for e in first] == ["j0", "j1", "j2"]
        log.ack("worker", first[-1].seq)
        log.close()
        log = JetStreamLog("nats://127.0.0.1:4222", stream=stream)
        rest = log.read("worker", after=0, limit=10, timeout=2)
        assert [e.event.event_id for e in rest] == ["j3", "j4"]
        assert [e.event.event_id for e in log.read_range(1, 2)] == ["j0", "j1"]
    finally:
        log.delete_stream()
        log.close()


def test_the_worker_raises_alerts_from_the_jetstream_log(on_duty, clock):
    from pingan.alerts import services
    from pingan.alerts.eventlog import JetStreamLog
    from pingan.alerts.worker import Worker

    stream = f"PINGAN_TEST_{secrets.token_hex(4).upper()}"
    log = JetStreamLog("nats://127.0.0.1:4222", stream=stream, duplicate_window_s=60, max_age_s=600)
    try:
        res = services.events_ingest(
            inputs=[services.RawInput(payload=payload("js1", LQ_SOS, "sos", clock()))], source="http", log=log
        )
        assert res.counts["accepted"] == 1
        w = Worker(consumer=f"w{secrets.token_hex(3)}", log_=log, clock=clock)
        deadline = time.monotonic() + 10
        while not w.processed and time.monotonic() < deadline:
            w.step(timeout=0.5)
        alert = Alert.objects.get()
        assert (alert.rule_id, alert.unit.code) == ("sos", "350203-LQ")
    finally:
        log.delete_stream()
        log.close()
