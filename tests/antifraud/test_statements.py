"""Bank statement reading (pingan.antifraud.statements): layouts, encodings, formats, every row accepted or
rejected with its reason, balance continuity. No database."""

from __future__ import annotations

import io

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.antifraud.statements import StatementError, balance_gaps, read_statement

BJ = 8 * 3600


def read(text: str, encoding="utf-8", name="s.csv"):
    return read_statement(text.encode(encoding), filename=name)


def test_it_reads_a_gbk_statement_with_a_title_row_and_chinese_headers():
    r = read("某银行账户交易明细\n交易流水号,交易时间,借贷标志,交易金额,余额,对方账号,对方户名,对方开户行,摘要\n"
             "S1,2024/1/5 13:45:10,贷,\"1,000.00\",\"1,000.00\",6222020000000001,张三,工商银行,转账\n", "gbk")
    assert r.encoding in ("gb18030", "gbk")
    assert r.header_row == 2
    row = r.table.to_pylist()[0]
    assert row["time"] == 1704433510 == 1704462310 - BJ
    assert row["amount"] == 100_000 and row["balance"] == 100_000
    assert (row["counterparty_account"], row["counterparty_name"], row["counterparty_bank"]) == (
        "6222020000000001", "张三", "工商银行")


@pytest.mark.parametrize(("cell", "expected"), [
    ("2024-01-05 13:45:10", "2024-01-05 13:45:10"),
    ("2024/1/5 13:45", "2024-01-05 13:45:00"),
    ("2024.01.05", "2024-01-05 00:00:00"),
    ("20240105134510", "2024-01-05 13:45:10"),
    ("2024年1月5日 13时45分10秒", "2024-01-05 13:45:10"),
    ("2024-01-05T13:45:10", "2024-01-05 13:45:10"),
])
def test_it_reads_the_date_formats_banks_use(cell, expected):
    import datetime as dt
    r = read(f"交易时间,交易金额\n{cell},5\n")
    got = dt.datetime.fromtimestamp(r.table["time"][0].as_py() + BJ, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    assert got == expected


def test_separate_date_and_time_of_day_columns_are_joined():
    r = read("交易日期,时间,交易金额\n2024-01-05,13:45:10,5\n")
    assert r.table["time"][0].as_py() == 1704433510


@pytest.mark.parametrize(("cells", "cents"), [
    ("借,100", -10_000), ("贷,100", 10_000), ("收,1,234.5", 123_450), ("付,-7", -700), ("D,7", -700),
    (",-7", -700), (",(7.00)", -700), (",7.00-", -700), (",￥7", 700),
])
def test_signs_come_from_the_mark_or_the_amount(cells, cents):
    mark, amount = cells.split(",", 1)
    r = read(f"交易时间,收付标志,交易金额\n2024-01-05,{mark},\"{amount}\"\n")
    assert r.table["amount"].to_pylist() == [cents], r.rejected


def test_debit_and_credit_columns():
    r = read("交易日期,支出,存入,余额\n2024-01-05,100,,900\n2024-01-06,,50,950\n2024-01-07,1,1,950\n2024-01-08,,,950\n")
    assert r.table["amount"].to_pylist() == [-10_000, 5_000]
    assert [(x.row, x.code) for x in r.rejected] == [(4, "debit_and_credit"), (5, "amount_missing")]


def test_every_row_ends_accepted_or_rejected_with_its_reason():
    text = ("交易流水号,交易时间,借贷标志,交易金额,余额\n"
            "S1,2024-01-05,贷,100,100\nS2,,贷,1,101\nS3,soon,贷,1,101\nS4,2024-01-06,?,1,101\n"
            "S5,2024-01-06,贷,1.234,101\nS6,2024-01-06,贷,0,101\nS1,2024-01-07,贷,1,101\nS7,2024-01-08,贷,-1,100\n"
            "S8,2024-01-09,贷,1,x\nS9,2024-01-09\n\n")
    r = read(text)
    codes = {x.row: x.code for x in r.rejected}
    assert codes == {3: "time_missing", 4: "time_invalid", 5: "direction_invalid", 6: "amount_invalid",
                     7: "amount_zero", 8: "serial_duplicate", 9: "sign_conflict", 10: "balance_invalid",
                     11: "columns"}
    assert r.table["row"].to_pylist() == [2]
    assert r.total_rows == 10 and r.blank_rows == 1
    assert "row 8" in next(x for x in r.rejected if x.row == 8).message


def test_xlsx_statements_with_real_dates_and_numbers():
    import datetime as dt
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["账号", "交易时间", "交易金额", "借贷标志", "余额", "交易流水号"])
    ws.append(["6222", dt.datetime(2024, 1, 5, 13, 45, 10), 1000.5, "贷", 1000.5, 20240105000001])
    buf = io.BytesIO()
    wb.save(buf)
    r = read_statement(buf.getvalue(), filename="s.xlsx")
    row = r.table.to_pylist()[0]
    assert (row["time"], row["amount"], row["serial"], row["account"]) == (1704433510, 100_050, "20240105000001",
                                                                            "6222")


