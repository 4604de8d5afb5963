"""A database that is busy, not gone: SQLite's ``database is locked`` while another process writes.

The embedded default (SQLite, ``pingan serve``) has one writer at a time; a long write (a large screening)
made the dispatch, scheduler and alert processes die with ``database is locked`` tracebacks and be restarted.
Loops call :func:`retry_busy` around each round instead: a busy database is waited for with backoff (0.2 s
doubling up to 5 s), saying so once on the log; any other error is raised as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from contextlib import contextmanager
from typing import TypeVar

from django.db import OperationalError

T = TypeVar("T")
log = logging.getLogger("pingan.core.dbbusy")

#: SQLite's words for a write lock held by another connection (sqlite3.OperationalError's text).
_BUSY = ("database is locked", "database table is locked", "database is busy")


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is held by another writer (it will be free again), not unusable."""
    return isinstance(exc, OperationalError) and any(b in str(exc).lower() for b in _BUSY)


def retry_busy(fn: Callable[[], T], *, what: str = "", stop: Callable[[], bool] = lambda: False,
               first: float = 0.2, cap: float = 5.0, sleep: Callable[[float], None] = time.sleep) -> T | None:
    """``fn()``, run again after a pause while the database is busy (:func:`is_busy`); ``None`` when
    ``stop()`` says to give up. Other errors propagate. ``what`` names the loop in the log line."""
    from django.db import connection

    pause = first
    while True:
        try:
            return fn()
        except OperationalError as exc:
            if not is_busy(exc):
                raise
            if connection.in_atomic_block:  # inside a transaction the caller must roll back first
                raise
            log.warning("%s: the database is busy (another process is writing); trying again in %.1f s",
                        what or "pingan", pause)
            if stop():
                return None
            sleep(pause)
            pause = min(pause * 2, cap)


@contextmanager
def brief_wait(seconds: float = 0.5):
    """Within the block, a write on SQLite waits at most ``seconds`` for another connection's write lock
    (instead of the busy timeout, ``PINGAN_SQLITE_TIMEOUT``) before ``database is locked``: for writes that
    may be skipped, so that a page read during a long write answers at once. No effect on PostgreSQL, where
    a writer waits only for the rows it touches."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cur:
        cur.execute("PRAGMA busy_timeout")
        (before,) = cur.fetchone()
        cur.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
    try:
        yield
    finally:
        if connection.connection is not None:
            with connection.cursor() as cur:
                cur.execute(f"PRAGMA busy_timeout = {int(before)}")
