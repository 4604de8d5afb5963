"""Property tests: every non-blank data row of a generated roster is judged exactly once, with its row number."""

from __future__ import annotations

import csv
import datetime as dt
import io
from unittest import mock

import openpyxl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from pingan.screening import roster as roster_mod
from pingan.screening.roster import read_roster


def _valid_ids(n: int) -> list[str]:
    out = []
    for k in range(n):
        body = f"44030519{80 + k % 20:02d}0{1 + k % 9}{10 + k % 18:02d}{k % 1000:03d}"
        out.append(body + ric.calc_check_digit(body + "0"))
    return out


IDS = _valid_ids(40)  # a small pool, so duplicates happen
NAME_CHARS = "张王李赵刘陈杨黄周吴伟芳娜秀英敏静丽强磊军洋ABab"
PADS = ["", " ", "  ", "\u3000", "\t", "\xa0"]
HEADER = ["姓名", "证件号码", "手机号码", "地址", "备注"]

pad = st.sampled_from(PADS)
name = st.text(NAME_CHARS, min_size=1, max_size=4)
# A line of an address never holds a whole row's worth of commas (the header's width less one): such a line in
# a cell spanning lines is what a runaway quote leaves (roster._runaway).
address = st.text('幸福路12号,"\n室 ', min_size=0, max_size=8).filter(
    lambda a: all(line.count(",") < len(HEADER) - 1 for line in a.split("\n")))


