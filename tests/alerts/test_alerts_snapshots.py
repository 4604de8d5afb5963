"""The worker's saved rule state (``Worker.snapshot``): written by a forked child beside the batches, never
over a snapshot of a later position, and — when the worker is killed while the child is writing — the
previous complete snapshot stays and the restarted worker continues from it, losing nothing and raising
nothing twice."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from alerts_support import JT_CAMERA, JT_INTRUSION, LQ_CAMERA, ingest, payload, subprocess_env

# the trigger below makes a snapshot's write wait, once written into the table and not yet committed, for
# this advisory lock, which the test holds
_HOLD = 0x5EED_0013
_TRIGGER = f"""
CREATE FUNCTION test_snapshot_hold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN PERFORM pg_advisory_lock({_HOLD}); PERFORM pg_advisory_unlock({_HOLD}); RETURN NULL; END $$;
CREATE TRIGGER test_snapshot_hold AFTER INSERT OR UPDATE ON alerts_enginesnapshot
FOR EACH ROW EXECUTE FUNCTION test_snapshot_hold();
"""
_UNTRIGGER = "DROP TRIGGER IF EXISTS test_snapshot_hold ON alerts_enginesnapshot; " \
             "DROP FUNCTION IF EXISTS test_snapshot_hold();"
_HELD_WRITERS = ("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                 "AND wait_event = 'advisory' AND query LIKE 'INSERT INTO alerts_enginesnapshot%%'")


def _wait(what, until, timeout=120.0):
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _sql(statement, params=()):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(statement, params)
        return cur.fetchone() if cur.description else None


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_a_snapshot_being_written_when_the_worker_is_killed_leaves_the_previous_one_usable(
    tmp_path, on_duty, clock
):
    """Plates read at Lianqian go into the cloned-plate state, which a snapshot saves (S1). A snapshot after
    the next events is then held mid-write — its new row written, not committed — while the worker goes on
    with its batches (they do not wait for it), and the worker is SIGKILLed. The child dies with it, its
    transaction rolls back: S1 is still there and decodes. The restarted worker restores S1, re-runs the
    events after it without raising them again, and the same plates read at Jiangtou 20 s later (2.9 km:
    impossible) raise one cloned-plate alert each — which only the restored state can give."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the worker's child processes share the test database: PostgreSQL only")
    from pingan.alerts.models import Alert, AlertCause, EngineSnapshot, FeedItem, HotlistEntry, LoggedEvent
    from pingan.alerts.services import counters

    m, n = 40, 100
    env = {**subprocess_env(tmp_path), "PINGAN_ALERTS_SNAPSHOT_EVERY_S": "1"}
    argv = [sys.executable, "-m", "pingan.cli", "alerts", "worker", "--batch", "7"]

    def last():
        return LoggedEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    def position():
        from pingan.alerts.models import Checkpoint

        cp = Checkpoint.objects.filter(consumer="alerts").first()
        return cp.position if cp else 0

    def saved():
        return EngineSnapshot.objects.filter(checkpoint_id="alerts").first()

    HotlistEntry.objects.bulk_create(
        [HotlistEntry(kind="plate", key=f"闽D{i:05d}", reason="test", priority="P2", unit=on_duty.analyst.unit)
         for i in range(n)]
    )
    ingest(*[payload(f"c{i}a", LQ_CAMERA, "anpr", clock(), plate=f"闽C{i:05d}", reliability=99) for i in range(m)])
    last1 = last()
    proc = subprocess.Popen(argv, env=env)
    try:
        _wait("the first snapshot", lambda: (s := saved()) is not None and s.position == last1)
        s1 = saved()
        assert s1.entries >= m

        _sql(_TRIGGER)
        _sql("SELECT pg_advisory_lock(%s)", [_HOLD])
        try:
            ingest(*[payload(f"p{i}", LQ_CAMERA, "anpr", clock(), plate=f"闽D{i:05d}", reliability=99)
                     for i in range(n)])
            last2 = last()
            _wait("a snapshot held mid-write", lambda: _sql(_HELD_WRITERS)[0] == 1)
            _wait("the batches, which do not wait for it", lambda: position() == last2)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
        finally:
            _sql("SELECT pg_advisory_unlock(%s)", [_HOLD])
        _wait("the killed child's transaction to end", lambda: _sql(_HELD_WRITERS)[0] == 0)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        _sql(_UNTRIGGER)

    still = saved()
    assert (still.position, bytes(still.state)) == (s1.position, bytes(s1.state))  # S1, untouched
    state = still.checkpoint.saved()
    assert state["position"] == last1 and len(state["engine"]["state"]["cloned-plate"]["rows"]) == m

    later = clock() + dt.timedelta(seconds=20)
    ingest(*[payload(f"c{i}b", JT_CAMERA, "anpr", later, plate=f"闽C{i:05d}", reliability=99) for i in range(m)])
    last3 = last()
    proc = subprocess.Popen(argv, env=env)
    try:
        _wait("the restarted worker", lambda: position() == last3, timeout=180)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert Alert.objects.filter(rule_id="cloned-plate").count() == m
    assert Alert.objects.filter(rule_id="hotlist-plate").count() == n
    assert AlertCause.objects.count() == Alert.objects.count() == n + m
    assert FeedItem.objects.filter(kind="alert").count() == n + m  # each on the stream once
    c = counters()
    assert (c["accepted"], c["alerting"], c["non_alert"]) == (n + 2 * m, n + m, m)
    assert saved().position == last3  # the clean stop saved its state


