"""Statistics services: every write of the stats app — imports, the rollups, reclassifications, vehicle counts.

Keyword-only, atomic, raising :class:`~pingan.core.errors.DomainError`. Who may do what (least privilege):

* imports: analysts (the bureau's statistics office), and the system (``actor=None``: the CLI);
* reclassifications: station chiefs within their unit's subtree, analysts anywhere; every one is recorded
  (:class:`~pingan.stats.models.Reclassification`) and audited;
* vehicle counts: analysts and the system.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from pingan.core import audit, jobs
from pingan.core.errors import DomainError, NotFound, PermissionDenied
from pingan.core.models import OrgUnit, Role
from pingan.core.services import orgunit_create
from pingan.stats import integrity, jurisdiction
from pingan.stats.classify import vocabulary
from pingan.stats.importers import ImportRead, IncidentRecord, UnitRef, sources
from pingan.stats.models import (
    DailyClearance,
    DailyCount,
    ImportBatch,
    Incident,
    Reclassification,
    RollupState,
    RowIssue,
    UnitClosure,
    VehicleCount,
    WeeklyClearance,
    WeeklyCount,
)

#: Incident fields an import writes (everything but the identity and the bookkeeping).
_FIELDS = ("unit_id", "reported_at", "occurred_from", "occurred_to", "count_date", "timezone", "offence",
           "offence_codes", "source_category", "place_type", "attempted", "location", "block", "latitude",
           "longitude", "status", "clearance", "exceptional_code", "cleared_on", "cleared_on_estimated", "victims",
           "injured", "killed", "property_loss", "amount_involved", "amount_recovered", "currency", "batch_id")


def _require_analyst(actor, what: str) -> None:
    if actor is not None and getattr(actor, "role", None) != Role.ANALYST:
        raise PermissionDenied(f"only analysts {what}", message_id="stats_analyst_only")


# ------------------------------------------------------------------------------------------- units


@transaction.atomic
def org_units_ensure(*, units: dict[str, UnitRef]) -> dict[str, OrgUnit]:
    """The units of a source's own geography, created when missing (parents first); existing ones are kept.

    Raises ``DomainError`` (``bad_unit_parent``) when a unit's parent is neither given nor existing.
    """
    existing = {u.code: u for u in OrgUnit.objects.filter(code__in=list(units))}
    pending = [u for u in units.values() if u.code not in existing]
    while pending:
        progressed = False
        for ref in list(pending):
            parent = None
            if ref.parent:
                parent = existing.get(ref.parent) or OrgUnit.objects.filter(code=ref.parent).first()
                if parent is None:
                    continue
                existing.setdefault(parent.code, parent)
            existing[ref.code] = orgunit_create(code=ref.code, name=ref.name, kind=ref.kind, parent=parent,
                                                adcodes_covered=[], name_en=ref.name_en)
            pending.remove(ref)
            progressed = True
        if not progressed:
            raise DomainError(f"units {', '.join(u.code for u in pending)} have no parent unit",
                              code="bad_unit_parent")
    unit_closure_refresh()
    return existing


def unit_closure_refresh() -> int:
    """Rebuild :class:`UnitClosure` from the units' materialised paths; returns the number of pairs."""
    units = list(OrgUnit.objects.values_list("id", "path"))
    by_path = {path: pk for pk, path in units}
    pairs = []
    for pk, path in units:
        segments = path.strip("/").split("/")
        for i in range(1, len(segments) + 1):
            anc = by_path.get("/".join(segments[:i]) + "/")
            if anc is not None:
                pairs.append(UnitClosure(unit_id=pk, ancestor_id=anc))
    UnitClosure.objects.all().delete()
    UnitClosure.objects.bulk_create(pairs, batch_size=5000)
    return len(pairs)


def ancestors_of(unit_ids: Iterable[int]) -> set[int]:
    """The units and all their ancestors."""
    return set(UnitClosure.objects.filter(unit_id__in=list(unit_ids)).values_list("ancestor_id", flat=True))


# ------------------------------------------------------------------------------------------- rollups

_HARM = "CASE WHEN i.killed > 0 THEN 2 WHEN i.injured > 0 THEN 1 ELSE 0 END"


