"""Result writers for batch screening: one output row per input row, as CSV, XLSX or Parquet.

Pure module (no Django); the ``pingan screen`` command and the download view call :func:`write_results`.

* The format follows the file extension: ``.csv`` (UTF-8 with a byte-order mark, so Excel on Chinese
  Windows shows Chinese correctly instead of guessing GBK; RFC 4180 quoting, CRLF line ends), ``.xlsx``
  (openpyxl write-only mode; bold, frozen header row) or ``.parquet`` (pyarrow, zstd). Anything else
  raises :class:`OutputError`.
* Formula injection (CSV injection, OWASP "CSV Injection" guidance; CWE-1236): in CSV and XLSX every
  text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is prefixed with an
  apostrophe ``'`` so a spreadsheet shows it as text and never evaluates it. Numbers are written as
  numbers and are not touched. Parquet is a data format read by programs, so values stay exact there.
* Lists/tuples (e.g. ``police_hits``) become ``"; "``-joined text in CSV/XLSX and Arrow lists in Parquet;
  dicts become JSON text; dates and datetimes become ISO 8601 text in CSV and native cells elsewhere,
  except time-zone-aware datetimes in XLSX, which stay ISO 8601 text with their offset (Excel has no zones).
* XLSX: characters XML 1.0 forbids (control characters) are removed, a cell is cut at Excel's limit of
  32,767 characters, and more than 1,048,575 data rows (Excel's sheet limit) raises :class:`OutputError`
  advising CSV or Parquet. A failed write leaves no partial file behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = [
    "FORMATS",
    "FORMULA_PREFIXES",
    "XLSX_MAX_ROWS",
    "OutputError",
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
    """The results cannot be written (unknown extension, too many rows for XLSX, disk error)."""


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
            f"不支持的输出格式“{ext or '(无扩展名)'}”（{os.fspath(path)}）；请使用 .csv、.xlsx 或 .parquet。 / "
            f"Unsupported output format {ext or '(no extension)'!r} for {os.fspath(path)}; "
            "use .csv, .xlsx or .parquet."
        ) from None


def write_results(
    rows: Iterable[Mapping[str, Any]] | pa.Table,
    path: str | os.PathLike[str],
    *,
    columns: Sequence[str] | None = None,
) -> int:
    """Write result rows to ``path`` in the format its extension names; return the number of data rows.

    ``rows``: dicts (missing keys → empty cells; extra keys ignored) or a ``pyarrow.Table``; ``columns``:
    output columns in order (default: the table's columns, or the first dict's keys). Formula
    neutralisation applies to CSV and XLSX (see module docstring). Raises :class:`OutputError` for an
    unknown extension, more rows than an XLSX sheet holds, or an I/O failure; no partial file is left.
    """
    fmt = output_format(path)
    target = Path(path)
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
            n = _write_xlsx(batches, tmp, cols)
        else:
            n = _write_parquet(rows if isinstance(rows, pa.Table) else batches, tmp, cols)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"无法写入 {target}：{exc.strerror or exc}。 / Cannot write {target}: {exc}.") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return n


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
        w.writerow([neutralise_formula(c) for c in cols])
        for batch in batches:
            w.writerows([neutralise_formula(_text_cell(r.get(c))) for c in cols] for r in batch)
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
            hit = pc.fill_null(pc.match_substring_regex(col, _FORMULA_RE), False)
            col = pc.if_else(hit, pc.binary_join_element_wise("'", col, ""), col)
        arrays.append(col)
    out = pa.table(arrays, names=[str(neutralise_formula(c)) for c in cols])
    with path.open("wb") as fh:
        fh.write(b"\xef\xbb\xbf")  # the UTF-8 BOM Excel needs
        pcsv.write_csv(out, fh, write_options=pcsv.WriteOptions(eol="\r\n", quoting_style="needed"))
    return table.num_rows


def _xlsx_cell(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, dt.datetime) and v.tzinfo is not None:
        return v.isoformat()  # Excel has no time zones; keep the offset visible rather than drop it
    if isinstance(v, bool | int | float | dt.datetime | dt.date):
        return v
    if isinstance(v, list | tuple | dict):
        v = _text_cell(v)
    s = str(v)
    if _ILLEGAL_XML.search(s):
        s = _ILLEGAL_XML.sub("", s)
    if len(s) > _XLSX_CELL_MAX:
        s = s[: _XLSX_CELL_MAX - 1] + "…"
    return neutralise_formula(s)


def _write_xlsx(batches: Iterable[list[Mapping[str, Any]]], path: Path, cols: list[str]) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("结果 results")
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for c in cols:
        cell = WriteOnlyCell(ws, value=_xlsx_cell(c))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    n = 0
    for batch in batches:
        if n + len(batch) > XLSX_MAX_ROWS - 1:
            ws.close()  # finish the sheet's temporary XML stream so nothing is left open
            raise OutputError(
                f"结果有 {n + len(batch)} 行以上，超过 Excel 单个工作表的上限 {XLSX_MAX_ROWS - 1} 行；"
                "请改用 .csv 或 .parquet 输出。 / "
                f"More than {XLSX_MAX_ROWS - 1} result rows, Excel's limit for one sheet; "
                "write .csv or .parquet instead."
            )
        for r in batch:
            ws.append([_xlsx_cell(r.get(c)) for c in cols])
        n += len(batch)
    wb.save(path)
    return n


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
