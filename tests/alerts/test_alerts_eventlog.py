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


def test_a_batch_without_alerts_costs_five_statements_timers_and_commit_included(on_duty, clock, worker):
    """The worker's per-batch overhead: the log read, one statement for the counters and the position, one
    check whether a group or an escalation waits (instead of their two locking reads), and the transaction's
    BEGIN/COMMIT — the timers' work goes in the batch's own transaction (there were two, and nine statements)."""
    if connection.vendor != "postgresql":
        pytest.skip("counters and position in one statement (unnest) are PostgreSQL's")
    w = worker(tick_every_s=0, snapshot_every_s=1e9)  # the timers run with every batch; no snapshot
    ingest(*[payload(f"h{i}", LQ_SOS, "heartbeat", clock()) for i in range(50)])
    w.step()
    ingest(*[payload(f"k{i}", LQ_SOS, "heartbeat", clock()) for i in range(50)])
    with CaptureQueriesContext(connection) as ctx:
        assert w.step() == 50
    sql = [q["sql"] for q in ctx.captured_queries]
    assert len(sql) <= 5, sql
    assert sum("alerts_loggedevent" in s for s in sql) == 1
    from pingan.alerts.services import counters

    assert counters()["non_alert"] == 100


def test_a_device_seen_again_within_a_second_is_not_rewritten_but_an_offline_one_comes_online(xiamen, clock):
    import datetime as dt

    from pingan.alerts import services
    from pingan.alerts.models import Device

    def send(event_id, at):
        services.events_ingest(inputs=[services.RawInput(payload=payload(event_id, LQ_SOS, "heartbeat", at))],
                               source="http", now=at)
        return Device.objects.get(device_id=LQ_SOS)

    t0 = clock()
    assert (send("s1", t0).last_seen_at, send("s1", t0).status) == (t0, "online")
    assert send("s2", t0 + dt.timedelta(seconds=0.5)).last_seen_at == t0  # online and seen within 1 s
    t1 = t0 + dt.timedelta(seconds=1.5)
    assert send("s3", t1).last_seen_at == t1
    Device.objects.filter(device_id=LQ_SOS).update(status="offline")  # the worker's absence rule
    d = send("s4", t1 + dt.timedelta(seconds=0.1))
    assert (d.status, d.last_seen_at) == ("online", t1 + dt.timedelta(seconds=0.1))
    Device.objects.filter(device_id=LQ_SOS).update(status="maintenance")
    d = send("s5", t1 + dt.timedelta(seconds=5))
    assert (d.status, d.last_seen_at) == ("maintenance", t1 + dt.timedelta(seconds=5))  # stays in maintenance


def test_a_batch_refreshes_its_devices_in_one_query_not_one_per_device_mid_rules(on_duty, clock, worker):
    """The registry cache (5 s) expired: the worker refreshes the batch's devices before its rules, in one
    query, instead of the rule engine asking per device in the middle of the batch (a round trip each that
    the whole batch waited for — 14 % of the worker's wall time at load 20)."""
    import time

    from alerts_support import JT_CAMERA, LQ_CAMERA

    from pingan.alerts import services

    w = worker(tick_every_s=1e9, snapshot_every_s=1e9)

    def reads(prefix):
        return [payload(f"{prefix}{i}", dev, "anpr", clock(), plate=f"闽D1234{i}", reliability=95)
                for i, dev in enumerate((LQ_CAMERA, JT_CAMERA))]  # the cloned-plate rule asks their positions

    ingest(*reads("a"))
    w.step()
    ingest(*reads("b"))
    d = services.directory
    for k, (_stamp, val) in list(d._data.items()):
        d._data[k] = (time.monotonic() - 2 * d.ttl - 1, val)  # long expired
    with CaptureQueriesContext(connection) as ctx:
        assert w.step() == 2
    device_reads = [q["sql"] for q in ctx.captured_queries if 'FROM "alerts_device"' in q["sql"]]
    assert len(device_reads) == 1, device_reads
    assert all(time.monotonic() - d._data[k][0] < 1 for k in (LQ_CAMERA, JT_CAMERA))


@pytest.mark.django_db(transaction=True)
def test_an_idle_reader_wakes_when_an_append_commits_not_after_its_timeout(xiamen, clock):
    """``DatabaseLog.wait``: on PostgreSQL every append notifies ``pingan_log`` at its commit, so the idle
    worker reads again at once instead of after its poll interval; elsewhere it sleeps the interval."""
    import threading
    import time

    from django.db import connections

    log = DatabaseLog()
    log.wait(0.01)  # LISTEN (on PostgreSQL), as an idle worker's first wait does

    def append_soon():
        time.sleep(0.3)
        log.append([parse_payload(payload("n1", LQ_SOS, "heartbeat", clock()), source="mqtt")], received_at=clock())
        connections.close_all()

    writer = threading.Thread(target=append_soon)
    writer.start()
    started = time.monotonic()
    log.wait(10.0 if connection.vendor == "postgresql" else 0.5)
    waited = time.monotonic() - started
    writer.join()
    if connection.vendor == "postgresql":
        assert 0.2 < waited < 5.0, waited
    assert [e.event.event_id for e in log.read("", after=0, limit=10)] == ["n1"]
