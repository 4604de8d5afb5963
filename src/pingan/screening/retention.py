"""Retention limits: delete the personal data that pingan no longer needs, on a schedule.

Legal basis:

* 《个人信息保护法》 (PIPL) Art. 19: unless a law or administrative regulation says otherwise, personal
  information is kept for the shortest time necessary for the purpose of the processing.
* PIPL Art. 47 (1) items 1 and 2: the handler deletes personal information on its own initiative when the
  purpose has been achieved, or when the retention period has expired.
* 《网络安全法》 (Cybersecurity Law) Art. 21 (3): network operators keep the relevant network logs for no
  less than six months. The audit trail is such a log; it is **not** purged here (see below).

What one run of :func:`retention_purge` deletes:

1. **Screening jobs** (the submitter's roster and what pingan derived from it): every job that finished
   (``done`` or ``failed``) more than ``PINGAN_RETENTION_JOB_DAYS`` days ago by the wall clock and is not
   yet purged loses its :class:`~pingan.screening.models.PersonResult` and
   :class:`~pingan.screening.models.Hit` rows, its stored roster file (``roster_path``) and its result files
   (``result_dir``); ``purged_at`` is set. The job row stays with its aggregate ``counts`` and ``stats``
   (numbers, no one named), so statistics and the provenance of safety codes (``SafetyCode.job``) survive.
   Queued and running jobs are never touched. Their rows leave the re-evaluation's engine-roster table
   (:mod:`pingan.screening.rostertable`) once the jobs are purged.
2. **Superseded movement datasets** (personal travel records): the Parquet file and the rejections file of
   every inactive movements :class:`~pingan.screening.models.RiskDataset` imported more than
   ``PINGAN_RETENTION_JOB_DAYS`` days ago are deleted and ``purged_at`` is set; the row stays as the record
   of the import.
3. **Old movement records** in the active movement datasets: records whose ``end`` lies more than
   ``PINGAN_RETENTION_MOVEMENT_DAYS`` days before the *screening clock* (``PINGAN_SCREENING_AS_OF`` when
   set, else now — the clock screening itself uses) are removed by rewriting the Parquet file with DuckDB
   (a temporary file in the same directory, then an atomic rename) and the dataset's ``rows`` and
   ``sha256`` are updated. The kept records keep their ``record_id``, so hits stay traceable.

What is kept, and why:

* risk-area listings (public lists of places, no persons) and watchlists (sanctions and bureau lists, not
  the personal data of pingan's users; a re-import replaces them);
* the audit trail: the Cybersecurity Law Art. 21 asks for at least six months of logs, PIPL Art. 47 (2)
  allows keeping what another law requires (only stored and protected, no other processing), and the
  records are hash-chained (:mod:`pingan.core.audit`), so deleting one would break the chain;
* safety codes: signed statements about a premises (its level and head count), not about persons; they are
  needed to verify and revoke the codes in circulation.

Every run that is not a dry run writes exactly one audit record (actor: the system, action
``retention_purge``) with the counts per category and the ids of the jobs and datasets purged. A second run
finds nothing left to purge: it is idempotent.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from pingan.core import audit
from pingan.core.errors import Gone
from pingan.lib.duck import sql_str
from pingan.screening import rostertable
from pingan.screening.models import Hit, OffRoster, PersonResult, RiskDataset, ScreeningJob

#: The audit action of a purge run.
AUDIT_ACTION = "retention_purge"


class RetentionError(RuntimeError):
    """Something could not be deleted (a file outside the data directory, a rewrite that lost rows).

    The message names the job or dataset and the path; that item is left as it was, the others go on.
    """


@dataclass(frozen=True)
class Cutoffs:
    """The instants of one purge run (timezone-aware).

    ``now`` is the wall clock (job and dataset ages); ``screening_clock`` is the time screening runs as of
    (movement record ages). ``jobs``: a job that finished before it is due; ``datasets``: a superseded
    dataset imported before it is due; ``movements``: a record that ended before it is removed.
    """

    job_days: int
    movement_days: int
    now: dt.datetime
    screening_clock: dt.datetime

    @property
    def jobs(self) -> dt.datetime:
        return self.now - dt.timedelta(days=self.job_days)

    @property
    def datasets(self) -> dt.datetime:
        return self.jobs

    @property
    def movements(self) -> dt.datetime:
        return self.screening_clock - dt.timedelta(days=self.movement_days)


def cutoffs(*, now: dt.datetime | None = None, screening_clock: dt.datetime | None = None,
            job_days: int | None = None, movement_days: int | None = None) -> Cutoffs:
    """The cut-offs from the settings (``PINGAN_RETENTION_JOB_DAYS``, ``PINGAN_RETENTION_MOVEMENT_DAYS``,
    ``PINGAN_SCREENING_AS_OF``) and the clocks, each overridable. Raises ``ValueError`` for a period below
    one day or a naive datetime."""
    from pingan.screening.services import _as_of  # the screening clock, as jobs use it

    job_days = settings.PINGAN["RETENTION_JOB_DAYS"] if job_days is None else job_days
    movement_days = settings.PINGAN["RETENTION_MOVEMENT_DAYS"] if movement_days is None else movement_days
    for name, days in (("job_days", job_days), ("movement_days", movement_days)):
        if days < 1:
            raise ValueError(f"{name}={days}: a retention period is at least 1 day")
    now = timezone.now() if now is None else now
    clock = _as_of(None) if screening_clock is None else screening_clock
    if timezone.is_naive(now) or timezone.is_naive(clock):
        raise ValueError("the clocks of a retention run must be timezone-aware")
    return Cutoffs(job_days=job_days, movement_days=movement_days, now=now, screening_clock=clock)


@dataclass
class PurgeReport:
    """What one run purged (or, for a dry run, would purge).

    ``jobs`` and ``datasets`` are the ids purged; ``movement_records`` maps an active dataset's id to the
    records removed from it; ``*_files`` count files deleted; ``errors`` name what could not be purged
    (left unchanged). ``audit_seq`` is the sequence number of the run's audit record (``None`` for a dry
    run).
    """

    dry_run: bool
    cutoffs: Cutoffs
    jobs: list[int] = field(default_factory=list)
    person_results: int = 0
    hits: int = 0
    job_files: int = 0
    datasets: list[int] = field(default_factory=list)
    dataset_files: int = 0
    movement_records: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    audit_seq: int | None = None

    def counts(self) -> dict[str, int]:
        """The counts per category (what the audit record and the task return)."""
        return {
            "jobs": len(self.jobs), "person_results": self.person_results, "hits": self.hits,
            "job_files": self.job_files, "movement_datasets": len(self.datasets),
            "movement_dataset_files": self.dataset_files,
            "movement_records": sum(self.movement_records.values()),
            "errors": len(self.errors),
        }

    def audit_detail(self) -> dict:
        """The audit record's ``detail``: counts, the cut-offs and periods, and which ids were purged."""
        c = self.cutoffs
        return {
            "counts": self.counts(),
            "job_days": c.job_days, "movement_days": c.movement_days,
            "jobs_finished_before": c.jobs.isoformat(), "datasets_imported_before": c.datasets.isoformat(),
            "movements_ended_before": c.movements.isoformat(),
            "job_ids": self.jobs, "dataset_ids": self.datasets,
            "movement_records_by_dataset": {str(k): v for k, v in self.movement_records.items()},
            "errors": self.errors,
        }


