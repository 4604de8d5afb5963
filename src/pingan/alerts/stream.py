"""Server-Sent Events for officers' terminals (runs in the ASGI server, ``pingan serve``).

One :class:`FeedHub` per server process follows the feed for all its streams and hands each new item to
the streams of its unit whose role it is for, in memory. On PostgreSQL the hub LISTENs on one connection of
its own (channel ``pingan_feed``: the writer of each feed batch notifies it in its transaction, so the
notification arrives after the commit) and reads the new items when woken, with a slow safety poll
(``PINGAN_ALERTS_STREAM_IDLE_POLL_MS``, 2 s) beside it; elsewhere (SQLite) it polls every
``PINGAN_ALERTS_STREAM_POLL_MS`` (50 ms). A stream first subscribes, then back-fills from the database every
item after its ``Last-Event-ID`` (the browser's EventSource sends it on reconnect), then streams live,
skipping what the back-fill already sent — so after a lost connection every missed alert arrives, once, in
order. Items are those of the unit the officer is on duty for (``alerts.duty``), and those of the alerts the
officer responds to beyond it (``alerts.responders``: a crew of another station dispatched to an alert gets
its later updates — acknowledged by someone else, escalated, closed — and nothing else of that station).

Database connections: an open stream holds none. The request's own connection (session, user, duty) is
given back before the first byte is streamed, and the hub's reads and the streams' back-fills run on a small
pool of ``PINGAN_ALERTS_STREAM_DB_THREADS`` (2) threads, each with one connection — so a server process
with any number of terminals uses at most that many connections plus the listener's.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field

import msgspec
from asgiref.sync import sync_to_async
from django.utils import timezone

log = logging.getLogger(__name__)
POLL_S = int(os.environ.get("PINGAN_ALERTS_STREAM_POLL_MS", "50") or 50) / 1000
IDLE_POLL_S = int(os.environ.get("PINGAN_ALERTS_STREAM_IDLE_POLL_MS", "2000") or 2000) / 1000
DB_THREADS = max(1, int(os.environ.get("PINGAN_ALERTS_STREAM_DB_THREADS", "2") or 2))
CHANNEL = "pingan_feed"
KEEPALIVE_S = 15.0
BACKFILL_LIMIT = 2000
BATCH = 1000

_pool: concurrent.futures.ThreadPoolExecutor | None = None


def _db_call(fn):
    """Run ``fn`` on the streams' pool; a failed query closes that thread's connection (a new one next time)."""

    def run(*args):
        from django.db import connection

        try:
            return fn(*args)
        except Exception:
            with contextlib.suppress(Exception):
                connection.close()
            raise

    global _pool
    if _pool is None:
        _pool = concurrent.futures.ThreadPoolExecutor(DB_THREADS, thread_name_prefix="alerts-stream-db")
    return sync_to_async(run, thread_sensitive=False, executor=_pool)


def shutdown_pool(timeout: float = 5.0) -> None:
    """Close the streams' pool and each of its threads' database connections (a server or a test session
    ending: a connection left open keeps PostgreSQL from dropping the database). The next stream makes a new
    pool."""
    import threading

    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    barrier = threading.Barrier(DB_THREADS)

    def close() -> None:
        from django.db import connections

        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout)  # one task per thread: each waits until all threads hold one
        connections.close_all()

    for _ in range(DB_THREADS):
        pool.submit(close)
    pool.shutdown(wait=True)


@dataclass(eq=False)
class Subscriber:
    unit_id: int
    role: str
    user_id: int | None = None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=10_000))
    overflowed: bool = False
    #: the account (``alerts.responders`` asks its rules about it) and the alerts outside its unit's items it
    #: may follow: those it responds to when the stream opened, and those of assignments addressed to it since
    #: (an offer it may accept). An item of one of them is delivered only while a rule still says it responds.
    user: object = None
    follow: set[int] = field(default_factory=set)
    #: something was put on the queue since the hub's last keep-alive round (:meth:`FeedHub._keep_alive`)
    active: bool = False


def _items_after(seq: int, limit: int = BATCH) -> list[tuple[int, int, list, str, dict, int | None]]:
    from pingan.alerts.models import FeedItem

    return list(
        FeedItem.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "unit_id", "roles", "kind", "payload", "alert_id")[:limit]
    )


def _responded(user) -> set[int]:
    """The alerts whose items ``user``'s stream carries now beyond its unit's (``alerts.responders`` with its
    stream rules: a dispatched crew's alert, and one offered to it)."""
    from pingan.alerts import responders
    from pingan.alerts.models import Alert

    q = responders.responder_q(user, timezone.now(), stream=True)
    return set() if q is None else set(Alert.objects.filter(q).values_list("pk", flat=True))


def _responding(pairs: list[tuple[object, int]]) -> set[tuple[int, int]]:
    """Of ``(user, alert id)`` pairs, those where the user responds to the alert now, as ``(user id, alert
    id)``: one query per distinct user (a crew or two, when a followed alert changed)."""
    users = {u.pk: u for u, _ in pairs}
    out = set()
    for pk, user in users.items():
        wanted = {a for u, a in pairs if u.pk == pk}
        out |= {(pk, a) for a in _responded(user) & wanted}
    return out


def _is_offer_for(kind: str, payload: dict, user_id: int | None) -> bool:
    users = payload.get("for_users") if isinstance(payload, dict) else None
    return kind == "assignment" and users is not None and user_id in users


def _head() -> int:
    from pingan.alerts.models import FeedHead

    head = FeedHead.objects.filter(id=1).first()
    return head.seq if head else 0


def _listen_params() -> dict | None:
    """Connection parameters for the hub's LISTEN connection (PostgreSQL only, else ``None``)."""
    from django.db import connections

    conn = connections["default"]
    if conn.vendor != "postgresql":
        return None
    params = conn.get_connection_params()
    return {k: v for k, v in params.items() if isinstance(v, (str, int)) and k != "prepare_threshold"}


class FeedHub:
    def __init__(self) -> None:
        self.subs: dict[int, set[Subscriber]] = {}
        self.following: dict[int, set[Subscriber]] = {}  # alert id → the streams that follow it (Subscriber.follow)
        self.last_seq: int | None = None
        self.task: asyncio.Task | None = None
        self.listener: asyncio.Task | None = None
        self.listening = False
        self.wake = asyncio.Event()

    def subscribe(self, sub: Subscriber) -> None:
        self.subs.setdefault(sub.unit_id, set()).add(sub)
        for alert_id in sub.follow:
            self.following.setdefault(alert_id, set()).add(sub)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subs.get(sub.unit_id, set()).discard(sub)
        for alert_id in sub.follow:
            self.following.get(alert_id, set()).discard(sub)
            if not self.following.get(alert_id, True):
                del self.following[alert_id]

    def follow(self, sub: Subscriber, alert_id: int) -> None:
        sub.follow.add(alert_id)
        self.following.setdefault(alert_id, set()).add(sub)

    def _note_offers(self, rows) -> None:
        """An assignment addressed to a stream's user makes it follow that alert (before the batch's other items:
        its accept may be in the same batch)."""
        for _seq, unit_id, _roles, kind, payload, alert_id in rows:
            if kind == "assignment" and alert_id is not None:
                for sub in list(self.subs.get(unit_id, ())):
                    if _is_offer_for(kind, payload, sub.user_id):
                        self.follow(sub, alert_id)

    def _crew_pairs(self, rows) -> list[tuple[Subscriber, int]]:
        """The ``(stream, alert id)`` pairs of this batch that only following can deliver (not the stream's unit's
        item for its role): each needs a rule's word that the user still responds to the alert."""
        pairs = {}
        for _seq, unit_id, roles, _kind, payload, alert_id in rows:
            for sub in self.following.get(alert_id, ()) if alert_id is not None else ():
                if not (sub.unit_id == unit_id and sub.role in roles) and sub.user is not None \
                        and _for(payload, sub.user_id):
                    pairs[(sub, alert_id)] = None
        return list(pairs)

    async def _run(self) -> None:
        while self.last_seq is None:
            if not any(self.subs.values()):
                return
            try:
                self.last_seq = await _db_call(_head)()
            except RuntimeError as exc:
                if "shutdown" not in str(exc):
                    raise
                return  # the streams' pool was shut down: the process is ending
            except Exception:
                log.exception("feed head read failed")
                await asyncio.sleep(1)
        params = await _db_call(_listen_params)()
        if params is not None and (self.listener is None or self.listener.done()):
            self.listener = asyncio.get_running_loop().create_task(self._listen(params))
        loop = asyncio.get_running_loop()
        next_keep_alive = loop.time() + KEEPALIVE_S / 2
        while True:
            if not any(self.subs.values()):
                # nobody is listening (the streams closed, or the server is stopping): stop, so that no task
                # outlives the server; the next subscriber starts the hub again from the feed's head, as a
                # fresh process does (each stream back-fills from its own Last-Event-ID)
                self.stop()
                return
            self.wake.clear()  # a notification that arrives while reading wakes the next wait at once
            try:
                rows = await _db_call(_items_after)(self.last_seq)
            except RuntimeError as exc:
                if "shutdown" not in str(exc):
                    raise
                self.stop()  # the streams' pool was shut down: the process is ending
                return
            except Exception:
                log.exception("feed read failed")
                await asyncio.sleep(1)
                continue
            self._note_offers(rows)
            allowed: set[tuple[int, int]] = set()
            if pairs := self._crew_pairs(rows):
                try:
                    allowed = await _db_call(_responding)([(sub.user, a) for sub, a in pairs])
                except RuntimeError as exc:
                    if "shutdown" not in str(exc):
                        raise
                    self.stop()
                    return
                except Exception:
                    log.exception("feed read failed")
                    await asyncio.sleep(1)
                    continue
            self._fan_out(rows, allowed)
            now = loop.time()
            if now >= next_keep_alive:
                self._keep_alive()
                next_keep_alive = now + KEEPALIVE_S / 2
            if len(rows) < BATCH:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(min(IDLE_POLL_S if self.listening else POLL_S,
                                                   max(0.0, next_keep_alive - now))):
                        await self.wake.wait()

    def stop(self) -> None:
        """Forget the position and end the listener; :meth:`subscribe` starts everything again."""
        self.last_seq = None
        if self.listener is not None and not self.listener.done():
            self.listener.cancel()
        self.listener = None

    def _fan_out(self, rows, allowed: set[tuple[int, int]] = frozenset()) -> None:
        """Each item to the streams of its unit and role, and to the streams following its alert whose user
        responds to it (``allowed``: ``(user id, alert id)``); an item naming users (``for_users``) only to
        them."""
        for seq, unit_id, roles, kind, payload, alert_id in rows:
            frame = None  # formatted and encoded once for all the unit's terminals (500 terminals: 100 a station)
            subs = [s for s in self.subs.get(unit_id, ()) if s.role in roles]
            if alert_id is not None and alert_id in self.following:
                subs += [s for s in self.following[alert_id]
                         if not (s.unit_id == unit_id and s.role in roles) and (s.user_id, alert_id) in allowed]
            users = payload.get("for_users") if isinstance(payload, dict) else None  # as _for, once per item
            for sub in subs:
                if users is None or sub.user_id in users:
                    if frame is None:
                        frame = format_event(seq, kind, payload)
                    sub.active = True
                    try:
                        sub.queue.put_nowait((seq, frame))
                    except asyncio.QueueFull:
                        sub.overflowed = True  # the connection is closed; the browser resumes from its id
            self.last_seq = seq

    def _keep_alive(self) -> None:
        """A keep-alive comment to every stream that was sent nothing since the last round (rounds every
        ``KEEPALIVE_S / 2``, so a stream is silent at most ~``KEEPALIVE_S``): one timer for the process, not
        one per stream and wait (a timeout around each stream's wait made and cancelled a timer per delivery)."""
        for subs in self.subs.values():
            for sub in subs:
                if not sub.active:
                    try:
                        sub.queue.put_nowait((0, KEEP_ALIVE))
                    except asyncio.QueueFull:
                        sub.overflowed = True
                sub.active = False

    async def _listen(self, params: dict) -> None:
        """LISTEN on one connection of the hub's own; each notification (one per committed feed batch) wakes
        the reader. Reconnects after a failure; after (re)connecting it wakes the reader once, so an item
        committed while nobody listened is read then, not at the next safety poll."""
        import psycopg

        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(**params, autocommit=True)
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    self.listening = True
                    self.wake.set()
                    async for _note in conn.notifies():
                        self.wake.set()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("feed listener lost its connection; polling until it is back", exc_info=True)
            finally:
                self.listening = False
            await asyncio.sleep(1)


_hubs: dict[int, FeedHub] = {}


def hub() -> FeedHub:
    """The hub of the running event loop (one per server process and loop)."""
    loop = asyncio.get_running_loop()
    h = _hubs.get(id(loop))
    if h is None:
        h = _hubs[id(loop)] = FeedHub()
    return h


def _for(payload: dict, user_id: int | None) -> bool:
    """An item addressed to some users (a dispatch assignment names its crew in ``for_users``) reaches only
    them; every other item reaches all the unit's members of its roles."""
    users = payload.get("for_users") if isinstance(payload, dict) else None
    return users is None or user_id in users


KEEP_ALIVE = b": keep-alive\n\n"
_JSON = msgspec.json.Encoder()


def format_event(seq: int, kind: str, payload: dict) -> bytes:
    """One SSE frame, UTF-8: ``id``, ``event`` and the payload as compact JSON (msgspec: the text of
    ``json.dumps(payload, ensure_ascii=False, separators=(",", ":"))`` but for exponents, ``1e16`` not
    ``1e+16``, the same number to every JSON reader). Made once per item for all the terminals it goes to."""
    return b"id: %d\nevent: %s\ndata: %s\n\n" % (seq, kind.encode(), _JSON.encode(payload))


def _backfill(unit_id: int, role: str, after: int, user_id: int | None = None,
              follow: frozenset[int] = frozenset()) -> list[tuple[int, str, dict]]:
    """The items after ``after`` for the unit's members of ``role`` (and ``user_id``), and every item of the
    alerts of ``follow`` (those the user responds to: :func:`_responded`), in order."""
    from django.db.models import Q

    from pingan.alerts.models import FeedItem

    where = Q(unit_id=unit_id) | Q(alert_id__in=list(follow)) if follow else Q(unit_id=unit_id)
    rows = (
        FeedItem.objects.filter(where, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "unit_id", "roles", "kind", "payload", "alert_id")[:BACKFILL_LIMIT]
    )
    return [(s, k, p) for s, u, r, k, p, a in rows
            if ((u == unit_id and role in r) or a in follow) and _for(p, user_id)]


def _release_request_connections() -> None:
    from django.db import connections

    connections.close_all()


async def event_stream(
    *, unit_id: int, role: str, last_id: int | None, user_id: int | None = None, live: bool = True, user=None
):
    """The SSE body: back-fill after ``last_id`` (``None``: from now), then live items.

    ``live=False`` (a WSGI server, e.g. ``runserver`` or a test's live server, which can only send a body it
    has read to the end) ends the body after the back-fill; the browser's ``EventSource`` reconnects after
    the ``retry`` interval (2 s) with ``Last-Event-ID`` and gets what came since, so nothing is lost and no
    server thread is held for ever. Under ASGI the stream stays open and pushes each item as it comes.
    ``user`` (the account, for ``alerts.responders``): the alerts it responds to beyond its unit are followed
    too (a dispatched crew's)."""
    # Runs after every middleware has answered (the session middleware saves the session then): the
    # connection the request's thread opened is given back here, or each open stream would keep one.
    await sync_to_async(_release_request_connections)()
    h = hub()
    follow = frozenset(await _db_call(_responded)(user)) if user is not None else frozenset()
    sub = Subscriber(unit_id, role, user_id, user=user, follow=set(follow))
    if live:
        h.subscribe(sub)
    try:
        if last_id is None:
            last_id = await _db_call(_head)()
        yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'after': last_id, 'at': timezone.now().isoformat()})}\n\n"
        sent = last_id
        while True:
            rows = await _db_call(_backfill)(unit_id, role, sent, user_id, follow)
            for seq, kind, payload in rows:
                if live and _is_offer_for(kind, payload, user_id):  # an offer names its alert
                    h.follow(sub, int(payload["alert"]["id"]))
                yield format_event(seq, kind, payload)
                sent = seq
            if len(rows) < BACKFILL_LIMIT:
                break
        queue = sub.queue
        while live:
            # no timeout here: the hub puts a keep-alive on a quiet stream's queue (FeedHub._keep_alive)
            seq, frame = await queue.get()
            frames = []
            while True:  # everything queued by now goes out in one chunk: one write to the terminal
                if not seq:
                    frames.append(frame)  # a keep-alive
                elif seq > sent:  # not already sent by the back-fill
                    frames.append(frame)
                    sent = seq
                if queue.empty():
                    break
                seq, frame = queue.get_nowait()
            if sub.overflowed:
                return
            if frames:
                yield frames[0] if len(frames) == 1 else b"".join(frames)
    finally:
        if live:
            h.unsubscribe(sub)


