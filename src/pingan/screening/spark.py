"""The screening engine on Apache Spark (PySpark): the same contract as the DuckDB engine, for movement data
that outgrows one machine.

``get_engine("spark", master="local[*]", conf={...})`` or ``SparkEngine(...)`` implements
:class:`pingan.screening.batch.ScreeningEngine` with the same inputs, outputs and stages
(``docs/screening.md``; cluster runs in ``docs/screening-spark.md``). What runs where:

* **Spark** — everything that reads movement records, the table that grows with a province's history:
  the scan with the look-back window, division and partition filters (``filter_movements``: Parquet
  predicate and partition pushdown), the exact join of the roster with the windowed records, the GB 11643
  recovery candidates (single substitutions and adjacent transpositions passing ISO 7064 MOD 11-2,
  generated in Spark SQL from the roster's failing numbers) and their lookup in *all* movement records, the
  name + birth-date candidate join, the joins that turn corrections and name + birth-date matches into
  matched movements (``mm``, kept in Spark), and the movement rules over them (places' substrings joined to
  the listed communities, the most specific community, the county rule's listing intervals, ``area_visit``,
  ``county_with_area``). All of it is Spark SQL built-ins (``sequence``/``explode``, ``lead``, ``substr``,
  ``rlike``, ``try_to_timestamp``, window ``max``, ``min_by``); no Python UDF runs over movement records.
* **Python in the driver** — deciding whether a name corroborates a candidate
  (:func:`pingan.lib.identity.names.compare_names`: traditional/simplified conversion with OpenCC's tables,
  pinyin homophones, romanisations), exactly as the DuckDB engine does. It is not a UDF over movement rows:
  it runs once per (roster key, candidate record) pair that survived the Spark joins — a few per corrupted
  roster row — and re-implementing OpenCC and pypinyin in Spark SQL would be a second implementation to
  keep identical. Also NFKC normalisation of the distinct places of ``mm`` (pyarrow, as the DuckDB engine
  does): Spark SQL has no Unicode normalisation built-in; the places go back to Spark as a small table.
* **DuckDB in the driver** — the roster-sized stages shared with the DuckDB engine, so that both give the
  same answers by construction: roster normalisation (the identity module), one ID number under two names,
  listings, the identity and watchlist rules, and assembling ``persons``/``hits`` (one row per roster row
  and per hit; the records the movement hits name come back from Spark for their places).

One :class:`SparkSession` per process (``SparkSession.builder.getOrCreate``): a session made by
``spark-submit`` or by the caller is used as it is; otherwise one is started with ``master`` (default
``local[*]``) and ``conf``.
"""

# SQL here is assembled from validated rule-set values, quoted literals and column names, never raw user text.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from pingan.lib.duck import sql_str
from pingan.lib.identity.documents import doc_type_from_label
from pingan.screening.batch import (
    PARTITION_KEYS,
    REQUIRED_MOVEMENT_COLUMNS,
    DuckDBEngine,
    MovementsInput,
    ScreeningInputError,
    _normalise_text,
    _require,
    _Run,
    _Timer,
    is_uri,
    movement_paths,
    partition_keys,
)
from pingan.screening.rules import Rule, RuleSet

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

#: Spark settings the engine starts a local session with unless the caller's ``conf`` says otherwise: few
#: shuffle partitions (a roster-sized join does not need 200), no web UI, Arrow for the driver transfers.
DEFAULT_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.sql.adaptive.enabled": "true",
}

#: Name characters set aside before comparing the lengths of two Han names (the DuckDB engine's class).
_SEPARATORS = r"[\s·•．・･‧∙⋅.。]"
_HAN = "[\u3400-\u9fff]"


