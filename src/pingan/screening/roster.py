"""Roster ingest: read an uploaded employee/tenant roster (名单) into accepted rows and reasoned rejections.

Pure module: imports no Django; the batch engine (``batch.py``), the CLI and the upload view call it.

Formats
    * CSV/TXT/TSV in UTF-8, UTF-8 with BOM, UTF-16/UTF-32 with BOM, or GBK/GB18030. Detection order:
      byte-order mark → strict UTF-8 → strict GB18030 (a superset of GBK and GB2312, GB 18030-2022) →
      charset-normalizer's best guess (with a warning). The encoding assumed is reported in
      ``RosterMeta.encoding`` (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"gb18030"``, ...).
      NUL bytes (from broken exports) are removed with a note naming their lines.
      Line endings LF, CRLF and CR-only (classic Mac) are all accepted — each is a line end, as in Excel;
      a lone CR in a file whose lines end in LF or CRLF is named in a note (``lone_carriage_return``: a CR
      pasted inside a cell splits its row). The delimiter is ``,`` unless the extension is ``.tsv`` or the
      first lines hold more tabs (or ``;``) than commas.
    * XLSX/XLSM, XLS (BIFF8) and ODS through python-calamine (Rust calamine). The format is decided from
      the file's leading bytes first (ZIP → XLSX/ODS, OLE2 → XLS or an encrypted XLSX), then from the
      extension; a password-protected workbook is refused with an explanation.

Quotes (CSV)
    A double quote that never closes made the ``csv`` module read every following row into one cell: the
    trial of issue 11 (``张三,"110101…,138…`` and more rows) showed two other people's full ID numbers as
    that row's "name" and lost a row. A file whose quotes need care (they do not pair up, a quote stands
    inside a cell, or pyarrow found a cell spanning lines) is read by :func:`_csv_scan`, which keeps a quoted cell
    spanning lines only when it is a plausible multi-line cell (an address typed with Alt+Enter) and
    otherwise rejects the line where the quote opened (``bad_quote``: ``unclosed``, ``closes_later`` with
    the line where it closed, or ``misplaced`` for ``"x"y`` or a quote inside a name, ID-number or phone
    cell) and reads the lines it had swallowed again, each as the row it is; a runaway longer than the
    ``csv`` module's field limit is the same, not a failed file. Files without quotes (most) are decided
    by one ``in`` and keep the vectorised path.

Row numbers
    ``row`` is the row number the user sees when the file is opened in Excel (1-based, the header and any
    title rows count). For CSV that is the record number, which equals the line number unless a quoted
    cell contains a line break (Excel shows such a record on one row, so we do too). When a quote cannot
    be trusted, the records around it are not what Excel shows either: rows are then numbered by physical
    line (what a text editor shows, where the quote must be fixed), and a note (``rows_are_lines``) says
    so.

Header
    The header row is the row, among the first :data:`HEADER_SCAN_ROWS`, that names the most canonical
    fields through :data:`HEADER_ALIASES` (Chinese and English; matching ignores case, spaces, ``*``
    required-markers, full-width forms and a trailing parenthetical such as ``（必填）``); it must name
    ``name`` and ``id_number`` or ``name`` and ``phone`` to be taken for the header, and a roster whose header
    has no ``id_number`` column is refused (``roster_header_without_id``): nobody on it could be checked, and
    every row would have reached the police as a hit to verify (issue 11 trial: "police hits: 20"). Rows above it
    (titles of government templates) are skipped with a warning. Unknown headers are kept in
    ``RosterRow.extra``; callers may pass ``aliases`` for headers we do not know. A second column meaning the
    same field stays an extra column.
    ``RosterMeta.resident_id_column`` says whether the ID-number header names the resident ID card
    (身份证号 …) rather than any document (证件号码): the engine is then stricter about what the column holds.

Cleaning (deliberately light: identity normalisation such as NFKC or the GB 11643 check belongs to the
engine)
    Every value becomes a string with leading/trailing whitespace (including full-width U+3000 and NBSP)
    removed. Excel numbers stored as numbers become their integer text when integral (``13800138000.0`` →
    ``"13800138000"``). Dates (``birth_date``, ``start_date``) become ISO 8601 ``YYYY-MM-DD`` from Excel
    dates, ``YYYY-MM-DD``/``YYYY/M/D``/``YYYY.M.D``/``YYYYMMDD``/``YYYY年M月D日`` text, 8-digit numbers or
    Excel serial day numbers (1900 date system); a birth date may also be year-month (``YYYY-MM``).

Merged cells (XLSX/XLS/ODS)
    calamine puts a merged range's value only in its top-left cell; the ranges come from calamine's own
    ``merged_cell_ranges`` (so no second parse with openpyxl, and XLS works too). For every merged range
    the value is copied *down* the first column of the range (e.g. an address merged over the rows of one
    household), never across, so a merge can neither invent a value in another field nor create a cell
    without a header. This is done before the header search, so a header cell merged over two header rows
    is seen on the lower one. Merges that reach data rows are listed in the warnings.
    The identity columns (name, ID number, phone) are the exception below the header: a merge is never
    copied down them, because it would give one person's identity to the next row's person; those rows are
    rejected as missing the value, with a warning naming the merge.

Formulas without a saved value (XLSX)
    Excel and WPS store each formula's last result beside it; files written by libraries (openpyxl,
    Apache POI …) often store the formula alone, and calamine then reads the cell as empty — an ID number
    would silently become "missing". When some roster-field cell below the header came back empty (the
    only case where this can hide a value; a C-level test over the rows, ~35 ms per 100,000 rows), the
    sheet's XML is streamed once and searched byte-wise for formula cells without a value (~0.13 s per
    100,000 rows); a row with such a cell in a roster-field column is rejected (``formula_without_value``),
    asking the user to open and save the file in Excel/WPS or to paste values. Formulas in columns that
    are not roster fields are ignored.

Rejections (one per rejected row; codes are stable API, see :data:`REJECTION_CODES`)
    Every non-blank data row is either accepted or rejected: ``len(accepted) + len(rejected) ==
    total_rows``. Wholly blank rows are counted in ``blank_rows`` and listed in ``blank_row_numbers`` (the
    results give each back as an empty row, docs/screening.md). A row is checked in the
    order of :data:`REJECTION_CODES` and rejected for the first problem found; a rejection is a code and its
    parameters, said in the reader's language at display time (what is wrong and what to do; the row is its
    ``row``, never text inside the message — issue 11, "Language"). An ID number that
    Excel stored as a number is rejected, never guessed: Excel keeps 15 significant digits, so an 18-digit
    number has already lost its last three (see ``_id_lost_digits``). Each rejection keeps what the row's
    name, ID-number and phone cells hold (``Rejection.name``/``id_number``/``phone``), so every output can
    show the submitter which person to fix.

Duplicates
    A person appearing twice (same ID number ignoring case, spaces and full-width forms; or, with no ID
    number, same name and phone ignoring spaces and full-width forms) is accepted both times; the later
    row carries ``duplicate_of`` = the first row's number and the pair is listed in
    ``RosterMeta.duplicates``. A later row whose ID number is the first's but whose name is not (compared
    ignoring spaces, full-width forms and case) is not "the same person": it is listed in
    ``RosterMeta.shared_numbers`` and said as sharing one ID number (note ``shared_numbers``; issue 11 trial:
    two names under one number were "名单中有 1 人出现不止一次").

Whole-file errors (empty file, no header, unknown format, corrupt or password-protected workbook, an
HTML table saved as ``.xls``, undecodable text, an unknown sheet) raise :class:`RosterError` naming the
file and what to do.

Speed
    The ``csv`` module alone needs several seconds per million rows, so CSV goes through pyarrow.csv
    (serial reader, which numbers records exactly like the ``csv`` module) and pyarrow.compute: rows
    that are not a clean rectangle, or that a cheap vectorised pre-filter suspects, are re-read by the
    exact per-row rules, the rest are accepted as trimmed (Arrow's Unicode whitespace trim removes exactly
    the characters ``str.strip()`` does). Both paths give identical results (a property test checks it);
    if pyarrow cannot parse a file the per-row path reads it alone. Workbooks always use the per-row path
    (Excel sheets stop at 1,048,576 rows). :func:`read_roster_arrow` skips building per-row objects and
    returns a ``pyarrow.Table`` for the engine. Measured (2026-11-29, 1,000,000 rows × 9 columns, 124 MB
    UTF-8, on a shared 2-core machine): ``read_roster_arrow`` 4–6 s of CPU time, ``read_roster`` about
    9 s; a 100,000-row XLSX about 3 s.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import itertools
import math
import os
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
from stdnum.cn import ric

from pingan.lib import csvlines, sheets, textchars
from pingan.lib.csvlines import physical_lines
from pingan.lib.gcpause import gc_paused

__all__ = [
    "ARROW_SCHEMA",
    "CANONICAL_FIELDS",
    "ENGLISH_LABELS",
    "FIELD_LABELS",
    "FORMULA_NAME_STARTS",
    "HEADER_ALIASES",
    "HEADER_SCAN_ROWS",
    "REJECTION_CODES",
    "RESIDENT_ID_HEADERS",
    "Rejection",
    "RosterError",
    "RosterMeta",
    "RosterRead",
    "RosterRow",
    "cell_text",
    "column_letter",
    "header_key",
    "read_roster",
    "read_roster_arrow",
    "read_table",
]

#: The canonical roster fields, in output order.
CANONICAL_FIELDS: tuple[str, ...] = (
    "name",
    "id_type",
    "id_number",
    "phone",
    "sex",
    "birth_date",
    "nationality",
    "address",
    "start_date",
)

#: Chinese label of each field, used in messages and in the template.
FIELD_LABELS: dict[str, str] = {
    "name": "姓名",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "phone": "手机号码",
    "sex": "性别",
    "birth_date": "出生日期",
    "nationality": "国籍",
    "address": "房号/地址",
    "start_date": "入住/入职日期",
}

#: Header labels of the English roster template (``pingan.screening.template``; each one a header alias of
#: :data:`HEADER_ALIASES`): what a message names a column by for an English reader, as :data:`FIELD_LABELS` for a
#: Chinese one.
ENGLISH_LABELS: dict[str, str] = {
    "name": "Name", "id_type": "ID type", "id_number": "ID number", "phone": "Phone", "sex": "Sex",
    "birth_date": "Birth date", "nationality": "Nationality", "address": "Room or address",
    "start_date": "Start date",
}  # "Room or address", as 房号/地址: the column holds either (issue 11: "Room" on English pages, 地址 on others)

#: Header spellings accepted for each field (compared after :func:`_header_key` normalisation).
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "人员姓名", "住户姓名", "员工姓名", "租户姓名", "name", "full name", "fullname"),
    "id_type": ("证件类型", "证件种类", "证件名称", "id type", "document type", "doc type"),
    "id_number": (
        "证件号码",
        "证件号",
        "身份证号码",
        "身份证号",
        "身份证",
        "公民身份号码",
        "身份号码",
        "居民身份证号码",
        "id number",
        "id no",
        "idno",
        "idcard",
        "id card",
        "id card number",
        "身份证件号码",
        "id",
        "document number",
        "passport number",
    ),
    "phone": (
        "手机号码",
        "手机号",
        "手机",
        "联系电话",
        "电话",
        "电话号码",
        "联系方式",
        "phone",
        "mobile",
        "telephone",
        "tel",
        "phone number",
    ),
    "sex": ("性别", "sex", "gender"),
    "birth_date": (
        "出生日期",
        "出生年月",
        "出生年月日",
        "生日",
        "birth date",
        "date of birth",
        "dob",
        "birthday",
    ),
    "nationality": ("国籍", "国家", "国家/地区", "国籍/地区", "nationality", "citizenship", "country"),
    "address": (
        "房号",
        "房间号",
        "门牌号",
        "地址",
        "住址",
        "现住址",
        "居住地址",
        "现居住地址",
        "详细地址",
        "出租屋地址",
        "房号/地址",
        "地址/房号",
        "address",
        "room",
        "room number",
        "room or address",
        "room/address",
        "address/room",
    ),
    "start_date": (
        "入住日期",
        "入住时间",
        "入职日期",
        "入职时间",
        "登记日期",
        "起租日期",
        "租住日期",
        "入住/入职日期",
        "入职/入住日期",
        "start date",
        "check in date",
        "check-in date",
        "hire date",
        "move in date",
    ),
}

#: The longest value a field may hold (characters after NFKC): a longer one is no name or document number —
#: several pasted into one cell, or other text — and the row is rejected (``too_long``) rather than the
#: whole roster failing where the results are stored (``PersonResult.name`` 200, ``.id_number`` 40 on
#: PostgreSQL). The longest document numbers are far shorter (GB 11643: 18; ICAO 9303 passports: 9).
FIELD_MAX_LENGTHS: dict[str, int] = {"name": 200, "id_number": 40, "phone": 40}

#: How many rows from the top are searched for the header row.
HEADER_SCAN_ROWS = 30

#: Codes the decoder appends to the notes only to tell the reader something (``cut_character``: the file ends
#: inside a character), taken off again at once and never shown: no template is needed for them.
SIGNALS = frozenset({"cut_character"})

#: Rejection codes in the order rows are checked; each row is rejected for the first that applies.
REJECTION_CODES: dict[str, str] = {
    "bad_quote": "a double quote that never closes, closes lines later, or stands inside a cell (CSV): the "
                 "line cannot be read reliably",
    "cut_off": "the file ends in the middle of this row (CSV: no line break after it, and it is shorter than the "
               "row before it, ends inside a quote or inside a character): the file looks cut off here",
    "nul_byte": "the line holds NUL bytes (a damaged export, CSV): what the cell held cannot be trusted",
    "control_character": "a cell holds an invisible control or text-direction character, which would change how "
                         "the row shows",
    "example_row": "the template's example row (its name starts with 示例, 'example') was left in: not screened",
    "formula_without_value": "a roster cell holds a formula whose value was never saved (XLSX written by a program)",
    "blank_required": "name, ID number and phone are all empty although other cells are not",
    "too_many_columns": "a cell has content in a column that has no header",
    "too_long": "the name, the ID number or the phone is longer than any real one (several values pasted into "
                "one cell?)",
    "missing_name": "name is empty",
    "formula_name": "the name starts with =, +, - or @ (after any spaces, tabs or line breaks): a spreadsheet "
                    "formula such as =HYPERLINK(…), not a person's name",
    "id_number_as_number": "the ID number was stored as an Excel number and lost digits",
    "missing_id_number": "neither an ID number nor a phone number to identify the person",
    "phone_as_number": "the phone number was turned into scientific notation and lost digits",
    "bad_date": "a date cell cannot be read as a date",
}

#: Characters a name cannot start with: a spreadsheet takes a cell starting so for a formula (OWASP "CSV
#: Injection"; the tab and carriage return of that list are whitespace the reader strips first, so
#: ``"\t=1+1"`` is caught as ``=``). No real name starts so; a row whose name does is rejected
#: (``formula_name``), in CSV and workbooks alike — the issue 11 trial's ``=HYPERLINK("http://x","李四")`` with a
#: valid ID number had been screened green without a word.
FORMULA_NAME_STARTS = ("=", "+", "-", "@")

#: The roster template's example person is named 示例… ("example"): such a row is not one of the
#: submitter's people and is rejected (``example_row``) rather than screened as a real tenant.
EXAMPLE_NAME_PREFIX = "示例"

_DATE_FIELDS = ("birth_date", "start_date")
_EXCEL_EXTS = {".xlsx", ".xlsm", ".xls", ".ods", ".xlsb"}
_TEXT_EXTS = {".csv", ".txt", ".tsv", ""}
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: A run of digits as in an ID number or phone: a name holding one with the delimiter took the cells after it.
_NUMBER_RUN = re.compile(r"\d{6}")
# ASCII digits only, like RE2 in the vectorised path: full-width digits are typed text, never Excel's damage.
_SCI_RE = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$", re.ASCII)
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?|月?)(?:[ T].*)?$")
_DATE8_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_PAREN_SUFFIX_RE = re.compile(r"[(\[【（].*?[)\]】）]$")
_HEADER_STRIP_RE = re.compile(r"[\s*:_\-.：]")


def _header_key(text: object) -> str:
    """Normalise a header cell for alias matching: NFKC, lower case, no spaces/``*``/``_``/``-``/colons,
    and no trailing parenthetical note."""
    # without control, bidi and zero-width characters (a header pasted from a web page: 姓\u200b名 is 姓名)
    s = unicodedata.normalize("NFKC", str(textchars.for_output(str(text)))).strip().lower()
    s = _HEADER_STRIP_RE.sub("", s)
    s = _PAREN_SUFFIX_RE.sub("", s)
    return _HEADER_STRIP_RE.sub("", s)


_ALIAS_INDEX: dict[str, str] = {_header_key(a): f for f, aliases in HEADER_ALIASES.items() for a in aliases}

#: ID-number headers that name the resident identity card (身份证) rather than any document (证件号码):
#: numbers under them must be GB 11643 numbers or the documents rosters put beside them
#: (``pingan.lib.identity.documents.in_resident_id_column``; docs/matching.md §3).
RESIDENT_ID_HEADERS: frozenset[str] = frozenset(
    _header_key(a)
    for a in ("身份证号码", "身份证号", "身份证", "公民身份号码", "身份号码", "居民身份证号码", "id number", "id no",
              "idno", "id")
)


def _alias_index(aliases: Mapping[str, str] | None) -> Mapping[str, str]:
    if not aliases:
        return _ALIAS_INDEX
    bad = {h: f for h, f in aliases.items() if f not in CANONICAL_FIELDS}
    if bad:
        raise ValueError(f"aliases must map to one of {CANONICAL_FIELDS}; got {bad}")
    return {**_ALIAS_INDEX, **{_header_key(h): f for h, f in aliases.items()}}


#: Why a file cannot be read at all: :class:`RosterError` code → English message (``%(name)s`` placeholders
#: are the error's ``params``). This is the text of the API, the log and the command line; pages show the
#: translatable template of the same code (``pingan.screening.failures``) in the reader's language. A
#: ``where`` parameter is itself a message (``{"code": "roster_in_sheet", "params": {"sheet": …}}``, or ``""``
#: for a CSV), rendered in the same language.
ROSTER_ERRORS: dict[str, str] = {
    "roster_cannot_open": "Cannot open %(name)s: %(reason)s; check the path and permissions.",
    "roster_zip_not_workbook": "%(name)s is a ZIP archive but not an Excel workbook; upload .xlsx, .xls or .csv.",
    "roster_html_as_excel": ("%(name)s is really an HTML/XML table with a %(ext)s extension (a common “export to "
                             "Excel”); open it in Excel, Save As Excel Workbook (.xlsx) and upload that."),
    "roster_not_a_workbook": ("%(name)s has the extension %(ext)s but is not an Excel workbook (corrupt or "
                              "renamed); open it in Excel, save it again and re-upload."),
    "roster_unsupported_type": "Unsupported file type %(ext)s (%(name)s); upload an .xlsx, .xls or .csv roster.",
    "roster_corrupt_zip": "%(name)s is corrupt (its ZIP structure cannot be read); re-save it from Excel as .xlsx.",
    "roster_password": ("%(name)s is password-protected and cannot be read; remove the password in Excel (File → "
                        "Info → Protect Workbook → Encrypt with Password, clear it) and upload again."),
    "roster_undecodable": ("%(name)s cannot be decoded as %(encoding)s; it may not be a text CSV or may be "
                           "corrupt. Save it from Excel as “CSV UTF-8 (Comma delimited)” or .xlsx and upload "
                           "again."),
    "roster_undecodable_at": ("%(name)s cannot be decoded as %(encoding)s (byte %(byte)s); it may not be a text "
                              "CSV or may be corrupt. Save it from Excel as “CSV UTF-8 (Comma delimited)” or "
                              ".xlsx and upload again."),
    "roster_bad_csv": ("%(name)s: malformed CSV near row %(row)s (%(error)s), usually an unbalanced quote; open "
                       "it in Excel, check and save again."),
    "roster_unreadable_workbook": ("%(name)s cannot be read as an Excel workbook (%(error)s); it may be corrupt. "
                                   "Open it in Excel, save as .xlsx and upload again."),
    "roster_no_such_sheet": "%(name)s has no sheet named “%(sheet)s”; its sheets are: %(sheets)s.",
    "roster_unreadable_sheet": "Sheet “%(sheet)s” of %(name)s cannot be read (%(error)s).",
    # the columns are named by the roster template's own header labels, in the reader's language
    # (:func:`column_labels`; issue 11's re-check: "姓名/name" side by side on both languages' pages)
    "roster_header_without_name": ("Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no "
                                   "“%(name_column)s” column: add the column and upload again."),
    "roster_header_without_id": ("Row %(row)s of %(name)s%(where)s is the header (%(found)s) but it has no "
                                 "“%(id_column)s” column: every person is screened by their ID number, so nothing "
                                 "was screened. Add the column (or head the column holding the numbers "
                                 "“%(id_column)s”) and upload again."),
    "roster_no_header": ("No header row found in the first %(rows)s rows of %(name)s%(where)s. The header needs at "
                         "least the columns “%(name_column)s” and “%(id_column)s”, as in the roster template. "
                         "Download the roster template, fill it in and upload again."),
    "roster_empty_file": "%(name)s is empty; upload a filled-in roster (the roster template can help).",
    "roster_no_data": "%(name)s%(where)s contains no data.",
    "table_empty_file": "%(name)s is empty.",
    # pingan.lib.sheets.check_zip_workbook: refused before any reader ran
    "workbook_too_many_parts": ("%(name)s holds %(parts)s parts; a workbook may hold at most %(limit)s. Save the "
                                "roster as CSV and upload that."),
    "workbook_unpacks_too_large": ("%(name)s unpacks to %(size_mb)s MB; pingan reads workbooks of at most "
                                   "%(limit_mb)s MB unpacked. Save the roster as CSV, or split it into several "
                                   "files."),
    "workbook_part_inflates_past_size": ("%(name)s is damaged or built to overwhelm a reader (its part %(part)s "
                                         "unpacks to more than the file declares), so it was not read. Open it "
                                         "in Excel or WPS, save it again and upload that."),
    "sheet_too_large": ("Sheet %(sheet)s of %(name)s spans %(range)s (%(rows)s rows × %(columns)s columns = "
                        "%(cells)s cells); pingan reads at most %(limit)s cells per sheet. The farthest content "
                        "is in %(far_cells)s: delete what lies outside the roster, save and upload again, or save "
                        "the roster as CSV."),
    # the header names columns, but what they hold (or do not name) says the headers are wrong
    "roster_columns_mismatch": ("The header of %(name)s%(where)s (row %(row)s) does not match what the columns "
                                "hold: %(problem)s Headers found: %(found)s. Expected: %(expected)s; an ID-number "
                                "column may also be headed %(synonyms)s. Correct the headers (or copy the rows "
                                "into the roster template) and upload again; nothing was screened."),
    "column_phone_holds_ids": "the phone column “%(label)s” (column %(letter)s) holds ID numbers.",
    "column_name_holds_ids": "the name column “%(label)s” (column %(letter)s) holds ID numbers.",
    "column_id_holds_phones": "the ID-number column “%(label)s” (column %(letter)s) holds phone numbers.",
    "column_id_holds_types": "the ID-number column “%(label)s” (column %(letter)s) holds document types "
                             "(居民身份证…), not numbers.",
    "column_unknown_holds_ids": "no column is recognised as the ID-number column, yet column “%(label)s” "
                                "(column %(letter)s) holds ID numbers under a header pingan does not know.",
    "column_unknown_headers": ("no column is recognised as the ID-number column, and the headers %(unknown)s "
                               "are not ones pingan knows."),
    # the ``where`` of a workbook's messages
    "roster_in_sheet": " (sheet “%(sheet)s”)",
}


def english(code: str, params: Mapping[str, Any], messages: Mapping[str, str] | None = None) -> str:
    """The English text of message ``code`` filled from ``params`` (a parameter that is itself a message,
    ``{"code", "params"}``, in English too; a list joined with ", "); ``messages``: the table (default
    :data:`ROSTER_ERRORS`), where a message of one or several is the pair ``(one, several)``, chosen by ``n``."""
    table = ROSTER_ERRORS if messages is None else {**ROSTER_ERRORS, **messages}
    values = {k: english(v["code"], v.get("params", {}), messages) if isinstance(v, Mapping) and "code" in v
              else ", ".join(map(str, v)) if isinstance(v, list | tuple) else v for k, v in params.items()}
    template = table[code]
    if isinstance(template, tuple):  # (one, several): ngettext's English, by the count ``n``
        template = template[0] if int(params.get("n", 1)) == 1 else template[1]
    return template % values


class RosterError(Exception):
    """The file cannot be read as a roster at all (nothing row-level to report).

    ``code`` names the problem (a key of :data:`ROSTER_ERRORS`, or of a subclass's ``MESSAGES``) and
    ``params`` its specifics (the file's name as uploaded, the sheet, the extension …: plain strings and
    numbers), so that a page says it in its reader's language (``pingan.screening.failures``); ``message``
    is the English text (API, log, command line); ``filename`` the name as uploaded.
    """

    #: English messages of a subclass's own codes (beside :data:`ROSTER_ERRORS`)
    MESSAGES: Mapping[str, str] = {}

    def __init__(self, code: str, params: Mapping[str, Any] | None = None, *, filename: str | None = None,
                 message: str | None = None) -> None:
        self.code = code
        self.params = dict(params or {})
        self.filename = filename
        self.message = message or english(code, self.params, self.MESSAGES)
        super().__init__(self.message)

    def as_param(self) -> dict[str, Any]:
        """This error as a parameter of another message (``{"code", "params", "text"}``): a page renders it
        in its reader's language (``pingan.core.errors.localised``), ``text`` is the English."""
        return {"code": self.code, "params": self.params, "text": self.message}


@dataclass(frozen=True, slots=True)
class Rejection:
    """One rejected input row.

    ``row``: 1-based row number as seen in Excel; ``code``: a key of :data:`REJECTION_CODES`;
    ``column``: the offending column as the user wrote its header, or its Excel letter (``"H"``) when it
    has none, or ``None`` when the whole row is at fault; ``params``: the specifics of what is wrong (the
    cell, the value, the column). A rejection holds no text: it is said in its reader's language from
    ``code`` and ``params`` (:meth:`text`, the templates of ``pingan.screening.texts``; issue 11). ``name``,
    ``id_number``, ``phone``: what the row's name, ID-number and phone cells hold, as cleaned text (see
    "Cleaning"; ``""`` when empty or when the roster has no such column), so the submitter can find the
    row. Nothing is normalised or derived: it is exactly what the submitter gave.
    """

    row: int
    code: str
    column: str | None
    name: str = ""
    id_number: str = ""
    phone: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def text(self, language: str | None = None) -> str:
        """What is wrong with the row and what to do, in ``language`` (``"zh-hans"``, ``"en"``; default: the
        active one), from the app's catalogue — the only part of this module that needs Django's settings."""
        from django.utils import translation

        from pingan.screening.texts import rejection_text

        with translation.override(language or translation.get_language()):
            return rejection_text(self.code, self.params)

    @property
    def message(self) -> str:
        """:meth:`text` in English: the stable text for programs and logs (``"row 12: the name is empty…"``)."""
        return f"row {self.row}: {self.text('en')}"


@dataclass(slots=True)
class RosterRow:
    """One accepted person. Fields are cleaned strings, ``""`` when the roster has no such value.

    ``row`` is the Excel row number; ``extra`` maps each unknown header (as written) to the cell text;
    ``duplicate_of`` is the row number of the first row naming the same person, else ``None``.
    """

    row: int
    name: str = ""
    id_type: str = ""
    id_number: str = ""
    phone: str = ""
    sex: str = ""
    birth_date: str = ""
    nationality: str = ""
    address: str = ""
    start_date: str = ""
    extra: dict[str, str] = field(default_factory=dict)
    duplicate_of: int | None = None


@dataclass(slots=True)
class RosterMeta:
    """What was assumed while reading, for the user and the audit log.

    ``format``: ``"csv"``, ``"xlsx"``, ``"xls"`` or ``"ods"``; ``encoding``/``delimiter``: CSV only;
    ``sheet``: workbook only; ``header_row``: Excel row number of the header; ``columns``: canonical field
    → header as written; ``extra_columns``: headers kept in ``RosterRow.extra``; ``total_rows``: non-blank
    data rows; ``blank_rows``: wholly blank data rows, ``blank_row_numbers`` their row numbers (ascending);
    ``duplicates``: (row, first row) pairs — rows repeating an earlier row's ID number (or, without one, its
    name and phone); ``shared_numbers``: the rows among them whose name is not the first row's (one ID number,
    two names: "shares one ID number", never "the same person").
    ``notes``: what was assumed, as ``{"code", "params"}`` (codes of ``roster.*`` in
    ``pingan.screening.texts``), for a page, a download or the CLI to say in its reader's language;
    ``warnings``: the same in English (for programs and logs).
    """

    filename: str | None
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)
    extra_columns: list[str] = field(default_factory=list)
    notes: list[dict[str, Any]] = field(default_factory=list)
    total_rows: int = 0
    blank_rows: int = 0
    blank_row_numbers: list[int] = field(default_factory=list)
    duplicates: list[tuple[int, int]] = field(default_factory=list)
    shared_numbers: list[int] = field(default_factory=list)
    #: :func:`read_table` only: the CSV lines whose double quote could not be trusted
    #: (:class:`pingan.lib.csvlines.QuoteProblem`), for the caller to reject; rows are then numbered by line.
    quote_problems: list[Any] = field(default_factory=list)
    #: CSV only: physical line → 0-based column of the first NUL byte on it (a damaged export). The bytes are
    #: removed before decoding (a NUL inside a character made the whole file undecodable); the roster rejects
    #: those rows (``nul_byte``), other readers have the note ``nul_bytes_removed``.
    nul_cells: dict[int, int] = field(default_factory=dict)
    #: CSV only: the file's last bytes are the start of a character (UTF-8 or GB 18030) that never ends, so the
    #: file was cut off; they are not read (the last row is rejected as ``cut_off``).
    cut_character: bool = False

    @property
    def warnings(self) -> list[str]:
        """:attr:`notes` in English (rendered from the app's catalogue; needs Django's settings)."""
        return note_texts(self.notes, "en")

    @property
    def resident_id_column(self) -> bool:
        """True when the ID-number column is headed as a resident ID number (身份证号, 公民身份号码, ID
        number …: :data:`RESIDENT_ID_HEADERS`), not as any document (证件号码, passport number)."""
        header = self.columns.get("id_number")
        return header is not None and _header_key(header) in RESIDENT_ID_HEADERS


