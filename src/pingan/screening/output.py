"""Result writers for batch screening: one output row per input row, as CSV, XLSX or Parquet.

Pure module (no Django); the ``pingan screen`` command and the download view call :func:`write_results`.

* The format follows the file extension: ``.csv`` (UTF-8 with a byte-order mark, so Excel on Chinese
  Windows shows Chinese correctly instead of guessing GBK; RFC 4180 quoting, CRLF line ends), ``.xlsx``
  (XlsxWriter in ``constant_memory`` mode: rows stream to disk, memory stays flat; bold, frozen header row;
  each column as wide as its header and the first rows' text need, :func:`column_widths`)
  or ``.parquet`` (pyarrow, zstd). Anything else raises :class:`OutputError`. Arrow tables are prepared
  column-wise in Arrow (CSV entirely; XLSX up to the cell writes).
* Formula injection (CSV injection, OWASP "CSV Injection" guidance; CWE-1236): in CSV and XLSX every
  text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
  apostrophe ``'`` so a spreadsheet shows it as text and never evaluates it. Numbers are written as
  numbers and are not touched. Parquet is a data format read by programs, so values stay exact there.
* Lists/tuples (e.g. ``police_hits``) become text in CSV/XLSX, joined by ``list_separator`` — a file for people
  lists as its reader's language lists (``core.texts.list_separator``: ``、`` / ``, ``; issue 11: a Chinese file
  read "甲; 乙"), the machine form keeps :data:`MACHINE_LIST_SEPARATOR` — and Arrow lists in Parquet;
  dicts become JSON text; dates and datetimes become ISO 8601 text in CSV and native cells elsewhere,
  except time-zone-aware datetimes in XLSX, which stay ISO 8601 text with their offset (Excel has no zones).
* CSV and XLSX: no cell carries a control, bidirectional-formatting, line-separator or zero-width character
  (:func:`pingan.lib.textchars.for_output`; tab, line feed and carriage return stay): an ANSI escape in a
  name must not change a terminal's colours, nor U+202E reverse a row in a spreadsheet, even when it reached
  the results before the readers refused it (issue 11).
* XLSX: characters XML 1.0 forbids (control characters) are removed, a cell is cut at Excel's limit of
  32,767 characters (after the apostrophe), and more than 1,048,575 data rows (Excel's limit of
  1,048,576 rows per sheet, header included; ECMA-376 / Excel specifications and limits) raises
  :class:`OutputError` naming the limit and advising CSV or Parquet — for an Arrow table before anything
  is written. A failed write leaves no partial file behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

from pingan.lib import textchars

__all__ = [
    "FORMATS",
    "FORMULA_PREFIXES",
    "XLSX_MAX_ROWS",
    "OutputError",
    "XlsxRowLimitError",
    "neutralise_formula",
    "output_format",
    "write_results",
]

#: Extension → format name.
FORMATS: dict[str, str] = {".csv": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}

#: Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV Injection).
FORMULA_PREFIXES: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")

#: Rows per worksheet in Excel 2007+ (ECMA-376), header included.
XLSX_MAX_ROWS = 1_048_576

_XLSX_CELL_MAX = 32_767
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_BATCH = 65_536


class OutputError(Exception):
    """The results cannot be written (unknown extension, too many rows for XLSX, disk error). The message is
    English (the command line's and the API's ``detail``), never "中文 / English" side by side (issue 11)."""


class XlsxRowLimitError(OutputError):
    """More result rows than one XLSX sheet holds (:data:`XLSX_MAX_ROWS`, header included); the message
    names the limit and advises CSV or Parquet."""


def neutralise_formula(value: Any) -> Any:
    """Return ``value`` with a leading ``'`` if it is text starting with a formula trigger.

    Shape: any → the same object unless it is a ``str`` beginning with one of :data:`FORMULA_PREFIXES`,
    in which case ``"'" + value``. Source: OWASP "CSV Injection" (prefix such cells with a single quote).
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def output_format(path: str | os.PathLike[str]) -> str:
    """Format name (``"csv"``, ``"xlsx"`` or ``"parquet"``) for ``path``'s extension.

    Raises :class:`OutputError` naming the supported extensions when the extension is unknown.
    """
    ext = Path(path).suffix.lower()
    try:
        return FORMATS[ext]
    except KeyError:
        raise OutputError(
            f"Unsupported output format {ext or '(no extension)'!r} for {os.fspath(path)}; "
            "use .csv, .xlsx or .parquet."
        ) from None