# ------------------------------------------------------------------------------------------- files


def _deletable(path: Path) -> Path:
    """``path`` resolved, if pingan may delete it: inside one of the data directory's folders (``rosters/``,
    ``results/``, ``risk/`` …, never a folder of the data directory itself, nor the data directory) and
    neither in nor above the signing-key directory. A stored path is never trusted further than that.

    Raises :class:`RetentionError` otherwise.
    """
    resolved = path.resolve()
    root = Path(settings.DATA_DIR).resolve()
    keys = Path(settings.PINGAN["KEY_DIR"]).resolve()
    if not resolved.is_relative_to(root) or len(resolved.relative_to(root).parts) < 2:
        raise RetentionError(f"{path} is not inside a folder of pingan's data directory {root}; not deleting it")
    if resolved.is_relative_to(keys) or keys.is_relative_to(resolved):
        raise RetentionError(f"{path} holds the signing keys; not deleting it")
    return resolved


def _files_under(path: Path) -> list[Path]:
    """The files at ``path``: itself if a file, every file below it if a directory, none if missing.

    Raises :class:`RetentionError` for an existing path that :func:`_deletable` refuses.
    """
    if not path.exists():
        return []
    resolved = _deletable(path)
    if resolved.is_dir():
        return [p for p in resolved.rglob("*") if p.is_file()]
    return [resolved]


