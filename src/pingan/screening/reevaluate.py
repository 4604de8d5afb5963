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
audit record; the jobs' level and hit counts move by their people's changes; the premises whose
people changed are passed, with those counts, to the hooks in :data:`RESULTS_CHANGED_HOOKS` (the codes app
re-derives their safety codes). The people are found in, and the engine screens them from, the
engine-roster table (:mod:`.rostertable`: every latest screening's roster rows as the screening gave them to
the engine, and each accepted row's result id and stored number, in one memory-mapped Arrow file kept in
step with the jobs), as the screening did (:func:`_rosters`): a person matched on name + date of birth, or
through a GB 11643 recovery candidate, gets what a fresh screening gives; the people whose number is not
usable as given (:data:`UNVERIFIED_STATUSES`) are all looked at after a movement or listing change.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from pingan.core import audit

# the hooks the codes and alerts apps register (pingan.screening.hooks: without loading this module)
from pingan.screening.hooks import HITS_RAISED_HOOKS, RESULTS_CHANGED_HOOKS, RESULTS_CHANGING_HOOKS, RUN_STARTED_HOOKS
from pingan.screening.models import Hit, PersonResult, Reevaluation, RiskDataset, ScreeningJob

_LISTING_KEY = ("area_key", "adcode", "level", "listed_from", "listed_until")


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


def _movement_numbers(adcodes: set[str], paths: list[str] | None = None) -> pa.Array:
    """The distinct document numbers with a movement record in one of ``adcodes`` — a county code, or a
    prefecture ``PPCC00`` / province ``PP0000`` meaning everything inside it — in ``paths`` (default: every
    active movement dataset), as an Arrow array (hundreds of thousands of them never become Python strings)."""
    from pingan.lib import duck
    from pingan.screening.services import active_paths

    paths = active_paths(RiskDataset.Kind.MOVEMENTS) if paths is None else paths
    if not paths or not adcodes:
        return pa.array([], pa.string())
    counties = sorted(a for a in adcodes if not a.endswith("00"))
    prefectures = sorted(a[:4] for a in adcodes if a.endswith("00") and not a.endswith("0000"))
    provinces = sorted(a[:2] for a in adcodes if a.endswith("0000"))
    con = duck.connect(memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"], threads=settings.PINGAN["DUCKDB_THREADS"])
    try:
        for name, values in (("c", counties), ("p", prefectures), ("v", provinces)):
            con.register(name, pa.table({"a": pa.array(values, pa.string())}))
        return con.sql(
            "SELECT DISTINCT id_number FROM read_parquet(?, union_by_name = true) "
            "WHERE id_number IS NOT NULL AND (adcode IN (SELECT a FROM c) OR left(adcode, 4) IN (SELECT a FROM p) "
            "OR left(adcode, 2) IN (SELECT a FROM v))", params=[paths]).to_arrow_table().column(0).combine_chunks()
    finally:
        con.close()


class _Wanted:
    """Whom a change can affect, before they are looked up: the document ``numbers`` (an Arrow array, matched
    against the number as given and the corrected one), ``names``, and the people holding hits of
    ``hit_source`` (all of them, or those naming one of ``hit_refs`` as listing)."""

    def __init__(self, numbers: pa.Array | None = None, names: Iterable[str] = (), hit_source: str = "",
                 hit_refs: Iterable[str] | None = None, unverified: bool = False) -> None:
        self.numbers = numbers if numbers is not None else pa.array([], pa.string())
        self.names = sorted(set(names))
        self.hit_source = hit_source
        self.hit_refs = sorted(set(hit_refs)) if hit_refs is not None else None
        self.unverified = unverified


#: The identity statuses of people the engine matches to movement records otherwise than by the number they
#: gave: on name + date of birth (no usable number), or through a GB 11643 recovery candidate (a wrong check
#: character; ``corrected`` once recovered). A movement record or listing reaches them whatever its number.
UNVERIFIED_STATUSES = ("invalid", "unverifiable", "corrected")


def _wanted(dataset: RiskDataset) -> tuple[_Wanted, dict[str, Any]]:
    """Whom ``dataset`` can affect (module docstring), and what changed."""
    if dataset.kind == RiskDataset.Kind.LISTINGS:
        adcodes, keys, rows = changed_listings(dataset)
        return (_Wanted(_movement_numbers(adcodes), hit_source="movements" if keys else "", hit_refs=keys,
                        unverified=bool(adcodes)),
                {"kind": "listings", "areas": sorted(adcodes), "listing_rows": rows})
    if dataset.kind == RiskDataset.Kind.MOVEMENTS:
        # a new record can change an outcome only where it lies in a listed area (movement rules are about
        # stays in listed areas): the people with such a record
        from pingan.screening.services import active_listings

        listing = active_listings()
        areas = set(pq.read_table(listing.path, columns=["adcode"]).column("adcode").drop_null().to_pylist()) \
            if listing else set()
        numbers = _movement_numbers(areas, [dataset.path])
        return _Wanted(numbers, unverified=len(numbers) > 0), {
            "kind": "movements", "records": dataset.rows, "numbers_in_listed_areas": len(numbers)}
    table = pq.read_table(dataset.path)
    numbers: set[str] = set()
    names: set[str] = set()
    for e in table.to_pylist():
        names.update(n for n in [e.get("primary_name"), *(e.get("aliases") or [])] if n)
        numbers.update(d["number"] for d in (e.get("documents") or []) if d and d.get("number"))
    return (_Wanted(pa.array(sorted(numbers), pa.string()), names, hit_source="watchlist"),
            {"kind": "watchlist", "entries": table.num_rows})


def affected_people(dataset: RiskDataset) -> tuple[set[int], dict[str, Any]]:
    """The ``PersonResult`` ids of the latest screenings that ``dataset`` can change, and what changed."""
    wanted, change = _wanted(dataset)
    return set(_people_table(wanted).column("pk").to_pylist()), change


#: What a re-evaluation reads of each person (:func:`people_table`): enough to screen them again and to tell
#: whether their result changed. ``rule_ids`` is the stored JSON text.
PEOPLE_SCHEMA = pa.schema([("pk", pa.int64()), ("job_id", pa.int64()), ("as_of", pa.int64()),
                           ("premises_id", pa.int64()), ("name", pa.string()), ("id_number", pa.string()),
                           ("corrected_id_number", pa.string()), ("doc_type", pa.string()), ("phone", pa.string()),
                           ("level", pa.string()), ("rule_ids", pa.string()), ("row", pa.int64())])
_PEOPLE_SQL = ("SELECT p.id, p.job_id, (extract(epoch FROM j.as_of) * 1000000)::bigint, j.premises_id, p.name, "
               "p.id_number, p.corrected_id_number, p.doc_type, p.phone, p.level, p.rule_ids::text, p.row "
               "FROM screening_personresult p JOIN screening_screeningjob j ON j.id = p.job_id "
               "WHERE j.is_latest AND j.purged_at IS NULL AND p.status = 'accepted' {where} ORDER BY p.id")


def _csv(table: pa.Table) -> bytes:
    """``table`` as CSV without a header, the way PostgreSQL's ``COPY … (FORMAT csv)`` reads it: strings quoted
    (so ``""`` is an empty string), a null an unquoted empty field."""
    import io

    import pyarrow.csv as pcsv

    buf = io.BytesIO()
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=False))
    return buf.getvalue()