def test_a_file_without_time_or_amount_headers_is_refused_naming_it():
    with pytest.raises(StatementError, match="no header row"):
        read("姓名,电话\n张三,1\n", name="名单.csv")


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-10**11, max_value=10**11).filter(bool), st.booleans())
def test_amounts_round_trip_with_separators(cents, thousands):
    yuan = f"{abs(cents) / 100:,.2f}" if thousands else f"{abs(cents) / 100:.2f}"
    cell = ("-" if cents < 0 else "") + yuan
    r = read(f"交易时间,交易金额\n2024-01-05,\"{cell}\"\n")
    assert r.table["amount"].to_pylist() == [cents]


def test_balance_gaps_name_the_missing_amount_in_either_file_order():
    rows, times, amounts, balances = [1, 2, 3], [10, 20, 30], [100, -30, -20], [100, 70, 30]
    [gap] = balance_gaps(rows, times, amounts, balances)
    assert (gap.after_row, gap.before_row, gap.missing) == (2, 3, -20)
    assert balance_gaps(rows[::-1], times[::-1], amounts[::-1], [100, 70, 50][::-1]) == []


#: Issue 11's trial in a bank's layout: the quote before row 3's counterparty account never closes.
QUOTED = ("交易流水号,交易时间,借贷标志,交易金额,对方账号,对方户名\n"
          "S1,2024-01-05 10:00:00,贷,100,6222020000000001,李四\n"
          'S2,2024-01-05 11:00:00,借,50,"6222020000000002,张三\n'
          "S3,2024-01-05 12:00:00,贷,20,6222020000000003,王五\n"
          "S4,2024-01-05 13:00:00,借,10,6222020000000004,赵六\n")


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_an_unbalanced_quote_rejects_its_line_and_the_rows_below_are_still_read(end):
    r = read(QUOTED.replace("\n", end))
    assert r.table["row"].to_pylist() == [2, 4, 5]
    assert r.table["counterparty_account"].to_pylist() == ["6222020000000001", "6222020000000003",
                                                          "6222020000000004"]
    [bad] = r.rejected
    assert (bad.row, bad.code, bad.column, bad.params["kind"]) == (3, "bad_quote", "对方账号", "unclosed")
    assert "row 3" in bad.message and "column 对方账号" in bad.message and "delete the stray quote" in bad.message
    assert r.total_rows == 4 == r.table.num_rows + len(r.rejected)


def test_a_quote_closing_lines_later_and_well_quoted_cells_beside_it():
    text = ("某银行账户交易明细\n交易流水号,交易时间,借贷标志,交易金额,对方户名\n"
            'S1,2024-01-05,贷,"1,000.00","张三"\n'
            'S2,2024-01-05,贷,1,"李四\n'
            "S3,2024-01-06,贷,2,王五\n"
            'S4,2024-01-07,贷,3,赵"六\n'
            "S5,2024-01-08\n\n")
    r = read(text)
    assert r.header_row == 2
    assert r.table["row"].to_pylist() == [3, 5, 6]
    assert r.table["amount"].to_pylist() == [100_000, 200, 300]
    assert {x.row: (x.code, x.params.get("kind"), x.params.get("until")) for x in r.rejected} == {
        4: ("bad_quote", "closes_later", 6), 7: ("columns", None, None)}
    assert r.total_rows == 5 and r.blank_rows == 1