def _delete(path: Path) -> int:
    """Delete the file or directory tree ``path`` (checked by :func:`_deletable`); returns the files deleted."""
    if not path.exists():
        return 0
    files = _files_under(path)
    target = _deletable(path)
    if target.is_dir():
        shutil.rmtree(target)
    else:
        target.unlink()
    return len(files)


def _paths(*raw: str) -> list[Path]:
    return [Path(p) for p in raw if p]


# ------------------------------------------------------------------------------------------- jobs


def jobs_due(cut: Cutoffs) -> QuerySet[ScreeningJob]:
    """Finished (done or failed), not yet purged jobs that finished before ``cut.jobs``, oldest first.

    A finished job without ``finished_at`` (rows written before it was always set) counts from its
    ``created_at``.
    """
    finished = [ScreeningJob.Status.DONE, ScreeningJob.Status.FAILED]
    old = Q(finished_at__lt=cut.jobs) | Q(finished_at__isnull=True, created_at__lt=cut.jobs)
    return ScreeningJob.objects.filter(old, status__in=finished, purged_at__isnull=True).order_by("pk")


@dataclass(frozen=True)
class JobPurge:
    """What purging one job removed (or would remove): rows and files."""

    person_results: int
    hits: int
    files: int


def screening_job_purge(*, job_id: int, now: dt.datetime, dry_run: bool = False) -> JobPurge:
    """Delete job ``job_id``'s person data: its hits and per-row results, its roster file and its result files;
    set ``purged_at = now``. The job row, its ``counts`` and its ``stats`` stay.

    In one transaction with the job row locked, re-checked as finished and not purged (a concurrent run
    purges it once). Files go before the commit: if a deletion fails the rows stay and the next run tries
    again; a file already gone counts as deleted. ``dry_run`` counts and changes nothing. Raises
    :class:`RetentionError` for a stored path outside the data directory, and ``ValueError`` for a job that
    is queued, running or already purged.
    """
    with transaction.atomic():
        locked = ScreeningJob.objects.select_for_update().get(pk=job_id)
        if locked.status not in (ScreeningJob.Status.DONE, ScreeningJob.Status.FAILED) or locked.purged_at:
            raise ValueError(f"job {job_id} is {locked.status}{', purged' if locked.purged_at else ''}: "
                             "only finished, unpurged jobs are purged")
        paths = _paths(locked.roster_path, locked.result_dir)
        if dry_run:
            return JobPurge(person_results=PersonResult.objects.filter(job=locked).count(),
                            hits=Hit.objects.filter(job=locked).count(),
                            files=sum(len(_files_under(p)) for p in paths))
        for p in paths:
            _files_under(p)  # refuse before deleting anything
        hits = Hit.objects.filter(job=locked).delete()[0]  # a fast delete: nothing refers to hits
        # One DELETE statement: Django's cascading delete() would load every row first (a job may have a
        # million), and the hits that refer to these rows are gone already.
        rows = PersonResult.objects.filter(job=locked)
        # a flagged person no longer on the roster is listed from this row until retention ends: it ends now
        OffRoster.objects.filter(person__job=locked).delete()
        persons = rows._raw_delete(rows.db)
        files = sum(_delete(p) for p in paths)
        locked.purged_at = now
        locked.save(update_fields=["purged_at"])
    return JobPurge(person_results=persons, hits=hits, files=files)


