"""The bureau template: incidents from a case-management export (CSV/XLSX/XLS) with Chinese headers.

The file is read exactly as rosters are (:func:`pingan.screening.roster.read_table`: encodings, workbooks,
merged cells, title rows above the header, the same whole-file errors, as codes); the header row is the
first of the top 30 rows naming at least 案由 and 辖区 (spellings in ``data/mappings/bureau.toml``).
Every data row then ends accepted (an incident) or rejected with its reason (a code, a message id and its params,
said in the reader's language), naming the row as Excel shows it and the column — the roster discipline. Rules, in
the order a row is checked:

* ``missing_charge`` / ``unknown_charge``: 案由 empty, or not one the mapping knows (a 案件类别 of
  交通事故 makes the row a traffic accident whatever the 案由);
* ``unknown_unit``: 辖区 empty or not a unit of the organisation (by name or unit code);
  ``outside_jurisdiction``: a unit of the organisation outside the importing analyst's subtree (a district's
  analyst imports the district's incidents, not another district's);
* ``missing_time`` / ``bad_time``: neither 发案时间 nor 接报时间, or a time that is not one;
  ``bad_window``: 发案时间止 before 发案时间;
* ``bad_clearance``: 破案方式 or 案件状态 not in the mapping; ``clearance_before_offence``: 破案时间
  before the offence (or the report, without an offence time); a 破案时间 makes the case cleared (by
  arrest unless 破案方式 says exceptional, with its NIBRS code);
* ``bad_amount`` / ``bad_number``: an amount (损失/涉案/挽回金额; ``1.5万`` and ``2亿`` are read) or a
  number of people that is not one, or negative;
* ``duplicate_case``: a 案件编号 already on an earlier row.

Counting date: the occurrence date (发案时间; the start of a window such as ``2024-01-05 08:00至10:00``),
else the report date (接报时间), in the bureau's time zone. An incident is identified by its 案件编号;
without that column, by a digest of the row's cells (the same row imported twice is one incident).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from pingan.screening.roster import RosterError, cell_text, column_letter, header_key, read_table
from pingan.stats import blocks
from pingan.stats.importers import (
    ImportRead,
    IncidentRecord,
    RowIssue,
    aware,
    coded_issue,
    mapping,
    note,
    quote_issue,
)

SOURCE = "bureau"
HEADER_SCAN_ROWS = 30
REQUIRED = ("charge", "unit")

#: Rejection codes in the order rows are checked (stable API, like the roster's).
REJECTION_CODES = {
    "missing_charge": "案由 is empty",
    "unknown_charge": "案由 is not in the mapping",
    "unknown_unit": "辖区 is empty or names no unit of the organisation",
    "outside_jurisdiction": "辖区 names a unit outside the importing analyst's jurisdiction",
    "missing_time": "neither 发案时间 nor 接报时间",
    "bad_time": "a time cannot be read",
    "bad_window": "发案时间止 is before 发案时间",
    "bad_clearance": "破案方式 or 案件状态 is not in the mapping",
    "clearance_before_offence": "破案时间 is before the offence",
    "bad_amount": "an amount is not a non-negative number",
    "bad_number": "a number of people is not a non-negative whole number",
    "duplicate_case": "the 案件编号 is on an earlier row",
}

_EXCEL_EPOCH = dt.datetime(1899, 12, 30)
_DT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
                 r"(?:[\sT]*(\d{1,2})\s*[:时点]\s*(\d{1,2})?\s*(?:[:分]\s*(\d{1,2})?\s*秒?)?)?\s*$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?$")
_DAY = re.compile(r"^(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)")
_WINDOW_SEP = re.compile(r"\s*(?:至|到|~|～|—|--)\s*")



#: Why a row was rejected: message id → English (``%(name)s`` placeholders; ``where`` is "column X: " as a
#: message of its own, or ""). The row issue keeps the id and params (``values["message"]``) and pages render
#: the translatable template of the same id (``pingan.stats.apps.IMPORT_FAILURES``) in the reader's language.
BUREAU_ROW_MESSAGES = {
    "bureau_row_in_column": "column %(column)s: ",
    "bureau_row_missing_charge": ("row %(row)s: %(where)sthe charge (案由) is empty; fill it in (e.g. 盗窃, 抢劫, "
                                  "电信网络诈骗)."),
    "bureau_row_unknown_charge": ("row %(row)s: %(where)sunknown charge “%(value)s”; use one of the charges listed "
                                  "in the template's notes."),
    "bureau_row_unknown_unit": ("row %(row)s: %(where)sthe unit “%(value)s” is not a unit of the bureau; give the full "
                                "name or the unit code of the police station or branch."),
    "bureau_row_outside_jurisdiction": ("row %(row)s: %(where)sthe unit “%(value)s” is outside your jurisdiction "
                                        "(%(mine)s and the units under it); its incidents are imported by an analyst "
                                        "of that unit's branch or bureau."),
    "bureau_row_bad_window_text": ("row %(row)s: %(where)sthe occurrence time “%(value)s” is not a valid window (e.g. "
                                   "2024-01-05 08:00至10:00)."),
    "bureau_row_bad_occurred": ("row %(row)s: %(where)scannot read the occurrence time “%(value)s” (e.g. 2024-01-05 "
                                "08:30)."),
    "bureau_row_bad_occurred_to": "row %(row)s: %(where)scannot read the end of the occurrence window “%(value)s”.",
    "bureau_row_bad_reported": "row %(row)s: %(where)scannot read the report time “%(value)s”.",
    "bureau_row_missing_time": ("row %(row)s: %(where)sboth the occurrence time (发案时间) and the report time "
                                "(接报时间) are empty; give at least one."),
    "bureau_row_bad_window": "row %(row)s: %(where)sthe end of the occurrence window is before its start.",
    "bureau_row_unknown_value": "row %(row)s: %(where)s“%(value)s” is not a known value.",
    "bureau_row_bad_cleared_at": "row %(row)s: %(where)scannot read the clearance time “%(value)s”.",
    "bureau_row_clearance_before_offence": ("row %(row)s: %(where)sthe clearance time is before the offence (or the "
                                            "report)."),
    "bureau_row_bad_amount": "row %(row)s: %(where)s“%(value)s” is not an amount in yuan (1.5万 is read as 15,000).",
    "bureau_row_bad_number": ("row %(row)s: %(where)s“%(value)s” is not a number of people (a non-negative whole "
                              "number)."),
    "bureau_row_duplicate_case": "row %(row)s: %(where)sduplicates row %(first)s (case number %(case)s).",
    "bureau_row_duplicate_row": "row %(row)s: %(where)sduplicates row %(first)s (same cells).",
    "bureau_row_cleared_without_time": ("row %(row)s: %(where)sthe case is marked cleared but has no clearance time "
                                        "(破案时间)."),
}


class BureauFileError(RosterError):
    """A bureau file whose header cannot be found (codes and English messages below; pages render the
    templates of the same codes, ``pingan.stats.apps.IMPORT_FAILURES``, in the reader's language)."""

    MESSAGES = {
        "bureau_no_header": ("No header row in the first %(rows)s rows of %(name)s: it needs at least the columns 案由 "
                             "(charge) and 辖区 (unit), and 发案时间 (occurred) or 接报时间 (reported). Download the "
                             "template, fill it in and upload again."),
        "bureau_no_time_column": ("The header (row %(row)s) of %(name)s has neither 发案时间 (occurred) nor 接报时间 "
                                  "(reported)."),
    }

def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def charge_key(text: str) -> str:
    """A 案由 as the mapping matches it: NFKC, no spaces, no trailing 罪 or 案."""
    s = re.sub(r"\s+", "", _norm(text))
    return re.sub(r"[罪案]$", "", s)


def parse_time(value: Any, *, day_only_ok: bool = True) -> dt.datetime | None:
    """A cell → naive local datetime (midnight for a date). ``None`` when it cannot be read.

    Accepts workbook dates and datetimes, Excel serial numbers, ``YYYY-MM-DD[ HH:MM[:SS]]`` with ``-``, ``/``,
    ``.`` or ``年月日`` (and ``时分秒``), and ``YYYYMMDD[HHMM[SS]]``.
    """
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        if 1 <= value < 73_051:  # Excel serial days, 1900-01-01..2099-12-31
            return _EXCEL_EPOCH + dt.timedelta(days=float(value))
        value = str(int(value))
    s = _norm(cell_text(value))
    m = _DT.match(s) or _COMPACT.match(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = m.groups()
    if h is None and not day_only_ok:
        return None
    try:
        return dt.datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
    except ValueError:
        return None


def parse_amount(value: Any) -> Decimal | None:
    """A cell → Decimal yuan (``1.5万`` = 15,000; ``2亿`` = 200,000,000; ``元``, ``¥``, separators ignored).

    ``None`` for an empty cell; raises ``ValueError`` for anything else that is not a non-negative amount.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        d = Decimal(str(value))
    else:
        s = _norm(str(value)).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        s = s.removesuffix("元").removesuffix("人民币").strip()
        factor = Decimal(1)
        if s.endswith("万"):
            s, factor = s[:-1], Decimal(10_000)
        elif s.endswith("亿"):
            s, factor = s[:-1], Decimal(100_000_000)
        try:
            d = Decimal(s) * factor
        except InvalidOperation:
            raise ValueError(value) from None
    if d < 0 or not d.is_finite():
        raise ValueError(value)
    return d.quantize(Decimal("0.01"))


def parse_count(value: Any) -> int | None:
    """A cell → a non-negative whole number (``None`` when empty); ``ValueError`` otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if not value.is_integer():
            raise ValueError(value)
        value = int(value)
    s = _norm(str(value)).removesuffix("人")
    if not s.isdigit():
        raise ValueError(value)
    return int(s)


def _parse_cells(fields: Sequence[str], cell: Callable[[str], Any], parse: Callable[[Any], Any]
                 ) -> tuple[dict[str, Any], str | None]:
    """Each field's cell through ``parse``; stops at the first ``ValueError`` and names that field."""
    out: dict[str, Any] = {}
    for f in fields:
        try:
            out[f] = parse(cell(f))
        except ValueError:
            return out, f
    return out, None


def _alias_index(m: Mapping) -> dict[str, str]:
    return {header_key(a): field for field, aliases in m["header"].items() for a in aliases}


def _find_header(rows: Sequence[tuple[int, list[Any]]], index: Mapping[str, str]) -> tuple[int, dict[str, int]] | None:
    for pos, (_n, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        fields: dict[str, int] = {}
        for j, c in enumerate(cells):
            f = index.get(header_key(cell_text(c))) if cell_text(c) else None
            if f and f not in fields:
                fields[f] = j
        if all(f in fields for f in REQUIRED):
            return pos, fields
    return None


def read(source: str | Path | bytes | IO[bytes], *, units: Mapping[str, str], org: str,
         filename: str | None = None, allowed: Mapping[str, str] | None = None) -> ImportRead:
    """Read a bureau template into incidents and reasoned rejections (rules: module docstring).

    ``units`` maps a unit's name and its code to its code (the organisation's territorial units); ``org`` is
    the organisation's root code; ``allowed`` (unit code → the importer's unit name), when given, the codes the
    importing account may import into (its subtree; other units' rows are rejected). Raises
    :class:`~pingan.screening.roster.RosterError` (a code and the file's name) when the file cannot be read
    or has no header row with 案由 and 辖区 (:class:`BureauFileError`).
    """
    m = mapping("bureau")
    tz, currency = m["timezone"], m["currency"]
    index = _alias_index(m)
    rows, meta = read_table(source, filename=filename,
                            has_header=lambda head: _find_header(list(enumerate(head, 1)), index) is not None)
    name = meta.filename or "(upload)"
    found = _find_header(rows, index)
    if found is None:
        raise BureauFileError("bureau_no_header", {"name": name, "rows": HEADER_SCAN_ROWS}, filename=name)
    pos, cols = found
    header_cells = rows[pos][1]
    labels = {f: cell_text(header_cells[j]) or column_letter(j) for f, j in cols.items()}
    if "occurred_from" not in cols and "reported_at" not in cols:
        raise BureauFileError("bureau_no_time_column", {"name": name, "row": rows[pos][0]}, filename=name)
    unit_index = {_norm(k): v for k, v in units.items()}
    records: list[IncidentRecord] = []
    rejected: list[RowIssue] = []
    seen: dict[str, int] = {}
    total = 0
    header_line = rows[pos][0]
    for p in meta.quote_problems:  # a stray quote: its line is rejected, the lines it would have swallowed read
        if p.line <= header_line:
            continue
        total += 1
        col = cell_text(header_cells[p.column]) if p.column < len(header_cells) else ""
        rejected.append(quote_issue(p, col or column_letter(p.column)))
    for n, cells in rows[pos + 1:]:
        if not any(cell_text(c) for c in cells):
            continue
        total += 1

        def cell(field: str, cells=cells) -> Any:
            j = cols.get(field)
            return cells[j] if j is not None and j < len(cells) else None

        def text(field: str) -> str:
            return _norm(cell_text(cell(field)))

        def reject(code: str, field: str | None, message_id: str, n=n, **params) -> None:
            col = labels.get(field) if field else None
            where = {"code": "bureau_row_in_column", "params": {"column": col}} if col else ""
            rejected.append(coded_issue(n, "rejected", code, message_id, {**params, "where": where},
                                        BUREAU_ROW_MESSAGES, col,
                                        **{f: text(f) for f in ("case_number", "charge", "unit") if f in cols}))

        charge, case_type = text("charge"), text("case_type")
        offence = m["case_type"].get(case_type) or m["charge"].get(charge_key(charge)) if charge or case_type else None
        if not charge and not m["case_type"].get(case_type):
            reject("missing_charge", "charge", "bureau_row_missing_charge")
            continue
        if offence is None:
            reject("unknown_charge", "charge", "bureau_row_unknown_charge", value=charge)
            continue
        unit_text = text("unit")
        unit = unit_index.get(unit_text)
        if unit is None:
            reject("unknown_unit", "unit", "bureau_row_unknown_unit", value=unit_text)
            continue
        if allowed is not None and unit not in allowed:
            mine = next(iter(allowed.values()), "")
            reject("outside_jurisdiction", "unit", "bureau_row_outside_jurisdiction", value=unit_text,
                   mine=mine)
            continue
        occ_text = cell_text(cell("occurred_from"))
        occ_from = occ_to = None
        if occ_text and isinstance(cell("occurred_from"), str) and _WINDOW_SEP.search(occ_text.strip()[10:]):
            head, tail = _WINDOW_SEP.split(occ_text.strip(), maxsplit=1)
            occ_from = parse_time(head)
            day_part = _DAY.match(head)
            occ_to = parse_time(tail)
            if occ_to is None and occ_from and day_part:  # "08:00至10:00": the end is on the same day
                occ_to = parse_time(f"{day_part.group(1)} {tail}")
            if occ_from is None or occ_to is None:
                reject("bad_time", "occurred_from", "bureau_row_bad_window_text", value=occ_text)
                continue
        elif occ_text:
            occ_from = parse_time(cell("occurred_from"))
            if occ_from is None:
                reject("bad_time", "occurred_from", "bureau_row_bad_occurred", value=occ_text)
                continue
        if cell_text(cell("occurred_to")):
            occ_to = parse_time(cell("occurred_to"))
            if occ_to is None:
                reject("bad_time", "occurred_to", "bureau_row_bad_occurred_to",
                       value=cell_text(cell("occurred_to")))
                continue
        reported = None
        if cell_text(cell("reported_at")):
            reported = parse_time(cell("reported_at"))
            if reported is None:
                reject("bad_time", "reported_at", "bureau_row_bad_reported",
                       value=cell_text(cell("reported_at")))
                continue
        if occ_from is None and reported is None:
            reject("missing_time", "occurred_from", "bureau_row_missing_time")
            continue
        if occ_from and occ_to and occ_to < occ_from:
            reject("bad_window", "occurred_to" if "occurred_to" in cols else "occurred_from",
                   "bureau_row_bad_window")
            continue
        status_text, clear_text = text("status"), text("clearance")
        status = m["status"].get(status_text) if status_text else None
        clear_how = m["clearance"].get(clear_text) if clear_text else None
        if (status_text and status is None) or (clear_text and clear_how is None):
            bad_field, bad = ("status", status_text) if status_text and status is None else ("clearance", clear_text)
            reject("bad_clearance", bad_field, "bureau_row_unknown_value", value=bad)
            continue
        cleared_at = None
        if cell_text(cell("cleared_at")):
            cleared_at = parse_time(cell("cleared_at"))
            if cleared_at is None:
                reject("bad_time", "cleared_at", "bureau_row_bad_cleared_at",
                       value=cell_text(cell("cleared_at")))
                continue
        start = occ_from or reported
        assert start is not None
        if cleared_at is not None and cleared_at.date() < start.date():
            reject("clearance_before_offence", "cleared_at", "bureau_row_clearance_before_offence")
            continue
        amounts, bad_amount = _parse_cells(("property_loss", "amount_involved", "amount_recovered"), cell,
                                           parse_amount)
        if bad_amount:
            reject("bad_amount", bad_amount, "bureau_row_bad_amount", value=cell_text(cell(bad_amount)))
            continue
        counts, bad_count = _parse_cells(("killed", "injured", "victims"), cell, parse_count)
        if bad_count:
            reject("bad_number", bad_count, "bureau_row_bad_number", value=cell_text(cell(bad_count)))
            continue
        case = text("case_number")
        ref = f"case:{case}" if case else "row:" + hashlib.sha256(
            "\x1f".join(cell_text(c) for c in cells).encode()).hexdigest()[:24]
        if ref in seen:
            if case:
                reject("duplicate_case", "case_number", "bureau_row_duplicate_case", first=seen[ref], case=case)
            else:
                reject("duplicate_case", None, "bureau_row_duplicate_row", first=seen[ref])
            continue
        seen[ref] = n
        if status is None:
            status = "cleared" if cleared_at else "open"
        clearance = exceptional_code = ""
        cleared_on = None
        if status == "cleared":
            if cleared_at is None:
                reject("bad_clearance", "cleared_at", "bureau_row_cleared_without_time")
                seen.pop(ref)
                continue
            how = clear_how or "arrest"
            clearance, _, exceptional_code = how.partition(":")
            cleared_on = cleared_at.date()
        location = text("location")
        place = m["place_type"].get(text("place_type"), "") if text("place_type") else ""
        if not place:
            place = next((pt for word, pt in m["location_words"] if word in location), "")
        records.append(IncidentRecord(
            source_ref=ref, unit=unit, offence=offence, count_date=start.date(), rows=(n,),
            offence_codes=tuple(x for x in (charge, case_type) if x), source_category=" / ".join(
                x for x in (case_type, charge) if x), reported_at=aware(reported, tz) if reported else None,
            occurred_from=aware(occ_from, tz) if occ_from else None, occurred_to=aware(occ_to, tz) if occ_to else None,
            place_type=place, attempted=text("attempted").lower() in m["attempted_values"], location=location,
            block=blocks.cn_block(location) if location else "", status=status, clearance=clearance,
            exceptional_code=exceptional_code, cleared_on=cleared_on, victims=counts["victims"],
            injured=counts["injured"] or 0, killed=counts["killed"] or 0, property_loss=amounts["property_loss"],
            amount_involved=amounts["amount_involved"], amount_recovered=amounts["amount_recovered"],
            currency=currency, timezone=tz))
    read_ = ImportRead(SOURCE, name, org, m["version"], {}, records, [], rejected, total, list(meta.warnings))
    if meta.encoding:
        read_.notes.append(note("encoding", encoding=meta.encoding))
    if pos:
        read_.notes.append(note("header_row", row=rows[pos][0]))
    return read_
