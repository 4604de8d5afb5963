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
  name + birth-date candidate join, and the joins that turn corrections and name + birth-date matches into
  matched movements. All of it is Spark SQL built-ins (``sequence``/``explode``, ``lead``, ``substr``,
  ``rlike``, ``try_to_timestamp``); no Python UDF runs over movement records.
* **Python in the driver** — deciding whether a name corroborates a candidate
  (:func:`pingan.lib.identity.names.compare_names`: traditional/simplified conversion with OpenCC's tables,
  pinyin homophones, romanisations), exactly as the DuckDB engine does. It is not a UDF over movement rows:
  it runs once per (roster key, candidate record) pair that survived the Spark joins — a few per corrupted
  roster row — and re-implementing OpenCC and pypinyin in Spark SQL would be a second implementation to
  keep identical.
* **DuckDB in the driver** — the roster-sized stages shared with the DuckDB engine, so that both give the
  same answers by construction: roster normalisation (the identity module), one ID number under two names,
  listings, the rules over the matched movements, the watchlist and assembling ``persons``/``hits``. Their
  inputs are the roster and the matched movements (``mm``: the roster's own records in listed divisions
  in the window), not the movement table.

One :class:`SparkSession` per process (``SparkSession.builder.getOrCreate``): a session made by
``spark-submit`` or by the caller is used as it is; otherwise one is started with ``master`` (default
``local[*]``) and ``conf``.
"""

# SQL here is assembled from validated rule-set values, quoted literals and column names, never raw user text.
# ruff: noqa: S608

from __future__ import annotations

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
    _require,
    _Run,
    _Timer,
    is_uri,
    movement_paths,
    partition_keys,
)
from pingan.screening.rules import RuleSet

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


def parse_conf(items: list[str] | str | None) -> dict[str, str]:
    """``["spark.executor.memory=8g", …]`` or ``"k=v,k2=v2"`` (``PINGAN_SPARK_CONF``) as a dict.

    Raises ``ValueError`` naming an item without ``=`` or whose key does not start with ``spark.``.
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
            raise ValueError(f"Spark setting {item!r} is not spark.KEY=VALUE")
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
            df = self.spark.read.option("header", True).csv(paths)
            if "record_id" not in df.columns:
                raise ScreeningInputError(
                    "the Spark engine reads movement CSV files only with a record_id column (it cannot number "
                    "CSV rows as the files hold them); convert them to Parquet, e.g. with partition_movements")
            return df
        raise ScreeningInputError("movement files must be all .parquet or all .csv: " + ", ".join(paths))

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
        self.mv = self.spark.sql(f"""
            SELECT CAST(record_id AS STRING) AS record_id,
                   {"CAST(id_type AS STRING)" if has_type else "CAST(NULL AS STRING)"} AS id_type,
                   upper(trim(CAST(id_number AS STRING))) AS number,
                   CAST(name AS STRING) AS name, CAST(adcode AS STRING) AS adcode,
                   CAST(place AS STRING) AS place, {t0} AS t0, {t1} AS t1,
                   {"CAST(phone AS STRING)" if self.has_phone else "CAST(NULL AS STRING)"} AS phone
            FROM {{src}}
            WHERE {t0} < {a} AND {t1} > {w} AND ({where_div}){self.partition_filter(prefixes)}
        """, src=src).persist()
        self._cached.append(self.mv)
        # one job: the windowed records per document-type label (the count and the labels to map)
        per_label = self.mv.groupBy("id_type").count().collect()
        n = sum(r[1] for r in per_label)
        self.counts["movements_in_window"] = n
        labels = [r[0] for r in per_label]
        self.mv_types = self._df(pa.table({
            "id_type": pa.array(labels, pa.string()),
            "mv_doc_type": pa.array([doc_type_from_label(v) for v in labels], pa.string()),
        }))
        # the roster's identities, for the joins
        self.p_df = self._df(self.arrow(
            "SELECT row, name, number, doc_type, valid, error_code, from15, birth_date FROM p"))
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
        inv_c = self.spark.sql("""
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
        """, d=inv_d).persist()
        self._cached.append(inv_c)
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
        """The matched movements come back to the driver's DuckDB as ``mm`` (and the records they name as
        ``mv``) for the roster-sized rule and assembly stages."""
        self.sql("""CREATE TEMP TABLE mm (row BIGINT, record_id VARCHAR, adcode VARCHAR, place VARCHAR,
                    t0 TIMESTAMPTZ, t1 TIMESTAMPTZ, match_kind VARCHAR, match_reasons VARCHAR[])""")
        if self.mm_parts:
            df = self.mm_parts[0]
            for part in self.mm_parts[1:]:
                df = df.unionByName(part)
            self.con.register("mm_in", df.toArrow())
            self.sql("""INSERT INTO mm SELECT row, record_id, adcode, place, t0, t1, match_kind,
                        CAST(match_reasons AS VARCHAR[]) FROM mm_in""")
            self.con.unregister("mm_in")
        self.sql("CREATE TEMP TABLE mv AS SELECT DISTINCT record_id, adcode, place, t0, t1 FROM mm")
        self.counts["matched_exact"] = int(self.sql(
            "SELECT count(*) FROM mm WHERE match_kind IN ('id_exact', 'id_15to18')").fetchall()[0][0])
        for df in self._cached:
            df.unpersist()