def _copy_out(cur, sql: str, params: list, schema: pa.Schema) -> pa.Table:
    """The rows of ``COPY (sql) TO STDOUT (FORMAT csv)`` as an Arrow table of ``schema`` (parsed in C, no
    Python object per value)."""
    import io

    import pyarrow.csv as pcsv

    buf = io.BytesIO()
    with cur.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)", params) as copy:
        for block in copy:
            buf.write(block)
    if not buf.tell():
        return schema.empty_table()
    buf.seek(0)
    return pcsv.read_csv(buf, pcsv.ReadOptions(column_names=schema.names),
                         pcsv.ParseOptions(newlines_in_values=True),
                         pcsv.ConvertOptions(column_types=schema, null_values=[""], strings_can_be_null=True,
                                             quoted_strings_can_be_null=False,
                                             true_values=["t", "1", "true"],  # PostgreSQL writes t and f
                                             false_values=["f", "0", "false"]))


def _copy_in(cur, table_sql: str, table: pa.Table) -> None:
    """``COPY table_sql FROM STDIN (FORMAT csv)`` the rows of ``table`` (one write of the CSV text)."""
    with cur.copy(f"COPY {table_sql} FROM STDIN (FORMAT csv)") as copy:
        copy.write(_csv(table))


def _reasons_stored(hits: pa.Table) -> pa.Table:
    """``hits`` with each ``match_reasons`` (a JSON array of the engine's English lines) as stored: codes and
    parameters (``match_reasons.stored``). The same arrays repeat (the 130,251 hits the bench's two runs store
    at 1,000,000 people hold 13 distinct ones: a movement hit's lines name its county and area), so each
    distinct one is converted once and the column is taken from those: a JSON parse and write per hit had
    cost ~1 s of CPU on the day's run."""
    import pyarrow.compute as pc

    from pingan.screening.match_reasons import stored_json

    i = hits.column_names.index("match_reasons")
    texts = hits.column(i).combine_chunks()
    distinct = pc.unique(texts)
    converted = pa.array([stored_json(t) for t in distinct.to_pylist()], pa.string())
    return hits.set_column(i, "match_reasons", converted.take(pc.index_in(texts, value_set=distinct)))


def _people_table(wanted: _Wanted, table: pa.Table | None = None) -> pa.Table:
    """The accepted people of the latest screenings that ``wanted`` names (:data:`PEOPLE_SCHEMA`, by id).

    Found in the engine-roster table (:mod:`.rostertable`, ``table``; default: :func:`rostertable.current`)
    with Arrow hash look-ups — the numbers against the stored numbers, the names, the people whose number is
    not usable as typed — and, in the database, only the holders of the hits the change concerns and (when
    the unusable numbers are not all taken anyway) the people whose *corrected* number a change names; then
    their stored rows are read by primary key (:func:`people_table`). Before the table, the numbers went by
    ``COPY`` into a temporary table joined to the million result rows (~1.7 s of the server's CPU on the
    issue-10 bench)."""
    if not (len(wanted.numbers) or wanted.names or wanted.hit_source or wanted.unverified):
        return PEOPLE_SCHEMA.empty_table()
    import pyarrow.compute as pc

    from pingan.screening import rostertable

    table = rostertable.current() if table is None else table
    chosen = pa.array(np.zeros(table.num_rows, bool))
    if len(wanted.numbers):
        chosen = pc.or_(chosen, pc.is_in(table.column("key_number"), value_set=wanted.numbers))
    if wanted.names:
        chosen = pc.or_(chosen, pc.is_in(table.column("key_name"), value_set=pa.array(wanted.names, pa.string())))
    if wanted.unverified:
        chosen = pc.or_(chosen, table.column("unsure"))
    ids = pc.filter(table.column("pk"), pc.fill_null(chosen, False)).drop_null()
    stored = _stored_ids(wanted)
    if len(stored):
        ids = pa.concat_arrays([ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids, stored])
    if not len(ids):
        return PEOPLE_SCHEMA.empty_table()
    return people_table(pc.unique(ids).to_numpy().tolist())


def _not_screened_with(dataset: RiskDataset, people: pa.Table) -> pa.Table:
    """``people`` without those whose screening read ``dataset`` itself (the job's ``stats["risk_datasets"]``,
    recorded since issue 11): there is nothing newer to check them against, so they are neither screened again
    nor marked re-evaluated — the job page and ``pingan screen`` said "re-checked against newer risk data" after
    the demo's imports, which its own screening had read. Jobs screened before the record existed stay in.
    Only the people's own jobs are asked about (not every latest job: the work follows the change), and on
    PostgreSQL the list is searched by the server (``@>``), not parsed here job by job."""
    if not people.num_rows:
        return people
    import pyarrow.compute as pc
    from django.db import connection
    from django.db.models.fields.json import KT

    from pingan.core.copystore import ids_in

    jobs = ScreeningJob.objects.filter(pk__in=ids_in(ScreeningJob, pc.unique(people.column("job_id")).to_pylist()),
                                       is_latest=True)
    if connection.vendor == "postgresql":
        read_it = list(jobs.filter(stats__risk_datasets__contains=[dataset.pk]).values_list("pk", flat=True))
    else:  # SQLite has no JSON containment: the lists are read and searched here
        read_it = [pk for pk, used in jobs.filter(stats__has_key="risk_datasets")
                   .annotate(used=KT("stats__risk_datasets")).values_list("pk", "used")
                   if dataset.pk in json.loads(used or "[]")]
    if not read_it:
        return people
    return people.filter(pc.invert(pc.is_in(people.column("job_id"), value_set=pa.array(read_it, pa.int64()))))


def _stored_ids(wanted: _Wanted) -> pa.Array:
    """The result ids only the database knows ``wanted`` to name: the holders of hits of ``hit_source`` (all,
    or those naming one of ``hit_refs``), and — unless the people with an unusable number are all taken
    (``unverified``), which the corrected ones are among — those whose corrected number is in ``numbers``."""
    from django.db import connection

    numbers = wanted.numbers if len(wanted.numbers) and not wanted.unverified else None
    if not (wanted.hit_source or numbers is not None):
        return pa.array([], pa.int64())
    if connection.vendor == "postgresql":
        parts, params = [], []
        if wanted.hit_source:
            parts.append("SELECT h.person_id FROM screening_hit h WHERE h.source = %s "
                         "AND (%s OR h.listing_ref = ANY(%s))")
            params += [wanted.hit_source, wanted.hit_refs is None, wanted.hit_refs or []]
        if numbers is not None:
            parts.append("SELECT p.id FROM screening_personresult p WHERE p.corrected_id_number <> '' "
                         "AND p.corrected_id_number = ANY(%s::text[])")
            params.append(numbers.to_pylist())
        with connection.cursor() as cur:
            cur.execute(" UNION ".join(parts), params)
            return pa.array([r[0] for r in cur.fetchall()], pa.int64())
    from django.db.models.expressions import RawSQL

    def many(values: list[str]) -> RawSQL:
        return RawSQL("SELECT value FROM json_each(%s)", [json.dumps(values)])

    people: set[int] = set()
    if numbers is not None:
        people.update(PersonResult.objects.exclude(corrected_id_number="").filter(
            corrected_id_number__in=many(sorted(set(numbers.to_pylist())))).values_list("pk", flat=True))
    if wanted.hit_source:
        hits = Hit.objects.filter(source=wanted.hit_source)
        if wanted.hit_refs is not None:
            hits = hits.filter(listing_ref__in=many(wanted.hit_refs))
        people.update(hits.values_list("person_id", flat=True))
    return pa.array(sorted(people), pa.int64())


#: The result columns a re-evaluation writes for a changed person, after its id (tuples to ``COPY``).
RESULT_COLUMNS = ("level", "rule_ids", "reason", "reasons", "police_priority", "hit_count", "silent_hit",
                  "reevaluation", "identity_status", "identity_reason", "corrected_id_number", "identity_detail")
#: The hit columns a re-evaluation writes (every column: ``COPY`` takes no Django default).
HIT_COLUMNS = ("person_id", "job_id", "rule_id", "source", "record_ref", "listing_ref", "match_kind", "match_reasons",
               "level_effect", "police_priority", "silent", "detail")

