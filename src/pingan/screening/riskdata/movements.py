"""Movement records — who was in which county when — read and validated without row-by-row Python.

Format (documented in ``docs/risk-data.md``): CSV (UTF-8, RFC 4180, header row) or Parquet with the columns

==========  ========  ==========================================================================
column      required  content
==========  ========  ==========================================================================
id_type     yes       document type, e.g. ``居民身份证`` (GB 11643 resident ID), ``passport``
id_number   yes       the document number as issued
name        no        the person's name
adcode      yes       GB/T 2260 six-digit **county-level** code of the place
place       no        free text (station, hotel, cell site ...)
start       yes       ISO 8601 date-time **with offset** (``2022-08-10T08:30:00+08:00``; the offset within
                      ±14:00, else ``bad_time``); in Parquet also ``timestamp with time zone``
end         yes       same; ``end`` ≥ ``start``
source      yes       where the record comes from: ``rail_ticket``, ``hotel_checkin``,
                      ``telecom_roaming``, ``self_declaration`` ...
==========  ========  ==========================================================================

Validation runs in DuckDB as set operations over the whole file, so 10⁸ Parquet rows are checked without
creating a Python object per row.  Every row that fails is reported — file, row, column, code, message —
and nothing is dropped silently.  ``row`` is the CSV line number (the header is line 1), or the 1-based row
index in a Parquet file; valid rows carry it as ``record_id``.

This module imports no Django.
"""

from __future__ import annotations

import csv
import itertools
import re
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa

from pingan.lib import adcodes, csvlines, textchars
from pingan.lib.duck import sql_str
from pingan.screening.riskdata.places import division_level

COLUMNS = ("id_type", "id_number", "name", "adcode", "place", "start", "end", "source")
REQUIRED = ("id_type", "id_number", "adcode", "start", "end", "source")

#: Chinese headers of a bureau's export (公安机关导出的行程记录) → the column they are: a file may head its
#: columns in English (:data:`COLUMNS`) or in Chinese, or mix them.
HEADER_ALIASES: dict[str, str] = {
    "证件类型": "id_type", "证件种类": "id_type",
    "证件号码": "id_number", "身份证号": "id_number", "身份证号码": "id_number", "公民身份号码": "id_number",
    "姓名": "name",
    "行政区划代码": "adcode", "区划代码": "adcode", "行政区划": "adcode",
    "地点": "place", "场所": "place", "地点名称": "place",
    "开始时间": "start", "起始时间": "start", "结束时间": "end", "截止时间": "end",
    "数据来源": "source", "来源": "source",
}

#: Chinese names of the record sources → their stable code (``source`` is stored as the code; a source not
#: listed is kept as written).
SOURCE_ALIASES: dict[str, str] = {
    "铁路购票": "rail_ticket", "火车票": "rail_ticket", "铁路": "rail_ticket",
    "旅馆入住": "hotel_checkin", "旅馆住宿登记": "hotel_checkin", "旅馆业": "hotel_checkin",
    "通信漫游": "telecom_roaming", "手机漫游": "telecom_roaming", "通信大数据": "telecom_roaming",
    "自主申报": "self_declaration", "个人申报": "self_declaration",
    "民航": "flight", "航班": "flight", "民航旅客": "flight",
}


def canonical_header(header: list[str], aliases: dict[str, str]) -> list[str]:
    """Each header cell as the column it is: trimmed, English lower-cased, a Chinese name through
    ``aliases`` (a header no alias names stays as written, lower-cased)."""
    out = []
    for h in header:
        h = h.strip().lstrip("\ufeff").strip()
        out.append(aliases.get(h, h.lower()))
    return out

#: Time of day: hour 00–23, minute and second 00–59 (RFC 3339 §5.6 ``partial-time``; no 24:00, and no leap
#: second, which DuckDB cannot represent either).
_TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?"
#: A UTC offset that exists: ``Z``, or ±HH[:]MM / ±HH up to ±14:00 (the extremes in use, UTC−12 … UTC+14;
#: RFC 3339 ``time-numoffset`` with minutes 00–59). DuckDB alone would read ``+99:00`` as 99 hours.
UTC_OFFSET = r"(Z|z|[+-](0\d|1[0-3])(:?[0-5]\d)?|[+-]14(:?00)?)"
#: ISO 8601 extended date-time with a UTC offset (RFC 3339 §5.6 profile; a space is allowed for ``T``).
ISO_WITH_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]" + _TIME + UTC_OFFSET
_ISO_NO_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?"
_ISO_HEAD = r"^\s*\d{4}-\d{2}-\d{2}[T ]" + _TIME + r"(Z|z|[+-]\d{2})"
_ISO_TAIL = UTC_OFFSET + r"\s*$"
#: Any offset-shaped tail, possible or not: tells "impossible offset" apart from other malformed text.
_ANY_OFFSET_TAIL = r"[+-]\d{2}(:?\d{2})?\s*$"

