"""Continuous re-screening: when risk data change, re-evaluate only the people whose outcome can change.

A screening answers once; risk data keep arriving. After each import (:func:`reevaluation_task`, enqueued by
:func:`pingan.screening.services.risk_dataset_store`) :func:`reevaluate` finds, among the people of every
premises' **latest finished screening** whose person data is still kept (``is_latest``, not purged under the
retention policy), those the change can affect — the work is proportional to the change, not to the
population:

* **risk-area listings** (a new snapshot, or one that lifts a listing): the listing rows that differ from the
  previous snapshot (added, removed, or with another level or interval) give the changed areas; the people
  with a movement record in one of those areas (a county code, or inside a listed prefecture/province), and
  the people whose current hits name a changed area, are re-evaluated;
* **movement records** (a day's delta): the people whose document number appears in a new record that lies
  in a listed area (a record anywhere else cannot change a movement rule's outcome);
* **a watchlist**: the people whose document number or name appears in it, and those with a watchlist hit.

They are screened again, together, by the batch engine against all the risk data now active, as of the
screening clock (now, or ``PINGAN_SCREENING_AS_OF``; never before the person's own screening). A person whose
level, rules or hits changed gets the new result, hits (the old ones of that person are replaced: the police
pages of the responsible unit list them at once) and an explanation (``PersonResult.reevaluation``: from →
to, and why, e.g. "listed on 2022-08-21: 思明区 莲前街道…"). Each run is a :class:`Reevaluation` row and an
audit record; the job's counts are recomputed; the premises whose people changed are passed to the hooks in
:data:`RESULTS_CHANGED_HOOKS` (the codes app re-derives their safety codes). A person matched by name only
(no usable document number) is reached through an existing hit or a watchlist name, not through a movement
record: that is the limit of working from the change.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pingan.core import audit
from pingan.screening.models import Hit, PersonResult, Reevaluation, RiskDataset, ScreeningJob

#: Called as ``hook({premises_id: cause})`` after a re-evaluation changed the results of people of those
#: premises (in its transaction; ``cause`` a message: code ``code_cause.reevaluation``, params ``dataset``,
#: ``changed``, ``job``); the codes app registers the re-derivation of their codes. Each returns how many
#: codes it changed.
RESULTS_CHANGED_HOOKS: list[Callable[[dict[int, dict]], int]] = []
#: Called as ``hook(run, raised)`` after a re-evaluation stored new police hits (in its transaction):
#: ``raised`` lists, per person with a hit they did not have before, ``person`` (the result id), ``job``,
#: ``premises`` (or ``None``), ``hits`` (how many new) and ``level``. The responsible units learn of them
#: through these (the alerts app registers one).
HITS_RAISED_HOOKS: list[Callable[[Reevaluation, list[dict]], None]] = []

_LISTING_KEY = ("area_key", "adcode", "level", "listed_from", "listed_until")
#: People looked up per query.
CHUNK = 10_000


def _latest_people() -> Any:
    return PersonResult.objects.filter(job__is_latest=True, job__purged_at__isnull=True, status="accepted")


def _listing_rows(path: str) -> set[tuple]:
    t = pq.read_table(path, columns=list(_LISTING_KEY))
    return set(zip(*(t.column(c).to_pylist() for c in _LISTING_KEY), strict=True))


def changed_listings(dataset: RiskDataset) -> tuple[set[str], set[str], list[dict]]:
    """``(adcodes, area_keys, rows)`` of the listing rows that differ between ``dataset`` and the listings
    snapshot imported before it (all of them when there is none)."""
    previous = (RiskDataset.objects.filter(kind=RiskDataset.Kind.LISTINGS, pk__lt=dataset.pk, purged_at__isnull=True)
                .exclude(path="").order_by("-pk").first())
    new = _listing_rows(dataset.path)
    old = _listing_rows(previous.path) if previous is not None else set()
    diff = new ^ old
    rows = [dict(zip(_LISTING_KEY, r, strict=True)) | {"lifted": r in old and r not in new} for r in diff]
    return {r[1] for r in diff if r[1]}, {r[0] for r in diff if r[0]}, rows


def _movement_ids_in(adcodes: set[str], paths: list[str] | None = None) -> set[str]:
    """Document numbers with a movement record in one of ``adcodes`` — a county code, or a prefecture
    ``PPCC00`` / province ``PP0000`` meaning everything inside it — in ``paths`` (default: every active
    movement dataset)."""
    from pingan.lib import duck
    from pingan.screening.services import active_paths

    paths = active_paths(RiskDataset.Kind.MOVEMENTS) if paths is None else paths
    if not paths or not adcodes:
        return set()
    counties = sorted(a for a in adcodes if not a.endswith("00"))
    prefectures = sorted(a[:4] for a in adcodes if a.endswith("00") and not a.endswith("0000"))
    provinces = sorted(a[:2] for a in adcodes if a.endswith("0000"))
    con = duck.connect(memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"], threads=settings.PINGAN["DUCKDB_THREADS"])
    try:
        con.execute("CREATE TEMP TABLE c(a VARCHAR); CREATE TEMP TABLE p(a VARCHAR); CREATE TEMP TABLE v(a VARCHAR)")
        for table, values in (("c", counties), ("p", prefectures), ("v", provinces)):
            if values:
                con.executemany(f"INSERT INTO {table} VALUES (?)", [(v,) for v in values])  # noqa: S608
        rows = con.execute(
            "SELECT DISTINCT id_number FROM read_parquet(?, union_by_name = true) "
            "WHERE id_number IS NOT NULL AND (adcode IN (SELECT a FROM c) OR left(adcode, 4) IN (SELECT a FROM p) "
            "OR left(adcode, 2) IN (SELECT a FROM v))", [paths]).fetchall()
    finally:
        con.close()
    return {r[0] for r in rows}


def _people_with_numbers(numbers: set[str]) -> set[int]:
    """The latest screenings' accepted people whose (corrected) document number is in ``numbers``. Many
    numbers go through a temporary table and hash joins on PostgreSQL (one scan of the results, whatever their
    count), as one JSON array parameter on SQLite.

    Not ``id_number IN (SELECT …) OR corrected_id_number IN (SELECT …)``: PostgreSQL cannot turn an ``OR`` of
    two sub-selects into a join, and once the numbers outgrow ``work_mem`` it checks each person against every
    number (500,000 numbers against a million people ran for over five minutes). Two joins and a ``UNION``
    instead, with enough ``work_mem`` for the numbers' hash table (transaction-local) and no JIT (compiling
    the plan costs more than running it)."""
    from django.db import connection

    if len(numbers) <= CHUNK:
        part = sorted(numbers)
        return set(_latest_people().filter(Q(id_number__in=part) | Q(corrected_id_number__in=part))
                   .values_list("pk", flat=True))
    if connection.vendor != "postgresql":
        # the embedded default (SQLite): the numbers as one JSON array, each ``IN`` an ephemeral index over it
        # (a parameter per number would pass SQLite's 32,766 a statement)
        from django.db.models.expressions import RawSQL

        part = json.dumps(sorted(numbers))
        return set(_latest_people().filter(Q(id_number__in=RawSQL("SELECT value FROM json_each(%s)", [part]))
                                           | Q(corrected_id_number__in=RawSQL("SELECT value FROM json_each(%s)",
                                                                              [part])))
                   .values_list("pk", flat=True))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE reeval_numbers (n varchar(40) PRIMARY KEY) ON COMMIT DROP")
        with cur.copy("COPY reeval_numbers (n) FROM STDIN") as copy:
            for n in numbers:
                copy.write_row((n[:40],))
        cur.execute("ANALYZE reeval_numbers")
        cur.execute("SET LOCAL work_mem = '128MB'")
        cur.execute("SET LOCAL jit = off")
        latest = ("FROM screening_personresult p JOIN screening_screeningjob j ON j.id = p.job_id "
                  "JOIN reeval_numbers r ON r.n = p.{column} "
                  "WHERE j.is_latest AND j.purged_at IS NULL AND p.status = 'accepted'")
        cur.execute(f"SELECT p.id {latest.format(column='id_number')} UNION "
                    f"SELECT p.id {latest.format(column='corrected_id_number')} AND p.corrected_id_number <> ''")
        return {r[0] for r in cur.fetchall()}


def affected_people(dataset: RiskDataset) -> tuple[set[int], dict[str, Any]]:
    """The ``PersonResult`` ids of the latest screenings that ``dataset`` can change, and what changed."""
    if dataset.kind == RiskDataset.Kind.LISTINGS:
        adcodes, keys, rows = changed_listings(dataset)
        people = _people_with_numbers(_movement_ids_in(adcodes))
        if keys:
            people.update(Hit.objects.filter(person__in=_latest_people(), source="movements", listing_ref__in=keys)
                          .values_list("person_id", flat=True))
        return people, {"kind": "listings", "areas": sorted(adcodes), "listing_rows": rows}
    if dataset.kind == RiskDataset.Kind.MOVEMENTS:
        # a new record can change an outcome only where it lies in a listed area (movement rules are about
        # stays in listed areas): the people with such a record
        from pingan.screening.services import active_listings

        listing = active_listings()
        areas = set(pq.read_table(listing.path, columns=["adcode"]).column("adcode").drop_null().to_pylist()) \
            if listing else set()
        numbers = _movement_ids_in(areas, [dataset.path])
        return _people_with_numbers(numbers), {"kind": "movements", "records": dataset.rows,
                                               "numbers_in_listed_areas": len(numbers)}
    table = pq.read_table(dataset.path)
    numbers: set[str] = set()
    names: set[str] = set()
    for e in table.to_pylist():
        names.update(n for n in [e.get("primary_name"), *(e.get("aliases") or [])] if n)
        numbers.update(d["number"] for d in (e.get("documents") or []) if d and d.get("number"))
    people = _people_with_numbers(numbers)
    ordered = sorted(names)
    for i in range(0, len(ordered), CHUNK):
        people.update(_latest_people().filter(name__in=ordered[i:i + CHUNK]).values_list("pk", flat=True))
    people.update(Hit.objects.filter(person__in=_latest_people(), source="watchlist")
                  .values_list("person_id", flat=True))
    return people, {"kind": "watchlist", "entries": table.num_rows}


#: The result columns a re-evaluation writes for a changed person, after its id (tuples to ``COPY``).
RESULT_COLUMNS = ("level", "rule_ids", "reason", "reasons", "police_priority", "hit_count", "silent_hit",
                  "reevaluation")
#: The hit columns a re-evaluation writes (every column: ``COPY`` takes no Django default).
HIT_COLUMNS = ("person_id", "job_id", "rule_id", "source", "record_ref", "listing_ref", "match_kind", "match_reasons",
               "level_effect", "police_priority", "silent", "detail")

_CHANGE_SET = """
WITH nk AS (SELECT DISTINCT "row" AS pk, rule_id || chr(31) || coalesce(record_ref, '') || chr(31)
                                        || coalesce(listing_ref, '') AS k FROM new_hits),
     ok AS (SELECT DISTINCT pk, rule_id || chr(31) || record_ref || chr(31) || listing_ref AS k FROM old_hits),
     added AS (SELECT pk, count(*) AS n FROM (SELECT pk, k FROM nk EXCEPT SELECT pk, k FROM ok) GROUP BY pk),
     removed AS (SELECT pk, count(*) AS n FROM (SELECT pk, k FROM ok EXCEPT SELECT pk, k FROM nk) GROUP BY pk)