_CHANGE_SET = """
CREATE TEMP TABLE changed AS
WITH nk AS (SELECT DISTINCT "row" AS pk, rule_id || chr(31) || coalesce(record_ref, '') || chr(31)
                                        || coalesce(listing_ref, '') AS k FROM new_hits),
     ok AS (SELECT DISTINCT pk, rule_id || chr(31) || record_ref || chr(31) || listing_ref AS k FROM old_hits),
     added AS (SELECT pk, count(*) AS n FROM (SELECT pk, k FROM nk EXCEPT SELECT pk, k FROM ok) GROUP BY pk),
     removed AS (SELECT pk, count(*) AS n FROM (SELECT pk, k FROM ok EXCEPT SELECT pk, k FROM nk) GROUP BY pk)
SELECT n."row", coalesce(n.level, '') AS level, o.level AS old_level, coalesce(n.rule_ids, []::VARCHAR[]) AS rule_ids,
       coalesce(n.reason, '') AS reason, n.police_priority, coalesce(n.hit_count, 0) AS hit_count,
       coalesce(n.silent_hit, false) AS silent_hit, coalesce(a.n, 0) AS added, coalesce(r.n, 0) AS removed,
       o.job_id, o.premises_id,
       -- the identity as the engine sees it now: a recovery candidate may have turned up (``corrected``)
       coalesce(n.identity_status, '') AS identity_status, coalesce(n.identity_reason, '') AS identity_reason,
       coalesce(n.corrected_id_number, '') AS corrected_id_number, n.identity_error, n.identity_error_params,
       n.doc_type,
       -- rows whose reasons need more than their rules' texts (an identity detail, a note): pingan.screening.reasons
       coalesce(n.status, '') <> 'accepted'
       OR list_has_any(list_transform(coalesce(n.identity_notes, []), lambda x: x.code), $warning_notes)
       OR (coalesce(n.identity_error, '') <> '' AND list_has_any(coalesce(n.rule_ids, []::VARCHAR[]), $identity_rules))
       AS special
FROM persons n JOIN old o ON o.pk = n."row"
LEFT JOIN added a ON a.pk = n."row" LEFT JOIN removed r ON r.pk = n."row"
WHERE coalesce(n.level, '') <> o.level
   OR list_sort(coalesce(n.rule_ids, []::VARCHAR[]))
      <> list_sort(coalesce(from_json(o.rule_ids, '["VARCHAR"]'), []::VARCHAR[]))
   OR a.n IS NOT NULL OR r.n IS NOT NULL
"""

#: How each changed job's counts move (``job_id``; ``dg``, ``dy``, ``dr``: accepted people by level; ``dh``,
#: ``ds``, ``df``: police hits, silent hits, people flagged by a hit that is not silent), ordered by job: a
#: changed person's level before and after, and their hits — all of which are replaced — before and after. A
#: job whose people changed only in rules moves by 0. Status (accepted) does not change.
_DELTAS = """
WITH o AS (SELECT h.pk, count(*) AS n, count(*) FILTER (WHERE h.silent) AS s, bool_or(NOT h.silent) AS f
           FROM old_hits h SEMI JOIN changed c ON c."row" = h.pk GROUP BY h.pk),
     n AS (SELECT h."row" AS pk, count(*) AS n, count(*) FILTER (WHERE coalesce(h.silent, false)) AS s,
                  bool_or(NOT coalesce(h.silent, false)) AS f
           FROM new_hits h SEMI JOIN changed c ON c."row" = h."row" GROUP BY h."row")
SELECT c.job_id,
       sum((c.level = 'green')::INTEGER - (coalesce(c.old_level, '') = 'green')::INTEGER)::INTEGER AS dg,
       sum((c.level = 'yellow')::INTEGER - (coalesce(c.old_level, '') = 'yellow')::INTEGER)::INTEGER AS dy,
       sum((c.level = 'red')::INTEGER - (coalesce(c.old_level, '') = 'red')::INTEGER)::INTEGER AS dr,
       sum(coalesce(n.n, 0) - coalesce(o.n, 0))::INTEGER AS dh,
       sum(coalesce(n.s, 0) - coalesce(o.s, 0))::INTEGER AS ds,
       sum(coalesce(n.f, false)::INTEGER - coalesce(o.f, false)::INTEGER)::INTEGER AS df
FROM changed c LEFT JOIN o ON o.pk = c."row" LEFT JOIN n ON n.pk = c."row"
WHERE c.job_id IS NOT NULL
GROUP BY c.job_id ORDER BY c.job_id
"""

#: A time as ``datetime.isoformat()`` writes an aware UTC one (what ``services._hit_detail`` stores).
_ISO = """
CREATE MACRO iso(t) AS CASE WHEN t IS NULL THEN NULL ELSE strftime(t, '%Y-%m-%dT%H:%M:%S')
    || CASE WHEN (epoch_us(t) % 1000000 + 1000000) % 1000000 <> 0
            THEN '.' || lpad(CAST((epoch_us(t) % 1000000 + 1000000) % 1000000 AS VARCHAR), 6, '0') ELSE '' END
    || '+00:00' END
"""

#: The changed people's new hits; ``detail`` is what an officer needs to act on (``services._hit_detail`` in
#: SQL): where and when and the listing, or the watchlist entry.
_HITS_OUT = """
SELECT h."row" AS person_id, c.job_id, h.rule_id, coalesce(h.source, '') AS source,
       coalesce(h.record_ref, '') AS record_ref, coalesce(h.listing_ref, '') AS listing_ref,
       coalesce(h.match_kind, '') AS match_kind,
       to_json(coalesce(h.match_reasons, []::VARCHAR[]))::VARCHAR AS match_reasons,
       coalesce(h.level_effect, '') AS level_effect, h.police_priority, coalesce(h.silent, false) AS silent,
       CASE WHEN h.source = 'watchlist' THEN coalesce('{"entry":' || e.entry || '}', '{}')
            WHEN h.place IS NULL AND h.place_adcode IS NULL THEN '{}'
            WHEN coalesce(h.listing_level, '') <> '' THEN json_object(
                'place', coalesce(h.place, ''), 'adcode', coalesce(h.place_adcode, ''), 'from', iso(h.place_from),
                'until', iso(h.place_until), 'listing', json_object(
                    'community', coalesce(h.listing_community, ''), 'adcode', coalesce(h.listing_adcode, ''),
                    'level', h.listing_level, 'from', iso(h.listed_from), 'until', iso(h.listed_until)))::VARCHAR
            ELSE json_object('place', coalesce(h.place, ''), 'adcode', coalesce(h.place_adcode, ''),
                             'from', iso(h.place_from), 'until', iso(h.place_until))::VARCHAR END
       AS detail
FROM new_hits h JOIN changed c ON c."row" = h."row" LEFT JOIN entries e ON e.entry_id = h.record_ref
ORDER BY h.ord
"""

