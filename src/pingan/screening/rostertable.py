"""The engine-roster table: one Arrow file holding, for every premises' latest finished screening whose person
data is kept, the rows its roster gave the engine, and for each accepted row the result it became — what a
re-evaluation selects people from and screens them again from, without PostgreSQL look-ups by document
number and without opening one small file per job.

Before it, a re-evaluation found the people a change names by joining the numbers to the million result rows
in PostgreSQL (~1.7 s of the server's CPU on the issue-10 bench) and then read one engine roster per job
(``services.ENGINE_ROSTER_FILE``, ~43,000 files: ~1.8 s); now both are Arrow hash look-ups over this one
memory-mapped file (:func:`current`), and PostgreSQL is asked only for the chosen people's stored results, by
primary key.

Rows (:data:`SCHEMA`): the job (``job_id``), the engine roster's columns (:data:`roster.ARROW_SCHEMA` and
``resident_id_column``, as the screening wrote them), and for an accepted row ``pk`` (the ``PersonResult``
id), ``key_number`` and ``key_name`` (the result's stored ``id_number`` and ``name``: what a change's numbers
and names are matched with) and ``unsure`` (its identity status is neither ``valid`` nor
``area_code_unlisted``: the number as typed is not usable, so the engine may match the person on name + date
of birth or through a GB 11643 recovery candidate — a fixed property of the typed number, so it cannot go
stale when a re-evaluation turns ``invalid`` into ``corrected``). A job whose engine roster and roster file
are both gone has one row per accepted result with ``fallback`` set and the roster columns empty: the
re-evaluation rebuilds those people from their stored results, as before.

It is derived data, never the truth: :func:`sync` (called at the start of every re-evaluation, under a file
lock) compares its jobs with PostgreSQL's — ``is_latest`` and not purged — drops the rows of jobs that are no
longer there (superseded by a newer screening of the premises, or purged under the retention policy) and adds
the jobs that are new (their engine roster files, their results' keys), then writes it aside and renames it
(a reader sees the old or the new file, 0600). The retention purge calls :func:`sync` with ``add=False`` once
it has purged jobs, so their people's rows leave the table at once, not at the next re-evaluation.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pingan.screening.roster import ARROW_SCHEMA

#: The file, in the data directory's ``screening`` folder.
TABLE_FILE = "engine-rosters.arrow"

#: Identity statuses of a number usable as typed; every other status marks the row ``unsure``.
SURE_STATUSES = ("valid", "area_code_unlisted")

SCHEMA = pa.schema([pa.field("job_id", pa.int64(), nullable=False), pa.field("job_stamp", pa.int64()), *ARROW_SCHEMA,
                    pa.field("resident_id_column", pa.bool_()), pa.field("pk", pa.int64()),
                    pa.field("key_number", pa.string()), pa.field("key_name", pa.string()),
                    pa.field("unsure", pa.bool_()), pa.field("fallback", pa.bool_())])

_KEY_SCHEMA = pa.schema([("job_id", pa.int64()), ("row", pa.int64()), ("pk", pa.int64()), ("key_name", pa.string()),
                         ("key_number", pa.string()), ("unsure", pa.bool_())])


def path() -> Path:
    from pingan.screening.services import _data_dir

    return _data_dir("screening") / TABLE_FILE


@contextlib.contextmanager
def _locked() -> Iterator[None]:
    """One writer at a time (a re-evaluation, the retention purge): an exclusive ``flock`` on a lock file."""
    fd = os.open(path().with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def load() -> pa.Table:
    """The table as last written (memory-mapped: nothing is copied), or an empty one — also for a file of
    another layout (an older pingan's): :func:`sync` then builds it again."""
    p = path()
    try:
        table = pa.ipc.open_file(pa.memory_map(str(p))).read_all()
    except (FileNotFoundError, pa.ArrowInvalid):
        return SCHEMA.empty_table()
    return table if table.schema.equals(SCHEMA) else SCHEMA.empty_table()


def _write(table: pa.Table) -> None:
    p = path()
    part = p.with_name(f".{p.name}.{os.getpid()}")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.close(fd)
    with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, SCHEMA) as writer:
        writer.write_table(table.cast(SCHEMA), max_chunksize=1 << 20)
    os.chmod(part, 0o600)
    os.replace(part, p)