REJECTION_SCHEMA = pa.schema([
    ("file", pa.string()), ("row", pa.int64()), ("column", pa.string()), ("code", pa.string()),
    ("message", pa.string()),
])


def rejections_table(rejects: list[tuple]) -> pa.Table:
    """``(file, row, column, code, message)`` tuples as a :data:`REJECTION_SCHEMA` table (the readers' rejections:
    movements here, watchlists)."""
    return pa.Table.from_pylist([dict(zip(REJECTION_SCHEMA.names, r, strict=True)) for r in rejects],
                                schema=REJECTION_SCHEMA)


_BATCH = 65_536
#: The columns of free text, where pingan.lib.textchars' rule is applied (the others have a format).
_FREE_TEXT = ("id_type", "id_number", "name", "place", "source")
#: A safety net: a row that fails the validity test without a listed reason is still reported, never dropped.
_UNEXPLAINED = "{'column': NULL, 'code': 'invalid', 'message': 'the row failed validation'}"
_ADCODE_TABLE = "pingan_county_adcodes"


class MovementFormatError(ValueError):
    """The file as a whole is unusable (unreadable, missing a required column, a column of the wrong type).

    The message names the file and what to do; row-level problems are rejections instead.
    """


def _ident(name: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ValueError(f"{name!r} is not a plain SQL identifier")
    return name


@cache
def _county_codes() -> pa.Table:
    """Every county-level GB/T 2260 code, current or historical (an old ID card keeps its old code)."""
    codes = [d.code for d in adcodes.divisions(include_historical=True) if division_level(d.code) == "county"]
    return pa.table({"code": codes})


def _ensure_adcodes(con: duckdb.DuckDBPyConnection) -> None:
    """Register the county-level GB/T 2260 codes (current and historical) as a temp table, once."""
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND temporary", [_ADCODE_TABLE]
    ).fetchall()
    if exists[0][0]:
        return
    con.register("pingan_adcodes_arrow", _county_codes())
    con.execute(f"CREATE TEMP TABLE {_ADCODE_TABLE} AS SELECT code FROM pingan_adcodes_arrow")  # noqa: S608 - names pass _ident, literals _sql_str
    con.unregister("pingan_adcodes_arrow")


def _csv_batches(path: Path, header: list[str], rejects: list[tuple]) -> Iterator[pa.RecordBatch]:
    """Stream a CSV as Arrow batches of strings plus its line number; malformed rows go to ``rejects``."""
    names = [*header, "__row"]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        # streamed line by line: a stray quote rejects its line instead of merging the rows below it
        # (a place may hold a line break: a cell spanning lines is kept unless it swallowed rows)
        items = csvlines.scan(fh, multiline=lambda cells: csvlines.runaway_cell(cells, ",", len(header)))
        next(items, None)
        while True:
            cols: list[list] = [[] for _ in names]
            consumed = 0
            for item in itertools.islice(items, _BATCH):
                consumed += 1
                line = item.line
                if isinstance(item, csvlines.QuoteProblem):
                    column = header[item.column] if item.column < len(header) else None
                    rejects.append((path.name, line, column, "bad_quote", csvlines.describe(item, column)))
                    continue
                record = item.cells
                if len(record) != len(header):
                    if record:  # a blank line is no record
                        rejects.append((path.name, line, None, "wrong_field_count",
                                        f"line {line} has {len(record)} fields, the header has {len(header)}"))
                    continue
                for i, value in enumerate(record):
                    cols[i].append(value)
                cols[-1].append(line)
            if not consumed:
                return
            yield pa.record_batch(
                [pa.array(c, pa.string()) for c in cols[:-1]] + [pa.array(cols[-1], pa.int64())], names=names
            )