#: The changed people's new results: reasons from the rules' texts in rule-set order (or worked out in
#: Python for the special rows), and the explanation — each listing a movement hit falls in, once, in hit
#: order ("listed on …"), or that no rule applies any more (``_why`` did it per person in Python).
_RESULTS_OUT = """
WITH unnested AS (SELECT "row", unnest(rule_ids) AS rid, unnest(generate_series(1, len(rule_ids))) AS i
                  FROM changed WHERE NOT special),
     rule_reasons AS (
         SELECT u."row", '[' || string_agg(coalesce(m.msg, json_object('code', 'rule', 'params', json_object(
                    'rule', u.rid, 'text', json('{}')))::VARCHAR), ',' ORDER BY coalesce(m.ord, 1000000), u.i) || ']'
                AS reasons
         FROM unnested u LEFT JOIN rule_msgs m ON m.rid = u.rid GROUP BY u."row"),
     listed AS (
         SELECT h."row", min(h.ord) AS first, arg_min(json_object('code', 'reeval.listed', 'params', json_object(
                    'date', left(coalesce(iso(h.listed_from), ''), 10), 'community', coalesce(h.listing_community, ''),
                    'adcode', coalesce(h.listing_adcode, ''), 'level', h.listing_level,
                    'place', coalesce(h.place, ''),
                    'at', replace(left(coalesce(iso(h.place_from), ''), 16), 'T', ' ')))::VARCHAR, h.ord) AS msg
         FROM new_hits h SEMI JOIN changed c ON c."row" = h."row"
         WHERE coalesce(h.source, '') <> 'watchlist' AND (h.place IS NOT NULL OR h.place_adcode IS NOT NULL)
           AND coalesce(h.listing_level, '') <> ''
         GROUP BY h."row", coalesce(h.listing_adcode, ''), h.listed_from),
     why AS (SELECT "row", '[' || string_agg(msg, ',' ORDER BY first) || ']' AS why FROM listed GROUP BY "row")
SELECT c."row" AS id, c.level, to_json(c.rule_ids)::VARCHAR AS rule_ids, c.reason,
       coalesce(s.reasons, r.reasons, '[]') AS reasons, c.police_priority, c.hit_count, c.silent_hit,
       json_object('run', $run, 'at', $at, 'from', c.old_level, 'to', c.level, 'dataset', $dataset, 'why',
                   json(CASE WHEN c.hit_count = 0 AND c.old_level <> c.level
                             THEN '[{"code":"reeval.cleared","params":{}}]' ELSE coalesce(w.why, '[]') END))::VARCHAR
       AS reevaluation,
       c.identity_status, c.identity_reason, c.corrected_id_number, coalesce(d.detail, '{}') AS identity_detail
FROM changed c LEFT JOIN special_reasons s ON s."row" = c."row" LEFT JOIN rule_reasons r ON r."row" = c."row"
LEFT JOIN why w ON w."row" = c."row" LEFT JOIN identity_details d ON d."row" = c."row"
ORDER BY c."row"
"""


class _Changes:
    """What a re-evaluation changes, worked out in DuckDB from the engine's new results and hits joined to
    the stored levels, rules and hits (:func:`_changes`): ``results`` (the changed people's new result
    columns, JSON as text: ``id`` then :data:`RESULT_COLUMNS`), ``hits`` (their new hits, :data:`HIT_COLUMNS`),
    ``premises`` (premises id → changed people, the job of the first), ``raised`` (people with hits they did
    not have: ``person``, ``job``, ``premises``, ``hits``, ``level``), ``had_hits`` (the changed people who
    held hits before: whose hit rows are replaced), ``deltas`` (how each changed job's counts move:
    :data:`_DELTAS`), and the counts."""

    results: pa.Table
    hits: pa.Table
    premises: list[tuple[int, int, int]]
    raised: list[dict]
    had_hits: pa.Array
    deltas: pa.Table
    changed: int
    hits_added: int
    hits_removed: int


def _old_hits(ids: pa.Array) -> pa.Table:
    """The stored hits (``pk`` = person, ``rule_id``, ``record_ref``, ``listing_ref``, ``silent``) of the people
    ``ids``."""
    from django.db import connection

    schema = pa.schema([("pk", pa.int64()), ("rule_id", pa.string()), ("record_ref", pa.string()),
                        ("listing_ref", pa.string()), ("silent", pa.bool_())])
    if connection.vendor == "postgresql":
        from pingan.core.copystore import int_array

        with connection.cursor() as cur:
            return _copy_out(cur.cursor, "SELECT person_id, rule_id, record_ref, listing_ref, silent "
                                         "FROM screening_hit WHERE person_id = ANY(%s::bigint[])",
                             [int_array(ids.to_pylist())], schema)
    from pingan.core.copystore import ids_in

    stored = list(zip(*Hit.objects.filter(person_id__in=ids_in(Hit, ids.to_pylist())).values_list(
        "person_id", "rule_id", "record_ref", "listing_ref", "silent"), strict=True)) or [[], [], [], [], []]
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(stored, schema, strict=True)], schema=schema)


def _changes(people: pa.Table, result, ruleset, *, run: Reevaluation, at: str, dataset: RiskDataset) -> _Changes:
    """The people of ``people`` whose result changed (level, set of rules, or set of hits — rule, record,
    listing), with everything to store for them, computed in DuckDB over Arrow: only the few rows whose
    reasons need an identity detail pass through Python (:func:`_reasons_by_row`)."""
    import json

    import duckdb
    import numpy as np
    import pyarrow.compute as pc

    from pingan.screening import reasons
    from pingan.screening import services as sv

    police = result.police_view()
    hits = result.hits
    hits = hits.append_column("ord", pa.array(np.arange(hits.num_rows, dtype=np.int64)))
    watch = hits.filter(pc.equal(hits.column("source"), "watchlist")) if hits.num_rows else hits
    entries = sv._watchlist_entries({r for r in watch.column("record_ref").to_pylist() if r}) if watch.num_rows else {}
    order = [r.id for r in ruleset.rules]
    con = duckdb.connect(config={"threads": int(settings.PINGAN["DUCKDB_THREADS"] or 1)})
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute(_ISO)
        for name, table in (
                ("old", people.select(["pk", "job_id", "premises_id", "level", "rule_ids"])),
                ("old_hits", _old_hits(people.column("pk"))), ("persons", police), ("new_hits", hits),
                ("rule_msgs", pa.table({
                    "rid": pa.array(order, pa.string()), "ord": pa.array(range(len(order)), pa.int64()),
                    "msg": pa.array([json.dumps(reasons.message("rule", rule=r.id, text=dict(r.reason_text)),
                                                ensure_ascii=False, separators=(",", ":")) for r in ruleset.rules],
                                    pa.string())})),
                ("entries", pa.table({"entry_id": pa.array(list(entries), pa.string()),
                                      "entry": pa.array([json.dumps(e, ensure_ascii=False) for e in entries.values()],
                                                        pa.string())}))):
            con.register(name, table)
        con.execute(_CHANGE_SET, {"warning_notes": sorted(reasons.WARNING_NOTES),
                                  "identity_rules": [r.id for r in ruleset.of_kind("identity")] or [""]})
        special = con.sql('SELECT "row" FROM changed WHERE special').to_arrow_table().column(0)
        by_row = _reasons_by_row(police.filter(pc.is_in(police.column("row"), special)), ruleset) \
            if len(special) else {}
        con.register("special_reasons", pa.table({
            "row": pa.array(list(by_row), pa.int64()),
            "reasons": pa.array([json.dumps(m, ensure_ascii=False, separators=(",", ":")) for m in by_row.values()],
                                pa.string())}))
        # the stored identity detail (``services._identity_detail``) of the changed rows with an identity error
        details = {row: sv._identity_detail({"identity_error": err, "identity_error_params": params,
                                             "doc_type": doc_type})
                   for row, err, params, doc_type in con.sql(
                       'SELECT "row", identity_error, identity_error_params, doc_type FROM changed '
                       "WHERE coalesce(identity_error, '') <> ''").fetchall()}
        con.register("identity_details", pa.table({
            "row": pa.array(list(details), pa.int64()),
            "detail": pa.array([json.dumps(d, ensure_ascii=False, separators=(",", ":")) for d in details.values()],
                               pa.string())}))
        out = _Changes()
        out.results = con.sql(_RESULTS_OUT, params={"run": run.pk, "at": at,
                                                     "dataset": dataset.name}).to_arrow_table()
        out.hits = _reasons_stored(con.sql(_HITS_OUT).to_arrow_table())
        out.premises = con.sql('SELECT premises_id, count(*), arg_min(job_id, "row") FROM changed '
                               'WHERE premises_id IS NOT NULL GROUP BY premises_id ORDER BY premises_id').fetchall()
        out.raised = [{"person": r, "job": j, "premises": p, "hits": n, "level": lv} for r, j, p, n, lv in con.sql(
            'SELECT "row", job_id, premises_id, added, level FROM changed WHERE added > 0 ORDER BY "row"').fetchall()]
        # the changed people who held hits: only theirs are deleted before the new ones go in (after a day's
        # movement records most changed people had none, and 95,000 index probes finding nothing cost ~0.3 s)
        out.had_hits = con.sql('SELECT DISTINCT o.pk FROM old_hits o SEMI JOIN changed c ON c."row" = o.pk '
                               "ORDER BY o.pk").to_arrow_table().column(0).combine_chunks()
        out.deltas = con.sql(_DELTAS).to_arrow_table()
        out.changed, out.hits_added, out.hits_removed = con.sql(
            "SELECT count(*), coalesce(sum(added), 0), coalesce(sum(removed), 0) FROM changed").fetchall()[0]
        return out
    finally:
        con.close()