def under_spark_submit() -> bool:
    """True when this Python process was started by ``spark-submit`` (its JVM is already running)."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def spark_session(master: str | None = None, conf: dict[str, str] | None = None,
                  app_name: str = "pingan-screening") -> SparkSession:
    """The process's Spark session: the active one (``spark-submit``'s, a test's) or a new one.

    ``master``: ``local[*]``, ``spark://host:7077``, ``yarn``, ``k8s://…``; ``None`` means ``local[*]``
    unless the process runs under ``spark-submit``, whose ``--master`` then holds. ``conf``: any Spark
    settings (``spark.executor.memory`` …), over :data:`DEFAULT_CONF`. An active session is returned as it
    is (its master holds), with those of ``conf`` that a running session lets change.
    """
    from pyspark.sql import SparkSession

    active = SparkSession.getActiveSession()
    if active is not None:  # spark-submit's or the caller's: as it is, with the settings it lets change
        for key, value in (conf or {}).items():
            if active.conf.isModifiable(key):
                active.conf.set(key, str(value))
        return active
    builder = SparkSession.builder.appName(app_name)
    if master is not None or not under_spark_submit():
        builder = builder.master(master or "local[*]")
    for key, value in {**DEFAULT_CONF, **(conf or {})}.items():
        builder = builder.config(key, str(value))
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkConfError(ValueError):
    """A Spark setting that is not ``spark.KEY=VALUE`` (``item``: as given; a command says it in its language)."""

    def __init__(self, item: str) -> None:
        super().__init__(f"Spark setting {item!r} is not spark.KEY=VALUE")
        self.item = item


def parse_conf(items: list[str] | str | None) -> dict[str, str]:
    """``["spark.executor.memory=8g", …]`` or ``"k=v,k2=v2"`` (``PINGAN_SPARK_CONF``) as a dict.

    Raises :class:`SparkConfError` (a ``ValueError``; ``item``: the setting) naming an item without ``=`` or whose
    key does not start with ``spark.``.
    """
    if not items:
        return {}
    if isinstance(items, str):
        items = [i for i in items.split(",") if i.strip()]
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key.startswith("spark."):
            raise SparkConfError(item)
        out[key] = value.strip()
    return out


class SparkEngine(DuckDBEngine):
    """:class:`pingan.screening.batch.ScreeningEngine` on Spark (module docstring: what runs where).

    ``master``/``conf``/``app_name``: the session (:func:`spark_session`); ``session``: use this one.
    ``memory_limit``/``threads``/``temp_directory``: the driver's DuckDB for the roster-sized stages;
    ``timezone``, ``max_stay_days``: as :class:`DuckDBEngine`.
    """

    name = "spark"

    def __init__(
        self,
        *,
        master: str | None = None,
        conf: dict[str, str] | None = None,
        app_name: str = "pingan-screening",
        session: SparkSession | None = None,
        memory_limit: str | None = None,
        threads: int | None = None,
        temp_directory: str | Path | None = None,
        timezone: str = "Asia/Shanghai",
        max_stay_days: int | None = None,
    ) -> None:
        super().__init__(memory_limit=memory_limit, threads=threads, temp_directory=temp_directory,
                         timezone=timezone, max_stay_days=max_stay_days)
        self.master = master
        self.conf = dict(conf or {})
        self.app_name = app_name
        self._session = session

    @property
    def session(self) -> SparkSession:
        if self._session is None:
            self._session = spark_session(self.master, self.conf, self.app_name)
        return self._session

    def _new_run(self, con: duckdb.DuckDBPyConnection, ruleset: RuleSet, as_of: dt.datetime,
                 timer: _Timer) -> _Run:
        return _SparkRun(con, ruleset, as_of, timer, timezone=self.timezone, max_stay_days=self.max_stay_days,
                         spark=self.session)


def _localise(table: pa.Table, zone: str) -> pa.Table:
    """Naive timestamp columns read as wall-clock times in ``zone`` (what DuckDB's session zone does)."""
    for i, f in enumerate(table.schema):
        if pa.types.is_timestamp(f.type) and f.type.tz is None:
            table = table.set_column(i, f.name, pc.assume_timezone(table.column(i), zone))
    return table


def _instant(micros: int | None) -> dt.datetime | None:
    return None if micros is None else dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)


