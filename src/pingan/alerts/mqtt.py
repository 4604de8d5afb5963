"""MQTT ingest: devices publish JSON events (``alerts.events``) to ``<prefix>/<device_id>/events`` on the
broker (Mosquitto) with QoS 1; this subscriber judges them in batches and acknowledges each message only
after its batch is committed (paho-mqtt's ``manual_ack``), with a persistent MQTT 5 session (a fixed client
id, ``clean_start`` false, a session expiry of a day) — so a subscriber killed mid-batch gets the
unacknowledged messages again from the broker and nothing is lost (duplicates are dropped by key).

It asks the broker for ``RECEIVE_MAXIMUM`` unacknowledged messages in flight (MQTT 5 Receive Maximum); a
broker configured lower (Mosquitto's ``max_inflight_messages``, 20 by default for MQTT 3 clients) caps the
batch size and so the throughput. The broker must also queue enough for the subscriber while it restarts:
Mosquitto drops QoS 1 messages beyond ``max_queued_messages`` (default 1000) per client — docs/alerts.md,
"Broker settings".

Run by ``pingan alerts ingest-mqtt`` (and by ``pingan serve``).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from pingan.alerts.services import RawInput, events_ingest

log = logging.getLogger(__name__)
RECEIVE_MAXIMUM = 2000
SESSION_EXPIRY_S = 86400


def topic_filter(prefix: str | None = None) -> str:
    return f"{prefix or settings.PINGAN['MQTT_TOPIC_PREFIX']}/+/events"


def device_of(topic: str, prefix: str) -> str | None:
    """The device ID in ``<prefix>/<device_id>/events`` (``None`` for another shape)."""
    rest = topic[len(prefix) + 1 :] if topic.startswith(prefix + "/") else ""
    parts = rest.split("/")
    return parts[0] if len(parts) == 2 and parts[1] == "events" else None


class MqttIngest:
    """A subscriber that batches messages (up to ``batch`` or ``linger`` seconds) into ``events_ingest``."""

    def __init__(
        self,
        *,
        url: str | None = None,
        prefix: str | None = None,
        client_id: str = "pingan-ingest",
        batch: int = 500,
        linger: float = 0.02,
        log_=None,
    ) -> None:
        u = urlparse(url or settings.PINGAN["MQTT_URL"])
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 1883
        self.username, self.password = u.username, u.password
        self.prefix = prefix or settings.PINGAN["MQTT_TOPIC_PREFIX"]
        self.batch, self.linger = batch, linger
        self.log = log_
        self.q: queue.Queue = queue.Queue(maxsize=20_000)
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5, manual_ack=True
        )
        self.client.max_queued_messages_set(0)
        if self.username:
            self.client.username_pw_set(self.username, self.password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.connected = threading.Event()
        self.ingested = 0

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        client.subscribe(topic_filter(self.prefix), qos=1)
        self.connected.set()

    def _on_message(self, client, userdata, msg):
        self.q.put(msg)  # blocks the network thread when the queue is full: back-pressure to the broker

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect(self.host, self.port, keepalive=30, clean_start=False, properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def drain_once(self) -> int:
        """Take one batch from the queue, ingest it, then acknowledge its messages. Returns its size."""
        try:
            first = self.q.get(timeout=0.2)
        except queue.Empty:
            return 0
        msgs = [first]
        deadline = time.monotonic() + self.linger
        while len(msgs) < self.batch:
            left = deadline - time.monotonic()
            try:
                msgs.append(self.q.get(timeout=max(left, 0)) if left > 0 else self.q.get_nowait())
            except queue.Empty:
                break
        inputs = [
            RawInput(payload=m.payload, topic=m.topic, topic_device=device_of(m.topic, self.prefix)) for m in msgs
        ]
        events_ingest(inputs=inputs, source="mqtt", log=self.log)
        for m in msgs:
            self.client.ack(m.mid, m.qos)
        self.ingested += len(msgs)
        return len(msgs)

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        self.start()
        try:
            while not stop():
                self.drain_once()
        finally:
            self.stop()
