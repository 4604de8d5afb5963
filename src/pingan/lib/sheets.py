"""Untrusted spreadsheet files: bounds checked before a reader allocates, and number formats that carry text.

Pure module (no Django). Two jobs, both on the XML inside an XLSX/ODS ZIP, streamed:

**Limits** (:func:`check_zip_workbook`). calamine, the reader behind ``python-calamine``, builds every sheet
as a dense grid from its first to its last cell with a value (``Range::from_sparse``: 32 bytes per cell),
and aborts the process — no Python exception — when that allocation fails. One value at ``XFD1048576`` in
a 1.7 KB file asks for 16,384 × 1,048,576 cells (512 GiB), so the worker died and its job stayed
``running``. A ZIP bomb (a part inflating a thousandfold) does the same through memory or time. Before any
reader sees the file, this module checks

* the number of ZIP parts (:attr:`Limits.max_parts`) and the sum of their declared unpacked sizes
  (:attr:`Limits.max_unpacked_bytes`);
* that no part unpacks to more than its entry declares: each part is inflated once, counting bytes, with
  ``zlib`` on exactly the compressed bytes a reader would decode (Python's ``zipfile`` stops at the declared
  size, so it cannot see this; a reader that trusts the deflate stream would);
* the used range of every worksheet: rows × columns from A1 to the farthest cell **with a value**
  (:attr:`Limits.max_cells`); cells that only carry a style (``<c r="XFD1" s="1"/>``, which calamine
  skips) do not count. XLSX: a fast byte scan of the canonical form every writer we know emits
  (``<c r="…"``, ``<row r="…"``: Excel, WPS, LibreOffice, openpyxl, xlsxwriter) — ~1.2 s per 1,000,000
  rows on top of ~1 s of inflating — and an exact scan of every row and cell tag (implied positions,
  any quoting) when the file is not in that form or the fast bound exceeds the limit. ODS: the
  repeat attributes (``table:number-rows-repeated``, ``table:number-columns-repeated``) are applied, as a
  reader does.

XLS (BIFF8) sheets are at most 65,536 × 256 cells, within the default limit; XLSB is binary and not
scanned (a reader's process still runs under the job's memory limit, ``pingan.core.jobs``).

**Number formats that carry text** (:func:`text_number_formats`, :func:`render_integer`,
:func:`styled_number_cells`). A phone ``01062345678`` typed into a cell formatted ``00000000000`` is stored
as the number 1062345678 and *shown* with its leading zero; a reader returns the number, so the zero was
lost. The family is every custom format whose first section is digit placeholders (``0 # ?``) and literal
text only — zero padding (``000000`` postcodes, ``00000000000`` phones), separators (``000-0000-0000``),
quoted or escaped literals (``"0"0000000000``, ``\\0#``): what the cell shows is text the user typed, and
it is recovered as Excel renders it (ECMA-376 Part 1 §18.8.31). Formats with decimals, exponents,
percentages, fractions, thousands separators, dates or times, ``@`` and ``[DBNum…]`` keep the reader's
value.

Errors: :class:`WorkbookRefused` (``code``, ``params``, English ``message``) for a file over a limit or a
part that unpacks to more than it declares.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Limits",
    "SheetBounds",
    "WorkbookRefused",
    "cell_ref",
    "check_zip_workbook",
    "column_letters",
    "render_integer",
    "styled_number_cells",
    "text_number_formats",
    "xls_styled_number_cells",
]


@dataclass(frozen=True, slots=True)
class Limits:
    """What a workbook may ask of a reader.

    ``max_cells``: rows × columns of a sheet's used range (2**24 = a full-height sheet of 16 columns; at 32
    bytes a cell in calamine plus the Python values, ~2 GiB at most). ``max_unpacked_bytes``: all parts of
    a ZIP workbook unpacked (a 1,048,575-row, 3-column XLSX unpacks to ~220 MB). ``max_parts``: ZIP entries.
    """

    max_cells: int = 1 << 24
    max_unpacked_bytes: int = 1 << 30
    max_parts: int = 10_000


class WorkbookRefused(Exception):
    """The workbook is over a limit or damaged in a way that would hurt a reader; nothing was read.

    ``code`` is stable (``workbook_too_many_parts``, ``workbook_unpacks_too_large``,
    ``workbook_part_inflates_past_size``, ``sheet_too_large``); ``params`` holds the specifics (sizes in
    bytes, the sheet, the farthest cell, the limit) for a message in the reader's language; ``message`` is
    English.
    """

    def __init__(self, code: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


@dataclass(slots=True)
class SheetBounds:
    """The used range of one sheet: ``rows`` × ``columns`` from A1 to the farthest value, and the cells
    that set it (``last_row_cell`` the lowest, ``last_column_cell`` the rightmost, as ``"XFD1048576"``)."""

    sheet: str
    rows: int = 0
    columns: int = 0
    last_row_cell: str = ""
    last_column_cell: str = ""

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def column_letters(index: int) -> str:
    """Excel column letters of a 1-based column number (1 → ``"A"``, 16384 → ``"XFD"``)."""
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_ref(row: int, column: int) -> str:
    """``"B7"`` for 1-based ``row`` 7, ``column`` 2."""
    return f"{column_letters(column)}{row}"


def _column_number(letters: bytes | str) -> int:
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + (ch - 64)
    return n


# ----------------------------------------------------------------------------------------------- ZIP


_CHUNK = 1 << 22  # compressed bytes read at a time


def _inflate(data: bytes, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The unpacked bytes of ``info``, in pieces, counting them against the declared size.

    Decodes exactly the compressed bytes a reader would take (``compress_size`` after the local header),
    with no cap on the output except the declared ``file_size``: a part that unpacks to more raises
    :class:`WorkbookRefused` (``workbook_part_inflates_past_size``) as soon as it does.
    """
    off = info.header_offset
    header = data[off: off + 30]
    if len(header) < 30 or header[:4] != b"PK\x03\x04":
        raise zipfile.BadZipFile(f"bad local header for {info.filename}")
    name_len, extra_len = struct.unpack("<HH", header[26:30])
    start = off + 30 + name_len + extra_len
    raw = memoryview(data)[start: start + info.compress_size]
    if info.compress_type == zipfile.ZIP_STORED:
        produced = len(raw)
        pieces: Iterator[bytes] = (bytes(raw[i: i + _CHUNK]) for i in range(0, len(raw), _CHUNK))
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        pieces = _deflate_pieces(raw, info)
        produced = -1
    else:  # a reader could not read it either; it fails there with its own error
        return
    if produced > info.file_size:
        raise _past_size(info)
    yield from pieces


