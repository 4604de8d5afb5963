"""One place that opens DuckDB connections for batch work, with bounded memory and threads.

Every batch job (screening, statistics, imports) opens its connection here so that the memory ceiling,
the thread count and the spill directory are set the same way everywhere. DuckDB spills joins and
aggregates that exceed ``memory_limit`` to ``temp_directory`` instead of failing, which is what lets a
1,000,000-person roster be compared with 100,000,000 movement records on a 2-core, 24 GiB machine in
well under 2 GiB of memory.

Defaults come from the environment so operators can tune a deployment without code changes:

* ``PINGAN_DUCKDB_MEMORY_LIMIT`` — DuckDB size string, e.g. ``1.5GB`` (default ``1.5GB``);
* ``PINGAN_DUCKDB_THREADS`` — positive integer (default: the number of CPUs, capped at 2);
* ``PINGAN_DUCKDB_TEMP_DIR`` — where spill directories go (default: the system temp dir).

Each connection spills into its own directory, named under that place but not created here: DuckDB creates
it at the first spill and deletes it when the connection closes, so no run leaves an empty directory behind
(``mkdtemp`` here once left one per screening).

This module imports no Django.
"""

from __future__ import annotations

import os
import re
import tempfile
import uuid
from pathlib import Path

import duckdb

DEFAULT_MEMORY_LIMIT = "1.5GB"

_SIZE = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|KiB|MB|MiB|GB|GiB|TB|TiB)\s*$", re.IGNORECASE)


class DuckConfigError(ValueError):
    """A DuckDB setting (argument or ``PINGAN_DUCKDB_*`` variable) has a value DuckDB cannot use."""


def sql_str(text: str) -> str:
    """``text`` as a SQL string literal (single quotes doubled, SQL-92), for paths and values in DuckDB SQL."""
    return "'" + text.replace("'", "''") + "'"


def _default_threads() -> int:
    raw = os.environ.get("PINGAN_DUCKDB_THREADS")
    if raw is None:
        # The platform runs on small machines (2 cores); more threads than cores only adds contention.
        return max(1, min(os.cpu_count() or 1, 2))
    try:
        value = int(raw)
    except ValueError:
        raise DuckConfigError(
            f"PINGAN_DUCKDB_THREADS={raw!r} is not an integer; set it to the number of threads, e.g. 2"
        ) from None
    if value < 1:
        raise DuckConfigError(f"PINGAN_DUCKDB_THREADS={raw!r} must be at least 1")
    return value


def connect(
    *,
    memory_limit: str | None = None,
    threads: int | None = None,
    temp_directory: str | Path | None = None,
    database: str = ":memory:",
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB connection configured for bounded-memory batch work.

    ``memory_limit`` is a DuckDB size string (``"1.5GB"``, ``"800MB"``); ``threads`` the worker count;
    ``temp_directory`` the folder under which operators that exceed the limit spill, each connection in a
    subdirectory of its own that DuckDB creates when needed and removes on close. Arguments left
    ``None`` come from ``PINGAN_DUCKDB_*`` variables, then from the defaults above. Insertion order is not
    preserved (batch results are keyed, never positional), which lets DuckDB stream larger-than-memory
    results. Raises :class:`DuckConfigError` for an unusable size or thread count.
    """
    limit = memory_limit or os.environ.get("PINGAN_DUCKDB_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT
    if not _SIZE.match(limit):
        raise DuckConfigError(
            f"DuckDB memory limit {limit!r} is not a size; write it like '1.5GB' or '800MB'"
        )
    n_threads = threads if threads is not None else _default_threads()
    if n_threads < 1:
        raise DuckConfigError(f"DuckDB threads={n_threads} must be at least 1")
    parent = Path(temp_directory or os.environ.get("PINGAN_DUCKDB_TEMP_DIR") or tempfile.gettempdir())
    parent.mkdir(parents=True, exist_ok=True)
    # not created: DuckDB deletes a spill directory on close only when it created it
    spill = parent / f"pingan-duckdb-{uuid.uuid4().hex}"
    con = duckdb.connect(
        database,
        config={
            "memory_limit": limit,
            "threads": n_threads,
            "temp_directory": str(spill),
            "preserve_insertion_order": False,
        },
    )
    con.execute("SET enable_progress_bar = false")
    return con