@dataclass(slots=True)
class RosterRead:
    """Result of :func:`read_roster`: ``accepted`` rows, ``rejected`` rows and the reading ``meta``.

    Invariant: ``len(accepted) + len(rejected) == meta.total_rows``, and the row numbers of both lists
    together are exactly the non-blank data rows, each once.
    """

    accepted: list[RosterRow]
    rejected: list[Rejection]
    meta: RosterMeta

    @property
    def encoding(self) -> str | None:
        """Text encoding assumed (CSV only), e.g. ``"utf-8-sig"`` or ``"gb18030"``."""
        return self.meta.encoding

    @property
    def header_row(self) -> int:
        """Excel row number (1-based) of the header row."""
        return self.meta.header_row

    @property
    def columns(self) -> dict[str, str]:
        """Canonical field → header as written in the file."""
        return self.meta.columns

    @property
    def sheet(self) -> str | None:
        """Worksheet read (workbooks only)."""
        return self.meta.sheet

    @property
    def warnings(self) -> list[str]:
        """Notes about assumptions (title rows skipped, merges filled, encoding guessed...), in English."""
        return self.meta.warnings

    @property
    def total_rows(self) -> int:
        """Non-blank data rows seen."""
        return self.meta.total_rows

    @property
    def blank_rows(self) -> int:
        """Wholly blank data rows (ignored)."""
        return self.meta.blank_rows

    @property
    def duplicates(self) -> list[tuple[int, int]]:
        """(row, first row) for every later occurrence of a person already listed."""
        return self.meta.duplicates