def job_person_data_check(job: ScreeningJob) -> None:
    """Raise :class:`~pingan.core.errors.Gone` (``purged``, HTTP 410) when ``job``'s person data was deleted
    under the retention policy; pages and the API call it before reading a job's rows or files."""
    if job.purged_at is not None:
        date = timezone.localdate(job.purged_at).isoformat()
        raise Gone(f"the person data of screening job {job.pk} was deleted on {date} under the retention "
                   f"policy (PIPL Art. 47); only its counts are kept", code="purged",
                   params={"job": job.pk, "date": date}, extra={"purged_at": job.purged_at.isoformat()})


# ------------------------------------------------------------------------------------------- movements


def superseded_movements_due(cut: Cutoffs) -> QuerySet[RiskDataset]:
    """Inactive, not yet purged movement datasets imported before ``cut.datasets``, oldest first."""
    return RiskDataset.objects.filter(kind=RiskDataset.Kind.MOVEMENTS, active=False, purged_at__isnull=True,
                                      imported_at__lt=cut.datasets).order_by("pk")


def risk_dataset_purge(*, dataset_id: int, now: dt.datetime, dry_run: bool = False) -> int:
    """Delete a superseded movement dataset's Parquet file and rejections file and set ``purged_at``;
    returns the files deleted (or, for ``dry_run``, that would be).

    Raises ``ValueError`` for an active, already purged or non-movements dataset (an active one is pruned by
    :func:`movement_records_prune` instead), and :class:`RetentionError` for a path outside the data
    directory.
    """
    with transaction.atomic():
        ds = RiskDataset.objects.select_for_update().get(pk=dataset_id)
        if ds.kind != RiskDataset.Kind.MOVEMENTS or ds.active or ds.purged_at:
            raise ValueError(f"dataset {ds.pk} is not a superseded, unpurged movements dataset")
        paths = _paths(ds.path, ds.rejections_path)
        if dry_run:
            return sum(len(_files_under(p)) for p in paths)
        for p in paths:
            _files_under(p)
        files = sum(_delete(p) for p in paths)
        ds.purged_at = now
        ds.save(update_fields=["purged_at"])
    return files


def active_movements() -> QuerySet[RiskDataset]:
    """The active movement datasets (those screening reads), oldest first."""
    return RiskDataset.objects.filter(kind=RiskDataset.Kind.MOVEMENTS, active=True,
                                      purged_at__isnull=True).order_by("pk")


def _connect():
    from pingan.lib import duck
    from pingan.screening.services import _data_dir

    con = duck.connect(memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"],
                       threads=settings.PINGAN["DUCKDB_THREADS"], temp_directory=str(_data_dir("tmp")))
    # the rewrite keeps the records in file order (record_id order, as the import wrote them)
    con.execute("SET preserve_insertion_order = true")
    return con


