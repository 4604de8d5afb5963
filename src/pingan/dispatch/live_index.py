"""The nearest-unit query's in-process index, kept fresh from the database (``dispatch.spatial.GridIndex``).

Each query first brings the index up to date — a read of the units written since the previous refresh in
PostgreSQL's transaction order (``dispatch.changes``: status, position; nothing is missed for committing
late), and one probe of the roster's fingerprint — then ranks in memory. So a query sees every change
committed before it started, in every process that answers queries, without a message bus: the AVL worker
keeps writing the database only. A full reload every ``FULL_RELOAD`` drops deleted units; on a database
other than PostgreSQL every query reloads.

Who is on a shift is the set of patrol units of the shift assignments whose shift contains now; it is read
again when the roster's fingerprint (count and greatest id of shifts and of their assignments) changes or
the clock passes the next shift start or end. Shifts are never edited in place (``dispatch.services`` creates
and deletes them), so the fingerprint sees every roster change.
"""

from __future__ import annotations

import datetime as dt
import threading

from django.db.models import Max, Min, Q

from pingan.dispatch.spatial import Entry, GridIndex

FULL_RELOAD = dt.timedelta(seconds=60)

_FIELDS = ("pk", "code", "kind", "status", "lon", "lat", "position_at", "drone__cruise_mps")


class LiveUnitIndex:
    """Thread-safe (the web server answers from a thread pool): :meth:`refresh` once per query, then
    :meth:`units_in_box` for each box the query widens to."""

    def __init__(self, cell_deg: float = 0.01) -> None:
        self.cell_deg = cell_deg
        self.lock = threading.Lock()
        self.grid = GridIndex(cell_deg)
        self.snap = None
        self.loaded_at: dt.datetime | None = None
        self.roster_key: tuple | None = None
        self.roster_until: dt.datetime | None = None
        self.roster_from: dt.datetime | None = None
        self.on_shift: frozenset[int] = frozenset()
        self.reads = 0  # rows read from the database since the process started (the bench prints it)

    def reset(self) -> None:
        with self.lock:
            self.grid = GridIndex(self.cell_deg)
            self.snap = self.loaded_at = self.roster_key = self.roster_until = self.roster_from = None
            self.on_shift = frozenset()

    def _load(self, qs) -> None:
        for pk, code, kind, status, lon, lat, pos_at, speed in qs.values_list(*_FIELDS):
            if lon is None or lat is None or pos_at is None:
                self.grid.remove(pk)
                continue
            self.grid.upsert(Entry(pk, code, kind, status, lon, lat, pos_at.timestamp(), speed))
            self.reads += 1

    def _refresh_units(self) -> None:
        from django.utils import timezone

        from pingan.dispatch import changes
        from pingan.dispatch.models import PatrolUnit

        started = timezone.now()  # the wall clock, not the query's "now" (which a caller may set)
        snap = changes.snapshot() if changes.supported() else None  # before the read
        if snap is None or self.snap is None or self.loaded_at is None or started - self.loaded_at >= FULL_RELOAD:
            self.grid = GridIndex(self.cell_deg)
            self._load(PatrolUnit.objects.order_by())
            self.loaded_at = started
        else:
            self._load(changes.since(PatrolUnit.objects.order_by(), self.snap))
        self.snap = snap

    def _refresh_roster(self, now: dt.datetime) -> None:
        from django.db import connection

        from pingan.dispatch.models import Shift, ShiftAssignment
        from pingan.dispatch.roster import active_assignments

        with connection.cursor() as cur:  # one round trip: the roster's fingerprint
            cur.execute(
                f"SELECT (SELECT count(*) FROM {Shift._meta.db_table}), (SELECT max(id) FROM {Shift._meta.db_table}),"  # noqa: S608 - table names from the models
                f" (SELECT count(*) FROM {ShiftAssignment._meta.db_table}),"
                f" (SELECT max(id) FROM {ShiftAssignment._meta.db_table})"
            )
            key = tuple(cur.fetchone())
        if (key == self.roster_key and self.roster_until is not None and self.roster_from is not None
                and self.roster_from <= now < self.roster_until):
            return
        self.on_shift = frozenset(
            active_assignments(now).filter(patrol_unit__isnull=False).values_list("patrol_unit_id", flat=True)
        )
        # the on-shift set holds until the next start or end of any shift after now (and from the last before)
        nxt = Shift.objects.aggregate(
            s=Min("starts_at", filter=Q(starts_at__gt=now)), e=Min("ends_at", filter=Q(ends_at__gt=now))
        )
        prev = Shift.objects.aggregate(
            s=Max("starts_at", filter=Q(starts_at__lte=now)), e=Max("ends_at", filter=Q(ends_at__lte=now))
        )
        far = now + dt.timedelta(days=3650)
        self.roster_until = min(x for x in (nxt["s"], nxt["e"], far) if x is not None)
        self.roster_from = max(x for x in (prev["s"], prev["e"], now - dt.timedelta(days=3650)) if x is not None)
        self.roster_key = key

    def refresh(self, now: dt.datetime) -> None:
        """Bring the index up to date for a query at ``now`` (once per query, before :meth:`units_in_box`)."""
        with self.lock:
            self._refresh_units()
            self._refresh_roster(now)

    def units_in_box(
        self, *, fresh_after: dt.datetime, kinds: tuple[str, ...],
        min_lon: float, min_lat: float, max_lon: float, max_lat: float,
    ) -> list[tuple[int, str, str, float, float, float | None]]:
        """The ``(id, code, kind, lon, lat, speed)`` rows ``nearest.rank`` takes: available units of
        ``kinds``, on shift at the last :meth:`refresh`, positioned at or after ``fresh_after``, in the box."""
        with self.lock:
            fresh = fresh_after.timestamp()
            allowed = set(kinds)
            return [
                (e.id, e.code, e.kind, e.lon, e.lat, e.speed_mps)
                for e in self.grid.box(min_lon, min_lat, max_lon, max_lat)
                if e.status == "available" and e.kind in allowed and e.position_ts >= fresh and e.id in self.on_shift
            ]


#: One per process.
INDEX = LiveUnitIndex()
