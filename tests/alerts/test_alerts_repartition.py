"""Changing the number of alert worker partitions (``Worker`` → ``worker.handover``): the positions and the
rule state carry over, so nothing is processed twice and nothing is skipped."""

import datetime as dt
import zlib

import psycopg
import pytest
from alerts_support import JT_CAMERA, LQ_CAMERA, ingest, payload

from pingan.alerts import services
from pingan.alerts.models import Alert, AlertCause, Checkpoint, FeedItem, HotlistEntry, LoggedEvent
from pingan.alerts.services import counters
from pingan.alerts.worker import HandoverError

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def postgres_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("partitions and their consumer locks are PostgreSQL's")


def _drain(w):
    while w.step(timeout=0):
        pass


def _stream(on_duty, clock, part, n, m):
    """``n`` watch-listed plates and the first (part 0) or second (part 1) reads of ``m`` cloned plates:
    Lianqian at t, Jiangtou (2.9 km) 20 s later."""
    if part == 0:
        HotlistEntry.objects.bulk_create(
            [HotlistEntry(kind="plate", key=f"闽D{i:05d}", reason="test", priority="P2", unit=on_duty.analyst.unit)
             for i in range(2 * n)]
        )
    listed = [payload(f"p{i}", (LQ_CAMERA, JT_CAMERA)[i % 2], "anpr", clock(), plate=f"闽D{i:05d}", reliability=99)
              for i in range(part * n, (part + 1) * n)]
    when, dev = (clock(), LQ_CAMERA) if part == 0 else (clock() + dt.timedelta(seconds=20), JT_CAMERA)
    cloned = [payload(f"c{i}-{part}", dev, "anpr", when, plate=f"闽C{i:05d}", reliability=99) for i in range(m)]
    for k in range(0, n, 10):
        ingest(*listed[k:k + 10], *cloned[k * m // n:(k + 10) * m // n])


@pytest.mark.parametrize("before, after", [(2, 3), (3, 1), (1, 2)])
def test_changing_the_partitions_replays_nothing_and_skips_nothing(postgres_only, on_duty, clock, worker,
                                                                   before, after):
    n, m = 40, 12
    _stream(on_duty, clock, 0, n, m)
    olds = [worker(partition=(i, before), batch=7) for i in range(before)]
    _drain(olds[0])
    for w in olds[1:]:
        w.step(timeout=0)  # the others lag: partitions go at their own pace
    lagging = {w.consumer: w.position for w in olds}
    assert len(set(lagging.values())) == (1 if before == 1 else 2)
    _stream(on_duty, clock, 1, n, m)  # more arrives while the workers are stopped

    news = [worker(partition=(i, after), batch=7) for i in range(after)]  # the first one hands over
    target = olds[0].position
    cps = {c.consumer: c for c in Checkpoint.objects.all()}
    assert set(cps) == {f"alerts-p{i}of{after}" if after > 1 else "alerts" for i in range(after)}
    assert {c.position for c in cps.values()} == {target}
    handed = next(iter(cps.values())).snapshot["handover"]
    assert handed["from"] == before and {k: v[0] for k, v in handed["caught_up"].items()} == lagging
    for w in news:
        assert w.position == target
        _drain(w)
    last = LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    assert {c.position for c in Checkpoint.objects.all()} == {last}
    _exact(2 * n, m, after)  # the cloned plates: first read before the change, second after


def _exact(listed, m, partitions):
    """``listed`` watch-listed plates and ``m`` cloned plates (two reads each): every alert raised, applied
    and streamed once; every event counted once; the checkpoints those of ``partitions`` partitions."""
    rules = ("hotlist-plate", "cloned-plate")
    alerts = Alert.objects.filter(rule_id__in=rules)
    assert alerts.filter(rule_id="hotlist-plate").count() == listed  # none skipped
    assert alerts.filter(rule_id="cloned-plate").count() == m
    assert AlertCause.objects.filter(alert__rule_id__in=rules).count() == listed + m  # none applied twice
    assert FeedItem.objects.filter(kind="alert", alert__rule_id__in=rules).count() == listed + m
    c = counters()
    assert c["accepted"] == listed + 2 * m
    assert (c["alerting"], c["non_alert"]) == (listed + m, m)
    names = {f"alerts-p{i}of{partitions}" if partitions > 1 else "alerts" for i in range(partitions)}
    assert set(Checkpoint.objects.values_list("consumer", flat=True)) == names
    return names


def test_jetstream_handover_2_to_3_to_1_leaves_only_the_live_consumers(postgres_only, on_duty, clock, worker):
    """On the JetStream log each partition is a durable consumer of the stream: after a handover the old
    partitions' consumers are deleted (after the new checkpoints are committed), the new ones start at the
    handover's position, and nothing is lost or processed twice — 2 → 3, then 3 → 1, on the real nats-server."""
    import secrets
    import time

    from pingan.alerts.eventlog import JetStreamLog
    from pingan.alerts.worker import Worker, retire_consumers

    def drain(w, last):
        deadline = time.monotonic() + 30
        while w.position < last and time.monotonic() < deadline:
            w.step(timeout=0.2)
        assert w.position == last, (w.consumer, w.position, last)

    def last_seq():
        return log._call(log.js.stream_info(log.stream)).state.last_seq

    def feed(lo, hi, cloned):
        """Watch-listed plates ``lo``..``hi`` (alternating checkpoints); with ``cloned`` 0 or 1, the first
        (Lianqian at t) or second (Jiangtou, 2.9 km, at t + 20 s) reads of ``m`` cloned plates."""
        ps = [payload(f"p{i}", (LQ_CAMERA, JT_CAMERA)[i % 2], "anpr", clock(), plate=f"闽D{i:05d}", reliability=99)
              for i in range(lo, hi)]
        if cloned is not None:
            when, dev = (clock(), LQ_CAMERA) if cloned == 0 else (clock() + dt.timedelta(seconds=20), JT_CAMERA)
            ps += [payload(f"c{i}-{cloned}", dev, "anpr", when, plate=f"闽C{i:05d}", reliability=99) for i in range(m)]
        for k in range(0, len(ps), 10):
            res = services.events_ingest(inputs=[services.RawInput(payload=p) for p in ps[k:k + 10]],
                                         source="http", log=log)
            assert res.counts["accepted"] == len(ps[k:k + 10])

    n, m = 20, 9
    HotlistEntry.objects.bulk_create(
        [HotlistEntry(kind="plate", key=f"闽D{i:05d}", reason="test", priority="P2", unit=on_duty.analyst.unit)
         for i in range(3 * n + 5)]
    )
    stream = f"PINGAN_TEST_{secrets.token_hex(4).upper()}"
    log = JetStreamLog("nats://127.0.0.1:4222", stream=stream, duplicate_window_s=60, max_age_s=600)
    unrelated = "bench-reader"  # a consumer that is not a worker's: never touched
    try:
        log.read(unrelated, after=0, limit=1, timeout=0.05)
        feed(0, n, 0)
        olds = [Worker(partition=(i, 2), log_=log, clock=clock, batch=7, snapshot_every_s=0) for i in range(2)]
        drain(olds[0], last_seq())
        olds[1].step(timeout=1)  # partition 1 lags
        assert 0 < olds[1].position < olds[0].position
        assert sorted(log.consumers()) == sorted(["alerts-p0of2", "alerts-p1of2", unrelated])
        feed(n, 2 * n, None)  # more arrives while the workers are stopped

        news = [Worker(partition=(i, 3), log_=log, clock=clock, batch=7, snapshot_every_s=0) for i in range(3)]
        target = olds[0].position
        assert {w.position for w in news} == {target}
        assert sorted(log.consumers()) == [unrelated]  # the old partitions' consumers are gone
        for w in news:
            drain(w, last_seq())
        assert sorted(log.consumers()) == sorted([f"alerts-p{i}of3" for i in range(3)] + [unrelated])
        for w in news:  # each new consumer started at the handover's position: nothing before it delivered
            info = log._call(log.js.consumer_info(stream, w.consumer))
            assert info.config.opt_start_seq == target + 1 and info.num_ack_pending == 0, info

        feed(2 * n, 3 * n, 1)  # the rest, then back to one worker
        drain(news[2], last_seq())
        news[0].step(timeout=1)  # partition 0 lags, partition 1 lags further
        # a consumer left by a handover that stopped between its commit and the deletion: no checkpoint
        log.read("alerts-p1of2", after=0, limit=1, timeout=0.05)
        assert "alerts-p1of2" in log.consumers()
        one = Worker(partition=(0, 1), log_=log, clock=clock, batch=7, snapshot_every_s=0)
        assert sorted(log.consumers()) == [unrelated]
        assert one.position == news[2].position == last_seq()
        assert one.step(timeout=0.2) == 0  # its consumer made to start after the stream's last message
        assert sorted(log.consumers()) == ["alerts", unrelated]
        feed(3 * n, 3 * n + 5, None)  # after the change
        drain(one, last_seq())
        assert retire_consumers(log) == [] and log.delete_consumer("alerts-p0of3") is False  # idempotent
        _exact(3 * n + 5, m, 1)
    finally:
        log.delete_stream()
        log.close()


def test_the_old_partitions_must_have_stopped(postgres_only, on_duty, clock, worker):
    from django.db import connection

    _stream(on_duty, clock, 0, 10, 2)
    for i in range(2):
        _drain(worker(partition=(i, 2)))
    from pingan.alerts.worker import consumer_unlock

    for i in range(2):
        consumer_unlock(f"alerts-p{i}of2")  # this session stops being their process
    d = connection.settings_dict
    other = psycopg.connect(host=d["HOST"] or "127.0.0.1", port=d["PORT"] or 5432, user=d["USER"],
                            dbname=d["NAME"], autocommit=True)
    try:  # another process still runs partition 1 of 2
        other.execute("SELECT pg_advisory_lock(%s)", [zlib.crc32(b"pingan-alerts-consumer:alerts-p1of2")])
        with pytest.raises(HandoverError, match="alerts-p1of2 is still running"):
            worker(partition=(0, 3))
        assert not Checkpoint.objects.filter(consumer__endswith="of3").exists()
        with pytest.raises(HandoverError, match="already running"):
            worker(partition=(1, 2))
    finally:
        other.close()
    worker(partition=(0, 3))  # once it stopped
    assert sorted(Checkpoint.objects.values_list("consumer", flat=True)) == [f"alerts-p{i}of3" for i in range(3)]