def _stamp(when) -> int:
    return round(when.timestamp() * 1_000_000) if when is not None else 0


def _current_jobs() -> list[tuple]:
    """``(id, stamp, roster_path, roster_name, result_dir)`` of every latest finished, unpurged job; the stamp
    (when it finished, in µs) tells a job from another that got the same id (a database restored from a
    backup, a test rolled back). On PostgreSQL the stamp is computed by the server (the same integer
    :func:`_stamp` gives: ``extract(epoch …)`` is exact to the microsecond) and the rows fetched as plain tuples:
    a datetime and a queryset row per job cost ~0.4 s of CPU for the 50,000 jobs of issue 10's bench, at every
    re-evaluation."""
    from django.db import connection
    from django.db.models.functions import Coalesce

    from pingan.screening.models import ScreeningJob

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT id, coalesce(round(extract(epoch FROM coalesce(finished_at, created_at)) * 1000000)"
                        "::bigint, 0), roster_path, roster_name, result_dir FROM screening_screeningjob "
                        "WHERE is_latest AND purged_at IS NULL ORDER BY id")
            return cur.fetchall()
    return [(pk, _stamp(when), *rest) for pk, when, *rest in ScreeningJob.objects.filter(
        is_latest=True, purged_at__isnull=True).order_by("pk").values_list(
        "pk", Coalesce("finished_at", "created_at"), "roster_path", "roster_name", "result_dir")]


def _keys(job_ids: list[int]) -> pa.Table:
    """The accepted results of ``job_ids`` as :data:`_KEY_SCHEMA` (on PostgreSQL through ``COPY``)."""
    from django.db import connection

    from pingan.core.copystore import ids_in, int_array
    from pingan.screening.models import PersonResult

    if connection.vendor == "postgresql":
        from pingan.screening.reevaluate import _copy_out

        with connection.cursor() as cur:
            return _copy_out(cur.cursor, "SELECT job_id, row, id, name, id_number, (identity_status <> ALL(%s))::int "
                                         "FROM screening_personresult WHERE status = 'accepted' AND "
                                         "job_id = ANY(%s::bigint[]) ORDER BY job_id, row",
                             [list(SURE_STATUSES), int_array(job_ids)], _KEY_SCHEMA)
    rows = list(PersonResult.objects.filter(job_id__in=ids_in(PersonResult, job_ids), status="accepted")
                .order_by("job_id", "row").values_list("job_id", "row", "pk", "name", "id_number", "identity_status"))
    cols = [list(c) for c in zip(*rows, strict=True)] or [[] for _ in range(6)]
    cols[5] = [s not in SURE_STATUSES for s in cols[5]]
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(cols, _KEY_SCHEMA, strict=True)],
                                schema=_KEY_SCHEMA)


def _roster_rows(jobs: list[tuple]) -> tuple[list[pa.Table], list[int]]:
    """The engine rosters of ``jobs`` and the job of each: the file the screening left, or for a job screened
    before those files existed its roster file parsed (and its engine roster written for next time); a job with
    neither (retention, or unreadable) is left out."""
    from pingan.screening.roster import RosterError, read_roster_arrow
    from pingan.screening.services import ENGINE_ROSTER_FILE, engine_roster_read, engine_roster_write

    tables, owners = [], []
    for job_id, _stamp, roster_path, roster_name, result_dir in jobs:
        try:
            tables.append(engine_roster_read(os.path.join(result_dir, ENGINE_ROSTER_FILE)) if result_dir
                          else None)
        except (OSError, pa.ArrowInvalid):
            tables.append(None)
        if tables[-1] is None:
            tables.pop()
            if not roster_path or not os.path.exists(roster_path):
                continue
            try:
                roster, _, meta = read_roster_arrow(roster_path, filename=roster_name)
            except RosterError:
                continue
            if result_dir and os.path.isdir(result_dir):
                engine_roster_write(result_dir, roster, meta.resident_id_column)
            tables.append(roster.append_column("resident_id_column", pa.array(
                [meta.resident_id_column] * roster.num_rows, pa.bool_())))
        owners.append(job_id)
    return tables, owners