def _year(col: str) -> str:
    return f"strftime('%%Y', {col})" if connection.vendor == "sqlite" else f"EXTRACT(YEAR FROM {col})"


@transaction.atomic
def rollup_refresh(*, start: dt.date, end: dt.date, units: Iterable[int] | None = None) -> dict[str, int]:
    """Recompute the rollups of ``units`` (ids; ``None``: every unit) for the days ``start``..``end``.

    Give the units an incident belongs to *and their ancestors* (see :func:`ancestors_of`). Counts exclude
    unfounded incidents; clearances are counted on their clearance day. Returns the rows written per table.
    """
    ids = sorted(set(units)) if units is not None else None
    if ids is not None and not ids:
        return {"counts": 0, "clearances": 0}
    unit_filter = f"c.ancestor_id IN ({', '.join(map(str, ids))})" if ids is not None else "1 = 1"
    del_filter = {"unit_id__in": ids} if ids is not None else {}
    DailyCount.objects.filter(day__gte=start, day__lte=end, **del_filter).delete()
    DailyClearance.objects.filter(day__gte=start, day__lte=end, **del_filter).delete()
    inc, clo = Incident._meta.db_table, UnitClosure._meta.db_table
    dc, dcl = DailyCount._meta.db_table, DailyClearance._meta.db_table
    with connection.cursor() as cur:
        cur.execute(f"""
            INSERT INTO {dc} (unit_id, day, offence, place_type, attempted, harm, n, victims, injured, killed,
                              loss, involved, recovered)
            SELECT c.ancestor_id, i.count_date, i.offence, i.place_type, i.attempted, {_HARM}, COUNT(*),
                   SUM(COALESCE(i.victims, 1)), SUM(i.injured), SUM(i.killed), SUM(COALESCE(i.property_loss, 0)),
                   SUM(COALESCE(i.amount_involved, 0)), SUM(COALESCE(i.amount_recovered, 0))
            FROM {inc} i JOIN {clo} c ON c.unit_id = i.unit_id
            WHERE {unit_filter} AND i.count_date >= %s AND i.count_date <= %s AND i.status <> 'unfounded'
            GROUP BY c.ancestor_id, i.count_date, i.offence, i.place_type, i.attempted, {_HARM}""",  # noqa: S608
                    [start, end])
        counts = cur.rowcount
        cur.execute(f"""
            INSERT INTO {dcl} (unit_id, day, offence, place_type, attempted, harm, arrest, exceptional, same_year,
                               involved, recovered)
            SELECT c.ancestor_id, i.cleared_on, i.offence, i.place_type, i.attempted, {_HARM},
                   SUM(CASE WHEN i.clearance = 'arrest' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN i.clearance = 'exceptional' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN {_year('i.count_date')} = {_year('i.cleared_on')} THEN 1 ELSE 0 END),
                   SUM(COALESCE(i.amount_involved, 0)), SUM(COALESCE(i.amount_recovered, 0))
            FROM {inc} i JOIN {clo} c ON c.unit_id = i.unit_id
            WHERE {unit_filter} AND i.status = 'cleared' AND i.cleared_on >= %s AND i.cleared_on <= %s
            GROUP BY c.ancestor_id, i.cleared_on, i.offence, i.place_type, i.attempted, {_HARM}""",  # noqa: S608
                    [start, end])
        clears = cur.rowcount
    weeks = _weekly_refresh(start=start, end=end, ids=ids)
    RollupState.objects.update_or_create(pk=1, defaults={"generation": uuid.uuid4(), "refreshed_at": timezone.now()})
    transaction.on_commit(_figures_warm_enqueue)
    return {"counts": counts, "clearances": clears, **weeks}


def week_start_sql() -> str:
    """SQL for the Monday of a rollup row's ``day`` (for a query run with parameters: ``%`` doubled)."""
    if connection.vendor == "postgresql":
        return "CAST(date_trunc('week', day) AS date)"
    return "date(day, '-' || ((CAST(strftime('%%w', day) AS INTEGER) + 6) %% 7) || ' days')"


def _figures_warm_enqueue() -> None:
    from pingan.stats.tasks import figures_warm_task

    figures_warm_task.enqueue()


