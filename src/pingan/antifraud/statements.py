"""Bank statements (银行流水) as banks return them to a police query: read CSV/XLSX in the bank's own
layout, accept or reject every row with its reason, and check the balance column's continuity.

Pure code (pyarrow, no Django). File handling — bytes or path, format sniffing (XLSX, XLS, CSV, corrupt or
password-protected workbooks, HTML-as-XLS), encoding detection (UTF-8 with or without BOM, UTF-16, GBK/
GB18030) and the delimiter — is the roster reader's (:mod:`pingan.screening.roster`), so a statement fails
with the same clear messages a roster does. The header row is found among the first 30 rows by the aliases
below; columns are parsed vectorised (pyarrow.compute), ~1 s per million rows.

Column names (no national standard exists; these are the headers seen in bank responses and in police
analysis tools, see docs/antifraud.md §Statements and ``shared/reference/standards.md`` §2.6): 交易时间,
交易日期 (+ a separate time-of-day column), 交易金额, 借贷标志/收付标志, 支出/存入 (or 借方发生额/贷方
发生额), 对方账号/对方卡号, 对方户名, 对方开户行, 余额, 摘要, 交易流水号, and the English field names of
the ``StandardBankTransactionFlow`` schema (trade_time, trade_amount, lend_mark, …).

Amounts are integer cents; the sign is the account holder's: **+ credit (money in), − debit (money out)**.
Times are read as the bank's local time (UTC+8 unless told) and returned as UTC epoch seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc

from pingan.lib import csvlines, textchars
from pingan.screening import roster as _roster

FIELDS = ("time", "date", "clock", "amount", "debit", "credit", "direction", "balance", "counterparty_account",
          "counterparty_name", "counterparty_bank", "summary", "serial", "account", "account_name", "currency",
          "channel")

HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "time": ("交易时间", "交易日期时间", "记账时间", "交易时间戳", "入账时间", "trade_time",
             "transaction time", "time"),
    "date": ("交易日期", "记账日期", "日期", "入账日期", "date", "transaction date"),
    "clock": ("时间", "交易时刻", "clock"),
    "amount": ("交易金额", "发生额", "金额", "交易额", "trade_amount", "amount"),
    "debit": ("支出", "支出金额", "借方发生额", "借方金额", "付款金额", "转出金额", "debit"),
    "credit": ("存入", "收入", "收入金额", "存入金额", "贷方发生额", "贷方金额", "收款金额", "转入金额", "credit"),
    "direction": ("借贷标志", "收付标志", "借贷方向", "收支标志", "进出标志", "资金流向", "lend_mark", "direction",
                  "dc"),
    "balance": ("余额", "账户余额", "交易余额", "交易后余额", "trade_balance", "balance"),
    "counterparty_account": ("对方账号", "对方卡号", "对手账号", "对手卡号", "对方账户", "交易对方账号", "对方帐号",
                             "trade_opposite_account", "counterparty account"),
    "counterparty_name": ("对方户名", "对方名称", "对手户名", "对方账户名", "交易对方户名", "对手名称",
                          "trade_opposite_name", "counterparty name"),
    "counterparty_bank": ("对方开户行", "对方行名", "对方机构名", "对方银行", "对手开户行", "对方开户机构",
                          "trade_opposite_account_open_bank", "counterparty bank"),
    "summary": ("摘要", "交易摘要", "备注", "用途", "附言", "交易备注", "transaction_summary", "memo", "summary"),
    "serial": ("交易流水号", "流水号", "交易序号", "交易参考号", "凭证号", "trade_serial_number",
               "log_number", "serial"),
    "account": ("账号", "卡号", "本方账号", "交易卡号", "查询账号", "交易账号", "帐号", "account_card", "account"),
    "account_name": ("户名", "客户名称", "账户名称", "本方户名", "customer_name", "account name"),
    "currency": ("币种", "交易币种", "currency_type", "currency"),
    "channel": ("交易渠道", "渠道", "jyqd", "channel"),
}
_INDEX: dict[str, str] = {_roster._header_key(a): f for f, al in HEADER_ALIASES.items() for a in al}

#: Direction cell → +1 (credit, money in) / −1 (debit, money out). 借 is the debit side of the holder's
#: account (支出), 贷 the credit side (收入), as on Chinese bank statements.
DIRECTIONS: dict[str, int] = {
    "贷": 1, "收": 1, "入": 1, "进": 1, "存": 1, "收入": 1, "转入": 1, "存入": 1, "贷方": 1, "c": 1, "cr": 1,
    "credit": 1, "in": 1, "+": 1,
    "借": -1, "付": -1, "出": -1, "支": -1, "支出": -1, "转出": -1, "取": -1, "借方": -1, "d": -1, "dr": -1,
    "debit": -1, "out": -1, "-": -1,
}

#: Rejection codes and their messages (English; the app renders them in the viewer's language).
REJECTION_CODES: dict[str, str] = {
    "columns": "row {row} has {found} cells where the header has {expected}",
    "time_missing": "row {row}: the transaction time is empty",
    "time_invalid": "row {row}: {value!r} in column {column} is not a date and time (use e.g. 2024-01-05 13:45:10)",
    "amount_missing": "row {row}: no amount",
    "amount_invalid": "row {row}: {value!r} in column {column} is not an amount in yuan (e.g. -1,234.50)",
    "amount_zero": "row {row}: the amount is zero",
    "direction_invalid": "row {row}: {value!r} in column {column} is not a debit/credit mark (借/贷, 收/付, D/C)",
    "sign_conflict": "row {row}: the amount {value!r} is negative but the mark says credit (贷/收)",
    "debit_and_credit": "row {row}: both the debit and the credit column hold an amount",
    "balance_invalid": "row {row}: {value!r} in column {column} is not an amount",
    "serial_duplicate": "row {row}: transaction serial {value!r} was already given in row {first}",
    "control_character": "row {row}: column {column} holds the control or bidirectional formatting character(s) "
                         "{value}, which change how the text shows (pingan.lib.textchars)",
    "bad_quote": "row {row}: the double quote in column {column} is not closed on this line, so the rows below "
                 "would have been read as one cell (they were read as rows of their own); delete the stray quote "
                 "(or close it on this line) and import the row again",
}


class StatementError(_roster.RosterError):
    """The file cannot be read as a statement at all (a code and the file's name; pages render the template
    of the code, registered from ``pingan.antifraud.apps``, in the reader's language)."""

    MESSAGES = {"statement_no_header": ("%(name)s: no header row in the first %(rows)s rows with a transaction "
                                        "time (or date) column and an amount (or debit/credit) column; is this a "
                                        "bank statement?")}


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected row: ``row`` as Excel/an editor numbers it, ``code`` (:data:`REJECTION_CODES`),
    ``column`` as headed in the file (or ``None``), ``value`` the offending cell, ``params`` extras."""

    row: int
    code: str
    column: str | None = None
    value: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return REJECTION_CODES[self.code].format(row=self.row, column=self.column, value=self.value,
                                                 **dict(self.params))


@dataclass
class StatementRead:
    """The accepted rows as an Arrow table and the rejected rows, with what was assumed.

    ``table`` columns: ``row`` int64, ``time`` int64 (UTC epoch s), ``amount`` int64 (cents, + in / − out),
    ``balance`` int64 (cents, null when absent), and strings ``counterparty_account``,
    ``counterparty_name``, ``counterparty_bank``, ``summary``, ``serial``, ``account``, ``account_name``,
    ``currency``, ``channel`` ("" when absent). Invariant: accepted + rejected = ``total_rows`` (non-blank
    data rows), each row number once.
    """

    table: pa.Table
    rejected: list[Rejection]
    filename: str
    format: str
    encoding: str | None
    header_row: int
    columns: dict[str, str]
    total_rows: int
    blank_rows: int
    warnings: list[str] = field(default_factory=list)


def read_statement(source: str | os.PathLike[str] | bytes | IO[bytes], *, filename: str | None = None,
                   sheet: str | None = None, utc_offset_hours: float = 8.0) -> StatementRead:
    """Read one statement file. Raises :class:`StatementError` (naming the file and what to do)
    when it is not a readable table or has no time/amount header."""
    data, name = _roster._load_bytes(source, filename)
    fmt = _roster._detect_format(data, name)
    meta = _roster.RosterMeta(filename=name, format=fmt)
    quotes: list[Rejection] = []
    if fmt == "csv":
        text = _roster._csv_text(data, name, meta)
        if csvlines.has_open_quote(text):
            # a line with an unbalanced quote: pyarrow would read on across line breaks and merge rows
            hdr, cols, n_total, irregular, blank, quotes = _csv_lines(text, name, meta.delimiter or ",")
        else:
            head = [rec[1] for _, rec in zip(range(_roster.HEADER_SCAN_ROWS),
                                             _roster._csv_records(text, name, meta.delimiter or ","), strict=False)]
            hdr = _find_header(head, name)
            cols, n_total, irregular, blank = _csv_columns(text, hdr, meta.delimiter or ",")
    else:
        rows, _merges = _roster._workbook_rows(data, name, meta, sheet, _INDEX)
        hdr = _find_header(rows[:_roster.HEADER_SCAN_ROWS], name)
        cols, n_total, irregular, blank = _sheet_columns(rows, hdr)
    table, rejected = _parse(cols, hdr, utc_offset_hours)
    rejected = [Rejection(r, "columns", None, "", {"found": f, "expected": len(hdr.labels)})
                for r, f in irregular] + rejected + quotes
    rejected.sort(key=lambda r: r.row)
    return StatementRead(table=table, rejected=rejected, filename=name, format=fmt, encoding=meta.encoding,
                         header_row=hdr.row + 1, columns={f: hdr.labels[j] for f, j in hdr.fields.items()},
                         total_rows=n_total, blank_rows=blank, warnings=meta.warnings)


@dataclass
class _Hdr:
    row: int  # 0-based record index
    fields: dict[str, int]
    labels: dict[int, str]


def _find_header(rows: list[list[Any]], name: str) -> _Hdr:
    for i, cells in enumerate(rows):
        fields: dict[str, int] = {}
        labels: dict[int, str] = {}
        for j, c in enumerate(cells):
            if c is None or str(c).strip() == "":
                continue
            labels[j] = str(c).strip()
            f = _INDEX.get(_roster._header_key(c))
            if f and f not in fields:
                fields[f] = j
        has_time = "time" in fields or "date" in fields
        has_amount = "amount" in fields or "debit" in fields or "credit" in fields
        if has_time and has_amount:
            return _Hdr(i, fields, labels)
    raise StatementError("statement_no_header", {"name": name, "rows": _roster.HEADER_SCAN_ROWS}, filename=name)


def _csv_columns(text: str, hdr: _Hdr, delimiter: str):
    import pyarrow.csv as pcsv

    ncols = max(hdr.labels) + 1
    names = [f"c{j}" for j in range(ncols)]
    irregular: list[tuple[int, int]] = []

    def on_invalid(row: Any) -> str:
        irregular.append((row.number, row.actual_columns, row.text))
        return "skip"

    table = pcsv.read_csv(
        io.BytesIO(text.encode("utf-8")),
        read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                        invalid_row_handler=on_invalid),
        convert_options=pcsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                            strings_can_be_null=False, quoted_strings_can_be_null=False),
    )
    first = hdr.row + 2
    bad = {n for n, _a, _t in irregular}
    n_all = table.num_rows + len(irregular)
    numbers = [i for i in range(1, n_all + 1) if i not in bad] if bad else range(1, n_all + 1)
    table = table.append_column("row", pa.array(numbers, pa.int64()))
    table = table.filter(pc.greater_equal(table.column("row"), first))
    blank_lines = sum(1 for n, _a, t in irregular if n >= first and not (t or "").strip(delimiter + " \t\r\n"))
    ragged = [(n, a) for n, a, t in irregular if n >= first and (t or "").strip(delimiter + " \t\r\n")]
    cols = {j: pc.utf8_trim_whitespace(table.column(j)) for j in range(ncols)}
    cols, blank = _drop_blank(cols, table.column("row"))
    return cols, table.num_rows - blank + len(ragged), ragged, blank + blank_lines


def _csv_lines(text: str, name: str, delimiter: str):
    """The CSV path for a text with an unbalanced quote on some line (statements have no multi-line cells):
    records by physical line (:func:`pingan.lib.csvlines.scan`), each line whose quote could not be trusted
    rejected as ``bad_quote`` and the lines it would have swallowed read as the rows they are. Returns the
    header and what :func:`_csv_columns` returns, plus the ``bad_quote`` rejections (counted in the total)."""
    items = list(csvlines.scan(text, delimiter))
    records = [r for r in items if isinstance(r, csvlines.Record)]
    found = _find_header([r.cells for r in records[:_roster.HEADER_SCAN_ROWS]], name)
    header_line = records[found.row].line
    hdr = _Hdr(header_line - 1, found.fields, found.labels)  # row numbers are physical lines here
    ncols = max(hdr.labels) + 1
    data: dict[int, list[str]] = {j: [] for j in range(ncols)}
    numbers: list[int] = []
    ragged: list[tuple[int, int]] = []
    quotes: list[Rejection] = []
    blank = 0
    for it in items:
        if it.line <= header_line:
            continue
        if isinstance(it, csvlines.QuoteProblem):
            quotes.append(Rejection(it.line, "bad_quote", hdr.labels.get(it.column, _roster.column_letter(it.column)),
                                    "", {"kind": it.kind, "until": it.until}))
        elif not any(c.strip() for c in it.cells):
            blank += 1
        elif len(it.cells) != ncols:
            ragged.append((it.line, len(it.cells)))
        else:
            numbers.append(it.line)
            for j in range(ncols):
                data[j].append(it.cells[j].strip())
    cols: dict[Any, Any] = {j: pa.chunked_array([pa.array(v, pa.string())]) for j, v in data.items()}
    cols, dropped = _drop_blank(cols, pa.chunked_array([pa.array(numbers, pa.int64())]))
    return hdr, cols, len(numbers) - dropped + len(ragged) + len(quotes), ragged, blank + dropped, quotes


def _drop_blank(cols: dict, rows):
    nonblank = None
    for j, c in cols.items():
        if j == "row":
            continue
        ne = pc.not_equal(c, "")
        nonblank = ne if nonblank is None else pc.or_(nonblank, ne)
    out = {j: c for j, c in cols.items()}
    out["row"] = rows
    if nonblank is None:
        return out, 0
    blank = len(rows) - (pc.sum(nonblank).as_py() or 0)
    if blank:
        out = {j: c.filter(nonblank) for j, c in out.items()}
    return out, blank


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(v, dt.date):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, dt.time):
        return v.strftime("%H:%M:%S")
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e17 else repr(v)
    return str(v).strip()


def _sheet_columns(rows: list[list[Any]], hdr: _Hdr):
    ncols = max(hdr.labels) + 1
    data = rows[hdr.row + 1:]
    cols = {j: pa.chunked_array([pa.array([_cell_text(r[j]) if j < len(r) else "" for r in data], pa.string())])
            for j in range(ncols)}
    row_numbers = pa.chunked_array([pa.array(range(hdr.row + 2, hdr.row + 2 + len(data)), pa.int64())])
    cols, blank = _drop_blank(cols, row_numbers)
    return cols, len(data) - blank, [], blank


# --------------------------------------------------------------------------------------------- parsing
_AMOUNT_RE = r"^[+-]?(\d+(\.\d{0,2})?|\.\d{1,2})$"
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y%m%d%H%M%S", "%Y%m%d %H:%M:%S",
                 "%Y%m%d %H:%M", "%Y%m%d")


def _clean_amount(col):
    s = pc.replace_substring_regex(col, r"[\s,，¥￥]|RMB|CNY|元", "")
    neg_paren = pc.match_substring_regex(s, r"^\(.*\)$")
    s = pc.if_else(neg_paren, pc.binary_join_element_wise("-", pc.replace_substring_regex(s, r"[()]", ""), ""), s)
    trailing = pc.match_substring_regex(s, r"^\d+(\.\d*)?-$")
    s = pc.if_else(trailing, pc.binary_join_element_wise("-", pc.replace_substring_regex(s, r"-$", ""), ""), s)
    ok = pc.match_substring_regex(s, _AMOUNT_RE)
    cents = pc.round(pc.multiply(pc.cast(pc.if_else(ok, s, "0"), pa.float64()), 100.0))
    return pc.cast(cents, pa.int64()), ok


def _parse_time(col, offset_s: int):
    s = pc.replace_substring_regex(col, r"[/.]", "-")
    s = pc.replace_substring_regex(s, r"年|月", "-")
    s = pc.replace_substring_regex(s, r"[日T]", " ")
    s = pc.replace_substring_regex(s, r"[时分]", ":")
    s = pc.replace_substring_regex(s, r"秒|\.\d+$|Z$", "")
    s = pc.replace_substring_regex(s, r"\s+", " ")
    s = pc.utf8_trim(s, characters=" :")
    out = None
    for f in _TIME_FORMATS:
        t = pc.strptime(s, format=f, unit="s", error_is_null=True)
        out = t if out is None else pc.coalesce(out, t)
    secs = pc.cast(pc.cast(out, pa.timestamp("s")), pa.int64())
    return pc.subtract(secs, offset_s)


def _parse(cols: dict, hdr: _Hdr, utc_offset_hours: float) -> tuple[pa.Table, list[Rejection]]:
    f, lab = hdr.fields, hdr.labels
    rows = cols["row"]
    n = len(rows)
    empty = pa.chunked_array([pa.array([""] * n, pa.string())]) if n else pa.chunked_array([], pa.string())

    def col(name: str):
        return cols[f[name]] if name in f else empty

    reasons: list[tuple[Any, str, str | None, Any]] = []  # (mask, code, column label, value column)

    def reject(mask, code: str, fieldname: str | None):
        reasons.append((mask, code, lab.get(f[fieldname]) if fieldname in f else None,
                        col(fieldname) if fieldname else empty))

    # text from outside (pingan.lib.textchars): zero-width characters removed, a control or bidi character
    # rejects the row naming its column and the character
    for name, j in f.items():
        if pc.any(pc.match_substring_regex(cols[j], textchars.INVISIBLE_RE2)).as_py():
            cols[j] = pc.replace_substring_regex(cols[j], textchars.INVISIBLE_RE2, "")
        if pc.any(pc.match_substring_regex(cols[j], textchars.REJECT_RE2)).as_py():
            reject(pc.match_substring_regex(cols[j], textchars.REJECT_RE2), "control_character", name)
    # time (or date + time of day)
    if "time" in f and "date" in f:
        tcol = pc.binary_join_element_wise(col("date"), col("time"), " ")
        tfield = "time"
    elif "date" in f and "clock" in f:
        tcol = pc.binary_join_element_wise(col("date"), col("clock"), " ")
        tfield = "date"
    elif "time" in f:
        tcol, tfield = col("time"), "time"
    else:
        tcol, tfield = col("date"), "date"
    tcol = pc.utf8_trim_whitespace(tcol)
    secs = _parse_time(tcol, int(utc_offset_hours * 3600))
    t_missing = pc.equal(tcol, "")
    reject(t_missing, "time_missing", None)
    reject(pc.and_(pc.invert(t_missing), pc.is_null(secs)), "time_invalid", tfield)
    # amount and direction
    if "amount" in f:
        raw = col("amount")
        cents, ok = _clean_amount(raw)
        missing = pc.equal(raw, "")
        reject(missing, "amount_missing", None)
        reject(pc.and_(pc.invert(missing), pc.invert(ok)), "amount_invalid", "amount")
        if "direction" in f:
            d = pc.utf8_lower(pc.utf8_trim_whitespace(col("direction")))
            keys = pa.array(list(DIRECTIONS))
            vals = pa.array(list(DIRECTIONS.values()), pa.int64())
            pos = pc.index_in(d, value_set=keys)
            sign = pc.take(vals, pos)
            bad_dir = pc.and_(pc.not_equal(d, ""), pc.is_null(sign))
            reject(bad_dir, "direction_invalid", "direction")
            reject(pc.and_(pc.less(cents, 0), pc.equal(pc.fill_null(sign, 0), 1)), "sign_conflict", "amount")
            # a direction mark decides the sign; without one the amount's own sign does
            signed = pc.if_else(pc.is_null(sign), cents, pc.multiply(pc.abs(cents), pc.fill_null(sign, 1)))
        else:
            signed = cents
    else:
        deb_raw, cre_raw = col("debit"), col("credit")
        deb, dok = _clean_amount(deb_raw)
        cre, cok = _clean_amount(cre_raw)
        deb_has = pc.and_(pc.not_equal(deb_raw, ""), pc.not_equal(deb, 0))
        cre_has = pc.and_(pc.not_equal(cre_raw, ""), pc.not_equal(cre, 0))
        reject(pc.and_(pc.not_equal(deb_raw, ""), pc.invert(dok)), "amount_invalid", "debit")
        reject(pc.and_(pc.not_equal(cre_raw, ""), pc.invert(cok)), "amount_invalid", "credit")
        reject(pc.and_(deb_has, cre_has), "debit_and_credit", None)
        reject(pc.and_(pc.invert(deb_has), pc.invert(cre_has)), "amount_missing", None)
        signed = pc.if_else(deb_has, pc.negate(pc.abs(deb)), pc.abs(cre))
        raw = empty
    if "amount" in f:
        reject(pc.and_(pc.and_(pc.not_equal(raw, ""), ok), pc.equal(signed, 0)), "amount_zero", None)
    # balance
    bal_raw = col("balance")
    bal, bok = _clean_amount(bal_raw)
    bal_has = pc.not_equal(bal_raw, "")
    reject(pc.and_(bal_has, pc.invert(bok)), "balance_invalid", "balance")
    balance = pc.if_else(bal_has, bal, pa.scalar(None, pa.int64()))
    # first reason per row
    bad_any = None
    rejected: list[Rejection] = []
    for mask, code, label, values in reasons:
        mask = pc.fill_null(mask, True)
        mask_new = pc.and_(mask, pc.invert(bad_any)) if bad_any is not None else mask
        if pc.any(mask_new).as_py():
            idx = pc.indices_nonzero(mask_new)
            rs = pc.take(rows, idx).to_pylist()
            vs = pc.take(values, idx).to_pylist()
            if code == "control_character":  # the characters named, never shown (they would act on the page):
                # every one, as Unicode writes a sequence of code points ("U+202E U+001B"; issue 11)
                vs = [" ".join(f.code for f in textchars.find_all_unsafe(v or "")) for v in vs]
            rejected += [Rejection(r, code, label, v or "") for r, v in zip(rs, vs, strict=True)]
        bad_any = mask if bad_any is None else pc.or_(bad_any, mask)
    keep = pc.invert(bad_any) if bad_any is not None else pa.chunked_array([pa.array([True] * n)])
    # duplicate serials within the file: the first stays, later ones are rejected naming it
    serial = col("serial")
    out = {
        "row": rows, "time": secs, "amount": signed, "balance": balance,
        "counterparty_account": col("counterparty_account"), "counterparty_name": col("counterparty_name"),
        "counterparty_bank": col("counterparty_bank"), "summary": col("summary"), "serial": serial,
        "account": col("account"), "account_name": col("account_name"), "currency": col("currency"),
        "channel": col("channel"),
    }
    table = pa.table({k: pa.chunked_array(v.chunks if isinstance(v, pa.ChunkedArray) else [v]) if not
                      isinstance(v, pa.ChunkedArray) else v for k, v in out.items()}).filter(keep)
    if "serial" in f and table.num_rows:
        ser = table.column("serial").to_pylist()
        seen: dict[str, int] = {}
        dup_mask = [False] * len(ser)
        row_vals = table.column("row").to_pylist()
        for i, s in enumerate(ser):
            if not s:
                continue
            first = seen.setdefault(s, row_vals[i])
            if first != row_vals[i]:
                dup_mask[i] = True
                rejected.append(Rejection(row_vals[i], "serial_duplicate", lab.get(f["serial"]), s, {"first": first}))
        if any(dup_mask):
            table = table.filter(pa.array([not d for d in dup_mask]))
    return table, rejected


# --------------------------------------------------------------------------------------------- balances
@dataclass(frozen=True, slots=True)
class Gap:
    """Balance discontinuity between two rows: ``expected`` (cents) is the earlier balance plus the later
    row's amount, ``found`` the later row's balance; ``missing = found − expected`` is the net amount of the
    transactions that the statement does not show (missing rows)."""

    after_row: int
    before_row: int
    expected: int
    found: int

    @property
    def missing(self) -> int:
        return self.found - self.expected


def balance_gaps(rows, times, amounts, balances) -> list[Gap]:
    """Check ``balance[i] == balance[i-1] + amount[i]`` along the statement in time order.

    Sequences of equal length: file row numbers, times, signed cents, balances (``None`` where absent).
    Rows are put in time order; equal times keep file order, or reverse file order when the file runs
    newest first (as many banks print). Rows without a balance are skipped."""
    idx = list(range(len(rows)))
    descending = len(times) > 1 and times[0] > times[-1]
    idx.sort(key=lambda i: (times[i], -rows[i] if descending else rows[i]))
    gaps: list[Gap] = []
    prev = None
    for i in idx:
        if balances[i] is None:
            continue
        if prev is not None:
            expected = balances[prev] + amounts[i]
            if expected != balances[i]:
                gaps.append(Gap(rows[prev], rows[i], expected, balances[i]))
        prev = i
    return gaps


def statement_csv(rows: list[dict], *, encoding: str = "utf-8") -> bytes:
    """A statement CSV with the usual Chinese headers (交易流水号, 交易时间, 借贷标志, 交易金额, 余额, 对方账号,
    对方户名, 对方开户行, 摘要) from ``rows`` keyed by those headers; used by the demo and the benchmark."""
    heads = ["交易流水号", "交易时间", "借贷标志", "交易金额", "余额", "对方账号", "对方户名", "对方开户行", "摘要"]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    for r in rows:
        w.writerow([r.get(h, "") for h in heads])
    return buf.getvalue().encode(encoding)
