"""Changing the number of alert worker partitions (``Worker`` → ``worker.handover``): the positions and the
rule state carry over, so nothing is processed twice and nothing is skipped."""

import datetime as dt
import zlib

import psycopg
import pytest
from alerts_support import JT_CAMERA, LQ_CAMERA, ingest, payload

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

    rules = ("hotlist-plate", "cloned-plate")
    alerts = Alert.objects.filter(rule_id__in=rules)
    assert alerts.filter(rule_id="hotlist-plate").count() == 2 * n  # none skipped
    assert alerts.filter(rule_id="cloned-plate").count() == m  # first read before the change, second after
    assert AlertCause.objects.filter(alert__rule_id__in=rules).count() == 2 * n + m  # none applied twice
    assert FeedItem.objects.filter(kind="alert", alert__rule_id__in=rules).count() == 2 * n + m
    c = counters()
    assert c["accepted"] == 2 * n + 2 * m
    assert (c["alerting"], c["non_alert"]) == (2 * n + m, m)  # each event counted once


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
