"""Rows changed since a point in PostgreSQL's transaction order — the console's cursor and the nearest-unit
index's refresh (``dispatch.selectors.console_changes``, ``dispatch.live_index``).

PostgreSQL stamps every row version with the id of the transaction that wrote it (the ``xmin`` system
column; an UPDATE writes a new version). A snapshot (``pg_current_snapshot()``) says which transactions a
reader sees: all below ``xmax`` except those still running (``xip``). A reader that keeps its snapshot and
later asks for the rows whose ``xmin`` is at or above that ``xmax``, or one of those running, gets exactly
the rows it had not seen — including those of transactions that began before it asked and committed after,
which a timestamp or a sequence cursor misses. Ids wrap at 2^32: rows are compared with ``age()``, which
counts back from the current transaction (frozen rows are the oldest of all). The snapshot covers the whole
server, so other databases' transactions may be in ``xip``: they match no row here.

The reader's own transaction is never in ``xip``. When it already holds an id below ``xmax`` (it wrote
before, and another transaction committed since), the rows it writes after the snapshot would carry that
old id and be missed: :func:`snapshot` counts it as running, so they are found (with the rows it wrote
before the snapshot: a superset, which the index and the console take again harmlessly).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

_WRAP = 2**32
#: More transactions running than this at a snapshot: keep only the oldest (a superset of the changes).
MAX_RUNNING = 64


@dataclass(frozen=True)
class Snapshot:
    """``xmax`` and the ids running at the snapshot (64-bit ``xid8`` values)."""

    xmax: int
    running: tuple[int, ...] = ()

    def encode(self) -> str:
        """``xmax`` then the running ids as distances below it, ``~``-separated (a URL-safe cursor part)."""
        return "~".join([str(self.xmax), *(str(self.xmax - x) for x in self.running)])

    @classmethod
    def decode(cls, text: str) -> Snapshot:
        """Raises ``ValueError`` on anything but what :meth:`encode` makes."""
        parts = [int(p) for p in text.split("~")]
        bad = any(p < 0 for p in parts) or any(d > parts[0] for d in parts[1:])
        if not parts or bad or len(parts) > MAX_RUNNING + 1:
            raise ValueError("not a snapshot")
        return cls(parts[0], tuple(parts[0] - d for d in parts[1:]))


def supported() -> bool:
    return connection.vendor == "postgresql"


def snapshot() -> Snapshot:
    """The current snapshot (what a query now sees), with the reader's own transaction id among the running
    when it has one (its later writes are changes too)."""
    with connection.cursor() as cur:
        cur.execute("SELECT pg_current_snapshot()::text, pg_current_xact_id_if_assigned()::text")
        text, own = cur.fetchone()
    xmin, xmax, xip = text.split(":")
    ids = {int(x) for x in xip.split(",") if x}
    if own is not None and int(own) < int(xmax):
        ids.add(int(own))
    running = tuple(sorted(ids))
    if len(running) > MAX_RUNNING:
        return Snapshot(int(xmin))  # everything from the oldest running on
    return Snapshot(int(xmax), running)


def _xid(x: int) -> str:
    return str(max(3, x % _WRAP))  # 0-2 are reserved (invalid, bootstrap, frozen)


def since(qs, snap: Snapshot):
    """``qs`` limited to the rows of its model's table that ``snap`` did not see."""
    table = qs.model._meta.db_table
    where = f'age("{table}".xmin) <= age(%s::text::xid)'
    params: list = [_xid(snap.xmax)]
    if snap.running:
        where = f'({where} OR "{table}".xmin = ANY(%s::text[]::xid[]))'
        params.append([_xid(x) for x in snap.running])
    return qs.extra(where=[where], params=params)  # noqa: S610 - the table name comes from the model
