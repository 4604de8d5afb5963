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
template, risk-data lists and movements) use this one (docs/imports.md §"Unbalanced quotes").
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["FIELD_LIMIT", "QuoteProblem", "Record", "has_open_quote", "physical_lines", "runaway_cell", "scan"]

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


def _quote_column(line: str, delimiter: str) -> int:
    for j, c in enumerate(line.split(delimiter)):
        if '"' in c:
            return j
    return 0


def runaway_cell(cells: list[str], delimiter: str, width: int, max_length: int = 1000) -> int | None:
    """For a record spanning lines in a format that allows multi-line cells (an address typed with Alt+Enter):
    the index of the cell whose quote ran away, or ``None`` when the line breaks look legitimate.

    A runaway is a cell with a line break that is longer than ``max_length``, or followed by a line holding a
    whole row's worth of delimiters (``width`` − 1: a swallowed row), or a record with fewer cells than
    ``width`` (the swallowed text took the rest of the row)."""
    broken = [j for j, c in enumerate(cells) if "\n" in c or "\r" in c]
    if not broken:
        return None
    for j in broken:
        if len(cells[j]) > max_length:
            return j
        if width > 1 and any(part.count(delimiter) >= width - 1 for part in _LINE_END.split(cells[j])[1:]):
            return j
    if len(cells) < width:
        return broken[0]
    return None


def _first_broken(cells: list[str]) -> int | None:
    return next((j for j, c in enumerate(cells) if "\n" in c or "\r" in c), None)


def scan(text: str, delimiter: str = ",", *,
         multiline: Callable[[list[str]], int | None] | None = None) -> Iterator[Record | QuoteProblem]:
    """Every record of ``text`` with its first physical line, and every line whose quote could not be
    trusted, in line order (module docstring).

    ``multiline(cells)`` judges a record spanning lines: the index of the runaway cell, or ``None`` to keep
    the record (a legitimate multi-line cell). Without it (the default) the format has no multi-line cells and
    every record spanning lines is a runaway. Cost: one pass of the ``csv`` module, plus a re-read of the
    lines each runaway swallowed."""
    judge = multiline or _first_broken
    lines = physical_lines(text)
    start = 0
    while start < len(lines):
        reader = csv.reader(itertools.islice(lines, start, None), delimiter=delimiter)
        restart: int | None = None
        while True:
            before = reader.line_num
            first = start + before  # 0-based index of the record's first line
            try:
                cells = next(reader)
            except StopIteration:
                break
            except csv.Error:  # field larger than field limit: a quote that never closed
                yield QuoteProblem(first + 1, _quote_column(lines[first], delimiter), "unclosed", None,
                                   lines[first].rstrip("\r\n"))
                restart = first + 1
                break
            last = start + reader.line_num - 1  # 0-based index of the record's last line
            at_end = last == len(lines) - 1
            odd_to_end = at_end and "".join(lines[first:]).count('"') % 2 == 1
            j = judge(cells) if last > first else None
            if odd_to_end or j is not None:
                if j is None:
                    j = _quote_column(lines[first], delimiter)
                kind, until = ("unclosed", None) if odd_to_end else ("closes_later", last + 1)
                yield QuoteProblem(first + 1, j, kind, until, lines[first].rstrip("\r\n"))
                restart = first + 1
                break
            yield Record(first + 1, cells)
        if restart is None:
            break
        start = restart
