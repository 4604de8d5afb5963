"""The batch screening engine (批量比对筛查) behind a small interface, so Spark can replace DuckDB later.

``get_engine("duckdb").screen(roster, listings=..., movements=..., watchlist=..., ruleset=..., as_of=...)``
compares every roster person with the risk data and returns a :class:`ScreenResult`: one ``persons`` row
per input roster row (the submitter's view: level green/yellow/red and a reason) and one ``hits`` row per
rule hit (the police view: rule id, matched record, match kind, reasons, priority, silent flag). The full
contract — columns, types, semantics, stages — is in ``docs/screening.md``.

Stages of :class:`DuckDBEngine` (each timed in ``stats``):

1. ``normalise``: every distinct roster (number, type) goes once through
   :func:`pingan.lib.identity.batch.normalize_documents` (GB 11643-1999 check, 15→18 conversion, other
   documents' formats); phones through ``normalize_phones``.
2. ``filter_movements``: movement records (Parquet/CSV files or an Arrow table) are reduced FIRST to those
   overlapping the widest look-back window ``[as_of − lookback_days, as_of]`` and lying in a division that
   has a listing overlapping that window. With Parquet the predicates are pushed into the scan, which is
   what keeps 100,000,000 records cheap: only a few columns are decoded and few rows survive.
3. ``match``: exact join on the normalised (doc_type, number); then, for resident ID numbers failing the
   check character, GB 11643 single-substitution/adjacent-transposition candidates generated set-based
   in SQL (the candidates of :func:`pingan.lib.identity.ric.recovery_candidates`) joined to the numbers of
   all movement records (any time, any place) and corroborated by the name
   (:func:`pingan.lib.identity.names.compare_names`) and, when the roster gives one, the birth date;
   then, for rows still without a usable number, name + birth date (birth date read from the movement's
   ID number) with the phone when the movement data carries one.
4. ``rules``: the rule set's kinds as set-based SQL over the matched movements (``area_visit``,
   ``county_with_area``), the identity statuses (``identity``) and the watchlist (``watchlist``, silent).
5. ``assemble``: the submitter level is the maximum over non-silent hits (green when none).

This module imports no Django; it runs in a task or the CLI and writes results back in bulk.
"""

# SQL here is assembled from validated rule-set values and quoted literals (_sql_str), never raw user text.
# ruff: noqa: S608

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pingan.lib import duck
from pingan.lib.duck import sql_str
from pingan.lib.identity import batch as idbatch
from pingan.lib.identity.dates import parse_birth_dates
from pingan.lib.identity.documents import Note, doc_type_from_label
from pingan.lib.identity.names import compare_names, join_keys
from pingan.lib.identity.ric import validate18
from pingan.screening.rules import LEVEL_RANK, LEVELS, Rule, RuleSet

MovementsInput = str | Path | Sequence[str | Path] | pa.Table
ListingsInput = str | Path | pa.Table

#: Name relations strong enough to corroborate a corrected ID number or a name + birth-date match.
CORROBORATING_NAMES = frozenset({"exact", "simplified", "homophone", "romanised", "latin-token"})

#: Roster columns the engine needs; the others listed in docs/screening.md are optional.
REQUIRED_ROSTER_COLUMNS = ("row", "name", "id_number")
REQUIRED_MOVEMENT_COLUMNS = ("id_number", "name", "adcode", "place", "start", "end")
REQUIRED_LISTING_COLUMNS = ("area_key", "community", "adcode", "level", "listed_from", "listed_until")

PERSONS_SCHEMA = pa.schema([
    ("row", pa.int64()),
    ("status", pa.string()),
    ("level", pa.string()),
    ("reason", pa.string()),
    ("rule_ids", pa.list_(pa.string())),
    ("name", pa.string()),
    ("doc_type", pa.string()),
    ("id_number", pa.string()),
    ("corrected_id_number", pa.string()),
    ("birth_date", pa.date32()),
    ("sex", pa.string()),
    ("area_code", pa.string()),
    ("identity_status", pa.string()),
    ("identity_reason", pa.string()),
    ("given_id_number", pa.string()),
    ("given_phone", pa.string()),
    ("identity_notes", idbatch.NOTE_TYPE),
    # what is wrong with the number, as a code (documents.ERRORS, or "conflicting") and its params as JSON
    # text: pages render it in the reader's language (pingan.screening.texts); null for a valid number
    ("identity_error", pa.string()),
    ("identity_error_params", pa.string()),
])

#: Columns of ``persons`` that repeat, for rows not screened, what the roster row gave.
GIVEN_COLUMNS = ("given_id_number", "given_phone")

HITS_SCHEMA = pa.schema([
    ("row", pa.int64()),
    ("rule_id", pa.string()),
    ("source", pa.string()),
    ("record_ref", pa.string()),
    ("listing_ref", pa.string()),
    ("match_kind", pa.string()),
    ("match_reasons", pa.list_(pa.string())),
    ("level_effect", pa.string()),
    ("police_priority", pa.int32()),
    ("silent", pa.bool_()),
    # where and when (movement hits): the matched record's place, its division and its time span, and the
    # listing it fell in (area, division, level, the listing's period); null for identity/watchlist hits
    ("place", pa.string()),
    ("place_adcode", pa.string()),
    ("place_from", pa.timestamp("us", tz="UTC")),
    ("place_until", pa.timestamp("us", tz="UTC")),
    ("listing_community", pa.string()),
    ("listing_adcode", pa.string()),
    ("listing_level", pa.string()),
    ("listed_from", pa.timestamp("us", tz="UTC")),
    ("listed_until", pa.timestamp("us", tz="UTC")),
])


class ScreeningInputError(ValueError):
    """An input table or file lacks a required column or has unusable values; the message says which, in
    English for programs and logs. ``code`` and ``params`` say it again for a person: the command line renders
    them in the user's language (``screening.inputmessages``); ``code`` is empty for a programming error."""

    def __init__(self, message: str, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code, self.params = code, params


@dataclass
class ScreenResult:
    """What a screening run produced.

    ``persons`` (:data:`PERSONS_SCHEMA`): exactly one row per input roster row (accepted and rejected),
    ordered by ``row``; its ``level``/``reason``/``rule_ids`` are the submitter's view and never reflect
    silent rules. Rows not screened (rejected, or a non-accepted roster status) keep ``name`` and, in
    ``given_id_number``/``given_phone``, the ID number and phone exactly as given (null on screened rows),
    so the submitter can find the row to fix; nothing is derived for them. ``hits`` (:data:`HITS_SCHEMA`):
    one row per hit, silent ones included — police only. ``stats``: ``seconds`` per stage, ``counts``,
    the rule set id/version, ``as_of`` and ``risk_data_warnings`` (English texts, empty when the
    listings and movement records cover the look-back window; :meth:`_Run.coverage_warnings`).
    """

    persons: pa.Table
    hits: pa.Table
    stats: dict[str, Any] = field(default_factory=dict)

    def submitter_view(self) -> pa.Table:
        """The rows a submitter may see: ``row, status, level, reason, rule_ids, name, given_id_number,
        given_phone`` — nothing silent, and for rejected rows only what the submitter gave."""
        return self.persons.select(["row", "status", "level", "reason", "rule_ids", "name", *GIVEN_COLUMNS])

    def police_view(self) -> pa.Table:
        """``persons`` plus, per row, every hit's rule id (silent ones too), the most urgent priority
        (1 = most urgent; null without hits), the hit count and whether any hit is silent."""
        con = duckdb.connect()
        try:
            con.register("persons", self.persons)
            con.register("hits", self.hits)
            return con.sql("""
                SELECT p.*, h.police_rule_ids, h.police_priority, coalesce(h.hit_count, 0) AS hit_count,
                       coalesce(h.silent_hit, false) AS silent_hit
                FROM persons p LEFT JOIN (
                    SELECT row, list_sort(list_distinct(list(rule_id))) AS police_rule_ids,
                           min(police_priority) AS police_priority, count(*) AS hit_count,
                           bool_or(silent) AS silent_hit
                    FROM hits GROUP BY row) h USING (row)
                ORDER BY p.row""").to_arrow_table()
        finally:
            con.close()

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write ``persons.parquet`` and ``hits.parquet`` (zstd) to ``out_dir``; returns the paths."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"persons": out / "persons.parquet", "hits": out / "hits.parquet"}
        pq.write_table(self.persons, paths["persons"], compression="zstd")
        pq.write_table(self.hits, paths["hits"], compression="zstd")
        return paths


@runtime_checkable
class ScreeningEngine(Protocol):
    """The seam between the screening service and a batch backend (DuckDB now, Spark later)."""

    name: str

    def screen(
        self,
        roster: pa.Table,
        *,
        listings: ListingsInput,
        movements: MovementsInput,
        watchlist: pa.Table | None = None,
        ruleset: RuleSet,
        as_of: dt.datetime,
        rejected: pa.Table | None = None,
        resident_id_column: bool = False,
    ) -> ScreenResult:
        """Screen ``roster`` (see docs/screening.md for every column and rule); one person row per input row."""
        ...


#: The engines :func:`get_engine` knows (named in a light module: ``pingan screen``'s options need only the names).
from pingan.screening.engines import ENGINES  # noqa: E402


def get_engine(name: str = "duckdb", **options: Any) -> ScreeningEngine:
    """The screening engine called ``name`` (:data:`ENGINES`), built with ``options``: ``"duckdb"``
    (:class:`DuckDBEngine`) or ``"spark"`` (:class:`pingan.screening.spark.SparkEngine`, needs PySpark).

    Raises ``ValueError`` for an unknown name.
    """
    if name == "duckdb":
        return DuckDBEngine(**options)
    if name == "spark":
        from pingan.screening.spark import SparkEngine

        return SparkEngine(**options)
    raise ValueError(f"unknown screening engine {name!r}; available: {', '.join(ENGINES)}")


# ------------------------------------------------------------------------------------------- helpers


class _Timer:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        t0 = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(self.seconds.get(name, 0.0) + time.perf_counter() - t0, 4)


def _require(table_columns: Sequence[str], required: Sequence[str], what: str) -> None:
    missing = [c for c in required if c not in table_columns]
    if missing:
        raise ScreeningInputError(
            f"{what} lacks column(s) {', '.join(missing)}; it has {', '.join(table_columns) or 'none'}",
            "missing_columns", what=what, missing=list(missing), present=list(table_columns))


def _ts(value: dt.datetime) -> str:
    return f"TIMESTAMPTZ {sql_str(value.isoformat())}"


def _string_column(table: pa.Table, name: str) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, pa.string())
    col = table.column(name).combine_chunks()
    if col.type != pa.string():
        col = col.cast(pa.string())
    return col


