"""MQTT ingest: devices publish JSON events (``alerts.events``) to ``<prefix>/<device_id>/events`` on the
broker (Mosquitto) with QoS 1; this subscriber judges them in batches and acknowledges each message only
after its batch is committed, with a persistent MQTT 5 session (a fixed client id, ``clean_start`` false, a
session expiry of a day) — so a subscriber killed mid-batch gets the unacknowledged messages again from the
broker and nothing is lost (duplicates are dropped by key).

The client library is gmqtt (asyncio, MQTT 5), on an event loop in a thread of its own. gmqtt reads the
socket in large chunks and parses packets from the buffer (paho-mqtt, which reads each packet header byte by
byte and builds MQTT 5 property objects and a condition variable for every message, took ~110 µs of CPU a
message). With ``optimistic_acknowledgement`` off, gmqtt would run the message callback as an asyncio task per
message and send each PUBACK when that task ends (one ``write`` system call each): ~35 µs of CPU a message
spent on the acknowledgement alone. This subscriber instead takes QoS 1 PUBLISH packets from gmqtt's packet
handler as they are parsed (keeping the packet identifier) and, once :meth:`drain_once` has committed the
batch holding them, writes all of that batch's PUBACKs in one ``write`` — on the connection that received
them: a message received on a connection that has since dropped is not acknowledged on the new one (the
broker redelivers it; the duplicate is dropped by key).

It asks the broker for ``RECEIVE_MAXIMUM`` unacknowledged messages in flight (MQTT 5 Receive Maximum), which
bounds what it holds in memory. The broker must also queue enough for the subscriber while it restarts:
Mosquitto drops QoS 1 messages beyond ``max_queued_messages`` (default 1000) per client — docs/alerts.md,
"Broker settings".

Run by ``pingan alerts ingest-mqtt`` (and by ``pingan serve``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from urllib.parse import urlparse

from django.conf import settings

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
    """A subscriber that batches messages (up to ``batch`` or ``linger`` seconds) into ``events_ingest``.

    ``start()`` connects (the network runs on its own thread); ``drain_once()`` ingests one batch in the
    calling thread and then releases its acknowledgements; ``stop()`` disconnects; ``abort()`` drops the
    connection without acknowledging anything (what a crash does; for tests)."""

    def __init__(
        self,
        *,
        url: str | None = None,
        prefix: str | None = None,
        client_id: str = "pingan-ingest",
        batch: int = 1000,
        linger: float = 0.02,
        log_=None,
    ) -> None:
        u = urlparse(url or settings.PINGAN["MQTT_URL"])
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 1883
        self.username, self.password = u.username, u.password
        self.prefix = prefix or settings.PINGAN["MQTT_TOPIC_PREFIX"]
        self.client_id = client_id
        self.batch, self.linger = batch, linger
        self.log = log_
        self._pending: list[tuple[str, bytes, int | None, object]] = []  # topic, payload, packet id, connection
        self._lock = threading.Lock()
        self._arrived = threading.Event()
        self._full = threading.Event()  # a whole batch is waiting: the linger ends early
        self.connected = threading.Event()
        self.ingested = 0
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client = None

    # -- the network side (event loop thread)
    def _on_connect(self, client, flags, rc, properties) -> None:
        client.subscribe(topic_filter(self.prefix), qos=1)
        self.connected.set()

    def _on_disconnect(self, client, packet, exc=None) -> None:
        self.connected.clear()

    def _park(self, topic: str, payload: bytes, mid: int | None) -> None:
        item = (topic, payload, mid, self.client._connection)
        with self._lock:
            self._pending.append(item)
            n = len(self._pending)
            if n == 1:
                self._arrived.set()
            elif n == self.batch:
                self._full.set()

    def _on_qos1(self, mid: int, packet: bytes, topic: str, properties: dict) -> None:
        """gmqtt's QoS 1 PUBLISH handler, replaced: park the message with its packet identifier; the PUBACK
        is written after its batch commits (:func:`_acknowledge`)."""
        self._park(topic, packet, mid)

    def _on_message(self, client, topic: str, payload: bytes, qos: int, properties) -> None:
        self._park(topic, payload, None)  # QoS 0 (the subscription is QoS 1: a QoS 0 publish stays QoS 0)

    async def _connect(self) -> None:
        from gmqtt import Client
        from gmqtt.mqtt.constants import UNLIMITED_RECONNECTS, MQTTv50

        self.client = Client(
            self.client_id,
            clean_session=False,
            optimistic_acknowledgement=False,
            session_expiry_interval=SESSION_EXPIRY_S,
            receive_maximum=RECEIVE_MAXIMUM,
        )
        self.client.set_config({"reconnect_retries": UNLIMITED_RECONNECTS, "reconnect_delay": 1})
        if self.username:
            self.client.set_auth_credentials(self.username, self.password)
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        handler = getattr(self.client, "_package_handler", self.client)  # gmqtt 0.8 delegates; 0.7 inherits
        handler._handle_qos_1_publish_packet = self._on_qos1
        await self.client.connect(self.host, self.port, keepalive=30, version=MQTTv50)

    def start(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="mqtt-ingest", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._connect(), self.loop).result(30)

    def stop(self) -> None:
        if self.loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.client.disconnect(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)

    def abort(self) -> None:
        """Drop the connection at once, acknowledging nothing, and do not reconnect (a crash, for tests)."""

        def _abort():
            self.client.set_config({"reconnect_retries": 0})
            transport = self.client._connection._transport
            transport.abort()
            self.loop.stop()

        self.loop.call_soon_threadsafe(_abort)

    def pending(self) -> int:
        """Messages received and not yet taken into a batch."""
        with self._lock:
            return len(self._pending)

    # -- the ingest side (calling thread)
    def _take(self) -> list[tuple[str, bytes, int | None, object]]:
        with self._lock:
            msgs, self._pending = self._pending[: self.batch], self._pending[self.batch :]
            if not self._pending:
                self._arrived.clear()
            if len(self._pending) < self.batch:
                self._full.clear()
        return msgs

    def drain_once(self) -> int:
        """Take one batch (waiting up to 0.2 s for a first message, then ``linger`` s for more), ingest it,
        then acknowledge its messages. Returns its size."""
        if not self._arrived.wait(0.2):
            return 0
        self._full.wait(self.linger)  # one wake-up, not a poll every 2 ms
        msgs = self._take()
        if not msgs:
            return 0
        inputs = [RawInput(payload=p, topic=t, topic_device=device_of(t, self.prefix)) for t, p, _, _ in msgs]
        events_ingest(inputs=inputs, source="mqtt", log=self.log)
        self.loop.call_soon_threadsafe(_acknowledge, self.client, [(m, c) for _, _, m, c in msgs if m is not None])
        self.ingested += len(msgs)
        return len(msgs)

    def run(self, *, stop: Callable[[], bool] = lambda: False) -> None:
        self.start()
        try:
            while not stop():
                self.drain_once()
        finally:
            self.stop()


def _acknowledge(client, items: list[tuple[int, object]]) -> None:
    """Write the PUBACKs (MQTT 5 §3.4: ``0x40``, remaining length 2, the packet identifier — the reason code
    may be left out when it is 0, success) of a committed batch in one write, for the messages that arrived
    on the connection still open; the others the broker redelivers."""
    current = client._connection
    acks = b"".join(b"\x40\x02" + mid.to_bytes(2, "big") for mid, conn in items if conn is current)
    if acks and current is not None:
        current._protocol.write_data(acks)