#: The measure columns of the count and clearance rollups, in the order the sums read them (``selectors``).
COUNT_MEASURES = ("n", "victims", "injured", "killed", "loss", "involved", "recovered")
CLEAR_MEASURES = ("arrest", "exceptional", "same_year", "involved", "recovered")


def _weekly_refresh(*, start: dt.date, end: dt.date, ids: list[int] | None) -> dict[str, int]:
    """Recompute the weekly rollups of the Monday–Sunday weeks touching ``start``..``end`` from the daily ones
    (which are complete for the days outside the range too). Returns the weekly rows written per table."""
    first = start - dt.timedelta(days=start.weekday())
    last = end + dt.timedelta(days=6 - end.weekday())
    week = week_start_sql()
    unit_sql = f"unit_id IN ({', '.join(map(str, ids))})" if ids is not None else "1 = 1"
    del_filter = {"unit_id__in": ids} if ids is not None else {}
    out = {}
    for weekly, daily, measures, name in ((WeeklyCount, DailyCount, COUNT_MEASURES, "weekly_counts"),
                                          (WeeklyClearance, DailyClearance, CLEAR_MEASURES, "weekly_clearances")):
        cols = ", ".join(measures)
        weekly.objects.filter(day__gte=first, day__lte=last, **del_filter).delete()
        sums = ", ".join(f"SUM({c})" for c in measures)
        with connection.cursor() as cur:
            cur.execute(f"""
                INSERT INTO {weekly._meta.db_table} (unit_id, day, offence, place_type, attempted, harm, {cols})
                SELECT unit_id, {week}, offence, place_type, attempted, harm, {sums}
                FROM {daily._meta.db_table}
                WHERE {unit_sql} AND day >= %s AND day <= %s
                GROUP BY unit_id, {week}, offence, place_type, attempted, harm""",  # noqa: S608 - names are ours
                        [first, last])
            out[name] = cur.rowcount
    return out


# ------------------------------------------------------------------------------------------- imports


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


#: Incidents written per transaction by a command-line import (``pingan stats import``, ``pingan stats demo``):
#: each step commits on its own, so a long import (the demo's two years of a city) never holds the database's
#: write lock for long. On the embedded SQLite a sign-in waiting behind one import-long transaction ran into
#: the busy timeout and answered HTTP 500 ("database is locked": 5 of 69 sign-ins during the demo).
IMPORT_CHUNK = 2000


def _chunks(items: list, size: int) -> Iterable[list]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def import_write(*, read: ImportRead, actor=None, sha256: str = "", batch: ImportBatch | None = None,
                 fence: Callable[[ImportBatch], None] | None = None) -> ImportBatch:
    """Write an importer's result: units, incidents (new ones created, known ones updated), row issues, rollups.

    Returns the finished :class:`ImportBatch`. ``actor`` ``None`` is the system (CLI); otherwise an analyst.
    ``fence(batch)``, called in the transaction after everything else is written and before the batch is
    marked done, may raise to roll all of it back (a leased job whose lease passed to another run): with a
    fence the import is one transaction, so that a lost run stores nothing.

    Without a fence (the command line) it commits in steps — :data:`IMPORT_CHUNK` incidents at a time, then
    the rollups one day range at a time — and the batch is ``done`` only after the last step. One that fails
    half-way ends its batch ``failed`` with the error; the incidents it wrote stay, and importing the file
    again rolls up every day they touch (``pingan stats rollup`` rebuilds a range by hand).
    """
    _require_analyst(actor, "import incidents")
    read.check_accounting()
    if fence is not None:
        with transaction.atomic():
            units, batch = _import_start(read=read, actor=actor, sha256=sha256, batch=batch)
            return _import_steps(read=read, actor=actor, batch=batch, units=units, fence=fence)
    units, batch = _import_start(read=read, actor=actor, sha256=sha256, batch=batch)
    try:
        return _import_steps(read=read, actor=actor, batch=batch, units=units, fence=None)
    except Exception as exc:
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, finished_at=timezone.now(),
                                                       error=getattr(exc, "message", None) or str(exc))
        raise