def _as_of(person_as_of: dt.datetime) -> dt.datetime:
    from pingan.screening.services import _as_of as screening_clock

    return max(screening_clock(None), person_as_of)


def people_table(ids: Iterable[int] | None = None) -> pa.Table:
    """The accepted people of the latest screenings (all of them, or those with the result ids ``ids``) as an
    Arrow table of :data:`PEOPLE_SCHEMA`, ordered by id (on PostgreSQL through ``COPY``: no Python object per
    person)."""
    from django.db import connection

    from pingan.core.copystore import int_array

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            if ids is None:
                return _copy_out(cur.cursor, _PEOPLE_SQL.format(where=""), [], PEOPLE_SCHEMA)
            return _copy_out(cur.cursor, _PEOPLE_SQL.format(where="AND p.id = ANY(%s::bigint[])"),
                             [int_array(sorted(ids))], PEOPLE_SCHEMA)
    import json

    from pingan.core.copystore import ids_in

    qs = _latest_people() if ids is None else _latest_people().filter(pk__in=ids_in(PersonResult, ids))
    rows = list(qs.order_by("pk").values_list("pk", "job_id", "job__as_of", "job__premises_id", "name", "id_number",
                                              "corrected_id_number", "doc_type", "phone", "level", "rule_ids",
                                              "row"))
    cols = list(zip(*rows, strict=True)) or [[] for _ in PEOPLE_SCHEMA]
    cols[2] = [round(t.timestamp() * 1_000_000) for t in cols[2]]
    cols[10] = [json.dumps(r or []) for r in cols[10]]
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(cols, PEOPLE_SCHEMA, strict=True)],
                                schema=PEOPLE_SCHEMA)


def _roster(people: pa.Table) -> pa.Table:
    """The people as the engine's roster: ``row`` = the result's id (unique across jobs)."""
    import pyarrow.compute as pc

    corrected, doc_type, phone = (people.column(c) for c in ("corrected_id_number", "doc_type", "phone"))
    null = pa.scalar(None, pa.string())
    return pa.table({
        "row": people.column("pk"),
        "name": people.column("name"),
        "id_number": pc.if_else(pc.fill_null(pc.not_equal(corrected, ""), False), corrected,
                                people.column("id_number")),
        "id_type": pc.if_else(pc.fill_null(pc.is_in(doc_type, pa.array(["", "unknown"])), True), null, doc_type),
        "phone": pc.if_else(pc.fill_null(pc.equal(phone, ""), True), null, phone),
        "status": pa.array(["accepted"] * people.num_rows, pa.string()),
    })


def _rosters(people: pa.Table, table: pa.Table | None = None) -> list[tuple[pa.Table, bool, set[int]]]:
    """The people's rows as their jobs' rosters gave them to the screening's engine — the number and phone as
    typed, the birth date (name + date-of-birth matching), the ID type — as ``(roster, resident_id_column,
    context rows)`` groups, one per value of the roster's ``resident_id_column``
    (:meth:`batch.DuckDBEngine.screen`), ``row`` = the result's id. With each person come the other rows of
    their roster giving the same number (``row`` negative, the ``context rows``): whether one number under two
    names is ``conflicting`` is decided within a roster.

    The rows come from the engine-roster table (:mod:`.rostertable`; ``table``, default
    :func:`rostertable.current`): the people and their context are picked out of it at once, in Arrow (hash
    look-ups in C++, nothing per row or job in Python). People the table has no roster row for (their job's
    engine roster and roster file are gone — retention — or unreadable) are rebuilt from their stored result
    (:func:`_roster`)."""
    import pyarrow.compute as pc

    from pingan.screening import rostertable
    from pingan.screening.roster import CANONICAL_FIELDS

    table = rostertable.current() if table is None else table
    out: list[tuple[pa.Table, bool, set[int]]] = []
    found = pa.array([], pa.int64())
    rows = table.filter(pc.invert(table.column("fallback"))) if table.num_rows else table
    if rows.num_rows:
        pks = people.column("pk").combine_chunks()
        mine = pc.fill_null(pc.is_in(rows.column("pk"), value_set=pks), False)
        # the context: the other rows of a chosen person's job giving the same number as typed — first the rows
        # with one of the chosen people's numbers (a hash look-up over the table), then the same job among them
        number = rows.column("id_number")
        numbers = pc.filter(number, pc.and_(mine, pc.not_equal(number, "")))
        context = pc.and_(pc.invert(mine), pc.is_in(number, value_set=pc.unique(numbers))) if len(numbers) \
            else pa.array(np.zeros(rows.num_rows, bool))
        if pc.any(context).as_py():
            def keyed(t: pa.Table) -> pa.Array:
                return pc.binary_join_element_wise(pc.cast(t.column("job_id"), pa.string()), t.column("id_number"),
                                                   "\x1f")

            near = np.flatnonzero(context.to_numpy(zero_copy_only=False))
            own = keyed(rows.filter(pc.and_(mine, pc.not_equal(number, ""))))
            same = pc.is_in(keyed(rows.take(near)), value_set=own).to_numpy(zero_copy_only=False)
            flags = np.zeros(rows.num_rows, bool)
            flags[near[same]] = True
            context = pa.array(flags)
        keep = pc.or_(mine, context)
        part = rows.filter(keep)
        context = pc.filter(context, keep)
        # the result's id, or for a context row a negative number (in table order: roster order within a job)
        negative = pa.array(-np.cumsum(context.to_numpy(zero_copy_only=False), dtype=np.int64))
        key = pc.if_else(context, negative, part.column("pk"))
        part = part.set_column(part.column_names.index("row"), "row", key)
        found = pc.filter(key, pc.invert(context))
        flags = part.column("resident_id_column")
        for flag in (False, True):
            of_flag = pc.equal(flags, flag)
            group = part.filter(of_flag)
            if group.num_rows:
                out.append((group.select(["row", *CANONICAL_FIELDS]), flag,
                            set(pc.filter(group.column("row"), pc.filter(context, of_flag)).to_pylist())))
    missing = pc.invert(pc.is_in(people.column("pk"), found))
    if pc.any(missing).as_py():
        out.append((_roster(people.filter(missing)), False, set()))
    return out