#: What separates the items of a list cell in the machine form of a results file (the API's, ``--codes``).
MACHINE_LIST_SEPARATOR = "; "


def write_results(
    rows: Iterable[Mapping[str, Any]] | pa.Table,
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
    sheet_name: str = "results",
    list_separator: str = MACHINE_LIST_SEPARATOR,
) -> int:
    """Write result rows to ``path`` in the format its extension names; return the number of data rows.

    ``rows``: dicts (missing keys → empty cells; extra keys ignored) or a ``pyarrow.Table``; ``columns``:
    output columns in order (default: the table's columns, or the first dict's keys); ``sheet_name``: the
    XLSX worksheet's name, in the reader's language (``结果`` / ``Results``; ``results`` for programs);
    ``list_separator``: what joins a list cell's items in CSV and XLSX (the reader's language's, for people). Formula
    neutralisation applies to CSV and XLSX (see module docstring). Raises :class:`OutputError` for an
    unknown extension, more rows than an XLSX sheet holds, or an I/O failure; no partial file is left.
    """
    fmt = output_format(path)
    target = Path(path)
    if fmt != "parquet" and list_separator != MACHINE_LIST_SEPARATOR:
        rows = _lists_joined(rows, list_separator)
    if isinstance(rows, pa.Table):
        cols = list(columns) if columns is not None else list(rows.column_names)
        batches: Iterator[list[dict[str, Any]]] = _table_batches(rows, cols)
    else:
        it = iter(rows)
        first = next(it, None)
        cols = list(columns) if columns is not None else list(first or {})
        batches = _dict_batches(first, it)
    tmp = target.with_name(target.name + ".part")
    try:
        if fmt == "csv" and isinstance(rows, pa.Table):
            n = _write_csv_table(rows, tmp, cols)
        elif fmt == "csv":
            n = _write_csv(batches, tmp, cols)
        elif fmt == "xlsx":
            n = _write_xlsx(rows if isinstance(rows, pa.Table) else batches, tmp, cols, sheet_name)
        else:
            n = _write_parquet(rows if isinstance(rows, pa.Table) else batches, tmp, cols)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"Cannot write {target}: {exc.strerror or exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


def _lists_joined(rows: Iterable[Mapping[str, Any]] | pa.Table, separator: str
                  ) -> Iterable[Mapping[str, Any]] | pa.Table:
    """``rows`` with each list cell's items joined by ``separator`` into one text (an Arrow table column-wise)."""
    import pyarrow.compute as pc

    if isinstance(rows, pa.Table):
        for i, field in enumerate(rows.schema):
            if pa.types.is_list(field.type) or pa.types.is_large_list(field.type):
                joined = pc.binary_join(rows.column(i).cast(pa.list_(pa.string())), separator)
                rows = rows.set_column(i, pa.field(field.name, pa.string()), joined)
        return rows
    return ({k: separator.join("" if x is None else str(x) for x in v) if isinstance(v, list | tuple) else v
             for k, v in row.items()} for row in rows)


def _dict_batches(first: Mapping[str, Any] | None, rest: Iterator[Mapping[str, Any]]) -> Iterator[list[Any]]:
    if first is None:
        return
    batch: list[Any] = [first]
    for row in rest:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _table_batches(table: pa.Table, cols: list[str]) -> Iterator[list[dict[str, Any]]]:
    present = [c for c in cols if c in table.column_names]
    for batch in table.select(present).to_batches(_BATCH):
        yield batch.to_pylist()


def _text_cell(v: Any) -> Any:
    """Value for a CSV cell (before neutralisation)."""
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return "; ".join("" if x is None else str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, default=str)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    return v


