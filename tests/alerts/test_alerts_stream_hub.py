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
