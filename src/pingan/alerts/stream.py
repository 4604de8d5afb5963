"""Server-Sent Events for officers' terminals (runs in the ASGI server, ``pingan serve``).

One :class:`FeedHub` per server process polls the feed table for new items (one indexed query every
``PINGAN_ALERTS_STREAM_POLL_MS``, 50 ms by default, for all connections) and hands each to the connections
of its unit whose role it is for. A connection first subscribes, then back-fills from the database every
item after its ``Last-Event-ID`` (the browser's EventSource sends it on reconnect), then streams live,
skipping what the back-fill already sent — so after a lost connection every missed alert arrives, once, in
order. Items are only ever those of the unit the officer is on duty for (``alerts.duty``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
from dataclasses import dataclass, field

from asgiref.sync import sync_to_async
from django.utils import timezone

log = logging.getLogger(__name__)
POLL_S = int(os.environ.get("PINGAN_ALERTS_STREAM_POLL_MS", "50") or 50) / 1000
KEEPALIVE_S = 15.0
BACKFILL_LIMIT = 2000


@dataclass(eq=False)
class Subscriber:
    unit_id: int
    role: str
    user_id: int | None = None
    queue: asyncio.Queue = field(default_factory=lambda: asyncio.Queue(maxsize=10_000))
    overflowed: bool = False


def _items_after(seq: int, limit: int = 1000) -> list[tuple[int, int, list, str, dict]]:
    from pingan.alerts.models import FeedItem

    return list(
        FeedItem.objects.filter(seq__gt=seq)
        .order_by("seq")
        .values_list("seq", "unit_id", "roles", "kind", "payload")[:limit]
    )


def _head() -> int:
    from pingan.alerts.models import FeedHead

    head = FeedHead.objects.filter(id=1).first()
    return head.seq if head else 0


class FeedHub:
    def __init__(self) -> None:
        self.subs: dict[int, set[Subscriber]] = {}
        self.last_seq: int | None = None
        self.task: asyncio.Task | None = None

    def subscribe(self, sub: Subscriber) -> None:
        self.subs.setdefault(sub.unit_id, set()).add(sub)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._run())

    def unsubscribe(self, sub: Subscriber) -> None:
        self.subs.get(sub.unit_id, set()).discard(sub)

    async def _run(self) -> None:
        if self.last_seq is None:
            self.last_seq = await sync_to_async(_head, thread_sensitive=False)()
        while True:
            try:
                rows = await sync_to_async(_items_after, thread_sensitive=False)(self.last_seq)
            except Exception:
                log.exception("feed poll failed")
                await asyncio.sleep(1)
                continue
            for seq, unit_id, roles, kind, payload in rows:
                frame = None  # formatted once for all the unit's terminals (500 terminals: 100 per station)
                for sub in list(self.subs.get(unit_id, ())):
                    if sub.role in roles and _for(payload, sub.user_id):
                        if frame is None:
                            frame = format_event(seq, kind, payload)
                        try:
                            sub.queue.put_nowait((seq, frame))
                        except asyncio.QueueFull:
                            sub.overflowed = True  # the connection is closed; the browser resumes from its id
                self.last_seq = seq
            if not rows:
                await asyncio.sleep(POLL_S)


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


def format_event(seq: int, kind: str, payload: dict) -> str:
    return f"id: {seq}\nevent: {kind}\ndata: {json.dumps(payload, ensure_ascii=False, separators=(',', ':'))}\n\n"


def _backfill(unit_id: int, role: str, after: int, user_id: int | None = None) -> list[tuple[int, str, dict]]:
    from pingan.alerts.models import FeedItem

    rows = (
        FeedItem.objects.filter(unit_id=unit_id, seq__gt=after)
        .order_by("seq")
        .values_list("seq", "roles", "kind", "payload")[:BACKFILL_LIMIT]
    )
    return [(s, k, p) for s, r, k, p in rows if role in r and _for(p, user_id)]


async def event_stream(*, unit_id: int, role: str, last_id: int | None, user_id: int | None = None):
    """The SSE body: back-fill after ``last_id`` (``None``: from now), then live items."""
    h = hub()
    sub = Subscriber(unit_id, role, user_id)
    h.subscribe(sub)
    try:
        if last_id is None:
            last_id = await sync_to_async(_head, thread_sensitive=False)()
        yield f"retry: 2000\nevent: hello\ndata: {json.dumps({'after': last_id, 'at': timezone.now().isoformat()})}\n\n"
        sent = last_id
        while True:
            rows = await sync_to_async(_backfill, thread_sensitive=False)(unit_id, role, sent, user_id)
            for seq, kind, payload in rows:
                yield format_event(seq, kind, payload)
                sent = seq
            if len(rows) < BACKFILL_LIMIT:
                break
        while True:
            try:
                async with asyncio.timeout(KEEPALIVE_S):  # no task per wait, as wait_for makes (500 streams)
                    seq, frame = await sub.queue.get()
            except TimeoutError:
                yield ": keep-alive\n\n"
                continue
            if sub.overflowed:
                return
            if seq <= sent:
                continue
            yield frame
            sent = seq
    finally:
        h.unsubscribe(sub)
        with contextlib.suppress(Exception):
            pass
