"""Result writers (pingan.screening.output): formats, formula neutralisation, one row per input row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from page_language import CJK
from python_calamine import CalamineWorkbook

from pingan.lib import textchars
from pingan.screening import output as output_mod
from pingan.screening.output import OutputError, neutralise_formula, output_format, write_results

COLUMNS = ["row", "status", "reason", "level", "police_hits"]
ROWS = [
    {"row": 2, "status": "accepted", "reason": "", "level": "green", "police_hits": []},
    {"row": 3, "status": "rejected", "reason": "missing_name", "level": None, "police_hits": None},
    {"row": 4, "status": "accepted", "reason": '=HYPERLINK("http://x")', "level": "red", "police_hits": ["w1", "w2"]},
    {"row": 5, "status": "accepted", "reason": "@SUM(A1)", "level": "-1+2", "police_hits": ["+cmd"]},
]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张伟", "张伟"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
    ],
)
def test_it_neutralises_cells_that_a_spreadsheet_would_evaluate(value, expected) -> None:
    assert neutralise_formula(value) == expected


def test_it_writes_csv_with_a_bom_and_neutralised_cells(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_results(ROWS, path, columns=COLUMNS) == 4
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _read_csv(path)
    assert rows[0] == COLUMNS
    assert rows[1] == ["2", "accepted", "", "green", ""]
    assert rows[2] == ["3", "rejected", "missing_name", "", ""]
    assert rows[3] == ["4", "accepted", '\'=HYPERLINK("http://x")', "red", "w1; w2"]
    assert rows[4] == ["5", "accepted", "'@SUM(A1)", "'-1+2", "'+cmd"]


def test_it_writes_xlsx_with_a_bold_frozen_header_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_results(ROWS, path, columns=COLUMNS)
    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.b and ws["A1"].value == "row"
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    assert ws["C4"].value == '\'=HYPERLINK("http://x")'
    assert ws["A2"].value == 2 and ws["A2"].data_type == "n"
    assert ws["E4"].value == "w1; w2"
    # and Excel-compatible readers see the same
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert values[4][3] == "'-1+2"


@pytest.mark.parametrize("arrow", [True, False])
def test_each_xlsx_column_is_as_wide_as_its_header_and_text_need(tmp_path: Path, arrow: bool) -> None:
    # issue 11: every column of a downloaded results file had Excel's default width, so names, ID numbers and
    # reasons were cut or shown as ####
    rows = [{"行号": 2, "姓名": "欧阳娜娜", "证件号码": "110101199003078515", "原因": "x" * 200}]
    cols = ["行号", "姓名", "证件号码", "原因"]
    path = tmp_path / "out.xlsx"
    write_results(pa.Table.from_pylist(rows) if arrow else rows, path, columns=cols)
    ws = openpyxl.load_workbook(path).active
    widths = {ws.cell(1, j).value: ws.column_dimensions[ws.cell(1, j).column_letter].width for j in range(1, 5)}
    assert widths["行号"] >= 6 and widths["姓名"] >= 10  # 4 Chinese characters take 8 digit widths
    assert widths["证件号码"] >= 18 and 60 <= widths["原因"] < 61  # long text: as wide as a screen allows
    assert ws.freeze_panes == "A2"


def test_it_writes_parquet_with_values_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    write_results(ROWS, path, columns=COLUMNS)
    table = pq.read_table(path)
    assert table.column_names == COLUMNS
    assert table.column("reason").to_pylist()[2] == '=HYPERLINK("http://x")'
    assert table.column("police_hits").to_pylist() == [[], None, ["w1", "w2"], ["+cmd"]]
    assert table.column("row").type == pa.int64()


def test_it_keeps_a_mixed_type_column_in_parquet_as_text(tmp_path: Path) -> None:
    path = tmp_path / "out.parquet"
    write_results([{"level": 1}, {"level": "high"}, {"level": None}], path, columns=["level"])
    assert pq.read_table(path).column("level").to_pylist() == ["1", "high", None]


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".parquet"])
def test_it_writes_an_arrow_table_in_every_format(tmp_path: Path, ext: str) -> None:
    table = pa.table({"row": [2, 3], "status": ["accepted", "rejected"], "reason": ["", "=cmd"], "unused": [1, 2]})
    path = tmp_path / f"out{ext}"
    assert write_results(table, path, columns=["row", "status", "reason", "level"]) == 2
    if ext == ".csv":
        assert _read_csv(path) == [
            ["row", "status", "reason", "level"],
            ["2", "accepted", "", ""],
            ["3", "rejected", "'=cmd", ""],
        ]
    elif ext == ".xlsx":
        ws = openpyxl.load_workbook(path).active
        assert [[c.value for c in r] for r in ws.iter_rows()] == [
            ["row", "status", "reason", "level"],
            [2, "accepted", None, None],
            [3, "rejected", "'=cmd", None],
        ]
    else:
        got = pq.read_table(path)
        assert got.column_names == ["row", "status", "reason", "level"]
        assert got.column("reason").to_pylist() == ["", "=cmd"]


def test_it_writes_dates_and_dicts_readably(tmp_path: Path) -> None:
    rows = [{"as_of": dt.date(2024, 3, 1), "detail": {"区域": "高风险"}}]
    path = tmp_path / "out.csv"
    write_results(rows, path, columns=["as_of", "detail"])
    assert _read_csv(path)[1] == ["2024-03-01", '{"区域": "高风险"}']


def test_it_strips_control_characters_that_xlsx_cannot_hold(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    write_results([{"name": "张\x00伟\x07"}], path, columns=["name"])
    assert openpyxl.load_workbook(path).active["A2"].value == "张伟"


def test_it_rejects_an_unknown_extension_clearly(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"\.json.*\.csv, \.xlsx or \.parquet") as err:
        write_results(ROWS, tmp_path / "out.json", columns=COLUMNS)
    assert not CJK.search(str(err.value))  # one language (the command line's), never "中文 / English"
    assert not list(tmp_path.iterdir())
    assert output_format("A.XLSX") == "xlsx"


def test_it_refuses_more_rows_than_an_excel_sheet_holds_and_leaves_no_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(output_mod, "XLSX_MAX_ROWS", 3)
    monkeypatch.setattr(output_mod, "_BATCH", 2)
    with pytest.raises(OutputError, match=r"csv or \.parquet"):
        write_results(ROWS, tmp_path / "big.xlsx", columns=COLUMNS)
    assert not list(tmp_path.iterdir())


def test_it_reports_a_directory_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="Cannot write"):
        write_results(ROWS, tmp_path / "missing" / "out.csv", columns=COLUMNS)


def test_it_writes_only_a_header_for_no_rows(tmp_path: Path) -> None:
    path = tmp_path / "out.csv"
    assert write_results([], path, columns=COLUMNS) == 0
    assert _read_csv(path) == [COLUMNS]


cell = st.one_of(st.none(), st.integers(-(10**9), 10**9), st.text(max_size=12))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.fixed_dictionaries({"row": st.integers(1, 10**6), "status": cell, "reason": cell}), max_size=30))
def test_output_has_exactly_one_row_per_input_row_in_csv(tmp_path_factory, rows) -> None:
    path = tmp_path_factory.mktemp("o") / "out.csv"
    assert write_results(rows, path, columns=["row", "status", "reason"]) == len(rows)
    got = _read_csv(path)
    assert len(got) == len(rows) + 1
    for line, src in zip(got[1:], rows, strict=True):
        assert line[0] == str(src["row"])
        for value, written in zip((src["status"], src["reason"]), line[1:], strict=True):
            # no control, bidi or zero-width character in a result file (issue 11)
            expected = "" if value is None else str(neutralise_formula(textchars.for_output(value)))
            assert written == expected
            assert not written.startswith(("=", "+", "-", "@", "\t", "\r")) or isinstance(value, int)


def test_the_arrow_and_dict_csv_writers_write_the_same_cells(tmp_path: Path) -> None:
    table = pa.Table.from_pylist(ROWS)
    write_results(table, tmp_path / "a.csv", columns=COLUMNS)
    write_results(ROWS, tmp_path / "d.csv", columns=COLUMNS)
    assert _read_csv(tmp_path / "a.csv") == _read_csv(tmp_path / "d.csv")
    assert (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")


@given(st.text(max_size=20))
def test_neutralised_text_never_starts_with_a_trigger_and_loses_nothing(s: str) -> None:
    out = neutralise_formula(s)
    assert not out.startswith(output_mod.FORMULA_PREFIXES)
    assert out == s or (out == "'" + s and s.startswith(output_mod.FORMULA_PREFIXES))


def test_it_keeps_the_offset_of_aware_datetimes_in_xlsx(tmp_path: Path) -> None:
    aware = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    path = tmp_path / "out.xlsx"
    write_results([{"at": aware, "day": dt.date(2024, 3, 1)}], path, columns=["at", "day"])
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == "2024-03-01T08:00:00+08:00"
    assert ws["B2"].value == dt.datetime(2024, 3, 1)


# ---- XLSX through XlsxWriter: same cells as before, Arrow tables prepared column-wise, limit checked first


def _xlsx_values(path: Path) -> list[list[object]]:
    return [[c.value for c in r] for r in openpyxl.load_workbook(path).active.iter_rows()]


def test_the_arrow_and_dict_xlsx_writers_write_the_same_cells(tmp_path: Path) -> None:
    write_results(pa.Table.from_pylist(ROWS), tmp_path / "a.xlsx", columns=COLUMNS)
    write_results(ROWS, tmp_path / "d.xlsx", columns=COLUMNS)
    assert _xlsx_values(tmp_path / "a.xlsx") == _xlsx_values(tmp_path / "d.xlsx") == [
        COLUMNS,
        [2, "accepted", None, "green", None],
        [3, "rejected", "missing_name", None, None],
        [4, "accepted", '\'=HYPERLINK("http://x")', "red", "w1; w2"],
        [5, "accepted", "'@SUM(A1)", "'-1+2", "'+cmd"],
    ]


def test_it_writes_typed_arrow_columns_as_typed_cells_and_cuts_long_text(tmp_path: Path) -> None:
    aware = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
    table = pa.table({
        "day": pa.array([dt.date(2024, 3, 1)], pa.date32()),
        "at": pa.array([aware], pa.timestamp("us", tz="Asia/Shanghai")),
        "naive": pa.array([dt.datetime(2024, 3, 1, 8, 30)], pa.timestamp("us")),
        "ok": [True], "score": [0.5],
        "long": ["=" + "长" * 40_000], "ctrl": ["张\x00伟\x07"],
    })
    path = tmp_path / "t.xlsx"
    write_results(table, path)
    ws = openpyxl.load_workbook(path).active
    assert ws["A2"].value == dt.datetime(2024, 3, 1) and ws["A2"].is_date
    assert ws["B2"].value == "2024-03-01T16:00:00+08:00"  # aware: ISO 8601 text with its offset
    assert ws["C2"].value == dt.datetime(2024, 3, 1, 8, 30) and ws["C2"].is_date
    assert ws["D2"].value is True and ws["E2"].value == 0.5
    long = ws["F2"].value
    assert len(long) == 32_767 and long.startswith("'=长") and long.endswith("…")
    assert ws["G2"].value == "张伟"


def test_it_refuses_a_table_larger_than_a_sheet_before_writing_anything(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(output_mod, "XLSX_MAX_ROWS", 3)  # header + 2 data rows
    monkeypatch.setattr(output_mod, "_XlsxSheet", None)  # writing anything would fail differently
    with pytest.raises(output_mod.XlsxRowLimitError) as err:
        write_results(pa.Table.from_pylist(ROWS), tmp_path / "big.xlsx", columns=COLUMNS)
    assert "4 result rows" in str(err.value) and "3 rows" in str(err.value) and ".csv or .parquet" in str(err.value)
    assert not CJK.search(str(err.value))
    assert not list(tmp_path.iterdir())


def test_it_names_excel_s_real_sheet_limit(tmp_path: Path) -> None:
    assert output_mod.XLSX_MAX_ROWS == 1_048_576
    msg = str(output_mod._xlsx_too_many(1_048_576))
    assert "1048575" in msg and "1048576" in msg and ".csv" in msg and ".parquet" in msg


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
@pytest.mark.parametrize("arrow", [False, True])
def test_a_list_cell_is_joined_by_the_separator_of_the_files_reader(tmp_path: Path, ext: str, arrow: bool) -> None:
    # issue 11: a Chinese results file listed a cell's values with the English "; "; the machine form keeps it
    rows = pa.Table.from_pylist(ROWS) if arrow else ROWS
    write_results(rows, tmp_path / f"zh.{ext}", columns=COLUMNS, list_separator="、")
    write_results(rows, tmp_path / f"machine.{ext}", columns=COLUMNS)

    def cells(path: Path) -> list[str]:
        if ext == "csv":
            return [r[4] for r in _read_csv(path)[1:]]
        return [r[4] for r in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[1:]]

    assert cells(tmp_path / f"zh.{ext}")[2:] == ["w1、w2", "'+cmd"]
    assert cells(tmp_path / f"machine.{ext}")[2:] == ["w1; w2", "'+cmd"]


def test_a_list_column_stays_a_list_in_parquet_whatever_the_separator(tmp_path: Path) -> None:
    write_results(ROWS, tmp_path / "out.parquet", columns=COLUMNS, list_separator="、")
    assert pq.read_table(tmp_path / "out.parquet").column("police_hits").to_pylist() == [[], None, ["w1", "w2"],
                                                                                         ["+cmd"]]
