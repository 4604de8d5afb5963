"""A spreadsheet formula as a name is not a name: the row is rejected (``formula_name``), in CSV (the fast and the
exact path) and in workbooks, and said in both languages (issue 11 trial: ``=HYPERLINK("http://x","李四")`` with
a valid ID number was screened green without a remark). The screening of such a row: tests/web/
test_web_roster_inputs.py."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.utils import translation

from pingan.screening.roster import read_roster

ID = "11010519491231002X"
PHONE = "13800138000"

#: The reported input first, then the family: leading =, +, -, @, and a tab, CR or spaces before them.
FORMULAS = ['=HYPERLINK("http://x","李四")', "+李四", "-李四", "@SUM(A1)", "\t=1+1", "\r=1+1", "  =李四", "=\t李四"]
#: Names that merely hold those characters inside stay names.
NAMES = ["李四", "王-五", "Anne-Marie", "Li+Si", "a@b"]


def _csv(names: list[str], extra: str = "") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["姓名", "证件号码", "手机号码"])
    for n in names:
        w.writerow([n, ID, PHONE])
    return (buf.getvalue() + extra).encode("utf-8")


def _xlsx(names: list[str]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "手机号码"])
    for i, n in enumerate(names, start=2):
        ws.append([None, ID, PHONE])
        cell = ws.cell(row=i, column=1)
        cell.value = n
        cell.data_type = "s"  # text that looks like a formula (as a CSV opened and saved, or a pasted cell)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "csv-exact", "xlsx"])
def test_a_name_that_is_a_formula_is_rejected_and_a_name_is_not(fmt, monkeypatch):
    from pingan.screening import roster

    # in a CSV file a CR makes the name cell span two lines (a bad_quote, rows then numbered by line): the CR
    # form is a workbook's
    formulas = FORMULAS if fmt == "xlsx" else [f for f in FORMULAS if "\r" not in f]
    if fmt == "csv":
        # the vectorised path's pre-filter must send these rows to the per-row rules: a cell with a quote or a CR
        # would send the whole file the exact way, so the fast path gets the others, and must not fall back
        formulas = [f for f in FORMULAS if "\r" not in f and '"' not in f]
        monkeypatch.setattr(roster, "_csv_exact", lambda *a, **k: pytest.fail("the fast path fell back"))
    names = formulas + NAMES
    if fmt == "xlsx":
        data, filename = _xlsx(names), "a.xlsx"
    else:
        # an unbalanced quote on a last row sends the whole file down the exact per-row path
        data, filename = _csv(names, 'x,"1\r\n' if fmt == "csv-exact" else ""), "a.csv"
    read = read_roster(data, filename=filename)
    rejected = {r.row: r for r in read.rejected}
    for row, name in enumerate(formulas, start=2):
        assert row in rejected, (row, name)
        r = rejected[row]
        assert r.code == "formula_name" and r.column == "姓名", (row, r)
        assert r.params["char"] == name.strip()[0]
    accepted = {r.row: r.name for r in read.accepted}
    for row, name in enumerate(NAMES, start=2 + len(formulas)):
        assert accepted.get(row) == name, (row, accepted)


def test_the_reason_says_what_is_wrong_and_what_to_do_in_each_language():
    (r,) = read_roster(_csv([FORMULAS[0]]), filename="a.csv").rejected
    with translation.override("zh-hans"):
        zh = r.text("zh-hans")
    assert "姓名以“=”开头" in zh and "公式" in zh and "重新上传" in zh, zh
    en = r.text("en")
    assert "the name starts with “=”" in en and "formula" in en and "upload the file again" in en, en

