"""pingan.lib.csvlines: a stray double quote never merges rows (issue 11's trial, for every CSV importer)."""

from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.lib.csvlines import QuoteProblem, Record, has_open_quote, runaway_cell, scan

TRIAL = ("姓名,身份证号,手机号\n"
         "李四,11010119900307853X,13900000000\n"
         '张三,"110101199003078515,13800000000\n'
         "王五,110101198001010011,13700000000\n"
         "赵六,110101197001010014,13600000000\n")


def test_the_trials_unclosed_quote_is_one_problem_and_the_rows_below_are_read():
    out = list(scan(TRIAL))
    assert [type(o).__name__ for o in out] == ["Record", "Record", "QuoteProblem", "Record", "Record"]
    assert out[2] == QuoteProblem(3, 1, "unclosed", None, '张三,"110101199003078515,13800000000')
    assert out[3] == Record(4, ["王五", "110101198001010011", "13700000000"])
    assert out[4] == Record(5, ["赵六", "110101197001010014", "13600000000"])


def test_a_quote_closing_lines_later_and_a_cell_past_the_csv_limit():
    out = list(scan('a;b\n1;"x\n2;3\n4";5\n', ";"))
    assert out[1] == QuoteProblem(2, 1, "closes_later", 4, '1;"x')
    assert [o.line for o in out] == [1, 2, 3, 4]
    huge = list(scan('a,b\n1,"' + "x" * 140_000 + "\n2,3\n"))
    assert isinstance(huge[1], QuoteProblem) and huge[1].kind == "unclosed" and huge[2] == Record(3, ["2", "3"])


def test_a_legitimate_multi_line_cell_is_kept_when_the_format_allows_it():
    text = 'a,b,c\n1,"x\ny",3\n2,"p\n4,5,6\n7,8,9\n'
    judge = lambda cells: runaway_cell(cells, ",", 3)  # noqa: E731
    out = list(scan(text, multiline=judge))
    assert out[1] == Record(2, ["1", "x\ny", "3"])
    assert isinstance(out[2], QuoteProblem) and out[2].line == 4
    assert [o.line for o in out[3:]] == [5, 6]
    # without a judge the same multi-line cell is a problem (formats with no multi-line cells)
    assert isinstance(list(scan(text))[1], QuoteProblem)


_cell = st.text(st.characters(codec="utf-8", exclude_characters='",\r\n\x00'), max_size=8)
_row = st.lists(_cell, min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(_row, min_size=1, max_size=12), st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4))),
       st.sampled_from(["\n", "\r\n"]))
def test_stray_quotes_never_merge_rows(rows, strays, end):
    """Every physical line ends in exactly one record or problem, in order; a line without a quote is read as
    exactly the cells it holds; a file without stray quotes reads as the csv module reads it."""
    lines = [list(r) for r in rows]
    for i, j in strays:
        if i < len(lines) and j < len(lines[i]):
            lines[i][j] = '"' + lines[i][j]
    text = "".join(",".join(r) + end for r in lines)
    out = list(scan(text))
    assert [o.line for o in out] == list(range(1, len(lines) + 1))
    for o, r in zip(out, lines, strict=True):
        if not any('"' in c for c in r):
            assert o == Record(o.line, [] if r == [""] else r)  # a blank line has no cells
        if isinstance(o, QuoteProblem):
            assert o.text == ",".join(r) and o.kind in ("unclosed", "closes_later")
    if not strays:
        assert [o.cells for o in out] == list(csv.reader(io.StringIO(text, newline="")))
        assert not has_open_quote(text)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=8),
                         min_size=1, max_size=4), min_size=1, max_size=8))
def test_properly_quoted_single_line_cells_read_as_the_csv_module_reads_them(rows):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerows(rows)
    text = buf.getvalue()
    out = list(scan(text))
    assert all(isinstance(o, Record) for o in out)
    assert [o.cells for o in out] == list(csv.reader(io.StringIO(text, newline="")))
    assert not has_open_quote(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(2, 5).flatmap(lambda w: st.lists(st.lists(_cell.filter(lambda c: c.strip()), min_size=w,
                                                             max_size=w), min_size=1, max_size=10)),
       st.lists(st.tuples(st.integers(0, 9), st.integers(0, 4))))
def test_with_multi_line_cells_allowed_a_stray_quote_still_never_merges_rows(rows, strays):
    """Formats with multi-line cells (runaway_cell as the judge): rows of the header's width whose cells are
    filled — a stray quote at a cell's start never hides a line."""
    width = len(rows[0])
    lines = [list(r) for r in rows]
    for i, j in strays:
        if i < len(lines) and j < width:
            lines[i][j] = '"' + lines[i][j]
    text = "".join(",".join(r) + "\n" for r in lines)
    out = list(scan(text, multiline=lambda cells: runaway_cell(cells, ",", width)))
    assert [o.line for o in out] == list(range(1, len(lines) + 1))
    for o, r in zip(out, lines, strict=True):
        if not any('"' in c for c in r):
            assert o == Record(o.line, r)
