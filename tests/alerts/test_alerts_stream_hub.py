"""The process's feed hub lives only while a stream listens: when the last terminal's stream closes (or the
server stops) its task and its LISTEN connection end, and the next stream starts it again. (A hub that polled
for ever kept a stopped test server's thread — and the test run — alive, logging 'feed read failed'.)"""

from __future__ import annotations

import asyncio

import pytest

from pingan.alerts.stream import FeedHub, Subscriber

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_hub_stops_with_its_last_subscriber_and_starts_again_with_the_next(cast):
    async def scenario():
        hub = FeedHub()
        first = Subscriber(unit_id=cast.unit_a.pk, role="officer")
        hub.subscribe(first)
        task = hub.task
        await asyncio.sleep(0.5)
        assert not task.done() and hub.last_seq is not None  # reading the feed from its head
        hub.unsubscribe(first)
        hub.wake.set()
        await asyncio.wait_for(task, timeout=5)  # ends by itself: nobody listens
        assert hub.last_seq is None and hub.listener is None

        second = Subscriber(unit_id=cast.unit_b.pk, role="officer")
        hub.subscribe(second)
        assert hub.task is not task and not hub.task.done()
        hub.unsubscribe(second)
        hub.wake.set()
        await asyncio.wait_for(hub.task, timeout=5)

    asyncio.run(scenario())


def test_the_hub_keeps_quiet_streams_alive_and_leaves_busy_ones_alone():
    """One keep-alive round for the process (no timer per stream and wait): a stream sent nothing since the
    last round gets a keep-alive comment; one that was sent an item does not, until it falls quiet."""
    from pingan.alerts.stream import KEEP_ALIVE

    async def scenario():
        hub = FeedHub()
        busy, quiet = Subscriber(unit_id=1, role="officer"), Subscriber(unit_id=2, role="officer")
        hub.subs = {1: {busy}, 2: {quiet}}
        hub._fan_out([(7, 1, ["officer"], "alert", {"id": 3}, None)])
        hub._keep_alive()
        assert busy.queue.get_nowait()[0] == 7 and busy.queue.empty()
        assert quiet.queue.get_nowait() == (0, KEEP_ALIVE)
        hub._keep_alive()  # nothing since the last round: both are quiet now
        assert busy.queue.get_nowait() == (0, KEEP_ALIVE) and quiet.queue.get_nowait() == (0, KEEP_ALIVE)

    asyncio.run(scenario())


def test_an_item_is_formatted_once_as_the_bytes_every_terminal_is_sent():
    from pingan.alerts.stream import format_event

    hub = FeedHub()
    a, b = Subscriber(unit_id=1, role="officer"), Subscriber(unit_id=1, role="station_chief")
    hub.subs = {1: {a, b}}
    hub._fan_out([(9, 1, ["officer", "station_chief"], "alert", {"id": 4, "unit": "莲前派出所"}, None)])
    (_, fa), (_, fb) = a.queue.get_nowait(), b.queue.get_nowait()
    assert fa is fb == format_event(9, "alert", {"id": 4, "unit": "莲前派出所"})
    assert fa == 'id: 9\nevent: alert\ndata: {"id":4,"unit":"莲前派出所"}\n\n'.encode()