def column_letter(index: int) -> str:
    """Excel column letter for a 0-based column index (0 → ``"A"``, 26 → ``"AA"``): the readers count columns
    from 0, :func:`pingan.lib.sheets.column_letters` (the one implementation) from 1."""
    return sheets.column_letters(index + 1)


def _note(meta: RosterMeta, code: str, **params: Any) -> None:
    """Add a note on how the roster was read (``code``: a ``roster.<code>`` template of the app's texts)."""
    meta.notes.append({"code": code, "params": params})


def note_texts(notes: Sequence[Mapping[str, Any]], language: str | None = None) -> list[str]:
    """Notes of :attr:`RosterMeta.notes` (codes without their ``roster.`` prefix, or with it) in ``language``
    (default: the active one), from the app's catalogue (needs Django's settings)."""
    from django.utils import translation

    from pingan.core.texts import render

    with translation.override(language or translation.get_language()):
        return [render({"code": n["code"] if n["code"].startswith("roster.") else f"roster.{n['code']}",
                        "params": n.get("params") or {}}) for n in notes]


# --------------------------------------------------------------------------------------------- loading


def _load_bytes(source: str | os.PathLike[str] | bytes | IO[bytes], filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray | memoryview):
        return bytes(source), filename or "(uploaded file)"
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        name = filename or path.name
        try:
            return path.read_bytes(), name
        except OSError as exc:
            raise RosterError("roster_cannot_open", {"name": name, "reason": str(exc.strerror or exc)},
                              filename=name) from exc
    data = source.read()
    given = getattr(source, "name", None)  # may be an int for file objects opened on a descriptor
    return data, filename or (os.path.basename(given) if isinstance(given, str) else "(uploaded file)")


#: What a file that is no table at all starts with, whatever its name says (issue 11, fresh-user trial: a PDF
#: was accepted, queued, then failed): the upload form refuses it at once (:func:`check_table_file`).
_NOT_A_TABLE = ((b"%PDF-", "PDF"), (b"\x89PNG\r\n\x1a\n", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"GIF8", "GIF"),
                (b"Rar!\x1a\x07", "RAR"), (b"7z\xbc\xaf\x27\x1c", "7z"), (b"\x1f\x8b", "gzip"))


class EmptyRoster(RosterError):
    """A roster with a header and no row below it (the screening's ``empty_roster`` failure, said before a job
    is made)."""

    MESSAGES = {"empty_roster": "%(name)s: no data rows below the header (row %(header_row)s): add the employees "
                                "or tenants and submit again."}


def check_table_file(data: bytes, name: str) -> None:
    """Raise the :class:`RosterError` the reader would raise for a file that cannot be screened at all — empty,
    no spreadsheet or CSV (by its content: a PDF, an image, an archive, a renamed or corrupt workbook, an unknown
    extension), no usable header (unrelated columns) — and :class:`EmptyRoster` for a header with no row below
    it: what the upload form and the API check before they queue a job, with the message the job would fail
    with (issue 11's trial F16: "Employee,Department,Salary" and a header-only file became failed jobs while a
    PDF was refused on the form). The rows' own problems are the screening's to say."""
    h = _read_head(data, name, None, _alias_index(None), None)
    below = h.head[h.header.row_index + 1:]
    if h.fmt != "csv":
        below = h.all_rows[h.header.row_index + 1:]
    if any(any(not _is_blank(c) for c in r) for r in below):
        return
    # a CSV: the records after the rows the header was looked for in (past the first 4,000,000 characters: rows)
    if h.records is not None and (len(h.text) > 4_000_000
                                  or any(any(not _is_blank(c) for c in cells) for _, cells in h.records)):
        return
    raise EmptyRoster("empty_roster", {"name": name, "header_row": h.header.row_index + 1}, filename=name)


def _detect_format(data: bytes, name: str) -> str:
    ext = Path(name).suffix.lower() if "." in name else ""
    for magic, kind in _NOT_A_TABLE:
        if data.startswith(magic):
            raise RosterError("roster_unsupported_type", {"name": name, "ext": kind}, filename=name)
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = set(zf.namelist())
        except zipfile.BadZipFile as exc:
            raise _corrupt_zip(name) from exc
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            return "xlsx"
        if "content.xml" in names:
            return "ods"
        raise RosterError("roster_zip_not_workbook", {"name": name}, filename=name)
    if data.startswith(_OLE2_MAGIC):
        # An XLSX saved with a password is an OLE2 container holding EncryptionInfo/EncryptedPackage
        # streams (MS-OFFCRYPTO §2.3.4); their directory names are UTF-16LE.
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise _password_error(name)
        return "xls"
    if ext in _EXCEL_EXTS and re.match(rb"\s*<(!doctype|html|table|\?xml)", data[:512], re.IGNORECASE):
        # Many older systems "export to Excel" by saving an HTML table (or SpreadsheetML 2003) as .xls.
        raise RosterError("roster_html_as_excel", {"name": name, "ext": ext}, filename=name)
    if ext in _EXCEL_EXTS:
        raise RosterError("roster_not_a_workbook", {"name": name, "ext": ext}, filename=name)
    if ext not in _TEXT_EXTS:
        raise RosterError("roster_unsupported_type", {"name": name, "ext": ext}, filename=name)
    return "csv"


def _corrupt_zip(name: str) -> RosterError:
    return RosterError("roster_corrupt_zip", {"name": name}, filename=name)


def _password_error(name: str) -> RosterError:
    return RosterError("roster_password", {"name": name}, filename=name)


#: What a workbook may ask of the reader (``pingan.lib.sheets.Limits``: cells per sheet, unpacked size, parts).
WORKBOOK_LIMITS = sheets.Limits()


def _check_workbook_limits(data: bytes, name: str) -> None:
    """Refuse a ZIP workbook over :data:`WORKBOOK_LIMITS`, or one that unpacks to more than it declares,
    before calamine reads it (a value at ``XFD1048576`` made calamine abort the whole process; a ZIP bomb
    exhausted it): :class:`RosterError` with the finer ``code`` and ``params`` of
    :class:`pingan.lib.sheets.WorkbookRefused`, sizes formatted for people."""
    try:
        sheets.check_zip_workbook(data, limits=WORKBOOK_LIMITS)
    except sheets.WorkbookRefused as exc:
        p = exc.params
        mb = {k: f"{p[k] / 2**20:,.0f}" for k in ("size", "limit") if k in p and exc.code.startswith("workbook_un")}
        if exc.code == "workbook_too_many_parts":
            params = {"name": name, "parts": f"{p['parts']:,}", "limit": f"{p['limit']:,}"}
        elif exc.code == "workbook_unpacks_too_large":
            params = {"name": name, "size_mb": mb["size"], "limit_mb": mb["limit"]}
        elif exc.code == "workbook_part_inflates_past_size":
            params = {"name": name, "part": p["part"]}
        else:  # sheet_too_large
            params = {"name": name, "sheet": p["sheet"], "range": p["range"], "rows": f"{p['rows']:,}",
                      "columns": f"{p['columns']:,}", "cells": f"{p['cells']:,}", "limit": f"{p['limit']:,}",
                      "far_cells": p["far_cells"]}
        raise RosterError(exc.code, params, filename=name) from None
    except zipfile.BadZipFile as exc:
        raise _corrupt_zip(name) from exc


# ------------------------------------------------------------------------------------------ text files

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _decode(data: bytes, name: str, notes: list[dict[str, Any]] | None = None) -> tuple[str, str]:
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError as exc:
                raise _decode_error(name, enc, exc) from exc
    # UTF-16 without a BOM: about every other byte of ASCII-range text is NUL.
    head = data[:4096]
    if len(head) >= 4 and head.count(0) * 3 > len(head):
        enc = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            pass
        else:
            if notes is not None:
                notes.append({"code": "decoded_without_bom", "params": {"encoding": enc}})
            return text, enc
    for enc in ("utf-8", "gb18030"):
        # GB 18030 is a strict superset of GBK and GB 2312, so it also reads files saved as "ANSI" by
        # Chinese Windows Excel.
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            if (exc.end == len(data) and exc.start >= len(data) - 3 and exc.reason in _CUT_REASONS
                    and not data[:exc.start].isascii()):
                # only the last character is incomplete in a file that is this encoding (it has other characters
                # of it): the file was cut off inside it (a size limit, an interrupted copy), not a reason to
                # guess another encoding (issue 11's trial). An ASCII file ending in one high byte (Latin-1 ©)
                # is not taken for a cut.
                try:
                    text = data[:exc.start].decode(enc)
                except UnicodeDecodeError:
                    continue
                if notes is not None:
                    notes.append({"code": "cut_character", "params": {}})
                return text, enc
    from charset_normalizer import from_bytes  # lazy: only for the rare file that is neither

    best = from_bytes(data[:1_000_000]).best()
    if best is not None:
        enc = best.encoding
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError) as exc:
            raise _decode_error(name, enc, exc) from exc
        if notes is not None:
            notes.append({"code": "decoded_as_guessed", "params": {"encoding": enc}})
        return text, enc
    raise _decode_error(name, "utf-8/gb18030", None)


#: What Python's decoders say of a character whose bytes stop at the end of the input.
_CUT_REASONS = frozenset({"unexpected end of data", "incomplete multibyte sequence"})


def _decode_error(name: str, enc: str, exc: Exception | None) -> RosterError:
    if isinstance(exc, UnicodeDecodeError):
        return RosterError("roster_undecodable_at", {"name": name, "encoding": enc, "byte": exc.start}, filename=name)
    return RosterError("roster_undecodable", {"name": name, "encoding": enc}, filename=name)


def _sniff_delimiter(text: str, name: str) -> str:
    if name.lower().endswith(".tsv"):
        return "\t"
    sample = [ln for ln in text[:65536].splitlines()[:HEADER_SCAN_ROWS] if ln.strip()]
    if not sample:
        return ","
    counts = {d: sum(ln.count(d) for ln in sample) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def _wide_text(data: bytes) -> bool:
    """Whether ``data`` is UTF-16/32 (a byte-order mark, or the NULs of ASCII-range text without one), where
    NUL bytes are part of the characters (:func:`_decode`)."""
    if any(data.startswith(bom) for bom, enc in _BOMS if enc != "utf-8-sig"):
        return True
    head = data[:4096]
    return len(head) >= 4 and head.count(0) * 3 > len(head)


def _nul_lines(buf: bytes | str) -> dict[int, bytes | str]:
    """Physical line (1-based) → the line's text before its first NUL (NULs removed), for every line holding a
    NUL; ``buf`` is the file's bytes (an 8-bit or UTF-8 encoding) or its decoded text."""
    nul, cr, lf = (b"\x00", b"\r", b"\n") if isinstance(buf, bytes) else ("\x00", "\r", "\n")
    out: dict[int, Any] = {}
    line, pos = 1, 0
    at = buf.find(nul)
    while at >= 0:
        seg = buf[pos:at]
        line += seg.count(lf) + seg.count(cr) - seg.count(cr + lf)
        if line not in out:
            start = max(buf.rfind(lf, 0, at), buf.rfind(cr, 0, at)) + 1
            out[line] = buf[start:at].replace(nul, nul[:0])
        pos = at
        at = buf.find(nul, at + 1)
    return out


def _nul_column(prefix: str, delimiter: str) -> int:
    """0-based column of the cell a line's text ``prefix`` ends in."""
    try:
        return max(len(next(csv.reader([prefix], delimiter=delimiter), [""])) - 1, 0)
    except csv.Error:
        return prefix.count(delimiter)


def _csv_text(data: bytes, name: str, meta: RosterMeta) -> str:
    """Decode a text roster, drop NUL bytes (placing each on its line and column: :attr:`RosterMeta.nul_cells`)
    and pick the delimiter. NUL bytes are not text in any encoding the reader takes but UTF-16/32, so they are
    removed before decoding: a NUL inside a character must not make the whole file undecodable."""
    nul: dict[int, Any] = {}
    if b"\x00" in data and not _wide_text(data):
        nul = _nul_lines(data)
        data = data.replace(b"\x00", b"")
    text, meta.encoding = _decode(data, name, meta.notes)
    if meta.notes and meta.notes[-1]["code"] in SIGNALS:  # not a note of its own: the cut_off row says it
        meta.notes.pop()
        meta.cut_character = True
    if "\x00" in text:
        nul = _nul_lines(text)
        text = text.replace("\x00", "")
    if text.startswith("\ufeff"):  # a BOM inside, e.g. a UTF-16 file whose text also carried one
        text = text[1:]
    if "\r" in text and "\n" in text:
        # Lines end in LF or CRLF, yet somewhere a carriage return stands alone: it is read as a line end
        # (as Excel does), which splits the row it stands in when it came from a pasted cell.
        lone = re.search("\r(?!\n)", text)
        if lone is not None:
            line = _line_of(text, lone.start())
            _note(meta, "lone_carriage_return",
                  line=line)
    meta.delimiter = _sniff_delimiter(text, name)
    if nul:
        enc = meta.encoding or "utf-8"
        meta.nul_cells = {
            line: _nul_column(p.decode(enc, errors="replace") if isinstance(p, bytes) else p, meta.delimiter)
            for line, p in nul.items()}
        lines = sorted(nul)
        _note(meta, "nul_bytes_removed", lines=lines[:10], more=len(lines) > 10)
    return text


def _csv_error(name: str, rownum: int, exc: Exception) -> RosterError:
    return RosterError("roster_bad_csv", {"name": name, "row": rownum, "error": str(exc)}, filename=name)


def _csv_records(text: str, name: str, delimiter: str, *, stop_on_error: bool = False
                 ) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) with the ``csv`` module; record numbers are what Excel shows as rows.
    A malformed record raises :class:`RosterError`, or with ``stop_on_error`` ends the records (the header
    search reads the first rows this way: the rows with the problem are dealt with by :func:`_csv_scan`)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rownum = 0
    try:
        for rownum, cells in enumerate(reader, start=1):
            yield rownum, cells
    except csv.Error as exc:
        if stop_on_error:
            return
        raise _csv_error(name, rownum + 1, exc) from exc