def _write_csv(batches: Iterable[list[Mapping[str, Any]]], path: Path, cols: list[str]) -> int:
    n = 0
    # utf-8-sig writes the BOM Excel needs to detect UTF-8; newline="" lets csv write RFC 4180 CRLF.
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        clean = textchars.for_output
        w.writerow([neutralise_formula(clean(c)) for c in cols])
        for batch in batches:
            w.writerows([neutralise_formula(clean(_text_cell(r.get(c)))) for c in cols] for r in batch)
            n += len(batch)
    return n


_FORMULA_RE = "^[" + "".join("\\" + c if c in "-^]\\" else c for c in FORMULA_PREFIXES) + "]"


def _write_csv_table(table: pa.Table, path: Path, cols: list[str]) -> int:
    """Vectorised CSV for Arrow input (about 10x faster than row dicts): same cells as :func:`_write_csv`."""
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    arrays = []
    for c in cols:
        if c not in table.column_names:
            arrays.append(pa.nulls(table.num_rows, pa.string()))
            continue
        col = table.column(c)
        if pa.types.is_list(col.type) or pa.types.is_large_list(col.type):
            col = pc.binary_join(col.cast(pa.list_(pa.string())), "; ")
        elif pa.types.is_struct(col.type) or pa.types.is_map(col.type):
            col = pa.array([None if v is None else _text_cell(v) for v in col.to_pylist()], pa.string())
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            if pc.any(pc.match_substring_regex(col, textchars.UNSAFE_RE2)).as_py():
                col = pc.replace_substring_regex(col, textchars.UNSAFE_RE2, "")
            hit = pc.fill_null(pc.match_substring_regex(col, _FORMULA_RE), False)
            col = pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)
        arrays.append(col)
    out = pa.table(arrays, names=[str(neutralise_formula(textchars.for_output(c))) for c in cols])
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf")  # the UTF-8 BOM Excel needs
        pcsv.write_csv(out, fh, write_options=pcsv.WriteOptions(eol="\r\n", quoting_style="needed"))
    return table.num_rows


def _xlsx_cell(v: Any) -> Any:
    """Value for an XLSX cell from a Python value: text cleaned, neutralised and cut (module docstring)."""
    if v is None:
        return None
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return _xlsx_text(v.isoformat())  # Excel has no time zones; keep the offset visible rather than drop it
    if isinstance(v, bool | int | float | dt.datetime | dt.date):
        return v
    if isinstance(v, list | tuple | dict):
        v = _text_cell(v)
    return _xlsx_text(str(v))


def _xlsx_text(s: str) -> str:
    s = str(textchars.for_output(s))  # a superset of what XML 1.0 forbids (_ILLEGAL_XML)
    s = neutralise_formula(s)
    return s if len(s) <= _XLSX_CELL_MAX else s[: _XLSX_CELL_MAX - 1] + "…"


def _xlsx_too_many(rows: int) -> XlsxRowLimitError:
    return XlsxRowLimitError(
        f"{rows} result rows: more than {XLSX_MAX_ROWS - 1}, Excel's limit for one sheet ({XLSX_MAX_ROWS} rows "
        "with the header); write .csv or .parquet instead."
    )


def _xlsx_text_array(col: Any) -> Any:
    """Vectorised :func:`_xlsx_text` over an Arrow string array (nulls stay null)."""
    import pyarrow.compute as pc

    if pc.any(pc.match_substring_regex(col, textchars.UNSAFE_RE2)).as_py():  # covers _ILLEGAL_XML
        col = pc.replace_substring_regex(col, textchars.UNSAFE_RE2, "")
    hit = pc.fill_null(pc.match_substring_regex(col, _FORMULA_RE), False)
    if pc.any(hit).as_py():
        col = pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)
    long = pc.fill_null(pc.greater(pc.utf8_length(col), _XLSX_CELL_MAX), False)
    if pc.any(long).as_py():
        cut = pc.binary_join_element_wise(pc.utf8_slice_codeunits(col, 0, _XLSX_CELL_MAX - 1), "…", "")
        col = pc.if_else(long, cut, col)
    return col


#: A results column's width in characters (Excel's unit: one Latin digit; a Chinese character takes two):
#: at least a date's, at most what a screen shows beside the other columns (longer text is cut on screen, not
#: in the cell). Measured over the header and the first :data:`_WIDTH_SAMPLE` rows.
_WIDTH_MIN, _WIDTH_MAX, _WIDTH_SAMPLE = 6, 60, 1000