def movement_records_prune(*, dataset: RiskDataset, before: dt.datetime, dry_run: bool = False) -> int:
    """Remove from an active movement dataset's Parquet file every record whose ``end`` is before
    ``before``; returns how many were (or, for ``dry_run``, would be) removed.

    The column is ``end`` (TIMESTAMPTZ, :mod:`pingan.screening.riskdata.movements`); a record without one
    is kept. The kept records are written by DuckDB to a temporary file in the same directory, counted,
    synced and renamed over the original (atomic on POSIX: a reader sees the old or the new file, never a
    part), then ``rows`` and ``sha256`` are updated. Nothing is written when no record is due. Raises
    :class:`RetentionError` when the rewritten file does not hold the expected count (the original is
    kept) or for a file outside the data directory's folders, ``ValueError`` for a dataset that is not
    active movements, and ``FileNotFoundError`` when its file is missing.
    """
    from pingan.screening.services import _sha256_file

    if dataset.kind != RiskDataset.Kind.MOVEMENTS or not dataset.active:
        raise ValueError(f"dataset {dataset.pk} is not an active movements dataset")
    path = Path(dataset.path)
    if not path.is_file():
        raise FileNotFoundError(f"movement dataset {dataset.pk}: its file {path} is missing")
    path = _deletable(path)  # rewritten in place only inside the data directory
    src = f"read_parquet({sql_str(str(path))})"
    due = f'"end" < TIMESTAMPTZ {sql_str(before.isoformat())}'
    con = _connect()
    try:
        old, total = con.execute(f"SELECT count(*) FILTER (WHERE {due}), count(*) FROM {src}").fetchone()  # noqa: S608 - quoted path and timestamp
        if old == 0 or dry_run:
            return int(old)
        tmp = path.with_name(f".{path.stem}-retention-{uuid.uuid4().hex}.parquet")
        try:
            con.execute(f"COPY (SELECT * FROM {src} WHERE NOT coalesce({due}, false)) TO {sql_str(str(tmp))} "  # noqa: S608
                        "(FORMAT parquet, COMPRESSION zstd)")
            kept = con.execute(f"SELECT count(*) FROM read_parquet({sql_str(str(tmp))})").fetchone()[0]  # noqa: S608
            if kept != total - old:
                raise RetentionError(f"movement dataset {dataset.pk}: the rewrite of {path} holds {kept} records, "
                                     f"expected {total - old}; the original is kept")
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            with transaction.atomic():
                ds = RiskDataset.objects.select_for_update().get(pk=dataset.pk)
                os.replace(tmp, path)
                ds.rows, ds.sha256 = kept, _sha256_file(path)
                ds.save(update_fields=["rows", "sha256"])
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        con.close()
    dataset.rows, dataset.sha256 = ds.rows, ds.sha256
    return int(old)


# ------------------------------------------------------------------------------------------- the run


def retention_purge(*, dry_run: bool = False, cut: Cutoffs | None = None) -> PurgeReport:
    """Apply the retention policy once: jobs, superseded movement datasets, old movement records.

    ``cut`` defaults to :func:`cutoffs` from the settings and the clocks. Each job and dataset is purged in
    its own transaction, so a failure leaves that item as it was (named in ``errors``) and the others go
    on. Unless ``dry_run``, writes one audit record (actor ``None`` = the system, action
    ``retention_purge``, object ``Retention``) with :meth:`PurgeReport.audit_detail`; a dry run writes
    nothing at all. Returns the :class:`PurgeReport`.
    """
    cut = cut or cutoffs()
    report = PurgeReport(dry_run=dry_run, cutoffs=cut)
    # Each item on its own: a failure is reported with what it was, the run goes on, and the audit record
    # still says what was deleted.
    for job_id in list(jobs_due(cut).values_list("pk", flat=True)):
        try:
            done = screening_job_purge(job_id=job_id, now=cut.now, dry_run=dry_run)
        except Exception as exc:  # reported in errors and by the exit status of the command and task
            report.errors.append(f"job {job_id}: {type(exc).__name__}: {exc}")
            continue
        report.jobs.append(job_id)
        report.person_results += done.person_results
        report.hits += done.hits
        report.job_files += done.files
    if report.jobs and not dry_run:
        # their people leave the re-evaluation's engine-roster table now, not at the next re-evaluation
        try:
            rostertable.sync(add=False)
        except Exception as exc:  # as above: the next re-evaluation drops them before it reads anything
            report.errors.append(f"engine-roster table: {type(exc).__name__}: {exc}")
    for ds_id in list(superseded_movements_due(cut).values_list("pk", flat=True)):
        try:
            report.dataset_files += risk_dataset_purge(dataset_id=ds_id, now=cut.now, dry_run=dry_run)
        except Exception as exc:  # as above
            report.errors.append(f"dataset {ds_id}: {type(exc).__name__}: {exc}")
            continue
        report.datasets.append(ds_id)
    for ds in active_movements():
        try:
            removed = movement_records_prune(dataset=ds, before=cut.movements, dry_run=dry_run)
        except Exception as exc:  # as above
            report.errors.append(f"dataset {ds.pk}: {type(exc).__name__}: {exc}")
            continue
        if removed:
            report.movement_records[ds.pk] = removed
    if not dry_run:
        report.audit_seq = audit.record(None, AUDIT_ACTION, "Retention", "", detail=report.audit_detail()).seq
    return report