@pytest.mark.django_db
def test_a_snapshot_never_replaces_one_of_a_later_position(on_duty, clock, worker):
    """A child of a worker killed a moment ago may still be writing: its older state must not replace the
    newer one of the worker started in its place (the log may already be pruned up to the newer)."""
    from pingan.alerts.models import EngineSnapshot

    ingest(*[payload(f"i{i}", JT_INTRUSION, "intrusion", clock()) for i in range(3)])
    w = worker()
    while w.step(timeout=0):
        pass
    newer = EngineSnapshot.objects.get(checkpoint_id=w.consumer)
    assert newer.position == w.position > 0
    w.position -= 2  # as a late child holding the state of two events before
    w.save_snapshot()
    assert EngineSnapshot.objects.get(checkpoint_id=w.consumer).position == newer.position
    w.position += 3
    w.save_snapshot()  # a later one replaces it
    assert EngineSnapshot.objects.get(checkpoint_id=w.consumer).position == newer.position + 1


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_prunes_in_a_thread_and_saves_in_a_child_beside_its_batches(on_duty, clock, settings):
    """``Worker.run`` on PostgreSQL: the log's retention runs in a thread on its own connection and the state
    is saved by a forked child, so the loop itself only reads, judges and commits; both end with the run."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a thread's and a child's own connections: PostgreSQL only")
    from pingan.alerts import services
    from pingan.alerts.eventlog import DatabaseLog
    from pingan.alerts.models import Device, EngineSnapshot, LoggedEvent
    from pingan.alerts.worker import Worker

    settings.PINGAN = {**settings.PINGAN, "EVENTS_MAX_AGE_S": 86400}
    Device.objects.update(active_since=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    old = clock() - dt.timedelta(days=3)
    services.events_ingest(inputs=[services.RawInput(payload=payload(f"h{i}", JT_INTRUSION, "heartbeat", old))
                                   for i in range(5)], source="http", now=old)
    w = Worker(log_=DatabaseLog(), clock=timezone_now, snapshot_every_s=0.2, prune_every_s=0.2)
    w._next_prune = 0
    seen = {}

    def stop():
        if w._pruner is not None:
            seen["thread"] = w._pruner.is_alive() and w._pruner.ident != threading.get_ident()
        if w._snapshot_child is not None:
            seen["child"] = w._snapshot_child[0]
        return (not LoggedEvent.objects.exists() and "child" in seen) or time.monotonic() > deadline

    deadline = time.monotonic() + 60
    try:
        w.run(stop=stop)
    finally:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock_all()")
    assert seen.get("thread") and seen.get("child") != os.getpid()
    assert not LoggedEvent.objects.exists() and services.counters()["log_pruned"] == 5
    assert w._pruner is None and w._snapshot_child is None  # stopped and reaped
    assert EngineSnapshot.objects.get(checkpoint_id=w.consumer).position == w.position


def timezone_now():
    from django.utils import timezone

    return timezone.now()