def screen_again(people: pa.Table, table: pa.Table | None = None):
    """Screen ``people`` (:func:`people_table`) again, together, with the batch engine against all the risk
    data now active, as of the screening clock (never before the latest of their screenings). Returns
    ``(ScreenResult, ruleset)``. The re-evaluation screens the people a change can affect; screening everyone
    through this function is re-screening from scratch (the benchmark compares the two)."""
    import pyarrow.compute as pc

    from pingan.screening import batch, rules
    from pingan.screening import services as sv

    listing = sv.active_listings()
    ruleset = rules.load_ruleset()
    latest = pc.max(people.column("as_of")).as_py()
    as_of = _as_of(dt.datetime.fromtimestamp(latest / 1_000_000, dt.UTC))
    engine = batch.get_engine("duckdb", memory_limit=settings.PINGAN["DUCKDB_MEMORY_LIMIT"],
                              threads=settings.PINGAN["DUCKDB_THREADS"], temp_directory=str(sv._data_dir("tmp")))
    persons, hits, stats = [], [], {}
    for roster, resident_id_column, context in _rosters(people, table):
        result = engine.screen(roster, listings=listing.path if listing else sv._empty_movements(),
                               movements=sv.active_paths(RiskDataset.Kind.MOVEMENTS) or sv._empty_movements(),
                               watchlist=sv.active_watchlist(), ruleset=ruleset, as_of=as_of,
                               resident_id_column=resident_id_column)
        own = pa.array(sorted(context), pa.int64())
        persons.append(result.persons.filter(pc.invert(pc.is_in(result.persons.column("row"), own))))
        hits.append(result.hits.filter(pc.invert(pc.is_in(result.hits.column("row"), own))))
        stats = result.stats
    persons_t = pa.concat_tables(persons).sort_by("row")
    hits_t = pa.concat_tables(hits)
    if len(hits) > 1:  # the engine's contract: hits ordered by row (their order within a row kept)
        hits_t = hits_t.take(pc.sort_indices(hits_t.append_column(
            "_ord", pa.array(range(hits_t.num_rows), pa.int64())), [("row", "ascending"), ("_ord", "ascending")]))
    return batch.ScreenResult(persons_t, hits_t, stats), ruleset


def reevaluate(*, dataset: RiskDataset, actor=None) -> Reevaluation:
    """Re-evaluate the people ``dataset`` can affect (module docstring) and store what changed; returns the
    run's :class:`Reevaluation` (``candidates``, ``changed``, ``hits_added``, ``hits_removed``,
    ``codes_changed``, ``seconds`` per stage)."""
    from pingan.screening import services as sv

    clock = _Stages()
    run = Reevaluation.objects.create(dataset=dataset, as_of=sv._as_of(None))
    wanted, change = _wanted(dataset)
    clock.lap("select")
    from pingan.screening import rostertable

    table = rostertable.current()
    clock.lap("table")
    people = _not_screened_with(dataset, _people_table(wanted, table))
    clock.lap("read")
    if not people.num_rows:
        _finish(run, candidates=0, changed=0, hits_added=0, hits_removed=0, codes_changed=0,
                seconds=clock.seconds(), change=change)
        audit.record(actor, "reevaluate", "RiskDataset", dataset.pk, detail={"run": run.pk, "candidates": 0})
        return run
    for hook in RUN_STARTED_HOOKS:
        hook(people.num_rows)
    result, ruleset = screen_again(people, table)
    del table
    clock.lap("engine")
    now = timezone.now()
    changes = _changes(people, result, ruleset, run=run, at=now.isoformat(), dataset=dataset)
    clock.lap("compare")
    codes_changed = codes_kept = 0
    with transaction.atomic():
        prepared = [hook(_predicted_counts(people, changes)) for hook in RESULTS_CHANGING_HOOKS] \
            if RESULTS_CHANGING_HOOKS and changes.premises else []
        clock.lap("prepare")
        job_counts = _store(people, changes, now)
        clock.lap("store")
        per_premises = {premises_id: {"code": "code_cause.reevaluation", "params": {
            "dataset": dataset.name, "changed": n, "job": job_id}} for premises_id, n, job_id in changes.premises}
        for hook in RESULTS_CHANGED_HOOKS:
            did = hook(per_premises, job_counts=job_counts or {}, prepared=prepared) or {}
            codes_changed, codes_kept = codes_changed + did.get("changed", 0), codes_kept + did.get("kept", 0)
        clock.lap("codes")
        for hook in HITS_RAISED_HOOKS:
            hook(run, changes.raised)
        clock.lap("notify")
        changed_rows = changes.results.column("id").slice(0, 1000).to_pylist()
        _finish(run, candidates=people.num_rows, changed=changes.changed, hits_added=changes.hits_added,
                hits_removed=changes.hits_removed, codes_changed=codes_changed, codes_kept=codes_kept,
                seconds=clock.seconds(), change=change)
        audit.record(actor, "reevaluate", "RiskDataset", dataset.pk, detail={
            "run": run.pk, "candidates": people.num_rows, "changed": changes.changed,
            "hits_added": changes.hits_added, "hits_removed": changes.hits_removed, "codes_changed": codes_changed,
            "codes_kept": codes_kept,
            "premises": sorted(per_premises)[:200], "people": changed_rows,
            "people_with_new_hits": len(changes.raised)})
    return run


