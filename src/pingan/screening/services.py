"""Screening services: import risk data, run a screening job, store its results.

The heavy lifting is in framework-free modules (``roster``, ``riskdata``, ``batch``, ``rules``, ``output``);
these services own the database rows and the files in the data directory, and write the audit trail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import os
import re
import time
import unicodedata
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from pingan.core import audit, jobs
from pingan.core.copystore import copy_insert, int_array
from pingan.core.errors import TEXT_LIMIT, Conflict, DomainError, required_text
from pingan.core.models import Premises, Role, User
from pingan.core.services import premises_removed
from pingan.lib.redact import normalise_number
from pingan.screening import batch, match_reasons, rules
from pingan.screening.hooks import LATEST_JOB_HOOKS, OFF_ROSTER_RESOLVED_HOOKS  # the apps built on screening hook in
from pingan.screening.models import (
    COUNT_KEYS,
    NUMBER_TO_FIX,
    PHONE_TO_FIX,
    Hit,
    OffRoster,
    PersonResult,
    RiskDataset,
    ScreeningJob,
    fix_reason,
)
from pingan.screening.riskdata.watchlists import shown_names

log = logging.getLogger(__name__)

#: ``progress(stage, percent, running)``: ``running`` what the job page says of the stage (``rows``, ``stored``,
#: ``total``; ``stats["running"]``)
Progress = Callable[[str, int, dict[str, int]], None]


def _data_dir(*parts: str) -> Path:
    """A folder of the data directory, created if missing; it and the folders made for it are 0700 (they
    hold rosters, results and risk data: ID numbers), whatever the umask."""
    base = Path(settings.DATA_DIR)
    path = base.joinpath(*parts)
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    for i in range(1, len(parts) + 1):
        d = base.joinpath(*parts[:i])
        if d.stat().st_mode & 0o077:
            d.chmod(0o700)
    return path


def _write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to a new file readable by the service account only (0600, whatever the umask)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(data)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ------------------------------------------------------------------------------------------- risk data


@transaction.atomic
def risk_dataset_store(*, kind: str, name: str, source: str, table: pa.Table | None = None,
                       written: Path | None = None, rejections: pa.Table | None = None,
                       actor: User | None = None, meta: dict[str, Any] | None = None,
                       replace: bool = True) -> RiskDataset:
    """Keep a dataset as a Parquet file in the data directory and record it as a :class:`RiskDataset`.

    Give either ``table`` (written here) or ``written``, a Parquet file already written into the data
    directory's ``risk/`` folder (renamed here; for tables too large for memory). ``replace`` deactivates the
    earlier datasets of the same kind and name (a re-import supersedes them). Rejected rows (file, row,
    column, code, message) are kept beside it, never dropped.
    """
    if kind not in RiskDataset.Kind.values:
        raise DomainError(f"unknown risk dataset kind {kind!r}", code="bad_kind")
    if (table is None) == (written is None):
        raise ValueError("give exactly one of table and written")
    rows = table.num_rows if table is not None else pq.ParquetFile(written).metadata.num_rows
    rejected_rows = 0
    if rejections is not None and rejections.num_rows:
        # a row with several problems has several rejection records: count rows
        # (by file and row: OFAC's sdn.csv and alt.csv both have a line 3)
        where = [c for c in ("file", "row") if c in rejections.column_names]
        rejected_rows = len(set(zip(*(rejections.column(c).to_pylist() for c in where), strict=True))) if where \
            else rejections.num_rows
    ds = RiskDataset.objects.create(kind=kind, name=name, source=source, path="", rows=rows,
                                    rejected_rows=rejected_rows,
                                    imported_by=actor, meta=meta or {})
    directory = _data_dir("risk")
    path = directory / f"{kind}-{ds.pk}.parquet"
    if table is not None:
        pq.write_table(table, path, compression="zstd")
    else:
        Path(written).replace(path)
    _private([path])
    ds.path, ds.sha256 = str(path), _sha256_file(path)
    fields = ["path", "sha256"]
    if rejections is not None and rejections.num_rows:
        rpath = directory / f"{kind}-{ds.pk}-rejected.parquet"
        pq.write_table(rejections, rpath, compression="zstd")
        _private([rpath])
        ds.rejections_path = str(rpath)
        fields.append("rejections_path")
    ds.save(update_fields=fields)
    if replace:
        RiskDataset.objects.filter(kind=kind, name=name, active=True).exclude(pk=ds.pk).update(active=False)
    audit.record(actor, "import", "RiskDataset", ds.pk, detail={"kind": kind, "name": name, "rows": ds.rows})
    if settings.PINGAN.get("REEVALUATE_AFTER_IMPORT", True):
        # continuous re-screening: the people of the latest screenings that this data can change
        # (pingan.screening.reevaluate), as a task once the import is committed
        transaction.on_commit(lambda: _enqueue_reevaluation(ds.pk))
    return ds


def _enqueue_reevaluation(dataset_id: int) -> None:
    from pingan.screening.tasks import reevaluation_task

    reevaluation_task.enqueue(dataset_id)


def active_listings() -> RiskDataset | None:
    """The risk-area listings screening uses: the newest active listings dataset."""
    return RiskDataset.objects.filter(kind=RiskDataset.Kind.LISTINGS, active=True).first()


def active_paths(kind: str) -> list[str]:
    """Parquet paths of every active dataset of ``kind``, oldest first."""
    return [d.path for d in RiskDataset.objects.filter(kind=kind, active=True).order_by("imported_at", "id")]


def active_watchlist() -> pa.Table | None:
    """All active watchlists concatenated (their schemas are the same), or ``None`` when there are none."""
    paths = active_paths(RiskDataset.Kind.WATCHLIST)
    if not paths:
        return None
    tables = [pq.read_table(p) for p in paths]
    return pa.concat_tables(tables, promote_options="default")


# ------------------------------------------------------------------------------------------- screening


def _rejections_table(rejections) -> pa.Table:
    """Ingest rejections as the engine's ``rejected`` table, with what each row gave (name, ID, phone); the
    ``message`` is the English text the engine's own ``reason`` column carries (pages, downloads and the API
    say each row in its reader's language from the stored codes, :mod:`pingan.screening.reasons`)."""
    return pa.table({
        "row": pa.array([r.row for r in rejections], pa.int64()),
        "code": pa.array([r.code for r in rejections], pa.string()),
        "column": pa.array([r.column for r in rejections], pa.string()),
        "message": pa.array([r.text("en") for r in rejections], pa.string()),
        "name": pa.array([r.name for r in rejections], pa.string()),
        "id_number": pa.array([r.id_number for r in rejections], pa.string()),
        "phone": pa.array([r.phone for r in rejections], pa.string()),
    })


def _as_of(value: dt.datetime | dt.date | None) -> dt.datetime:
    if value is None:
        # PINGAN_SCREENING_AS_OF freezes the screening clock (a demonstration with historical risk data)
        frozen = settings.PINGAN.get("SCREENING_AS_OF")
        if not frozen:
            return timezone.now()
        value = dt.date.fromisoformat(frozen) if len(frozen) == 10 else dt.datetime.fromisoformat(frozen)
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else timezone.make_aware(value)
    # a date means the end of that day, local time: everything up to that day counts
    return timezone.make_aware(dt.datetime.combine(value, dt.time(23, 59, 59)))


@transaction.atomic
def screening_job_create(*, actor: User | None, roster_name: str, roster_bytes: bytes,
                         premises: Premises | None = None, as_of: dt.datetime | dt.date | None = None,
                         idempotency_key: str = "") -> ScreeningJob:
    """Record a submitted roster as a queued job and keep its bytes in the data directory.

    With an ``idempotency_key`` the same actor's repeated submission returns the first job (see
    :func:`screening_job_get_or_create`). Raises ``DomainError`` when the actor does not own the premises.
    """
    return screening_job_get_or_create(actor=actor, roster_name=roster_name, roster_bytes=roster_bytes,
                                       premises=premises, as_of=as_of, idempotency_key=idempotency_key)[0]


class IdempotencyKeyReused(DomainError):
    """An ``Idempotency-Key`` the submitter used before, sent with a different roster or premises (HTTP 422:
    the key names another request; cf. the IETF draft "The Idempotency-Key HTTP Header Field", §2.7)."""

    code = "idempotency_key_reused"
    status = 422


