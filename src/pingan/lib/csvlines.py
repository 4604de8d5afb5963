"""Read CSV text record by record without letting a stray double quote swallow the rows below it.

Pure module (no Django). The ``csv`` module (and pyarrow) read a quoted cell across line breaks until the
quote closes, so one unbalanced quote (``张三,"110101…,138…`` with no closing quote — issue 11's trial) turns
every following row into one cell: the rows vanish from the count and their numbers appear as one row's
value. :func:`scan` reads the records with the physical line each starts on and splits such quotes off:

* a record spanning several lines is a *runaway* unless the format allows multi-line cells and the
  ``multiline`` judge (e.g. :func:`runaway_cell`) says its line breaks are a legitimate multi-line cell;
* a cell longer than the ``csv`` module's limit (:data:`FIELD_LIMIT`, its ``field larger than field limit``
  error) is a quote that was never closed;
* a file that ends inside a quoted cell is one too.

A runaway's first line becomes a :class:`QuoteProblem` and reading starts again on the next line, so every
swallowed line is read as the row it is. Every physical line ends in exactly one :class:`Record` or
:class:`QuoteProblem` (blank lines give records with no non-blank cell) unless it is part of a legitimate
multi-line record. The roster reader (:mod:`pingan.screening.roster`) has its own variant of this that also
repairs quotes inside a cell; the other importers (bank statements, contact records, the statistics bureau
template, open-data incident files, risk-data lists and movements) use this one (docs/conventions.md, "Read
a CSV someone uploads or imports").
"""

from __future__ import annotations

import collections
import csv
import io
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass

__all__ = ["FIELD_LIMIT", "QuoteProblem", "Record", "describe", "has_open_quote", "physical_lines",
           "quote_column", "quoted_columns", "runaway_cell", "scan"]

#: Characters a cell may hold before the ``csv`` module gives up on it (its default ``field_size_limit``).
FIELD_LIMIT = 131_072

_LINE_END = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Record:
    """One record: ``line`` the 1-based physical line it starts on, ``cells`` as the ``csv`` module reads them."""

    line: int
    cells: list[str]


@dataclass(frozen=True, slots=True)
class QuoteProblem:
    """A line whose double quote could not be trusted.

    ``line``: the 1-based physical line; ``column``: 0-based index of the cell holding the quote; ``kind``:
    ``"unclosed"`` (never closed: everything after it would have been one cell) or ``"closes_later"`` (closed
    only on line ``until``, so lines ``line``..``until`` would have been one cell); ``text``: the line without
    its line end (for naming the row — mask it before showing it to anyone not entitled to its numbers)."""

    line: int
    column: int
    kind: str
    until: int | None
    text: str


def physical_lines(text: str) -> list[str]:
    """``text`` split after each line end (CRLF, CR or LF — what ``csv`` and pyarrow take as a line end; not
    ``str.splitlines``, which also splits on form feeds and U+2028), ends kept."""
    lines: list[str] = []
    pos = 0
    for m in _LINE_END.finditer(text):
        lines.append(text[pos:m.end()])
        pos = m.end()
    if pos < len(text):
        lines.append(text[pos:])
    return lines


def has_open_quote(text: str) -> bool:
    """Whether some physical line holds an odd number of double quotes — necessary for a quoted cell to span
    lines, so a file without one can go to a fast reader (pyarrow) with no risk of merged rows."""
    if '"' not in text:
        return False
    return any(line.count('"') % 2 for line in _LINE_END.split(text))


def quoted_columns(record: str, delimiter: str = ",") -> frozenset[int]:
    """0-based indexes of the cells of one record's text (its physical lines joined) that open with a double
    quote, as RFC 4180 quotes a cell (``"王""小""明"``, ``"a,b"``, ``"1号楼\n2单元"``). A quote inside such a
    cell is the cell's text (written doubled); a quote inside a cell that does not open with one
    (``王"小明``) is not quoting anything — the ``csv`` module keeps it as text too, so only this tells the
    two apart. Cost: one pass over the record's characters, for records holding a quote at all."""
    if '"' not in record:
        return frozenset()
    out: set[int] = set()
    col, i, n = 0, 0, len(record)
    while i < n:
        if record[i] == '"':  # a quoted cell: to its closing quote ("" is a quote inside it)
            out.add(col)
            i += 1
            while i < n:
                if record[i] == '"':
                    if i + 1 < n and record[i + 1] == '"':
                        i += 2
                        continue
                    break
                i += 1
        while i < n and record[i] != delimiter and record[i] not in "\r\n":  # to the cell's end
            i += 1
        if i >= n or record[i] != delimiter:
            break
        col += 1
        i += 1
    return frozenset(out)


def quote_column(line: str, delimiter: str) -> int:
    """0-based index of the first cell of ``line`` (split at every delimiter) holding a double quote (0: none)."""
    for j, c in enumerate(line.split(delimiter)):
        if '"' in c:
            return j
    return 0