def _store(people: pa.Table, changes: _Changes, now: dt.datetime) -> dict[int, dict[str, int]] | None:
    """Write the changed results and replace the changed people's hits; mark every person looked at, and
    their jobs, re-evaluated; update the changed jobs' counts. On PostgreSQL the rows go as CSV by ``COPY``
    (into a temporary table and one ``UPDATE … FROM`` for the results, straight into the table for the hits),
    and the level counts move by the changes (:func:`_count_changes_pg`); returns them per job (``green``,
    ``yellow``, ``red``, ``accepted``, ``total``) for the code re-derivation, which then need not count the
    jobs' people again (``None`` elsewhere: SQLite recounts)."""
    import pyarrow.compute as pc
    from django.db import connection

    from pingan.core.copystore import int_array

    changed = changes.results.column("id")
    unchanged = pc.filter(people.column("pk"), pc.invert(pc.is_in(people.column("pk"), changed))).to_pylist()
    jobs = pc.unique(people.column("job_id"))
    job_of = dict(zip(people.column("pk").to_pylist(), people.column("job_id").to_pylist(), strict=True)) \
        if connection.vendor != "postgresql" else None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            pg = cur.cursor
            pg.execute("DROP TABLE IF EXISTS reeval_results")
            pg.execute("CREATE TEMP TABLE reeval_results (id bigint, level varchar(6), rule_ids jsonb, "
                       "reason text, reasons jsonb, police_priority integer, hit_count integer, silent_hit boolean, "
                       "reevaluation jsonb, identity_status varchar(20), identity_reason text, "
                       "corrected_id_number varchar(40), identity_detail jsonb) ON COMMIT DROP")
            _copy_in(pg, "reeval_results", changes.results)
            # the planner's row counts for the temporary table (unanalysed it guessed 1.7 million and hashed the
            # results table instead, spilling to disk), and no JIT: compiling costs more than these statements.
            # Only the id column's statistics: the join reads no other, and sorting a sample of every JSON and
            # text column for statistics nobody uses was the store's third-largest cost (0.15 s of the server's
            # CPU for 9,500 rows at load 12; the row count is set by any ANALYZE)
            pg.execute("ANALYZE reeval_results (id)")
            pg.execute("SET LOCAL jit = off")
            # each changed row found by its primary key (a nested loop over the temporary table, which needs no
            # index of its own): a day's ~95,000 of 1,000,000 rows were joined by a merge join along the whole
            # primary-key index, reading every row of the table (or a hash join over a scan of it) — 1.7 s of the
            # server's CPU per 100,000 changed rows, 0.8 s with the look-ups. Only for this statement: the
            # planner decides the others (the settings as they were restored for the rest of the transaction)
            pg.execute("SELECT current_setting('enable_mergejoin'), current_setting('enable_hashjoin')")
            joins = pg.fetchone()
            pg.execute("SET LOCAL enable_mergejoin = off")
            pg.execute("SET LOCAL enable_hashjoin = off")
            pg.execute("UPDATE screening_personresult t SET level = u.level, rule_ids = u.rule_ids, reason = u.reason, "
                       "reasons = u.reasons, police_priority = u.police_priority, hit_count = u.hit_count, "
                       "silent_hit = u.silent_hit, reevaluation = u.reevaluation, identity_status = u.identity_status, "
                       "identity_reason = u.identity_reason, corrected_id_number = u.corrected_id_number, "
                       "identity_detail = u.identity_detail, reevaluated_at = %s "
                       "FROM reeval_results u WHERE t.id = u.id", [now])
            pg.execute("SELECT set_config('enable_mergejoin', %s, true), set_config('enable_hashjoin', %s, true)",
                       list(joins))
            if unchanged:
                pg.execute("UPDATE screening_personresult SET reevaluated_at = %s WHERE id = ANY(%s::bigint[])",
                           [now, int_array(unchanged)])
            if len(changes.had_hits):
                pg.execute("DELETE FROM screening_hit WHERE person_id = ANY(%s::bigint[])",
                           [int_array(changes.had_hits.to_pylist())])
            if changes.hits.num_rows:
                _copy_in(pg, f"screening_hit ({', '.join(HIT_COLUMNS)})", changes.hits)
            changed_jobs = pc.unique(pc.take(people.column("job_id"), pc.index_in(changed, people.column("pk")))) \
                if len(changed) else pa.array([], pa.int64())
            other_jobs = pc.filter(jobs, pc.invert(pc.is_in(jobs, changed_jobs))).to_pylist()
            if other_jobs:
                pg.execute("UPDATE screening_screeningjob SET reevaluated_at = %s WHERE id = ANY(%s::bigint[])",
                           [now, int_array(other_jobs)])
            pg.execute("DROP TABLE reeval_results")
            return _count_changes_pg(pg, changes.deltas, now)
    import json

    from pingan.core.copystore import copy_rows, copy_update_rows, ids_in

    json_columns = {"rule_ids", "reasons", "reevaluation", "match_reasons", "detail", "identity_detail"}

    def rows(table: pa.Table, columns: Iterable[str]) -> list[tuple]:
        cols = [[json.loads(v) for v in table.column(c).to_pylist()] if c in json_columns
                else table.column(c).to_pylist() for c in columns]
        return list(zip(*cols, strict=True))

    PersonResult.objects.filter(pk__in=ids_in(PersonResult, people.column("pk").to_pylist())).update(
        reevaluated_at=now)
    if changes.results.num_rows:
        copy_update_rows(PersonResult, RESULT_COLUMNS, rows(changes.results, ("id", *RESULT_COLUMNS)))
        Hit.objects.filter(person_id__in=ids_in(Hit, changed.to_pylist())).delete()
        copy_rows(Hit, HIT_COLUMNS, rows(changes.hits, HIT_COLUMNS))
    ScreeningJob.objects.filter(pk__in=ids_in(ScreeningJob, jobs.to_pylist())).update(reevaluated_at=now)
    _recount({job_of[pk] for pk in changed.to_pylist()})
    return None


class _Stages:
    """Wall-clock and CPU seconds of each stage of a run (``Reevaluation.stats["seconds"]``; the machine may be
    shared, so CPU time stands beside the wall clock). ``cpu`` is this process's (DuckDB's threads included);
    ``db_cpu`` that of the PostgreSQL server process serving the run's connection, when it runs on this host
    (read from ``/proc``; absent otherwise — and parallel query workers, if any, are not in it)."""

    def __init__(self) -> None:
        self.start = self.last = time.perf_counter()
        self.cpu_start = self.cpu_last = time.process_time()
        self.stages: dict[str, float] = {}
        self.cpu: dict[str, float] = {}
        self.db: dict[str, float] = {}
        self._db_stat = _backend_stat_path()
        self.db_start = self.db_last = _proc_cpu(self._db_stat)

    def lap(self, name: str) -> None:
        now, cpu, db = time.perf_counter(), time.process_time(), _proc_cpu(self._db_stat)
        self.stages[name] = round(now - self.last, 3)
        self.cpu[name] = round(cpu - self.cpu_last, 3)
        if db is not None and self.db_last is not None:
            self.db[name] = round(db - self.db_last, 3)
        self.last, self.cpu_last, self.db_last = now, cpu, db

    def seconds(self) -> dict:
        out = {**self.stages, "total": round(time.perf_counter() - self.start, 3),
               "cpu": {**self.cpu, "total": round(time.process_time() - self.cpu_start, 3)}}
        db = _proc_cpu(self._db_stat)
        if self.db and db is not None and self.db_start is not None:
            out["db_cpu"] = {**self.db, "total": round(db - self.db_start, 3)}
        return out


def _backend_stat_path() -> str | None:
    """``/proc/<pid>/stat`` of the PostgreSQL backend serving this connection, if readable here."""
    import os

    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid(), inet_server_addr() IS NULL OR host(inet_server_addr()) "
                    "IN ('127.0.0.1', '::1')")
        pid, local = cur.fetchone()
    path = f"/proc/{pid}/stat"
    return path if local and os.access(path, os.R_OK) else None


def _proc_cpu(path: str | None) -> float | None:
    """User + system CPU seconds of the process whose ``/proc/<pid>/stat`` is ``path``."""
    import os

    if path is None:
        return None
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _finish(run: Reevaluation, **fields: Any) -> None:
    change = fields.pop("change")
    run.candidates, run.changed = fields["candidates"], fields["changed"]
    run.hits_added, run.hits_removed, run.codes_changed = fields["hits_added"], fields["hits_removed"], \
        fields["codes_changed"]
    run.stats = {"seconds": fields["seconds"], "change": _plain(change), "codes_kept": fields.get("codes_kept", 0)}
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
    from pingan.core.copystore import copy_update, ids_in

    ids = sorted(job_ids)
    if not ids:
        return
    levels = {a["job_id"]: a for a in PersonResult.objects.filter(
        job_id__in=ids_in(PersonResult, ids)).values("job_id").annotate(
        green=Count("id", filter=Q(status="accepted", level="green")),
        yellow=Count("id", filter=Q(status="accepted", level="yellow")),
        red=Count("id", filter=Q(status="accepted", level="red")))}
    hits = {a["job_id"]: a for a in Hit.objects.filter(job_id__in=ids_in(Hit, ids)).values("job_id").annotate(
        n=Count("id"), n_silent=Count("id", filter=Q(silent=True)),
        n_flagged=Count("person", filter=Q(silent=False), distinct=True))}
    jobs = list(ScreeningJob.objects.filter(pk__in=ids_in(ScreeningJob, ids)).only("pk", "counts"))
    for job in jobs:
        agg, h = levels.get(job.pk, {}), hits.get(job.pk, {})
        job.counts = {**job.counts, "green": agg.get("green", 0), "yellow": agg.get("yellow", 0),
                      "red": agg.get("red", 0), "police_hits": h.get("n", 0), "silent_hits": h.get("n_silent", 0),
                      "flagged_people": h.get("n_flagged", 0)}
    copy_update(ScreeningJob, jobs, ["counts"])