@transaction.atomic
def _import_start(*, read: ImportRead, actor, sha256: str, batch: ImportBatch | None
                  ) -> tuple[dict[str, OrgUnit], ImportBatch]:
    """The organisation's units and the batch, saved (its own step when the import commits in steps)."""
    units = org_units_ensure(units=read.units)
    missing = {r.unit for r in read.records} - set(units)
    if missing:
        units.update({u.code: u for u in OrgUnit.objects.filter(code__in=missing)})
        missing -= set(units)
    if missing:
        raise DomainError(f"{read.filename}: unknown units {', '.join(sorted(missing))}", code="unknown_unit")
    if batch is None:
        batch = ImportBatch.objects.create(source=read.source, filename=read.filename, imported_by=actor,
                                           status=ImportBatch.Status.RUNNING)
    batch.org = units.get(read.org)
    batch.mapping_version, batch.sha256, batch.notes = read.mapping_version, sha256, list(read.notes)
    if batch.status == ImportBatch.Status.RUNNING:
        batch.save(update_fields=["org", "mapping_version", "sha256", "notes"])
    return units, batch


def _import_steps(*, read: ImportRead, actor, batch: ImportBatch, units: dict[str, OrgUnit],
                  fence: Callable[[ImportBatch], None] | None) -> ImportBatch:
    compare = [f for f in _FIELDS if f != "batch_id"]
    known = {row[0]: row[1:] for row in Incident.objects.filter(source=read.source)
             .values_list("source_ref", "id", *compare, "batch_id").iterator(chunk_size=10_000)}
    # incidents an import that failed half-way wrote: unchanged now, but their days are rolled up again
    failed = set(ImportBatch.objects.filter(source=read.source, status=ImportBatch.Status.FAILED)
                 .values_list("pk", flat=True))
    old: dict[int, tuple] = {}
    new, changed, again = [], [], []
    for rec in read.records:
        inc = _incident(rec, units[rec.unit].pk, batch.pk, read.source)
        have = known.get(rec.source_ref)
        if have is None:
            new.append(inc)
            continue
        inc.pk, batch_id, have = have[0], have[-1], have[:-1]
        if batch_id in failed:
            again.append(inc)
        if tuple(map(_comparable, (getattr(inc, f) for f in compare))) != tuple(map(_comparable, have[1:])):
            changed.append(inc)
            values = dict(zip(compare, have[1:], strict=True))
            old[inc.pk] = (values["unit_id"], values["count_date"], values["cleared_on"])
    # each chunk its own transaction (a savepoint inside a fenced import's one transaction)
    for chunk in _chunks(new, IMPORT_CHUNK):
        with transaction.atomic():
            Incident.objects.bulk_create(chunk, batch_size=IMPORT_CHUNK)
    for chunk in _chunks(changed, IMPORT_CHUNK):
        with transaction.atomic():
            Incident.objects.bulk_update(chunk, list(_FIELDS), batch_size=1000)
    issues = [RowIssue(batch=batch, row=i.row, kind=i.kind, code=i.code, column=i.column or "", message=i.message,
                       values=i.values) for i in (*read.excluded, *read.rejected)]
    for chunk in _chunks(issues, IMPORT_CHUNK):
        with transaction.atomic():
            RowIssue.objects.bulk_create(chunk, batch_size=IMPORT_CHUNK)
    written = new + changed + again
    days = [i.count_date for i in written] + [i.cleared_on for i in written if i.cleared_on]
    days += [d for _u, cd, cl in old.values() for d in (cd, cl) if d]
    touched = {i.unit_id for i in written} | {u for u, _d, _c in old.values()}
    if days:
        anc = ancestors_of(touched)
        for start, end in day_ranges(days):
            rollup_refresh(start=start, end=end, units=anc)  # one transaction per day range
    with transaction.atomic():
        batch.counts = {"rows": read.rows_total, "incidents": len(read.records), "created": len(new),
                        "updated": len(changed), "unchanged": len(read.records) - len(new) - len(changed),
                        "excluded": len(read.excluded), "rejected": len(read.rejected),
                        "rows_in_incidents": sum(len(r.rows) for r in read.records),
                        **coverage_of(read.records), "scope": list(read.scope),
                        "clearance": read.records_clearance}
        if fence is not None:
            fence(batch)
        batch.status, batch.finished_at = ImportBatch.Status.DONE, timezone.now()
        batch.lease_owner, batch.lease_expires_at = "", None  # finished: no worker holds it any more
        batch.save(update_fields=["org", "mapping_version", "sha256", "notes", "counts", "status", "finished_at",
                                  "lease_owner", "lease_expires_at"])
        audit.record(actor, "import", "stats.ImportBatch", batch.pk,
                     detail={"source": read.source, "file": read.filename, **batch.counts})
    return batch


