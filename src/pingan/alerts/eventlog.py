"""The durable event log behind a small interface: the database (embedded default, no broker) or NATS
JetStream (``PINGAN_EVENTS_URL=nats://host:4222``), the scale-out path.

:class:`EventLog` is the seam: ingest appends, the alert worker reads after a position and acknowledges.

* :class:`DatabaseLog` — the ``LoggedEvent`` table; appends take the ``LogHead`` row lock so rows commit in
  sequence order, one append at a time: on PostgreSQL an append looks up its keys already in the log
  (duplicates, dropped) and copies the others in (``COPY``); elsewhere ``INSERT … ON CONFLICT DO NOTHING
  RETURNING``. The key's unique index stays the guarantee.
* :class:`JetStreamLog` — a stream (subjects ``<stream>.events``) with a durable pull consumer per worker
  (``AckPolicy.ALL``: acknowledging a sequence acknowledges everything before it; a restarted consumer
  resumes after the last acknowledged message). Duplicates: the ``Nats-Msg-Id`` header is the event key, so
  JetStream drops a re-publish within the stream's duplicate window (``PINGAN_EVENTS_DUPLICATE_WINDOW_S``,
  default 600 s) and says so in the publish ack. nats-py is asyncio; this class runs it on a private event
  loop thread and offers blocking calls to the worker. One per process (:func:`get_log`, built on first use):
  each ingest request built its own, with a thread and a connection, and a NATS that was down made it retry
  for ever until the 30 s call timeout answered 500. Now the first connection is tried for at most
  ``PINGAN_EVENTS_CONNECT_TIMEOUT_S`` (default 2 s), a publish waits at most as long, and either failure is
  :class:`pingan.core.unavailable.ServiceUnavailable` (``event_log_unavailable``): the API and pages answer 503
  with ``Retry-After``, saying that none of the request's events was accepted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import time
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.db import connection, transaction

from pingan.alerts.events import Event
from pingan.core.unavailable import ServiceUnavailable

log = logging.getLogger(__name__)


@dataclass(slots=True)
class LogEntry:
    seq: int
    event: Event | None  # None: skipped unparsed (the reader's ``wanted`` said no)
    received_at: dt.datetime


class EventLog(Protocol):
    def append(self, events: list[Event], *, received_at: dt.datetime) -> list[Event]:
        """Append ``events`` (in order); returns the duplicates (already in the log), which were dropped."""

    def read(self, consumer: str, *, after: int, limit: int, timeout: float, wanted=None) -> list[LogEntry]:
        """Up to ``limit`` entries after sequence ``after`` for ``consumer``; waits up to ``timeout`` s.
        ``wanted(device_id, type) -> bool``, if given, lets a log that knows both without parsing leave the
        entries the reader does not want unparsed (``event`` None); a log may ignore it."""

    def ack(self, consumer: str, upto: int) -> None:
        """``consumer`` has durably processed everything up to ``upto``."""

    def wait(self, timeout: float) -> None:
        """After a read that found nothing: wait up to ``timeout`` s, or less once something was appended (a log
        whose :meth:`read` itself waits returns at once)."""

    def read_range(self, first: int, last: int) -> Iterator[LogEntry]:
        """Entries ``first``..``last`` inclusive (to rebuild rule state after a restart)."""

    def prune(self, *, upto: int, before: dt.datetime, limit: int) -> int:
        """Delete up to ``limit`` of the oldest entries at or below position ``upto`` received before
        ``before``; returns how many (a log that expires entries itself answers 0)."""

    def consumers(self) -> list[str]:
        """The consumers the log itself keeps (a JetStream durable each); the database log keeps none (a
        consumer's position is its checkpoint row)."""

    def delete_consumer(self, consumer: str) -> bool:
        """Forget ``consumer`` and its position in the log; False when there was none (idempotent)."""

    def close(self) -> None: ...


# every append notifies ``pingan_log`` (delivered when it commits): an idle worker waits for that instead of
# polling (:meth:`DatabaseLog.wait`)
CHANNEL = "pingan_log"
_LOCK_HEAD = "SELECT seq, pg_notify('pingan_log', '') FROM alerts_loghead WHERE id = 1 FOR UPDATE"  # CHANNEL
_CREATE_HEAD = "INSERT INTO alerts_loghead (id, seq) VALUES (1, 0) ON CONFLICT (id) DO NOTHING"
# The batch's keys already in the log (duplicates), usually none: under the head's lock no other append runs, so
# the others can be copied straight into the log. The keys go as one newline-separated text (their alphabet has
# no newline: events.parse_payload), not an array parameter, whose elements psycopg quotes one by one.
_ALREADY = "SELECT key FROM alerts_loggedevent WHERE key = ANY(string_to_array(%s, E'\\n'))"
_COPY = "COPY alerts_loggedevent (key, device_id, type, time, received_at, body) FROM STDIN"
_READ = "SELECT seq, body, received_at, device_id, type FROM alerts_loggedevent WHERE seq > %s ORDER BY seq LIMIT %s"
# on PostgreSQL the reception time as text (the session's time zone is UTC), parsed once per distinct value
_READ_TEXT = _READ.replace("received_at,", "received_at::text,", 1)
_PRUNE = (
    "DELETE FROM alerts_loggedevent WHERE seq IN (SELECT seq FROM (SELECT seq, received_at FROM alerts_loggedevent "
    "WHERE seq <= %s ORDER BY seq LIMIT %s) AS head WHERE received_at < %s)"
)


def _parse_time(text: str) -> dt.datetime:
    t = dt.datetime.fromisoformat(text)
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


class DatabaseLog:
    """The event log in the database (``LoggedEvent``)."""

    def append(self, events: list[Event], *, received_at: dt.datetime) -> list[Event]:
        """Under the ``LogHead`` row lock (appends commit in sequence order, one at a time), one ``SELECT`` of
        the batch's keys already in the log, then one ``COPY`` of the others straight into the log, in the
        batch's order: three statements per batch whatever its size (a multi-row ``INSERT`` with bound
        parameters cost ~40 µs of client CPU per event; a ``COPY`` into a staging table and an ``INSERT …
        SELECT … ON CONFLICT DO NOTHING`` from it made PostgreSQL write and read every event twice). Inside
        the caller's transaction when there is one (no savepoint)."""
        if not events:
            return []
        dupes: list[Event] = []
        first: dict[str, Event] = {}
        for e in events:  # a key twice in one batch: the second is a duplicate
            k = e.key
            if k in first:
                dupes.append(e)
            else:
                first[k] = e
        if connection.vendor != "postgresql":
            rows = list(first.values())
            inserted = self._insert_portable(rows, received_at)
            return dupes + [e for e in rows if e.key not in inserted]
        stamp = received_at.isoformat()
        with transaction.atomic(savepoint=False), connection.cursor() as cur:
            cur.execute(_LOCK_HEAD)
            if cur.fetchone() is None:
                cur.execute(_CREATE_HEAD)
                cur.execute(_LOCK_HEAD)
            cur.execute(_ALREADY, ["\n".join(first)])
            already = {r[0] for r in cur.fetchall()}
            # COPY text format: tab-separated, backslash escapes. Keys, device ids, types and times are from
            # restricted alphabets (events.parse_payload); the JSON body has no raw tab or newline (JSON escapes
            # control characters), so only its backslashes need doubling.
            buf = b"".join(
                f"{k}\t{e.device_id}\t{e.type}\t{e.time.isoformat()}\t{stamp}\t".encode()
                + e.to_json_bytes().replace(b"\\", b"\\\\")
                + b"\n"
                for k, e in first.items()
                if k not in already
            )
            if buf:
                with cur.cursor.copy(_COPY) as copy:
                    copy.write(buf)
        if already:
            dupes += [e for k, e in first.items() if k in already]
        return dupes

    @staticmethod
    def _insert_portable(rows: list[Event], received_at: dt.datetime) -> set[str]:
        """The same in plain SQL for SQLite (the laptop default): multi-row ``INSERT … ON CONFLICT DO NOTHING
        RETURNING`` under a transaction that SQLite runs ``IMMEDIATE`` (one writer at a time)."""
        from pingan.alerts.models import LogHead

        inserted: set[str] = set()
        with transaction.atomic():
            LogHead.objects.get_or_create(id=1)
            for i in range(0, len(rows), 400):
                chunk = rows[i : i + 400]
                values = ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk))
                params: list = []
                for e in chunk:
                    params += [e.key, e.device_id, e.type, e.time, received_at, e.to_json()]
                with connection.cursor() as cur:
                    sql = (
                        "INSERT INTO alerts_loggedevent (key, device_id, type, time, received_at, body) "  # noqa: S608 - placeholders only
                        f"VALUES {values} ON CONFLICT (key) DO NOTHING RETURNING key"
                    )
                    cur.execute(sql, params)
                    inserted.update(r[0] for r in cur.fetchall())
        return inserted

    def read(self, consumer: str, *, after: int, limit: int, timeout: float = 0, wanted=None) -> list[LogEntry]:
        with connection.cursor() as cur:
            cur.execute(_READ_TEXT if connection.vendor == "postgresql" else _READ, [after, limit])
            rows = cur.fetchall()
        if rows and isinstance(rows[0][2], str):  # the time as text (SQLite's own; PostgreSQL's asked for):
            # the events of one ingest batch share their reception time, so each distinct one is parsed once
            times: dict[str, dt.datetime] = {}
            rows = [(seq, body, times.get(rec) or times.setdefault(rec, _parse_time(rec)), d, t)
                    for seq, body, rec, d, t in rows]
        if wanted is None:
            return [LogEntry(seq, Event.from_json(body), rec) for seq, body, rec, _d, _t in rows]
        return [LogEntry(seq, Event.from_json(body) if wanted(d, t) else None, rec) for seq, body, rec, d, t in rows]

    def ack(self, consumer: str, upto: int) -> None:
        return None  # the position is the worker's checkpoint row, committed with its results

    _listening: weakref.WeakSet = weakref.WeakSet()  # driver connections whose session LISTENs on CHANNEL

    def wait(self, timeout: float) -> None:
        """Up to ``timeout`` s until an append commits: on PostgreSQL the notification every append sends (a
        worker polling every 50 ms made each event wait 25 ms on average for nothing), else a sleep. A
        notification that came while the worker was busy ends the wait at once (one read too many, no more)."""
        if connection.vendor != "postgresql" or connection.in_atomic_block:
            time.sleep(timeout)
            return
        connection.ensure_connection()
        raw = connection.connection
        if raw not in self._listening:
            raw.execute(f"LISTEN {CHANNEL}")
            self._listening.add(raw)
        for _note in raw.notifies(timeout=timeout, stop_after=1):
            pass

    def read_range(self, first: int, last: int) -> Iterator[LogEntry]:
        after = first - 1
        while after < last:
            batch = [e for e in self.read("", after=after, limit=2000) if e.seq <= last]
            if not batch:
                return
            yield from batch
            after = batch[-1].seq

    def prune(self, *, upto: int, before: dt.datetime, limit: int) -> int:
        """The first ``limit`` entries by sequence up to ``upto``, those of them received before ``before``:
        one statement walking the sequence index from its start (reception times rise with the sequence, so
        the oldest are first and nothing beyond the first ``limit`` rows is read)."""
        if upto <= 0 or limit <= 0:
            return 0
        with connection.cursor() as cur:
            cur.execute(_PRUNE, [upto, limit, connection.ops.adapt_datetimefield_value(before)])
            return cur.rowcount

    def consumers(self) -> list[str]:
        return []

    def delete_consumer(self, consumer: str) -> bool:
        return False

    def close(self) -> None:
        return None