class _SparkRun(_Run):
    """A run whose movement stages are Spark jobs; the roster-sized stages are :class:`_Run`'s."""

    def __init__(self, *args: Any, spark: SparkSession, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.spark = spark
        self.mm_parts: list[DataFrame] = []
        self._cached: list[DataFrame] = []
        # naive times in the inputs are read in the engine's zone, as the DuckDB engine's session does
        spark.conf.set("spark.sql.session.timeZone", self.timezone)

    # ------------------------------------------------------------------------------------------ inputs

    def _df(self, table: pa.Table) -> DataFrame:
        return self.spark.createDataFrame(_localise(table, self.timezone))

    def _materialise(self, df: DataFrame) -> DataFrame:
        """``df`` computed once, now, and read back from the executors' block stores by every later query.

        Not ``persist()``: a persisted DataFrame is found again only by matching query plans, and Spark
        (4.x) does not match it once it is referenced from SQL text (``spark.sql("… {mv} …", mv=…)`` or a
        temp view): each query recomputed its whole lineage from the Parquet scan (at 1 M people × 10 M
        records the windowed scan ran 12 times, and the roster went to the executors once per query). A
        local checkpoint ends the lineage: the plans that use ``df`` start from its stored blocks. The
        blocks live in executor memory and disk like cached ones (dynamic allocation keeps executors
        holding them: ``spark.dynamicAllocation.cachedExecutorIdleTimeout``); they are released at the
        end of the run (:meth:`_release`).
        """
        out = df.localCheckpoint(eager=True)
        self._cached.append(out)
        return out

    def _partitions(self) -> int:
        """How many partitions a small intermediate table is merged into: the shuffle partitions setting."""
        return int(self.spark.conf.get("spark.sql.shuffle.partitions") or 8)

    def _release(self) -> None:
        """Drop the blocks of the DataFrames :meth:`_materialise` stored (best effort)."""
        for df in self._cached:
            # a plan of another shape is left to Spark's context cleaner
            with contextlib.suppress(Exception):
                df._jdf.queryExecution().logical().rdd().unpersist(False)
        self._cached = []

    def _collect(self, df: DataFrame) -> list[tuple]:
        return [tuple(r) for r in df.collect()]

    def _movement_df(self, movements: MovementsInput) -> DataFrame:
        """All movement records as a DataFrame with a ``record_id`` (named as the DuckDB engine names it)."""
        from pyspark.sql import functions as F

        if isinstance(movements, pa.Table):
            tbl = movements
            if "record_id" not in tbl.column_names:
                tbl = tbl.append_column("record_id", pa.array([f"mv:{i}" for i in range(tbl.num_rows)]))
            return self._df(tbl)
        paths = movement_paths(movements, uris=True)
        remote_dir = len(paths) == 1 and is_uri(paths[0]) and not paths[0].endswith((".parquet", ".csv"))
        if remote_dir or Path(paths[0]).is_dir():
            df = self.spark.read.option("basePath", paths[0]).parquet(paths[0])
            # Spark shows a directory's partition keys as columns (a local one is read as DuckDB does)
            self.partition_keys = (frozenset(PARTITION_KEYS) & set(df.columns) if remote_dir
                                   else partition_keys(paths[0]))
            _require(df.columns, (*REQUIRED_MOVEMENT_COLUMNS, "record_id"), "movements (a partitioned directory)")
            return df
        if all(p.endswith(".parquet") for p in paths):
            df = self.spark.read.parquet(*paths)
            if "record_id" not in df.columns:
                # <file stem>:<0-based row in the file>, as DuckDB's parse_filename + file_row_number
                df = df.withColumn("record_id", F.concat(
                    F.regexp_replace(F.col("_metadata.file_name"), r"\.parquet$", ""), F.lit(":"),
                    F.col("_metadata.row_index").cast("string")))
            return df
        if all(p.endswith(".csv") for p in paths):
            df = self.spark.read.option("header", True).csv(paths)  # every column as text, as DuckDB's
            if "record_id" in df.columns:
                return df
            return self._numbered_csv(paths)
        raise ScreeningInputError("movement files must be all .parquet or all .csv: " + ", ".join(paths),
                                  "mixed_formats", files=list(paths))

    def _numbered_csv(self, paths: list[str]) -> DataFrame:
        """CSV movement files without a ``record_id``, each row named ``<file stem>:<n>`` as the DuckDB
        engine names it (``n``: the 0-based data row, counted on across the files in the order given).

        Built-ins only, no Python over the rows: each file is read apart, so its splits are byte ranges in
        file order and Spark's partitions hold them in that order; ``monotonically_increasing_id()`` is
        the row within its partition plus the partition id shifted left by 33 bits, and one count per
        partition gives the offsets. Costs one extra pass over the files (the counts).
        """
        from pyspark.sql import functions as F

        frames, offset = [], 0
        for path in paths:
            stem = path.rsplit("/", 1)[-1].removesuffix(".csv")
            df = (self.spark.read.option("header", True).csv(path)
                  .withColumn("_part", F.spark_partition_id())
                  .withColumn("_mid", F.monotonically_increasing_id()))
            counts = sorted((r[0], r[1]) for r in df.groupBy("_part").count().collect())
            starts, total = [], offset
            for part, n in counts:
                starts.append((part, total))
                total += n
            offsets = self.spark.createDataFrame(starts, "_part INT, _start BIGINT")
            frames.append(df.join(F.broadcast(offsets), "_part").select(
                *[F.col(f"`{c}`") for c in df.columns if c not in ("_part", "_mid")],
                F.concat(F.lit(stem + ":"), (F.col("_start") + F.col("_mid")
                                             - F.shiftleft(F.col("_part").cast("bigint"), 33)).cast("string"))
                .alias("record_id")))
            offset = total
        out = frames[0]
        for frame in frames[1:]:
            out = out.unionByName(frame, allowMissingColumns=True)
        return out

    # ------------------------------------------------------------------------------ 2. movement filter

    def filter_movements(self, movements: MovementsInput) -> None:
        src = self._movement_df(movements)
        _require(src.columns, (*REQUIRED_MOVEMENT_COLUMNS, "record_id"), "movements")
        self.has_phone = "phone" in src.columns
        has_type = "id_type" in src.columns
        self.mv_all = src
        prefixes, where_div = self.division_filter()
        a, w = self._spark_ts(self.as_of), self._spark_ts(self.window_start)
        t0 = "CAST(`start` AS TIMESTAMP)"
        t1 = f"coalesce(CAST(`end` AS TIMESTAMP), {t0} + INTERVAL 1 SECOND)"
        self.mv = self._materialise(self.spark.sql(f"""
            SELECT CAST(record_id AS STRING) AS record_id,
                   {"CAST(id_type AS STRING)" if has_type else "CAST(NULL AS STRING)"} AS id_type,
                   upper(trim(CAST(id_number AS STRING))) AS number,
                   CAST(name AS STRING) AS name, CAST(adcode AS STRING) AS adcode,
                   CAST(place AS STRING) AS place, {t0} AS t0, {t1} AS t1,
                   {"CAST(phone AS STRING)" if self.has_phone else "CAST(NULL AS STRING)"} AS phone
            FROM {{src}}
            WHERE {t0} < {a} AND {t1} > {w} AND ({where_div}){self.partition_filter(prefixes)}
        """, src=src))
        # one job: the windowed records per document-type label (the count and the labels to map)
        per_label = self.mv.groupBy("id_type").count().collect()
        n = sum(r[1] for r in per_label)
        self.counts["movements_in_window"] = n
        labels = [r[0] for r in per_label]
        self.mv_types = self._df(pa.table({
            "id_type": pa.array(labels, pa.string()),
            "mv_doc_type": pa.array([doc_type_from_label(v) for v in labels], pa.string()),
        }))
        # the roster's identities, for the joins (a driver table arrives in ~100 slices: merged, as `mm` is)
        self.p_df = self._materialise(self._df(self.arrow(
            "SELECT row, name, number, doc_type, valid, error_code, from15, birth_date FROM p"))
            .coalesce(self._partitions()))
        if not n and self.listings_in_window:
            in_period = self.spark.sql(f"SELECT 1 FROM {{src}} WHERE {t0} < {a} AND {t1} > {w} LIMIT 1",
                                       src=src).count()
            if not in_period:
                first, last, count = self.spark.sql(
                    f"SELECT unix_micros(min({t0})), unix_micros(max({t0})), count(*) FROM {{src}}",
                    src=src).collect()[0]
                self.movement_span = (_instant(first), _instant(last), int(count))

    def _spark_ts(self, value: dt.datetime) -> str:
        """A timezone-aware instant as a Spark TIMESTAMP literal (in UTC, with its offset)."""
        utc = value.astimezone(dt.UTC)
        return f"TIMESTAMP {sql_str(utc.strftime('%Y-%m-%d %H:%M:%S.%f') + '+00:00')}"

    # -------------------------------------------------------------------------------------- 3. matching

    def match_exact(self) -> None:
        self.mm_parts.append(self.spark.sql("""
            SELECT p.row, m.record_id, m.adcode, m.place, m.t0, m.t1,
                   CASE WHEN p.from15 THEN 'id_15to18' ELSE 'id_exact' END AS match_kind,
                   CASE WHEN p.from15 THEN array('15-digit ID converted to 18 digits (GB 11643-1999 §6)',
                                                 'document number equal')
                        ELSE array('document number equal') END AS match_reasons
            FROM {p} p JOIN {mv} m ON m.number = p.number
            LEFT JOIN {t} t ON t.id_type <=> m.id_type
            WHERE p.valid AND (t.mv_doc_type IS NULL OR t.mv_doc_type = p.doc_type
                               OR (t.mv_doc_type = 'ric' AND p.doc_type = 'hmt_residence'))
        """, p=self.p_df, mv=self.mv, t=self.mv_types))

    def _recovery_pairs(self) -> list[tuple]:
        """The DuckDB engine's candidate generation as Spark SQL over the roster's failing numbers, and the
        lookup of the candidates in all movement records (a broadcast hash join on the number column)."""
        # Weights W_i = 2^(18-i) mod 11; the inverse of w mod 11 is w^9 mod 11 (Fermat).
        inv_d = self.spark.sql("""
            SELECT p.row, p.number AS n, i,
                   CASE WHEN substr(p.number, i, 1) = 'X' THEN 10
                        ELSE ascii(substr(p.number, i, 1)) - 48 END AS a,
                   CAST(pow(2, 18 - i) AS BIGINT) % 11 AS w
            FROM {p} p LATERAL VIEW explode(sequence(1, 18)) r AS i
            WHERE p.doc_type = 'ric' AND p.error_code = 'bad_check_digit' AND p.number RLIKE '^[0-9]{{17}}[0-9X]$'
        """, p=self.p_df)
        inv_c = self._materialise(self.spark.sql("""
            WITH s AS (SELECT row, n, sum(a * w) % 11 AS s FROM {d} GROUP BY row, n),
            d AS (
                SELECT d.row, d.n, d.i, d.a, d.w, s.s,
                       lead(d.a) OVER (PARTITION BY d.row ORDER BY d.i) AS a2,
                       lead(d.w) OVER (PARTITION BY d.row ORDER BY d.i) AS w2
                FROM {d} d JOIN s ON s.row = d.row AND s.n = d.n),
            subs AS (
                SELECT row, n, i, (a + ((1 - s + 11) % 11) * (CAST(pow(w, 9) AS BIGINT) % 11)) % 11 AS v FROM d)
            SELECT row, concat(substr(n, 1, i - 1), CASE WHEN v = 10 THEN 'X' ELSE CAST(v AS STRING) END,
                               substr(n, i + 1)) AS cand,
                   concat('substitution at position ', CAST(i AS STRING)) AS how
            FROM subs WHERE v <> 10 OR i = 18
            UNION ALL
            SELECT row, concat(substr(n, 1, i - 1), substr(n, i + 1, 1), substr(n, i, 1), substr(n, i + 2)) AS cand,
                   concat('transposition at positions ', CAST(i AS STRING), '–', CAST(i + 1 AS STRING)) AS how
            FROM d
            WHERE i < 18 AND a2 IS NOT NULL AND a <> a2 AND NOT (i = 17 AND a2 = 10)
              AND (((s + (a2 - a) * (w - w2)) % 11) + 11) % 11 = 1
        """, d=inv_d))
        self.counts["candidates"] = inv_c.count()
        # the stored number compared as it is (a plain hash join over every record's number column); a
        # lower-case x is covered by adding that spelling of the candidate
        return self._collect(self.spark.sql("""
            WITH cands AS (
                SELECT DISTINCT cand AS k, cand FROM {c}
                UNION SELECT DISTINCT replace(cand, 'X', 'x') AS k, cand FROM {c} WHERE cand LIKE '%X'),
            allmv AS (
                SELECT /*+ BROADCAST(c) */ DISTINCT c.cand AS number, CAST(m.name AS STRING) AS name
                FROM {m} m JOIN cands c ON CAST(m.id_number AS STRING) = c.k)
            SELECT c.row, c.cand, c.how, p.name AS roster_name, p.birth_date AS roster_bd,
                   collect_set(m.name) AS mv_names
            FROM {c} c JOIN {p} p ON p.row = c.row JOIN allmv m ON m.number = c.cand
            GROUP BY c.row, c.cand, c.how, p.name, p.birth_date
        """, c=inv_c, m=self.mv_all, p=self.p_df))

    def _add_matches_by_number(self, matches: pa.Table) -> None:
        if not matches.num_rows:
            return
        self.mm_parts.append(self.spark.sql("""
            SELECT n.row, m.record_id, m.adcode, m.place, m.t0, m.t1, n.match_kind, n.reasons AS match_reasons
            FROM {n} n JOIN {mv} m ON m.number = n.number
        """, n=self._df(matches), mv=self.mv))

    def _name_birth_date_candidates(self, phone_sel: str) -> list[tuple]:
        need = self._df(self.arrow("SELECT k, name, phone, bd, bd_from_digits FROM need_k"))
        sep = _SEPARATORS.replace("\\", "\\\\")
        return self._collect(self.spark.sql(f"""
            WITH mvb AS (
                SELECT number, name, phone,
                       to_date(try_to_timestamp(substr(number, 7, 8), 'yyyyMMdd')) AS bd
                FROM {{mv}} WHERE number RLIKE '^[0-9]{{{{17}}}}[0-9X]$')
            SELECT DISTINCT n.k, n.name, n.phone, n.bd_from_digits, m.number, m.name AS mv_name,
                   m.phone AS mv_phone
            FROM {{n}} n JOIN mvb m ON m.bd = n.bd
            WHERE NOT n.name RLIKE '{_HAN}' OR NOT m.name RLIKE '{_HAN}'
               OR length(regexp_replace(n.name, '{sep}', '')) = length(regexp_replace(m.name, '{sep}', ''))
        """, n=need, mv=self.mv))

    def end_matching(self) -> None:
        """The matched movements stay in Spark (``self.mm``) for the movement rules; only their count
        comes to the driver, and later the records that the hits name (:meth:`_hits_records`)."""
        from pyspark.sql import functions as F

        schema = ("row BIGINT, record_id STRING, adcode STRING, place STRING, t0 TIMESTAMP, t1 TIMESTAMP, "
                  "match_kind STRING, match_reasons ARRAY<STRING>")
        df = self.spark.createDataFrame([], schema)
        for part in self.mm_parts:
            df = df.unionByName(part)
        # one part per matching step, each with the windowed scan's partitions: few rows in many partitions,
        # each a task in every later job; coalesce merges them (and never adds partitions)
        self.mm = self._materialise(df.coalesce(self._partitions()))
        self.counts["matched_exact"] = self.mm.where(F.col("match_kind").isin("id_exact", "id_15to18")).count()

    # ------------------------------------------------------------------------------------------ 4. rules

    def _prepare_area_matches(self) -> None:
        """``named`` and ``cty`` of the DuckDB engine as Spark SQL over ``mm`` and the listings."""
        # NFKC has no Spark built-in: the distinct places of the matched movements (not of the movement
        # table) are normalised in the driver, as the DuckDB engine does, and go back as a small table
        places = pa.array([r[0] for r in self.mm.select("place").distinct().collect()], pa.string())
        pn = self._df(pa.table({"place": places, "place_n": _normalise_text(places)}))
        self.lst = self._materialise(self._df(self.arrow(
            "SELECT area_key, adcode, level, listed_from, listed_until, plen, community, community_n FROM lst_n")))
        # every substring (>= 2 characters) of each distinct place that is a listed community's name
        psub = self.spark.sql("""
            WITH pl AS (SELECT DISTINCT place_n FROM {pn} WHERE length(place_n) >= 2),
            st AS (SELECT place_n, i FROM pl LATERAL VIEW explode(sequence(1, length(place_n) - 1)) s AS i),
            sb AS (SELECT place_n, substr(place_n, i, n) AS sub
                   FROM st LATERAL VIEW explode(sequence(2, length(place_n) - i + 1)) s AS n)
            SELECT DISTINCT place_n, sub FROM sb
            WHERE sub IN (SELECT community_n FROM {lst} WHERE community_n <> '')
        """, pn=pn, lst=self.lst)
        mk = self._materialise(self.spark.sql("""
            SELECT mm.*, coalesce(pn.place_n, '') AS place_n, k.akey
            FROM {mm} mm LEFT JOIN {pn} pn ON pn.place <=> mm.place
            JOIN (SELECT DISTINCT ac, akey FROM (SELECT DISTINCT adcode AS ac FROM {mm})
                  LATERAL VIEW explode(array(ac, concat(substr(ac, 1, 4), '00'),
                                             concat(substr(ac, 1, 2), '0000'))) s AS akey) k
              ON k.ac = mm.adcode
        """, mm=self.mm, pn=pn))
        overlap = "(mk.t0 < l.listed_until OR l.listed_until IS NULL) AND l.listed_from < mk.t1"
        self.named = self._materialise(self.spark.sql(f"""
            WITH x AS (
                SELECT mk.row, mk.record_id, mk.adcode, mk.t0, mk.t1, mk.match_kind, mk.match_reasons,
                       l.area_key, l.level, l.plen, l.community_n
                FROM {{mk}} mk JOIN {{psub}} s ON s.place_n = mk.place_n
                JOIN {{lst}} l ON l.adcode = mk.akey AND l.community_n = s.sub
                WHERE {overlap}
                UNION ALL
                SELECT mk.row, mk.record_id, mk.adcode, mk.t0, mk.t1, mk.match_kind, mk.match_reasons,
                       l.area_key, l.level, l.plen, l.community_n
                FROM {{mk}} mk JOIN {{lst}} l ON l.adcode = mk.akey AND l.community_n = ''
                WHERE {overlap}),
            y AS (SELECT *, max(CASE WHEN community_n <> '' THEN length(community_n) END)
                                OVER (PARTITION BY row, record_id) AS longest FROM x)
            SELECT row, record_id, adcode, t0, t1, match_kind, match_reasons, area_key, level, plen
            FROM y WHERE community_n = '' OR length(community_n) = longest
        """, mk=mk, psub=psub, lst=self.lst))
        self.cty = self.spark.sql("""
            WITH iv AS (
                SELECT adcode, level, listed_from, listed_until, min(area_key) AS area_key
                FROM {lst} WHERE plen = 6 GROUP BY adcode, level, listed_from, listed_until)
            SELECT mm.row, mm.record_id, mm.adcode, mm.t0, mm.t1, mm.match_kind, mm.match_reasons,
                   iv.area_key, iv.level
            FROM {mm} mm JOIN iv ON iv.adcode = mm.adcode
            WHERE (mm.t0 < iv.listed_until OR iv.listed_until IS NULL) AND iv.listed_from < mm.t1
        """, lst=self.lst, mm=self.mm)

    def _spark_window(self, rule: Rule) -> tuple[str, str]:
        start = self.as_of - dt.timedelta(days=self.rs.lookback(rule))
        return self._spark_ts(start), self._spark_ts(self.as_of)

    def _insert_hits(self, df: DataFrame) -> None:
        """Hits computed in Spark into the driver's ``hits`` table (one row per hit: roster-sized)."""
        self.con.register("hits_in", df.toArrow())
        self.sql("""INSERT INTO hits SELECT row, rule_id, source, record_ref, listing_ref, match_kind,
                    CAST(match_reasons AS VARCHAR[]), level_effect, police_priority, silent FROM hits_in""")
        self.con.unregister("hits_in")

    def _rule_columns(self, rule: Rule) -> tuple[str, str, str]:
        levels = ", ".join(sql_str(v) for v in rule.condition["listing_levels"])
        head = f"row, {sql_str(rule.id)} AS rule_id, 'movements' AS source, record_id AS record_ref"
        tail = (f"{sql_str(rule.level or '')} AS level_effect, {rule.police_priority} AS police_priority, "
                "false AS silent")
        return levels, head, tail

    def _area_visit(self, rule: Rule) -> None:
        w0, w1 = self._spark_window(rule)
        levels, head, tail = self._rule_columns(rule)
        self._insert_hits(self.spark.sql(f"""
            SELECT {head}, min(area_key) AS listing_ref, any_value(match_kind) AS match_kind,
                   concat(any_value(match_reasons),
                          array(concat('stayed in listed ', min_by(level, area_key), '-risk area ',
                                       min(area_key), ' while it was listed, within ',
                                       '{self.rs.lookback(rule)}', ' days'))) AS match_reasons,
                   {tail}
            FROM {{named}}
            WHERE level IN ({levels}) AND t0 < {w1} AND t1 > {w0}
            GROUP BY row, record_id
        """, named=self.named))

    def _county_with_area(self, rule: Rule) -> None:
        w0, w1 = self._spark_window(rule)
        levels, head, tail = self._rule_columns(rule)
        self._insert_hits(self.spark.sql(f"""
            SELECT {head}, min(area_key) AS listing_ref, any_value(match_kind) AS match_kind,
                   concat(any_value(match_reasons),
                          array(concat('stayed in county ', any_value(adcode), ' while it had listed ',
                                       min_by(level, area_key), '-risk area ', min(area_key),
                                       ', outside the area, within ', '{self.rs.lookback(rule)}',
                                       ' days'))) AS match_reasons,
                   {tail}
            FROM {{cty}} c
            WHERE level IN ({levels}) AND t0 < {w1} AND t1 > {w0}
              AND NOT EXISTS (SELECT 1 FROM {{named}} n WHERE n.row = c.row AND n.record_id = c.record_id
                              AND n.level IN ({levels}))
            GROUP BY row, record_id
        """, cty=self.cty, named=self.named))

    def apply_rules(self, watchlist: pa.Table | None) -> None:
        """The movement rules in Spark, the roster's rules (identity, watchlist) in the driver; then the
        records the movement hits name come to the driver as ``mv`` for the hits' places."""
        super().apply_rules(watchlist)
        refs = self.arrow("SELECT DISTINCT record_ref AS record_id FROM hits WHERE source = 'movements'")
        self.sql("""CREATE TEMP TABLE mv (record_id VARCHAR, adcode VARCHAR, place VARCHAR, t0 TIMESTAMPTZ,
                    t1 TIMESTAMPTZ)""")
        if refs.num_rows:
            recs = self.spark.sql("""
                SELECT /*+ BROADCAST(r) */ DISTINCT mm.record_id, mm.adcode, mm.place, mm.t0, mm.t1
                FROM {mm} mm JOIN {r} r ON r.record_id = mm.record_id
            """, mm=self.mm, r=self._df(refs))
            self.con.register("mv_in", recs.toArrow())
            self.sql("INSERT INTO mv SELECT record_id, adcode, place, t0, t1 FROM mv_in")
            self.con.unregister("mv_in")
        self._release()