SELECT n."row", coalesce(n.level, '') AS level, o.level AS old_level, n.rule_ids, n.reason, n.police_priority,
       n.hit_count, n.silent_hit, coalesce(a.n, 0) AS added, coalesce(r.n, 0) AS removed
FROM persons n JOIN old o ON o.pk = n."row"
LEFT JOIN added a ON a.pk = n."row" LEFT JOIN removed r ON r.pk = n."row"
WHERE coalesce(n.level, '') <> o.level
   OR list_sort(coalesce(n.rule_ids, []::VARCHAR[])) <> list_sort(coalesce(o.rule_ids, []::VARCHAR[]))
   OR a.n IS NOT NULL OR r.n IS NOT NULL
ORDER BY n."row"
"""


def _change_set(people: list[Any], police: pa.Table, hits: pa.Table) -> pa.Table:
    """The people whose result changed, computed in DuckDB: the new results (``police``, by ``row`` = result
    id) and hits joined to the stored levels, rules and hits; a person changed when the level, the set of
    rules or the set of hits (rule, record, listing) differs. Columns ``row``, ``level``, ``old_level``,
    ``rule_ids``, ``reason``, ``police_priority``, ``hit_count``, ``silent_hit`` and ``added``/``removed``
    (hits new to / gone from the person), ordered by ``row``."""
    import duckdb

    from pingan.core.copystore import ids_in

    old = pa.table({"pk": pa.array([p.pk for p in people], pa.int64()),
                    "level": pa.array([p.level or "" for p in people], pa.string()),
                    "rule_ids": pa.array([list(p.rule_ids or []) for p in people], pa.list_(pa.string()))})
    stored = list(zip(*Hit.objects.filter(person_id__in=ids_in(Hit, [p.pk for p in people])).values_list(
        "person_id", "rule_id", "record_ref", "listing_ref"), strict=True)) or [[], [], [], []]
    old_hits = pa.table({"pk": pa.array(stored[0], pa.int64()), "rule_id": pa.array(stored[1], pa.string()),
                         "record_ref": pa.array(stored[2], pa.string()),
                         "listing_ref": pa.array(stored[3], pa.string())})
    persons = police.select(["row", "level", "rule_ids", "reason", "police_priority", "hit_count", "silent_hit"])
    key = ["row", "rule_id", "record_ref", "listing_ref"]
    new_hits = hits.select(key) if hits.num_rows else pa.table(
        {c: pa.array([], pa.int64() if c == "row" else pa.string()) for c in key})
    con = duckdb.connect(config={"threads": int(settings.PINGAN["DUCKDB_THREADS"] or 1)})
    try:
        for name, table in (("old", old), ("old_hits", old_hits), ("persons", persons), ("new_hits", new_hits)):
            con.register(name, table)
        return con.sql(_CHANGE_SET).to_arrow_table()
    finally:
        con.close()


def _as_of(person_as_of: dt.datetime) -> dt.datetime:
    from pingan.screening.services import _as_of as screening_clock

    return max(screening_clock(None), person_as_of)


#: What a re-evaluation reads of each person (:func:`people_rows`): enough to screen them again and to tell
#: whether their result changed, without building a model instance per person.
PERSON_FIELDS = ("pk", "job_id", "job__as_of", "job__premises_id", "name", "id_number", "corrected_id_number",
                 "doc_type", "phone", "level", "rule_ids")


def people_rows(ids: Iterable[int] | None = None) -> list[Any]:
    """The accepted people of the latest screenings (all of them, or those with the result ids ``ids``) as
    named tuples of :data:`PERSON_FIELDS`, ordered by id."""
    from pingan.core.copystore import ids_in

    qs = _latest_people() if ids is None else _latest_people().filter(pk__in=ids_in(PersonResult, ids))
    return list(qs.order_by("pk").values_list(*PERSON_FIELDS, named=True))


def _roster(people: list[Any]) -> pa.Table:
    """The people as the engine's roster: ``row`` = the result's id (unique across jobs)."""
    return pa.table({
        "row": pa.array([p.pk for p in people], pa.int64()),
        "name": pa.array([p.name for p in people], pa.string()),
        "id_number": pa.array([p.corrected_id_number or p.id_number for p in people], pa.string()),
        "id_type": pa.array([p.doc_type if p.doc_type not in ("", "unknown") else None for p in people],
                            pa.string()),
        "phone": pa.array([p.phone or None for p in people], pa.string()),
        "status": pa.array(["accepted"] * len(people), pa.string()),
    })


def screen_again(people: list[Any]):
    """Screen ``people`` (rows of :func:`people_rows`) again, together, with the batch engine against all the
    risk data now active, as of the screening clock (never before the latest of their screenings). Returns
    ``(ScreenResult, ruleset)``. The re-evaluation screens the people a change can affect; screening everyone
    through this function is re-screening from scratch (the benchmark compares the two)."""
    from pingan.screening import batch, rules
    from pingan.screening import services as sv

    listing = sv.active_listings()
    ruleset = rules.load_ruleset()
    as_of = _as_of(max(p.job__as_of for p in people))
    engine = batch.get_engine("duckdb", memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"],
                              threads=settings.PINGAN["DUCKDB_THREADS"], temp_directory=str(sv._data_dir("tmp")))
    result = engine.screen(_roster(people), listings=listing.path if listing else sv._empty_movements(),
                           movements=sv.active_paths(RiskDataset.Kind.MOVEMENTS) or sv._empty_movements(),
                           watchlist=sv.active_watchlist(), ruleset=ruleset, as_of=as_of)
    return result, ruleset


def _why(hits: list[dict], old_level: str, new_level: str) -> list[dict]:
    """What explains a change, as messages: each listing a movement hit falls in ("listed on …"), or that no
    rule applies any more. (Watchlist hits are silent: never explained where a submitter could read it.)"""
    out, seen = [], set()
    for h in hits:
        d = h["detail"]
        listing = d.get("listing")
        if listing and (listing.get("adcode"), listing.get("from")) not in seen:
            seen.add((listing.get("adcode"), listing.get("from")))
            out.append({"code": "reeval.listed", "params": {
                "date": (listing.get("from") or "")[:10], "community": listing.get("community", ""),
                "adcode": listing.get("adcode", ""), "level": listing.get("level", ""),
                "place": d.get("place", ""), "at": (d.get("from") or "")[:16].replace("T", " ")}})
    if not hits and old_level != new_level:
        out.append({"code": "reeval.cleared", "params": {}})
    return out


def reevaluate(*, dataset: RiskDataset, actor=None) -> Reevaluation:
    """Re-evaluate the people ``dataset`` can affect (module docstring) and store what changed; returns the
    run's :class:`Reevaluation` (``candidates``, ``changed``, ``hits_added``, ``hits_removed``,
    ``codes_changed``, ``seconds`` per stage)."""
    from pingan.core.copystore import copy_rows, copy_update_rows, ids_in
    from pingan.screening import services as sv

    clock = _Stages()
    run = Reevaluation.objects.create(dataset=dataset, as_of=sv._as_of(None))
    ids, change = affected_people(dataset)
    clock.lap("select")
    people = people_rows(ids) if ids else []
    clock.lap("read")
    if not people:
        _finish(run, candidates=0, changed=0, hits_added=0, hits_removed=0, codes_changed=0,
                seconds=clock.seconds(), change=change)
        audit.record(actor, "reevaluate", "RiskDataset", dataset.pk, detail={"run": run.pk, "candidates": 0})
        return run
    result, ruleset = screen_again(people)
    clock.lap("engine")
    police = result.police_view()
    changes = _change_set(people, police, result.hits)
    changed_rows = changes.column("row").to_pylist()
    hits_added = sum(changes.column("added").to_pylist())
    hits_removed = sum(changes.column("removed").to_pylist())
    # only the changed people's hits and results pass through Python, as tuples (no dict + model per row)
    hits = result.hits.filter(pa.compute.is_in(result.hits.column("row"), pa.array(changed_rows, pa.int64()))) \
        if changed_rows and result.hits.num_rows else result.hits.slice(0, 0)
    listed = hits.filter(pa.compute.equal(hits.column("source"), "watchlist")) if hits.num_rows else hits
    entries = sv._watchlist_entries({r for r in listed.column("record_ref").to_pylist() if r}) \
        if hits.num_rows else {}
    new_hits: dict[int, list[dict]] = defaultdict(list)
    for h in hits.to_pylist():
        new_hits[h["row"]].append({
            "rule_id": h["rule_id"], "source": h["source"] or "", "record_ref": h["record_ref"] or "",
            "listing_ref": h["listing_ref"] or "", "match_kind": h["match_kind"] or "",
            "match_reasons": list(h["match_reasons"] or []), "level_effect": h["level_effect"] or "",
            "police_priority": h["police_priority"], "silent": bool(h["silent"]),
            "detail": sv._hit_detail(h, entries)})
    reasons = _reasons_by_row(police.filter(pa.compute.is_in(police.column("row"), pa.array(changed_rows, pa.int64()))),
                              ruleset) if changed_rows else {}
    now = timezone.now()
    at = now.isoformat()
    job_of = {p.pk: (p.job_id, p.job__premises_id) for p in people}
    results: list[tuple] = []
    hit_rows: list[tuple] = []
    premises_of: dict[int, int | None] = {}
    raised: list[dict] = []
    for pk, level, old_level, rule_ids, reason, priority, hit_count, silent_hit, added in zip(
            changed_rows, *(changes.column(c).to_pylist() for c in (
                "level", "old_level", "rule_ids", "reason", "police_priority", "hit_count", "silent_hit", "added")),
            strict=True):
        job_id, premises_id = job_of[pk]
        person_hits = new_hits.get(pk, [])
        results.append((pk, level, list(rule_ids or []), reason or "", reasons.get(pk, []), priority, hit_count or 0,
                        bool(silent_hit), {"run": run.pk, "at": at, "from": old_level, "to": level,
                                           "dataset": dataset.name, "why": _why(person_hits, old_level, level)}))
        hit_rows.extend((pk, job_id, h["rule_id"], h["source"], h["record_ref"], h["listing_ref"], h["match_kind"],
                         h["match_reasons"], h["level_effect"], h["police_priority"], h["silent"], h["detail"])
                        for h in person_hits)
        premises_of[pk] = premises_id
        if added:
            raised.append({"person": pk, "job": job_id, "premises": premises_id, "hits": added, "level": level})
    clock.lap("compare")
    codes_changed = 0
    with transaction.atomic():
        PersonResult.objects.filter(pk__in=ids_in(PersonResult, [p.pk for p in people])).update(reevaluated_at=now)
        if results:
            copy_update_rows(PersonResult, RESULT_COLUMNS, results)
            Hit.objects.filter(person_id__in=ids_in(Hit, changed_rows)).delete()
            copy_rows(Hit, HIT_COLUMNS, hit_rows)
        ScreeningJob.objects.filter(pk__in={p.job_id for p in people}).update(reevaluated_at=now)
        _recount({job_of[pk][0] for pk in changed_rows})
        clock.lap("store")
        per_premises: dict[int, dict] = {}
        for pk in changed_rows:
            if premises_of[pk]:
                cause = per_premises.setdefault(premises_of[pk], {"code": "code_cause.reevaluation", "params": {
                    "dataset": dataset.name, "changed": 0, "job": job_of[pk][0]}})
                cause["params"]["changed"] += 1
        for hook in RESULTS_CHANGED_HOOKS:
            codes_changed += hook(per_premises) or 0
        clock.lap("codes")
        for hook in HITS_RAISED_HOOKS:
            hook(run, raised)
        clock.lap("notify")
        premises = sorted(per_premises)
        _finish(run, candidates=len(people), changed=len(changed_rows), hits_added=hits_added,
                hits_removed=hits_removed, codes_changed=codes_changed, seconds=clock.seconds(), change=change)
        audit.record(actor, "reevaluate", "RiskDataset", dataset.pk, detail={
            "run": run.pk, "candidates": len(people), "changed": len(changed_rows), "hits_added": hits_added,
            "hits_removed": hits_removed, "codes_changed": codes_changed, "premises": premises[:200],
            "people": changed_rows[:1000], "people_with_new_hits": len(raised)})
    return run


class _Stages:
    """Wall-clock and CPU seconds of each stage of a run (``Reevaluation.stats["seconds"]``; the machine may be
    shared, so CPU time stands beside the wall clock)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.cpu_start = self.cpu_last = time.process_time()
        self.stages: dict[str, float] = {}
        self.cpu: dict[str, float] = {}

    def lap(self, name: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.stages[name] = round(now - self.last, 3)
        self.cpu[name] = round(cpu - self.cpu_last, 3)
        self.last, self.cpu_last = now, cpu

    def seconds(self) -> dict:
        return {**self.stages, "total": round(time.perf_counter() - self.start, 3),
                "cpu": {**self.cpu, "total": round(time.process_time() - self.cpu_start, 3)}}


def _finish(run: Reevaluation, **fields: Any) -> None:
    change = fields.pop("change")
    run.candidates, run.changed = fields["candidates"], fields["changed"]
    run.hits_added, run.hits_removed, run.codes_changed = fields["hits_added"], fields["hits_removed"], \
        fields["codes_changed"]
    run.stats = {"seconds": fields["seconds"], "change": _plain(change)}
    run.finished_at = timezone.now()
    run.save()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _reasons_by_row(persons: pa.Table, ruleset) -> dict[int, list]:
    """Each re-evaluated row's reasons as messages (:mod:`pingan.screening.reasons`), by ``row``."""
    import json

    from pingan.screening import reasons

    per_row = reasons.row_reasons(
        persons, roster=None, rejections=[], rule_texts={r.id: r.reason_text for r in ruleset.rules},
        rule_order=[r.id for r in ruleset.rules], identity_rules=[r.id for r in ruleset.of_kind("identity")])
    return dict(zip(persons.column("row").to_pylist(), json.loads("[" + ",".join(
        reasons.as_json(per_row).to_pylist()) + "]"), strict=True))


def _recount(job_ids: Iterable[int]) -> None:
    """Recompute the level counts and hit counts of re-evaluated jobs (the pages and dashboards read them): two
    grouped queries for all of them and one write, not three queries per job."""
    from pingan.core.copystore import copy_update

    ids = sorted(job_ids)
    if not ids:
        return
    levels = {a["job_id"]: a for a in PersonResult.objects.filter(job_id__in=ids).values("job_id").annotate(
        green=Count("id", filter=Q(status="accepted", level="green")),
        yellow=Count("id", filter=Q(status="accepted", level="yellow")),
        red=Count("id", filter=Q(status="accepted", level="red")))}
    hits = {a["job_id"]: a for a in Hit.objects.filter(job_id__in=ids).values("job_id").annotate(
        n=Count("id"), n_silent=Count("id", filter=Q(silent=True)),
        n_flagged=Count("person", filter=Q(silent=False), distinct=True))}
    jobs = list(ScreeningJob.objects.filter(pk__in=ids).only("pk", "counts"))
    for job in jobs:
        agg, h = levels.get(job.pk, {}), hits.get(job.pk, {})
        job.counts = {**job.counts, "green": agg.get("green", 0), "yellow": agg.get("yellow", 0),
                      "red": agg.get("red", 0), "police_hits": h.get("n", 0), "silent_hits": h.get("n_silent", 0),
                      "flagged_people": h.get("n_flagged", 0)}
    copy_update(ScreeningJob, jobs, ["counts"])