def _deflate_pieces(raw: memoryview, info: zipfile.ZipInfo) -> Iterator[bytes]:
    d = zlib.decompressobj(-15)
    total = 0
    allowed = info.file_size
    for i in range(0, len(raw), _CHUNK):
        buf = bytes(raw[i: i + _CHUNK])
        while buf:
            # never more than the declared size plus one byte in memory at a time
            out = d.decompress(buf, min(allowed - total + 1, 1 << 24))
            total += len(out)
            if total > allowed:
                raise _past_size(info)
            if out:
                yield out
            buf = d.unconsumed_tail
            if d.eof:
                return


def _past_size(info: zipfile.ZipInfo) -> WorkbookRefused:
    return WorkbookRefused(
        "workbook_part_inflates_past_size",
        f"the part {info.filename} of the file unpacks to more than the {info.file_size:,} bytes its ZIP entry "
        "declares: the file is damaged or built to exhaust a reader (a ZIP bomb)",
        part=info.filename, declared=info.file_size)


def check_zip_workbook(data: bytes, *, limits: Limits = Limits()) -> list[SheetBounds]:
    """Check an XLSX/XLSM or ODS file (its bytes) against ``limits`` before any reader opens it.

    Returns the used range of each worksheet. Raises :class:`WorkbookRefused` (see the module docstring),
    and ``zipfile.BadZipFile`` when the ZIP structure itself cannot be read.
    """
    zf = zipfile.ZipFile(io.BytesIO(data))
    infos = zf.infolist()
    if len(infos) > limits.max_parts:
        raise WorkbookRefused(
            "workbook_too_many_parts",
            f"the file holds {len(infos):,} parts; a workbook may hold at most {limits.max_parts:,}",
            parts=len(infos), limit=limits.max_parts)
    declared = sum(i.file_size for i in infos)
    if declared > limits.max_unpacked_bytes:
        raise WorkbookRefused(
            "workbook_unpacks_too_large",
            f"the file unpacks to {declared:,} bytes ({declared / 2**20:,.0f} MiB); pingan reads workbooks of at "
            f"most {limits.max_unpacked_bytes / 2**20:,.0f} MiB unpacked — save the roster as CSV or split it",
            size=declared, limit=limits.max_unpacked_bytes)
    names = {i.filename for i in infos}
    sheets = _xlsx_sheet_names(zf) if "xl/workbook.xml" in names else {}
    bounds: list[SheetBounds] = []
    for info in infos:
        if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
            sheet = sheets.get(info.filename, info.filename.rsplit("/", 1)[-1].removesuffix(".xml"))
            b = _xlsx_bounds(data, info, sheet, limits)
            bounds.append(b)
            _refuse_if_too_large(b, limits)
        elif info.filename == "content.xml" and "xl/workbook.xml" not in names:
            for b in _ods_bounds(data, info):
                bounds.append(b)
                _refuse_if_too_large(b, limits)
        elif not info.is_dir():
            for _ in _inflate(data, info):  # every other part: only that it unpacks to what it declares
                pass
    return bounds