OPENING = max(1, int(os.environ.get("PINGAN_ALERTS_STREAM_OPENING", "16") or 16))


class StreamOpeningGate:
    """ASGI middleware: at most ``PINGAN_ALERTS_STREAM_OPENING`` (16) streams of a server process are being
    opened at once. Opening one reads the session, the user and the duty on the request's own thread and
    connection, which the stream gives back only once it starts; when 500 terminals reconnect together (a
    server restart, a network blip) they would otherwise each open a connection at the same moment and
    exhaust PostgreSQL's. The others wait their turn (milliseconds each); a stream counts as open at its
    first body chunk (or when its response ends)."""

    def __init__(self, app, path: str = "/alerts/stream/") -> None:
        self.app, self.path = app, path
        self._sem: dict[int, asyncio.Semaphore] = {}

    async def __call__(self, scope, receive, send):
        if scope.get("type") != "http" or scope.get("path") != self.path:
            return await self.app(scope, receive, send)
        loop = asyncio.get_running_loop()
        sem = self._sem.get(id(loop))
        if sem is None:
            sem = self._sem[id(loop)] = asyncio.Semaphore(OPENING)
        await sem.acquire()
        held = True

        async def gated_send(message):
            nonlocal held
            if held and message.get("type") == "http.response.body":
                held = False
                sem.release()
            await send(message)

        try:
            return await self.app(scope, receive, gated_send)
        finally:
            if held:
                sem.release()