# ------------------------------------------------------------------------------------------ quote problems

#: Characters a cell may hold before a reader gives up on it (the ``csv`` module's default limit): a cell
#: that long in a roster is a quote that was never closed.
_CSV_FIELD_LIMIT = 131_072


def _line_of(text: str, offset: int) -> int:
    """The 1-based physical line (:func:`~pingan.lib.csvlines.physical_lines`) holding ``text[offset]``."""
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


@dataclass(frozen=True, slots=True)
class _QuoteProblem:
    """A double quote that makes the lines around it unreliable (see :func:`_csv_scan`).

    ``line``: the physical line where the record starts; ``column``: 0-based index of the cell where the quote
    is; ``kind``: ``"unclosed"`` (never closed: everything after it was one cell), ``"closes_later"`` (closed
    only on line ``until``, so lines ``line``..``until`` were one cell) or ``"misplaced"`` (a quote inside a
    cell rather than around it); ``cells``: the line split at every delimiter with the quotes removed, so
    the rejection can say which person the line is about; ``text``: the line as written (quotes kept)."""

    line: int
    column: int
    kind: str
    until: int | None
    cells: list[str]
    text: str = ""


def _loose_cells(line: str, delimiter: str) -> list[str]:
    """One physical line split at every delimiter, quotes ignored and removed (for naming a broken line)."""
    line = line.rstrip("\r\n")
    return [c.replace('"', "") for c in line.split(delimiter)]


def _runaway(cells: list[str], header: _Header, delimiter: str) -> int | None:
    """For a record spanning several physical lines: the index of the cell whose quote ran away, or
    ``None`` when the line breaks are a legitimate multi-line cell (an address typed with Alt+Enter) —
    :func:`pingan.lib.csvlines.runaway_cell` with the roster's columns.

    A runaway is a name, ID-number or phone cell with a line break (never typed over two lines); a cell with
    a line of its own holding a whole row's worth of delimiters (the header's width less one: a swallowed
    row — before the line break too, when the quote opened at the start of a row); a record with fewer cells
    than the header (the swallowed text took the rest) or with text in cells past it; or a cell with a line
    break longer than its field can be (:data:`FIELD_MAX_LENGTHS`; 1,000 characters in any column)."""
    return csvlines.runaway_cell(
        cells, delimiter, header.width,
        limits={j: FIELD_MAX_LENGTHS[f] for f, j in header.fields.items() if f in FIELD_MAX_LENGTHS},
        single_line={header.fields[f] for f in ("name", "id_number", "phone") if f in header.fields},
        per_line=True)


_SPACE_AFTER_QUOTE = re.compile(r'"[ \t]+(?=[,;\t|]|\r\n|\r|\n|$)')


def _csv_scan(text: str, delimiter: str, header: _Header, header_records: int
              ) -> tuple[list[tuple[int, int, list[str], frozenset[int]]], list[_QuoteProblem], int]:
    """Every record of a CSV text with the physical lines it spans, quote problems found and split off.

    Returns ``(records, problems, header line)``: ``records`` are ``(record number, first physical line,
    cells, quoted columns)`` for the records after the first ``header_records`` (the header and what is above
    it; the quoted columns are :func:`~pingan.lib.csvlines.quoted_columns`: a quote in such a cell is text);
    ``problems`` the lines whose quotes could not be trusted (:class:`_QuoteProblem`), in line order; the
    header line is the physical line the header record ends on.

    The ``csv`` module reads a quoted cell across line breaks until the quote closes: one stray quote (``张三,
    "110101…,138…`` with no closing quote) swallows every following row into one cell, which then shows
    other people's numbers as this row's name or ID. A record spanning several lines is kept only when its
    line breaks are a legitimate multi-line cell (:func:`_runaway`); otherwise its first line becomes a
    problem and reading starts again on the next line, so each swallowed line is read as the row it is. The
    same for a cell longer than the ``csv`` module's limit and for a quote inside a cell (``"张三"x``; a
    strict reader refuses it), except spaces after a closing quote, which are dropped."""
    lines = physical_lines(text)
    records: list[tuple[int, int, list[str], frozenset[int]]] = []
    problems: list[_QuoteProblem] = []
    header_line = header_records  # physical line of the header record (1-based)
    start = 0  # index of the line reading (re)starts at
    seen = 0  # records read so far (the record number of the next is seen + 1)
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter, strict=True)
        restart: int | None = None
        while True:
            before = reader.line_num
            first = start + before  # 0-based index of the record's first line
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:
                last = start + max(reader.line_num, before + 1)  # exclusive
                chunk = "".join(lines[first:last])
                retry = _SPACE_AFTER_QUOTE.sub('"', chunk)
                try:
                    fixed = list(csv.reader([retry], delimiter=delimiter, strict=True)) if retry != chunk else []
                except csv.Error:
                    fixed = []
                if len(fixed) == 1 and "\n" not in retry.rstrip("\r\n") and "\r" not in retry.rstrip("\r\n"):
                    seen += 1
                    if seen > header_records:
                        records.append((seen, first + 1, fixed[0], csvlines.quoted_columns(retry, delimiter)))
                    restart = first + 1
                    break
                n_lines = len(physical_lines(chunk.rstrip("\r\n")))
                if len(chunk) > _CSV_FIELD_LIMIT or (last >= len(lines) and chunk.count('"') % 2):
                    kind, until = "unclosed", None
                elif n_lines > 1:  # the strict reader stopped after a closing quote: it closed on that line
                    kind, until = "closes_later", first + n_lines
                else:
                    kind, until = "misplaced", None
                problems.append(_QuoteProblem(first + 1, csvlines.quote_column(lines[first], delimiter), kind, until,
                                              _loose_cells(lines[first], delimiter), lines[first]))
                seen += 1
                restart = first + 1
                break
            last = start + reader.line_num - 1  # 0-based index of the record's last line
            seen += 1
            if seen <= header_records:
                header_line = last + 1
                continue
            if last == len(lines) - 1 and "".join(lines[first:]).count('"') % 2:
                # the file ends inside a quoted cell
                j = next((k for k, c in enumerate(cells) if "\n" in c or "\r" in c), None)
                at = csvlines.quote_column(lines[first], delimiter) if j is None else j
                problems.append(_QuoteProblem(first + 1, at,
                                              "unclosed", None, _loose_cells(lines[first], delimiter),
                                              lines[first]))
                restart = first + 1
                break
            if last > first:
                j = _runaway(cells, header, delimiter)
                if j is not None:
                    # ended before the end of the file: the quote closed on its last line
                    closed = last + 1 < len(lines) or "".join(lines[first:last + 1]).count('"') % 2 == 0
                    kind, until = ("closes_later", last + 1) if closed else ("unclosed", None)
                    problems.append(_QuoteProblem(first + 1, j, kind, until, _loose_cells(lines[first], delimiter),
                                                  lines[first]))
                    restart = first + 1
                    break
            records.append((seen, first + 1, cells,
                            csvlines.quoted_columns("".join(lines[first:last + 1]), delimiter)))
        if restart is None:
            break
        start = restart
    return records, problems, header_line


def _quotes_need_care(text: str, delimiter: str) -> bool:
    """Whether the file's quotes need the exact reader (:func:`_csv_scan`) before anything is parsed: the
    quotes do not pair up (an odd number in all), or a quote stands between two characters of a cell
    (``b"c``, ``"x"y``). Files without quotes (most) are decided by one ``in``; a quoted cell spanning lines
    is found after pyarrow parsed the file (:func:`_csv_fast` hands it over). Measured: ~0.1 s per 200,000
    rows with a quoted cell in each."""
    if '"' not in text:
        return False
    if text.count('"') % 2:
        return True
    d = re.escape(delimiter)
    return re.search(f'[^{d}\\r\\n"]"[^{d}\\r\\n"]', text) is not None


def _csv_exact(text: str, header: _Header, meta: RosterMeta) -> tuple[pa.Table, list[Rejection], int, list[int]]:
    """The per-row path for a CSV text: every record through :func:`_process`, each quote problem
    (:func:`_csv_scan`) rejected as ``bad_quote`` on its line. When there are quote problems, rows are
    numbered by physical line (what a text editor shows, where the quote must be fixed), since the records
    around a runaway quote are not what Excel would show; a note says so."""
    assert meta.delimiter is not None
    records, problems, header_line = _csv_scan(text, meta.delimiter, header, header.row_index + 1)
    problems = [p for p in problems if p.line > header_line]
    quoted = {(line if problems else n): q for n, line, _, q in records if q}
    if problems:
        rows: Iterable[tuple[int, list[Any]]] = ((line, cells) for _, line, cells, _ in records)
        if header_line != meta.header_row:
            meta.header_row = header_line
        _note(meta, "rows_are_lines",
              lines=_ranges([p.line for p in problems][:10]), more=len(problems) > 10)
    else:
        rows = ((n, cells) for n, _, cells, _ in records)
    invisible: list[int] = []
    cols, rejected, total, blank = _process(rows, header, is_csv=True, delimiter=meta.delimiter, quoted=quoted,
                                            invisible=invisible)
    _note_invisible(meta, invisible)
    if problems:
        rejected.extend(_quote_rejection(p, header) for p in problems)
        rejected.sort(key=lambda r: r.row)
        total += len(problems)
    return _columns_table(cols, header), rejected, total, blank


#: The longest row text a rejection keeps to show (``params["line"]``): enough to find the row in the file.
RAW_LINE_MAX = 120


def raw_line(text: str) -> str:
    """A row as written (a CSV line), for a rejection whose cells cannot be trusted to be in their columns:
    line breaks dropped, clipped to :data:`RAW_LINE_MAX` characters with "…"."""
    text = text.rstrip("\r\n").replace("\r", " ").replace("\n", " ")
    return text if len(text) <= RAW_LINE_MAX else text[:RAW_LINE_MAX - 1] + "…"


def _quote_rejection(p: _QuoteProblem, header: _Header) -> Rejection:
    """The ``bad_quote`` rejection of a line whose quote could not be trusted. Its cells cannot be trusted to
    be in their columns (a cell that swallowed a delimiter shifts the rest: the trial saw the phone number in
    the ID slot), so no name, ID number or phone is put in those slots: ``params["line"]`` carries the line as
    written (:func:`raw_line`), which pages show masked beside the row number and the column. Only a field
    whose column lies left of the quote keeps its value (the delimiters before the quote are real ones)."""
    def given(f: str) -> str:
        j = header.fields.get(f)
        if j is None or j >= p.column or j >= len(p.cells):
            return ""
        return _clip(p.cells[j].strip(), FIELD_MAX_LENGTHS.get(f, 200))

    letter = column_letter(p.column)
    label = header.labels.get(p.column, letter)
    params: dict[str, Any] = {"kind": p.kind, "label": label, "letter": letter}
    if p.until is not None:
        params["until"] = p.until
    params["line"] = raw_line(p.text or ",".join(p.cells))
    return Rejection(p.line, "bad_quote", label, given("name"), given("id_number"), given("phone"), params=params)


# ------------------------------------------------------------------------------------------ workbooks


def _workbook_rows(
    data: bytes, name: str, meta: RosterMeta, sheet: str | None, index: Mapping[str, str],
    has_header: Callable[[Sequence[Sequence[Any]]], bool] | None = None,
) -> tuple[list[list[Any]], list[tuple[tuple[int, int], tuple[int, int]]]]:
    import python_calamine as cal  # lazy: CSV-only callers need not load the Rust extension

    if data.startswith(b"PK\x03\x04"):  # every caller (rosters, bank statements) passes the limits first
        _check_workbook_limits(data, name)
    try:
        wb = cal.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except cal.PasswordError as exc:
        raise _password_error(name) from exc
    except Exception as exc:  # calamine raises several unrelated types for corrupt files
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise _password_error(name) from exc
        raise RosterError("roster_unreadable_workbook", {"name": name, "error": str(exc)}, filename=name) from exc
    names = list(wb.sheet_names)
    if sheet is not None:
        if sheet not in names:
            raise RosterError("roster_no_such_sheet", {"name": name, "sheet": sheet, "sheets": names},
                              filename=name)
        candidates = [sheet]
    else:
        visible = [
            m.name
            for m in wb.sheets_metadata
            if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")
        ]
        candidates = visible + [n for n in names if n not in visible]
    first_rows: list[list[Any]] | None = None
    for sheet_name in candidates:
        try:
            ws = wb.get_sheet_by_name(sheet_name)
            rows = ws.to_python(skip_empty_area=False)
            merges = list(ws.merged_cell_ranges or [])
        except Exception as exc:
            if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
                raise _password_error(name) from exc
            raise RosterError("roster_unreadable_sheet", {"name": name, "sheet": sheet_name, "error": str(exc)},
                              filename=name) from exc
        _apply_text_formats(data, sheet_name, rows)
        if first_rows is None:
            first_rows = rows
        _fill_merges(rows, merges)
        found = (has_header(rows[:HEADER_SCAN_ROWS]) if has_header is not None
                 else _find_header(rows[:HEADER_SCAN_ROWS], index) is not None)
        if sheet is not None or found:
            meta.sheet = sheet_name
            if len(names) > 1 and sheet is None:
                _note(meta, "sheet_chosen", sheets=len(names), sheet=sheet_name)
            return rows, merges
    meta.sheet = candidates[0] if candidates else None
    return first_rows or [], []


def _apply_text_formats(data: bytes, sheet_name: str, rows: list[list[Any]]) -> None:
    """Numbers shown through a text-carrying number format (``00000000000``, ``000000``, ``000-0000-0000``
    …: :func:`pingan.lib.sheets.render_integer`) become the text Excel shows: a phone ``1062345678`` under
    ``00000000000`` reads ``01062345678``, a postcode ``10010`` under ``000000`` reads ``010010``. XLSX (the
    sheet's XML) and XLS (through xlrd); calamine gives no number formats, and ODS keeps the number."""
    if data.startswith(_OLE2_MAGIC):
        cells = sheets.xls_styled_number_cells(data, sheet_name)
    elif data.startswith(b"PK\x03\x04"):
        cells = _xlsx_text_cells(data, sheet_name)
    else:
        return
    for (r, c), text in cells.items():
        if r < len(rows) and c < len(rows[r]) and isinstance(rows[r][c], int | float) \
                and not isinstance(rows[r][c], bool):
            rows[r][c] = text