def runaway_cell(cells: list[str], delimiter: str, width: int, max_length: int = 1000, *,
                 limits: Mapping[int, int] | None = None, single_line: Collection[int] = (),
                 per_line: bool = False) -> int | None:
    """For a record spanning lines in a format that allows multi-line cells (an address typed with Alt+Enter):
    the index of the cell whose quote ran away, or ``None`` when the line breaks look legitimate.

    A runaway is a cell with a line break that is in a ``single_line`` column (one never typed over two lines:
    a name, an ID number), or longer than its column's ``limits`` entry (else ``max_length``), or holding a
    whole row's worth of delimiters (``width`` − 1: a swallowed row, or the ends of two rows — with
    ``per_line``, on one of its lines), or a record with fewer cells than ``width`` (the swallowed text took
    the rest of the row) or with more, not all empty (the quote closed inside a later row, whose other cells
    were added to this one)."""
    broken = [j for j, c in enumerate(cells) if "\n" in c or "\r" in c]
    if not broken:
        return None
    for j in broken:
        if j in single_line:
            return j
        if len(cells[j]) > (limits or {}).get(j, max_length):
            return j
        parts = _LINE_END.split(cells[j]) if per_line else (cells[j],)
        if width > 1 and any(part.count(delimiter) >= width - 1 for part in parts):
            return j
    if len(cells) < width or any(c.strip() for c in cells[max(width, 1):]):
        return broken[0]
    return None


def _first_broken(cells: list[str]) -> int | None:
    return next((j for j, c in enumerate(cells) if "\n" in c or "\r" in c), None)


def describe(p: QuoteProblem, column: str | None = None) -> str:
    """An English message for ``p`` naming its line, column (``column``: its header, else its number) and
    what to do — for importers whose reasons are English (risk-data lists and movements, run by an
    operator); pages render their own codes in the viewer's language."""
    where = f"column {column}" if column else f"column {p.column + 1}"
    closes = f"only closes on line {p.until}" if p.until else "never closes"
    return (f"line {p.line}: the double quote in {where} {closes}, so the lines below would have been read as "
            "one cell (they were read as rows of their own); delete the stray quote (or close it on this line) "
            "and import the file again")


def _strict_ok(record_text: str, delimiter: str) -> bool:
    """Whether a record's text parses with ``strict=True`` (no quote followed by text inside a cell)."""
    try:
        list(csv.reader(io.StringIO(record_text, newline=""), delimiter=delimiter, strict=True))
    except csv.Error:
        return False
    return True


def _ends_in_quote(record_text: str, delimiter: str) -> bool:
    """Whether a record's text ends inside a quoted cell (only possible at the end of the file)."""
    if record_text.count('"') % 2 == 0:
        return False
    try:
        list(csv.reader([record_text], delimiter=delimiter, strict=True))
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def scan(text: str | Iterable[str], delimiter: str = ",", *,
         multiline: Callable[[list[str]], int | None] | None = None) -> Iterator[Record | QuoteProblem]:
    """Every record of ``text`` with its first physical line, and every line whose quote could not be
    trusted, in line order (module docstring).

    ``text`` is a string or an iterable of physical lines with their ends (a file opened with
    ``newline=""``: streamed, holding no more than the record being read and the lines a runaway
    swallowed). ``multiline(cells)`` judges a record spanning lines: the index of the runaway cell, or
    ``None`` to keep the record (a legitimate multi-line cell). Without it (the default) the format has no
    multi-line cells and every record spanning lines is a runaway. Cost: one pass of the ``csv`` module, plus
    a re-read of the lines each runaway swallowed."""
    judge = multiline or _first_broken
    source = iter(io.StringIO(text, newline="") if isinstance(text, str) else text)
    pending: collections.deque[str] = collections.deque()  # lines to read again (a runaway swallowed them)
    taken: list[str] = []  # the physical lines of the record being read
    line = 1  # the physical line the next record starts on

    def feed() -> Iterator[str]:
        while True:
            if pending:
                nxt = pending.popleft()
            else:
                nxt = next(source, None)
                if nxt is None:
                    return
            taken.append(nxt)
            yield nxt

    reader = csv.reader(feed(), delimiter=delimiter)
    while True:
        taken.clear()
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:  # field larger than field limit: a quote that never closed
            problem: QuoteProblem | None = QuoteProblem(line, quote_column(taken[0], delimiter), "unclosed", None,
                                                        taken[0].rstrip("\r\n"))
        else:
            problem = None
            j = judge(cells) if len(taken) > 1 else None
            if j is None and len(taken) > 1 and not _strict_ok("".join(taken), delimiter):
                # the quote spanning lines closed before text, not before a delimiter or line end ('"0,0' on
                # one line, '"0,…' on the next): a stray quote, whatever the cells look like
                j = _first_broken(cells)
            ended_open = _ends_in_quote("".join(taken), delimiter)
            if ended_open or j is not None:
                if j is None:
                    j = quote_column(taken[0], delimiter)
                kind, until = ("unclosed", None) if ended_open else ("closes_later", line + len(taken) - 1)
                problem = QuoteProblem(line, j, kind, until, taken[0].rstrip("\r\n"))
        if problem is None:
            yield Record(line, cells)
            line += len(taken)
            continue
        yield problem
        # read again from the line after the quote's: a new reader, since the old one is inside the cell
        pending.extendleft(reversed(taken[1:]))
        line += 1
        reader = csv.reader(feed(), delimiter=delimiter)
