"""Hostile and awkward spreadsheets (issue 12, items 1, 5 and 16), every file generated here.

* a 5 KB XLSX with one value at XFD1048576 made calamine allocate 512 GiB and abort the worker; a ZIP bomb
  exhausted it: both are refused before any reader runs, with the limit and the cell named;
* the checks themselves agree with the sheet (a property over random cells) and do not flag a styled empty
  far cell or a full-height roster;
* numbers shown through a text-carrying number format keep what the cell shows (``01062345678``);
* an over-long ID number or name rejects its row, not the roster (PostgreSQL enforces the column lengths).
"""

from __future__ import annotations

import io
import time
import zipfile

import openpyxl
import pytest
from django.utils import translation
from hostile_files import far_cell_xlsx, repeated_cells_ods, zip_bomb_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.styles import Font

from pingan.core.jobs import failure_message
from pingan.lib import sheets
from pingan.screening.roster import RosterError, read_roster

ID = "110101199003070012"  # GB 11643 check character valid


def xlsx(rows, formats=None) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(list(r))
    for ref, fmt in (formats or {}).items():
        ws[ref].number_format = fmt
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def rewrite_sheet(data: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through ``change`` (bytes → bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            body = src.read(info)
            out.writestr(info.filename, change(body) if info.filename == "xl/worksheets/sheet1.xml" else body)
    return buf.getvalue()


# ------------------------------------------------------------------------------------ refused up front


def test_it_refuses_a_tiny_workbook_with_a_value_at_the_last_cell_naming_it():
    data = far_cell_xlsx()
    assert len(data) < 10_000
    started = time.perf_counter()
    with pytest.raises(RosterError) as err:
        read_roster(data, filename="tiny.xlsx")
    assert time.perf_counter() - started < 2
    e = err.value
    assert e.code == "sheet_too_large"
    assert e.params["far_cells"] == ["XFD1048576"] and e.params["range"] == "A1:XFD1048576"
    assert e.params["limit"] == "16,777,216" and e.params["cells"] == "17,179,869,184"
    assert "XFD1048576" in e.message and "第" not in e.params["name"]
    assert e.message.startswith("Sheet Sheet of tiny.xlsx spans") and "的工作表" not in e.message  # English only
    with translation.override("zh-hans"):  # what a Chinese page says
        assert failure_message(e.code, e.params).startswith("tiny.xlsx 的工作表")


def test_every_reader_of_workbooks_gets_the_check_a_bank_statement_too():
    # the anti-fraud statement reader shares the roster's workbook reading (roster._workbook_rows)
    from pingan.antifraud.statements import read_statement

    with pytest.raises(RosterError) as err:
        read_statement(far_cell_xlsx(), filename="statement.xlsx")
    assert err.value.code == "sheet_too_large"
    with pytest.raises(RosterError) as err:
        read_statement(zip_bomb_xlsx(lie=True), filename="statement.xlsx")
    assert err.value.code == "workbook_part_inflates_past_size"


def test_it_names_the_cell_that_widens_the_sheet_when_it_is_not_the_corner():
    with pytest.raises(RosterError) as err:
        read_roster(far_cell_xlsx(cell="ZZZ1000000"), filename="wide.xlsx")
    assert err.value.params["far_cells"] == ["ZZZ1000000"]
    with pytest.raises(RosterError) as err:
        read_roster(far_cell_xlsx(cell="XFD2000"), filename="wide.xlsx")
    assert err.value.code == "sheet_too_large" and err.value.params["columns"] == "16,384"


def test_it_refuses_a_zip_bomb_by_its_declared_size_without_unpacking_it():
    data = zip_bomb_xlsx()
    assert len(data) < 20 * 2**20  # within the upload limit
    started = time.perf_counter()
    with pytest.raises(RosterError) as err:
        read_roster(data, filename="bomb.xlsx")
    assert time.perf_counter() - started < 1
    assert err.value.code == "workbook_unpacks_too_large"
    assert err.value.params == {"name": "bomb.xlsx", "size_mb": "3,808", "limit_mb": "1,024"}


def test_it_refuses_a_zip_bomb_that_lies_about_its_size_as_soon_as_it_unpacks_past_it():
    started = time.perf_counter()
    with pytest.raises(RosterError) as err:
        read_roster(zip_bomb_xlsx(lie=True), filename="bomb.xlsx")
    assert time.perf_counter() - started < 2
    assert err.value.code == "workbook_part_inflates_past_size"
    assert err.value.params["part"] == "xl/worksheets/sheet1.xml"


def test_it_refuses_an_ods_whose_repeated_cells_span_the_whole_sheet():
    with pytest.raises(RosterError) as err:
        read_roster(repeated_cells_ods(), filename="r.ods")
    assert err.value.code == "sheet_too_large" and err.value.params["rows"] == "1,048,576"


def test_it_finds_the_far_cell_in_a_sheet_not_written_the_usual_way():
    # single quotes, and cells without a reference (their place is implied): the exact scan
    data = rewrite_sheet(far_cell_xlsx(cell="XFD1048576"), lambda b: b.replace(b'r="', b"r='").replace(
        b"'A1' ", b"'A1'  "))
    with pytest.raises(RosterError) as err:
        read_roster(data, filename="odd.xlsx")
    assert err.value.code == "sheet_too_large"
    implied = rewrite_sheet(xlsx([["姓名", "身份证号"], ["张伟", ID]]), lambda b: b.replace(
        b"</sheetData>", b'<row r="1048576">' + b"<c><v>1</v></c>" * 40 + b"</row></sheetData>"))
    with pytest.raises(RosterError) as err:
        read_roster(implied, filename="implied.xlsx")
    assert err.value.params["far_cells"] == ["A1048576", "AN1048576"]  # the 40th cell of the row, by position


def test_it_reads_a_sheet_whose_far_cell_is_only_styled():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号"])
    ws.append(["张伟", ID])
    ws["XFD1048576"].font = Font(bold=True)  # formatting, no value: readers skip it
    buf = io.BytesIO()
    wb.save(buf)
    r = read_roster(buf.getvalue(), filename="styled.xlsx")
    assert [a.id_number for a in r.accepted] == [ID]


def test_a_full_height_narrow_sheet_is_within_the_limits():
    # a three-column sheet down to the last rows: 3 × 1,044,481 cells, within the limit
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c><c r="C%d"><v>1</v></c></row>'
                    % (i, i, i) for i in range(1, 1_048_577, 4096))
    data = rewrite_sheet(xlsx([["a"]]), lambda b: b.split(b"<sheetData>")[0] + b"<sheetData>" + rows
                         + b"</sheetData>" + b.split(b"</sheetData>")[1])
    (b,) = sheets.check_zip_workbook(data)
    assert (b.rows, b.columns) == (1_044_481, 3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 3000), st.integers(1, 800), st.booleans()), min_size=1, max_size=25))