def _shown_width(text: str) -> int:
    """How many Latin-digit widths ``text`` takes in a spreadsheet cell (wide and full-width characters: 2)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def column_widths(cols: Sequence[str], sample: Iterable[Mapping[str, Any]] = ()) -> list[float]:
    """A width per column of a results sheet: its header's or its widest sampled value's, +2 for the margin
    and the filter button, within ``[_WIDTH_MIN, _WIDTH_MAX]`` (issue 11: every column of the downloads was
    Excel's default 8.43, so names, ID numbers and reasons showed as ``####`` or cut)."""
    widest = [_shown_width(str(c)) for c in cols]
    for row in sample:
        for j, c in enumerate(cols):
            v = row.get(c)
            if v is not None and v != "":
                text = v.isoformat(sep=" ") if isinstance(v, dt.datetime) else \
                    "; ".join(map(str, v)) if isinstance(v, list | tuple) else str(v)
                widest[j] = max(widest[j], _shown_width(text))
    return [float(min(max(w + 2, _WIDTH_MIN), _WIDTH_MAX)) for w in widest]


class _XlsxSheet:
    """One results worksheet written by XlsxWriter in ``constant_memory`` mode (rows stream to a temporary
    file, so memory does not grow with the row count): a bold, frozen header row, then typed cells."""

    def __init__(self, path: Path, cols: list[str], sheet_name: str = "results",
                 widths: Sequence[float] | None = None) -> None:
        import xlsxwriter

        # Strings are written as strings, never turned into formulas, links or numbers.
        self.wb = xlsxwriter.Workbook(str(path), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "nan_inf_to_errors": True})
        # Excel's rules for a sheet name: at most 31 characters, none of []:*?/\\
        self.ws = self.wb.add_worksheet(re.sub(r"[\[\]:*?/\\]", "", sheet_name)[:31] or "results")
        self.ws.freeze_panes(1, 0)
        bold = self.wb.add_format({"bold": True})
        self.date_format = self.wb.add_format({"num_format": "yyyy-mm-dd"})
        self.datetime_format = self.wb.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
        for j, c in enumerate(cols):
            self.ws.write_string(0, j, _xlsx_text(str(c)), bold)
        for j, w in enumerate(widths or column_widths(cols)):
            self.ws.set_column(j, j, w)
        self.row = 1

    def write_columns(self, columns: list[tuple[int, Any, list[Any]]], n: int) -> None:
        """Write ``n`` rows given column-wise as ``(column index, writer, values)``; ``None`` and ``""``
        leave the cell empty."""
        r = self.row
        for i in range(n):
            for j, write, values in columns:
                v = values[i]
                if v is not None and v != "":
                    write(r, j, v)
            r += 1
        self.row = r

    def write_any(self, r: int, j: int, v: Any) -> None:
        """Write one cell already converted by :func:`_xlsx_cell`, choosing the cell type from the value."""
        if isinstance(v, str):
            self.ws.write_string(r, j, v)
        elif isinstance(v, bool):
            self.ws.write_boolean(r, j, v)
        elif isinstance(v, int | float):
            self.ws.write_number(r, j, v)
        elif isinstance(v, dt.datetime):
            self.ws.write_datetime(r, j, v, self.datetime_format)
        elif isinstance(v, dt.date):
            self.ws.write_datetime(r, j, v, self.date_format)
        else:  # pragma: no cover - _xlsx_cell returns only the types above
            self.ws.write_string(r, j, _xlsx_text(str(v)))

    def arrow_column(self, col: Any) -> tuple[Any, list[Any]]:
        """(writer, values) for one Arrow column of a batch: numbers, booleans and naive dates/times as
        typed cells, everything else as cleaned, neutralised text (module docstring)."""
        import pyarrow.compute as pc

        t = col.type
        ws = self.ws
        if pa.types.is_integer(t) or pa.types.is_floating(t):
            return ws.write_number, col.to_pylist()
        if pa.types.is_boolean(t):
            return ws.write_boolean, col.to_pylist()
        if pa.types.is_date(t):
            return (lambda r, j, v: ws.write_datetime(r, j, v, self.date_format)), col.to_pylist()
        if pa.types.is_timestamp(t) and t.tz is None:
            return (lambda r, j, v: ws.write_datetime(r, j, v, self.datetime_format)), col.to_pylist()
        if pa.types.is_list(t) or pa.types.is_large_list(t):
            col = pc.binary_join(col.cast(pa.list_(pa.string())), "; ")
        elif not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            # aware timestamps (ISO 8601 with offset), structs, maps, times, decimals: as text
            col = pa.array([None if v is None else str(_xlsx_cell(v)) for v in col.to_pylist()], pa.string())
        return ws.write_string, _xlsx_text_array(col).to_pylist()

    def close(self) -> None:
        self.wb.close()


