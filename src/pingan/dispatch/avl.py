"""AVL over MQTT: vehicles and drones publish their positions to ``pingan/v1/units/<call sign>/position``
(``PINGAN_MQTT_UNITS_PREFIX``), JSON ``{"lon", "lat", "crs": "wgs84"|"gcj02"|"bd09", "time": RFC 3339 with an
offset, "battery": 0-100 (drones)}``; this subscriber stores them in batches (``services.positions_ingest``:
converted to WGS-84, the newest becomes the unit's position).

Positions are superseded every few seconds, so the subscription is QoS 0 with a clean session: a position
lost while the subscriber restarts is replaced by the next one (unlike device events, which are QoS 1 and
acknowledged after commit — alerts.mqtt). gmqtt on an event loop thread, as the alerts ingest.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import os
import threading
from urllib.parse import urlparse

from django.conf import settings

log = logging.getLogger(__name__)
PREFIX = os.environ.get("PINGAN_MQTT_UNITS_PREFIX", "pingan/v1/units")
#: Mosquitto's count of messages it dropped (all clients; a QoS 0 message is dropped when a subscriber's
#: outgoing queue holds ``max_queued_messages`` packets, default 1000), published every ``sys_interval``.
BROKER_DROPPED = "$SYS/broker/publish/messages/dropped"


def parse(topic: str, payload: bytes, prefix: str = PREFIX) -> tuple | None:
    """``(call sign, lon, lat, crs, time, battery)`` from one message, or ``None`` when it is not a position
    (wrong topic shape, not JSON, missing or non-numeric fields, time without an offset)."""
    rest = topic[len(prefix) + 1:] if topic.startswith(prefix + "/") else ""
    parts = rest.split("/")
    if len(parts) != 2 or parts[1] != "position" or not parts[0]:
        return None
    try:
        body = json.loads(payload)
        lon, lat = float(body["lon"]), float(body["lat"])
        at = dt.datetime.fromisoformat(body["time"]) if body.get("time") else dt.datetime.now(dt.UTC)
        battery = float(body["battery"]) if body.get("battery") is not None else None
    except (ValueError, KeyError, TypeError):
        return None
    if at.tzinfo is None:
        return None
    return parts[0], lon, lat, str(body.get("crs") or "wgs84").lower(), at, battery


class AvlSubscriber:
    """Collects positions from the broker; :meth:`drain` stores what arrived since the last call."""

    def __init__(self, *, url: str | None = None, prefix: str = PREFIX, client_id: str = "pingan-avl") -> None:
        u = urlparse(url or settings.PINGAN["MQTT_URL"])
        self.host, self.port = u.hostname or "127.0.0.1", u.port or 1883
        self.username, self.password = u.username, u.password
        self.prefix, self.client_id = prefix, client_id
        self.pending: list[tuple] = []
        self.lock = threading.Lock()
        self.connected = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None
        self.client = None
        #: counters since start (``stats()``): messages received from the broker, positions stored, messages
        #: that were not positions, positions refused on ingest (unknown call sign, unusable), and the
        #: largest backlog seen between two drains. QoS 0 may lose messages before they reach us (the broker
        #: drops for a slow subscriber, a reconnect); what reaches us is stored or counted here.
        self.received = self.stored = self.skipped = self.refused = self.max_pending = 0
        #: the broker's dropped-message counter: first and latest value seen (None: the broker does not say)
        self.broker_dropped_first: int | None = None
        self.broker_dropped_last: int | None = None

    def _on_connect(self, client, flags, rc, properties) -> None:
        client.subscribe(f"{self.prefix}/+/position", qos=0)
        client.subscribe(BROKER_DROPPED, qos=0)
        self.connected.set()

    def _on_message(self, client, topic, payload, qos, properties) -> int:
        if topic == BROKER_DROPPED:
            try:
                n = int(payload)
            except ValueError:
                return 0
            with self.lock:
                if self.broker_dropped_first is None:
                    self.broker_dropped_first = n
                self.broker_dropped_last = n
            return 0
        row = parse(topic, payload, self.prefix)
        with self.lock:
            self.received += 1
            if row is None:
                self.skipped += 1
            else:
                self.pending.append(row)
                self.max_pending = max(self.max_pending, len(self.pending))
        return 0

    async def _connect(self) -> None:
        from gmqtt import Client
        from gmqtt.mqtt.constants import UNLIMITED_RECONNECTS, MQTTv50

        self.client = Client(self.client_id, clean_session=True)
        self.client.set_config({"reconnect_retries": UNLIMITED_RECONNECTS, "reconnect_delay": 1})
        if self.username:
            self.client.set_auth_credentials(self.username, self.password)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        await self.client.connect(self.host, self.port, keepalive=30, version=MQTTv50)

    def start(self) -> None:
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="mqtt-avl", daemon=True).start()
        asyncio.run_coroutine_threadsafe(self._connect(), self.loop).result(30)

    def stop(self) -> None:
        if self.loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.client.disconnect(), self.loop).result(10)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)

    def drain(self) -> int:
        from pingan.dispatch.services import positions_ingest

        with self.lock:
            rows, self.pending = self.pending, []
        if not rows:
            return 0
        n = positions_ingest(rows, source="mqtt")
        self.stored += n
        self.refused += len(rows) - n
        return n

    def stats(self) -> dict[str, int]:
        """The counters and the backlog now (``pending``: received, not yet stored); ``broker_dropped``: the
        messages the broker says it dropped since we first heard its counter (every client's, ``-1``: not
        heard yet; Mosquitto publishes it every 10 s by default)."""
        with self.lock:
            dropped = (self.broker_dropped_last - self.broker_dropped_first
                       if self.broker_dropped_first is not None and self.broker_dropped_last is not None else -1)
            return {"received": self.received, "stored": self.stored, "not_a_position": self.skipped,
                    "refused": self.refused, "pending": len(self.pending), "max_pending": self.max_pending,
                    "broker_dropped": dropped}