def _refuse_if_too_large(b: SheetBounds, limits: Limits) -> None:
    if b.cells <= limits.max_cells:
        return
    corner = cell_ref(b.rows, b.columns)
    far = sorted({c for c in (b.last_row_cell, b.last_column_cell) if c})
    raise WorkbookRefused(
        "sheet_too_large",
        f"sheet {b.sheet!r} spans A1:{corner}, {b.rows:,} rows × {b.columns:,} columns = {b.cells:,} cells; "
        f"pingan reads at most {limits.max_cells:,} cells (rows × columns) per sheet. The farthest "
        f"value{'s are' if len(far) > 1 else ' is'} in {' and '.join(far)}: delete what lies outside the roster "
        "and save again, or save the roster as CSV",
        sheet=b.sheet, range=f"A1:{corner}", rows=b.rows, columns=b.columns, cells=b.cells,
        limit=limits.max_cells, far_cells=far)


_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


def _xlsx_sheet_names(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part → sheet name (``xl/workbook.xml`` and its relationships, two small parts)."""
    import xml.etree.ElementTree as ET

    try:
        if max(zf.getinfo(n).file_size for n in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")) > 1 << 24:
            return {}
        # expat expands no external entities and limits entity amplification
        book = ET.fromstring(zf.read("xl/workbook.xml"))  # noqa: S314
        rels = ET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    except (KeyError, ET.ParseError, zipfile.BadZipFile):
        return {}
    targets = {el.get("Id"): el.get("Target") or "" for el in rels}
    out = {}
    for el in book.iter():
        if el.tag.endswith("}sheet"):
            t = targets.get(el.get(_REL_NS), "")
            if t:
                out[t.lstrip("/") if t.startswith("/") else "xl/" + t] = el.get("name") or ""
    return out


# ----------------------------------------------------------------------------------------- XLSX bounds

_PREFIX_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?worksheet[\s>]")


def _after(letters: str) -> bytes:
    """A regex alternation of column letters that sort after ``letters`` (more letters, or as many and
    later), up to three letters (XFD)."""
    n = len(letters)
    alts = [b"[A-Z]{%d,3}" % (n + 1)] if n < 3 else []
    for i in range(n):
        c = letters[i]
        if c < "Z":
            rest = b"[A-Z]{%d}" % (n - i - 1) if n - i - 1 else b""
            alts.append(re.escape(letters[:i].encode()) + b"[" + chr(ord(c) + 1).encode() + b"-Z]" + rest)
    return b"|".join(alts) or b"(?!)"


def _xlsx_bounds(data: bytes, info: zipfile.ZipInfo, sheet: str, limits: Limits) -> SheetBounds:
    fast = _xlsx_fast_bounds(data, info, sheet)
    if fast is not None and fast.cells <= limits.max_cells:
        return fast
    return _xlsx_exact_bounds(data, info, sheet)


def _pieces_on_tag_boundaries(data: bytes, info: zipfile.ZipInfo, boundary: bytes = b">") -> Iterator[bytes]:
    """The unpacked part in pieces that each end after a ``boundary`` (``>``: no tag is cut in two;
    ``row>``: no row is)."""
    carry = b""
    for out in _inflate(data, info):
        buf = carry + out if carry else out
        cut = buf.rfind(boundary)
        cut = cut + len(boundary) if cut != -1 else 0
        if cut:
            yield buf[:cut]
        carry = buf[cut:]
        if len(carry) > 1 << 24:  # 16 MiB without a '>' is no worksheet a reader should try
            yield carry
            carry = b""
    if carry:
        yield carry


def _xlsx_fast_bounds(data: bytes, info: zipfile.ZipInfo, sheet: str) -> SheetBounds | None:
    """Bounds from the canonical form (``<c r="B7"``, ``<row r="7"``); ``None`` when the part is not in it.

    Rows come from the row elements (an upper bound: a row may hold only styled empty cells); columns from
    the value cells that lie right of the widest seen so far, found by a regex that only matches those.
    """
    b = SheetBounds(sheet)
    prefix: bytes | None = None
    widest = ""
    for piece in _pieces_on_tag_boundaries(data, info):
        if prefix is None:
            m = _PREFIX_RE.search(piece[:4096])
            prefix = (m.group(1) or b"") if m else b""
            p = re.escape(prefix)
            odd = re.compile(b"<" + p + rb"(?:c|row)(?! r=\")[\s>/]")
            row_re = re.compile(b"<" + p + rb'row r="([0-9]{1,7})"')
            col_re = re.compile(b"<" + p + b'c r="(' + _after(widest) + rb')([0-9]{1,7})"')
        if odd.search(piece):
            return None
        rows = row_re.findall(piece)
        if rows:
            b.rows = max(b.rows, max(map(int, rows)))
        pos = 0
        while (m := col_re.search(piece, pos)) is not None:
            pos = m.end()
            end = piece.find(b">", pos)
            if end > 0 and piece[end - 1: end] == b"/":
                continue  # a styled empty cell: readers skip it
            widest = m.group(1).decode()
            b.last_column_cell = widest + m.group(2).decode()
            col_re = re.compile(b"<" + re.escape(prefix) + b'c r="(' + _after(widest) + rb')([0-9]{1,7})"')
    b.columns = _column_number(widest)
    return b


_TAG_RE = re.compile(rb"<(/?)([A-Za-z_][\w.-]*:)?(row|c)\b([^>]*)>")
_R_ATTR_RE = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})([0-9]{0,7})["']""")


