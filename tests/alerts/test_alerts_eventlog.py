"""The embedded event log (PostgreSQL: COPY into a staging table; SQLite: a multi-row INSERT) and applying a
batch of firings with a fixed number of queries."""

import pytest
from alerts_support import LQ_ACOUSTIC, LQ_SOS, ingest, payload
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pingan.alerts.eventlog import DatabaseLog
from pingan.alerts.events import parse_payload
from pingan.alerts.models import Alert, AlertCause, FeedItem

pytestmark = pytest.mark.django_db


@pytest.mark.smoke
def test_the_database_log_keeps_every_body_exactly_in_order_and_drops_duplicates(xiamen, clock):
    odd = {"note": 'back\\slash\t"tab" 换行\n\\N end\\.', "path": "C:\\dir\\x", "nul": "\u0000", "emoji": "🚓"}
    evs = [parse_payload(payload(f"w{i}", LQ_SOS, "heartbeat", clock(), **odd), source="mqtt") for i in range(3)]
    log = DatabaseLog()
    assert log.append([*evs, evs[0]], received_at=clock()) == [evs[0]]  # a key twice in one batch
    assert log.append([evs[1]], received_at=clock()) == [evs[1]]  # and again in a later one
    got = log.read("", after=0, limit=10)
    assert [e.event for e in got] == evs
    assert [e.seq for e in got] == sorted(e.seq for e in got) and len({e.seq for e in got}) == 3
    assert [e.event.attributes for e in log.read("", after=got[0].seq, limit=10)] == [evs[1].attributes] * 2


def test_a_batch_of_firings_costs_the_same_queries_for_3_alerts_as_for_30(on_duty, clock, worker):
    def run(n, prefix, lat):
        lon = 118.1330
        ingest(*[
            payload(f"{prefix}{i}", LQ_ACOUSTIC, "gunshot", clock(), position={"lon": lon + i * 0.002, "lat": lat})
            for i in range(n)
        ])
        w = worker()
        with CaptureQueriesContext(connection) as ctx:
            w.step()
        return len(ctx.captured_queries)

    run(1, "w", 24.4800)  # the first batch creates the counters and the heads of the feed and the audit chain
    few = run(3, "a", 24.4840)
    many = run(30, "b", 24.4880)  # other ~100 m cells: new alerts, not repeats
    assert Alert.objects.count() == 34 and AlertCause.objects.count() == 34
    assert FeedItem.objects.filter(kind="alert").count() == 34
    # 27 more alerts, no more queries: at most the routing index's freshness check (once a second) differs
    assert abs(many - few) <= 3, (few, many)
