"""A duty roster file (排班表) read into shifts, with row-level errors (no Django).

The file is read by the screening app's reader (``screening.roster.read_table``: CSV in UTF-8/GB 18030,
XLSX/XLS/ODS; rows numbered as Excel shows them). One row puts one officer, one patrol unit, or an officer
crewing a patrol unit on a shift; rows with the same station, date, shift name, start and end make one
shift. Columns (the header row names them, Chinese or English, any order):

=============  ==================  ===================================================
field          headers             value
=============  ==================  ===================================================
``date``       日期, date           the shift's local day: ``YYYY-MM-DD`` (or an Excel date)
``shift``      班次, shift          its name (e.g. 白班 day, 夜班 night)
``start``      开始, start          ``HH:MM`` Beijing time
``end``        结束, end            ``HH:MM``; at or before the start: the next day
``station``    单位, station        the organisation unit's code, e.g. ``350203-LQ``
``officer``    民警, officer        the officer's user name (may be empty if a unit is given)
``unit``       警力, unit           the patrol unit's call sign (may be empty if an officer is given)
=============  ==================  ===================================================

A cell holding a control, bidirectional-formatting or line-separator character is an error
(``roster_control_character``, naming each character as U+XXXX, one or several by their number ``n``);
zero-width characters are removed (:mod:`pingan.lib.textchars`).

Every problem is a :class:`RowError` — row, column letter, code and parameters — rendered in the reader's
language by the page; nothing is imported while any row has an error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pingan.lib import textchars
from pingan.screening.roster import column_letter  # the screening reader's letters (0 → A, 26 → AA)

FIELDS = ("date", "shift", "start", "end", "station", "officer", "unit")
REQUIRED = ("date", "shift", "start", "end", "station")
HEADERS = {
    "日期": "date", "date": "date", "班次": "shift", "shift": "shift", "开始": "start", "start": "start",
    "开始时间": "start", "结束": "end", "end": "end", "结束时间": "end", "单位": "station", "station": "station",
    "派出所": "station", "民警": "officer", "officer": "officer", "警员": "officer", "警力": "unit", "unit": "unit",
    "呼号": "unit", "call sign": "unit",
}
#: The Chinese header of each field (the first spelling :data:`HEADERS` lists for it).
ZH_HEADERS = {"date": "日期", "shift": "班次", "start": "开始", "end": "结束", "station": "单位", "officer": "民警",
              "unit": "警力"}
MAX_ROWS = 5000
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})(?::\d{2})?$")


@dataclass(frozen=True)
class RowError:
    """``row`` as Excel shows it (0: the file), ``column`` a letter or ``""``, ``code`` and ``params``."""

    row: int
    column: str
    code: str
    params: dict = field(default_factory=dict)


@dataclass
class ShiftRows:
    """One shift of the file and the rows that put people and units on it."""

    station: str
    day: dt.date
    name: str
    start: dt.time
    end: dt.time
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (row, officer user name, unit call sign)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip().replace("\u3000", " ").strip()


def _day(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    t = _text(v).replace("/", "-").replace(".", "-")
    m = re.match(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", t) or re.match(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$", t)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _time(v: Any) -> dt.time | None:
    if isinstance(v, dt.time):
        return v.replace(second=0, microsecond=0)
    if isinstance(v, dt.datetime):
        return v.time().replace(second=0, microsecond=0)
    if isinstance(v, float) and 0 <= v < 1:  # an Excel time: a fraction of a day
        minutes = round(v * 24 * 60)
        return dt.time(minutes // 60 % 24, minutes % 60)
    m = _TIME.match(_text(v))
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        return None
    return dt.time(int(m[1]), int(m[2]))


def _header(cells: Sequence[Any]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, c in enumerate(cells):
        key = HEADERS.get(_text(c).lower().replace("*", "").strip())
        if key and key not in cols:
            cols[key] = i
    return cols


def parse(rows: Sequence[tuple[int, Sequence[Any]]]) -> tuple[list[ShiftRows], list[RowError]]:
    """Shifts and errors from ``(row number, cells)`` (``read_table``'s rows). The header is the first row
    naming every required column, among the first 10."""
    errors: list[RowError] = []
    head_at, cols = None, {}
    for k, (_rownum, cells) in enumerate(rows[:10]):
        found = _header(cells)
        if all(f in found for f in REQUIRED):
            head_at, cols = k, found
            break
    if head_at is None:
        # name what the file's first row holds: the headers as written, the same in every language
        first = next(((n, c) for n, c in rows[:10] if any(_text(x) for x in c)), (0, []))
        # the columns by the headers of the reader's language (the file may use either): a list the page joins
        # as that language lists (issue 11's re-check: "日期/date, 班次/shift, …" side by side in both)
        return [], [RowError(first[0], "", "roster_no_header", {
            "columns": list(FIELDS), "columns_zh": [ZH_HEADERS[f] for f in FIELDS],
            "found": [_text(x) for x in first[1] if _text(x)] or "—"})]
    if "officer" not in cols and "unit" not in cols:
        return [], [RowError(rows[head_at][0], "", "roster_no_people_column", {
            "found": [_text(x) for x in rows[head_at][1] if _text(x)]})]
    body = [(n, c) for n, c in rows[head_at + 1:] if any(_text(x) for x in c)]
    if len(body) > MAX_ROWS:
        return [], [RowError(0, "", "roster_too_many_rows", {"rows": len(body), "limit": MAX_ROWS})]
    shifts: dict[tuple, ShiftRows] = {}
    for rownum, cells in body:
        # zero-width characters (copy-paste) are removed; a control or bidi character refuses the row
        # (pingan.lib.textchars: it would change how the name or call sign shows)
        cells = [textchars.strip_invisible(c) if isinstance(c, str) else c for c in cells]
        odd = [(i, fs) for i, c in enumerate(cells)
               if isinstance(c, str) and (fs := textchars.find_all_unsafe(c, allow_newlines=False))]
        for i, fs in odd:  # each cell that holds one, every such character named (issue 11)
            errors.append(RowError(rownum, column_letter(i), "roster_control_character",
                                   textchars.named(fs, char="char", position="position")))
        if odd:
            continue

        def cell(name: str, cells=cells) -> Any:
            i = cols.get(name)
            return cells[i] if i is not None and i < len(cells) else None

        def err(name: str, code: str, rownum=rownum, **params) -> None:
            errors.append(RowError(rownum, column_letter(cols[name]) if name in cols else "", code, params))

        before = len(errors)
        day, start, end = _day(cell("date")), _time(cell("start")), _time(cell("end"))
        name, station = _text(cell("shift")), _text(cell("station"))
        officer, unit = _text(cell("officer")), _text(cell("unit"))
        if day is None:
            err("date", "roster_bad_date", value=_text(cell("date"))[:40])
        if start is None:
            err("start", "roster_bad_time", value=_text(cell("start"))[:40])
        if end is None:
            err("end", "roster_bad_time", value=_text(cell("end"))[:40])
        if not name:
            err("shift", "roster_missing", field="shift")
        elif len(name) > 60:
            err("shift", "roster_too_long", limit=60)
        if not station:
            err("station", "roster_missing", field="station")
        if not officer and not unit:
            errors.append(RowError(rownum, "", "roster_nobody", {}))
        if len(errors) > before:
            continue
        key = (station, day, name, start, end)
        s = shifts.setdefault(key, ShiftRows(station, day, name, start, end))
        s.rows.append((rownum, officer, unit))
    return list(shifts.values()), errors