def _normalise_text(arr: pa.Array) -> pa.Array:
    """NFKC (UAX #15) and all whitespace removed, vectorised — the SQL twin of rules.normalise_place."""
    arr = pc.fill_null(arr, "")
    return pc.replace_substring_regex(pc.utf8_normalize(arr, form="NFKC"), r"\s+", "")


class DuckDBEngine:
    """The DuckDB implementation of :class:`ScreeningEngine`.

    ``memory_limit``/``threads``/``temp_directory`` go to :func:`pingan.lib.duck.connect` (bounded memory,
    spilling to disk). ``timezone`` is the zone in which naive timestamps in the inputs are read (the
    authorities' data is Beijing time). Each :meth:`screen` call opens and closes its own connection.
    ``max_stay_days``: no movement record lasts longer than this many days, so that a partitioned movement
    directory's ``start_date`` partitions more than that before the look-back window are skipped unread
    (:func:`partition_movements`); ``None`` (the default) reads every past day's partitions.
    """

    name = "duckdb"

    def __init__(
        self,
        *,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | Path | None = None,
        timezone: str = "Asia/Shanghai",
        max_stay_days: int | None = None,
    ) -> None:
        self.memory_limit = memory_limit
        self.threads = threads
        self.temp_directory = temp_directory
        self.timezone = timezone
        if max_stay_days is not None and max_stay_days < 0:
            raise ValueError("max_stay_days must be 0 or more")
        self.max_stay_days = max_stay_days

    # ------------------------------------------------------------------------------------- entry point

    def screen(
        self,
        roster: pa.Table,
        *,
        listings: ListingsInput,
        movements: MovementsInput,
        watchlist: pa.Table | None = None,
        ruleset: RuleSet,
        as_of: dt.datetime,
        rejected: pa.Table | None = None,
        resident_id_column: bool = False,
    ) -> ScreenResult:
        """Screen ``roster`` against ``movements``/``listings``/``watchlist`` under ``ruleset`` at ``as_of``.

        ``roster``: Arrow table with ``row`` (int, the Excel row number), ``name``, ``id_number`` and
        optionally ``id_type``, ``phone``, ``birth_date`` (ISO text or date), ``status``. ``rejected``:
        ingest rejections (``row``, ``message``; ``code``/``column`` optional; ``name``/``id_number``/
        ``phone`` as the row gave them, optional, kept in the output) to pass through.
        ``resident_id_column``: the roster's ID-number column is headed as a resident ID number
        (``RosterMeta.resident_id_column``), so an unlabelled number in it must be a GB 11643 number or a
        document that legitimately stands there (docs/matching.md §3). ``as_of`` must be timezone-aware.
        Raises :class:`ScreeningInputError` for missing columns, duplicate ``row`` numbers or a naive
        ``as_of``.
        """
        if as_of.tzinfo is None:
            raise ScreeningInputError("as_of must be a timezone-aware datetime")
        _require(roster.column_names, REQUIRED_ROSTER_COLUMNS, "roster")
        timer = _Timer()
        t_start = time.perf_counter()
        con = duck.connect(memory_limit=self.memory_limit, threads=self.threads,
                           temp_directory=self.temp_directory)
        try:
            con.execute(f"SET TimeZone = {sql_str(self.timezone)}")
            run = self._new_run(con, ruleset, as_of, timer)
            with timer.stage("normalise"):
                run.load_roster(roster, rejected, resident_id_column=resident_id_column)
            with timer.stage("filter_movements"):
                run.load_listings(listings)
                run.filter_movements(movements)
            with timer.stage("match"):
                run.match_exact()
                run.match_corrected()
                run.match_name_birth_date()
                run.end_matching()
            with timer.stage("rules"):
                run.apply_rules(watchlist)
            with timer.stage("assemble"):
                persons, hits = run.assemble()
            counts = run.counts
        finally:
            con.close()
        stats = {
            "engine": self.name,
            "ruleset": f"{ruleset.id}@{ruleset.version}",
            "as_of": as_of.isoformat(),
            "seconds": {**timer.seconds, "total": round(time.perf_counter() - t_start, 4)},
            "counts": {**counts, "persons": persons.num_rows, "hits": hits.num_rows},
            "risk_data_warnings": run.coverage_warnings(),
            "risk_data_notes": run.coverage_notes(),
        }
        return ScreenResult(persons=persons, hits=hits, stats=stats)

    def _new_run(self, con: duckdb.DuckDBPyConnection, ruleset: RuleSet, as_of: dt.datetime,
                 timer: _Timer) -> _Run:
        return _Run(con, ruleset, as_of, timer, timezone=self.timezone, max_stay_days=self.max_stay_days)