def coverage_of(records: Iterable[IncidentRecord]) -> dict:
    """What a file covers: its first and last counting day and its offences (the CompStat pages tell a zero
    from "this data set does not have that" with it)."""
    days = [r.count_date for r in records]
    if not days:
        return {}
    return {"first_day": min(days).isoformat(), "last_day": max(days).isoformat(),
            "offences": sorted({r.offence for r in records})}


def _comparable(v):
    # Aware datetimes in a DST gap or fold never compare equal across zones (PEP 495): compare in UTC.
    return v.astimezone(dt.UTC) if isinstance(v, dt.datetime) and v.tzinfo else v


def day_ranges(days: Iterable[dt.date], most: int = 40) -> list[tuple[dt.date, dt.date]]:
    """Contiguous ranges covering ``days``; a single overall range when there would be more than ``most``."""
    ordered = sorted(set(days))
    if not ordered:
        return []
    out = [[ordered[0], ordered[0]]]
    for d in ordered[1:]:
        if (d - out[-1][1]).days <= 1:
            out[-1][1] = d
        else:
            out.append([d, d])
    if len(out) > most:
        return [(ordered[0], ordered[-1])]
    return [(a, b) for a, b in out]


def _incident(rec: IncidentRecord, unit_id: int, batch_id: int, source: str) -> Incident:
    return Incident(
        source=source, source_ref=rec.source_ref, batch_id=batch_id, unit_id=unit_id, reported_at=rec.reported_at,
        occurred_from=rec.occurred_from, occurred_to=rec.occurred_to, count_date=rec.count_date,
        timezone=rec.timezone, offence=rec.offence, offence_codes=list(rec.offence_codes),
        source_category=rec.source_category[:300], place_type=rec.place_type, attempted=rec.attempted,
        location=rec.location[:300], block=rec.block[:200], latitude=rec.latitude, longitude=rec.longitude,
        status=rec.status, clearance=rec.clearance, exceptional_code=rec.exceptional_code,
        cleared_on=rec.cleared_on, cleared_on_estimated=rec.cleared_on_estimated, victims=rec.victims,
        injured=rec.injured, killed=rec.killed, property_loss=rec.property_loss,
        amount_involved=rec.amount_involved, amount_recovered=rec.amount_recovered, currency=rec.currency)


def import_source(*, source: str, path: str | Path | None = None, actor=None) -> ImportBatch:
    """Import one of the registered open-data sources (``stats.importers.sources()``) from ``path`` (default:
    the bundled file). Raises ``DomainError`` ``unknown_source`` or ``bad_source_file``."""
    _require_analyst(actor, "import incidents")
    try:
        src = sources()[source]
    except KeyError:
        raise DomainError(f"unknown source {source!r}; known: {', '.join(sources())}", code="unknown_source",
                          params={"source": source}) from None
    file = Path(path) if path is not None else src.default()
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise DomainError(f"cannot read {file}: {exc.strerror or exc}", code="bad_source_file") from exc
    try:
        read = src.read(file)
    except ValueError as exc:
        raise DomainError(str(exc), code="bad_source_file") from exc
    return import_write(read=read, actor=actor, sha256=_sha256(data))


def bureau_units(root: OrgUnit) -> dict[str, str]:
    """Name → code and code → code of the territorial units of ``root``'s organisation (the 辖区 column)."""
    out: dict[str, str] = {}
    kinds = (OrgUnit.Kind.BUREAU, OrgUnit.Kind.BRANCH, OrgUnit.Kind.STATION, OrgUnit.Kind.AREA)
    for code, name in OrgUnit.objects.filter(path__startswith=root.path, kind__in=kinds).values_list("code", "name"):
        out[name] = code
        out[code] = code
    return out


