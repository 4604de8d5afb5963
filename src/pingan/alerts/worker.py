"""The alert worker: reads the event log in order, runs the rule engine, applies firings, and keeps time
(absence, group flushes, escalations). One worker per log (a consumer name); run by ``pingan alerts worker``.

Crash safety (a worker killed with SIGKILL loses nothing and shows nothing twice):

* each batch's alerts, stream items, counters and the log position commit in one transaction, and the log
  is acknowledged after that commit — a batch is either wholly applied or re-read;
* every 30 s the engine's bounded state is saved with the position it belongs to (at 5,000 events/s the
  cloned-plate state alone holds up to its cap of 200,000 entries: saving it is not free)
  (``snapshot_position``); on start the worker restores it and re-runs the events between that position and
  the committed one *without* applying their firings (already applied), so its windows are exactly as before;
* alert causes are unique (:class:`~pingan.alerts.models.AlertCause`), so even a re-applied firing changes
  nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pingan.alerts import alerting, rules
from pingan.alerts.eventlog import EventLog, get_log
from pingan.alerts.models import Checkpoint, HotlistEntry
from pingan.alerts.services import (
    counters_add,
    directory,
    escalations_run,
    firings_apply,
    groups_flush,
)

log = logging.getLogger(__name__)


def load_configured_ruleset() -> rules.RuleSet:
    """``PINGAN_ALERTS_RULESET``: a bundled name or a TOML file path."""
    name = settings.PINGAN["ALERTS_RULESET"]
    if name.endswith(".toml") or "/" in name:
        return rules.load_ruleset(Path(name))
    return rules.bundled_ruleset(name)


def load_configured_policy() -> alerting.Policy:
    return alerting.load_policy(settings.PINGAN["ALERTS_POLICY"] or None)


class Worker:
    """One consumer of the event log. ``clock`` gives processing time (tests control it)."""

    def __init__(
        self,
        *,
        consumer: str = "alerts",
        log_: EventLog | None = None,
        ruleset: rules.RuleSet | None = None,
        policy: alerting.Policy | None = None,
        clock: Callable[[], dt.datetime] = timezone.now,
        batch: int = 1000,
        snapshot_every_s: float = 30.0,
        tick_every_s: float = 0.25,
    ) -> None:
        self.consumer = consumer
        self.log = log_ or get_log()
        self.ruleset = ruleset or load_configured_ruleset()
        self.policy = policy or load_configured_policy()
        self.clock = clock
        self.batch = batch
        self.snapshot_every_s = snapshot_every_s
        self.tick_every_s = tick_every_s
        self.engine = rules.Engine(self.ruleset, position_of=directory.position)
        self._last_snapshot = 0.0
        self._last_tick = 0.0
        self._last_hotlist = 0.0
        self.position = 0
        self.processed = 0
        self._start()

    # -- start-up: restore the state and re-run what came after its snapshot
    def _start(self) -> None:
        cp, _ = Checkpoint.objects.get_or_create(consumer=self.consumer)
        self.position = cp.position
        snap = cp.snapshot or {}
        self.engine.restore(snap.get("engine", {}))
        snap_pos = int(snap.get("position", 0))
        self.refresh_hotlist(force=True)
        if snap_pos < self.position:
            n = 0
            for entry in self.log.read_range(snap_pos + 1, self.position):
                self.engine.process(entry.event, entry.received_at)  # firings were applied before the crash
                n += 1
            log.info(
                "worker %s: state restored at %s, %s events re-run to %s", self.consumer, snap_pos, n, self.position
            )

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
        self._last_hotlist = now

    # -- one step
    def step(self, *, timeout: float = 0.2) -> int:
        """Process one batch (waiting up to ``timeout`` s for events) and run the timers. Returns the count."""
        self.refresh_hotlist()
        entries = self.log.read(self.consumer, after=self.position, limit=self.batch, timeout=timeout)
        now = self.clock()
        if entries:
            firings: list[rules.Firing] = []
            alerting_n = 0
            for e in entries:
                fs = self.engine.process(e.event, e.received_at)
                if e.event.type != "heartbeat" and fs:
                    alerting_n += 1
                firings.extend(fs)
            with transaction.atomic():
                firings_apply(firings=firings, policy=self.policy, now=now)
                counters_add({"alerting": alerting_n, "non_alert": len(entries) - alerting_n})
                self.position = entries[-1].seq
                Checkpoint.objects.filter(consumer=self.consumer).update(position=self.position)
            self.log.ack(self.consumer, self.position)
            self.processed += len(entries)
            if time.monotonic() - self._last_snapshot >= self.snapshot_every_s:
                # after the commit, in a transaction of its own: its position is committed, and the batch's
                # transaction (and the locks it holds) does not wait for a state of up to ~30 MB to be written
                self.save_snapshot()
        if time.monotonic() - self._last_tick >= self.tick_every_s or not entries:
            self.tick(now)
        return len(entries)

    def tick(self, now: dt.datetime | None = None) -> None:
        """Time-driven work: absence firings, group flushes, escalations."""
        now = now or self.clock()
        firings = self.engine.tick(now)
        with transaction.atomic():
            if firings:
                firings_apply(firings=firings, policy=self.policy, now=now)
            groups_flush(policy=self.policy, now=now)
            escalations_run(policy=self.policy, now=now)
        self._last_tick = time.monotonic()

    def save_snapshot(self) -> None:
        Checkpoint.objects.filter(consumer=self.consumer).update(
            snapshot={"position": self.position, "engine": self.engine.snapshot()}
        )
        self._last_snapshot = time.monotonic()

    def run(self, *, stop: Callable[[], bool] = lambda: False, idle_sleep: float = 0.05) -> None:
        """Loop until ``stop()``; saves a snapshot on a clean stop."""
        try:
            while not stop():
                if not self.step() and isinstance(self.log, object) and type(self.log).__name__ == "DatabaseLog":
                    time.sleep(idle_sleep)
        finally:
            self.save_snapshot()