class _Run:
    """One screening run on one connection: the stages as methods over temp tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, ruleset: RuleSet, as_of: dt.datetime,
                 timer: _Timer, *, timezone: str = "Asia/Shanghai", max_stay_days: int | None = None) -> None:
        self.con = con
        self.timezone = timezone
        self.max_stay_days = max_stay_days
        self.partition_keys: frozenset[str] = frozenset()
        self.rs = ruleset
        self.as_of = as_of
        self.timer = timer
        self.window_start = as_of - dt.timedelta(days=ruleset.max_lookback_days)
        self.counts: dict[str, int] = {}
        self.listings_in_window = 0
        # (first, last, count) of the listings / movement records when none lies in the window; else None
        self.listing_span: tuple[Any, Any, int] | None = None
        self.movement_span: tuple[Any, Any, int] | None = None
        self.movement_rules = [r for r in ruleset.rules if r.source == "movements"]
        self.listing_levels = sorted({lv for r in self.movement_rules for lv in r.condition["listing_levels"]})

    def coverage_warnings(self) -> list[str]:
        """Warnings (English, for programs and logs; :meth:`coverage_notes` are what pages say in their reader's
        language) when the risk data cannot flag anyone at ``as_of``.

        A result is all green on travel, and says nothing, when no listing of the movement rules' levels is
        in force anywhere in the look-back window ``[as_of − max lookback, as_of)`` — the situation
        ``pingan generate`` refuses (``synth``: "no listing is active in the look-back window") — or when no
        movement record lies in that window. Each warning names the window and the period the data covers.
        """
        if not self.movement_rules:
            return []
        tz = self.as_of.tzinfo

        def day(t: Any) -> str:
            return t.astimezone(tz).strftime("%Y-%m-%d") if isinstance(t, dt.datetime) else "?"

        window = f"{day(self.window_start)} – {day(self.as_of)}"
        levels = "/".join(self.listing_levels)
        out = []
        if self.listing_span is not None:
            first, last, n = self.listing_span
            covers_en = (f"the {n} listings cover {day(first)} to {day(last)}" if n
                         else "the listings hold no area of these levels")
            out.append(
                f"No {levels} risk-area listing is in force in the look-back window ({window}); {covers_en}. "
                "Travel rules cannot fire, so green here does not mean travel was checked: screen as of a date "
                "the listings cover (--as-of) or import current listings.")
        if self.movement_span is not None:
            first, last, n = self.movement_span
            covers_en = f"the {n} records start between {day(first)} and {day(last)}" if n else "there are none"
            out.append(
                f"No movement record lies in the look-back window "
                f"({window}); {covers_en}. Travel rules cannot fire: check the screening date (--as-of) or "
                "import the movement records of that period.")
        return out

    def coverage_notes(self) -> list[dict[str, Any]]:
        """:meth:`coverage_warnings` as codes and parameters (``risk.no_listings``: ``window_from``,
        ``window_to``, ``levels``, ``count``, ``first``, ``last``; ``risk.no_movements``: the same without
        ``levels``), for a page to render in its reader's language (``pingan.screening.texts``)."""
        if not self.movement_rules:
            return []
        tz = self.as_of.tzinfo

        def day(t: Any) -> str:
            return t.astimezone(tz).strftime("%Y-%m-%d") if isinstance(t, dt.datetime) else "?"

        window = {"window_from": day(self.window_start), "window_to": day(self.as_of)}
        out = []
        if self.listing_span is not None:
            first, last, n = self.listing_span
            out.append({"code": "risk.no_listings", "params": {
                **window, "levels": list(self.listing_levels), "count": n, "first": day(first), "last": day(last)}})
        if self.movement_span is not None:
            first, last, n = self.movement_span
            out.append({"code": "risk.no_movements", "params": {
                **window, "count": n, "first": day(first), "last": day(last)}})
        return out

    def sql(self, query: str) -> duckdb.DuckDBPyConnection:
        # `execute` runs the statement now and skips building a lazy relation: each statement costs a few
        # milliseconds less, which matters for the 50-row roster's sub-second budget.
        return self.con.execute(query)

    def arrow(self, query: str) -> pa.Table:
        return self.con.sql(query).to_arrow_table()

    def count(self, table: str) -> int:
        return int(self.con.sql(f"SELECT count(*) FROM {table}").fetchall()[0][0])

    # ------------------------------------------------------------------------------ 1. roster identities

    def load_roster(self, roster: pa.Table, rejected: pa.Table | None, *, resident_id_column: bool) -> None:
        today = self.as_of.date()
        rows = roster.column("row").combine_chunks().cast(pa.int64())
        if pc.count_distinct(rows).as_py() != len(rows):
            raise ScreeningInputError("roster has repeated values in column 'row'; each row number must be unique",
                                     "repeated_rows")
        numbers = _string_column(roster, "id_number")
        labels = _string_column(roster, "id_type")
        # Labels naming a resident ID add nothing the number's shape does not say, and leaving them out
        # lets the identity helper take its fast path for clean numbers.
        lab_enc = pc.dictionary_encode(labels)
        lab_vals = lab_enc.dictionary.to_pylist()
        mapped = [doc_type_from_label(v) for v in lab_vals]
        keep = pa.array([None if t in (None, "ric") else v for v, t in zip(lab_vals, mapped, strict=True)],
                        pa.string())
        declared = keep.take(lab_enc.indices)
        docs = idbatch.normalize_documents(numbers, declared if declared.null_count < len(declared) else None,
                                           today=today)
        # A number labelled 身份证, or unlabelled in a column headed 身份证号, must be a GB 11643 number or a
        # document that legitimately stands there — not any 5–9 letters and digits (docs/matching.md §3).
        id_column = pa.array([t == "ric" or (t is None and resident_id_column) for t in mapped], pa.bool_())
        # (a roster without an id_type column has null labels, whose dictionary index is null too)
        in_id_column = pc.fill_null(id_column.take(lab_enc.indices), resident_id_column)
        docs = idbatch.restrict_to_resident_id_column(docs, in_id_column)
        phones = idbatch.normalize_phones(_string_column(roster, "phone")).column("phone")
        bd_raw = roster.column("birth_date") if "birth_date" in roster.column_names else None
        status = _string_column(roster, "status") if "status" in roster.column_names else None
        tbl = pa.table({
            "row": rows,
            "name": _string_column(roster, "name"),
            "raw_number": numbers,
            "raw_phone": _string_column(roster, "phone"),
            "phone": phones,
            "bd_text": bd_raw.cast(pa.string()) if bd_raw is not None else pa.nulls(len(rows), pa.string()),
            "in_status": status if status is not None else pa.nulls(len(rows), pa.string()),
            "doc_type": docs.column("doc_type"),
            "number": docs.column("number"),
            "valid": docs.column("valid"),
            "error_code": docs.column("error_code"),
            "error": docs.column("error"),
            "error_params": docs.column("error_params"),
            "id_birth_date": docs.column("birth_date"),
            "sex": docs.column("sex"),
            "area_code": docs.column("area_code"),
            "from15": docs.column("converted_from_15"),
            "notes": docs.column("notes"),
        })
        self.con.register("roster_in", tbl)
        # birth_date: from the valid ID number, else the roster's column (ISO YYYY-MM-DD; YYYY-MM ignored),
        # else — for a failing 18-character resident ID — the date its digits 7–14 spell, if real.
        self.sql("""
            CREATE TEMP TABLE p AS
            SELECT row, name, raw_number, raw_phone, phone, doc_type, number, valid, error_code, error, error_params,
                   sex,
                   area_code,
                   from15, coalesce(in_status, 'accepted') AS status,
                   coalesce(id_birth_date, try_strptime(bd_text, '%Y-%m-%d')::DATE) AS birth_date,
                   -- a roster birth date known only to the month or year (ingest writes YYYY-MM / YYYY)
                   CASE WHEN id_birth_date IS NULL AND regexp_full_match(bd_text, '[0-9]{4}(-[0-9]{2})?')
                        THEN bd_text END AS birth_partial,
                   CASE WHEN NOT valid AND doc_type = 'ric' AND length(number) = 18
                        THEN try_strptime(substr(number, 7, 8), '%Y%m%d')::DATE END AS id_digits_birth_date,
                   CASE WHEN valid AND list_contains(list_transform(notes, lambda x: x.code), 'area_code_unlisted')
                        THEN 'area_code_unlisted'
                        WHEN valid THEN 'valid'
                        WHEN error_code IN ('empty', 'unknown_type') THEN 'unverifiable'
                        ELSE 'invalid' END AS identity_status,
                   CASE WHEN valid THEN NULL ELSE error END AS identity_reason,
                   coalesce(notes, []) AS notes
            FROM roster_in WHERE coalesce(in_status, 'accepted') = 'accepted'
        """)
        self._note_texts()
        self.sql("""CREATE TEMP TABLE p_other AS SELECT row, name, in_status AS status, raw_number, raw_phone
                    FROM roster_in WHERE coalesce(in_status, 'accepted') <> 'accepted'""")
        self.con.unregister("roster_in")
        self._mark_name_conflicts()
        if rejected is not None and rejected.num_rows:
            _require(rejected.column_names, ("row", "message"), "rejected")
            # name / id_number / phone: what the rejected row gave (optional), carried to the output as is
            rej = pa.table({"row": rejected.column("row").cast(pa.int64()),
                            "message": _string_column(rejected, "message"),
                            "name": _string_column(rejected, "name"),
                            "id_number": _string_column(rejected, "id_number"),
                            "phone": _string_column(rejected, "phone")})
            self.con.register("rej_in", rej)
            self.sql("""CREATE TEMP TABLE rej AS
                        SELECT row, any_value(message) AS message, any_value(nullif(name, '')) AS name,
                               any_value(nullif(id_number, '')) AS id_number, any_value(nullif(phone, '')) AS phone
                        FROM rej_in GROUP BY row""")
            self.con.unregister("rej_in")
            clash = self.sql("SELECT min(row) FROM rej JOIN p USING (row)").fetchall()[0][0]
            if clash is not None:
                raise ScreeningInputError(f"row {clash} is both in the roster and among the rejected rows",
                                         "row_rejected_and_kept", row=clash)
        else:
            self.sql("CREATE TEMP TABLE rej (row BIGINT, message VARCHAR, name VARCHAR, id_number VARCHAR, "
                     "phone VARCHAR)")
        accepted, invalid, bad_check = self.sql("""
            SELECT count(*), count(*) FILTER (WHERE NOT valid),
                   count(*) FILTER (WHERE doc_type = 'ric' AND error_code = 'bad_check_digit') FROM p
        """).fetchall()[0]
        self.counts.update(roster_accepted=accepted, roster_invalid_id=invalid)
        self.n_bad_check = int(bad_check)

    def _note_texts(self) -> None:
        """Table ``note_text`` (code, params, text, warns): each distinct note of the roster's numbers rendered
        once (:meth:`pingan.lib.identity.documents.Note.text`). ``warns``: a note on how the number was typed,
        which the submitter's reason repeats without changing the level; ``area_code_unlisted`` is reported
        through the identity status instead. The identity reason of an ``area_code_unlisted`` row is its note."""
        distinct = self.sql("SELECT DISTINCT n.code, n.params FROM (SELECT unnest(notes) AS n FROM p)").fetchall()
        codes = [c for c, _ in distinct]
        params = [pr for _, pr in distinct]
        texts = [Note(c, tuple(sorted(json.loads(pr).items())) if pr else ()).text("en") for c, pr in distinct]
        self.con.register("note_text_in", pa.table({
            "code": pa.array(codes, pa.string()), "params": pa.array(params, pa.string()),
            "text": pa.array(texts, pa.string()),
            "warns": pa.array([c != "area_code_unlisted" for c in codes], pa.bool_()),
        }))
        self.sql("CREATE TEMP TABLE note_text AS SELECT * FROM note_text_in")
        self.con.unregister("note_text_in")
        self.sql("""
            UPDATE p SET identity_reason = t.text
            FROM (SELECT row, n.params FROM (SELECT row, unnest(notes) AS n FROM p)
                  WHERE n.code = 'area_code_unlisted') u
            JOIN note_text t ON t.code = 'area_code_unlisted' AND t.params IS NOT DISTINCT FROM u.params
            WHERE p.row = u.row AND p.identity_status = 'area_code_unlisted'
        """)

    def _mark_name_conflicts(self) -> None:
        """One resident ID number, two people: rows sharing a valid nationally unique number (GB 11643
        numbers, residence permits, PR cards, travel permits — not passports, unique only per issuing
        state) whose names are not the same person under ``compare_names`` (any relation: exact,
        traditional/simplified, homophone, pinyin, Latin tokens, initials) all become ``conflicting``,
        each naming the other rows. Repeats under the same name stay plain duplicates.

        Linear in the roster: names are compared as distinct spellings, not as rows (one number repeated
        400,000 times under one name costs nothing), at most :data:`MAX_NAMES_COMPARED` of them per number —
        a number given with more different names than that is conflicting on every row without comparing
        them pairwise — and each reason names at most :data:`CONFLICT_ROWS_NAMED` other rows ("… and N
        more"): the pairwise comparison and the lists of every other row were quadratic (2,000 rows under
        one number and different names: 1.1 GiB and a 48 MB result; 4,000 ran DuckDB out of memory).
        """
        groups = self.sql("""
            SELECT list(row ORDER BY row), list(coalesce(trim(name), '') ORDER BY row) FROM p
            WHERE valid AND doc_type IN ('ric', 'hmt_residence', 'foreign_pr', 'hk_mo_permit', 'tw_permit')
            GROUP BY doc_type, number HAVING count(*) > 1
              AND count(DISTINCT coalesce(trim(name), '')) FILTER (WHERE coalesce(trim(name), '') <> '') > 1
        """).fetchall()
        conflict_rows: list[int] = []
        messages: list[str] = []
        params: list[str] = []  # the same as code params (identity.conflicting): pages render them
        for rows, names in groups:
            by_name: dict[str, list[int]] = {}
            for row, name in zip(rows, names, strict=True):
                if name:
                    by_name.setdefault(name, []).append(row)
            distinct = list(by_name)
            named_rows = sorted(r for rs in by_name.values() for r in rs)
            for n, (first, count) in _unrelated_rows(by_name, distinct, named_rows).items():
                msg = _conflict_message(first, count, len(distinct))
                par = json.dumps({"rows": first, "count": count, "names": len(distinct),
                                  "compared": len(distinct) <= MAX_NAMES_COMPARED})
                for row in by_name[n]:
                    conflict_rows.append(row)
                    messages.append(msg)
                    params.append(par)
        self.counts["id_name_conflicts"] = len(conflict_rows)
        if not conflict_rows:
            return
        self.con.register("conflict_in", pa.table({
            "row": pa.array(conflict_rows, pa.int64()), "msg": pa.array(messages, pa.string()),
            "params": pa.array(params, pa.string())}))
        self.sql("""UPDATE p SET identity_status = 'conflicting', identity_reason = c.msg,
                           error_code = 'conflicting', error_params = c.params
                    FROM conflict_in c WHERE p.row = c.row""")
        self.con.unregister("conflict_in")

    # ----------------------------------------------------------------------------------------- listings

    def load_listings(self, listings: ListingsInput) -> None:
        if isinstance(listings, pa.Table):
            self.con.register("listings_in", listings)
            src = "listings_in"
        else:
            path = str(listings)
            # CSV cells are text: DuckDB's type sniffing would make an adcode a BIGINT (substr() and
            # length() then fail) and drop the leading zeros of codes; times are cast below
            src = (f"read_parquet({sql_str(path)})" if path.endswith(".parquet")
                   else f"read_csv({sql_str(path)}, header = true, all_varchar = true)")
        cols = [c[0] for c in self.sql(f"SELECT * FROM {src} LIMIT 0").description]
        _require(cols, REQUIRED_LISTING_COLUMNS, "listings")
        levels = ", ".join(sql_str(lv) for lv in self.listing_levels) or "NULL"
        # The division level comes from `adcode_level` when given: prefecture-level cities without
        # counties (东莞 441900, 中山 442000, 儋州 460400, 嘉峪关 620200) are county-level units whose code
        # has the prefecture shape. Otherwise it is read from the shape (GB/T 2260).
        level_col = "adcode_level" if "adcode_level" in cols else "NULL"
        # Listings overlapping the widest window, with a known division; prefix length by code shape
        # (PP0000 province, PPCC00 prefecture, else county — GB/T 2260).
        self.sql(f"""
            CREATE TEMP TABLE lst AS
            SELECT area_key, coalesce(community, '') AS community, adcode, level,
                   listed_from::TIMESTAMPTZ AS listed_from, listed_until::TIMESTAMPTZ AS listed_until,
                   CASE {level_col} WHEN 'county' THEN 6 WHEN 'prefecture' THEN 4 WHEN 'province' THEN 2
                        ELSE CASE WHEN adcode LIKE '%0000' THEN 2 WHEN adcode LIKE '%00' THEN 4 ELSE 6 END
                   END AS plen
            FROM {src}
            WHERE level IN ({levels}) AND adcode IS NOT NULL AND length(adcode) = 6
              AND listed_from::TIMESTAMPTZ < {_ts(self.as_of)}
              AND (listed_until IS NULL OR listed_until::TIMESTAMPTZ > {_ts(self.window_start)})
        """)
        self.listings_in_window = self.count("lst")
        if not self.listings_in_window and self.movement_rules:
            # for the warning: when the listings of those levels were in force at all
            first, last, n = self.sql(f"""
                SELECT min(listed_from::TIMESTAMPTZ),
                       max(coalesce(listed_until::TIMESTAMPTZ, listed_from::TIMESTAMPTZ)), count(*)
                FROM {src} WHERE level IN ({levels}) AND adcode IS NOT NULL AND length(adcode) = 6""").fetchall()[0]
            self.listing_span = (first, last, int(n))
        if src == "listings_in":
            self.con.unregister("listings_in")
        communities = self.arrow("SELECT DISTINCT community FROM lst").column(0).combine_chunks()
        self.con.register("comm_norm_in", pa.table({"community": communities,
                                                     "community_n": _normalise_text(communities)}))
        self.sql("""CREATE TEMP TABLE lst_n AS
                    SELECT l.*, c.community_n FROM lst l JOIN comm_norm_in c USING (community)""")
        self.con.unregister("comm_norm_in")
        self.counts["listings_in_window"] = self.count("lst_n")

    # ---------------------------------------------------------------------------- 2. movement pre-filter

    def _movement_source(self, movements: MovementsInput) -> str:
        if isinstance(movements, pa.Table):
            tbl = movements
            if "record_id" not in tbl.column_names:
                tbl = tbl.append_column("record_id", pa.array([f"mv:{i}" for i in range(tbl.num_rows)]))
            self.con.register("movements_in", tbl)
            return "movements_in"
        paths = movement_paths(movements)
        if Path(paths[0]).is_dir():
            self.partition_keys = partition_keys(paths[0])
            src = (f"read_parquet({sql_str(str(Path(paths[0]) / '**' / '*.parquet'))}, "
                   "hive_partitioning = true)")
            cols = [c[0] for c in self.sql(f"SELECT * FROM {src} LIMIT 0").description]
            _require(cols, (*REQUIRED_MOVEMENT_COLUMNS, "record_id"), "movements (a partitioned directory)")
            return src
        plist = "[" + ", ".join(sql_str(p) for p in paths) + "]"
        if all(p.endswith(".parquet") for p in paths):
            src = f"read_parquet({plist}, filename = true, file_row_number = true)"
        elif all(p.endswith(".csv") for p in paths):
            # every CSV column as text (the documented format is text): sniffing made `adcode` a BIGINT
            # (substr() failed), a phone or document number lose its leading zeros; start/end are cast
            # to TIMESTAMPTZ below, with or without an offset
            src = (f"(SELECT *, row_number() OVER () - 1 AS file_row_number FROM read_csv({plist}, "
                   "header = true, filename = true, all_varchar = true))")
        else:
            raise ScreeningInputError("movement files must be all .parquet or all .csv: " + ", ".join(paths),
                                      "mixed_formats", files=list(paths))
        cols = [c[0] for c in self.sql(f"SELECT * FROM {src} LIMIT 0").description]
        _require(cols, REQUIRED_MOVEMENT_COLUMNS, "movements")
        if "record_id" in cols:
            return src
        # Without a record id, a record is named by its file and 0-based row: stable for a given file.
        return f"(SELECT *, parse_filename(filename, true) || ':' || file_row_number AS record_id FROM {src})"

    def filter_movements(self, movements: MovementsInput) -> None:
        src = self._movement_source(movements)
        # kept for the typo recovery, which looks a candidate number up in every record (any time, any
        # place): a record of the person anywhere corroborates the corrected identity
        self.mv_src = src
        cols = [c[0] for c in self.sql(f"SELECT * FROM {src} LIMIT 0").description]
        _require(cols, (*REQUIRED_MOVEMENT_COLUMNS, "record_id"), "movements")
        has_phone = "phone" in cols
        has_type = "id_type" in cols
        self.has_phone = has_phone
        a, w = _ts(self.as_of), _ts(self.window_start)
        prefixes, where_div = self.division_filter()
        # `start`/`end` may be TIMESTAMP (read in the session zone) or TIMESTAMPTZ; an instant record
        # (no end) is treated as lasting one second so interval overlap stays a positive duration.
        self.sql(f"""
            CREATE TEMP TABLE mv AS
            SELECT CAST(record_id AS VARCHAR) AS record_id,
                   {"CAST(id_type AS VARCHAR)" if has_type else "NULL::VARCHAR"} AS id_type,
                   upper(trim(CAST(id_number AS VARCHAR))) AS number,
                   CAST(name AS VARCHAR) AS name, CAST(adcode AS VARCHAR) AS adcode,
                   CAST(place AS VARCHAR) AS place,
                   CAST(start AS TIMESTAMPTZ) AS t0,
                   coalesce(CAST("end" AS TIMESTAMPTZ), CAST(start AS TIMESTAMPTZ) + INTERVAL 1 SECOND) AS t1
                   {", CAST(phone AS VARCHAR) AS phone" if has_phone else ""}
            FROM {src}
            WHERE CAST(start AS TIMESTAMPTZ) < {a}
              AND coalesce(CAST("end" AS TIMESTAMPTZ), CAST(start AS TIMESTAMPTZ) + INTERVAL 1 SECOND) > {w}
              AND ({where_div}){self.partition_filter(prefixes)}
        """)
        # Movement document types come as labels; map the few distinct ones with the identity rules.
        labels = [r[0] for r in self.sql("SELECT DISTINCT id_type FROM mv").fetchall()]
        self.con.register("mv_types_in", pa.table({
            "id_type": pa.array(labels, pa.string()),
            "mv_doc_type": pa.array([doc_type_from_label(v) for v in labels], pa.string()),
        }))
        self.sql("CREATE TEMP TABLE mv_types AS SELECT * FROM mv_types_in")
        self.con.unregister("mv_types_in")
        self.counts["movements_in_window"] = self.count("mv")
        if not self.counts["movements_in_window"] and self.listings_in_window:
            # Nothing in a listed division: normal for a roster that stayed at home, unless no record at all
            # lies in the window (records of another period, or none given) — then say so.
            in_period = self.sql(f"""SELECT EXISTS (SELECT 1 FROM {src} WHERE CAST(start AS TIMESTAMPTZ) < {a}
                AND coalesce(CAST("end" AS TIMESTAMPTZ), CAST(start AS TIMESTAMPTZ) + INTERVAL 1 SECOND) > {w})
            """).fetchall()[0][0]
            if not in_period:
                first, last, n = self.sql(f"SELECT min(CAST(start AS TIMESTAMPTZ)), max(CAST(start AS TIMESTAMPTZ)), "
                                          f"count(*) FROM {src}").fetchall()[0]
                self.movement_span = (first, last, int(n))

    def division_filter(self) -> tuple[dict[int, list[str]], str]:
        """The listed divisions' code prefixes by length (2 province, 4 prefecture, 6 county) and the SQL
        predicate on ``adcode`` (DuckDB and Spark alike): counties listed directly, or lying in a listed
        prefecture/province."""
        self.sql("""CREATE TEMP TABLE lst_codes AS SELECT DISTINCT plen, adcode,
                    substr(adcode, 1, plen) AS prefix FROM lst_n""")
        prefixes = {n: [r[0] for r in self.sql(f"SELECT prefix FROM lst_codes WHERE plen = {n}").fetchall()]
                    for n in (2, 4, 6)}
        parts = []
        for n, vals in prefixes.items():
            if vals:
                col = "adcode" if n == 6 else f"substr(adcode, 1, {n})"
                parts.append(f"{col} IN ({', '.join(sql_str(v) for v in vals)})")
        return prefixes, " OR ".join(parts) or "false"

    def partition_filter(self, prefixes: dict[int, list[str]]) -> str:
        """`` AND …`` conjuncts on the partition columns of a partitioned movement directory (empty for
        files): ``province_code`` among the listed divisions' provinces, ``start_date`` (the local date of
        ``start`` in the engine's time zone) not after ``as_of`` and, with ``max_stay_days``, not before the
        window start less that many days. Plain SQL that DuckDB and Spark both evaluate on the partition
        values alone, so neither opens a skipped partition's files."""
        out = []
        if "province_code" in self.partition_keys:
            provinces = sorted({v[:2] for vals in prefixes.values() for v in vals})
            out.append("CAST(province_code AS STRING) IN ("
                       + (", ".join(sql_str(v) for v in provinces) or "NULL") + ")")
        if "start_date" in self.partition_keys:
            zone = ZoneInfo(self.timezone)
            out.append(f"CAST(start_date AS DATE) <= DATE {sql_str(self.as_of.astimezone(zone).date().isoformat())}")
            if self.max_stay_days is not None:
                lowest = (self.window_start.astimezone(zone) - dt.timedelta(days=self.max_stay_days)).date()
                out.append(f"CAST(start_date AS DATE) >= DATE {sql_str(lowest.isoformat())}")
        return "".join(f"\n              AND {c}" for c in out)

    # -------------------------------------------------------------------------------------- 3. matching

    def match_exact(self) -> None:
        # mm: matched movements (row, record, kind, reasons). A movement's document type must agree with
        # the roster's when the movement names one (a passport number may equal a permit number).
        self.sql("""
            CREATE TEMP TABLE mm AS
            SELECT p.row, m.record_id, m.adcode, m.place, m.t0, m.t1,
                   CASE WHEN p.from15 THEN 'id_15to18' ELSE 'id_exact' END AS match_kind,
                   CASE WHEN p.from15 THEN ['15-digit ID converted to 18 digits (GB 11643-1999 §6)',
                                            'document number equal']
                        ELSE ['document number equal'] END AS match_reasons
            FROM p JOIN mv m ON m.number = p.number
            LEFT JOIN mv_types t ON t.id_type IS NOT DISTINCT FROM m.id_type
            WHERE p.valid AND (t.mv_doc_type IS NULL OR t.mv_doc_type = p.doc_type
                               OR (t.mv_doc_type = 'ric' AND p.doc_type = 'hmt_residence'))
        """)
        self.counts["matched_exact"] = self.count("mm")

    def match_corrected(self) -> None:
        """GB 11643-1999 recovery: candidates one substitution or one adjacent transposition away that pass
        the MOD 11-2 check, generated in SQL; those present in any movement record (not only the records of
        the look-back window: the authority's data identifies the person), corroborated by the name,
        birth date and address checks of :func:`pingan.lib.identity.ric.validate18`, correct the number."""
        if not self.n_bad_check:
            self.sql("CREATE TEMP TABLE corr (row BIGINT, cand VARCHAR, reasons VARCHAR[])")
            self.counts.update(candidates=0, corrected_rows=0)
            return
        pairs = self._recovery_pairs()
        today = self.as_of.date()
        best: dict[int, list[tuple[int, str, str, str]]] = {}
        strength = {"exact": 5, "simplified": 4, "homophone": 3, "romanised": 2, "latin-token": 1}
        # sorted, and the names too, so that the first of equally strong relations is the same whatever
        # order the engine returned them in (the DuckDB and Spark engines must give identical results)
        for row, cand, how, rname, rbd, mv_names in sorted(pairs, key=lambda p: (p[0], p[1], p[2])):
            if validate18(cand, today) is not None:
                continue
            if rbd is not None and cand[6:14] != rbd.strftime("%Y%m%d"):
                continue  # the roster's own birth date contradicts the candidate
            matches = [compare_names(rname, mn) for mn in sorted(n for n in mv_names if n is not None)]
            good = [m for m in matches if m.kind in CORROBORATING_NAMES]
            if not good:
                continue
            top = max(good, key=lambda m: strength[m.kind])
            best.setdefault(row, []).append((strength[top.kind], cand, how, top.reason))
        rows, cands, reasons = [], [], []
        for row, options in best.items():
            top = max(o[0] for o in options)
            chosen = [o for o in options if o[0] == top]
            for _, cand, how, why in chosen:
                rows.append(row)
                cands.append(cand)
                extra = [f"{len(chosen)} corrections equally corroborated"] if len(chosen) > 1 else []
                reasons.append([f"ID number corrected: {how} (GB 11643-1999 check character)", why,
                                *extra])
        corr = pa.table({
            "row": pa.array(rows, pa.int64()), "cand": pa.array(cands, pa.string()),
            "reasons": pa.array(reasons, pa.list_(pa.string())),
        })
        self.con.register("corr_in", corr)
        self.sql("CREATE TEMP TABLE corr AS SELECT * FROM corr_in")
        self.con.unregister("corr_in")
        self._add_matches_by_number(pa.table({
            "row": corr.column("row"), "number": corr.column("cand"),
            "match_kind": pa.array(["id_corrected"] * corr.num_rows, pa.string()),
            "reasons": corr.column("reasons")}))
        self.counts["corrected_rows"] = len(set(rows))

    def _add_matches_by_number(self, matches: pa.Table) -> None:
        """Add to ``mm`` every windowed movement record whose number is a ``matches`` row's ``number``
        (``matches``: row, number, match_kind, reasons)."""
        self.con.register("by_number_in", matches)
        self.sql("""
            INSERT INTO mm
            SELECT n.row, m.record_id, m.adcode, m.place, m.t0, m.t1, n.match_kind, n.reasons
            FROM by_number_in n JOIN mv m ON m.number = n.number
        """)
        self.con.unregister("by_number_in")

    def end_matching(self) -> None:
        """After the match stage ``mm`` (and ``mv``, as far as later stages read it) are DuckDB tables:
        nothing to do here; an engine that matched elsewhere brings them in."""

    def _recovery_pairs(self) -> list[tuple[int, str, str, str, dt.date | None, list[str]]]:
        """(row, candidate, how, roster name, roster birth date, names of the movement records carrying the
        candidate) for each GB 11643 recovery candidate found in any movement record, any time, any place;
        sets ``counts["candidates"]``."""
        # Weights W_i = 2^(18-i) mod 11 (W_18 = 1); the inverse of w mod 11 is w^9 mod 11 (Fermat).
        self.sql("""
            CREATE TEMP TABLE inv_d AS
            SELECT p.row, p.number AS n, i,
                   CASE WHEN substr(p.number, i, 1) = 'X' THEN 10
                        ELSE ascii(substr(p.number, i, 1)) - 48 END AS a,
                   (CAST(pow(2, 18 - i) AS BIGINT) % 11) AS w
            FROM p, range(1, 19) r(i)
            WHERE p.doc_type = 'ric' AND p.error_code = 'bad_check_digit'
              AND regexp_full_match(p.number, '[0-9]{17}[0-9X]')
        """)
        self.sql("""
            CREATE TEMP TABLE inv_c AS
            WITH s AS (SELECT row, n, sum(a * w) % 11 AS s FROM inv_d GROUP BY row, n),
            d AS (
                SELECT d.row, d.n, d.i, d.a, d.w, s.s,
                       lead(d.a) OVER (PARTITION BY d.row ORDER BY d.i) AS a2,
                       lead(d.w) OVER (PARTITION BY d.row ORDER BY d.i) AS w2
                FROM inv_d d JOIN s USING (row, n)),
            subs AS (
                SELECT row, n, i, (a + ((1 - s + 11) % 11) * ((CAST(pow(w, 9) AS BIGINT)) % 11)) % 11 AS v
                FROM d)
            SELECT row, substr(n, 1, i - 1) || CASE WHEN v = 10 THEN 'X' ELSE CAST(v AS VARCHAR) END
                        || substr(n, i + 1) AS cand,
                   'substitution at position ' || i AS how
            FROM subs WHERE v <> 10 OR i = 18
            UNION ALL
            SELECT row, substr(n, 1, i - 1) || substr(n, i + 1, 1) || substr(n, i, 1) || substr(n, i + 2) AS cand,
                   'transposition at positions ' || i || '–' || (i + 1) AS how
            FROM d
            WHERE i < 18 AND a2 IS NOT NULL AND a <> a2 AND NOT (i = 17 AND a2 = 10)
              AND (((s + (a2 - a) * (w - w2)) % 11) + 11) % 11 = 1
        """)
        # Candidates are looked up in ALL movement records (not only the windowed ones): the semi-join
        # reads the number column once and the names of the few records that match.
        # The join compares the stored number as it is (no per-row function over 10^8 records keeps it a
        # plain hash join, ~3x faster); a lower-case x is covered by adding that spelling of the candidate.
        pairs = self.sql(f"""
            WITH cands AS (
                SELECT DISTINCT cand AS k, cand FROM inv_c
                UNION SELECT DISTINCT replace(cand, 'X', 'x') AS k, cand FROM inv_c WHERE cand LIKE '%X'),
            allmv AS (
                SELECT DISTINCT c.cand AS number, CAST(m.name AS VARCHAR) AS name
                FROM {self.mv_src} m JOIN cands c ON CAST(m.id_number AS VARCHAR) = c.k)
            SELECT c.row, c.cand, c.how, p.name AS roster_name, p.birth_date AS roster_bd,
                   list(DISTINCT m.name) AS mv_names
            FROM inv_c c JOIN p USING (row) JOIN allmv m ON m.number = c.cand
            GROUP BY ALL
        """).fetchall()
        self.counts["candidates"] = self.count("inv_c")
        return pairs

    def match_name_birth_date(self) -> None:
        """Rows without a usable number (empty, unrecognised, or failing a rule other than the check
        character, which the recovery step handles): same birth date (the movement's from its resident ID number) and a
        corroborating name; with a phone in the movement data, an equal phone upgrades the match kind.
        Ambiguous matches (several different people) are not used: a wrong person is worse than none."""
        if not self.counts["roster_invalid_id"]:
            self.counts["matched_name_birth_date_rows"] = 0
            return
        phone_sel = "phone" if self.has_phone else "NULL::VARCHAR"
        # Rows are compared as distinct (name, phone, birth date) keys: a person repeated down the roster is
        # compared once, not once per row.
        self.sql("""
            CREATE TEMP TABLE need_k AS
            SELECT row_number() OVER () AS k, name, phone, bd, bd_from_digits, rows FROM (
                SELECT name, phone, coalesce(birth_date, id_digits_birth_date) AS bd,
                       birth_date IS NULL AS bd_from_digits, list(row ORDER BY row) AS rows
                FROM p WHERE NOT valid AND row NOT IN (SELECT row FROM corr)
                  -- a failing check character on an 18-digit number was searched exhaustively by the
                  -- recovery step (every single substitution / adjacent transposition): no corroborated
                  -- candidate means no record of this person, so the fallback would only add false matches.
                  AND NOT (doc_type = 'ric' AND error_code = 'bad_check_digit' AND length(number) = 18)
                  AND coalesce(birth_date, id_digits_birth_date) IS NOT NULL
                GROUP BY ALL)
        """)
        cand = self._name_birth_date_candidates(phone_sel)
        per_key: dict[int, dict[str, tuple[str, list[str]]]] = {}
        # sorted: of several records of one number under different names the last one's reasons are kept,
        # which must not depend on the order the engine returned them in
        cand = sorted(cand, key=lambda c: (c[0], c[4], c[5] or "", c[6] or ""))
        for key, rname, rphone, from_digits, number, mname, mphone in cand:
            nm = compare_names(rname, mname)
            phone_ok = rphone is not None and mphone is not None and _same_phone(rphone, mphone)
            if nm.kind not in CORROBORATING_NAMES:
                continue
            kind = "name_dob_phone" if phone_ok else "name_dob"
            reasons = [nm.reason, "birth date equal" + (" (read from the invalid ID number)" if from_digits
                                                         else "")]
            if phone_ok:
                reasons.append("phone equal")
            per_key.setdefault(key, {})[number] = (kind, reasons)
        key_rows = dict(self.sql("SELECT k, rows FROM need_k").fetchall()) if per_key else {}
        rows, numbers, kinds, reasons_l = [], [], [], []
        for key, by_number in per_key.items():
            phone_hits = {k: v for k, v in by_number.items() if v[0] == "name_dob_phone"}
            use = phone_hits if len(phone_hits) == 1 else by_number
            if len(use) != 1:
                continue
            (number, (kind, reasons)), = use.items()
            for row in key_rows[key]:
                rows.append(row)
                numbers.append(number)
                kinds.append(kind)
                reasons_l.append(reasons)
        self._add_matches_by_number(pa.table({
            "row": pa.array(rows, pa.int64()), "number": pa.array(numbers, pa.string()),
            "match_kind": pa.array(kinds, pa.string()), "reasons": pa.array(reasons_l, pa.list_(pa.string())),
        }))
        self.counts["matched_name_birth_date_rows"] = len(rows)

    def _name_birth_date_candidates(self, phone_sel: str) -> list[tuple]:
        """(key, roster name, roster phone, birth date read from digits, movement number, movement name,
        movement phone) for each ``need_k`` key and windowed movement record of the same birth date whose
        name may corroborate (same length of a Han name without separators, or Latin letters on a side)."""
        return self.sql(f"""
            WITH mvb AS (
                SELECT number, name, {phone_sel} AS phone,
                       try_strptime(substr(number, 7, 8), '%Y%m%d')::DATE AS bd
                FROM mv WHERE regexp_full_match(number, '[0-9]{{17}}[0-9X]'))
            SELECT DISTINCT n.k, n.name, n.phone, n.bd_from_digits, m.number, m.name AS mv_name,
                   m.phone AS mv_phone
            FROM need_k n JOIN mvb m ON m.bd = n.bd
            -- exact, simplified/traditional and homophone variants of a Han name keep its length once
            -- spaces and name separators are set aside (阿不都·热合曼 = 阿不都热合曼); a name in Latin
            -- letters on either side (romanised, Latin tokens) is compared with every same-birth-date record.
            WHERE NOT regexp_matches(n.name, '[\u3400-\u9fff]') OR NOT regexp_matches(m.name, '[\u3400-\u9fff]')
               OR length(regexp_replace(n.name, '[\\s·•．・･‧∙⋅.。]', '', 'g'))
                  = length(regexp_replace(m.name, '[\\s·•．・･‧∙⋅.。]', '', 'g'))
        """).fetchall()

    # ----------------------------------------------------------------------------------------- 4. rules

    def apply_rules(self, watchlist: pa.Table | None) -> None:
        self.sql("""CREATE TEMP TABLE hits (row BIGINT, rule_id VARCHAR, source VARCHAR, record_ref VARCHAR,
                    listing_ref VARCHAR, match_kind VARCHAR, match_reasons VARCHAR[], level_effect VARCHAR,
                    police_priority INTEGER, silent BOOLEAN)""")
        if self.movement_rules:
            self._prepare_area_matches()
        for rule in self.rs.rules:
            if rule.kind == "area_visit":
                self._area_visit(rule)
            elif rule.kind == "county_with_area":
                self._county_with_area(rule)
            elif rule.kind == "identity":
                self._identity(rule)
            elif rule.kind == "watchlist" and watchlist is not None:
                self._watchlist(rule, watchlist)

    def _prepare_area_matches(self) -> None:
        # Normalise the places of matched movements only (NFKC + no whitespace, rules.normalise_place).
        places = self.arrow("SELECT DISTINCT place FROM mm").column(0).combine_chunks()
        self.con.register("place_norm_in", pa.table({"place": places, "place_n": _normalise_text(places)}))
        # "The place names the community" is containment. Rather than testing every listing of a county
        # against every movement there (NHC listed up to ~40,000 areas a day, thousands per district), every
        # substring (≥ 2 characters) of each distinct place is generated and equi-joined to the community
        # names: places are short, so this is a few hundred keys per place and one hash join.
        self.sql("""
            CREATE TEMP TABLE psub AS
            WITH pl AS (SELECT DISTINCT place_n FROM place_norm_in WHERE place_n <> ''),
            st AS (SELECT place_n, unnest(range(1, length(place_n))) AS i FROM pl),
            sb AS (SELECT place_n, substr(place_n, i, unnest(range(2, length(place_n) - i + 2))) AS sub FROM st)
            SELECT DISTINCT place_n, sub FROM sb
            WHERE sub IN (SELECT community_n FROM lst_n WHERE community_n <> '')
        """)
        # Each matched movement with its county, prefecture and province codes (listings can be coarser).
        self.sql("""
            CREATE TEMP TABLE mk AS
            SELECT mm.*, coalesce(pn.place_n, '') AS place_n, k.akey
            FROM mm LEFT JOIN place_norm_in pn ON pn.place IS NOT DISTINCT FROM mm.place
            JOIN (SELECT DISTINCT adcode AS ac, unnest([adcode, substr(adcode, 1, 4) || '00',
                                                        substr(adcode, 1, 2) || '0000']) AS akey FROM mm) k
              ON k.ac = mm.adcode
        """)
        self.con.unregister("place_norm_in")
        # named: movements inside a listed area while it was listed. When a place names several listed
        # communities only the most specific (longest) counts: the NHC lists "林业局家属院3号楼" (high) beside
        # "林业局家属院3号楼以外区域" (medium), and a stay in the latter names both. A listing without a
        # community (a whole division) always counts.
        self.sql("""
            CREATE TEMP TABLE named AS
            WITH x AS (
                SELECT mk.row, mk.record_id, mk.adcode, mk.t0, mk.t1, mk.match_kind, mk.match_reasons,
                       l.area_key, l.level, l.plen, l.community_n
                FROM mk JOIN psub s ON s.place_n = mk.place_n
                JOIN lst_n l ON l.adcode = mk.akey AND l.community_n = s.sub
                WHERE mk.t0 < coalesce(l.listed_until, 'infinity'::TIMESTAMPTZ) AND l.listed_from < mk.t1
                UNION ALL
                SELECT mk.row, mk.record_id, mk.adcode, mk.t0, mk.t1, mk.match_kind, mk.match_reasons,
                       l.area_key, l.level, l.plen, l.community_n
                FROM mk JOIN lst_n l ON l.adcode = mk.akey AND l.community_n = ''
                WHERE mk.t0 < coalesce(l.listed_until, 'infinity'::TIMESTAMPTZ) AND l.listed_from < mk.t1)
            SELECT * EXCLUDE (community_n) FROM x
            QUALIFY community_n = '' OR length(community_n) = max(CASE WHEN community_n <> ''
                                                                  THEN length(community_n) END)
                                                              OVER (PARTITION BY row, record_id)
        """)
        # cty: movements in a county with a listing (county-level code) overlapping the stay. Listings
        # published together share an interval, so they are grouped by (county, level, interval) first.
        self.sql("""
            CREATE TEMP TABLE cty AS
            WITH iv AS (
                SELECT adcode, level, listed_from, listed_until, min(area_key) AS area_key
                FROM lst_n WHERE plen = 6 GROUP BY ALL)
            SELECT mm.row, mm.record_id, mm.adcode, mm.t0, mm.t1, mm.match_kind, mm.match_reasons,
                   iv.area_key, iv.level
            FROM mm JOIN iv ON iv.adcode = mm.adcode
            WHERE mm.t0 < coalesce(iv.listed_until, 'infinity'::TIMESTAMPTZ) AND iv.listed_from < mm.t1
        """)

    def _window(self, rule: Rule) -> tuple[str, str]:
        start = self.as_of - dt.timedelta(days=self.rs.lookback(rule))
        return _ts(start), _ts(self.as_of)

    def _levels(self, rule: Rule) -> str:
        return ", ".join(sql_str(v) for v in rule.condition["listing_levels"])

    def _area_visit(self, rule: Rule) -> None:
        w0, w1 = self._window(rule)
        self.sql(f"""
            INSERT INTO hits
            SELECT row, {sql_str(rule.id)}, 'movements', record_id, min(area_key), any_value(match_kind),
                   list_concat(any_value(match_reasons),
                               ['stayed in listed ' || arg_min(level, area_key) || '-risk area ' || min(area_key)
                                || ' while it was listed, within ' || {self.rs.lookback(rule)} || ' days']),
                   {sql_str(rule.level or '')}, {rule.police_priority}, false
            FROM named
            WHERE level IN ({self._levels(rule)}) AND t0 < {w1} AND t1 > {w0}
            GROUP BY row, record_id
        """)

    def _county_with_area(self, rule: Rule) -> None:
        w0, w1 = self._window(rule)
        self.sql(f"""
            INSERT INTO hits
            SELECT row, {sql_str(rule.id)}, 'movements', record_id, min(area_key), any_value(match_kind),
                   list_concat(any_value(match_reasons),
                               ['stayed in county ' || any_value(adcode) || ' while it had listed '
                                || arg_min(level, area_key) || '-risk area ' || min(area_key)
                                || ', outside the area, within ' || {self.rs.lookback(rule)} || ' days']),
                   {sql_str(rule.level or '')}, {rule.police_priority}, false
            FROM cty c
            WHERE level IN ({self._levels(rule)}) AND t0 < {w1} AND t1 > {w0}
              AND NOT EXISTS (SELECT 1 FROM named n WHERE n.row = c.row AND n.record_id = c.record_id
                              AND n.level IN ({self._levels(rule)}))
            GROUP BY row, record_id
        """)

    def _identity(self, rule: Rule) -> None:
        statuses = ", ".join(sql_str(s) for s in rule.condition["statuses"])
        self.sql(f"""
            INSERT INTO hits
            SELECT p.row, {sql_str(rule.id)}, 'identity', NULL, NULL, 'identity',
                   ['identity ' || p.identity_status || coalesce(': ' || p.identity_reason, '')],
                   {sql_str(rule.level or '')}, {rule.police_priority}, false
            FROM (SELECT p.row, CASE WHEN c.row IS NOT NULL THEN 'corrected' ELSE p.identity_status END
                         AS identity_status, p.identity_reason
                  FROM p LEFT JOIN (SELECT DISTINCT row FROM corr) c USING (row)) p
            WHERE p.identity_status IN ({statuses})
        """)

    def _watchlist(self, rule: Rule, watchlist: pa.Table) -> None:
        _require(watchlist.column_names, ("entry_id", "primary_name"), "watchlist")
        wl = watchlist
        lists = rule.condition["lists"]
        if lists and "list_name" in wl.column_names:
            wl = wl.filter(pc.is_in(wl.column("list_name"), pa.array(lists, pa.string())))
        match_by = rule.condition["match_by"]
        self.con.register("wl_in", wl)
        cols = set(wl.column_names)
        rid, pri = sql_str(rule.id), rule.police_priority
        if "document" in match_by and "documents" in cols:
            # Document numbers compared after the identity module's cleaning (NFKC, no separators, upper).
            self.sql(f"""
                INSERT INTO hits
                SELECT DISTINCT p.row, {rid}, 'watchlist', CAST(w.entry_id AS VARCHAR), NULL, 'document',
                       ['document number equal to a listed document'], NULL, {pri}, true
                FROM (SELECT entry_id, upper(regexp_replace(CAST(d.number AS VARCHAR), '[^0-9A-Za-z]', '', 'g'))
                             AS number
                      FROM (SELECT entry_id, unnest(documents) AS d FROM wl_in)) w
                JOIN p ON p.number = w.number
                WHERE length(w.number) >= 5
            """)
        if "name_birth_date" in match_by:
            self._watchlist_names(rid, pri, "aliases" in cols, "birth_dates" in cols)
        self.con.unregister("wl_in")

    def _watchlist_names(self, rid: str, pri: int, has_aliases: bool, has_bd: bool) -> None:
        if not has_bd:
            return
        names = self.sql(f"""
            SELECT DISTINCT entry_id, nm, bd FROM (
                SELECT CAST(entry_id AS VARCHAR) AS entry_id,
                       unnest(list_prepend(primary_name, {"coalesce(aliases, [])" if has_aliases else "[]"}))
                           AS nm,
                       unnest(birth_dates) AS bd
                FROM wl_in)
            WHERE nm IS NOT NULL AND bd IS NOT NULL
        """).fetchall()
        # Dates as the readers store them (ISO at their precision) pass unchanged; any other form (a table
        # built elsewhere: 1990/3/7, 1990年3月7日, 1990-02-30) is read the same way, at the precision it has.
        iso_of = {bd: [d.iso for d in parse_birth_dates(bd)] for bd in {n[2] for n in names}}
        keys: list[tuple[str, str, str, str]] = []
        for entry_id, nm, raw_bd in names:
            for bd in iso_of[raw_bd]:
                for key in _name_join_keys(nm):
                    keys.append((entry_id, nm, bd, key))
        if not keys:
            return
        self.con.register("wlk_in", pa.table({
            "entry_id": [k[0] for k in keys], "wl_name": [k[1] for k in keys], "bd": [k[2] for k in keys],
            "key": [k[3] for k in keys],
        }))
        # Roster side: only people born in a listed year need name keys (a year-range semi-join first).
        # A roster birth date is the full date, or the month / year the roster gives (birth_partial).
        self.sql("""CREATE OR REPLACE TEMP VIEW p_bd AS
                    SELECT row, coalesce(strftime(birth_date, '%Y-%m-%d'), birth_partial) AS bd FROM p
                    WHERE birth_date IS NOT NULL OR birth_partial IS NOT NULL""")
        cand = self.arrow("""
            SELECT DISTINCT p.row, p.name
            FROM p JOIN p_bd USING (row)
            WHERE substr(p_bd.bd, 1, 4) IN (SELECT DISTINCT substr(bd, 1, 4) FROM wlk_in)
        """)
        rk_rows, rk_keys, rk_names = [], [], []
        for row, nm in zip(cand.column("row").to_pylist(), cand.column("name").to_pylist(), strict=True):
            for key in _name_join_keys(nm):
                rk_rows.append(row)
                rk_keys.append(key)
                rk_names.append(nm)
        self.con.register("rk_in", pa.table({"row": pa.array(rk_rows, pa.int64()), "key": rk_keys,
                                             "name": rk_names}))
        # Dates agree at the coarser of the two precisions: the listed date is a prefix of the roster's, or
        # the roster's (a month or a year) is a prefix of the listed one. `common` is that shared part.
        pairs = self.sql("""
            SELECT DISTINCT r.row, r.name, w.entry_id, w.wl_name,
                   CASE WHEN length(w.bd) <= length(b.bd) THEN w.bd ELSE b.bd END AS common
            FROM rk_in r JOIN wlk_in w ON w.key = r.key JOIN p_bd b ON b.row = r.row
            WHERE starts_with(b.bd, w.bd) OR starts_with(w.bd, b.bd)
            ORDER BY r.row, w.entry_id, length(common) DESC
        """).fetchall()
        out: dict[tuple[int, str], list[str]] = {}
        for row, rname, entry_id, wname, bd in pairs:
            nm = compare_names(rname, wname)
            if nm.kind in CORROBORATING_NAMES:
                # a year-only or year-month date (listed or on the roster) matches at that coarser level, and
                # says so; the most precise agreement of an entry's dates is reported
                how = {4: "birth year matches", 7: "birth year and month match"}.get(len(bd), "birth date matches")
                out.setdefault((row, entry_id), [f"{nm.reason} ({wname})", f"{how} {bd}"])
        self.con.register("wlh_in", pa.table({
            "row": pa.array([k[0] for k in out], pa.int64()), "entry_id": [k[1] for k in out],
            "reasons": pa.array(list(out.values()), pa.list_(pa.string())),
        }))
        self.sql(f"""
            INSERT INTO hits
            SELECT row, {rid}, 'watchlist', entry_id, NULL, 'name_dob', reasons, NULL, {pri}, true
            FROM wlh_in
            WHERE (row, entry_id) NOT IN (SELECT (row, record_ref) FROM hits WHERE rule_id = {rid})
        """)
        for t in ("wlk_in", "rk_in", "wlh_in"):
            self.con.unregister(t)

    # -------------------------------------------------------------------------------------- 5. assemble

    def _hits_with_places(self) -> str:
        """The hits, each movement hit with the matched record's place and time and the listing interval
        it fell in (the earliest of the area's intervals overlapping the stay), for an officer to act on."""
        have = {r[0] for r in self.sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
        mv = "mv" if "mv" in have else _no_table(
            "NULL::VARCHAR AS record_id, NULL::VARCHAR AS adcode, NULL::VARCHAR AS place, "
            "NULL::TIMESTAMPTZ AS t0, NULL::TIMESTAMPTZ AS t1")
        lst = "lst_n" if "lst_n" in have else _no_table(
            "NULL::VARCHAR AS area_key, NULL::VARCHAR AS community, NULL::VARCHAR AS adcode, "
            "NULL::VARCHAR AS level, NULL::TIMESTAMPTZ AS listed_from, NULL::TIMESTAMPTZ AS listed_until")
        return f"""
            WITH h AS (SELECT *, row_number() OVER () AS hid FROM hits),
            m AS (SELECT record_id, any_value(adcode) AS adcode, any_value(place) AS place, min(t0) AS t0,
                         max(t1) AS t1 FROM {mv} GROUP BY record_id)
            SELECT h.row, h.rule_id, h.source, h.record_ref, h.listing_ref, h.match_kind, h.match_reasons,
                   h.level_effect, h.police_priority, h.silent,
                   m.place, m.adcode AS place_adcode, m.t0 AS place_from, m.t1 AS place_until,
                   l.community AS listing_community, l.adcode AS listing_adcode, l.level AS listing_level,
                   l.listed_from, l.listed_until
            FROM h
            LEFT JOIN m ON h.source = 'movements' AND m.record_id = h.record_ref
            LEFT JOIN {lst} l ON h.source = 'movements' AND l.area_key = h.listing_ref
                 AND l.listed_from < m.t1 AND coalesce(l.listed_until, 'infinity'::TIMESTAMPTZ) > m.t0
            QUALIFY row_number() OVER (PARTITION BY h.hid ORDER BY l.listed_from NULLS LAST) = 1
            ORDER BY h.row, h.rule_id, h.record_ref
        """

    def assemble(self) -> tuple[pa.Table, pa.Table]:
        reason_of = {r.id: r.reason_text.get("en") or r.reason for r in self.rs.rules}
        self.con.register("rule_meta", pa.table({
            "rule_id": list(reason_of), "reason": list(reason_of.values()),
            "rank": [LEVEL_RANK.get(r.level or "", -1) for r in self.rs.rules],
            "ord": list(range(len(self.rs.rules))),
        }))
        level_case = " ".join(f"WHEN {i} THEN {sql_str(lv)}" for i, lv in enumerate(LEVELS))
        persons = self.arrow(f"""
            WITH h AS (
                SELECT row, max(m.rank) AS rank,
                       list(DISTINCT h.rule_id ORDER BY h.rule_id) AS rule_ids
                FROM hits h JOIN rule_meta m USING (rule_id)
                WHERE NOT h.silent GROUP BY row),
            r AS (
                SELECT row, string_agg(reason, '; ' ORDER BY ord) AS reason
                FROM (SELECT DISTINCT h.row, m.ord,
                             -- an identity hit says what is wrong with the submitted number (never the
                             -- correction, which comes from police data)
                             CASE WHEN h.source = 'identity' AND pi.identity_reason IS NOT NULL
                                  THEN m.reason || ': ' || pi.identity_reason ELSE m.reason END AS reason
                      FROM hits h JOIN rule_meta m USING (rule_id)
                      LEFT JOIN p pi ON pi.row = h.row AND h.source = 'identity'
                      WHERE NOT h.silent) GROUP BY row),
            c AS (SELECT row, min(cand) AS cand FROM corr GROUP BY row),
            -- notes on how the number was typed (lower-case x, full-width): a warning, the level unchanged
            w AS (SELECT u.row, string_agg(t.text, '; ' ORDER BY u.i) AS warning
                  FROM (SELECT row, unnest(notes) AS n, generate_subscripts(notes, 1) AS i FROM p) u
                  JOIN note_text t ON t.code = u.n.code AND t.params IS NOT DISTINCT FROM u.n.params
                  WHERE t.warns GROUP BY u.row)
            SELECT p.row, 'accepted' AS status,
                   CASE coalesce(h.rank, 0) {level_case} END AS level,
                   concat_ws('; ', nullif(r.reason, ''), w.warning,
                             CASE WHEN p.phone IS NULL AND coalesce(trim(p.raw_phone), '') <> ''
                                  THEN 'the phone number "' || trim(p.raw_phone) || '" is not a valid number and was '
                                       || 'not used for matching' END) AS reason,
                   coalesce(h.rule_ids, []::VARCHAR[]) AS rule_ids,
                   p.name, p.doc_type, p.number AS id_number, c.cand AS corrected_id_number,
                   p.birth_date, p.sex, p.area_code,
                   CASE WHEN c.row IS NOT NULL THEN 'corrected' ELSE p.identity_status END AS identity_status,
                   CASE WHEN c.row IS NOT NULL THEN coalesce(p.identity_reason, '') ||
                             ' — corrected to ' || c.cand || ' by a corroborated movement record'
                        ELSE p.identity_reason END AS identity_reason,
                   NULL AS given_id_number, NULL AS given_phone, p.notes AS identity_notes,
                   CASE WHEN p.identity_status IN ('invalid', 'unverifiable', 'conflicting') THEN p.error_code END
                       AS identity_error,
                   CASE WHEN p.identity_status IN ('invalid', 'unverifiable', 'conflicting') THEN p.error_params END
                       AS identity_error_params
            FROM p LEFT JOIN h USING (row) LEFT JOIN r USING (row) LEFT JOIN c USING (row) LEFT JOIN w USING (row)
            UNION ALL
            -- a row not screened has no level (NULL): the safety-code rule counts it as unresolved
            SELECT row, 'rejected', NULL, 'not screened: ' || message,
                   []::VARCHAR[], name, NULL, NULL, NULL, NULL, NULL, NULL, 'unverifiable', message, id_number, phone,
                   [], NULL, NULL
            FROM rej
            UNION ALL
            SELECT row, status, NULL, 'not screened: the roster marks this row "' || status || '"',
                   []::VARCHAR[], name, NULL, raw_number, NULL, NULL, NULL, NULL, 'unverifiable', status,
                   nullif(raw_number, ''), nullif(raw_phone, ''), [], NULL, NULL
            FROM p_other
            ORDER BY row
        """).cast(PERSONS_SCHEMA)
        hits = self.arrow(self._hits_with_places()).cast(HITS_SCHEMA)
        self.con.unregister("rule_meta")
        return persons, hits


def _no_table(columns: str) -> str:
    return f"(SELECT {columns} WHERE false)"


#: Distinct names of one ID number compared pairwise at most (beyond: every row is conflicting).
MAX_NAMES_COMPARED = 32
#: Other rows a conflict reason names at most.
CONFLICT_ROWS_NAMED = 10


def _unrelated_rows(by_name: dict[str, list[int]], distinct: list[str],
                    named_rows: list[int]) -> dict[str, tuple[list[int], int]]:
    """For each name of one ID number that some other name of it is not the same person as: the first
    :data:`CONFLICT_ROWS_NAMED` rows under such names and how many there are. Work: at most
    ``MAX_NAMES_COMPARED``² name comparisons and a bounded walk of ``named_rows`` per name."""
    out: dict[str, tuple[list[int], int]] = {}
    if len(distinct) > MAX_NAMES_COMPARED:  # every other name counts as another person
        for n, own in by_name.items():
            mine = set(own)
            first = list(itertools.islice((r for r in named_rows if r not in mine), CONFLICT_ROWS_NAMED))
            out[n] = (first, len(named_rows) - len(own))
        return out
    unrelated: dict[str, list[str]] = {n: [] for n in distinct}
    for i, n in enumerate(distinct):
        for m in distinct[i + 1:]:
            if compare_names(n, m).kind == "none":
                unrelated[n].append(m)
                unrelated[m].append(n)
    for n, others in unrelated.items():
        if others:
            rows = heapq.merge(*(by_name[m] for m in others))  # each list is sorted already
            first = list(itertools.islice(rows, CONFLICT_ROWS_NAMED))
            out[n] = (first, sum(len(by_name[m]) for m in others))
    return out


def _conflict_message(first: list[int], count: int, names: int) -> str:
    """The identity reason (English) for a row whose ID number appears under another name in ``count`` rows,
    ``first`` the first of them (sorted); ``names``: how many different spellings the number has, said when
    there are more than :data:`MAX_NAMES_COMPARED` (then they were not compared one by one)."""
    more = count - len(first)
    en = ("row " if count == 1 else "rows ") + ", ".join(str(r) for r in first) + (f" and {more} more" if more > 0
                                                                                   else "")
    many_en = f" ({names} different names)" if names > MAX_NAMES_COMPARED else ""
    return f"the same ID number appears with another name in {en}{many_en}"


def _same_phone(a: str, b: str) -> bool:
    digits_a = "".join(ch for ch in a if ch.isdigit())[-11:]
    digits_b = "".join(ch for ch in b if ch.isdigit())[-11:]
    return len(digits_a) >= 7 and digits_a == digits_b


def _name_join_keys(name: str | None) -> tuple[str, ...]:
    """Equality keys under which two names may corroborate each other (the pair is then checked with
    ``compare_names``): :func:`pingan.lib.identity.names.join_keys`, which covers every pair that
    ``compare_names`` relates as one of :data:`CORROBORATING_NAMES` (simplified name, pinyin and reading
    combinations, every romanised form of a Han name including compound surnames, Latin tokens)."""
    return join_keys(name)


#: Partition columns of a movement directory that the engines prune on (``partition_movements`` writes both).
PARTITION_KEYS = ("province_code", "start_date")


def is_uri(path: str) -> bool:
    """``hdfs://…``, ``s3a://…``, ``file://…``: a path only the Spark engine reads (on its executors)."""
    return "://" in path


def movement_paths(movements: str | Path | Sequence[str | Path], *, uris: bool = False) -> list[str]:
    """The movement input as a list of paths: Parquet/CSV files, or exactly one directory of Parquet
    partitions; with ``uris`` (the Spark engine) also ``scheme://`` URIs, which are not checked here.
    Raises :class:`ScreeningInputError` for none, a missing path, a URI without ``uris``, or a directory
    among others."""
    paths = [str(movements)] if isinstance(movements, str | Path) else [str(p) for p in movements]
    if not paths:
        raise ScreeningInputError("no movement files given", "no_movements")
    for p in paths:
        if is_uri(p):
            if not uris:
                raise ScreeningInputError(f"movement path {p} is a URI: only the Spark engine reads those",
                                          "uri_needs_spark", path=p)
        elif not Path(p).exists():
            raise ScreeningInputError(f"movement file {p} does not exist", "no_such_movements", path=p)
    if any(Path(p).is_dir() for p in paths) and len(paths) > 1:
        raise ScreeningInputError("a partitioned movement directory is given alone, not beside other files: "
                                  + ", ".join(paths), "directory_beside_files", files=list(paths))
    return paths


def partition_keys(directory: str | Path) -> frozenset[str]:
    """The hive partition keys (``key=value`` directory names) of ``directory``'s first Parquet file.
    Raises :class:`ScreeningInputError` when the directory holds no Parquet file."""
    root = Path(directory)
    first = next(iter(sorted(root.rglob("*.parquet"))), None)
    if first is None:
        raise ScreeningInputError(f"movement directory {root} holds no .parquet file", "no_partitions",
                                  path=str(root))
    return frozenset(part.split("=", 1)[0] for part in first.relative_to(root).parts[:-1] if "=" in part)


def partition_movements(source: str | Path | Sequence[str | Path], out_dir: str | Path, *,
                        timezone: str = "Asia/Shanghai", threads: int | None = None,
                        memory_limit: str | None = None) -> Path:
    """Write the movement records of ``source`` (Parquet files) to ``out_dir`` as a directory of Parquet
    partitions ``province_code=PP/start_date=YYYY-MM-DD/`` (the adcode's first two digits; the local date
    of ``start`` in ``timezone``) that both engines read with partition pruning.

    Every record keeps the ``record_id`` it has or, without one, gets the one the engines give it in the
    flat file (``<file stem>:<0-based row>``), so hits name the same records before and after. Returns
    ``out_dir``. Raises :class:`ScreeningInputError` for a missing file or column, or a non-empty ``out_dir``.
    """
    paths = movement_paths(source)
    if not all(p.endswith(".parquet") for p in paths):
        raise ScreeningInputError("partition_movements reads Parquet files: " + ", ".join(paths),
                                  "partition_needs_parquet", files=list(paths))
    out = Path(out_dir)
    if out.exists() and any(out.iterdir()):
        raise ScreeningInputError(f"{out} is not empty; partitions are written to a new directory",
                                  "out_not_empty", path=str(out))
    con = duck.connect(memory_limit=memory_limit, threads=threads)
    try:
        con.execute(f"SET TimeZone = {sql_str(timezone)}")
        plist = "[" + ", ".join(sql_str(p) for p in paths) + "]"
        src = f"read_parquet({plist}, filename = true, file_row_number = true)"
        cols = [c[0] for c in con.execute(f"SELECT * FROM {src} LIMIT 0").description]
        _require(cols, REQUIRED_MOVEMENT_COLUMNS, "movements")
        record_id = ("CAST(record_id AS VARCHAR)" if "record_id" in cols
                     else "parse_filename(filename, true) || ':' || file_row_number")
        keep = [c for c in cols if c not in ("filename", "file_row_number", "record_id", *PARTITION_KEYS)]
        con.execute(f"""
            COPY (SELECT {", ".join(f'"{c}"' for c in keep)}, {record_id} AS record_id,
                         substr(CAST(adcode AS VARCHAR), 1, 2) AS province_code,
                         CAST(CAST(start AS TIMESTAMPTZ) AS DATE) AS start_date
                  FROM {src})
            TO {sql_str(str(out))} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (province_code, start_date))
        """)
    finally:
        con.close()
    return out