def _csv_header(path: Path) -> list[str]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), None)
    except UnicodeDecodeError as exc:
        raise MovementFormatError(f"{path}: not UTF-8 ({exc}); save the file as UTF-8 CSV") from exc
    except OSError as exc:
        raise MovementFormatError(f"{path}: cannot read ({exc})") from exc
    if not header:
        raise MovementFormatError(f"{path}: empty file; the first line must be the header {','.join(COLUMNS)}")
    return canonical_header(header, HEADER_ALIASES)


def _check_columns(path: Path, columns: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise MovementFormatError(
            f"{path}: missing required column(s) {', '.join(missing)}; the header must name "
            f"{','.join(COLUMNS)} (name and place may be left empty)"
        )
    dupes = sorted({c for c in columns if columns.count(c) > 1})
    if dupes:
        raise MovementFormatError(f"{path}: column(s) {', '.join(dupes)} appear more than once")


def _time_expr(col: str, ctype: str, path: Path) -> tuple[str, str]:
    """SQL for the parsed value and for the error struct of a time column of DuckDB type ``ctype``."""
    q = f'"{col}"'
    if ctype == "TIMESTAMP WITH TIME ZONE":
        return q, f"CASE WHEN {q} IS NULL THEN {{'column': '{col}', 'code': 'missing', " \
                  f"'message': '{col} is empty'}} END"
    if ctype != "VARCHAR":
        raise MovementFormatError(
            f"{path}: column {col} has type {ctype}; it must be text in ISO 8601 with an offset "
            "or a timestamp with time zone (a timestamp without zone is ambiguous)"
        )
    v = f"trim({q})"
    # Two anchored regexes (date-time at the start, offset at the end) then the cast; measured on 10^6 values
    # these cost ~1 s together, where one full-match regex costs ~2 s and substr() tests ~6 s. The regexes
    # also hold the ranges DuckDB's cast does not check (hour ≤ 23, offset within ±14:00, minutes ≤ 59).
    parsed = (f"CASE WHEN regexp_matches({q}, '{_ISO_HEAD}') AND regexp_matches({q}, '{_ISO_TAIL}') "
              f"THEN try_cast({q} AS TIMESTAMPTZ) END")
    err = (
        f"CASE WHEN {q} IS NULL OR {v} = '' THEN {{'column': '{col}', 'code': 'missing', "
        f"'message': '{col} is empty'}} "
        f"WHEN regexp_full_match({v}, '{_ISO_NO_OFFSET}') THEN {{'column': '{col}', 'code': 'no_offset', "
        f"'message': '{col} ' || {v} || ' has no UTC offset; write it as e.g. 2022-08-10T08:30:00+08:00'}} "
        f"WHEN regexp_matches({v}, '{_ANY_OFFSET_TAIL}') AND NOT regexp_matches({v}, '{_ISO_TAIL}') "
        f"THEN {{'column': '{col}', 'code': 'bad_time', "
        f"'message': '{col} ' || {v} || ' has an impossible UTC offset ' || "
        f"regexp_extract({v}, '{_ANY_OFFSET_TAIL}') || '; offsets lie between -14:00 and +14:00 "
        f"(minutes 00-59), e.g. +08:00'}} "
        f"WHEN ({parsed}) IS NULL OR NOT regexp_full_match({v}, '{ISO_WITH_OFFSET}') "
        f"THEN {{'column': '{col}', 'code': 'bad_time', "
        f"'message': '{col} ' || {v} || ' is not an ISO 8601 date-time with offset "
        f"(hour 00-23, minute and second 00-59, a real calendar date)'}} END"
    )
    return parsed, err


def movements_relation(con: duckdb.DuckDBPyConnection, path: Path | str, *, name: str = "movements") -> str:
    """Define DuckDB views over a movement file; returns the name of the view of valid rows.

    Creates (or replaces) the temporary views ``<name>`` — the valid rows: ``record_id`` BIGINT, the text
    columns trimmed (empty ``name``/``place`` → NULL), ``start``/``end`` TIMESTAMPTZ — and
    ``<name>_rejections`` (``file, row, column, code, message``: one row per problem), and ``<name>_warnings``
    (the same shape: the kept records whose text lost a control, text-direction or line-separator character,
    :mod:`pingan.lib.textchars` — code ``control_character``, each one named).  For Parquet they are
    lazy views over ``read_parquet`` (nothing is loaded until queried, DuckDB streams and spills to disk);
    a CSV is parsed once into a temporary DuckDB table (``<name>_src``) first, because CSV line numbers
    cannot be recovered from DuckDB's parallel CSV reader (zero-width characters are removed from the text
    columns without a warning).  Rejection codes: ``missing``, ``bad_adcode``,
    ``unknown_adcode``, ``not_county``, ``no_offset``, ``bad_time``, ``end_before_start``,
    ``wrong_field_count`` (CSV).  Raises :class:`MovementFormatError` for a file-level problem.
    """
    path = Path(path)
    name = _ident(name)
    if not path.is_file():
        raise MovementFormatError(f"{path}: no such file")
    _ensure_adcodes(con)
    fname = sql_str(path.name)
    if path.suffix.lower() in (".parquet", ".pq"):
        try:
            src = (f"(SELECT *, file_row_number + 1 AS __row FROM read_parquet({sql_str(str(path))}, "  # noqa: S608
                   "file_row_number = true))")
            described = con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()  # noqa: S608 - names pass _ident, literals _sql_str
        except duckdb.Error as exc:
            raise MovementFormatError(f"{path}: not a readable Parquet file ({exc})") from exc
        named = [row[0] for row in described if row[0] not in ("file_row_number", "__row")]
        columns = canonical_header(named, HEADER_ALIASES)
        _check_columns(path, columns)
        if columns != named:  # Chinese (or upper-case) column names: read under the names they stand for
            renamed = ", ".join(f'"{o.replace(chr(34), chr(34) * 2)}" AS "{c}"' for o, c in zip(named, columns,
                                                                                              strict=True))
            src = f"(SELECT {renamed}, __row FROM {src})"  # noqa: S608 - names quoted, literals _sql_str
        types = {c: t for c, t in zip(columns, [row[1] for row in described if row[0] in named], strict=True)}
        extra_rejections = "SELECT NULL::VARCHAR, NULL::BIGINT, NULL::VARCHAR, NULL::VARCHAR, NULL::VARCHAR " \
                           "WHERE false"
    else:
        header = _csv_header(path)
        _check_columns(path, header)
        rejects: list[tuple] = []
        reader = pa.RecordBatchReader.from_batches(
            pa.schema([*[(h, pa.string()) for h in header], ("__row", pa.int64())]),
            _csv_batches(path, header, rejects),
        )
        arrow_name = f"__pingan_csv_{uuid.uuid4().hex}"
        con.register(arrow_name, reader)
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name}_src AS SELECT * FROM {arrow_name}")  # noqa: S608 - names pass _ident, literals _sql_str
        except UnicodeDecodeError as exc:
            raise MovementFormatError(f"{path}: not UTF-8 ({exc}); save the file as UTF-8 CSV") from exc
        finally:
            con.unregister(arrow_name)
        con.register(f"{arrow_name}_rej", rejections_table(rejects))
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE {name}_csv_errors AS SELECT * FROM {arrow_name}_rej"  # noqa: S608 - names pass _ident, literals _sql_str
        )
        con.unregister(f"{arrow_name}_rej")
        src = f"{name}_src"
        types = {h: "VARCHAR" for h in header}
        extra_rejections = f"SELECT * FROM {name}_csv_errors"  # noqa: S608 - names pass _ident, literals _sql_str

    def raw(col: str) -> str:
        return f"CAST(\"{col}\" AS VARCHAR)"

    # pingan.lib.textchars, the rule every reader applies (issue 11): in the free-text columns zero-width
    # characters (copy-paste) are removed, and so is a control, text-direction or line-separator character — the
    # record kept (a record dropped is an exposure never found: the review), with a warning naming each one by
    # code point and position (``control_character``, the ``<name>_warnings`` view); the adcode and the times
    # have a format that such a character already fails (bad_adcode, bad_time: shown_rejections writes it
    # visibly in the message). One regex over the free text decides (~2 s per 10^6 rows on one core; DuckDB's
    # character-class regex costs by the byte, so the formatted columns are left out); the rows it finds alone
    # pay for the rest (CASE evaluates only them).
    texts = [c for c in COLUMNS if c in _FREE_TEXT and c in types and types[c] == "VARCHAR"]
    row_text = f"concat({', '.join(raw(c) for c in texts)})" if texts else "''"
    reject_re = sql_str(textchars.REJECT_RE2)
    unsafe_re = sql_str(textchars.UNSAFE_RE2)

    def text(col: str) -> str:
        if col not in types:
            return "NULL::VARCHAR"
        if col in texts:
            return f"NULLIF(trim(CASE WHEN __suspect THEN regexp_replace({raw(col)}, {unsafe_re}, '', 'g') " \
                   f"ELSE {raw(col)} END), '')"
        return f"NULLIF(trim({raw(col)}), '')"

    def odd_err(col: str) -> str:
        v = raw(col)
        chars = f"regexp_extract_all({v}, {reject_re})"
        where = (f"list_filter(range(1, length({v}) + 1), lambda i: regexp_matches(substr({v}, i::BIGINT, 1), "
                 f"{reject_re}))")
        return (f"CASE WHEN regexp_matches({v}, {reject_re}) THEN {{'column': '{col}', 'code': 'control_character', "
                f"'message': '{col} holds ' || array_to_string(list_transform({chars}, "
                f"lambda x: printf('U+%04X', unicode(x))), ', ') || ' at character' || "
                f"CASE WHEN len({chars}) > 1 THEN 's ' ELSE ' ' END || array_to_string({where}, ', ') || "
                f"' (control or text-direction characters: they do not show as text); the record is kept without "
                f"them'}} END")

    start_val, start_err = _time_expr("start", types["start"], path)
    end_val, end_err = _time_expr("end", types["end"], path)
    missing = [
        f"CASE WHEN {text(c)} IS NULL THEN {{'column': '{c}', 'code': 'missing', 'message': '{c} is empty'}} END"
        for c in ("id_type", "id_number", "source")
    ]
    ad = text("adcode")
    adcode_err = (
        f"CASE WHEN {ad} IS NULL THEN {{'column': 'adcode', 'code': 'missing', 'message': 'adcode is empty'}} "
        f"WHEN NOT regexp_full_match({ad}, '[0-9]{{6}}') THEN {{'column': 'adcode', 'code': 'bad_adcode', "
        f"'message': 'adcode ' || {ad} || ' is not six digits (GB/T 2260)'}} "
        f"WHEN NOT __known THEN CASE "
        f"WHEN substr({ad}, 5, 2) = '00' THEN {{'column': 'adcode', 'code': 'not_county', "
        f"'message': 'adcode ' || {ad} || ' is a province or prefecture; give the county-level code'}} "
        f"ELSE {{'column': 'adcode', 'code': 'unknown_adcode', "
        f"'message': 'adcode ' || {ad} || ' is not a GB/T 2260 county code'}} END END"
    )
    order_err = (
        "CASE WHEN __start IS NOT NULL AND __end IS NOT NULL AND __end < __start THEN "
        "{'column': 'end', 'code': 'end_before_start', 'message': 'end is earlier than start'} END"
    )
    # Valid rows are selected by one boolean (``__end >= __start`` is NULL, so false, when either time failed
    # to parse: each cast appears once); the list of problems is only built for the rows that fail.
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name}_checked AS
        SELECT *, coalesce(__id_type IS NOT NULL AND __id_number IS NOT NULL AND __source IS NOT NULL
                            AND __known AND __end >= __start, false) AS __ok
        FROM (SELECT s.*, {', '.join(f'{text(c)} AS "__{c}"' for c in COLUMNS if c not in ('start', 'end'))},
                     {start_val} AS __start, {end_val} AS __end,
                     ({ad} IN (SELECT code FROM {_ADCODE_TABLE})) AS __known
              FROM (SELECT *, CASE WHEN __suspect THEN coalesce(regexp_matches({row_text}, {reject_re}), false)
                                   ELSE false END AS __odd
                    FROM (SELECT *, coalesce(regexp_matches({row_text}, {unsafe_re}), false) AS __suspect
                          FROM {src})) AS s)
    """)  # noqa: S608 - names pass _ident, literals _sql_str
    # a source named in Chinese is stored as its code (SOURCE_ALIASES)
    source = "CASE __source " + " ".join(f"WHEN {sql_str(k)} THEN {sql_str(v)}" for k, v in SOURCE_ALIASES.items()) \
        + " ELSE __source END"
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name} AS
        SELECT __row AS record_id, __id_type AS id_type, __id_number AS id_number, __name AS name,
               __adcode AS adcode, __place AS place, __start AS start, __end AS "end", {source} AS source
        FROM {name}_checked WHERE __ok
    """)  # noqa: S608 - names pass _ident, literals _sql_str
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name}_rejections AS
        SELECT {fname} AS file, __row AS "row", e.column AS "column", e.code AS code, e.message AS message
        FROM (SELECT __row, unnest(CASE WHEN len(__problems) = 0 THEN [{_UNEXPLAINED}] ELSE __problems END) AS e
              FROM (SELECT __row, list_filter(
                        [{', '.join([*missing, adcode_err, start_err, end_err])},
                         {order_err}],
                        lambda x: x IS NOT NULL) AS __problems
                    FROM {name}_checked WHERE NOT __ok))
        UNION ALL {extra_rejections}
    """)  # noqa: S608 - names pass _ident, literals _sql_str
    odd = ", ".join(odd_err(c) for c in texts) or "NULL"
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {name}_warnings AS
        SELECT {fname} AS file, __row AS "row", e.column AS "column", e.code AS code, e.message AS message
        FROM (SELECT __row, unnest(list_filter([{odd}], lambda x: x IS NOT NULL)) AS e
              FROM {name}_checked WHERE __ok AND __odd)
    """)  # noqa: S608 - names pass _ident, literals _sql_str
    return name