@st.composite
def data_row(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(expected outcome, cells): the outcome is "accepted", "blank" or a rejection code."""
    kind = draw(
        st.sampled_from(["good", "good", "good", "short", "blank", "missing_name", "missing_id", "stray", "extra"])
    )
    p1, p2 = draw(pad), draw(pad)
    n = p1 + draw(name) + p2
    i = draw(pad) + draw(st.sampled_from(IDS)) + draw(pad)
    phone = draw(st.sampled_from(["", "13800138000", "139 0000 0000"]))
    addr = draw(address)
    if kind == "good":
        return "accepted", [n, i, phone, addr, ""]
    if kind == "short":
        return "accepted", [n, i]
    if kind == "blank":
        return "blank", [draw(pad) for _ in range(draw(st.integers(0, 6)))]
    if kind == "missing_name":
        return "missing_name", [draw(pad), i, phone, addr, ""]
    if kind == "missing_id":
        return "missing_id_number", [n, draw(pad), "", addr, ""]
    if kind == "stray":
        return "blank_required", ["", "", draw(pad), "", "见附件"]
    # (an address over two lines with text past the header's columns is read as a runaway quote)
    return "too_many_columns", [n, i, phone, addr.replace("\n", " "), "", "多出来的"]


@st.composite
def roster(draw: st.DrawFn) -> tuple[list[list[str]], int, list[tuple[int, str]]]:
    """(all rows incl. titles and header, header row number, [(row number, expected outcome)])."""
    titles: list[list[str]] = draw(
        st.lists(st.sampled_from([["人员名单"], [], ["填报单位：某某物业", ""]]), max_size=3)
    )
    rows = [*titles, HEADER]
    header_row = len(rows)
    expected = []
    for outcome, cells in draw(st.lists(data_row(), max_size=25)):
        rows.append(cells)
        expected.append((len(rows), outcome))
    return rows, header_row, expected


def _csv_bytes(rows: list[list[str]], encoding: str, terminator: str) -> bytes:
    buf = io.StringIO()
    # csv quotes a cell only for the characters of its own line terminator; quote everything otherwise,
    # or a bare "\n" inside an address would (rightly) start a new row.
    quoting = csv.QUOTE_MINIMAL if terminator == "\r\n" else csv.QUOTE_ALL
    csv.writer(buf, lineterminator=terminator, quoting=quoting).writerows(rows)
    return buf.getvalue().encode(encoding)


def _check(result, header_row: int, expected: list[tuple[int, str]], *, count_blanks: bool = True) -> None:
    non_blank = [(r, o) for r, o in expected if o != "blank"]
    judged = sorted([(a.row, "accepted") for a in result.accepted] + [(j.row, j.code) for j in result.rejected])
    assert judged == sorted(non_blank)
    assert len(result.accepted) + len(result.rejected) == result.total_rows == len(non_blank)
    assert result.header_row == header_row
    if count_blanks:
        assert result.blank_rows == sum(1 for _, o in expected if o == "blank")
    for j in result.rejected:
        assert j.message.startswith(f"row {j.row}: ") and j.text("en") and j.text("zh-hans")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    roster(),
    st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_every_non_blank_csv_row_is_accepted_or_rejected_exactly_once(case, encoding, terminator) -> None:
    rows, header_row, expected = case
    result = read_roster(_csv_bytes(rows, encoding, terminator), filename="r.csv")
    _check(result, header_row, expected)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster())
def test_the_vectorised_csv_path_agrees_with_the_per_row_path(case) -> None:
    rows, _, _ = case
    data = _csv_bytes(rows, "utf-8", "\n")
    # quoted cells send a file to the exact reader (they may hide a runaway quote): force the vectorised one
    with mock.patch.object(roster_mod, "_quotes_need_care", return_value=False):
        fast = read_roster(data, filename="r.csv")
    with mock.patch.object(roster_mod, "_csv_fast", return_value=None), \
            mock.patch.object(roster_mod, "_csv_exact", wraps=roster_mod._csv_exact) as patched:
        slow = read_roster(data, filename="r.csv")
    assert patched.called
    assert fast.accepted == slow.accepted
    assert fast.rejected == slow.rejected
    assert (fast.total_rows, fast.blank_rows, fast.duplicates) == (slow.total_rows, slow.blank_rows, slow.duplicates)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(roster())
def test_every_non_blank_xlsx_row_is_accepted_or_rejected_exactly_once(case) -> None:
    rows, header_row, expected = case
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append([c if c.strip() else None for c in r] if r else [])
    buf = io.BytesIO()
    wb.save(buf)
    result = read_roster(buf.getvalue(), filename="r.xlsx")
    # Trailing empty rows are outside the sheet's used range, so blank rows are not comparable here.
    _check(result, header_row, expected, count_blanks=False)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_every_supported_date_spelling_reads_back_as_the_same_iso_date(d: dt.date) -> None:
    spellings = [
        d.isoformat(),
        f"{d.year}/{d.month}/{d.day}",
        f"{d.year}.{d.month:02d}.{d.day:02d}",
        f"{d.year}{d.month:02d}{d.day:02d}",
        f"{d.year}年{d.month}月{d.day}日",
        f"{d.isoformat()} 00:00:00",
        f"{d.year}－{d.month:02d}－{d.day:02d}",  # full-width hyphens, as typed with a Chinese IME
        d,
        dt.datetime(d.year, d.month, d.day, 12, 0),
        int(f"{d.year}{d.month:02d}{d.day:02d}"),
    ]
    for s in spellings:
        assert roster_mod._date_iso(s, allow_month=False) == d.isoformat(), s


@given(st.integers(1, 73_050))
def test_excel_serial_day_numbers_count_from_1899_12_30(n: int) -> None:
    assert (
        roster_mod._date_iso(float(n), allow_month=False) == (dt.date(1899, 12, 30) + dt.timedelta(days=n)).isoformat()
    )


@st.composite
def formula_sheet(draw: st.DrawFn) -> tuple[list[list[object]], set[tuple[int, int]]]:
    """Rows of plain values and formulas (openpyxl saves formulas without a value), and where the formulas are."""
    cell = st.one_of(st.none(), st.text("张王1X ", max_size=30), st.integers(0, 10**6),
                     st.sampled_from(["=A1", '="11010519491231002X"', "=SUM(1,2)", '=IF(1=1,"","x")']))
    rows = draw(st.lists(st.lists(cell, max_size=5), min_size=1, max_size=12))
    formulas = {(i, j) for i, r in enumerate(rows) for j, v in enumerate(r) if isinstance(v, str) and v.startswith("=")}
    return rows, formulas


@settings(max_examples=25, deadline=None)
@given(formula_sheet(), st.integers(min_value=1, max_value=400))
def test_the_formula_scan_finds_every_unsaved_formula_whatever_the_chunk_size(sheet, chunk):
    rows, formulas = sheet
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    with mock.patch.object(roster_mod, "_SCAN_CHUNK", chunk):
        cells, unlocated = roster_mod._formula_cells_without_value(buf.getvalue(), "名单")
    assert set(cells) == formulas and unlocated == 0