def _predicted_counts(people: pa.Table, changes: _Changes) -> dict[int, dict[str, int]]:
    """What :func:`_count_changes_pg` will return, by premises instead of job, before it runs: each changed
    job's stored counts moved by ``changes.deltas`` (:data:`_DELTAS`; read in one query; the jobs whose counts
    lack a level, or ``accepted``/``rejected``, are left out, as there). ``{}`` on other databases (they
    recount)."""
    from django.db import connection

    from pingan.core.copystore import int_array

    if connection.vendor != "postgresql":
        return {}
    deltas = changes.deltas
    if not deltas.num_rows:
        return {}
    moved = dict(zip(deltas.column("job_id").to_pylist(), zip(*(deltas.column(d).to_pylist()
                                                                 for d in ("dg", "dy", "dr")), strict=True),
                     strict=True))
    with connection.cursor() as cur:
        cur.execute("SELECT id, premises_id, (counts->>'green')::int, (counts->>'yellow')::int, "
                    "(counts->>'red')::int, (counts->>'accepted')::int, (counts->>'rejected')::int "
                    "FROM screening_screeningjob WHERE id = ANY(%s::bigint[]) AND premises_id IS NOT NULL "
                    "AND counts ?& array['green', 'yellow', 'red', 'accepted', 'rejected']",
                    [int_array(moved)])
        rows = cur.fetchall()
    out = {}
    for job_id, premises_id, green, yellow, red, accepted, rejected in rows:
        if None in (green, yellow, red, accepted, rejected):  # a null count: nothing to predict from
            continue
        dg, dy, dr = moved[job_id]
        out[premises_id] = {"green": green + dg, "yellow": yellow + dy, "red": red + dr, "accepted": accepted,
                            "total": accepted + rejected, "job": job_id}
    return out


#: :func:`_count_changes_pg`'s update of the jobs whose counts have every level and hit count: each moved by
#: its people's changes (``u``: the job, then the six deltas of :data:`_DELTAS`).
_MOVE_COUNTS = """
UPDATE screening_screeningjob j SET reevaluated_at = %s, counts = j.counts || jsonb_build_object(
    'green', (j.counts->>'green')::int + u.dg, 'yellow', (j.counts->>'yellow')::int + u.dy,
    'red', (j.counts->>'red')::int + u.dr, 'police_hits', (j.counts->>'police_hits')::int + u.dh,
    'silent_hits', (j.counts->>'silent_hits')::int + u.ds,
    'flagged_people', (j.counts->>'flagged_people')::int + u.df)
FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[], %s::int[])
     AS u(id, dg, dy, dr, dh, ds, df)
WHERE j.id = u.id AND j.counts ?& array['green', 'yellow', 'red', 'police_hits', 'silent_hits', 'flagged_people']
RETURNING j.id, (j.counts->>'green')::int, (j.counts->>'yellow')::int, (j.counts->>'red')::int,
          (j.counts->>'accepted')::int, (j.counts->>'rejected')::int
"""
#: … and of those whose counts have the levels but lack a hit count: levels moved, hits recounted.
_MOVE_LEVELS_RECOUNT_HITS = """
UPDATE screening_screeningjob j SET reevaluated_at = %s, counts = j.counts || jsonb_build_object(
    'green', (j.counts->>'green')::int + u.dg, 'yellow', (j.counts->>'yellow')::int + u.dy,
    'red', (j.counts->>'red')::int + u.dr, 'police_hits', coalesce(h.n, 0),
    'silent_hits', coalesce(h.n_silent, 0), 'flagged_people', coalesce(h.n_flagged, 0))
FROM unnest(%s::bigint[], %s::int[], %s::int[], %s::int[]) AS u(id, dg, dy, dr)
LEFT JOIN (SELECT job_id, count(*) AS n, count(*) FILTER (WHERE silent) AS n_silent,
                  count(DISTINCT person_id) FILTER (WHERE NOT silent) AS n_flagged
           FROM screening_hit WHERE job_id = ANY(%s::bigint[]) GROUP BY job_id) h ON h.job_id = u.id
WHERE j.id = u.id AND j.counts ?& array['green', 'yellow', 'red']
RETURNING j.id, (j.counts->>'green')::int, (j.counts->>'yellow')::int, (j.counts->>'red')::int,
          (j.counts->>'accepted')::int, (j.counts->>'rejected')::int
"""


def _count_changes_pg(cur, deltas: pa.Table, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Move the changed jobs' counts by ``deltas`` (``changes.deltas``, :data:`_DELTAS`: levels, police hits,
    silent hits, flagged people) in one ``UPDATE … FROM unnest(…)`` that also marks them re-evaluated at
    ``now`` — not a recount of every person of every changed job (a day's movement records change ~43,000
    jobs: 860,000 result rows read, twice with the codes' own count), nor of their hits (joining the ~43,000
    jobs to their hits and counting them was ~0.8 s of the server's time at 1,000,000 people). The counts are
    kept exact by every writer (a screening sets them all, a re-evaluation moves them). A job whose counts lack
    a hit count (written before those keys existed) has its levels moved and its hits recounted; one whose
    counts lack a level is recounted whole (:func:`_recount_pg`). Returns each job's counts as the codes need
    them (``green``, ``yellow``, ``red``, ``accepted``, ``total`` = accepted + rejected rows), for the jobs
    whose counts say how many rows were accepted and rejected."""
    from pingan.core.copystore import int_array

    if not deltas.num_rows:
        return {}
    ids = deltas.column("job_id").to_pylist()
    cur.execute(_MOVE_COUNTS, [now, int_array(ids), *(int_array(deltas.column(d).to_pylist())
                                                      for d in ("dg", "dy", "dr", "dh", "ds", "df"))])
    rows = cur.fetchall()
    moved = {r[0] for r in rows}
    rest = [i for i in ids if i not in moved]
    if rest:
        at = _positions(deltas.column("job_id"), rest)
        cur.execute(_MOVE_LEVELS_RECOUNT_HITS, [now, int_array(rest), *(
            int_array(deltas.column(d).take(at).to_pylist()) for d in ("dg", "dy", "dr")), int_array(rest)])
        more = cur.fetchall()
        rows += more
        moved |= {r[0] for r in more}
    out = {}
    for job_id, green, yellow, red, accepted, rejected in rows:
        if accepted is not None and rejected is not None:
            out[job_id] = {"green": green, "yellow": yellow, "red": red, "accepted": accepted,
                           "total": accepted + rejected}
    _recount_pg(cur, [i for i in ids if i not in moved], now)
    return out


def _positions(values: pa.ChunkedArray, wanted: list[int]) -> pa.Array:
    """The positions in ``values`` of ``wanted`` (each present)."""
    import pyarrow.compute as pc

    return pc.index_in(pa.array(wanted, values.type), value_set=values.combine_chunks())


def _recount_pg(cur, job_ids: list[int], now: dt.datetime) -> None:
    """:func:`_recount` on PostgreSQL in one statement (no model instance per job), which also marks the jobs
    re-evaluated at ``now`` (one new version of each job row, not two)."""
    from pingan.core.copystore import int_array

    if not job_ids:
        return
    cur.execute("""
        UPDATE screening_screeningjob j SET reevaluated_at = %s, counts = j.counts || jsonb_build_object(
            'green', l.green, 'yellow', l.yellow, 'red', l.red, 'police_hits', coalesce(h.n, 0),
            'silent_hits', coalesce(h.n_silent, 0), 'flagged_people', coalesce(h.n_flagged, 0))
        FROM (SELECT k.id, count(p.id) FILTER (WHERE p.status = 'accepted' AND p.level = 'green') AS green,
                     count(p.id) FILTER (WHERE p.status = 'accepted' AND p.level = 'yellow') AS yellow,
                     count(p.id) FILTER (WHERE p.status = 'accepted' AND p.level = 'red') AS red
              FROM unnest(%s::bigint[]) AS k(id) LEFT JOIN screening_personresult p ON p.job_id = k.id
              GROUP BY k.id) l
        LEFT JOIN (SELECT job_id, count(*) AS n, count(*) FILTER (WHERE silent) AS n_silent,
                          count(DISTINCT person_id) FILTER (WHERE NOT silent) AS n_flagged
                   FROM screening_hit WHERE job_id = ANY(%s::bigint[]) GROUP BY job_id) h ON h.job_id = l.id
        WHERE j.id = l.id""", [now, *[int_array(job_ids)] * 2])