def test_the_bounds_are_those_of_the_cells_with_a_value(cells):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row, col, has_value in cells:
        c = ws.cell(row=row, column=col)
        if has_value:
            c.value = "v"
        else:
            c.font = Font(italic=True)
    buf = io.BytesIO()
    wb.save(buf)
    valued = [(r, c) for r, c, v in cells if v]
    # a later styled cell at the same place clears nothing, a later value overwrites a style: openpyxl keeps
    # the value if any write gave one
    valued = {(r, c) for r, c in valued}
    (b,) = sheets.check_zip_workbook(buf.getvalue())
    if valued:
        assert b.columns == max(c for _, c in valued)
        assert b.rows >= max(r for r, _ in valued)  # the fast scan bounds rows by the row elements
    exact = sheets._xlsx_exact_bounds(buf.getvalue(), zipfile.ZipFile(io.BytesIO(buf.getvalue())).getinfo(
        "xl/worksheets/sheet1.xml"), "s")
    assert (exact.rows, exact.columns) == ((max(r for r, _ in valued), max(c for _, c in valued)) if valued
                                           else (0, 0))


# ------------------------------------------------------------------------- number formats (item 16)


def test_it_keeps_the_leading_zeros_a_zero_padded_number_format_shows():
    data = xlsx([["姓名", "身份证号", "手机号码", "邮编"], ["张伟", ID, 1062345678, 10010]],
                {"C2": "00000000000", "D2": "000000"})
    (row,) = read_roster(data, filename="r.xlsx").accepted
    assert row.phone == "01062345678" and row.extra == {"邮编": "010010"}