def _xlsx_text_cells(data: bytes, sheet_name: str) -> dict[tuple[int, int], str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            part = _sheet_part(zf, sheet_name)
    except zipfile.BadZipFile:
        return {}
    return {} if part is None else sheets.styled_number_cells(data, part)


def _fill_merges(rows: list[list[Any]], merges: Sequence[tuple[tuple[int, int], tuple[int, int]]]) -> None:
    """Copy each merged range's top-left value down its first column (0-based inclusive corners)."""
    for (r1, c1), (r2, _c2) in merges:
        if r1 >= len(rows) or c1 >= len(rows[r1]):
            continue
        value = rows[r1][c1]
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            if c1 < len(rows[r]) and _is_blank(rows[r][c1]):
                rows[r][c1] = value


#: Columns that identify a person: a merged cell is never copied down them (it would give one person's
#: name, number or phone to the next row's person).
_IDENTITY_FIELDS = ("name", "id_number", "phone")


def _unfill_identity_merges(rows: list[list[Any]], merges: Sequence[tuple[tuple[int, int], tuple[int, int]]],
                            header: _Header, meta: RosterMeta) -> None:
    """Undo :func:`_fill_merges` in the identity columns below the header, and say so in the warnings.

    The rows under such a merge keep a blank cell, so they are rejected with the usual "missing" reason
    instead of being screened as somebody else.
    """
    cols = {header.fields[f]: f for f in _IDENTITY_FIELDS if f in header.fields}
    for (r1, c1), (r2, _c2) in merges:
        if c1 not in cols or r1 <= header.row_index:
            continue
        for r in range(r1 + 1, min(r2, len(rows) - 1) + 1):
            if c1 < len(rows[r]):
                rows[r][c1] = None
        _note(meta, "identity_merge_not_copied",
              first=r1 + 1, last=r2 + 1, field=cols[c1])


# ------------------------------------------------------------------------------------------ formulas

_CELL_REF_RE = re.compile(rb'\sr="([A-Z]{1,3})([0-9]{1,7})"')
_CELL_TYPE_RE = re.compile(rb'\st="([a-zA-Z]+)"')
_NS_PREFIX_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_SCAN_CHUNK = 1 << 22  # bytes of sheet XML decompressed at a time


def _sheet_part(zf: zipfile.ZipFile, sheet: str | None) -> str | None:
    """The ZIP member holding the worksheet called ``sheet`` (ECMA-376 Part 1 §18.2.19–20: ``<sheet
    name r:id>`` in ``xl/workbook.xml``, resolved through ``xl/_rels/workbook.xml.rels``); ``None`` if absent."""
    # The workbook's own two small index parts (calamine has parsed them already); expat expands no
    # external entities and limits entity amplification.
    import xml.etree.ElementTree as ET

    try:
        book = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314 - see above
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314 - see above
    except (KeyError, ET.ParseError):
        return None
    rid = next((el.get(_REL_NS) for el in book.iter() if el.tag.endswith("}sheet") and el.get("name") == sheet),
               None)
    target = next((el.get("Target") for el in rels if el.get("Id") == rid), None) if rid else None
    if not target:
        return None
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _formula_cells_without_value(data: bytes, sheet: str | None) -> tuple[list[tuple[int, int]], int] | None:
    """Cells of an XLSX worksheet that hold a formula but no saved result, as 0-based (row, column).

    Excel and WPS save every formula's last result in the cell's ``<v>`` (ECMA-376 Part 1 §18.3.1.4; a text
    result has ``t="str"``, so an empty ``<v>`` there is an empty text, a value). Libraries such as openpyxl
    write the formula alone (``<f>…</f><v />``), and calamine then reads the cell as empty. The sheet XML is
    streamed and only searched byte-wise for the formula tag; cells are parsed only around a hit. Returns
    ``(cells, unlocated)`` — ``unlocated`` counts such cells without an ``r`` reference (allowed by the
    standard, never written by the tools concerned) — or ``None`` when the sheet part cannot be found.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        return None
    with zf:
        part = _sheet_part(zf, sheet)
        if part is None or part not in zf.namelist():
            return None
        with zf.open(part) as fh:
            buf = fh.read(max(_SCAN_CHUNK, 4096))
            m = _NS_PREFIX_RE.search(buf[:4096])
            prefix = (m.group(1) or b"") if m else b""
            f_tag, c_tag, c_end = b"<" + prefix + b"f", b"<" + prefix + b"c ", b"</" + prefix + b"c>"
            value_re = re.compile(b"<" + re.escape(prefix) + rb"v(?:\s[^>]*)?>([^<]*)</" + re.escape(prefix) + b"v>")
            found: set[tuple[int, int]] = set()
            unlocated: set[int] = set()  # file offsets of the cells, so a carried cell counts once
            base = 0  # file offset of buf[0]
            while True:
                chunk = fh.read(_SCAN_CHUNK)
                pos = buf.find(f_tag)
                while pos != -1:
                    after = buf[pos + len(f_tag): pos + len(f_tag) + 1]
                    start, end = buf.rfind(c_tag, 0, pos), buf.find(c_end, pos)
                    if chunk and (after == b"" or end == -1):
                        break  # the cell goes on in the next chunk: the carry below keeps it whole
                    if after and after in b" \t\r\n>/" and start != -1 and end != -1:
                        cell_head = buf[start: buf.find(b">", start) + 1]
                        v = value_re.search(buf, pos, end)
                        t = _CELL_TYPE_RE.search(cell_head)
                        if v is None or (v.group(1) == b"" and not (t and t.group(1) == b"str")):
                            ref = _CELL_REF_RE.search(cell_head)
                            if ref is None:
                                unlocated.add(base + start)
                            else:
                                col = 0
                                for ch in ref.group(1):
                                    col = col * 26 + ch - 64
                                found.add((int(ref.group(2)) - 1, col - 1))
                    pos = buf.find(f_tag, max(end, pos + 1))
                if not chunk:
                    break
                # Carry the last cell, which may be incomplete (cells seen twice are deduplicated by the set).
                last_cell = buf.rfind(c_tag)
                cut = last_cell if last_cell != -1 else max(len(buf) - 64, 0)
                base += cut
                buf = buf[cut:] + chunk
    return sorted(found), len(unlocated)


def _flag_formula_cells(
    data: bytes, rows: list[list[Any]], header: _Header, meta: RosterMeta
) -> dict[int, list[int]] | None:
    """Rows (Excel row number → column indexes) whose roster-field cells hold a formula without a saved
    value; ``None`` when there are none.

    Cheap by construction: the sheet is only searched when some roster-field cell below the header came
    back empty from calamine (a formula without value always does), which a C-level tuple test finds in one
    pass that stops at the first empty cell. Rows past calamine's last row (a row of nothing but such
    formulas) are added to ``rows`` as empty rows so they are judged like the others.
    """
    from operator import itemgetter

    cols = sorted(header.fields.values())
    get = itemgetter(*cols) if len(cols) > 1 else (lambda r, _j=cols[0]: (r[_j],))
    width = max(cols) + 1
    maybe = False
    for r in itertools.islice(rows, header.row_index + 1, None):
        cells = get(r) if len(r) >= width else tuple(r[j] if j < len(r) else "" for j in cols)
        if "" in cells or None in cells:
            maybe = True
            break
    if not maybe:
        return None
    scanned = _formula_cells_without_value(data, meta.sheet)
    if scanned is None:
        return None
    cells, unlocated = scanned
    if unlocated:
        _note(meta, "formulas_unlocated",
              count=unlocated)
    wanted = set(cols)
    flagged: dict[int, list[int]] = {}
    for ri, cj in cells:
        if ri > header.row_index and cj in wanted and (ri >= len(rows) or cj >= len(rows[ri])
                                                       or _is_blank(rows[ri][cj])):
            flagged.setdefault(ri + 1, []).append(cj)
    if not flagged:
        return None
    last = max(flagged) - 1
    while len(rows) <= last:
        rows.append([])
    return flagged


# ------------------------------------------------------------------------------------------ cell logic


def _is_blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str):
        return not v.strip()
    return isinstance(v, float) and math.isnan(v)


def _text(v: Any) -> str:
    """Cell → cleaned text (see module docstring)."""
    if isinstance(v, str):
        return v.strip()
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer() and abs(v) < 2**53:
            return str(int(v))
        return repr(v)
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v).strip()


_EXCEL_EPOCH = dt.date(1899, 12, 30)  # 1900 date system, counting Excel's fictitious 1900-02-29


def _date_iso(v: Any, allow_month: bool) -> str | None:
    """Cell → ISO date text, ``""`` for blank, ``None`` when it cannot be a date."""
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, int | float) and not isinstance(v, bool):
        if isinstance(v, float) and (math.isnan(v) or not v.is_integer()):
            return None
        n = int(v)
        if 10_000_000 <= n <= 99_999_999:
            return _ymd(str(n)[:4], str(n)[4:6], str(n)[6:])
        if 1 <= n <= 73_050:  # Excel serial numbers from 1900-01-01 to 2099-12-31
            return (_EXCEL_EPOCH + dt.timedelta(days=n)).isoformat()
        return None
    s = _text(v)
    if not s:
        return ""
    s = unicodedata.normalize("NFKC", s) if not s.isascii() else s
    m = _DATE8_RE.match(s)
    if m:
        return _ymd(*m.groups())
    m = _DATE_RE.match(s)
    if m:
        y, mo, d = m.groups()
        if d is None:
            if not allow_month or not 1 <= int(mo) <= 12 or not 1900 <= int(y) <= 2100:
                return None
            return f"{int(y):04d}-{int(mo):02d}"
        return _ymd(y, mo, d)
    return None


def _ymd(y: str, m: str, d: str) -> str | None:
    try:
        date = dt.date(int(y), int(m), int(d))
    except ValueError:
        return None
    return date.isoformat() if 1900 <= date.year <= 2100 else None


def _id_lost_digits(v: Any) -> bool:
    """True when an ID-number cell shows the damage Excel does to long numbers.

    Excel keeps 15 significant digits (IEEE 754 double, and its display rule), so an 18-digit GB 11643
    number typed into a General cell becomes ``1.10105E+17`` or ``110105194912310000``. A numeric cell
    with 16 or more digits is always damaged; text is damaged when it is in scientific notation or is 18
    digits ending in ``000`` whose ISO 7064 MOD 11-2 check digit (GB 11643-1999 §5) fails.
    """
    if isinstance(v, bool):
        return False
    if isinstance(v, float):
        return not v.is_integer() or abs(v) >= 1e15
    if isinstance(v, int):
        return abs(v) >= 10**15
    s = v.strip() if isinstance(v, str) else str(v)
    if _SCI_RE.match(s):
        return True
    return len(s) == 18 and s.isascii() and s.isdigit() and s.endswith("000") and ric.calc_check_digit(s) != "0"


# ------------------------------------------------------------------------------------------ header


@dataclass(slots=True)
class _Header:
    row_index: int  # 0-based index into the rows
    fields: dict[str, int]  # canonical field → column index
    extras: dict[int, str]  # column index → unique header text
    labels: dict[int, str]  # column index → header as written (for messages)
    width: int  # number of columns that have a header text (last non-empty + 1)
    # column index → the characters removed from its header (U+XXXX), said in a note (issue 11: removed silently)
    removed: dict[int, list[str]] = field(default_factory=dict)


def _find_header(rows: Sequence[Sequence[Any]], index: Mapping[str, str] = _ALIAS_INDEX) -> _Header | None:
    best: tuple[int, int] | None = None  # (score, index)
    for i, cells in enumerate(rows):
        found = {index.get(_header_key(c)) for c in cells if not _is_blank(c)}
        found.discard(None)
        if "name" in found and ("id_number" in found or "phone" in found) and (best is None or len(found) > best[0]):
            best = (len(found), i)
    if best is None:
        return None
    i = best[1]
    cells = rows[i]
    fields: dict[str, int] = {}
    extras: dict[int, str] = {}
    labels: dict[int, str] = {}
    removed: dict[int, list[str]] = {}
    used: set[str] = set()
    width = 0
    for j, c in enumerate(cells):
        if _is_blank(c):
            continue
        width = j + 1
        text = _text(c)
        label = _unsafe_removed(text)  # messages name the column by it: nothing that reorders the text
        labels[j] = label
        if textchars.has_any(text):
            removed[j] = list(dict.fromkeys(textchars.code_point(ch) for ch in text if textchars.kind(ch)))
        f = index.get(_header_key(c))
        if f is not None and f not in fields:
            fields[f] = j
            continue
        unique, n = label, 2
        while unique in used or unique in CANONICAL_FIELDS:
            unique, n = f"{label} ({n})", n + 1
        used.add(unique)
        extras[j] = unique
    return _Header(i, fields, extras, labels, width, removed)


def _partial_header_error(name: str, where: Any, head: Sequence[Sequence[Any]],
                          index: Mapping[str, str]) -> RosterError | None:
    """The error for a header row that names roster fields but lacks a required one, or ``None``.

    A row naming two or more known fields is taken for the header; the message names its row and the
    missing column, which is far more useful than "no header found".
    """
    for i, cells in enumerate(head):
        found = {index.get(_header_key(c)) for c in cells if not _is_blank(c)} - {None}
        if len(found) < 2 and not (found & {"name", "id_number", "phone"}):
            continue
        if "name" not in found:
            code = "roster_header_without_name"
        elif not found & {"id_number", "phone"}:
            code = "roster_header_without_id"
        else:  # pragma: no cover - _find_header would have taken this row
            continue
        # the headers as the file writes them (listed as the reader's language lists them)
        known = [str(c).strip() for c in cells if not _is_blank(c)]  # all, known or not
        return RosterError(code, {"name": name, "where": where, "row": i + 1, "found": known, **column_labels()},
                           filename=name)
    return None


_ID_SHAPE = re.compile(r"\d{17}[\dXx]|\d{15}", re.ASCII)
_PHONE_SHAPE = re.compile(r"(?:\+?86)?1[3-9]\d{9}", re.ASCII)
_DOC_TYPE_SHAPE = re.compile(r"\D*(?:身份证|护照|通行证|居住证|居留)\D*")


def _enclosing_quote(cells: Sequence[Any], columns: tuple[int | None, ...], delimiter: str) -> int | None:
    """Quotes around several cells of a CSV row (``"张三,110101…",,101``): the first of ``columns`` (the name's,
    then the ID number's and the phone's) whose cell holds the file's ``delimiter`` — an ID number or phone never
    does, nor a name together with a number (a quoted name may: ``"Smith, John"``); the cells it took are
    missing from their columns. ``None`` when there is none."""
    name_at = columns[0]
    for j in columns:
        c = cells[j] if j is not None and j < len(cells) else ""
        if isinstance(c, str) and delimiter in c and (j != name_at or _NUMBER_RUN.search(c)):
            return j
    return None


def _check_columns(header: _Header, head: Sequence[Sequence[Any]], name: str, where: Any,
                   index: Mapping[str, str], *, declared: bool = False, delimiter: str | None = None) -> None:
    """Refuse (:class:`RosterError` ``roster_columns_mismatch``) a header whose columns plainly hold another
    kind of value than their header says, judged on the rows under it among ``head`` (the first
    :data:`HEADER_SCAN_ROWS`): a phone or name column of ID numbers, an ID-number column of phone numbers or
    document types, or — with no ID-number column recognised — a column of ID numbers under an unknown
    header, or unknown headers at all beside a phone column that is not plainly phones. A new user's trial
    (``名字,证件,电话`` over the template's columns) had every ID number read as a phone number and 20 rows
    "screened" into nothing. The message names the headers found and the ones expected. ``declared``: the
    caller named its headers (``aliases``), so unknown headers beside them are its extra columns, not a guess
    to refuse; the checks of what the named columns hold still apply. ``delimiter`` (CSV): a row whose quotes
    enclosed separators (:func:`_enclosing_quote`, the row reader's own ``bad_quote`` rule: ``"王五,<ID>",<phone>``
    put the phone under the ID header) or that spans lines may have its cells in other columns; it is left out
    of the judgement, and the row reader rejects it (hypothesis found it: tests/screening/test_roster_quotes.py)."""
    f = header.fields
    columns = (f.get("name"), f.get("id_number"), f.get("phone"))

    def shifted(r: Sequence[Any]) -> bool:
        return delimiter is not None and (_enclosing_quote(r, columns, delimiter) is not None or any(
            isinstance(c, str) and ("\n" in c or "\r" in c) for c in r))

    rows = [r for r in head[header.row_index + 1:] if any(not _is_blank(c) for c in r) and not shifted(r)]

    def share(j: int, shape: re.Pattern[str]) -> bool:
        values = [_text(r[j]).replace(" ", "") for r in rows if j < len(r) and not _is_blank(r[j])]
        hits = sum(1 for v in values if shape.fullmatch(v))
        return bool(values) and hits * 2 > len(values)

    problem: tuple[str, int] | None = None
    if "phone" in f and share(f["phone"], _ID_SHAPE):
        problem = ("column_phone_holds_ids", f["phone"])
    elif "name" in f and share(f["name"], _ID_SHAPE):
        problem = ("column_name_holds_ids", f["name"])
    elif "id_number" in f and share(f["id_number"], _PHONE_SHAPE):
        problem = ("column_id_holds_phones", f["id_number"])
    elif "id_number" in f and share(f["id_number"], _DOC_TYPE_SHAPE):
        problem = ("column_id_holds_types", f["id_number"])
    elif "id_number" not in f:
        j = next((j for j in header.extras if share(j, _ID_SHAPE)), None)
        if j is not None:
            problem = ("column_unknown_holds_ids", j)
        elif header.extras and not declared and not ("phone" in f and share(f["phone"], _PHONE_SHAPE)):
            problem = ("column_unknown_headers", -1)
    if problem is None:
        return
    code, j = problem
    params: dict[str, Any] = {"unknown": [f"“{header.labels[k]}”" for k in header.extras]} if j < 0 else {
        "label": header.labels.get(j, column_letter(j)), "letter": column_letter(j)}
    synonyms = [*[a for a in HEADER_ALIASES["id_number"] if not a.isascii()][:6], "ID number"]
    raise RosterError("roster_columns_mismatch", {
        "name": name, "where": where, "row": header.row_index + 1,
        "problem": {"code": code, "params": params},
        # the headers as the file writes them, and the template's, listed as the reader's language lists them
        "found": [header.labels[k] for k in sorted(header.labels)],
        # the template's own headers in the reader's language (core.errors.localised takes ``expected_zh`` for
        # Chinese): issue 11's trial was told "地址、入住日期" where the template says 房号/地址, 入住/入职日期
        "expected": [ENGLISH_LABELS[f] for f in CANONICAL_FIELDS],
        "expected_zh": [FIELD_LABELS[f] for f in CANONICAL_FIELDS], "synonyms": synonyms}, filename=name)


def column_labels() -> dict[str, str]:
    """The parameters that name the roster's key columns by the template's header labels: English
    (:data:`ENGLISH_LABELS`) and, as ``…_zh``, Chinese (:data:`FIELD_LABELS`) — a page takes the reader's
    (``core.errors.localised``). Messages of a header that is missing or incomplete name the columns so."""
    fields = {"name_column": "name", "id_column": "id_number"}
    return {**{k: ENGLISH_LABELS[f] for k, f in fields.items()},
            **{f"{k}_zh": FIELD_LABELS[f] for k, f in fields.items()}}


def _no_header_error(name: str, where: Any) -> RosterError:
    return RosterError("roster_no_header", {"name": name, "where": where, "rows": HEADER_SCAN_ROWS,
                                            **column_labels()}, filename=name)


# ------------------------------------------------------------------------------------------ the pass

#: Characters Python's ``str.strip()`` removes (Unicode White_Space and the ASCII separators), so the
#: vectorised path trims exactly like the per-row path.
_WHITESPACE = "".join(chr(c) for c in range(0x10000) if chr(c).isspace())


@dataclass(slots=True)
class _Columns:
    """Accepted rows, column-wise (so the Arrow path needs no per-row objects)."""

    row: list[int]
    values: dict[str, list[str]]
    extra: list[list[str]]  # one list per header.extras entry, in header order


def _extra_col(i: int) -> str:
    return f"\x00extra{i}"


@dataclass
class _Head:
    """The start of a roster as :func:`_read_head` read it: format, meta so far, the rows the header was looked
    for in, every row of a workbook, its merged ranges, a CSV's text and its records after ``head``."""

    fmt: str
    meta: RosterMeta
    head: list[list[Any]]
    all_rows: list[list[Any]]
    merges: list[tuple[tuple[int, int], tuple[int, int]]]
    text: str
    header: _Header
    records: Iterator[tuple[int, list[str]]] | None


def _read_head(data: bytes, name: str, sheet: str | None, index: Mapping[str, str],
               aliases: Mapping[str, str] | None) -> _Head:
    """Read the file's format and header, raising the :class:`RosterError` of a file that is empty, no table,
    or has no usable header: the first half of :func:`_ingest`, and what :func:`check_table_file` checks."""
    if re.search(rb"[^ \t\r\n\x00]", data) is None:  # a search, not strip(): no copy of a big file
        raise RosterError("roster_empty_file", {"name": name}, filename=name)
    fmt = _detect_format(data, name)
    meta = RosterMeta(filename=name, format=fmt)
    merges: list[tuple[tuple[int, int], tuple[int, int]]] = []
    all_rows: list[list[Any]] = []
    text = ""
    records = None
    if fmt == "csv":
        text = _csv_text(data, name, meta)
        assert meta.delimiter is not None
        # Only the start of the text: csv.reader on an io.StringIO would copy the whole file.
        records = _csv_records(text[:4_000_000], name, meta.delimiter, stop_on_error=True)
        head: list[list[Any]] = [c for _, c in itertools.islice(records, HEADER_SCAN_ROWS)]
    else:
        all_rows, merges = _workbook_rows(data, name, meta, sheet, index)
        head = all_rows[:HEADER_SCAN_ROWS]
    if not any(any(not _is_blank(c) for c in r) for r in head):
        raise RosterError("roster_no_data", {"name": name, "where": _sheet_where(meta)}, filename=name)
    header = _find_header(head, index)
    if header is None:
        raise _partial_header_error(name, _sheet_where(meta), head, index) or _no_header_error(
            name, _sheet_where(meta))
    _check_columns(header, head, name, _sheet_where(meta), index, declared=bool(aliases),
                   delimiter=meta.delimiter if fmt == "csv" else None)
    # a caller naming its own headers (``aliases``: library use and the reader's tests on real-world files; no
    # screening path passes them) decides what its columns are, as in _check_columns
    if "id_number" not in header.fields and not aliases:
        raise RosterError("roster_header_without_id", {
            "name": name, "where": _sheet_where(meta), "row": header.row_index + 1,
            "found": [header.labels[k] for k in sorted(header.labels)], **column_labels()}, filename=name)
    return _Head(fmt, meta, head, all_rows, merges, text, header, records)


def _ingest(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    filename: str | None,
    sheet: str | None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[pa.Table, list[Rejection], RosterMeta]:
    """Read, find the header, classify every row; return the accepted rows as an internal Arrow table
    (``row``, canonical fields, extra columns named by :func:`_extra_col`, ``duplicate_of``)."""
    index = _alias_index(aliases)
    data, name = _load_bytes(source, filename)
    h = _read_head(data, name, sheet, index, aliases)
    fmt, meta, head, all_rows, merges, text, header = (h.fmt, h.meta, h.head, h.all_rows, h.merges, h.text,
                                                       h.header)
    _describe_header(header, head, merges, meta, index)
    formula_rows = None
    if fmt != "csv":
        _unfill_identity_merges(all_rows, merges, header, meta)
        if fmt == "xlsx":
            formula_rows = _flag_formula_cells(data, all_rows, header, meta)

    if fmt == "csv":
        assert meta.delimiter is not None
        # pyarrow wants UTF-8 bytes: reuse the upload when it already is (no NULs removed), else re-encode.
        if meta.encoding in ("utf-8", "utf-8-sig") and b"\x00" not in data:
            utf8 = data[3:] if data.startswith(codecs.BOM_UTF8) else data
        else:
            utf8 = text.encode("utf-8")
        invisible: list[int] = []
        fast = None if _quotes_need_care(text, meta.delimiter) else _csv_fast(
            utf8, header, len(head[header.row_index]), meta.delimiter, text, invisible)
        _note_invisible(meta, invisible)
        if fast is None:
            # pyarrow could not parse it (e.g. a cell longer than a block), or a quote may have run away or
            # stand inside a cell: the exact per-row path, which splits such quotes off (_csv_scan)
            table, rejected, total, blank = _csv_exact(text, header, meta)
        else:
            table, rejected, total, blank = fast
    else:
        invisible = []
        cols, rejected, total, blank = _process(
            enumerate(all_rows[header.row_index + 1 :], start=header.row_index + 2), header, is_csv=False,
            formula_rows=formula_rows, invisible=invisible,
        )
        _note_invisible(meta, invisible)
        table = _columns_table(cols, header)
    meta.total_rows, meta.blank_rows, meta.blank_row_numbers = total, len(blank), blank
    if fmt == "csv":
        table = _cut_off(text, len(data), header, meta, table, rejected)
    if meta.nul_cells:
        table = _reject_nul_rows(table, rejected, header, meta.nul_cells)
    table = _mark_duplicates(table, meta)
    return table, rejected, meta


def _cut_off(text: str, size: int, header: _Header, meta: RosterMeta, table: pa.Table,
             rejected: list[Rejection]) -> pa.Table:
    """A CSV file that ends in the middle of a row (issue 11's trial: a roster of exactly the 20 MiB upload
    limit, cut mid-row, was screened without a word): its last row is rejected as ``cut_off`` instead of being
    screened with half a name or number, and the note ``cut_off`` says where the file ends (and its size when it
    is a whole number of MiB, the size a limit or a split cuts a file to). ``table`` without that row.

    A file looks cut off when it does not end in a line break and its last row ends inside a character
    (:attr:`RosterMeta.cut_character`), inside a quote (a ``bad_quote`` that never closes), or has fewer cells
    than the header and than the line before it (a file whose rows all lack their empty last cells is not cut).
    A last row that is complete but unterminated in a file of a whole number of MiB stays screened, with the
    note ``maybe_cut_off`` asking to check it."""
    import pyarrow.compute as pc

    if not text:
        return table
    rows = table.column("row")
    last = max(pc.max(rows).as_py() or 0 if table.num_rows else 0, *(r.row for r in rejected), 0)
    if not last:
        return table
    size_mib = size // 2**20 if size >= 2**20 and size % 2**20 == 0 else None
    sized = {"mib": size_mib} if size_mib else {}
    if text[-1] in "\r\n":  # the last row is whole (a cut character, if any, began the next one)
        if meta.cut_character:
            _note(meta, "maybe_cut_off", row=last, **sized)
        return table
    end = len(text)
    cut = max(text.rfind("\n", 0, end), text.rfind("\r", 0, end))
    tail = text[cut + 1:]
    if not tail.strip(f"{meta.delimiter or ','} \t\""):  # nothing of a row on the last line
        return table
    above = text[:max(cut, 0)].rstrip("\r\n")  # the text up to the line before (its CR LF, CR or LF dropped)
    before = above[max(above.rfind("\n"), above.rfind("\r")) + 1:]
    delimiter = meta.delimiter or ","
    unclosed = any(r.row == last and r.code == "bad_quote" and r.params.get("kind") == "unclosed" for r in rejected)
    width = len(_loose_cells(tail, delimiter))
    short = tail.count('"') % 2 == 0 and width < header.width and width < len(_loose_cells(before, delimiter))
    if not (meta.cut_character or unclosed or short):
        if size_mib:
            _note(meta, "maybe_cut_off", row=last, **sized)
        return table
    given = next(((r.name, r.id_number, r.phone) for r in rejected if r.row == last), None)
    if given is None:
        at = pc.equal(rows, last)
        found = table.filter(at)
        if found.num_rows:
            given = tuple(str(found.column(f)[0].as_py() or "") for f in ("name", "id_number", "phone"))
            table = table.filter(pc.invert(at))
    rejected[:] = [r for r in rejected if r.row != last]
    rejected.append(Rejection(last, "cut_off", None, *(given or ("", "", "")), params={"row": last, **sized}))
    _note(meta, "cut_off", row=last, **sized)
    return table


def _note_invisible(meta: RosterMeta, rows: list[int]) -> None:
    """The note that zero-width characters were removed from ``rows`` (:mod:`pingan.lib.textchars`)."""
    if rows:
        rows = sorted(rows)
        _note(meta, "invisible_removed", rows=_ranges(rows[:10]), n=len(rows), more=len(rows) > 10)


def _reject_nul_rows(table: pa.Table, rejected: list[Rejection], header: _Header,
                     nul_cells: Mapping[int, int]) -> pa.Table:
    """Reject the accepted rows that held a NUL byte (``nul_byte``, naming the column of the first): a
    damaged export whose cell may have lost what the NUL replaced. Rows are numbered by line here, which is
    the record number unless a quoted cell above spans lines."""
    import pyarrow.compute as pc

    rows = table.column("row").to_pylist()
    hit = [k for k, r in enumerate(rows) if r in nul_cells]
    if not hit:
        return table
    cols = {f: table.column(f).to_pylist() for f in ("name", "id_number", "phone")}
    for k in hit:
        j = nul_cells[rows[k]]
        letter = column_letter(j)
        label = header.labels.get(j, letter)
        rejected.append(Rejection(rows[k], "nul_byte", label, cols["name"][k], cols["id_number"][k], cols["phone"][k],
                                  params={"label": label, "letter": letter}))
    rejected.sort(key=lambda r: r.row)
    return table.filter(pc.invert(pc.is_in(table.column("row"), pa.array(sorted(nul_cells), pa.int64()))))


def _describe_header(
    header: _Header,
    head: list[list[Any]],
    merges: list[tuple[tuple[int, int], tuple[int, int]]],
    meta: RosterMeta,
    index: Mapping[str, str],
) -> None:
    """Fill the header part of ``meta`` and its warnings (title rows, duplicate columns, merges)."""
    meta.header_row = header.row_index + 1
    meta.columns = {f: header.labels[j] for f, j in sorted(header.fields.items(), key=lambda kv: kv[1])}
    meta.extra_columns = list(header.extras.values())
    titles = [i + 1 for i in range(header.row_index) if any(not _is_blank(c) for c in head[i])]
    if titles:
        _note(meta, "title_rows_skipped", header_row=meta.header_row, rows=_ranges(titles))
    if "id_number" not in header.fields:  # only where the caller named its headers (aliases); else refused
        _note(meta, "no_id_column")
    for j, chars in header.removed.items():  # said, as a row's are (a row holding them is refused)
        _note(meta, "header_characters_removed", label=header.labels[j], letter=column_letter(j), chars=chars)
    if header.extras:
        # a column the reader does not know is kept in the result files but screens nothing: name it, so that a
        # misspelt header (身份号 for 身份证号) is found (issue 11 trial: the note did not say which column)
        _note(meta, "unused_columns", columns=[header.labels[j] for j in header.extras],
              letters=[column_letter(j) for j in header.extras])
    for f, j in header.fields.items():
        dupes = [lab for k, lab in header.labels.items() if k != j and index.get(_header_key(lab)) == f]
        if dupes:
            _note(meta, "duplicate_column",
                  used=header.labels[j], others=dupes, field=f)
    # Merges in an identity column are not copied down (:func:`_unfill_identity_merges` writes their own
    # note); saying here that they were would contradict it.
    identity_cols = {header.fields[f] for f in _IDENTITY_FIELDS if f in header.fields}
    data_merges = [m for m in merges if m[1][0] > header.row_index and m[1][0] > m[0][0]
                   and not (m[0][1] in identity_cols and m[0][0] > header.row_index)]
    if data_merges:
        # a list: the reader's language joins it when the note is said (甲、乙 / a, b)
        refs = [f"{column_letter(c1)}{r1 + 1}:{column_letter(c2)}{r2 + 1}" for (r1, c1), (r2, c2) in data_merges[:10]]
        _note(meta, "merges_copied_down", cells=refs)


def _sheet_where(meta: RosterMeta) -> dict[str, Any] | str:
    """The ``where`` parameter of an error about a workbook's sheet (a message of its own); ``""`` for a CSV."""
    return {"code": "roster_in_sheet", "params": {"sheet": meta.sheet}} if meta.sheet else ""


def _ranges(nums: list[int]) -> list[str]:
    """``[3, 5, 6, 7]`` → ``["3", "5–7"]``: a list, joined as the reader's language lists things when the
    note is said (issue 11: a separator written here read "3, 5" in Chinese text)."""
    out: list[str] = []
    start = prev = nums[0]
    for n in [*nums[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(str(start) if start == prev else f"{start}–{prev}")
        if n is not None:
            start = prev = n
    return out


def _process(
    rows: Iterable[tuple[int, list[Any]]], header: _Header, *, is_csv: bool,
    formula_rows: Mapping[int, list[int]] | None = None, delimiter: str | None = None,
    quoted: Mapping[int, frozenset[int]] | None = None, invisible: list[int] | None = None,
) -> tuple[_Columns, list[Rejection], int, int]:
    """The per-row rules (exact, any cell types). ``formula_rows``: row number → column indexes of
    roster-field cells holding a formula without saved value (:func:`_flag_formula_cells`). ``quoted`` (CSV):
    row number → the columns whose cell was quoted in the file (:func:`~pingan.lib.csvlines.quoted_columns`;
    a quote or delimiter inside such a cell is the cell's text, RFC 4180: ``"王""小""明"``). Returns
    accepted columns, rejections, non-blank rows seen and the numbers of the blank rows seen. Zero-width
    characters are removed from every cell first (:mod:`pingan.lib.textchars`); ``invisible`` collects the
    numbers of the rows they were removed from.
    """
    fields = header.fields
    field_idx = [(f, fields[f]) for f in CANONICAL_FIELDS if f in fields and f not in _DATE_FIELDS]
    date_idx = [(f, fields[f]) for f in _DATE_FIELDS if f in fields]
    extra_idx = list(header.extras)
    known = set(fields.values()) | set(header.extras)
    width = header.width
    headless = [j for j in range(width) if j not in known]  # columns inside the table with no header text
    i_name, i_id, i_phone = fields.get("name"), fields.get("id_number"), fields.get("phone")
    lbl = header.labels
    cols = _Columns([], {f: [] for f in CANONICAL_FIELDS}, [[] for _ in extra_idx])
    rejected: list[Rejection] = []
    total = 0
    blank: list[int] = []

    given = ("", "", "")  # the current row's name, ID number and phone as written, for its rejection

    def reject(row: int, code: str, column: str | None, **params: Any) -> None:
        rejected.append(Rejection(row, code, column, *given, params=params))

    def cell(cells: list[Any], j: int | None) -> Any:
        return cells[j] if j is not None and j < len(cells) else ""

    def written(cells: list[Any]) -> str:
        """A CSV row as its line reads: cells joined by the file's delimiter, a cell holding the delimiter in
        the quotes it came in (a quote inside a cell stays as it stood)."""
        sep = delimiter or ","
        return sep.join(f'"{t}"' if sep in t else t for t in ("" if c is None else str(c) for c in cells))

    for rownum, cells in rows:
        formulas = formula_rows.get(rownum) if formula_rows else None
        odd = textchars.has_any("".join(c for c in cells if isinstance(c, str)))
        if odd:
            stripped = [textchars.strip_invisible(c) if isinstance(c, str) else c for c in cells]
            if stripped != cells:
                cells = stripped
                if invisible is not None:
                    invisible.append(rownum)
        if is_csv:
            if not any(c.strip() for c in cells):
                blank.append(rownum)
                continue
        elif formulas is None and all(_is_blank(c) for c in cells):
            blank.append(rownum)
            continue
        total += 1
        raw_name, raw_id, raw_phone = cell(cells, i_name), cell(cells, i_id), cell(cells, i_phone)
        name = _text(raw_name)
        given = (name, _text(raw_id), _text(raw_phone))
        if is_csv:
            # a quote inside a cell the file did not quote (张"三): a quoted cell may hold one, written doubled
            in_quotes = quoted.get(rownum, frozenset()) if quoted is not None else frozenset()
            quoted_at = next((j for j in (i_name, i_id, i_phone)
                              if j is not None and j not in in_quotes and '"' in cell(cells, j)), None)
            kind = "misplaced"
            if quoted_at is None and delimiter:
                quoted_at = _enclosing_quote(cells, (i_name, i_id, i_phone), delimiter)
                kind = "encloses"
            if quoted_at is not None:
                label = lbl.get(quoted_at, column_letter(quoted_at))
                # the cells from the quoted one on cannot be trusted to be in their columns: the line instead
                given = tuple("" if j is None or j >= quoted_at else v.replace('"', "")
                              for j, v in zip((i_name, i_id, i_phone), given, strict=True))
                reject(rownum, "bad_quote", label, kind=kind, label=label, letter=column_letter(quoted_at),
                       line=raw_line(written(cells)))
                continue
        if odd:
            # a line break stays the cell's (an address typed with Alt+Enter; a runaway quote is bad_quote above)
            found = [(j, fs) for j, c in enumerate(cells)
                     if isinstance(c, str) and (fs := textchars.find_all_unsafe(c))]
            if found:
                j, fs = found[0]
                label = lbl.get(j, column_letter(j))
                # what the row gave, each such character written as its code in its place (⟨U+001B⟩): never
                # acting on the page, never dropped without a word (issue 11: "李[31m四")
                given = tuple(_clip(textchars.shown(v), FIELD_MAX_LENGTHS.get(f, 200))
                              for f, v in zip(("name", "id_number", "phone"), given, strict=True))
                # every one of them, in every cell (the message names them all, not only the first)
                chars = [{"label": lbl.get(k, column_letter(k)), "letter": column_letter(k), "char": f.code,
                          "kind": f.kind, "position": f.index + 1} for k, fk in found for f in fk]
                reject(rownum, "control_character", label, label=label, letter=column_letter(j), char=fs[0].code,
                       kind=fs[0].kind, position=fs[0].index + 1, **({"chars": chars} if len(chars) > 1 else {}))
                continue
        if name.startswith(EXAMPLE_NAME_PREFIX):
            reject(
                rownum,
                "example_row",
                lbl.get(i_name) if i_name is not None else None,
                name=name,
            )
            continue
        if formulas is not None:
            j = formulas[0]
            label, ref = lbl.get(j, column_letter(j)), f"{column_letter(j)}{rownum}"
            more = len(formulas) - 1
            reject(
                rownum,
                "formula_without_value",
                label,
                label=label, cell=ref, more=more,
            )
            continue
        id_blank = _is_blank(raw_id)
        phone_blank = _is_blank(raw_phone)
        if not name and id_blank and phone_blank:
            filled = [lbl.get(j, column_letter(j)) for j, c in enumerate(cells) if not _is_blank(c)]
            reject(
                rownum,
                "blank_required",
                None,
                filled=filled,
            )
            continue
        stray = [j for j in headless if j < len(cells) and not _is_blank(cells[j])]
        if len(cells) > width:
            stray += [j for j in range(width, len(cells)) if not _is_blank(cells[j])]
        if stray:
            j = stray[0]
            letter = column_letter(j)
            shown = _text(cells[j])[:30]
            extra: dict[str, Any] = {}
            if is_csv:  # a delimiter inside a cell split it: the cells after it are not in their columns
                given, extra = ("", "", ""), {"line": raw_line(written(cells))}
            reject(
                rownum,
                "too_many_columns",
                letter,
                letter=letter, value=shown, csv=is_csv, **extra,
            )
            continue
        long_field = next((f for f, v in (("name", name), ("id_number", _text(raw_id)), ("phone", _text(raw_phone)))
                           if _nfkc_len(v) > FIELD_MAX_LENGTHS[f]), None)
        if long_field is not None:
            j = fields[long_field]
            label, limit = lbl.get(j, column_letter(j)), FIELD_MAX_LENGTHS[long_field]
            n = _nfkc_len(_text(cell(cells, j)))
            given = tuple(_clip(v, FIELD_MAX_LENGTHS.get(f, 200))
                          for f, v in zip(("name", "id_number", "phone"), given, strict=True))
            reject(
                rownum,
                "too_long",
                label,
                field=long_field, label=label, length=n, limit=limit,
            )
            continue
        if not name:
            reject(
                rownum,
                "missing_name",
                lbl.get(i_name) if i_name is not None else None,
            )
            continue
        if name.startswith(FORMULA_NAME_STARTS):
            label = lbl.get(i_name) if i_name is not None else None
            reject(rownum, "formula_name", label, label=label, char=name[0])
            continue
        if not id_blank and _id_lost_digits(raw_id):
            shown = _text(raw_id)
            reject(
                rownum,
                "id_number_as_number",
                lbl.get(i_id),
                value=shown,
            )
            continue
        if id_blank and phone_blank:
            col = lbl.get(i_id) if i_id is not None else lbl.get(i_phone) if i_phone is not None else None
            reject(
                rownum,
                "missing_id_number",
                col,
            )
            continue
        if not phone_blank and isinstance(raw_phone, str) and _SCI_RE.match(raw_phone.strip()):
            shown = raw_phone.strip()
            reject(
                rownum,
                "phone_as_number",
                lbl.get(i_phone),
                value=shown,
            )
            continue
        dates: list[str] = []
        bad: int | None = None
        for f, j in date_idx:
            iso = _date_iso(cell(cells, j), allow_month=f == "birth_date")
            if iso is None:
                bad = j
                break
            dates.append(iso)
        if bad is not None:
            shown = _text(cell(cells, bad))
            reject(
                rownum,
                "bad_date",
                lbl.get(bad),
                label=lbl.get(bad), value=shown,
            )
            continue
        values = cols.values
        for f, j in field_idx:
            values[f].append(_text(cell(cells, j)))
        for (f, _), iso in zip(date_idx, dates, strict=True):
            values[f].append(iso)
        for k, j in enumerate(extra_idx):
            cols.extra[k].append(_text(cell(cells, j)))
        cols.row.append(rownum)
    n = len(cols.row)
    for f in CANONICAL_FIELDS:
        if f not in fields:
            cols.values[f] = [""] * n
    return cols, rejected, total, blank


def _unsafe_removed(text: str) -> str:
    """``text`` without the characters :mod:`pingan.lib.textchars` rejects or removes."""
    out = textchars.for_output(text)
    return str(out).replace("\n", " ").replace("\r", " ").replace("\t", " ")


def _nfkc_len(text: str) -> int:
    return len(text) if text.isascii() else len(unicodedata.normalize("NFKC", text))


def _clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, the last one ``…`` when cut (what a rejected row gave, kept
    within what the results store)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _columns_table(cols: _Columns, header: _Header) -> pa.Table:
    arrays = {"row": pa.array(cols.row, pa.int64())}
    arrays.update({f: pa.array(cols.values[f], pa.string()) for f in CANONICAL_FIELDS})
    arrays.update({_extra_col(k): pa.array(v, pa.string()) for k, v in enumerate(cols.extra)})
    if not cols.extra:
        arrays.update({_extra_col(k): pa.array([], pa.string()) for k in range(len(header.extras))})
    return pa.table(arrays)


def _csv_fast(
    utf8: bytes, header: _Header, ncols: int, delimiter: str, text: str = "", invisible: list[int] | None = None,
) -> tuple[pa.Table, list[Rejection], int, list[int]] | None:
    """Vectorised CSV path (pyarrow.csv + pyarrow.compute), used because the ``csv`` module alone needs
    several seconds per million rows.

    Rows pyarrow cannot take as a rectangle (a different cell count) and rows a cheap vectorised
    pre-filter suspects (empty name/ID/phone, cells without header, number-damaged IDs or phones, dates
    that do not parse) are re-read by :func:`_process`, which alone decides rejections; the rest are
    accepted as trimmed. Record numbers come from pyarrow's serial reader (the same numbering as the
    ``csv`` module: one per record, blank lines included; with no cell spanning lines, the physical line of
    ``text``, from which a row with a quote in a name, ID number or phone learns which of its cells the file
    quoted). Returns ``None`` when pyarrow cannot parse
    the file at all, or when a cell spans lines (a multi-line address, or a quote that ran away), so the
    caller falls back to the exact per-row path (:func:`_csv_exact`).
    """
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [f"c{j}" for j in range(ncols)]
    irregular: list[tuple[int, str]] = []

    def on_invalid(row: Any) -> str:
        irregular.append((row.number, row.text))
        return "skip"

    try:
        table = pcsv.read_csv(
            io.BytesIO(utf8),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowException:
        return None
    if any(n is None for n, _ in irregular):
        return None
    # A cell spanning lines — an address typed with Alt+Enter, or a quote that ran away and swallowed the rows
    # below it — goes to the exact reader, which tells the two apart (_csv_scan).
    if any("\n" in raw or "\r" in raw for _, raw in irregular) or any(
            pc.any(pc.match_substring(table.column(j), "\n")).as_py()
            or pc.any(pc.match_substring(table.column(j), "\r")).as_py() for j in range(table.num_columns)):
        return None
    n_total = table.num_rows + len(irregular)
    bad_numbers = {n for n, _ in irregular}
    numbers = [i for i in range(1, n_total + 1) if i not in bad_numbers] if bad_numbers else range(1, n_total + 1)
    table = table.append_column("row", pa.array(numbers, pa.int64()))
    first_data = header.row_index + 2
    table = table.filter(pc.greater_equal(table.column("row"), first_data))

    trimmed = {j: pc.utf8_trim_whitespace(table.column(j)) for j in range(ncols)}
    nonempty = {j: pc.not_equal(trimmed[j], "") for j in range(ncols)}
    nonblank = None
    for j in range(ncols):
        nonblank = nonempty[j] if nonblank is None else pc.or_(nonblank, nonempty[j])
    assert nonblank is not None
    blank = (table.column("row").filter(pc.invert(nonblank)).to_pylist()
             if table.num_rows and not pc.all(nonblank).as_py() else [])
    if blank:
        table = table.filter(nonblank)
        trimmed = {j: col.filter(nonblank) for j, col in trimmed.items()}
        nonempty = {j: col.filter(nonblank) for j, col in nonempty.items()}

    fields = header.fields
    known = set(fields.values()) | set(header.extras)
    empty = pa.chunked_array([pa.array([""] * table.num_rows, pa.string())])

    def field_col(f: str) -> Any:
        return trimmed[fields[f]] if f in fields else empty

    name, idn, phone = field_col("name"), field_col("id_number"), field_col("phone")
    suspect = pc.or_(pc.equal(name, ""), pc.and_(pc.equal(idn, ""), pc.equal(phone, "")))
    suspect = pc.or_(suspect, pc.starts_with(name, EXAMPLE_NAME_PREFIX))
    suspect = pc.or_(suspect, pc.match_substring_regex(name, "^[" + re.escape("".join(FORMULA_NAME_STARTS)) + "]"))
    for j in range(ncols):
        if j not in known:
            suspect = pc.or_(suspect, nonempty[j])
    sci = _SCI_RE.pattern  # RE2 syntax too
    suspect = pc.or_(suspect, pc.match_substring_regex(idn, sci))
    suspect = pc.or_(suspect, pc.match_substring_regex(idn, r"^\d{15}000$"))
    suspect = pc.or_(suspect, pc.match_substring_regex(phone, sci))
    for col in (name, idn, phone):  # a stray quote in a cell, or quotes around several (rejected as bad_quote)
        suspect = pc.or_(suspect, pc.match_substring(col, '"'))
        suspect = pc.or_(suspect, pc.match_substring(col, delimiter))
    for col, f in ((name, "name"), (idn, "id_number"), (phone, "phone")):  # too long (measured after NFKC)
        suspect = pc.or_(suspect, pc.greater(pc.utf8_length(pc.utf8_normalize(col, "NFKC")), FIELD_MAX_LENGTHS[f]))
    if textchars.has_any(text):  # a control, bidi or zero-width character somewhere: its rows go the exact way
        for j in range(ncols):
            suspect = pc.or_(suspect, pc.match_substring_regex(table.column(j), textchars.UNSAFE_RE2))
    dates: dict[str, Any] = {}
    for f in _DATE_FIELDS:
        if f not in fields:
            continue
        # Dates repeat a lot: convert each distinct text once, then map back.
        encoded = pc.dictionary_encode(field_col(f).combine_chunks())
        distinct = encoded.dictionary.to_pylist()
        iso = [_date_iso(v, allow_month=f == "birth_date") for v in distinct]
        suspect = pc.or_(suspect, pc.take(pa.array([v is None for v in iso], pa.bool_()), encoded.indices))
        # Usually the text already is ISO 8601; then the column is reused as it is (no take).
        dates[f] = field_col(f) if iso == distinct else pc.take(pa.array(iso, pa.string()), encoded.indices)

    # Suspects and irregular rows go through the exact per-row rules, in row order.
    sus_idx = pc.indices_nonzero(suspect.combine_chunks())
    sus = table.take(sus_idx)
    sus_rows: list[tuple[int, list[Any]]] = list(
        zip(
            sus.column("row").to_pylist(),
            (list(r) for r in zip(*(sus.column(j).to_pylist() for j in range(ncols)), strict=True)),
            strict=True,
        )
    )
    for number, raw in irregular:
        if number >= first_data:
            cells = next(csv.reader(io.StringIO(raw, newline=""), delimiter=delimiter), [])
            sus_rows.append((number, cells))
    sus_rows.sort(key=lambda rc: rc[0])
    identity = [fields[f] for f in ("name", "id_number", "phone") if f in fields]
    with_quote = [n for n, cells in sus_rows
                  if any(j < len(cells) and ('"' in cells[j] or delimiter in cells[j]) for j in identity)]
    quoted: dict[int, frozenset[int]] = {}
    if with_quote:
        lines = physical_lines(text)
        quoted = {n: csvlines.quoted_columns(lines[n - 1], delimiter) for n in with_quote if n <= len(lines)}
    cols, rejected, total, blank_slow = _process(sus_rows, header, is_csv=True, delimiter=delimiter, quoted=quoted,
                                                 invisible=invisible)

    ok = pc.invert(suspect)
    good = {"row": pc.filter(table.column("row"), ok)}
    for f in CANONICAL_FIELDS:
        good[f] = pc.filter(dates[f] if f in dates else field_col(f), ok)
    for k, j in enumerate(header.extras):
        good[_extra_col(k)] = pc.filter(trimmed[j], ok)
    fast_table = pa.table(good)
    if cols.row:  # rows accepted by the per-row rules must be put back in row order (a full take)
        merged = pa.concat_tables([fast_table, _columns_table(cols, header).cast(fast_table.schema)])
        merged = merged.sort_by("row")
    else:
        merged = fast_table
    n_fast = fast_table.num_rows
    return merged, rejected, n_fast + total, sorted(blank + blank_slow)


def _mark_duplicates(table: pa.Table, meta: RosterMeta) -> pa.Table:
    """Add ``duplicate_of``: for a person already listed (same ID number ignoring case, spaces and
    full-width forms; with no ID number, same name and phone), the first row's number, else null.

    Vectorised (NFKC via ``utf8_normalize``, first occurrence via a group-by) because a per-row Python
    loop costs about 10 s per million rows on a loaded 2-core machine.
    """
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return table.append_column("duplicate_of", pa.array([], pa.int64()))
    ws = "[" + re.escape(_WHITESPACE) + "]"

    def squeeze(col: Any) -> Any:
        return pc.replace_substring_regex(pc.utf8_normalize(col, "NFKC"), ws, "")

    key = pc.binary_join_element_wise("i", pc.utf8_upper(squeeze(table.column("id_number"))), "")
    no_id = pc.equal(table.column("id_number"), "")
    if pc.any(no_id).as_py():
        # Name + phone only for the (usually few) rows without an ID number.
        np_key = pc.binary_join_element_wise(
            "n", squeeze(table.column("name").filter(no_id)), squeeze(table.column("phone").filter(no_id)), ""
        )
        key = pc.replace_with_mask(key.combine_chunks(), no_id.combine_chunks(), np_key.combine_chunks())
    rows = table.column("row")
    if pc.count_distinct(key).as_py() == table.num_rows:  # the common case: nobody twice
        return table.append_column("duplicate_of", pa.nulls(table.num_rows, pa.int64()))
    # the name as compared: NFKC, no whitespace, case folded (张 三 = 张三, ＬＩ = li)
    name_key = pc.utf8_lower(squeeze(table.column("name")))
    keyed = pa.table({"k": key, "r": rows, "n": name_key})
    first = keyed.group_by("k", use_threads=False).aggregate([("r", "min")])
    joined = keyed.join(first, "k", use_threads=False).sort_by("r")
    first_row = joined.column("r_min")
    dup = pc.if_else(pc.equal(first_row, joined.column("r")), pa.scalar(None, pa.int64()), first_row)
    is_dup = pc.is_valid(dup)
    # a repeat under another name than the first row's: one ID number, two names — not the same person
    names = joined.column("n").combine_chunks()
    first_name = pc.take(names, pc.index_in(first_row, value_set=joined.column("r").combine_chunks()))
    other_name = pc.and_(is_dup, pc.not_equal(names, first_name))
    dup_rows, dup_first = joined.column("r").filter(is_dup).to_pylist(), dup.filter(is_dup).to_pylist()
    meta.duplicates.extend(zip(dup_rows, dup_first, strict=True))
    shared = set(joined.column("r").filter(other_name).to_pylist()) if pc.any(other_name).as_py() else set()
    meta.shared_numbers.extend(sorted(shared))
    same = [(r, f) for r, f in meta.duplicates if r not in shared]
    apart = [(r, f) for r, f in meta.duplicates if r in shared]

    def shown(pairs: list[tuple[int, int]]) -> dict[str, Any]:
        # a list, joined in the reader's language when the note is said (issue 11: "3↔2; 4↔2" in Chinese text)
        return {"pairs": [f"{r}↔{f}" for r, f in pairs[:10]], "more": len(pairs) > 10}

    if same:
        # people, not rows: one person listed three times is one person and two repeated rows
        _note(meta, "duplicates", people=len({f for _r, f in same}), rows=len(same), **shown(same))
    if apart:
        # ID numbers, not people: who these rows are is what the submitter must find out
        _note(meta, "shared_numbers", numbers=len({f for _r, f in apart}), rows=len(apart), **shown(apart))
    return table.append_column("duplicate_of", dup)


# ------------------------------------------------------------------------------------------ public API


def read_roster(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    filename: str | None = None,
    sheet: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> RosterRead:
    """Read a roster file into accepted :class:`RosterRow` s and :class:`Rejection` s.

    ``source``: a path, the file's bytes, or a binary file object; ``filename``: the name as uploaded
    (decides the format when the bytes do not, and appears in messages); ``sheet``: worksheet name for
    workbooks (default: the first visible sheet with a recognisable header); ``aliases``: extra header
    spellings → canonical field (e.g. ``{"工号姓名": "name"}``) for files whose headers we do not know.
    Raises :class:`ValueError` for an alias naming an unknown field, and :class:`RosterError` when the
    file cannot be read as a roster at all. Rules: module docstring.
    """
    table, rejected, meta = _ingest(source, filename, sheet, aliases)
    names = meta.extra_columns
    extra_cols = [table.column(_extra_col(k)).to_pylist() for k in range(len(names))]
    extras = (dict(zip(names, vals, strict=True)) for vals in zip(*extra_cols, strict=True)) if names else None
    r, n, t, i, p, s, b, nat, a, d, dup = (
        table.column(c).to_pylist() for c in ("row", *CANONICAL_FIELDS, "duplicate_of")
    )
    # Millions of new container objects make the cyclic GC rescan the heap again and again (it doubled
    # the time for 1M rows); none of them can form a cycle, so collection is paused while building.
    with gc_paused():
        if extras is None:
            accepted = [RosterRow(*v, {}, v2) for *v, v2 in zip(r, n, t, i, p, s, b, nat, a, d, dup, strict=True)]
        else:
            rows = zip(r, n, t, i, p, s, b, nat, a, d, dup, strict=True)
            accepted = [RosterRow(*v, x, v2) for (*v, v2), x in zip(rows, extras, strict=True)]
    return RosterRead(accepted, rejected, meta)


#: Arrow schema of :func:`read_roster_arrow`'s table.
ARROW_SCHEMA = pa.schema(
    [pa.field("row", pa.int64(), nullable=False)]
    + [pa.field(f, pa.string(), nullable=False) for f in CANONICAL_FIELDS]
    + [pa.field("duplicate_of", pa.int64())]
)


def read_roster_arrow(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    filename: str | None = None,
    sheet: str | None = None,
    aliases: Mapping[str, str] | None = None,
) -> tuple[pa.Table, list[Rejection], RosterMeta]:
    """Like :func:`read_roster`, but return the accepted rows as a ``pyarrow.Table`` (for the engine).

    Table schema: :data:`ARROW_SCHEMA` — ``row`` int64, the nine canonical fields as non-null strings
    (``""`` when absent) and ``duplicate_of`` int64 (null unless a repeat), sorted by ``row``; unknown
    columns are not included (their headers are in ``meta.extra_columns``). Same rejections, meta and
    errors as :func:`read_roster`.
    """
    table, rejected, meta = _ingest(source, filename, sheet, aliases)
    table = table.select(["row", *CANONICAL_FIELDS, "duplicate_of"]).cast(ARROW_SCHEMA)
    return table, rejected, meta


# ------------------------------------------------------------------------------------- other tabular imports

#: Public names of the cell helpers, for other importers that read files the way rosters are read.
header_key = _header_key
cell_text = _text


def _csv_table(text: str, delimiter: str, meta: RosterMeta) -> list[tuple[int, list[Any]]]:
    """:func:`read_table`'s CSV rows, read by :func:`pingan.lib.csvlines.scan` so that a stray double quote
    cannot merge the rows below it: its line goes to ``meta.quote_problems`` (a multi-line cell stays unless it
    swallowed rows, judged against the widest record so far — the header's width). Rows are numbered as Excel
    shows them, or by physical line when there are quote problems (where the quote must be fixed)."""
    widest = [0]
    items = []
    for it in csvlines.scan(text, delimiter,
                            # the first record (the header) is judged against its own width
                            multiline=lambda cells: csvlines.runaway_cell(cells, delimiter,
                                                                          widest[0] or len(cells))):
        if isinstance(it, csvlines.Record):
            widest[0] = max(widest[0], len(it.cells))
        items.append(it)
    meta.quote_problems = [it for it in items if isinstance(it, csvlines.QuoteProblem)]
    records = [it for it in items if isinstance(it, csvlines.Record)]
    if meta.quote_problems:
        return [(r.line, r.cells) for r in records]
    return [(n, r.cells) for n, r in enumerate(records, start=1)]


def read_table(
    source: str | os.PathLike[str] | bytes | IO[bytes],
    *,
    filename: str | None = None,
    sheet: str | None = None,
    has_header: Callable[[Sequence[Sequence[Any]]], bool] | None = None,
) -> tuple[list[tuple[int, list[Any]]], RosterMeta]:
    """Every row of a tabular file as ``(row number as Excel shows it, cells)``, read exactly as rosters are.

    For pingan's other imports (the statistics bureau template), which apply their own header and row
    rules: format detection, decoding (BOM, UTF-8, GB 18030, detected), the delimiter, workbook sheets and
    merged cells (copied down), password-protected and HTML-as-XLS files, with the same
    :class:`RosterError` for a file that cannot be read at all. ``has_header(first rows)`` picks the sheet of a
    workbook (default: the first visible sheet) and is not applied to CSV. Cells keep their types (workbook
    numbers, dates and datetimes; CSV strings).
    """
    data, name = _load_bytes(source, filename)
    if re.search(rb"[^ \t\r\n\x00]", data) is None:
        raise RosterError("table_empty_file", {"name": name}, filename=name)
    fmt = _detect_format(data, name)
    meta = RosterMeta(filename=name, format=fmt)
    if fmt == "csv":
        text = _csv_text(data, name, meta)
        assert meta.delimiter is not None
        return _csv_table(text, meta.delimiter, meta), meta
    rows, _merges = _workbook_rows(data, name, meta, sheet, _ALIAS_INDEX,
                                   has_header or (lambda rows: any(any(not _is_blank(c) for c in r) for r in rows)))
    return list(enumerate(rows, start=1)), meta
