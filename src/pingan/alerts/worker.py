"""The alert worker: reads the event log in order, runs the rule engine, applies firings, and keeps time
(absence, group flushes, escalations). One worker per log (a consumer name); run by ``pingan alerts worker``.

Scaling out (``pingan alerts worker --partitions N``, ``PINGAN_ALERTS_WORKERS``): N processes, each a consumer
of its own (``alerts-p<i>of<N>``) that reads the whole log in order but keeps the state of, and fires for,
only the keys it owns (:meth:`pingan.alerts.rules.Engine.owns`: the device, the plate, the subject, the
fence — CRC-32 modulo N). Every rule therefore sees all the events of each of its keys, in log order, in one
process; the rule work and the alert writes divide by N, the reading and parsing does not (events that only
device-keyed rules look at are not even parsed by the other partitions). Partition 0 also runs the group
flushes and escalations. Each partition keeps its own checkpoint and snapshot, so a killed partition
resumes alone. The counters stay exact: an event that fired in a partition not owning its device is
entered in :class:`~pingan.alerts.models.AlertingEvent` so it is counted once.

Crash safety (a worker killed with SIGKILL loses nothing and shows nothing twice):

* each batch's alerts, stream items, counters and the log position commit in one transaction, and the log
  is acknowledged after that commit — a batch is either wholly applied or re-read;
* every 30 s (``PINGAN_ALERTS_SNAPSHOT_EVERY_S``) the engine's bounded state is saved with the position it
  belongs to; on start the worker restores it and re-runs the events between that position and the committed
  one *without* applying their firings (already applied), so its windows are exactly as before. At 5,000
  events/s the cloned-plate state alone holds up to its cap of 200,000 entries (~170 ms of CPU to copy and
  encode, ~20 MB to write): a forked child writes it (:meth:`Worker.snapshot`), from the copy-on-write image of
  the process just after a commit, while the batches go on; the save is one ``UPDATE`` in the child's own
  transaction, so a child killed half-way (it dies with the worker: ``PR_SET_PDEATHSIG``) leaves the previous
  complete snapshot, and a snapshot never replaces one of a later position;
* alert causes are unique (:class:`~pingan.alerts.models.AlertCause`), so even a re-applied firing changes
  nothing.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import os
import re
import signal
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import msgspec
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pingan.alerts import alerting, rules
from pingan.alerts.eventlog import EventLog, get_log
from pingan.alerts.models import AlertingEvent, Checkpoint, EngineSnapshot, HotlistEntry
from pingan.alerts.services import (
    COUNTERS_ADD_SQL,
    alert_records_prune,
    counters_add,
    directory,
    escalations_run,
    event_log_prune,
    firings_apply,
    groups_flush,
)
from pingan.lib.forking import die_with_parent
from pingan.lib.gcpause import gc_paused

log = logging.getLogger(__name__)


def load_configured_ruleset() -> rules.RuleSet:
    """``PINGAN_ALERTS_RULESET``: a bundled name or a TOML file path."""
    name = settings.PINGAN["ALERTS_RULESET"]
    if name.endswith(".toml") or "/" in name:
        return rules.load_ruleset(Path(name))
    return rules.bundled_ruleset(name)


def consumer_name(partition: tuple[int, int]) -> str:
    """``alerts`` for a single worker; ``alerts-p<i>of<n>`` for partition i of n."""
    i, n = partition
    return "alerts" if n == 1 else f"alerts-p{i}of{n}"


def temporary_rulesets(at: dt.datetime) -> list[rules.RuleSet]:
    """The temporary rule sets to run beside the main one at ``at`` (``PINGAN_ALERTS_TEMPORARY_RULESETS``, a
    dotted path to ``(at) -> [RuleSet]``; empty: none): the dispatch app's large-event operations. Each is
    active only in its own window (``active_from``/``active_until``) and fence (``within``)."""
    from django.utils.module_loading import import_string

    path = settings.PINGAN.get("ALERTS_TEMPORARY_RULESETS") or ""
    return list(import_string(path)(at)) if path else []


def load_configured_policy() -> alerting.Policy:
    return alerting.load_policy(settings.PINGAN["ALERTS_POLICY"] or None)


# ------------------------------------------------------------------------------- consumers and handover

_CONSUMER = re.compile(r"^alerts(?:-p([0-9]+)of([0-9]+))?\Z")
_HANDOVER_LOCK = zlib.crc32(b"pingan-alerts-handover")


class HandoverError(RuntimeError):
    """The partitioning cannot be changed now (its old workers still run, or several old ones exist)."""


def _lock_key(consumer: str) -> int:
    return zlib.crc32(f"pingan-alerts-consumer:{consumer}".encode())


def consumer_lock(consumer: str, *, wait_s: float = 10.0) -> bool:
    """Take the session-level PostgreSQL advisory lock of ``consumer`` (held while this process's connection
    lives; re-entrant in one session): one process per consumer, and the handover can tell that an old
    partition still runs. Waits up to ``wait_s`` (a SIGKILLed predecessor's session ends a moment after it).
    Always true elsewhere than on PostgreSQL (one worker on a laptop)."""
    if connection.vendor != "postgresql":
        return True
    deadline = time.monotonic() + wait_s
    while True:
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(%s)", [_lock_key(consumer)])
            if cur.fetchone()[0]:
                return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)


def consumer_unlock(consumer: str) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_unlock(%s)", [_lock_key(consumer)])


def partitionings() -> dict[int, list[Checkpoint]]:
    """The checkpoints of the default-named consumers, by their number of partitions (``alerts`` is 1)."""
    out: dict[int, list[Checkpoint]] = {}
    for cp in Checkpoint.objects.filter(consumer__startswith="alerts").order_by("consumer"):
        m = _CONSUMER.match(cp.consumer)
        if m:
            out.setdefault(int(m.group(2) or 1), []).append(cp)
    return out


def retire_consumers(log_: EventLog) -> list[str]:
    """Delete from the log the consumers of default-named workers (``alerts``, ``alerts-p<i>of<n>``) that have
    no checkpoint: an old partitioning's after a handover (its checkpoints go in the handover's transaction),
    or one whose checkpoint an operator deleted (its position in the log would otherwise skip events). The
    log is asked first and the checkpoints second: a worker makes its checkpoint before its consumer, so a
    consumer found has its checkpoint visible by then. Idempotent; returns the consumers deleted. JetStream
    only (the database log keeps no consumers)."""
    listed = [c for c in log_.consumers() if _CONSUMER.match(c)]
    if not listed:
        return []
    live = set(Checkpoint.objects.filter(consumer__in=listed).values_list("consumer", flat=True))
    gone = [c for c in listed if c not in live]
    for c in gone:
        log_.delete_consumer(c)
    if gone:
        log.info("alert workers: consumers %s without a checkpoint deleted from the log", ", ".join(gone))
    return gone


def handover(parts: int, *, log_: EventLog | None = None, ruleset: rules.RuleSet | None = None,
             policy: alerting.Policy | None = None, clock: Callable[[], dt.datetime] = timezone.now) -> dict | None:
    """Carry the log position and the rule state of the partitioning in place over to ``parts`` partitions,
    so that changing N replays nothing twice and skips nothing.

    The old partitions stand at different positions (each goes at its own pace). Each is first brought to the
    furthest of them, P — its own events, its own rules, as if it had run on (firings applied, counters
    counted); then every new partition i of ``parts`` gets a checkpoint at P whose engine state is the union
    of the old partitions' states at P restricted to the keys i owns (:func:`rules.merge_snapshots`: a window
    open across the change still fires, a cloned plate read before and after it included). The old
    checkpoints are deleted in the same transaction as the new ones are made, and after its commit the old
    partitions' consumers in the log (JetStream durables) too (:func:`retire_consumers`). Under an advisory lock, so of
    the N partitions that start together one does it and the others find their checkpoints made. The old
    partitions' workers must have stopped: if one still holds its consumer's lock, :class:`HandoverError`.
    Returns what it did (``None``: nothing to carry over)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_lock(%s)", [_HANDOVER_LOCK])
    try:
        existing = partitionings()
        new = existing.pop(parts, [])
        if len(new) == parts or not existing:
            return None  # done by another partition (or nothing to carry over)
        if new:
            raise HandoverError(
                f"partitions {', '.join(c.consumer for c in new)} of {parts} exist beside an older partitioning "
                f"({', '.join(str(n) for n in existing)}): delete the stale checkpoints (pingan alerts "
                "checkpoints) and start again"
            )
        if len(existing) > 1:
            raise HandoverError(
                f"checkpoints of several partitionings exist ({', '.join(str(n) for n in sorted(existing))}): "
                "delete the stale ones first"
            )
        (old_parts, olds), = existing.items()
        missing = [i for i in range(old_parts) if consumer_name((i, old_parts)) not in {c.consumer for c in olds}]
        if missing:
            raise HandoverError(f"partitions {missing} of {old_parts} have no checkpoint: run them first")
        held = []
        try:
            for cp in olds:
                if not consumer_lock(cp.consumer, wait_s=5):
                    raise HandoverError(f"worker {cp.consumer} is still running: stop the old workers first")
                held.append(cp.consumer)
            target = max(cp.position for cp in olds)
            log_ = log_ or get_log()
            snaps, caught_up = [], {}
            extra_snaps: dict[str, list[dict]] = {}  # the temporary rule sets' states, by "id@version"
            for i in range(old_parts):
                w = Worker(partition=(i, old_parts), log_=log_, ruleset=ruleset, policy=policy, clock=clock,
                           snapshot_every_s=1e9, handover=False)
                start, deadline = w.position, time.monotonic() + 600
                while w.position < target:  # every old partition has read the same log up to its position
                    if not w.step(timeout=0.5, upto=target) and time.monotonic() > deadline:
                        raise HandoverError(f"{w.consumer} could not read the log from {w.position} to {target}")
                caught_up[w.consumer] = [start, target]
                snaps.append(w.engine.snapshot())
                for key, eng in w.extra.items():
                    extra_snaps.setdefault(key, []).append(eng.snapshot())
            ruleset = ruleset or load_configured_ruleset()
            with transaction.atomic():
                for i in range(parts):
                    engine = rules.Engine(ruleset, partition=(i, parts))
                    Checkpoint.objects.create(
                        consumer=consumer_name((i, parts)),
                        position=target,
                        snapshot={"position": target, "engine": rules.merge_snapshots(snaps, engine.owns),
                                  "extra": {k: rules.merge_snapshots(v, engine.owns) for k, v in extra_snaps.items()},
                                  "handover": {"from": old_parts, "caught_up": caught_up}},
                    )
                Checkpoint.objects.filter(consumer__in=[c.consumer for c in olds]).delete()
            retired = retire_consumers(log_)
        finally:
            for name in held:
                consumer_unlock(name)
        log.info("alert workers: %s partition(s) handed over to %s at position %s (%s)", old_parts, parts, target,
                 caught_up)
        return {"from": old_parts, "to": parts, "position": target, "caught_up": caught_up, "retired": retired}
    finally:
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(%s)", [_HANDOVER_LOCK])