def _rows_of(jobs: list[tuple]) -> pa.Table:
    """:data:`SCHEMA` rows of the new ``jobs``: their engine rosters joined to their results' keys on
    ``(job, row)``, and the fallback rows of the jobs without a roster."""
    if not jobs:
        return SCHEMA.empty_table()
    keys = _keys([j[0] for j in jobs])
    ids, stamps = pa.array([j[0] for j in jobs], pa.int64()), pa.array([j[1] for j in jobs], pa.int64())
    tables, owners = _roster_rows(jobs)
    parts = []
    key_of = pc.add(pc.multiply(keys.column("job_id"), 1 << 32), keys.column("row")).combine_chunks()
    if tables:
        names = [*ARROW_SCHEMA.names, "resident_id_column"]
        rows = pa.concat_tables([t.select(names) for t in tables]).combine_chunks()
        job_ids = pa.array(np.repeat(np.array(owners, np.int64), [t.num_rows for t in tables]))
        at = pc.index_in(pc.add(pc.multiply(job_ids, 1 << 32), rows.column("row")), value_set=key_of)
        columns = {"job_id": job_ids, "job_stamp": pc.take(stamps, pc.index_in(job_ids, value_set=ids)),
                   **{n: rows.column(n) for n in rows.column_names}}
        for name in ("pk", "key_number", "key_name", "unsure"):
            columns[name] = pc.take(keys.column(name), at)
        columns["fallback"] = pa.array(np.zeros(rows.num_rows, bool))
        parts.append(pa.table(columns))
    # a result without its roster row (the job has neither engine roster nor roster file — retention — or an
    # unreadable one): rebuilt from the stored result when screened
    found = pc.add(pc.multiply(job_ids, 1 << 32), rows.column("row")) if tables else pa.array([], pa.int64())
    lost = keys.filter(pc.invert(pc.is_in(key_of, value_set=found)))
    if lost.num_rows:
        n = lost.num_rows
        empty = pa.array([""] * n, pa.string())
        columns = {"job_id": lost.column("job_id"),
                   "job_stamp": pc.take(stamps, pc.index_in(lost.column("job_id"), value_set=ids)),
                   **{f.name: (lost.column("row") if f.name == "row" else
                               pa.nulls(n, f.type) if f.name == "duplicate_of" else empty) for f in ARROW_SCHEMA},
                   "resident_id_column": pa.array(np.zeros(n, bool)),
                   **{name: lost.column(name) for name in ("pk", "key_number", "key_name", "unsure")},
                   "fallback": pa.array(np.ones(n, bool))}
        parts.append(pa.table(columns))
    return pa.concat_tables([p.cast(SCHEMA) for p in parts]) if parts else SCHEMA.empty_table()


def sync(*, add: bool = True) -> pa.Table:
    """Make the table agree with PostgreSQL's latest, unpurged jobs (module docstring) and return it: the rows
    of the other jobs dropped, those of the new ones added (unless ``add`` is false: the retention purge only
    drops). Written only when something changed."""
    with _locked():
        table = load()
        jobs = _current_jobs()
        current = {(j[0], j[1]) for j in jobs}
        pairs = table.select(["job_id", "job_stamp"]).group_by(["job_id", "job_stamp"]).aggregate([])
        have = set(zip(pairs.column("job_id").to_pylist(), pairs.column("job_stamp").to_pylist(), strict=True))
        stale = [job_id for job_id, stamp in have if (job_id, stamp) not in current]
        dropped = bool(stale)
        keep = pc.invert(pc.is_in(table.column("job_id"), value_set=pa.array(stale, pa.int64()))) if stale else None
        new = [j for j in jobs if (j[0], j[1]) not in have] if add else []
        if not dropped and not new:
            return table
        kept = table.filter(keep) if dropped else table
        out = pa.concat_tables([kept, _rows_of(new)]).combine_chunks() if new else kept.combine_chunks()
        _write(out)
        return out


def current() -> pa.Table:
    """The table in step with the jobs (:func:`sync`)."""
    return sync()