def shown_rejections(rejections: pa.Table) -> pa.Table:
    """``rejections`` with every control, text-direction or zero-width character in a ``message`` (a message
    quotes the value it rejects: ``adcode 35\x1b[31m0203 is not six digits``) written visibly as ``⟨U+001B⟩``
    (:func:`pingan.lib.textchars.shown`): a message printed on a terminal or shown on a page must not act there,
    and must not drop what the file held."""
    import pyarrow.compute as pc

    messages = rejections.column("message")
    if not rejections.num_rows or not pc.any(pc.match_substring_regex(messages, textchars.UNSAFE_RE2)).as_py():
        return rejections
    said = pa.array([None if m is None else textchars.shown(m) for m in messages.to_pylist()], pa.string())
    return rejections.set_column(rejections.schema.get_field_index("message"), "message", said)


def read_movements(path: Path | str) -> tuple[pa.Table, pa.Table]:
    """Read and validate a movement file (CSV or Parquet, format in the module docstring).

    Returns ``(valid, rejections)``: ``valid`` has ``record_id`` (int64, the CSV line / Parquet row) then
    ``id_type, id_number, name, adcode, place, start, end, source`` with ``start``/``end`` as
    ``timestamp[us, tz=Asia/Shanghai]``, in file order; ``rejections`` has :data:`REJECTION_SCHEMA` (file,
    row, column, code, message), ordered by row.  A row with several problems appears once per problem and
    not in ``valid``; a record whose text lost a control or text-direction character is kept, its warnings
    (the rejections' shape) in ``valid``'s schema metadata ``pingan.movements`` (JSON: ``accepted_with_warning``,
    the records, and ``warnings``).  Raises :class:`MovementFormatError` for file-level problems.  The result is
    held in Arrow memory; for files larger than memory use :func:`movements_relation`.
    """
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'Asia/Shanghai'")
        view = movements_relation(con, path)
        valid = con.sql(f"SELECT * FROM {view} ORDER BY record_id").to_arrow_table()  # noqa: S608 - names pass _ident, literals _sql_str
        rejected = con.sql(
            f'SELECT * FROM {view}_rejections ORDER BY "row", "column"'  # noqa: S608 - view name from _ident
        ).to_arrow_table()
        warned = con.sql(f'SELECT * FROM {view}_warnings ORDER BY "row", "column"').to_arrow_table()  # noqa: S608
    finally:
        con.close()
    if warned.num_rows:
        import json

        warnings = shown_rejections(warned.cast(REJECTION_SCHEMA)).to_pylist()
        valid = valid.replace_schema_metadata({**(valid.schema.metadata or {}), b"pingan.movements": json.dumps(
            {"accepted_with_warning": len({w["row"] for w in warnings}), "warnings": warnings},
            ensure_ascii=False).encode()})
    return valid, shown_rejections(rejected.cast(REJECTION_SCHEMA))