def _xlsx_exact_bounds(data: bytes, info: zipfile.ZipInfo, sheet: str) -> SheetBounds:
    """Every row and cell tag, positions implied where ``r`` is missing (ECMA-376 §18.3.1.4/.73), empty
    (self-closing) cells skipped: the range a reader builds."""
    b = SheetBounds(sheet)
    row = 0
    col = 0
    for piece in _pieces_on_tag_boundaries(data, info):
        for m in _TAG_RE.finditer(piece):
            closing, _ns, tag, attrs = m.groups()
            if closing:
                continue
            r = _R_ATTR_RE.search(attrs)
            if tag == b"row":
                row = int(r.group(2)) if r and r.group(2) else row + 1
                col = 0
                continue
            if r and r.group(1):
                col = _column_number(r.group(1).upper())
                if r.group(2):
                    row = int(r.group(2))
            else:
                col += 1
            if attrs.endswith(b"/"):
                continue
            if row > b.rows:
                b.rows, b.last_row_cell = row, cell_ref(row, col)
            if col > b.columns:
                b.columns, b.last_column_cell = col, cell_ref(row, col)
    return b


# ------------------------------------------------------------------------------------------ ODS bounds


_ODS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"


def _ods_bounds(data: bytes, info: zipfile.ZipInfo) -> list[SheetBounds]:
    """Each table's used range with the repeat attributes applied (ODF 1.2 Part 1 §9.1.3, §9.1.4): a value
    cell repeated 16,384 times on a row repeated 1,048,575 times is that many cells to a reader."""
    import xml.parsers.expat

    tables: list[SheetBounds] = []
    state = {"row": 0, "col": 0, "row_rep": 1, "cell": None, "depth": 0}
    t_ = " "  # expat's namespace separator: no URI or name holds a space

    def start(name: str, attrs: dict[str, str]) -> None:
        ns, _, local = name.rpartition(t_)
        if ns == _ODS_TABLE and local == "table":
            tables.append(SheetBounds(attrs.get(f"{_ODS_TABLE}{t_}name", f"table {len(tables) + 1}")))
            state.update(row=0)
        elif ns == _ODS_TABLE and local == "table-row" and tables:
            state.update(row_rep=_int(attrs.get(f"{_ODS_TABLE}{t_}number-rows-repeated")), col=0)
        elif ns == _ODS_TABLE and local in ("table-cell", "covered-table-cell") and tables:
            rep = _int(attrs.get(f"{_ODS_TABLE}{t_}number-columns-repeated"))
            has_value = f"{_ODS_OFFICE}{t_}value-type" in attrs
            state["cell"] = [rep, has_value]
            state["depth"] = 0
        elif state["cell"] is not None:
            state["cell"][1] = True  # content (text:p …) inside the cell
        if state["cell"] is not None:
            state["depth"] += 1

    def end(name: str) -> None:
        ns, _, local = name.rpartition(t_)
        if state["cell"] is not None:
            state["depth"] -= 1
            if state["depth"] == 0:
                rep, has_value = state["cell"]
                state["cell"] = None
                first = state["col"] + 1
                state["col"] += rep
                if has_value:
                    b = tables[-1]
                    last_row = state["row"] + state["row_rep"]
                    if last_row > b.rows:
                        b.rows, b.last_row_cell = last_row, cell_ref(last_row, first)
                    if state["col"] > b.columns:
                        b.columns, b.last_column_cell = state["col"], cell_ref(last_row, state["col"])
            return
        if ns == _ODS_TABLE and local == "table-row":
            state["row"] += state["row_rep"]

    parser = xml.parsers.expat.ParserCreate(namespace_separator=t_)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    try:
        for piece in _inflate(data, info):
            parser.Parse(piece, False)
        parser.Parse(b"", True)
    except xml.parsers.expat.ExpatError:
        pass  # the reader reports a malformed document itself; the ranges seen so far still count
    return tables