@transaction.atomic
def screening_job_get_or_create(*, actor: User | None, roster_name: str, roster_bytes: bytes,
                                premises: Premises | None = None, as_of: dt.datetime | dt.date | None = None,
                                idempotency_key: str = "") -> tuple[ScreeningJob, bool]:
    """:func:`screening_job_create`, returning ``(job, created)``.

    A keyed submission locks the submitter's account row until it commits, so parallel requests with one
    key take turns: the first creates the job, each later one finds it and gets it back (``created``
    false). The same key with a different roster (SHA-256) or premises raises
    :class:`IdempotencyKeyReused` rather than answering with a job for another file.
    """
    if premises is not None and actor is not None and actor.role in ("enterprise", "landlord") \
            and premises.owner_id != actor.pk:
        raise DomainError("you can only screen rosters for your own premises", code="not_your_premises")
    if premises is not None and premises.archived_at is not None:
        raise premises_removed(premises)
    if len(idempotency_key) > 100 or not idempotency_key.isprintable():
        raise DomainError("an Idempotency-Key is at most 100 printable characters", code="bad_idempotency_key")
    # a file name is the client's text: no control characters (a NUL reaches no database), no surrogates
    roster_name = "".join(c for c in roster_name if c.isprintable() and not "\ud800" <= c <= "\udfff") or "roster"
    digest = hashlib.sha256(roster_bytes).hexdigest()
    if idempotency_key and actor is not None:
        list(User.objects.select_for_update().filter(pk=actor.pk).values_list("pk"))
        existing = ScreeningJob.objects.filter(submitted_by=actor, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.roster_sha256 != digest or existing.premises_id != getattr(premises, "pk", None):
                raise IdempotencyKeyReused(
                    f"the Idempotency-Key {idempotency_key!r} was used for job {existing.pk} with another roster "
                    f"or premises; use a new key for a new submission", extra={"job_id": existing.pk},
                    params={"job": existing.pk})
            return existing, False
    job = ScreeningJob.objects.create(
        premises=premises, submitted_by=actor, roster_name=Path(roster_name).name[:255], roster_sha256=digest,
        as_of=_as_of(as_of), idempotency_key=idempotency_key)
    path = _data_dir("rosters") / f"job-{job.pk}{Path(roster_name).suffix.lower()[:8]}"
    _write_private(path, roster_bytes)
    job.roster_path = str(path)
    job.save(update_fields=["roster_path"])
    audit.record(actor, "submit", "ScreeningJob", job.pk, detail={"roster": job.roster_name, "sha256": digest})
    return job, True


def _set(job: ScreeningJob, **fields: Any) -> None:
    for k, v in fields.items():
        setattr(job, k, v)
    job.save(update_fields=list(fields))


@transaction.atomic
def _set_status(job: ScreeningJob, **fields: Any) -> None:
    """Save a status change of ``job`` and move its premises' latest-job pointer in the same transaction.

    The premises row is locked first, so two jobs of one premises finishing at once take turns: the second
    refresh sees the first one's committed ``done``. A job leaving ``done`` loses the mark in the same
    UPDATE (the ``latest_job_is_done`` check would refuse it otherwise).
    """
    if job.premises_id is not None:
        list(Premises.objects.select_for_update().filter(pk=job.premises_id).values_list("pk"))
    was_latest = job.is_latest
    if fields.get("status", job.status) != ScreeningJob.Status.DONE:
        fields["is_latest"] = False
    if fields.get("status") in (ScreeningJob.Status.DONE, ScreeningJob.Status.FAILED):
        fields.update(lease_owner="", lease_expires_at=None)  # finished: no worker holds it any more
    _set(job, **fields)
    if job.premises_id is not None:
        screening_job_latest_refresh(premises_ids=[job.premises_id])
        job.refresh_from_db(fields=["is_latest"])
        if job.is_latest != was_latest:
            for hook in LATEST_JOB_HOOKS:
                hook(job.premises_id, job.pk)



@transaction.atomic
def screening_job_latest_refresh(*, premises_ids: Collection[int] | None = None) -> int:
    """Point ``ScreeningJob.is_latest`` of each premises at its latest finished job; returns how many
    jobs were newly marked.

    "Latest finished job" is the premises' ``done`` job with the highest id — the roster submitted last
    among those that finished, so an older roster finishing late, or a job that failed, never replaces a
    newer result. ``premises_ids`` limits the refresh to those premises (``None``: every premises, as
    the back-fill of rows bulk-created outside :func:`screening_job_run` needs). The premises rows are
    locked for the transaction, as :func:`screening_job_run` does when it finishes a job. Two UPDATEs
    (clear the marks that moved, then set the new ones), so the partial unique index
    ``one_latest_job_per_premises`` holds at every step.
    """
    locked = Premises.objects.select_for_update().order_by("pk")
    if premises_ids is not None:
        locked = locked.filter(pk__in=list(premises_ids))
    list(locked.values_list("pk"))
    jobs = ScreeningJob.objects.filter(premises__isnull=False)
    if premises_ids is not None:
        jobs = jobs.filter(premises_id__in=list(premises_ids))
    newer = ScreeningJob.objects.filter(premises=OuterRef("premises"), status=ScreeningJob.Status.DONE,
                                        pk__gt=OuterRef("pk"))
    latest = jobs.filter(status=ScreeningJob.Status.DONE).exclude(Exists(newer)).values("pk")
    moved = set(jobs.filter(is_latest=True).exclude(pk__in=latest).values_list("premises_id", flat=True))
    moved |= set(jobs.filter(pk__in=latest, is_latest=False).values_list("premises_id", flat=True))
    jobs.filter(is_latest=True).exclude(pk__in=latest).update(is_latest=False)
    marked = jobs.filter(pk__in=latest, is_latest=False).update(is_latest=True)
    if len(moved) == 1:  # a job finished: its premises alone
        off_roster_refresh(premises_id=moved.pop())
    elif moved and connection.vendor == "postgresql":  # a back-fill, a bulk build: a few statements for all
        off_roster_refresh_many(premises_ids=moved)
    else:  # the embedded SQLite default (a laptop's few premises): one at a time, the same rows
        for premises_id in sorted(moved):
            off_roster_refresh(premises_id=premises_id)
    return marked


# ---------------------------------------------------------------- flagged people no longer on the roster


def flagged_rows() -> Q:
    """The rows the police list as flagged: accepted, and red, yellow or a watchlist hit (silent ones too)."""
    return (Q(level__in=["red", "yellow"]) | Q(silent_hit=True)) & Q(status="accepted")


def owner_flagged(prefix: str = "") -> Q:
    """The screened rows the owner's own results show as not green: screened without a level (unresolved),
    yellow or red — what the owner's pages count when a roster leaves people out. A row not screened (rejected, or
    cut off where the file ended) is none of them: it was never a screened person, so a roster without it leaves
    nobody out (a fresh-user trial: the police were asked to confirm that rejected rows "left"). A green row with a
    silent watchlist hit is not among them either: a watchlist hit is never disclosed to the submitter. ``prefix``
    (``"person__"``) applies it through a relation."""
    return Q(**{f"{prefix}status": "accepted"}) & ~Q(**{f"{prefix}level": "green"})


def left_out_listed() -> Q:
    """The rows of an earlier roster the police keep listing when a later roster leaves them out
    (:class:`~pingan.screening.models.OffRoster`): every screened row the owner was told was not green
    (:func:`owner_flagged`: unresolved, yellow, red) and every watchlist hit (silent ones too) — each person the
    owner's count of people left out names, and the watchlist hits besides. Rows not screened are not people who
    left (docs/screening.md "Flagged people no longer on the roster")."""
    return owner_flagged() | Q(silent_hit=True, status="accepted")


def off_roster_open(premises) -> QuerySet[OffRoster]:
    """The premises' (a :class:`Premises` or its id) open :class:`~pingan.screening.models.OffRoster` records:
    everyone no longer on its latest roster whom the police still list (:func:`left_out_listed`), until they
    confirm the people left. For the services' decisions (ids, counts), here and in the codes app: no person
    data is read here, so no actor and no audit record."""
    return OffRoster.objects.filter(premises=premises, status=OffRoster.Status.OPEN)


#: What :func:`present_on` reads of an earlier roster's row, in its order (``values_list`` of a
#: :class:`PersonResult`, or with ``person__`` of an :class:`OffRoster`).
PRESENCE_FIELDS = ("id_number", "given_id_number", "corrected_id_number", "name", "phone", "status", "level",
                   "identity_status")


@dataclass(slots=True)
class RosterPresence:
    """Who is on a roster, as :func:`present_on` asks: ``ids`` the document numbers (normalised, as given and as
    corrected) of its *screened* rows — a row not screened accounts for nobody; the numbers and the phone of each
    screened row under its compared name (:func:`name_compared`) are read from ``job_id``'s rows the first time a
    row needs them (:meth:`named`)."""

    ids: set[str]
    job_id: int | None = None
    by_name: dict[str, list[tuple[set[str], str]]] | None = None

    def named(self, name: str) -> list[tuple[set[str], str]]:
        """``(numbers, phone)`` (:func:`number_compared`, :func:`phone_compared`) of each screened row of the
        roster whose compared name is ``name``'s; ``[]`` when no row has that name."""
        if self.by_name is None:
            self.by_name = {}
            rows = PersonResult.objects.filter(job_id=self.job_id, status="accepted").values_list(
                "id_number", "given_id_number", "corrected_id_number", "name", "phone")
            for id_number, given, corrected, row_name, phone in rows.iterator(chunk_size=5000):
                self.by_name.setdefault(name_compared(row_name), []).append(
                    ({number_compared(x) for x in (id_number, given, corrected) if x}, phone_compared(phone)))
        return self.by_name.get(name_compared(name), [])


def roster_presence(job: ScreeningJob) -> RosterPresence:
    """The document numbers (normalised, as given and as corrected) of ``job``'s screened rows."""
    ids: set[str] = set()
    for numbers in PersonResult.objects.filter(job=job, status="accepted").values_list(
            "id_number", "given_id_number", "corrected_id_number").iterator(chunk_size=5000):
        ids.update(x for x in numbers if x)
    return RosterPresence(ids, job.pk)


def person_key(id_number: str, given: str, name: str, phone: str = "") -> str:
    """One person across rosters: the normalised document number, else the number as given, else ``name:``, the
    name and the phone (the rule of docs/codes.md "A roster that drops people"): two namesakes without a number
    are two people unless their phones agree."""
    number = id_number or given
    return number if number else f"name:{name}|{phone_compared(phone)}"


_WHITESPACE = re.compile(r"\s+")

#: The fewest leading characters a number Excel stored as a number must keep to be compared (an address code).
KEPT_CHARACTERS = 6


def name_compared(name: str) -> str:
    """A name as a row is looked for on a later roster: NFKC, whitespace removed, case-folded."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", name or "")).casefold()


def number_compared(number: str) -> str:
    """A document number as a row not screened is compared: :func:`pingan.lib.redact.normalise_number` (an
    Excel number in scientific or decimal notation becomes its digits, the lost ones zeros), upper case."""
    return normalise_number(number or "").upper()


def phone_compared(phone: str) -> str:
    """A phone as rows are compared: E.164 (:func:`pingan.lib.identity.phones.normalize_phone`: ``138-1234-5678``
    and ``+86 13812345678`` are one number), else its digits; ``""`` for none."""
    from pingan.lib.identity.phones import normalize_phone

    return normalize_phone(phone) or "".join(c for c in unicodedata.normalize("NFKC", phone or "") if c.isdigit())


def number_consistent(earlier: str, newer: str) -> bool:
    """Whether ``newer`` (a later roster's number) can be the number a row not screened tried to give
    (``earlier``), both :func:`number_compared` (docs/screening.md "Flagged people no longer on the roster"):

    * ``earlier`` blank, or of another length than ``newer`` (a truncated or padded cell, another document):
      nothing can be compared, the name decides — ``True``;
    * of the same length: ``earlier`` is ``newer`` as Excel stores a long number — its leading digits, at least
      :data:`KEPT_CHARACTERS` of them before the trailing zeros, within one unit of the last one kept (Excel
      rounds to 15 significant digits and the General format of a CSV to 6: ``1.10105E+17`` is
      ``110105000000000000``) — or the two differ in at most one character (a wrong check digit, one mistyped
      digit).
    """
    if not earlier or len(earlier) != len(newer):
        return True
    kept = len(earlier.rstrip("0"))
    if kept >= KEPT_CHARACTERS and earlier.isdigit() and newer.isdigit() \
            and abs(int(newer) - int(earlier)) < 10 ** (len(earlier) - kept):
        return True
    return sum(a != b for a, b in zip(earlier, newer, strict=True)) <= 1


def present_on(id_number: str, given: str, corrected: str, name: str, phone: str, status: str, level: str,
               identity_status: str, present: RosterPresence) -> bool:
    """Whether the person of an earlier roster's row (:data:`PRESENCE_FIELDS`) is on the roster ``present`` — what
    counts as "the same person is still on the roster" (docs/screening.md "Flagged people no longer on the
    roster"); only the later roster's screened rows count (a row of it not screened accounts for nobody):

    * a number of the row (normalised, as given, or as corrected by a movement record) among the roster's;
    * a row that gave **no number** (screened by its phone): a row of the same compared name (:func:`name_compared`)
      **and** the same phone (:func:`phone_compared`) — a namesake alone is someone else (a fresh-user trial: a
      flagged person without an ID number was cleared by listing another person of that name);
    * a row whose number could not be trusted — screened without a level, or with a number failing its check
      (``identity_status`` ``invalid``): a row of the same compared name with a number consistent with what it gave
      (:func:`number_consistent`: an ID Excel stored as a number, a wrong check digit, corrected as the page asked),
      or with no number and the same phone.
    Otherwise the person is left out, for the police to confirm."""
    if any(x and x in present.ids for x in (id_number, given, corrected)):
        return True
    numbered = bool(id_number or given)
    if not name_compared(name) or (numbered and status == "accepted" and level and identity_status != "invalid"):
        return False  # a number that was trusted is compared exactly; the roster's names are not read
    mine = phone_compared(phone)
    named = present.named(name)
    if any(mine and theirs == mine for _numbers, theirs in named):
        return True
    earlier = number_compared(id_number or given)
    return numbered and any(any(number_consistent(earlier, n) for n in numbers) for numbers, _phone in named if numbers)


def previous_screening(job: ScreeningJob) -> ScreeningJob | None:
    """The finished screening of ``job``'s premises submitted just before it (the one it replaces), or ``None``."""
    if job.premises_id is None:
        return None
    return (ScreeningJob.objects.filter(premises_id=job.premises_id, status=ScreeningJob.Status.DONE, pk__lt=job.pk)
            .order_by("-pk").first())


def left_out_rows(earlier: ScreeningJob, job: ScreeningJob, *, police: bool = False,
                  present: RosterPresence | None = None) -> list[tuple[int, int, str]]:
    """``(row, id, key)`` of the rows of ``earlier`` whose person is not on ``job``'s roster (:func:`present_on`):
    the screened rows the owner saw as not green (:func:`owner_flagged`: unresolved, yellow, red) — with
    ``police``, those the police keep listing (:func:`left_out_listed`: the watchlist hits too). Rows not screened
    are never among them. ``[]`` for the same job or one whose person data was deleted."""
    if earlier.pk == job.pk or earlier.purged_at is not None:
        return []
    rows = PersonResult.objects.filter(job=earlier).filter(left_out_listed() if police else owner_flagged())
    present = roster_presence(job) if present is None else present
    out = []
    for row, pk, *person in rows.values_list("row", "pk", *PRESENCE_FIELDS):
        if not present_on(*person, present):
            out.append((row, pk, _key(person)))
    return out


def _key(person) -> str:
    """:func:`person_key` of a row's :data:`PRESENCE_FIELDS`."""
    id_number, given, _corrected, name, phone, *_checked = person
    return person_key(id_number, given, name, phone)


@transaction.atomic
def off_roster_refresh(*, premises_id: int) -> dict[str, int]:
    """Bring the premises' :class:`~pingan.screening.models.OffRoster` rows in line with its latest screening;
    called by :func:`screening_job_latest_refresh` when that moves for this premises alone (a job finished;
    :func:`off_roster_refresh_many` for many at once). Returns ``added``, ``back``, ``dropped``.

    * open rows of a roster that is no longer a finished screening, or newer than the latest (a re-run failed
      and the latest mark moved back), are deleted (``dropped``);
    * open rows whose person is on the latest roster close as ``back`` (``back_job``): the latest screening
      lists them again;
    * every person of the screening just before the latest (:func:`previous_screening`) the police keep
      listing (:func:`left_out_listed`: unresolved, yellow, red, or a watchlist hit) whom the latest roster
      leaves out (:func:`present_on`) gets an open row (``added``) — the set accumulates over every roster,
      whichever screening the safety code was issued from. Rows not screened are not people who left.
    """
    now = timezone.now()
    open_rows = off_roster_open(premises_id)
    job = ScreeningJob.objects.filter(premises_id=premises_id, is_latest=True).first()
    stale = open_rows.exclude(since_job__status=ScreeningJob.Status.DONE)
    if job is not None:
        stale = stale | open_rows.filter(since_job_id__gt=job.pk)
    dropped = stale.delete()[0]
    if job is None or job.purged_at is not None:
        return {"added": 0, "back": 0, "dropped": dropped}
    present = roster_presence(job)
    back = [pk for pk, *person in open_rows.values_list("pk", *(f"person__{f}" for f in PRESENCE_FIELDS))
            if present_on(*person, present)]
    OffRoster.objects.filter(pk__in=back).update(status=OffRoster.Status.BACK, resolved_at=now, back_job=job)
    earlier = previous_screening(job)
    added = 0
    if earlier is not None:
        known = set(open_rows.values_list("key", flat=True))
        known |= set(OffRoster.objects.filter(premises_id=premises_id, since_job=job).values_list("key", flat=True))
        new = []
        for _row, pk, key in left_out_rows(earlier, job, police=True, present=present):
            if key not in known:
                known.add(key)
                new.append(OffRoster(premises_id=premises_id, person_id=pk, since_job=job, key=key))
        added = len(OffRoster.objects.bulk_create(new))
    return {"added": added, "back": len(back), "dropped": dropped}


def _rosters_present(job_ids: Collection[int]) -> dict[int, RosterPresence]:
    """:func:`roster_presence` of each of ``job_ids``, read in one statement."""
    present = {j: RosterPresence(set(), j) for j in job_ids}
    with connection.cursor() as cur:
        cur.execute("SELECT job_id, id_number, given_id_number, corrected_id_number "
                    "FROM screening_personresult WHERE job_id = ANY(%s::bigint[]) AND status = 'accepted'",
                    [int_array(present)])
        for job_id, *numbers in cur.fetchall():
            present[job_id].ids.update(x for x in numbers if x)
    return present


@transaction.atomic
def off_roster_refresh_many(*, premises_ids: Collection[int]) -> dict[str, int]:
    """:func:`off_roster_refresh` for many premises at once, with the same rows at the end (a test compares the
    two on the same data) and the totals of its counts: what :func:`screening_job_latest_refresh` calls when
    more than one premises' latest screening moved (a back-fill of every premises, a benchmark's city of 50,000
    premises, which one premises at a time — six statements or more each — did not build in 27 minutes).

    A fixed number of statements whatever the number of premises: the premises' jobs read in one (the latest
    and the one before it worked out from them), their open rows in one, the stale ones deleted in one and
    those back on the latest roster closed in one, the rows of each screening just before the latest that the
    police keep listing read in one, the keys already recorded in one, the new rows inserted in one. Whether a
    person is on a roster is decided by the same :func:`present_on` as one premises at a time, against the
    rosters concerned read in one statement — only those of premises where some open row or listed earlier row
    has to be compared (none in a city whose every premises has one screening). PostgreSQL only (arrays,
    ``unnest``): on SQLite :func:`screening_job_latest_refresh` calls :func:`off_roster_refresh` per premises."""
    ids = int_array(sorted(set(premises_ids)))
    now = timezone.now()
    with connection.cursor() as cur:
        # the premises' jobs, and from them each premises' latest finished one and the one finished just before
        # it — worked out here: every statement below reads one table by an array of ids, or joins by primary
        # key, so no plan can be quadratic in the premises (a sub-select per premises, then a join of the jobs
        # with themselves, were: on the tables of a bulk build, not yet analysed, PostgreSQL estimated tens of
        # jobs and compared 50,000 latest jobs with 50,000 others, for minutes)
        cur.execute("SELECT premises_id, id, status, is_latest, purged_at IS NOT NULL FROM screening_screeningjob "
                    "WHERE premises_id = ANY(%s::bigint[])", [ids])
        jobs = cur.fetchall()
        latest = {premises: (job, purged) for premises, job, _status, is_latest, purged in jobs if is_latest}
        earlier: dict[int, tuple[int, bool]] = {}
        for premises, job, status, _latest, purged in jobs:
            if status == ScreeningJob.Status.DONE and premises in latest and job < latest[premises][0] \
                    and job > earlier.get(premises, (0, False))[0]:
                earlier[premises] = (job, purged)
        # open rows of a roster that is no longer a finished screening, or newer than the latest, go; the others
        # of a premises whose latest screening still has its people are compared with it
        cur.execute("SELECT o.id, o.premises_id, o.since_job_id, s.status, p.id_number, p.given_id_number, "
                    "p.corrected_id_number, p.name, p.phone, p.status, p.level, p.identity_status "
                    "FROM screening_offroster o "
                    "JOIN screening_screeningjob s ON s.id = o.since_job_id "
                    "JOIN screening_personresult p ON p.id = o.person_id "
                    "WHERE o.premises_id = ANY(%s::bigint[]) AND o.status = 'open' ORDER BY o.id", [ids])
        stale, open_rows = [], []
        for pk, premises, since, since_status, *person in cur.fetchall():
            job, purged = latest.get(premises, (None, False))
            if since_status != ScreeningJob.Status.DONE or (job is not None and since > job):
                stale.append(pk)
            elif job is not None and not purged:
                open_rows.append((pk, job, person))
        dropped = 0
        if stale:
            cur.execute("DELETE FROM screening_offroster WHERE id = ANY(%s::bigint[])", [int_array(stale)])
            dropped = cur.rowcount
        # the rows the police keep listing (left_out_listed) of each latest screening's previous one
        pairs = {job: (premises, latest[premises][0]) for premises, (job, purged) in earlier.items()
                 if not purged and not latest[premises][1]}
        listed = []
        if pairs:
            cur.execute("SELECT job_id, id, id_number, given_id_number, corrected_id_number, name, phone, status, "
                        "level, identity_status FROM screening_personresult WHERE job_id = ANY(%s::bigint[]) "
                        "AND status = 'accepted' AND (level <> 'green' OR silent_hit) ORDER BY job_id, row",
                        [int_array(pairs)])
            listed = [(*pairs[job], *row) for job, *row in cur.fetchall()]
        present = _rosters_present({job for _, job, _ in open_rows} | {r[1] for r in listed})
        back = [(pk, job) for pk, job, person in open_rows if present_on(*person, present[job])]
        if back:
            cur.execute("UPDATE screening_offroster o SET status = 'back', resolved_at = %s, back_job_id = b.job "
                        "FROM unnest(%s::bigint[], %s::bigint[]) AS b(id, job) WHERE o.id = b.id",
                        [now, int_array(pk for pk, _ in back), int_array(job for _, job in back)])
        left_out = [(premises, job, pk, _key(person)) for premises, job, pk, *person in listed
                    if not present_on(*person, present[job])]
        if not left_out:
            return {"added": 0, "back": len(back), "dropped": dropped}
        # the keys already recorded: every open row of the premises, and every row since its latest screening
        concerned = {premises: job for premises, job, *_ in left_out}
        cur.execute("SELECT premises_id, key, status, since_job_id FROM screening_offroster "
                    "WHERE premises_id = ANY(%s::bigint[]) AND (status = 'open' OR since_job_id = ANY(%s::bigint[]))",
                    [int_array(concerned), int_array(concerned.values())])
        known = {(premises, key) for premises, key, status, since in cur.fetchall()
                 if status == OffRoster.Status.OPEN or since == concerned[premises]}
    new = []
    for premises, job, pk, key in left_out:
        if (premises, key) not in known:
            known.add((premises, key))
            new.append(OffRoster(premises_id=premises, person_id=pk, since_job_id=job, key=key))
    added = len(OffRoster.objects.bulk_create(new, batch_size=5000))
    return {"added": added, "back": len(back), "dropped": dropped}


#: The longest note on a confirmation (the codes app's notes too: ``core.errors.TEXT_LIMIT``).
NOTE_LIMIT = TEXT_LIMIT

#: Who confirms that people no longer on a roster left (:func:`off_roster_resolve`, in their jurisdiction): the
#: pages offer the form and the links to them alone (an analyst reads).
LEFT_CONFIRMERS = frozenset({Role.OFFICER, Role.STATION_CHIEF})



@transaction.atomic
def off_roster_resolve(*, premises: Premises, actor: User, note: str, ids: Collection[int] | None = None,
                       hooks: bool = True) -> int:
    """An officer or station chief of the premises' jurisdiction confirmed that flagged people no longer on its
    latest roster left (moved out): their open :class:`~pingan.screening.models.OffRoster` rows (``ids``, or
    all of the premises) close as ``left`` with who, when and the note, and leave the police view. Returns how
    many closed. Audited ``off_roster_resolve`` naming each person.

    ``PermissionDenied`` (``off_roster_not_allowed``) for anyone else; ``DomainError`` ``note_required`` for no
    note or one over :data:`NOTE_LIMIT` characters, ``off_roster_none`` when nobody is listed (any more).
    """
    from pingan.core.errors import PermissionDenied
    from pingan.core.scoping import works_for
    from pingan.screening.selectors import person_subjects

    premises = Premises.objects.select_for_update(of=("self",)).select_related("unit").get(pk=premises.pk)
    # the premises' station; a premises at a branch (分局): the stations under it (core.scoping.works_for)
    if actor is None or actor.role not in LEFT_CONFIRMERS or not works_for(actor, premises.unit):
        raise PermissionDenied("only officers and station chiefs of the premises' jurisdiction confirm that people "
                               "left", message_id="off_roster_not_allowed", params={"premises": premises.label})
    note = required_text(note, what="a note on how it was checked that these people left", code="note_required",
                         too_long="note_too_long", limit=NOTE_LIMIT)
    rows = off_roster_open(premises).select_for_update()
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    rows = list(rows.select_related("person"))
    if not rows:
        raise DomainError(f"nobody of premises {premises.pk} is listed as no longer on its roster",
                          code="off_roster_none", params={"premises": premises.label})
    now = timezone.now()
    OffRoster.objects.filter(pk__in=[r.pk for r in rows]).update(
        status=OffRoster.Status.LEFT, resolved_at=now, resolved_by=actor, note=note)
    audit.record(actor, "off_roster_resolve", "Premises", premises.pk,
                 detail={"premises": premises.pk, "people": len(rows), "off_roster": [r.pk for r in rows],
                         "note": note},
                 subjects=[s for r in rows for s in person_subjects(r.person)])
    if hooks:
        for hook in OFF_ROSTER_RESOLVED_HOOKS:
            hook(premises.pk, actor, note)
    return len(rows)


def screening_engine(name: str | None = None, *, spark_master: str | None = None,
                     spark_conf: dict[str, str] | None = None) -> batch.ScreeningEngine:
    """The configured screening engine (``PINGAN_SCREENING_ENGINE``, ``PINGAN_SPARK_MASTER``,
    ``PINGAN_SPARK_CONF``, ``PINGAN_MOVEMENT_MAX_STAY_DAYS``); arguments override the settings."""
    p = settings.PINGAN
    name = name or p["SCREENING_ENGINE"]
    common: dict[str, Any] = {"memory_limit": p["DUCKDB_MEMORY_LIMIT"], "threads": p["DUCKDB_THREADS"],
                              "temp_directory": str(_data_dir("tmp")),
                              "max_stay_days": p["MOVEMENT_MAX_STAY_DAYS"] or None}
    if name == "spark":
        from pingan.screening.spark import parse_conf

        return batch.get_engine("spark", master=spark_master or p["SPARK_MASTER"] or None,
                                conf={**parse_conf(p["SPARK_CONF"]), **(spark_conf or {})}, **common)
    return batch.get_engine(name, **common)


def screening_job_run(*, job: ScreeningJob, progress: Progress | None = None,
                      movements: list[str] | None = None, listings: str | None = None,
                      ruleset_path: str | None = None,
                      engine: batch.ScreeningEngine | None = None) -> ScreeningJob:
    """Screen the job's roster against the active risk data and store one result per roster row.

    ``movements``/``listings`` override the active datasets (paths to Parquet/CSV files, or one directory of
    Parquet partitions); ``engine``: the batch engine (default :func:`screening_engine`). On a roster that
    cannot be read at all, or missing risk data, the job ends ``failed`` with the reason — ``error`` (text)
    and ``error_code``/``error_params`` (for a message in the viewer's language, :mod:`.failures`) — and
    ``DomainError`` is raised. ``progress(stage, percent)`` is called as stages finish. Run by ``pingan
    worker`` (:func:`screening_job_execute`) or directly by ``pingan screen``.
    """
    from pingan.screening.roster import RosterError, read_roster_arrow

    def step(stage: str, pct: int, **running: int) -> None:
        # what the job page says while it runs (``stats["running"]``: the stage under way, the roster's rows,
        # the rows stored so far); the finished job's stats replace it
        ScreeningJob.objects.filter(pk=job.pk).update(progress=pct, stats={"running": {"stage": stage, **running}})
        if progress:
            progress(stage, pct, running)

    failure: tuple[str, dict[str, Any]] | None = None  # a finer code than the DomainError's, with its params
    _set_status(job, status=ScreeningJob.Status.RUNNING, started_at=timezone.now(), error="", error_code="",
                error_params={}, progress=0, stats={"running": {"stage": "read"}})
    # wall-clock seconds of each stage, for the people who wait on a long run (stats["stages"]; issue 11: the
    # command said "8.56 s in the engine" after 3 min 17 s)
    stages: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        stages[name] = round(stages.get(name, 0.0) + now - clock, 3)
        clock = now

    try:
        try:
            roster, rejections, meta = read_roster_arrow(job.roster_path, filename=job.roster_name)
        except RosterError as exc:
            failure = (exc.code, exc.params)
            raise DomainError(exc.message, code="unreadable_roster") from None
        if meta.total_rows == 0:
            raise DomainError(
                f"{job.roster_name}: no data rows below the header (row {meta.header_row}): add the employees or "
                "tenants and submit again.", code="empty_roster",
                params={"name": job.roster_name, "header_row": meta.header_row})
        lap("read")
        step("screen", 20, rows=meta.total_rows)
        # the datasets this screening reads from the database, recorded with its stats: a re-evaluation after the
        # import of one of them has nothing newer to check this screening against (issue 11: the job page said
        # "re-checked against newer risk data" after the demo's own imports, read by the screening itself)
        used_kinds = [kind for kind, given in ((RiskDataset.Kind.LISTINGS, listings),
                                               (RiskDataset.Kind.MOVEMENTS, movements),
                                               (RiskDataset.Kind.WATCHLIST, None)) if given is None]
        risk_datasets = sorted(RiskDataset.objects.filter(active=True, kind__in=used_kinds)
                               .values_list("pk", flat=True))
        listing_path = listings or (ds.path if (ds := active_listings()) else None)
        if listing_path is None:
            raise DomainError("no risk-area listings imported: run `pingan risk import nhc` first",
                              code="no_risk_data")
        movement_paths = movements if movements is not None else active_paths(RiskDataset.Kind.MOVEMENTS)
        ruleset = rules.load_ruleset(ruleset_path)
        engine = engine or screening_engine()
        result = engine.screen(roster, listings=listing_path, movements=movement_paths or _empty_movements(),
                               watchlist=active_watchlist(), ruleset=ruleset, as_of=job.as_of,
                               rejected=_rejections_table(rejections),
                               resident_id_column=meta.resident_id_column)
        lap("engine")
        extras = _roster_extras(roster)  # what the reasons and the police view need; the roster itself goes
        result_dir = _data_dir("results", f"job-{job.pk}")
        engine_roster_write(result_dir, roster, meta.resident_id_column)  # re-evaluations read it back
        del roster
        result = batch.ScreenResult(
            _with_reasons(_mark_duplicates(result.persons, meta.duplicates, meta.shared_numbers), extras,
                          meta.duplicates, rejections, ruleset, shared_numbers=meta.shared_numbers),
            result.hits, result.stats)
        step("files", 70, rows=meta.total_rows)
        _private(result.write(result_dir).values())
        counts = _counts(result)
        counts.update({"rows": meta.total_rows, "blank_rows": meta.blank_rows, "duplicates": len(meta.duplicates)})
        lap("results")
        # The results in short transactions of STORE_BATCH rows each (_store_results: one transaction for an
        # 80,000-row roster held SQLite's only write lock for its whole length, and every page's write waited),
        # then the final status in one more, with the job row locked and the lease checked. Until then the job
        # is running and no page or download shows its rows; a run that dies half-way leaves it running with
        # its lease, and the run that takes it up again deletes the rows first. A run whose lease passed to
        # another (its worker was presumed dead) stops at its next batch.
        try:
            _store_results(job, result,
                           stored=lambda n, total: step("store", 80 + 19 * n // max(total, 1), rows=meta.total_rows,
                                                        stored=n, total=total))
            lap("store")
            with transaction.atomic():
                _lease_check(job)
                # notes as codes + params (pages render them in the reader's language), with what the page
                # needs to say what was screened against: the rule set's title and look-back
                notes = [{"code": f"roster.{n['code']}", "params": n["params"]} for n in meta.notes]
                _set_status(job, status=ScreeningJob.Status.DONE, finished_at=timezone.now(), progress=100,
                            counts=counts, stats={**_coded(result.stats), "notes": notes, "stages": stages,
                                                  "blank_row_ranges": _row_ranges(meta.blank_row_numbers),
                                                  "ruleset_title": dict(ruleset.title_text),
                                                  "risk_datasets": risk_datasets,
                                                  "lookback_days": ruleset.lookback_days},
                            encoding=meta.encoding or meta.format, ruleset_id=ruleset.id,
                            ruleset_version=str(ruleset.version), result_dir=str(result_dir))
                audit.record(job.submitted_by, "screen", "ScreeningJob", job.pk, detail=counts)
        except _LeaseLost:
            return job  # the other run stores its own results
    except DomainError as exc:
        code, params = failure or (exc.message_id, _plain(exc.params))
        _results_discard(job)
        _set_status(job, status=ScreeningJob.Status.FAILED, finished_at=timezone.now(), error=exc.message,
                    error_code=code, error_params=params, stats={})
        raise
    except Exception as exc:
        _results_discard(job)
        _set_status(job, status=ScreeningJob.Status.FAILED, finished_at=timezone.now(),
                    error=f"internal error: {type(exc).__name__}: {exc}", error_code="internal_error",
                    error_params={"error": type(exc).__name__}, stats={})
        raise
    return job


def _lease_check(job: ScreeningJob) -> None:
    """Lock the job row and raise :class:`_LeaseLost` unless this run still holds its lease (inside the
    transaction that writes for it)."""
    list(ScreeningJob.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
    if not jobs.lease_held(job):
        raise _LeaseLost


def _results_discard(job: ScreeningJob) -> None:
    """Delete what a run that failed stored of ``job``'s results (a batch at a time, so no long write), unless
    the job's lease passed to another run, whose rows they are. Best effort: the next run deletes them too."""
    try:
        while True:
            with transaction.atomic():
                _lease_check(job)
                ids = list(PersonResult.objects.filter(job=job).values_list("pk", flat=True)[:STORE_BATCH])
                if not ids:
                    return
                Hit.objects.filter(person_id__in=ids).delete()
                PersonResult.objects.filter(pk__in=ids).delete()
    except _LeaseLost:
        return
    except Exception:
        log.exception("job %s: the results stored before it failed could not be deleted", job.pk)


def _coded(stats: dict[str, Any]) -> dict[str, Any]:
    """The engine's ``stats`` as a job stores them: the coverage warnings as codes and parameters only
    (``risk_data_notes``), not as the engine's text, which a page would show in one language to all."""
    return {k: v for k, v in stats.items() if k != "risk_data_warnings"}


#: The file, in a job's result folder, holding the rows its screening gave the engine (the roster as
#: :func:`pingan.screening.roster.read_roster_arrow` parsed it, and whether its ID column is the resident ID
#: card's), so that a re-evaluation can screen its people again without parsing the roster file: parsing one
#: took ~2.4 ms of CPU (~100 s for the ~43,000 jobs a day's movement records touch), reading this Arrow IPC
#: file back ~55 µs (Parquet, through DuckDB or pyarrow, 150–230 µs: its footer and page decoding cost more
#: than a 20-row roster). Deleted with the result folder under the retention policy.
ENGINE_ROSTER_FILE = "engine-roster.arrow"


def engine_roster_write(result_dir: str | Path, roster: pa.Table, resident_id_column: bool) -> Path:
    """Write ``roster`` (:data:`pingan.screening.roster.ARROW_SCHEMA`) and the resident-ID flag (a constant
    ``resident_id_column`` column) as ``result_dir``/:data:`ENGINE_ROSTER_FILE` (zstd-compressed from 10,000
    rows), readable by the service account only; written aside and renamed, so that a reader never sees half
    a file."""
    path = Path(result_dir) / ENGINE_ROSTER_FILE
    table = roster.append_column("resident_id_column",
                                 pa.array([bool(resident_id_column)] * roster.num_rows, pa.bool_()))
    part = path.with_name(f".{path.name}.{os.getpid()}")
    options = pa.ipc.IpcWriteOptions(compression="zstd" if roster.num_rows >= 10_000 else None)
    with pa.OSFile(str(part), "wb") as sink, pa.ipc.new_file(sink, table.schema, options=options) as writer:
        writer.write_table(table)
    os.chmod(part, 0o600)
    os.replace(part, path)
    return path


def engine_roster_read(path: str | Path) -> pa.Table:
    """The table :func:`engine_roster_write` wrote (read whole, then decoded: ~30 % less CPU than through a
    pyarrow file object, for a 20-row roster)."""
    with open(path, "rb") as f:
        return pa.ipc.open_file(pa.py_buffer(f.read())).read_all()


def _row_ranges(rows: list[int]) -> list[list[int]]:
    """Ascending row numbers as ``[first, last]`` ranges (a roster's blank rows usually come in runs)."""
    out: list[list[int]] = []
    for r in rows:
        if out and r == out[-1][1] + 1:
            out[-1][1] = r
        else:
            out.append([r, r])
    return out


def _with_blank_rows(persons: pa.Table, ranges: list[list[int]]) -> pa.Table:
    """``persons`` with one row per blank roster row (``status`` ``blank``, the reason ``blank_row``), in
    row order: a results file gives back every row of the roster, empty ones included."""
    import json

    rows = [r for first, last in ranges for r in range(first, last + 1)]
    if not rows:
        return persons
    n = len(rows)
    values: dict[str, Any] = {"row": pa.array(rows, persons.schema.field("row").type),
                              "status": pa.array(["blank"] * n, pa.string()),
                              "reasons": pa.array([json.dumps([{"code": "blank_row", "params": {}}])] * n, pa.string()),
                              "reason": pa.array([""] * n, pa.string())}
    blanks = pa.table({c: values[c] if c in values else pa.nulls(n, persons.schema.field(c).type)
                       for c in persons.column_names})
    return pa.concat_tables([persons, blanks.cast(persons.schema)]).sort_by("row")


def screening_job_execute(job_id: int) -> None:
    """The work of a leased screening job (``pingan worker`` calls it in a child process, given the id):
    :func:`screening_job_run`. An expected failure (an unreadable roster, no risk data) is on the job row
    already and ends here; anything else propagates to the worker, which records ``internal_error``."""
    job = ScreeningJob.objects.filter(pk=job_id).first()
    if job is None:
        return
    with contextlib.suppress(DomainError):
        screening_job_run(job=job)


def _plain(params: dict[str, Any]) -> dict[str, Any]:
    """``params`` as JSON values: strings and numbers as they are, a list as a list of texts (a page lists it in
    its reader's language, ``core.errors.localised``), anything else as its text."""
    return {k: v if isinstance(v, str | int | float | bool) or v is None
            else [str(x) for x in v] if isinstance(v, list | tuple) else str(v) for k, v in params.items()}


def _private(paths: Iterable[Path]) -> None:
    """Make files of person data readable by the service account only (0600; they were 0644)."""
    for p in paths:
        os.chmod(p, 0o600)


def _mark_duplicates(persons: pa.Table, duplicates: list[tuple[int, int]], shared: Iterable[int] = ()) -> pa.Table:
    """Add "duplicate of row N" to the reason of every row that repeats an earlier person of the roster
    (``duplicates``: ``(row, first row)`` pairs from roster ingest), "same ID number as row N, another name"
    for the rows of ``shared`` (``RosterMeta.shared_numbers``: one number, two names, not the same person).

    Ingest keeps both rows (nothing is dropped); this makes the repeat visible in every output. Set-based
    (an Arrow join), so a roster of one person repeated 400,000 times costs what any roster of that size does.
    """
    import pyarrow.compute as pc

    if not duplicates:
        return persons
    apart = set(shared)
    dup = pa.table({"row": pa.array([r for r, _ in duplicates], pa.int64()),
                    "first": pa.array([f for _, f in duplicates], pa.int64()),
                    "what": pa.array(["same ID number as row " if r in apart else "duplicate of row "
                                      for r, _ in duplicates], pa.string()),
                    "tail": pa.array([", another name" if r in apart else "" for r, _ in duplicates], pa.string())})
    joined = persons.select(["row"]).append_column("i", pa.array(range(persons.num_rows), pa.int64())) \
        .join(dup, "row", join_type="left outer", use_threads=False).sort_by("i")
    first = joined.column("first")
    note = pc.binary_join_element_wise(joined.column("what"), pc.cast(first, pa.string()), joined.column("tail"), "")
    reason = persons.column("reason")
    has_reason = pc.and_(pc.is_valid(reason), pc.not_equal(pc.fill_null(reason, ""), ""))
    marked = pc.if_else(pc.is_null(first), reason,
                        pc.if_else(has_reason, pc.binary_join_element_wise(reason, note, "; "), note))
    i = persons.column_names.index("reason")
    return persons.set_column(i, persons.schema.field(i), marked.cast(pa.string()))


def _roster_extras(roster: pa.Table) -> pa.Table:
    """From the roster as read, what outlives it: ``row``, the ``phone`` and ``address`` (room) as given, and
    ``phone_valid`` (the identity module's normaliser), for the reasons and the police view."""
    from pingan.lib.identity import batch as idbatch

    cols = {"row": roster.column("row").combine_chunks()}
    n = roster.num_rows
    phone = roster.column("phone").combine_chunks().cast(pa.string()) if "phone" in roster.column_names \
        else pa.nulls(n, pa.string())
    cols["phone"] = phone
    cols["phone_valid"] = idbatch.normalize_phones(phone).column("phone").combine_chunks()
    cols["address"] = roster.column("address").combine_chunks().cast(pa.string()) \
        if "address" in roster.column_names else pa.nulls(n, pa.string())
    return pa.table(cols)


def _with_reasons(persons: pa.Table, extras: pa.Table, duplicates: list[tuple[int, int]], rejections,
                  ruleset: rules.RuleSet, *, shared_numbers: Iterable[int] = ()) -> pa.Table:
    """``persons`` with ``reasons`` (each row's messages as JSON, :mod:`pingan.screening.reasons`) and, from
    the roster (:func:`_roster_extras`), the ``phone`` and ``address`` of every screened row (the police
    view's whom-to-call and where-they-live)."""
    import pyarrow.compute as pc

    from pingan.screening import reasons

    per_row = reasons.row_reasons(
        persons, roster=extras, rejections=rejections, valid_phones=extras.column("phone_valid"),
        duplicates=dict(duplicates), shared_numbers=shared_numbers,
        rule_texts={r.id: r.reason_text for r in ruleset.rules},
        rule_order=[r.id for r in ruleset.rules], identity_rules=[r.id for r in ruleset.of_kind("identity")])
    persons = persons.append_column("reasons", reasons.as_json(per_row))
    at = pc.index_in(persons.column("row"), value_set=extras.column("row"))  # null: a row not read (rejected)
    for c in ("phone", "address"):
        persons = persons.append_column(f"roster_{c}", extras.column(c).take(at))
    return persons


def _empty_movements() -> pa.Table:
    ts = pa.timestamp("us", tz="UTC")
    return pa.table({c: pa.array([], t) for c, t in (
        ("id_type", pa.string()), ("id_number", pa.string()), ("name", pa.string()), ("adcode", pa.string()),
        ("place", pa.string()), ("start", ts), ("end", ts), ("source", pa.string()))})


def _counts(result: batch.ScreenResult) -> dict[str, int]:
    """Rows per status and accepted rows per level; police hits, silent hits, people flagged (non-silent)."""
    import pyarrow.compute as pc

    p, h = result.persons, result.hits
    counts = dict.fromkeys(COUNT_KEYS, 0)  # every key, as pages and re-evaluation expect (ScreeningJob.tally)
    for item in pc.value_counts(p.column("status")).to_pylist():
        counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    accepted_levels = p.filter(pc.and_(pc.equal(p.column("status"), "accepted"), pc.is_valid(p.column("level"))))
    for item in pc.value_counts(accepted_levels.column("level")).to_pylist():
        if item["values"]:
            counts[item["values"]] = counts.get(item["values"], 0) + item["counts"]
    counts["police_hits"] = h.num_rows
    counts["silent_hits"] = pc.sum(h.column("silent")).as_py() or 0 if h.num_rows else 0
    loud = h.filter(pc.invert(h.column("silent"))) if h.num_rows else h
    counts["flagged_people"] = pc.count_distinct(loud.column("row")).as_py() if loud.num_rows else 0
    return counts


def _identity_detail(p: dict) -> dict:
    """What is wrong with the row's document number as a message (``identity.<error>``), or, for a number
    whose address code no table lists, its ``area_code_unlisted`` note (``identity_note``): a page says it in
    its reader's language, never the engine's English ``identity_reason``. ``{}`` when there is nothing."""
    import json

    from pingan.screening.reasons import identity_message, message

    if not p.get("identity_error"):
        if p.get("identity_status") == "area_code_unlisted":
            for n in p.get("identity_notes") or []:
                if n.get("code") == "area_code_unlisted":
                    return message("identity_note", note=n["code"],
                                   params=json.loads(n["params"]) if n.get("params") else {})
        return {}
    return identity_message(p["identity_error"], p.get("identity_error_params"), p.get("doc_type")) or {}


def _iso(t: dt.datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _hit_detail(h: dict, entries: dict[str, dict]) -> dict:
    """What an officer needs to act on a hit (:attr:`Hit.detail`): where and when, or the listed entry."""
    if h.get("source") == "watchlist":
        entry = entries.get(h.get("record_ref") or "")
        return {"entry": entry} if entry else {}
    if h.get("place") is None and h.get("place_adcode") is None:
        return {}
    detail = {"place": h.get("place") or "", "adcode": h.get("place_adcode") or "",
              "from": _iso(h.get("place_from")), "until": _iso(h.get("place_until"))}
    if h.get("listing_level"):
        detail["listing"] = {"community": h.get("listing_community") or "", "adcode": h.get("listing_adcode") or "",
                             "level": h["listing_level"], "from": _iso(h.get("listed_from")),
                             "until": _iso(h.get("listed_until"))}
    return detail


def _watchlist_entries(entry_ids: set[str]) -> dict[str, dict]:
    """The listed entries behind watchlist hits (list, programme, names, birth dates, nationalities, listing
    date, remarks) from the active watchlists, by entry id."""
    if not entry_ids:
        return {}
    import pyarrow.compute as pc

    table = active_watchlist()
    if table is None or "entry_id" not in table.column_names:
        return {}
    found = table.filter(pc.is_in(table.column("entry_id").cast(pa.string()), pa.array(sorted(entry_ids))))
    out = {}
    for e in found.to_pylist():
        names = [e.get("primary_name"), *(e.get("aliases") or []), *(e.get("names_original_script") or [])]
        # a name read with control characters: compared without them, shown with each ⟨U+XXXX⟩ in its place
        shown = shown_names(e.get("notes"))
        out[str(e["entry_id"])] = {
            "list": e.get("list_name") or "", "program": e.get("program") or "",
            "names": [shown.get(n, n) for n in dict.fromkeys(names) if n],
            "birth_dates": list(e.get("birth_dates") or []),
            "nationalities": list(e.get("nationalities") or []),
            "listed_on": e["listed_on"].isoformat() if e.get("listed_on") else None,
            "remarks": (e.get("remarks") or "")[:1000]}
    return out


#: Result rows written per COPY (bulk_create on SQLite) and held as model objects at once.
STORE_BATCH = 5000
#: ``PersonResult.name``'s length: a rejected row's name as given is cut to it (ingest rejects longer
#: names, ``roster.FIELD_MAX_LENGTHS``, and clips what such a row gave; this is the last guard).
NAME_MAX = PersonResult._meta.get_field("name").max_length


class _LeaseLost(Exception):
    """This run no longer holds the job's lease: what it stored is rolled back."""


def _store_results(job: ScreeningJob, result: batch.ScreenResult,
                   stored: Callable[[int, int], None] = lambda n, total: None) -> None:
    """Write the job's person results and hits, :data:`STORE_BATCH` rows at a time (a 1,048,575-row roster
    as a million model objects at once ran out of memory), each batch in its own transaction that first checks
    the run still holds the job's lease (SQLite has one write lock: one transaction for the whole store held
    it ~40 s for 80,000 rows, and the pages people read meanwhile answered 400). What an earlier run of the job
    stored is deleted first. ``stored(rows stored, rows in all)`` is called after each batch. Raises
    :class:`_LeaseLost` when the lease passed to another run."""
    import json

    import numpy as np
    import pyarrow.compute as pc

    _results_discard(job)
    police = result.police_view()
    done = 0
    stored(0, police.num_rows)
    hits = result.hits  # ordered by row (the engine's contract)
    hit_rows = hits.column("row").to_numpy() if hits.num_rows else np.array([], dtype=np.int64)
    listed = hits.filter(pc.equal(hits.column("source"), "watchlist")) if hits.num_rows else hits
    entries = _watchlist_entries({r for r in listed.column("record_ref").to_pylist() if r})
    for chunk in police.to_batches(max_chunksize=STORE_BATCH):
        objs = [
            PersonResult(
                job=job, row=p["row"], status=p["status"], level=p["level"] or "", reason=p["reason"] or "",
                rule_ids=list(p["rule_ids"] or []), name=(p["name"] or "")[:NAME_MAX], doc_type=p["doc_type"] or "",
                id_number=p["id_number"] or "", corrected_id_number=p["corrected_id_number"] or "",
                identity_status=p["identity_status"] or "", identity_reason=p["identity_reason"] or "",
                police_priority=p["police_priority"], hit_count=p["hit_count"] or 0,
                silent_hit=bool(p["silent_hit"]), given_id_number=p["given_id_number"] or "",
                given_phone=p["given_phone"] or "", reasons=json.loads(p["reasons"]) if p.get("reasons") else [],
                phone=(p.get("roster_phone") or "")[:40] if p["status"] == "accepted" else "",
                address=(p.get("roster_address") or "")[:300] if p["status"] == "accepted" else "",
                identity_detail=_identity_detail(p))
            for p in chunk.to_pylist()
        ]
        lo, hi = objs[0].row, objs[-1].row
        a, b = (int(np.searchsorted(hit_rows, lo, "left")), int(np.searchsorted(hit_rows, hi, "right"))
                ) if hit_rows.size else (0, 0)
        with transaction.atomic():
            _lease_check(job)
            created = copy_insert(PersonResult, objs)
            if a < b:
                ids = {o.row: o.pk for o in created}
                copy_insert(Hit, [
                    Hit(job=job, person_id=ids[h["row"]], rule_id=h["rule_id"], source=h["source"] or "",
                        record_ref=h["record_ref"] or "", listing_ref=h["listing_ref"] or "",
                        match_kind=h["match_kind"] or "", match_reasons=match_reasons.stored(h["match_reasons"]),
                        level_effect=h["level_effect"] or "", police_priority=h["police_priority"],
                        silent=bool(h["silent"]), detail=_hit_detail(h, entries))
                    for h in hits.slice(a, b - a).to_pylist()
                ])
        done += len(objs)
        stored(done, police.num_rows)


def screening_job_export(*, job: ScreeningJob, out: Path, police_view: bool = False, actor: User | None = None,
                         lang: str | None = None, reword: Callable[[Any], Any] | None = None) -> Path:
    """Write the job's per-row results to ``out`` (CSV, XLSX or Parquet by extension).

    ``actor`` is who downloads (recorded in the audit trail; ``None`` for the command line).

    ``lang`` ``None`` gives the stable machine-readable form (the API's, ``pingan screen``'s): English column
    names, codes as values — submitter view ``row, status, level, reason, reason_codes, name,
    given_id_number, given_phone`` (``reason`` rendered in English, ``reason_codes`` the messages as JSON; the
    last two repeat, for rejected rows only, the ID number and phone the row gave, so the submitter can find
    it; empty on screened rows, whose identity the output never shows). Police view adds the normalised
    document, the identity status and ``police_hits`` (every hit, silent ones included, as
    ``rule:match_kind``). ``lang`` ``"zh"`` or ``"en"`` gives the same rows for people: headings, results and
    levels in that language, the reason as a sentence of it (:data:`EXPORT_HEADINGS`), and, last, the stable
    code of what to fix (``to_fix_code``) for a program that reads people's files; the police view's identity
    note is said in that language too (from the stored codes, :func:`_identity_detail`), never the engine's
    English text. ``reword``: applied to each row's stored messages before they are said (``pingan screen``
    passes :func:`pingan.screening.texts.for_command_line`: what to do at the command line); the codes stay.
    """
    from django.utils import translation
    from django.utils.translation import pgettext

    from pingan.core.texts import list_separator
    from pingan.screening.output import write_results

    persons = pq.read_table(Path(job.result_dir) / "persons.parquet")
    for c in (*batch.GIVEN_COLUMNS, "reasons"):  # results written before these columns existed
        if c not in persons.column_names:
            persons = persons.append_column(c, pa.nulls(persons.num_rows, pa.string()))
    for c in ("identity_error", "identity_error_params"):  # results written before these columns existed
        if c not in persons.column_names:
            persons = persons.append_column(c, pa.nulls(persons.num_rows, pa.string()))
    persons = _with_blank_rows(persons, (job.stats or {}).get("blank_row_ranges") or [])
    persons = _unscreened_without_level(persons)
    persons, current_hits = _reevaluated(job, persons)
    with translation.override(lang or "en"):
        persons = _rendered_reasons(persons, reword)
        persons = _to_fix(persons, police=police_view)
        if lang is not None:
            persons = _human_values(_rendered_identity_reasons(persons))
        # people's files flag an invalid phone beside its masked form, as the page does; the machine form keeps the cell
        persons = _masked_echoes(persons, invalid_phone=_paren_invalid_phone() if lang is not None else None)
    # the reason once: people get a "to fix" column (yes/empty), programs its code
    cols = ["row", "status", "level", *(["to_fix"] if lang else ["to_fix_code"]), "reason",
            *([] if lang else ["reason_codes"]), "name", *batch.GIVEN_COLUMNS]
    last = ["to_fix_code"] if lang else []  # people's files keep the stable code, last
    if not police_view:
        table = persons.select([*cols, *last])
    else:
        hits = pq.read_table(Path(job.result_dir) / "hits.parquet").to_pylist()
        hit_text = _hit_text(job, lang)
        by_row: dict[int, list[str]] = {}
        for h in hits:
            if h["row"] in current_hits:  # re-evaluated: the hits it has now
                continue
            by_row.setdefault(h["row"], []).append(
                hit_text(h["rule_id"], h.get("source") or "", h["match_kind"], h["silent"]))
        for row, now in current_hits.items():
            by_row[row] = [hit_text(h.rule_id, h.source, h.match_kind, h.silent) for h in now]
        rows = persons.column("row").to_pylist()
        # a list cell: write_results joins its items as the file's reader lists them
        table = persons.select([*cols, "doc_type", "id_number", "corrected_id_number", "identity_status",
                                "identity_reason"]).append_column(
            "police_hits", pa.array([by_row.get(r, []) for r in rows], pa.list_(pa.string())))
        if lang is not None:
            from pingan.screening.labels import doc_type_label

            with translation.override(lang):
                doc = [doc_type_label(d, n) for d, n in zip(table.column("doc_type").to_pylist(),
                                                           table.column("id_number").to_pylist(), strict=True)]
            table = table.set_column(table.column_names.index("doc_type"), "doc_type", pa.array(doc, pa.string()))
        for c in last:
            table = table.append_column(c, persons.column(c))
    sheet = "results"
    if lang is not None:
        headings = EXPORT_HEADINGS["zh" if lang.startswith("zh") else "en"]
        table = table.rename_columns([headings.get(c, c) for c in table.column_names])
        with translation.override(lang):
            sheet = pgettext("name of the worksheet of a results file", "Results")
    # several values in one cell as the reader's language lists them, as the pages do (issue 11: "; " in a
    # Chinese file); the machine form keeps its stable separator
    write_results(table, out, sheet_name=sheet, **({} if lang is None else {
        "list_separator": list_separator(language=lang)}))
    audit.record(actor, "export", "ScreeningJob", job.pk,
                 detail={"police_view": police_view, "file": out.name, "lang": lang or ""})
    return out


def _hit_text(job: ScreeningJob, lang: str | None):
    """How a results file names one hit: for programs (``lang`` ``None``) the stable ``rule:match_kind`` with
    `` (silent)``; for people the rule's title and how the person matched, in ``lang`` (never a code such as
    ``area-high:id_exact`` in a Chinese file — issue 11)."""
    from django.utils import translation
    from django.utils.translation import pgettext

    from pingan.core.texts import paren
    from pingan.screening.labels import MATCH_KINDS, rule_title

    if lang is None:
        return lambda rule, source, kind, silent: f"{rule}:{kind}{' (silent)' if silent else ''}"
    cache: dict[tuple, str] = {}

    def text(rule: str, source: str, kind: str, silent: bool) -> str:
        key = (rule, source, kind, silent)
        if key not in cache:
            with translation.override(lang):
                how = str(MATCH_KINDS.get(kind, kind))
                title = rule_title(rule, "watchlist" if silent else source, job.ruleset_id)
                words = ([how, pgettext("a hit the submitter is not told of", "not told to the submitter")] if silent
                         else [how])
                cache[key] = title + paren(("，" if lang.startswith("zh") else ", ").join(words), language=lang)
        return cache[key]

    return text


def _unscreened_without_level(persons: pa.Table) -> pa.Table:
    """``persons`` with no ``level`` on rows that were not screened (rejected, or a roster status other than
    accepted): such a row has no level of its own; the safety-code rule counts it as unresolved. Result files
    written before the engine left it empty said ``yellow`` there."""
    import pyarrow.compute as pc

    i = persons.column_names.index("level")
    level = pc.if_else(pc.equal(persons.column("status"), "accepted"), persons.column("level"),
                       pa.nulls(persons.num_rows, pa.string()))
    return persons.set_column(i, persons.schema.field(i), level.cast(persons.schema.field(i).type))


def _reevaluated(job: ScreeningJob, persons: pa.Table) -> tuple[pa.Table, dict[int, list[Hit]]]:
    """``persons`` with the rows that new risk data changed (:mod:`pingan.screening.reevaluate`) as they stand
    now — level, rule ids, reasons — and those rows' current hits by row, so a download says what the pages
    say. The result file keeps what the screening found; the database holds every later change."""
    import json

    if job.reevaluated_at is None:
        return persons, {}
    changed = {r["row"]: r for r in PersonResult.objects.filter(job=job).exclude(reevaluation={}).values(
        "id", "row", "level", "rule_ids", "reason", "reasons")}
    if not changed:
        return persons, {}
    hits: dict[int, list[Hit]] = {row: [] for row in changed}
    row_of = {r["id"]: row for row, r in changed.items()}
    for h in Hit.objects.filter(person_id__in=list(row_of)).order_by("police_priority", "id"):
        hits[row_of[h.person_id]].append(h)
    rows = persons.column("row").to_pylist()

    def patched(column: str, value) -> pa.Array:
        old = persons.column(column).to_pylist()
        return pa.array([value(changed[r]) if r in changed else o for r, o in zip(rows, old, strict=True)],
                        persons.schema.field(column).type)

    for column, value in (("level", lambda r: r["level"] or None), ("reason", lambda r: r["reason"]),
                          ("reasons", lambda r: json.dumps(r["reasons"], ensure_ascii=False)),
                          ("rule_ids", lambda r: list(r["rule_ids"] or []))):
        if column in persons.column_names:
            persons = persons.set_column(persons.column_names.index(column), column, patched(column, value))
    return persons, hits


#: Column headings of a results file for people (``screening_job_export(lang=...)``).
EXPORT_HEADINGS = {
    "zh": {"row": "行号", "status": "结果", "level": "等级", "reason": "原因", "to_fix": "需要修改",
           "name": "姓名",
           "given_id_number": "所填证件号码（未筛查的行）", "given_phone": "所填手机号码（未筛查的行）",
           "doc_type": "证件类型", "id_number": "证件号码", "corrected_id_number": "更正后的证件号码",
           "identity_status": "证件核验", "identity_reason": "证件核验说明", "police_hits": "命中规则（警方）",
           "to_fix_code": "问题代码（供程序读取）"},
    "en": {"row": "Row", "status": "Result", "level": "Level", "reason": "Reason", "to_fix": "To fix",
           "name": "Name",
           "given_id_number": "ID number as given (rows not screened)",
           "given_phone": "Phone as given (rows not screened)", "doc_type": "Document type",
           "id_number": "ID number", "corrected_id_number": "Corrected ID number",
           "identity_status": "Identity check", "identity_reason": "Identity check note",
           "police_hits": "Rules hit (police)", "to_fix_code": "Problem code (for programs)"},
}


def _rendered_reasons(persons: pa.Table, reword: Callable[[Any], Any] | None = None) -> pa.Table:
    """``persons`` with ``reason`` rendered in the active language from ``reasons`` (kept as ``reason_codes``),
    each list of messages passed through ``reword`` first when given; rows stored before ``reasons`` existed keep
    their text. Each distinct list is rendered once."""
    import json

    from pingan.core.texts import legacy, render_all

    cache: dict[str, str] = {}
    texts = []
    for stored, old in zip(persons.column("reasons").to_pylist(), persons.column("reason").to_pylist(), strict=True):
        if stored is None:
            texts.append(legacy(old or ""))  # "中文 / English" stored before reasons were codes: one half
        elif stored == "[]":
            texts.append("")
        else:
            if stored not in cache:
                messages = json.loads(stored)
                cache[stored] = render_all(reword(messages) if reword else messages)
            texts.append(cache[stored])
    i = persons.column_names.index("reason")
    persons = persons.set_column(i, "reason", pa.array(texts, pa.string()))
    return persons.append_column("reason_codes", persons.column("reasons"))


def _rendered_identity_reasons(persons: pa.Table) -> pa.Table:
    """``persons`` with ``identity_reason`` said in the active language from the stored codes (the error and
    its params, or the ``area_code_unlisted`` note: :func:`_identity_detail`); a row without codes keeps its
    text (the half of its language, when stored as "中文 / English"); a row not screened has none (its
    ``reason`` says why, in the same language). Only rows with a reason are visited."""
    import pyarrow.compute as pc

    from pingan.core.texts import legacy, render

    if "identity_reason" not in persons.column_names:
        return persons
    text = persons.column("identity_reason")
    at = pc.indices_nonzero(pc.fill_null(pc.not_equal(pc.fill_null(text, ""), ""), False)).to_pylist()
    if not at:
        return persons
    wanted = [c for c in ("status", "identity_error", "identity_error_params", "doc_type", "identity_status",
                          "identity_notes", "identity_reason") if c in persons.column_names]
    values = text.to_pylist()
    for i, p in zip(at, persons.select(wanted).take(pa.array(at, pa.int64())).to_pylist(), strict=True):
        if p.get("status") != "accepted":
            values[i] = ""
            continue
        detail = _identity_detail(p)
        values[i] = render(detail) if detail else legacy(p["identity_reason"])
    i = persons.column_names.index("identity_reason")
    return persons.set_column(i, "identity_reason", pa.array(values, pa.string()))


#: Identity statuses of a screened row whose document number the submitter must fix (``models.NUMBER_TO_FIX``).
UNVERIFIED = NUMBER_TO_FIX


def _to_fix(persons: pa.Table, *, police: bool = False) -> pa.Table:
    """``persons`` with ``to_fix_code``, the stable code of what the row's submitter must fix (``""``:
    nothing): ``rejection.<code>`` for a row not screened, ``identity.<error>`` for a screened row whose
    number is wrong or missing (a check digit the police corrected included), ``identity.<status>`` when no
    error was recorded; and ``to_fix``, the same as a word of the active language (“yes”) for people's
    files. The text of what to fix is in ``reason``, once: a row not screened already says it there, a
    screened row whose number is to fix is told :func:`pingan.screening.models.fix_reason` — the text of the
    results page and the API (``PersonResult.submitter_reason``; ``police``: the police view's file, which
    says of a corrected number what the submitter's does not, ``PersonResult.police_fix_reason``). Expects
    ``reason`` already rendered (:func:`_rendered_reasons`)."""
    import json

    import pyarrow.compute as pc
    from django.utils.translation import pgettext

    from pingan.core.texts import render
    from pingan.screening.reasons import identity_message

    reasons = persons.column("reason").to_pylist()
    codes = [""] * persons.num_rows
    # only the rows to fix are read into Python (a million-row export has a handful)
    # a screened row whose phone is not a valid number is to fix too (models.PHONE_TO_FIX: issue 11, "To fix"
    # empty beside a reason saying the phone is invalid); its reason already says so
    phone = pc.and_kleene(pc.equal(persons.column("status"), "accepted"),
                          pc.match_substring(pc.fill_null(persons.column("reasons"), ""), f'"{PHONE_TO_FIX}"'))
    mask = pc.or_kleene(pc.or_kleene(pc.equal(persons.column("status"), "rejected"),
                                     pc.is_in(persons.column("identity_status"), pa.array(UNVERIFIED))), phone)
    at = pc.indices_nonzero(pc.fill_null(mask, False)).to_pylist()
    # typed indices: an empty Python list is a null-typed array, which take() refuses (a roster with nothing
    # to fix could not be downloaded)
    picked = persons.select(["status", "reason", "reasons", "identity_status", "identity_error",
                             "identity_error_params", "identity_reason", "doc_type"]).take(
        pa.array(at, pa.int64())).to_pylist()
    for i, p in zip(at, picked, strict=True):
        if p["status"] == "rejected":
            stored = json.loads(p["reasons"]) if p["reasons"] else []
            detail = (stored[0].get("params") or {}).get("detail") if stored else None
            codes[i] = detail["code"] if isinstance(detail, dict) and detail.get("code") else "rejection"
        elif p["identity_status"] not in UNVERIFIED:  # the phone only
            codes[i] = PHONE_TO_FIX
        else:
            message = identity_message(p["identity_error"], p["identity_error_params"], p["doc_type"])
            why = render(message) if message else (p["identity_reason"] or "")
            reasons[i] = fix_reason(identity_status=p["identity_status"], why=why, reason=p["reason"] or "",
                                    police=police)
            codes[i] = message["code"] if message else f"identity.{p['identity_status']}"
    yes = pgettext("a result row to fix", "yes")
    i = persons.column_names.index("reason")
    return (persons.set_column(i, "reason", pa.array(reasons, pa.string()))
            .append_column("to_fix", pa.array([yes if c else "" for c in codes], pa.string()))
            .append_column("to_fix_code", pa.array(codes, pa.string())))


#: Columns of a results file that echo what the roster gave (or a reason quoting it): long digit runs are
#: masked in them (:func:`pingan.lib.redact.mask_numbers`), so no cell shows a full ID number that the
#: submitter's file put in the wrong place. The police view's ``id_number`` and ``corrected_id_number`` are
#: the numbers themselves and stay.
ECHO_COLUMNS = ("reason", "reason_codes", "name", "given_id_number", "given_phone", "identity_reason")


def _paren_invalid_phone() -> str:
    """" (not a valid phone number)" in the active language, with its parentheses (the page's flag)."""
    from django.utils.translation import gettext as _

    from pingan.core.texts import paren

    return paren(_("not a valid phone number"))


def _masked_echoes(persons: pa.Table, *, invalid_phone: str | None = None) -> pa.Table:
    """``persons`` with :data:`ECHO_COLUMNS` masked; only cells holding three digits in a row are looked at.
    The ID number and phone a rejected row gave (``batch.GIVEN_COLUMNS``) are masked as the page and the API
    mask them (:func:`pingan.lib.redact.mask_id`, the phone :func:`~pingan.lib.redact.mask_phone`: normalised
    first), every non-empty cell. ``invalid_phone``: said after a phone that is not a valid number (people's
    files, as the page flags it: masked, "138******0x" read as a number otherwise); ``None`` for the machine form."""
    import pyarrow.compute as pc

    from pingan.lib.identity.phones import normalize_phone
    from pingan.lib.redact import mask_id, mask_numbers, mask_phone

    for c in ECHO_COLUMNS:
        if c not in persons.column_names:
            continue
        col = persons.column(c).combine_chunks()
        if not (pa.types.is_string(col.type) or pa.types.is_large_string(col.type)):
            continue
        if c in batch.GIVEN_COLUMNS:
            at = pc.indices_nonzero(pc.fill_null(pc.greater(pc.utf8_length(col), 0), False))
            if len(at):
                values, masker = col.to_pylist(), mask_phone if c == "given_phone" else mask_id
                for k in at.to_pylist():
                    flag = (invalid_phone if invalid_phone and c == "given_phone"
                            and normalize_phone(values[k]) is None else "")
                    values[k] = masker(values[k]) + flag
                persons = persons.set_column(persons.column_names.index(c), c, pa.array(values, col.type))
            continue
        at = pc.indices_nonzero(pc.fill_null(pc.match_substring_regex(col, "[0-9０-９]{3}"), False))
        if not len(at):
            continue
        values = col.to_pylist()
        for k in at.to_pylist():
            values[k] = mask_numbers(values[k])
        persons = persons.set_column(persons.column_names.index(c), c, pa.array(values, col.type))
    return persons


def _human_values(persons: pa.Table) -> pa.Table:
    """``status``, ``level`` and ``identity_status`` as words of the active language."""
    from django.utils.translation import gettext as _
    from django.utils.translation import pgettext

    from pingan.screening.labels import FORMAT_ONLY, number_checked

    # "screened" is also the audit trail's verb (筛查了): the result of a row is its own word (已筛查)
    words = {"accepted": pgettext("result of a roster row", "screened"),
             "rejected": pgettext("result of a roster row", "not screened"),
             "blank": pgettext("result of a roster row", "empty row"), "green": _("green"), "yellow": _("yellow"),
             "red": _("red"), "valid": _("valid"), "invalid": _("invalid"), "corrected": _("corrected"),
             "unverifiable": _("cannot be verified"), "conflicting": _("another name"),
             "area_code_unlisted": _("unlisted address code")}
    for c in ("status", "level", "identity_status"):
        if c in persons.column_names:
            i = persons.column_names.index(c)
            values = [words.get(v, v) if v else v for v in persons.column(c).to_pylist()]
            if c == "identity_status" and {"doc_type", "id_number"} <= set(persons.column_names):
                # a passport's or a permit's number has no check character: "valid" would claim a check
                # that was not made (issue 11), only its format was
                fmt = str(FORMAT_ONLY)
                values = [fmt if s == "valid" and not number_checked(d, n) else v for v, s, d, n in zip(
                    values, persons.column(c).to_pylist(), persons.column("doc_type").to_pylist(),
                    persons.column("id_number").to_pylist(), strict=True)]
            persons = persons.set_column(i, c, pa.array(values, pa.string()))
    return persons


#: Result download formats and their content types.
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def screening_job_finished_check(job: ScreeningJob) -> None:
    """Raise :class:`~pingan.core.errors.Conflict` (``job_not_done``, HTTP 409) unless ``job`` is done: a
    queued or running job has no results yet (a running one may hold some of its rows already, stored a batch
    at a time: nothing shows them before the job is done), a failed one none at all. The problem details carry
    ``job_status`` and ``progress``; pages and the API call it before reading a job's rows or files."""
    if job.status == ScreeningJob.Status.DONE:
        return
    extra = {"job_status": job.status, "progress": job.progress}
    if job.status == ScreeningJob.Status.FAILED:
        raise Conflict(f"screening job {job.pk} failed: it has no results; see its error", code="job_not_done",
                       message_id="job_failed", params={"job": job.pk}, extra=extra)
    raise Conflict(f"screening job {job.pk} is {job.status}: its results can be read once it is done; poll "
                   f"GET /api/v1/jobs/{job.pk} until its status is done", code="job_not_done",
                   params={"job": job.pk, "status": ScreeningJob.Status(job.status)}, extra=extra)


def job_download_name(job: ScreeningJob, fmt: str) -> str:
    """The results file's name: the premises, the roster's file name (long digit runs masked) and the upload's
    date — "试用公寓 3 单元 502 室-gbk-2026-12-07.csv", not ``job-2-results.csv`` (issue 11)."""
    from django.utils import timezone

    from pingan.lib.filenames import download_name

    return download_name(job.premises.label if job.premises_id else "", Path(job.shown_roster_name).stem,
                         timezone.localdate(job.created_at).isoformat(), ext=fmt)


def screening_job_download(*, actor: User, job_id: int, fmt: str, lang: str | None = None
                           ) -> tuple[bytes, str, str]:
    """A job's results for ``actor`` as ``(file bytes, file name, content type)``; ``fmt`` is csv or xlsx;
    ``lang`` as :func:`screening_job_export` (``None``: the machine-readable form the API serves).

    Police accounts get the police view, submitters the submitter view. Raises ``DomainError``
    (``bad_format`` — also for more rows than an XLSX sheet holds, naming the limit), ``Conflict``
    (``job_not_done``: :func:`screening_job_finished_check`), ``Gone`` (``purged``: the retention policy
    deleted the job's person data, :mod:`.retention`) and ``NotFound`` for a job the actor may not see.
    """
    import tempfile

    from pingan.screening import retention, selectors
    from pingan.screening.output import XlsxRowLimitError

    if fmt not in DOWNLOAD_TYPES:
        raise DomainError(f"unknown format {fmt!r}; use csv or xlsx", code="bad_format")
    job = selectors.job_get(actor=actor, job_id=job_id)
    retention.job_person_data_check(job)
    screening_job_finished_check(job)
    name = job_download_name(job, fmt)
    with tempfile.TemporaryDirectory(prefix="pingan-export-") as tmp:
        try:
            out = screening_job_export(job=job, out=Path(tmp) / name, police_view=actor.is_police, actor=actor,
                                       lang=lang)
        except XlsxRowLimitError as exc:  # the message names Excel's limit and says to use CSV
            raise DomainError(str(exc), code="bad_format") from None
        return out.read_bytes(), name, DOWNLOAD_TYPES[fmt]