# The batch's counters (services.counters_add's statement) and the consumer's position, in one statement.
_POSITION_AND_COUNTERS = (
    f"WITH c AS ({COUNTERS_ADD_SQL}) UPDATE alerts_checkpoint SET position = %s WHERE consumer = %s"  # noqa: S608 - constants
)
# Whether a group waits for its notification, and whether an escalation step is due (the filters of
# services.groups_flush and services.escalations_run).
_DUE = (
    "SELECT EXISTS (SELECT 1 FROM alerts_alert WHERE \"open\" AND notified_at IS NULL AND muted_by = '' "
    "AND group_key <> ''), EXISTS (SELECT 1 FROM alerts_alert WHERE \"open\" AND state = 'new' "
    "AND next_escalation_at <= %s AND notified_at IS NOT NULL)"
)


def _due(now: dt.datetime) -> tuple[bool, bool]:
    with connection.cursor() as cur:
        cur.execute(_DUE, [connection.ops.adapt_datetimefield_value(now)])
        groups, escalations = cur.fetchone()
    return bool(groups), bool(escalations)


class Worker:
    """One consumer of the event log. ``clock`` gives processing time (tests control it)."""

    def __init__(
        self,
        *,
        consumer: str = "",
        partition: tuple[int, int] = (0, 1),
        log_: EventLog | None = None,
        ruleset: rules.RuleSet | None = None,
        policy: alerting.Policy | None = None,
        clock: Callable[[], dt.datetime] = timezone.now,
        batch: int = 1000,
        snapshot_every_s: float | None = None,
        tick_every_s: float = 0.25,
        handover: bool = True,
        prune_every_s: float = 60.0,
        prune_limit: int = 2_000,
        background: bool = True,
    ) -> None:
        self.part, self.parts = partition
        self.consumer = consumer or consumer_name(partition)
        self.log = log_ or get_log()
        self.ruleset = ruleset or load_configured_ruleset()
        self.policy = policy or load_configured_policy()
        self.clock = clock
        self.batch = batch
        self.snapshot_every_s = (settings.PINGAN["ALERTS_SNAPSHOT_EVERY_S"] if snapshot_every_s is None
                                 else snapshot_every_s)
        #: whether snapshots and pruning may leave the batch loop (a forked child, a thread) where they can
        #: (:meth:`_off_loop`); a handover's workers run them in line
        self.background = background
        #: a step that takes longer is logged with its phases (``PINGAN_ALERTS_SLOW_STEP_MS``; 0: never)
        self.slow_step_s = settings.PINGAN["ALERTS_SLOW_STEP_MS"] / 1000
        self._snapshot_child: tuple[int, float] | None = None  # (pid, started) of the child writing one
        self._pruner: _Pruner | None = None
        self._running = False  # in run()
        self.tick_every_s = tick_every_s
        self.engine = rules.Engine(self.ruleset, position_of=directory.position, partition=partition)
        #: engines of the temporary rule sets (large events), by "id@version"; their state is in the snapshot
        #: beside the main engine's ("extra"), restored at start for the sets still running
        self.extra: dict[str, rules.Engine] = {}
        self._last_extra = -1e9
        self._hotlist: list[rules.HotlistEntry] = []
        self._wanted = self.engine.wants if self.parts > 1 else None
        self._last_prune = 0.0
        self.prune_every_s, self.prune_limit = prune_every_s, prune_limit
        self._next_prune = time.monotonic() + prune_every_s  # not at start: a restart has enough to do
        self._next_records = self._next_prune  # the feed's, dead letters' and timelines' retention: hourly
        self._last_snapshot = float("-inf")  # the first batch saves one
        self._snapshot_at = -1  # the position of the last snapshot saved or being saved
        self._last_tick = 0.0
        self._last_hotlist = 0.0
        self.position = 0
        self.processed = 0
        self._start(handover)

    # -- start-up: restore the state and re-run what came after its snapshot
    def _start(self, handover_: bool = True) -> None:
        default = self.consumer == consumer_name((self.part, self.parts))
        if default and not consumer_lock(self.consumer):
            raise HandoverError(f"worker {self.consumer} is already running in another process")
        if default and handover_ and not Checkpoint.objects.filter(consumer=self.consumer).exists():
            handover(self.parts, log_=self.log, ruleset=self.ruleset, policy=self.policy, clock=self.clock)
        cp, _ = Checkpoint.objects.get_or_create(consumer=self.consumer)
        if default:  # a handover that stopped between its commit and deleting the old consumers, finished
            retire_consumers(self.log)
        self.position = cp.position
        snap = cp.saved()
        self.engine.restore(snap.get("engine", {}))
        snap_pos = self._snapshot_at = int(snap.get("position", 0))
        self.refresh_temporary(force=True)
        saved_extra = snap.get("extra", {})
        for key, eng in self.extra.items():  # a set that ended since is not started, its state is dropped
            eng.restore(saved_extra.get(key, {}))
        self.refresh_hotlist(force=True)
        if snap_pos < self.position:
            n = 0
            for entry in self.log.read_range(snap_pos + 1, self.position):
                self.engine.process(entry.event, entry.received_at)  # firings were applied before the crash
                for eng in self.extra.values():
                    eng.process(entry.event, entry.received_at)
                n += 1
            log.info(
                "worker %s: state restored at %s, %s events re-run to %s", self.consumer, snap_pos, n, self.position
            )

    def refresh_temporary(self, *, force: bool = False) -> None:
        """Start engines for temporary rule sets that appeared, drop those that went (every 2 s)."""
        now = time.monotonic()
        if not force and now - self._last_extra < 2.0:
            return
        self._last_extra = now
        try:
            sets = {f"{rs.id}@{rs.version}": rs for rs in temporary_rulesets(self.clock())}
        except Exception:  # a broken provider must not stop the main rules
            log.exception("worker %s: temporary rule sets not refreshed", self.consumer)
            return
        for key in set(self.extra) - set(sets):
            del self.extra[key]
        for key in set(sets) - set(self.extra):
            self.extra[key] = rules.Engine(sets[key], position_of=directory.position,
                                           partition=(self.part, self.parts))
            self.extra[key].set_hotlist(self._hotlist)

    def refresh_hotlist(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_hotlist < 2.0:
            return
        at = self.clock()
        entries = [
            rules.HotlistEntry(e.key, e.kind, e.reason, e.priority, e.expires_at)
            for e in HotlistEntry.objects.filter(removed_at__isnull=True).exclude(expires_at__lte=at)
        ]
        self.engine.set_hotlist(entries)
        self._hotlist = entries
        for eng in self.extra.values():
            eng.set_hotlist(entries)
        self._last_hotlist = now

    # -- one step
    def step(self, *, timeout: float = 0.2, upto: int | None = None) -> int:
        """Process one batch (waiting up to ``timeout`` s for events) and run the timers. Returns the count.
        ``upto``: process no entry beyond that log position (the handover)."""
        marks = [("start", time.perf_counter(), time.thread_time())]
        self.refresh_hotlist()
        self.refresh_temporary()
        marks.append(("refresh", time.perf_counter(), time.thread_time()))
        if self._wanted is None:
            entries = self.log.read(self.consumer, after=self.position, limit=self.batch, timeout=timeout)
        else:
            entries = self.log.read(self.consumer, after=self.position, limit=self.batch, timeout=timeout,
                                    wanted=self._wanted)
        if upto is not None:
            entries = [e for e in entries if e.seq <= upto]
        now = self.clock()
        tick = time.monotonic() - self._last_tick >= self.tick_every_s or not entries
        marks.append(("read", time.perf_counter(), time.thread_time()))
        if entries:
            # the registry entries of the batch's devices that are due for a refresh, in one query
            directory.get_many({e.event.device_id for e in entries if e.event is not None})
            firings: list[rules.Firing] = []
            fired: list[tuple[str, bool]] = []  # (event key, whether this partition owns its device)
            owned = 0
            process, owns, single = self.engine.process, self.engine.owns, self.parts == 1
            extra = list(self.extra.values())
            for e in entries:
                ev = e.event
                if ev is None:
                    continue  # another partition's device, of a type only device-keyed rules look at
                fs = process(ev, e.received_at)
                for eng in extra:
                    fs = fs + eng.process(ev, e.received_at)
                mine = single or owns(ev.device_id)
                owned += mine
                if fs:
                    if ev.type != "heartbeat":
                        fired.append((ev.key, mine))
                    firings.extend(fs)
            if tick:  # the timers' firings and flushes go in the batch's transaction (one commit, one apply)
                firings.extend(self._tick_firings(now))
            marks.append(("rules", time.perf_counter(), time.thread_time()))
            if firings or tick or connection.vendor != "postgresql" or connection.in_atomic_block:
                with transaction.atomic():
                    firings_apply(firings=firings, policy=self.policy, now=now)
                    self.position = entries[-1].seq
                    self._commit_position(self._count(owned, fired, now))
                    if tick:
                        self._flush(now)
            else:  # most batches: only the counters and the position, one statement that is its own transaction
                # (no BEGIN and COMMIT round trips around it)
                self.position = entries[-1].seq
                self._commit_position(self._count(owned, fired, now))
            self.log.ack(self.consumer, self.position)
            self.processed += len(entries)
            marks.append((f"commit ({len(firings)} firings)", time.perf_counter(), time.thread_time()))
        elif tick:
            self.tick(now)
            marks.append(("tick", time.perf_counter(), time.thread_time()))
        if self._snapshot_child is not None:
            self._snapshot_reap()
        if self.position > self._snapshot_at and time.monotonic() - self._last_snapshot >= self.snapshot_every_s:
            # after the commit: its position is committed, and the batch's transaction (and the locks it holds)
            # does not wait for a state of up to ~30 MB to be written; an idle worker saves what it last did
            self.snapshot()
        marks.append(("snapshot", time.perf_counter(), time.thread_time()))
        if self.part == 0 and self._pruner is None and time.monotonic() >= self._next_prune:
            self.prune(now)
        marks.append(("prune", time.perf_counter(), time.thread_time()))
        if self.slow_step_s and marks[-1][1] - marks[0][1] >= self.slow_step_s:
            # wall and CPU milliseconds per phase: CPU well below wall is waiting (the database, a lock, the
            # machine's other processes), not this process's work
            log.warning("worker %s: a step of %s events took %.0f ms (CPU %.0f): %s", self.consumer, len(entries),
                        1000 * (marks[-1][1] - marks[0][1]), 1000 * (marks[-1][2] - marks[0][2]),
                        ", ".join(f"{name} {1000 * (t - marks[i][1]):.0f}/{1000 * (c - marks[i][2]):.0f}"
                                  for i, (name, t, c) in enumerate(marks[1:])))
        return len(entries)

    def _off_loop(self) -> bool:
        """Whether snapshots and pruning run beside the batch loop, on database connections of their own: in
        :meth:`run` (a worker stepped by its caller keeps no thread or child behind it), on PostgreSQL, with
        this worker's connection in autocommit (another connection sees what the worker committed; inside an
        enclosing transaction it would not), and where ``fork`` exists."""
        return (self.background and self._running and connection.vendor == "postgresql"
                and not connection.in_atomic_block and hasattr(os, "fork"))

    def prune(self, now: dt.datetime | None = None) -> int:
        """The event log's retention (:func:`services.event_log_prune`), in small steps: ``prune_limit`` events
        at a time, again after ``prune_every_s`` — or after 0.2 s while a step was full (a backlog: at 5 steps a
        second it keeps up with 5 × ``prune_limit`` events/s). On PostgreSQL a thread of the worker does it on
        a connection of its own (:class:`_Pruner`), so no batch waits behind a ``DELETE``; elsewhere
        :meth:`step` calls it between batches. With partitions, also the day-old ``AlertingEvent`` rows
        (every 10 minutes); and every hour the retention of the feed, dead letters and timelines
        (:func:`services.alert_records_prune`)."""
        n = event_log_prune(now=now or self.clock(), limit=self.prune_limit, log=self.log)
        self._next_prune = time.monotonic() + (0.2 if n >= self.prune_limit else self.prune_every_s)
        if self.parts > 1 and time.monotonic() - self._last_prune > 600:
            AlertingEvent.objects.filter(at__lt=(now or self.clock()) - dt.timedelta(days=1)).delete()
            self._last_prune = time.monotonic()
        if time.monotonic() >= self._next_records:
            alert_records_prune(limit=self.prune_limit)
            self._next_records = time.monotonic() + 3600
        return n

    def _commit_position(self, counts: dict[str, int]) -> None:
        """The batch's counter increments and this consumer's log position (inside the batch's transaction):
        on PostgreSQL one statement."""
        if connection.vendor != "postgresql":
            counters_add(counts)
            Checkpoint.objects.filter(consumer=self.consumer).update(position=self.position)
            return
        items = sorted((name, n) for name, n in counts.items() if n)  # in name order, as counters_add
        with connection.cursor() as cur:
            cur.execute(_POSITION_AND_COUNTERS, [[k for k, _ in items], [n for _, n in items], self.position,
                                                 self.consumer])

    def _count(self, owned: int, fired: list[tuple[str, bool]], now: dt.datetime) -> dict[str, int]:
        """Counter increments for a batch: ``owned`` events whose device this partition owns, and the events
        it fired for. One partition: fired ones are alerting, the rest non-alert. Several: an event is
        alerting once, counted by whichever partition enters it in ``AlertingEvent`` first; a non-owner that
        does so also takes one off ``non_alert``, to cancel the owner's count of it when the owner did not
        fire (and an owner that fired but came second adds that one back). Exact once all have caught up."""
        if self.parts == 1:
            return {"alerting": len(fired), "non_alert": owned - len(fired)}
        inserted: set[str] = set()
        if fired:
            with connection.cursor() as cur:
                cur.execute(
                    "INSERT INTO alerts_alertingevent (key, at) SELECT k, %s FROM unnest(%s::text[]) AS k "
                    "ON CONFLICT (key) DO NOTHING RETURNING key",
                    [now, [k for k, _ in fired]],
                )
                inserted = {r[0] for r in cur.fetchall()}
        alerting = len(inserted)
        non_alert = owned - sum(1 for _, mine in fired if mine)
        for key, mine in fired:
            if key in inserted and not mine:
                non_alert -= 1
            elif key not in inserted and mine:
                non_alert += 1
        return {"alerting": alerting, "non_alert": non_alert}

    def tick(self, now: dt.datetime | None = None) -> None:
        """Time-driven work: absence firings; on partition 0 also group flushes and escalations (one
        process does them, so a group is flushed and a step escalated once)."""
        now = now or self.clock()
        firings = self._tick_firings(now)
        with transaction.atomic():
            if firings:
                firings_apply(firings=firings, policy=self.policy, now=now)
            self._flush(now)

    def _tick_firings(self, now: dt.datetime) -> list[rules.Firing]:
        firings = self.engine.tick(now)
        for eng in self.extra.values():
            firings = firings + eng.tick(now)
        return firings

    def _flush(self, now: dt.datetime) -> None:
        """Partition 0's group flushes and escalations (inside the caller's transaction), skipped when one
        query says nothing waits: the two locking reads with their joins cost more than the check."""
        if self.part == 0:
            groups, escalations = _due(now)
            if groups:
                groups_flush(policy=self.policy, now=now)
            if escalations:
                escalations_run(policy=self.policy, now=now)
        self._last_tick = time.monotonic()

    def _snapshot_state(self) -> tuple[bytes, dict]:
        """The engines' state at ``position`` as MessagePack, and its summary (position, bytes, entries)."""
        state = msgspec.msgpack.encode(
            {"position": self.position, "engine": self.engine.snapshot(),
             "extra": {key: eng.snapshot() for key, eng in self.extra.items()}}
        )
        return state, {"position": self.position, "bytes": len(state),
                       "entries": self.engine.state_size() + sum(e.state_size() for e in self.extra.values())}

    def save_snapshot(self) -> None:
        """Save the engines' state with the position it belongs to, here and now: MessagePack in the
        consumer's :class:`~pingan.alerts.models.EngineSnapshot` (bound as binary, not quoted into the
        statement). As ``jsonb`` a state at its caps (~200,000 entries) took seconds of CPU to encode, quote and
        parse, during which no alert moved. Used at a clean stop, by tests and where :meth:`snapshot` cannot
        fork."""
        state, small = self._snapshot_state()
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            _write_snapshot(connection.connection, self.consumer, state, small)
        else:
            fields = {"position": self.position, "state": state, "entries": small["entries"], "size": len(state),
                      "saved_at": timezone.now()}
            mine = EngineSnapshot.objects.filter(checkpoint_id=self.consumer)
            if not mine.filter(position__lte=self.position).update(**fields) and not mine.exists():
                EngineSnapshot.objects.create(checkpoint_id=self.consumer, **fields)
        self._last_snapshot, self._snapshot_at = time.monotonic(), self.position

    def snapshot(self) -> None:
        """Save the state without holding up the batches: a forked child — the copy-on-write image of this
        process just after a batch's commit, so its state belongs to ``position`` exactly — copies, encodes and
        writes it on a connection of its own, then exits, while this process goes on with the next batch
        (the ~170 ms of CPU and ~20 MB of writing at the state caps stalled every alert behind them). One
        child at a time: the next snapshot is due only after it ended (:meth:`_snapshot_reap`). Where the
        worker cannot fork (:meth:`_off_loop`), in line."""
        if self._snapshot_child is not None:
            return
        if not self._off_loop():
            self.save_snapshot()
            return
        parent = os.getpid()
        # the collector must not walk (and so write to, and copy) every object of the image the child reads:
        # the objects that exist now are left to it only after the child ended
        gc.freeze()
        try:
            pid = os.fork()
        except OSError:
            gc.unfreeze()
            log.exception("worker %s: could not fork to save the snapshot; saving it in line", self.consumer)
            self.save_snapshot()
            return
        if pid == 0:  # pragma: no cover - the child, which never returns
            self._snapshot_in_child(parent)
        self._snapshot_child = (pid, time.monotonic())
        self._last_snapshot, self._snapshot_at = time.monotonic(), self.position

    def _snapshot_in_child(self, parent: int) -> None:
        """The forked child: die with the worker, save the snapshot on a new connection, ``_exit``. It never
        touches the worker's database connection (the socket is shared: closing it would end the worker's
        session and its consumer lock) nor returns into the worker's loop."""
        code = 1
        try:
            with gc_paused():  # a short-lived copy: nothing to collect
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the worker, which saves on its way out
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                if die_with_parent(parent):
                    state, small = self._snapshot_state()
                    params = connection.get_connection_params()
                    params.pop("cursor_factory", None)
                    import psycopg

                    with psycopg.connect(**params) as conn:
                        _write_snapshot(conn, self.consumer, state, small)
                    code = 0
        except BaseException:
            log.exception("worker %s: the snapshot at %s was not saved", self.consumer, self.position)
        finally:
            os._exit(code)

    def _snapshot_reap(self, *, wait: bool = False) -> None:
        """Collect the snapshot child once it ended (``wait``: wait for it); one that takes far longer than
        the interval is killed — its transaction rolls back, the previous snapshot stays, the next one is
        tried when due."""
        pid, started = self._snapshot_child
        try:
            done, status = os.waitpid(pid, 0 if wait else os.WNOHANG)
        except ChildProcessError:
            done, status = pid, 0
        if not done:
            if time.monotonic() - started < max(120.0, 4 * self.snapshot_every_s):
                return
            log.warning("worker %s: the snapshot child %s ran for %.0f s: killed", self.consumer, pid,
                        time.monotonic() - started)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        elif status:
            log.warning("worker %s: the snapshot child %s ended with status %s: the previous snapshot stays",
                        self.consumer, pid, status)
        self._snapshot_child = None
        gc.unfreeze()

    def close(self) -> None:
        """Stop the pruning thread and wait for a snapshot child (a clean stop)."""
        if self._pruner is not None:
            self._pruner.stop()
            self._pruner = None
        if self._snapshot_child is not None:
            self._snapshot_reap(wait=True)

    def run(self, *, stop: Callable[[], bool] = lambda: False, idle_sleep: float = 0.05) -> None:
        """Loop until ``stop()``; saves a snapshot on a clean stop. Partition 0's pruning runs in a thread
        meanwhile, the snapshots in forked children (:meth:`_off_loop`)."""
        self._running = True
        if self.part == 0 and self._off_loop():
            self._pruner = _Pruner(self)
        try:
            from pingan.core.dbbusy import retry_busy

            while not stop():
                # SQLite while another process writes (a large screening): wait, do not die
                if not retry_busy(self.step, what="alert worker", stop=stop):
                    self.log.wait(idle_sleep)
        finally:
            self.close()
            self._running = False
            self.save_snapshot()
            if self.consumer == consumer_name((self.part, self.parts)):
                consumer_unlock(self.consumer)


# A snapshot replaces only one of the same or an earlier position: a child of a worker killed a moment ago
# must not put back an older state over its successor's (the log may have been pruned up to the newer one).
# Its own row: the checkpoint's row, which each batch's commit updates, is not locked while ~20 MB are written
# (the foreign key's check takes a KEY SHARE lock, which a batch's update of the position does not wait for).
_SAVE_SNAPSHOT = (
    "INSERT INTO alerts_enginesnapshot (consumer, position, state, entries, size, saved_at) "
    "VALUES (%s, %s, %b, %s, %s, now()) ON CONFLICT (consumer) DO UPDATE SET position = EXCLUDED.position, "
    "state = EXCLUDED.state, entries = EXCLUDED.entries, size = EXCLUDED.size, saved_at = EXCLUDED.saved_at "
    "WHERE alerts_enginesnapshot.position <= EXCLUDED.position"
)


def _write_snapshot(conn, consumer: str, state: bytes, small: dict) -> None:
    """One statement on the psycopg connection ``conn`` (committed by its caller, or at once in autocommit):
    the state bound as binary (server-side binding: the blob goes as is, not quoted into the statement)."""
    import psycopg

    with psycopg.Cursor(conn) as cur:
        cur.execute(_SAVE_SNAPSHOT, [consumer, small["position"], state, small["entries"], len(state)])


class _Pruner(threading.Thread):
    """Partition 0's pruning (:meth:`Worker.prune`) beside the batch loop, on the thread's own database
    connection: it sleeps until a step is due, so a ``DELETE`` of 2,000 log rows never sits between two
    batches. A failed step is logged and tried again after ``prune_every_s``."""

    def __init__(self, worker: Worker) -> None:
        super().__init__(name=f"pingan-alerts-prune-{worker.consumer}", daemon=True)
        self.worker = worker
        self._stopping = threading.Event()
        self.start()

    def run(self) -> None:
        w = self.worker
        try:
            while not self._stopping.wait(max(0.0, w._next_prune - time.monotonic())):
                try:
                    w.prune()
                except Exception:
                    log.exception("worker %s: pruning failed; tried again in %s s", w.consumer, w.prune_every_s)
                    connection.close()
                    w._next_prune = time.monotonic() + w.prune_every_s
        finally:
            connection.close()

    def stop(self) -> None:
        self._stopping.set()
        self.join(60)