def _bureau_root(actor, org_code: str | None) -> OrgUnit:
    if org_code:
        root = OrgUnit.objects.filter(code=org_code, parent__isnull=True).first()
        if root is None:
            raise DomainError(f"{org_code} is not the code of an organisation's root unit", code="unknown_org",
                              params={"org": org_code})
        return root
    if actor is not None and actor.unit_id:
        return OrgUnit.objects.get(path=actor.unit.path.split("/", 1)[0] + "/")
    root = OrgUnit.objects.filter(parent__isnull=True, kind=OrgUnit.Kind.BUREAU).order_by("path").first()
    if root is None:
        raise DomainError("no organisation: run `pingan init` and load the organisation first", code="unknown_org")
    return root


def bureau_import(*, data: bytes, filename: str, actor=None, org_code: str | None = None,
                  batch: ImportBatch | None = None, fence: Callable[[ImportBatch], None] | None = None
                  ) -> ImportBatch:
    """Import a bureau template (CSV/XLSX/XLS) into the organisation of ``org_code`` (default: the actor's, or
    the first bureau). Every row ends an incident or a rejection with its reason (``batch.issues``).
    Raises ``DomainError`` ``unreadable_file`` when the file cannot be read at all (``params["message"]``: why,
    as a message of its own, ``RosterError.as_param``)."""
    from pingan.screening.roster import RosterError
    from pingan.stats.importers import bureau

    _require_analyst(actor, "import incidents")
    root = _bureau_root(actor, org_code)
    allowed = None
    if actor is not None:  # an analyst imports into their own subtree; the command line into any unit
        path = jurisdiction.tree_path(actor)
        allowed = {code: actor.unit.name for code in OrgUnit.objects.filter(path__startswith=path or "\0")
                   .values_list("code", flat=True)}
    try:
        read = bureau.read(data, units=bureau_units(root), org=root.code, filename=filename, allowed=allowed)
    except RosterError as exc:  # why, as a code and params: the job page says it in its reader's language
        raise DomainError(exc.message, code="unreadable_file", message_id="stats_unreadable_file",
                          params={"message": exc.as_param()}) from None
    read.units = {root.code: UnitRef(root.code, root.name, root.kind)}
    return import_write(read=read, actor=actor, sha256=_sha256(data), batch=batch, fence=fence)


#: The leased-job kind of an uploaded bureau file (``pingan worker`` runs :func:`import_execute`).
IMPORT_JOB = "stats-import"


@transaction.atomic
def import_submit(*, actor, filename: str, data: bytes) -> ImportBatch:
    """Keep an uploaded bureau template and queue its import as a leased job (:data:`IMPORT_JOB`); returns
    the queued batch."""
    _require_analyst(actor, "import incidents")
    if not data:
        raise DomainError(f"{filename} is empty", code="empty_upload", params={"name": filename})
    batch = ImportBatch.objects.create(source="bureau", filename=filename[:255], sha256=_sha256(data),
                                       imported_by=actor)
    folder = Path(settings.DATA_DIR) / "stats" / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"import-{batch.pk}{Path(filename).suffix.lower()[:8]}"
    path.write_bytes(data)
    batch.upload_path = str(path)
    batch.save(update_fields=["upload_path"])
    jobs.enqueue_on_commit(IMPORT_JOB, batch.pk)
    return batch


class _LeaseLost(Exception):
    """This run no longer holds the import's lease: what it wrote is rolled back."""


def _lease_fence(batch: ImportBatch) -> None:
    list(ImportBatch.objects.select_for_update().filter(pk=batch.pk).values_list("pk"))
    if not jobs.lease_held(batch):
        raise _LeaseLost