def _int(value: str | None) -> int:
    try:
        return max(int(value), 1) if value else 1
    except ValueError:
        return 1


# ----------------------------------------------------------------------------------- number formats

#: Format codes Excel builds in (ECMA-376 Part 1 §18.8.30) that render integers differently from General:
#: none. (Ids 1 "0" and 49 "@" render an integer as General does; the others are decimals, dates, times.)
_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True, slots=True)
class _Format:
    """A parsed integer-only format: tokens are ``("0"|"#"|"?", None)`` placeholders or ``(None, text)``."""

    code: str
    tokens: tuple[tuple[str | None, str | None], ...] = field(default=())


def _parse_text_format(code: str | None) -> _Format | None:
    """The format as placeholder and literal tokens when it is one of the family (module docstring) and
    renders some integer differently from General; else ``None`` (also for no format at all)."""
    if not isinstance(code, str):
        return None
    section = _first_section(code)
    if section is None:
        return None
    tokens: list[tuple[str | None, str | None]] = []
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            if j == -1:
                return None
            tokens.append((None, section[i + 1: j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            tokens.append((None, section[i + 1]))
            i += 2
        elif ch == "_" and i + 1 < len(section):  # space as wide as the next character
            tokens.append((None, " "))
            i += 2
        elif ch == "*" and i + 1 < len(section):  # fill character: nothing in text
            i += 2
        elif ch in "0#?":
            tokens.append((ch, None))
            i += 1
        elif ch in " -+():!^&'~{}<>=$":  # not "/": between placeholders it makes a fraction
            tokens.append((None, ch))
            i += 1
        elif ch == "[":
            j = section.find("]", i)
            if j == -1:
                return None
            inner = section[i + 1: j].lower()
            # colours and [$-804] locale tags change nothing in the text; conditions, [DBNum…] and
            # currency symbols ([$¥-804]) do or might
            if not (inner in {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
                    or inner.startswith("color") or re.fullmatch(r"\$-[0-9a-f]+", inner)):
                return None
            i = j + 1
        else:  # decimals, exponents, %, thousands separators, dates and times, @, General …
            return None
    zeros = sum(1 for t, _ in tokens if t == "0")
    literals = any(t is None and text for t, text in tokens)
    if not any(t for t, _ in tokens) or (zeros <= 1 and not literals and not any(t == "?" for t, _ in tokens)):
        return None  # "0", "#", "##": General's rendering
    return _Format(code, tuple(tokens))


def _first_section(code: str) -> str | None:
    """The first ``;`` section of a format code (the one for positive numbers), quotes respected."""
    depth_quote = False
    for i, ch in enumerate(code):
        if ch == '"':
            depth_quote = not depth_quote
        elif ch == ";" and not depth_quote:
            return code[:i]
    return code if code.strip() else None


def render_integer(value: int, code: str) -> str | None:
    """``value`` as Excel shows it through number format ``code``, or ``None`` when ``code`` is not a
    text-carrying integer format. ``render_integer(1062345678, "00000000000") == "01062345678"``,
    ``render_integer(10010, "000000") == "010010"``, ``render_integer(13800138000, "000-0000-0000") ==
    "138-0013-8000"``. Digits fill the placeholders from the right, ``0`` pads with zeros, ``?`` with a space,
    ``#`` with nothing, and the leftmost placeholder takes any further digits (§18.8.31)."""
    fmt = _parse_text_format(code)
    return None if fmt is None else _render(value, fmt)


def _render(value: int, fmt: _Format) -> str:
    digits = list(str(abs(value)))
    if value == 0:
        digits = []  # "0" fills from the zero placeholders; "#" shows nothing for zero
    places = [k for k, (t, _) in enumerate(fmt.tokens) if t]
    first = places[0]
    out: list[str] = []
    for k in range(len(fmt.tokens) - 1, -1, -1):
        t, text = fmt.tokens[k]
        if t is None:
            out.append(text or "")
            continue
        if k == first and len(digits) > 1:
            out.append("".join(digits))
            digits = []
        elif digits:
            out.append(digits.pop())
        else:
            out.append("0" if t == "0" else " " if t == "?" else "")
    text = "".join(reversed(out))
    return "-" + text if value < 0 else text


def text_number_formats(styles_xml: bytes) -> dict[int, str]:
    """Cell style index (position in ``<cellXfs>``) → number format code, for the styles whose format is a
    text-carrying integer format (module docstring). ``styles_xml`` is ``xl/styles.xml``."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(styles_xml)  # noqa: S314 - expat: no external entities
    except ET.ParseError:
        return {}
    codes: dict[int, str] = {}
    for el in root.iter():
        if el.tag.endswith("}numFmt"):
            try:
                codes[int(el.get("numFmtId", ""))] = el.get("formatCode", "")
            except ValueError:
                continue
    wanted = {i for i, c in codes.items() if _parse_text_format(c) is not None}
    if not wanted:
        return {}
    out: dict[int, str] = {}
    for el in root.iter():
        if el.tag.endswith("}cellXfs"):
            for k, xf in enumerate(x for x in el if x.tag.endswith("}xf")):
                try:
                    fid = int(xf.get("numFmtId", "0"))
                except ValueError:
                    continue
                if fid in wanted:
                    out[k] = codes[fid]
            break
    return out


_CELL_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c\b([^>]*?)(?<!/)>(.*?)</(?:[A-Za-z_][\w.-]*:)?c>", re.DOTALL)
_ATTR_RE = re.compile(rb"""\s(r|s|t)\s*=\s*["']([^"']*)["']""")
_V_RE = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?v>\s*([^<]*?)\s*</(?:[A-Za-z_][\w.-]*:)?v>")


def styled_number_cells(data: bytes, sheet_part: str) -> dict[tuple[int, int], str]:
    """Numeric cells of one XLSX worksheet shown through a text-carrying number format, as 0-based
    ``(row, column)`` → the text Excel shows. Empty when the workbook has no such format (the sheet is then
    not read at all). Integers only: a number with a fraction keeps the reader's value."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    try:
        styles = text_number_formats(zf.read("xl/styles.xml"))
    except KeyError:
        return {}
    if not styles:
        return {}
    try:
        info = zf.getinfo(sheet_part)
    except KeyError:
        return {}
    fmts = {k: _parse_text_format(c) for k, c in styles.items()}
    marks = [b's="%d"' % k for k in fmts] + [b"s='%d'" % k for k in fmts]
    out: dict[tuple[int, int], str] = {}
    for piece in _pieces_on_tag_boundaries(data, info, b"row>"):
        if not any(mk in piece for mk in marks):
            continue
        for m in _CELL_RE.finditer(piece):
            attrs = dict(_ATTR_RE.findall(m.group(1)))
            s, t, r = attrs.get(b"s"), attrs.get(b"t", b"n"), attrs.get(b"r")
            if s is None or t != b"n" or not r or not s.isdigit() or int(s) not in fmts:
                continue
            v = _V_RE.search(m.group(2))
            ref = re.fullmatch(rb"([A-Za-z]{1,3})([0-9]{1,7})", r)
            if v is None or ref is None:
                continue
            try:
                number = float(v.group(1))
            except ValueError:
                continue
            if not number.is_integer() or abs(number) >= 2**53:
                continue
            fmt = fmts[int(s)]
            assert fmt is not None
            out[(int(ref.group(2)) - 1, _column_number(ref.group(1).upper()) - 1)] = _render(int(number), fmt)
    return out


def xls_styled_number_cells(data: bytes, sheet_name: str) -> dict[tuple[int, int], str]:
    """:func:`styled_number_cells` for an XLS (BIFF8) workbook, through xlrd (the formats are in the FORMAT
    and XF records, which calamine does not give). The formats are read first, without the sheets; the sheet
    is read only when one of them carries text. Empty on anything xlrd cannot read."""
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except Exception:  # an XLS xlrd cannot read: the reader (calamine) reports it, not this
        return {}
    try:
        fmts = {k: f for k, f in ((k, _parse_text_format(f.format_str)) for k, f in book.format_map.items()) if f}
        if not fmts:
            return {}
        by_xf = {i: fmts[xf.format_key] for i, xf in enumerate(book.xf_list) if xf.format_key in fmts}
        if not by_xf or sheet_name not in book.sheet_names():
            return {}
        sh = book.sheet_by_name(sheet_name)
        out: dict[tuple[int, int], str] = {}
        for r in range(sh.nrows):
            types, values = sh.row_types(r), sh.row_values(r)
            for c, (t, v) in enumerate(zip(types, values, strict=True)):
                if t != xlrd.XL_CELL_NUMBER or not float(v).is_integer() or abs(v) >= 2**53:
                    continue
                fmt = by_xf.get(sh.cell_xf_index(r, c))
                if fmt is not None:
                    out[(r, c)] = _render(int(v), fmt)
        return out
    except Exception:  # a damaged record: keep the reader's values
        return {}
    finally:
        book.release_resources()