@pytest.mark.parametrize(("value", "fmt", "shown"), [
    (1062345678, "00000000000", "01062345678"),
    (10010, "000000", "010010"),
    (13800138000, "000-0000-0000", "138-0013-8000"),
    (1062345678, '"0"0000000000', "01062345678"),
    (1062345678, "\\00000000000", "01062345678"),
    (5, "00", "05"),
    (0, "000", "000"),
    (123456789, "000-0000", "12345-6789"),
    (7, "[$-804]000", "007"),
    (7, "[Red]000;[Blue]-000", "007"),
])
def test_it_renders_the_family_of_text_carrying_formats(value, fmt, shown):
    assert sheets.render_integer(value, fmt) == shown
    data = xlsx([["姓名", "身份证号", "备注"], ["张伟", ID, value]], {"C2": fmt})
    assert read_roster(data, filename="r.xlsx").accepted[0].extra["备注"] == shown


def test_it_keeps_the_leading_zeros_in_an_xls_workbook_too():
    import xlwt

    wb = xlwt.Workbook()
    ws = wb.add_sheet("名单")
    for c, h in enumerate(["姓名", "身份证号", "手机号码", "邮编", "金额"]):
        ws.write(0, c, h)
    ws.write(1, 0, "张伟")
    ws.write(1, 1, ID)
    ws.write(1, 2, 1062345678, xlwt.easyxf(num_format_str="00000000000"))
    ws.write(1, 3, 10010, xlwt.easyxf(num_format_str="000000"))
    ws.write(1, 4, 10010, xlwt.easyxf(num_format_str="#,##0.00"))  # a number stays a number
    buf = io.BytesIO()
    wb.save(buf)
    (row,) = read_roster(buf.getvalue(), filename="r.xls").accepted
    assert row.phone == "01062345678" and row.extra == {"邮编": "010010", "金额": "10010"}


@pytest.mark.parametrize("fmt", ["General", "0", "#", "0.00", "#,##0", "0%", "0.0E+00", "@", "yyyy-mm-dd",
                                 "[DBNum1][$-804]General", "# ?/?"])
def test_it_keeps_the_value_under_formats_that_are_numbers(fmt):
    assert sheets.render_integer(1234, fmt) is None


@given(st.integers(0, 10**15), st.integers(2, 18))
def test_a_zero_padded_format_pads_like_zfill(value, width):
    assert sheets.render_integer(value, "0" * width) == str(value).zfill(width)


@given(st.text(alphabet='0#?.,;"\\_*[]$-+()/:%@EeyYmMdDhHsS Gneral804Red', max_size=30),
       st.integers(-10**15, 10**15))
def test_any_format_code_renders_or_declines_never_fails(code, value):
    shown = sheets.render_integer(value, code)
    assert shown is None or isinstance(shown, str)


def test_an_id_number_in_a_zero_format_still_reports_the_digits_excel_lost():
    data = xlsx([["姓名", "身份证号"], ["张伟", 110101199003070012]], {"B2": "000000000000000000"})
    r = read_roster(data, filename="r.xlsx")
    assert [x.code for x in r.rejected] == ["id_number_as_number"]


# ------------------------------------------------------------------- over-long values (item 5, PG)


@pytest.mark.django_db
def test_an_over_long_id_number_or_name_rejects_the_row_not_the_roster(db):
    from test_jobs import listings_table

    from pingan.screening import services
    from pingan.screening.models import PersonResult

    services.risk_dataset_store(kind="listings", name="t", source="t", table=listings_table())
    long_id, long_name = "1" * 41, "王" * 300
    data = xlsx([["姓名", "身份证号", "手机号码"], ["张伟", ID, "13800138000"], ["李娜", long_id, "13900139000"],
                 [long_name, ID, ""], ["赵六", "４" * 41, ""]])
    job = services.screening_job_create(actor=None, roster_name="r.xlsx", roster_bytes=data, as_of=None)
    services.screening_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "done", job.error
    rows = {p.row: p for p in PersonResult.objects.filter(job=job)}
    assert rows[2].status == "accepted"
    assert {r: rows[r].status for r in (3, 4, 5)} == dict.fromkeys((3, 4, 5), "rejected")
    assert "41" in rows[3].reason and "40" in rows[3].reason and rows[3].given_id_number == long_id[:39] + "…"
    assert "300" in rows[4].reason and len(rows[4].name) <= 200
    assert job.counts["rejected"] == 3 and job.counts["accepted"] == 1