def import_execute(job_id: int) -> None:
    """The work of a leased import (``pingan worker`` calls it in a child process, given the batch id).

    The incidents, the row issues, the rollups and the batch's ``done`` are one transaction, fenced by the
    lease at its end (:func:`pingan.core.jobs.lease_held`): a run whose worker was presumed dead and whose
    job another run took up stores nothing, so a file is never imported twice and no row issue is listed
    twice. A file that cannot be read, or that vanished, fails the job with its reason
    (``stats_unreadable_file``, ``stats_upload_missing``); the worker records anything else as
    ``internal_error``.
    """
    batch = ImportBatch.objects.select_related("imported_by__unit").filter(pk=job_id).first()
    if batch is None:
        return
    try:
        data = Path(batch.upload_path).read_bytes()
    except OSError as exc:
        raise jobs.JobFailed("stats_upload_missing", f"{batch.filename}: the uploaded file is gone "
                             f"({exc.strerror or exc})", {"name": batch.filename}) from None
    try:
        bureau_import(data=data, filename=batch.filename, actor=batch.imported_by, batch=batch, fence=_lease_fence)
    except _LeaseLost:
        return  # the run holding the lease now stores its own result
    except DomainError as exc:
        raise jobs.JobFailed(f"stats_{exc.code}", exc.message, {"message": exc.message, **exc.params}) from None


# ------------------------------------------------------------------------------------------- reclassification

#: Fields a reclassification may change, with how to read a submitted value.
RECLASSIFIABLE = ("offence", "place_type", "attempted", "status", "clearance", "exceptional_code", "cleared_on",
                  "property_loss", "amount_involved", "amount_recovered", "injured", "killed", "victims")
REASON_MAX = 2000


def _jsonable(v):
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def _parse(field: str, value):
    if value is None or value == "":
        if field in ("property_loss", "amount_involved", "amount_recovered", "cleared_on", "victims"):
            return None
        if field in ("place_type", "clearance", "exceptional_code"):
            return ""
    if field in ("property_loss", "amount_involved", "amount_recovered"):
        try:
            d = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            raise DomainError(f"{field}: {value!r} is not an amount", code="bad_value",
                              params={"field": field, "value": value}) from None
        if d < 0:
            raise DomainError(f"{field}: an amount cannot be negative", code="bad_value",
                              params={"field": field, "value": value})
        return d
    if field == "cleared_on":
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError(f"cleared_on: {value!r} is not a date (YYYY-MM-DD)", code="bad_value",
                              params={"field": field, "value": value}) from None
    if field == "attempted":
        return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "on")
    if field in ("injured", "killed", "victims"):
        try:
            n = int(value)
        except (TypeError, ValueError):
            raise DomainError(f"{field}: {value!r} is not a whole number", code="bad_value",
                              params={"field": field, "value": value}) from None
        if n < 0:
            raise DomainError(f"{field} cannot be negative", code="bad_value", params={"field": field, "value": value})
        return n
    return str(value)


def _validate(inc: Incident) -> None:
    vocab = vocabulary()
    if inc.offence not in vocab.offences:
        raise DomainError(f"{inc.offence!r} is not an offence of the vocabulary", code="bad_value",
                          params={"field": "offence", "value": inc.offence})
    if inc.place_type and inc.place_type not in vocab.place_types:
        raise DomainError(f"{inc.place_type!r} is not a place type", code="bad_value",
                          params={"field": "place_type", "value": inc.place_type})
    if inc.status not in Incident.Status.values:
        raise DomainError(f"{inc.status!r} is not a status", code="bad_value",
                          params={"field": "status", "value": inc.status})
    if inc.status == Incident.Status.CLEARED:
        if inc.clearance not in ("arrest", "exceptional") or inc.cleared_on is None:
            raise DomainError("a cleared incident needs its clearance (arrest or exceptional) and clearance date",
                              code="clearance_incomplete")
    elif inc.clearance or inc.exceptional_code or inc.cleared_on:
        raise DomainError("only a cleared incident has a clearance, code or clearance date",
                          code="clearance_incomplete")
    if inc.exceptional_code and (inc.clearance != "exceptional"
                                 or inc.exceptional_code not in Incident.ExceptionalCode.values):
        raise DomainError("the NIBRS code (A-E) belongs to an exceptional clearance", code="bad_value",
                          params={"field": "exceptional_code", "value": inc.exceptional_code})