def _write_xlsx(source: pa.Table | Iterable[list[Mapping[str, Any]]], path: Path, cols: list[str],
                sheet_name: str = "results") -> int:
    """XLSX through XlsxWriter (constant_memory). Measured for 1,000,000 rows of the police view (13 columns)
    in ``bench/output_bench.py``: see docs/screening.md. An Arrow table is cleaned column-wise in Arrow and
    its row count checked against Excel's limit before anything is written."""
    if isinstance(source, pa.Table) and source.num_rows > XLSX_MAX_ROWS - 1:
        raise _xlsx_too_many(source.num_rows)
    if isinstance(source, pa.Table):
        sample = source.slice(0, _WIDTH_SAMPLE).select([c for c in cols if c in source.column_names]).to_pylist()
        widths = column_widths(cols, sample)
    else:  # streamed batches: the first one is the sample, written first
        source = iter(source)
        first = next(source, None)
        widths = column_widths(cols, (first or [])[:_WIDTH_SAMPLE])
        if first is not None:
            source = _chain_first(first, source)
    sheet = _XlsxSheet(path, cols, sheet_name, widths)
    n = 0
    try:
        if isinstance(source, pa.Table):
            present = {c: i for i, c in enumerate(source.column_names)}
            for batch in source.to_batches(_BATCH):
                columns = [(j, *sheet.arrow_column(batch.column(present[c]))) for j, c in enumerate(cols)
                           if c in present and batch.column(present[c]).null_count < batch.num_rows]
                sheet.write_columns(columns, batch.num_rows)
                n += batch.num_rows
        else:
            for batch in source:
                if n + len(batch) > XLSX_MAX_ROWS - 1:
                    raise _xlsx_too_many(n + len(batch))
                for r, row in enumerate(batch, start=sheet.row):
                    for j, c in enumerate(cols):
                        v = _xlsx_cell(row.get(c))
                        if v is not None and v != "":
                            sheet.write_any(r, j, v)
                sheet.row += len(batch)
                n += len(batch)
    finally:
        sheet.close()  # also on error: XlsxWriter removes its temporary files; the caller removes the file
    return n


def _chain_first(first: list[Mapping[str, Any]], rest: Iterator[list[Mapping[str, Any]]]
                 ) -> Iterator[list[Mapping[str, Any]]]:
    yield first
    yield from rest


def _write_parquet(source: pa.Table | Iterable[list[Mapping[str, Any]]], path: Path, cols: list[str]) -> int:
    import pyarrow.parquet as pq

    if isinstance(source, pa.Table):
        table = source
        missing = [c for c in cols if c not in table.column_names]
        for c in missing:
            table = table.append_column(c, pa.nulls(table.num_rows, pa.string()))
        table = table.select(cols)
    else:
        data: dict[str, list[Any]] = {c: [] for c in cols}
        for batch in source:
            for c in cols:
                data[c].extend(r.get(c) for r in batch)
        arrays = {}
        for c, values in data.items():
            try:
                arrays[c] = pa.array(values)
            except (pa.ArrowInvalid, pa.ArrowTypeError):
                # Mixed types in one column (e.g. int and str): keep them all, as text.
                arrays[c] = pa.array([None if v is None else str(_text_cell(v)) for v in values], pa.string())
            if pa.types.is_null(arrays[c].type):
                arrays[c] = arrays[c].cast(pa.string())
        table = pa.table(arrays) if arrays else pa.table({})
    pq.write_table(table, path, compression="zstd")
    return table.num_rows