class JetStreamLog:
    """The event log in a NATS JetStream stream."""

    def __init__(
        self,
        url: str,
        *,
        stream: str | None = None,
        duplicate_window_s: int | None = None,
        max_age_s: int | None = None,
        connect_timeout_s: float | None = None,
    ) -> None:
        import nats  # noqa: F401 - fail early when the package is missing

        conf = settings.PINGAN
        self.timeout = float(connect_timeout_s or conf.get("EVENTS_CONNECT_TIMEOUT_S") or 2.0)
        self.url = url
        self.stream = stream or conf["EVENTS_STREAM"]
        self.subject = f"{self.stream}.events"
        self.duplicate_window_s = duplicate_window_s or conf["EVENTS_DUPLICATE_WINDOW_S"]
        self.max_age_s = max_age_s or conf["EVENTS_MAX_AGE_S"]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="nats-log", daemon=True)
        self._thread.start()
        self._subs: dict[str, object] = {}
        self._last: dict[str, object] = {}  # the last message fetched, by consumer (what ``ack`` acknowledges)
        try:
            self._call(self._connect(), timeout=self.timeout + 5)
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            raise

    def _call(self, coro, timeout: float = 30):
        """``coro`` on the log's loop, waited for up to ``timeout`` s; NATS unreachable (not connected, a
        request unanswered, the wait over) is :class:`ServiceUnavailable` (``event_log_unavailable``)."""
        import concurrent.futures

        import nats.errors

        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout)
        except (concurrent.futures.TimeoutError, TimeoutError, OSError, nats.errors.ConnectionClosedError,
                nats.errors.NoServersError, nats.errors.TimeoutError, nats.errors.NoRespondersError,
                nats.errors.StaleConnectionError, nats.errors.OutboundBufferLimitError) as exc:
            fut.cancel()
            raise ServiceUnavailable("event_log_unavailable", f"the event log at {self.url} cannot be reached: "
                                     f"{type(exc).__name__} {exc}") from exc

    async def _connect(self) -> None:
        import nats
        from nats.js.api import StreamConfig

        async def quiet(_exc) -> None:  # nats-py logs every failed attempt with its traceback by default
            log.debug("nats %s: %s", self.url, _exc)

        # a bounded first connection (max_reconnect_attempts=-1 alone retried a refused one for ever); once
        # connected, the client reconnects for ever in the background, and a publish meanwhile times out
        self.nc = await asyncio.wait_for(
            nats.connect(self.url, name="pingan-alerts", connect_timeout=self.timeout, max_reconnect_attempts=-1,
                         allow_reconnect=True, error_cb=quiet),
            self.timeout)
        self.js = self.nc.jetstream(timeout=self.timeout)
        config = StreamConfig(
            name=self.stream, subjects=[self.subject], max_age=self.max_age_s, duplicate_window=self.duplicate_window_s
        )
        try:
            await self.js.add_stream(config)
        except Exception:
            await self.js.update_stream(config)

    async def _append(self, events: list[Event]) -> list[Event]:
        futs = [self.js.publish(self.subject, e.to_json().encode(), headers={"Nats-Msg-Id": e.key}) for e in events]
        acks = await asyncio.gather(*futs)
        return [e for e, a in zip(events, acks, strict=True) if a.duplicate]

    def append(self, events: list[Event], *, received_at: dt.datetime) -> list[Event]:
        """Publish ``events``; :class:`ServiceUnavailable` when NATS does not acknowledge them within the timeout
        (some may have been stored: sent again, they are dropped as duplicates by key)."""
        if not events:
            return []
        return self._call(self._append(events), timeout=self.timeout + 5)

    async def _sub(self, consumer: str, after: int = 0):
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        if consumer not in self._subs:
            cfg = ConsumerConfig(ack_policy=AckPolicy.ALL, ack_wait=120, max_ack_pending=-1, max_deliver=-1)
            if after > 0:  # a consumer made for a position (a handover's): it starts there, not at the stream's start
                cfg.deliver_policy, cfg.opt_start_seq = DeliverPolicy.BY_START_SEQUENCE, after + 1
            self._subs[consumer] = await self.js.pull_subscribe(
                self.subject, durable=consumer, stream=self.stream, config=cfg
            )
        return self._subs[consumer]

    async def _read(self, consumer: str, after: int, limit: int, timeout: float) -> list[LogEntry]:
        import nats.errors

        sub = await self._sub(consumer, after)
        try:
            msgs = await sub.fetch(limit, timeout=max(timeout, 0.05))
        except nats.errors.TimeoutError:
            return []
        out = []
        for m in msgs:
            seq = m.metadata.sequence.stream
            self._last[consumer] = m
            if seq <= after:
                continue  # redelivered and already in our checkpoint
            ts = m.metadata.timestamp
            out.append(
                LogEntry(seq, Event.from_json(m.data), ts if isinstance(ts, dt.datetime) else dt.datetime.now(dt.UTC))
            )
        return out

    def read(self, consumer: str, *, after: int, limit: int, timeout: float = 0.5, wanted=None) -> list[LogEntry]:
        return self._call(self._read(consumer, after, limit, timeout), timeout=timeout + 30)

    async def _ack(self, consumer: str, upto: int) -> None:
        m = self._last.get(consumer)
        if m is not None and m.metadata.sequence.stream <= upto:
            await m.ack()

    def ack(self, consumer: str, upto: int) -> None:
        self._call(self._ack(consumer, upto))

    def prune(self, *, upto: int, before: dt.datetime, limit: int) -> int:
        return 0  # the stream's max_age (PINGAN_EVENTS_MAX_AGE_S) expires its messages

    def wait(self, timeout: float) -> None:
        return None  # read() waits for messages itself

    async def _consumers(self) -> list[str]:
        return [c.name for c in await self.js.consumers_info(self.stream)]

    def consumers(self) -> list[str]:
        return self._call(self._consumers())

    async def _unsubscribe(self, consumer: str) -> None:
        """Drop this process's pull subscription of ``consumer`` (its inbox; the consumer stays in the log)."""
        sub = self._subs.pop(consumer, None)
        self._last.pop(consumer, None)
        if sub is not None:
            try:
                await sub.unsubscribe()
            except Exception:
                log.debug("nats: subscription of %s not unsubscribed", consumer, exc_info=True)

    async def _delete_consumer(self, consumer: str) -> bool:
        import nats.js.errors

        await self._unsubscribe(consumer)
        try:
            return await self.js.delete_consumer(self.stream, consumer)
        except nats.js.errors.NotFoundError:
            return False

    def delete_consumer(self, consumer: str) -> bool:
        return self._call(self._delete_consumer(consumer))

    async def _get(self, seq: int):
        import nats.js.errors

        try:
            return await self.js.get_msg(self.stream, seq)
        except nats.js.errors.NotFoundError:
            return None

    def read_range(self, first: int, last: int) -> Iterator[LogEntry]:
        for seq in range(first, last + 1):
            m = self._call(self._get(seq))
            if m is not None:
                yield LogEntry(seq, Event.from_json(m.data), dt.datetime.now(dt.UTC))

    async def _delete_stream(self) -> None:
        for consumer in list(self._subs):
            await self._unsubscribe(consumer)
        await self.js.delete_stream(self.stream)

    def delete_stream(self) -> None:
        """Remove the stream (tests and benchmarks use a stream of their own)."""
        self._call(self._delete_stream())

    async def _close(self) -> None:
        # the pull subscriptions first: draining one whose stream or consumer is gone waited out the timeout
        for consumer in list(self._subs):
            await self._unsubscribe(consumer)
        await self.nc.drain()

    def close(self) -> None:
        try:
            self._call(self._close(), timeout=10)
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)


_shared: dict[str, JetStreamLog] = {}
_shared_lock = threading.Lock()


def get_log() -> EventLog:
    """The configured log: JetStream when ``PINGAN_EVENTS_URL`` is a ``nats://`` URL, else the database.

    The JetStream log is one per process and URL, built on first use under a lock (one connection and one loop
    thread, not one per request); one that was closed is built again. :class:`ServiceUnavailable` when NATS
    cannot be reached within ``PINGAN_EVENTS_CONNECT_TIMEOUT_S`` (the next call tries again)."""
    url = settings.PINGAN["EVENTS_URL"]
    if not url:
        return DatabaseLog()
    with _shared_lock:
        current = _shared.get(url)
        if current is None or getattr(current, "nc", None) is None or current.nc.is_closed:
            current = _shared[url] = JetStreamLog(url)
        return current