@transaction.atomic
def incident_reclassify(*, actor, incident_id: int, reason: str, **changes) -> Reclassification:
    """Change an incident's classification, value or status, recording before, after, reason and actor.

    ``changes``: any of :data:`RECLASSIFIABLE` (strings as a form submits them, or typed values). Station
    chiefs within their subtree and analysts only; ``NotFound`` for an incident the actor may not see,
    ``DomainError`` for a missing reason (``reason_required``/``reason_too_long``), an unknown field, an
    invalid value, or no change (``no_change``). Marks the record a downgrade per
    :func:`pingan.stats.integrity.downgrade_reasons`, refreshes the rollups of the days it touches, and
    writes the audit record.
    """
    if actor is None or actor.role not in (Role.STATION_CHIEF, Role.ANALYST):
        raise PermissionDenied("only station chiefs and analysts reclassify incidents",
                               message_id="reclassify_not_allowed")
    inc = Incident.objects.select_for_update().select_related("unit").filter(pk=incident_id).first()
    if inc is None or not jurisdiction.in_tree(actor, inc.unit):
        raise NotFound(f"incident {incident_id} not found")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError("give the reason for the reclassification", code="reason_required",
                          message_id="reclassify_reason_required")
    if len(reason) > REASON_MAX:
        raise DomainError(f"the reason is {len(reason)} characters; the limit is {REASON_MAX}",
                          code="reason_too_long", message_id="reclassify_reason_too_long",
                          params={"length": len(reason), "limit": REASON_MAX})
    unknown = set(changes) - set(RECLASSIFIABLE)
    if unknown:
        raise DomainError(f"cannot reclassify {', '.join(sorted(unknown))}", code="bad_field",
                          params={"field": sorted(unknown)})
    state_fields = (*RECLASSIFIABLE, "currency")
    before = {f: getattr(inc, f) for f in state_fields}
    for f, v in changes.items():
        setattr(inc, f, _parse(f, v))
    if inc.status != Incident.Status.CLEARED:  # un-clearing drops the clearance details with it
        inc.clearance, inc.exceptional_code, inc.cleared_on = "", "", None
    if inc.clearance != "exceptional" and not changes.get("exceptional_code"):
        inc.exceptional_code = ""  # a clearance that is no longer exceptional drops its code; a code given is checked
    _validate(inc)
    after = {f: getattr(inc, f) for f in state_fields}
    diff = {f: [_jsonable(before[f]), _jsonable(after[f])] for f in RECLASSIFIABLE if before[f] != after[f]}
    if not diff:
        raise DomainError("nothing changed", code="no_change", message_id="reclassify_no_change")
    if "cleared_on" in diff:
        inc.cleared_on_estimated = False
    inc.save()
    reasons = integrity.downgrade_reasons(before, after)
    rec = Reclassification.objects.create(incident=inc, unit=inc.unit, actor=actor, at=timezone.now(),
                                          changes=diff, reason=reason, downgrade=bool(reasons),
                                          downgrade_reasons=reasons)
    audit.record(actor, "reclassify", "stats.Incident", inc.pk,
                 detail={"changes": diff, "reason": reason, "downgrade": reasons})
    days = {d for d in (before["cleared_on"], after["cleared_on"], inc.count_date) if d}
    anc = ancestors_of([inc.unit_id])
    for start, end in day_ranges(days):
        rollup_refresh(start=start, end=end, units=anc)
    return rec


# ------------------------------------------------------------------------------------------- vehicles


@transaction.atomic
def vehicle_count_set(*, actor, unit: OrgUnit, year: int, vehicles: int, source: str) -> VehicleCount:
    """Record the registered motor vehicles of ``unit``'s area in ``year`` (for deaths per 10,000 vehicles)."""
    _require_analyst(actor, "record vehicle counts")
    if actor is not None and not jurisdiction.in_tree(actor, unit):
        raise NotFound(f"unit {unit.code} not found")
    if vehicles <= 0:
        raise DomainError("the number of vehicles must be positive", code="bad_value",
                          params={"field": "vehicles", "value": vehicles})
    if not source.strip():
        raise DomainError("say where the vehicle count comes from", code="source_required")
    obj, _ = VehicleCount.objects.update_or_create(unit=unit, year=year,
                                                   defaults={"vehicles": vehicles, "source": source.strip()})
    audit.record(actor, "update", "stats.VehicleCount", obj.pk, detail={"unit": unit.code, "year": year,
                                                                        "vehicles": vehicles})
    return obj
