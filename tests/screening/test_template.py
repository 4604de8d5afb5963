"""The downloadable roster template (pingan.screening.template)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from stdnum.cn import ric

from pingan.screening.roster import CANONICAL_FIELDS, FIELD_LABELS, read_roster
from pingan.screening.template import ID_TYPES, SEXES, roster_template_xlsx


@pytest.fixture(scope="module")
def template() -> bytes:
    return roster_template_xlsx()


def test_reading_the_template_back_rejects_the_example_row_so_it_is_never_screened(template: bytes) -> None:
    result = read_roster(template, filename="名单模板.xlsx")
    assert result.sheet == "名单" and result.header_row == 2
    assert set(result.columns) == set(CANONICAL_FIELDS)
    assert result.accepted == [] and result.total_rows == 1
    (row,) = result.rejected
    assert row.row == 3 and row.code == "example_row" and row.name.startswith("示例")
    assert "示例行" in row.text("zh-hans") and "example row" in row.message and row.params == {"name": row.name}
    # the example itself is well formed: a synthetic person with a valid GB 11643 number
    ws = openpyxl.load_workbook(io.BytesIO(template))["名单"]
    values = {f: ws.cell(row=3, column=j + 1).value for j, f in enumerate(CANONICAL_FIELDS)}
    assert values["id_type"] == "居民身份证" and values["nationality"] == "中国"
    assert ric.is_valid(values["id_number"])
    assert values["sex"] == ("男" if int(values["id_number"][16]) % 2 else "女")


def test_a_roster_made_from_the_template_screens_only_the_people_typed_in(template: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["名单"]
    ws.cell(row=4, column=1).value = "王芳"
    ws.cell(row=4, column=3).value = "11010519491231002X"
    buf = io.BytesIO()
    wb.save(buf)
    result = read_roster(buf.getvalue(), filename="filled.xlsx")
    assert [r.name for r in result.accepted] == ["王芳"] and [r.code for r in result.rejected] == ["example_row"]


def test_the_english_template_reads_back_the_same_columns() -> None:
    result = read_roster(roster_template_xlsx("en"), filename="roster-template.xlsx")
    assert result.sheet == "Roster" and set(result.columns) == set(CANONICAL_FIELDS)
    assert [r.code for r in result.rejected] == ["example_row"]


def test_the_english_templates_example_gives_its_labels_in_english_and_is_still_skipped(template: bytes) -> None:
    # issue 11: the English template's example row read 居民身份证, 女, 中国
    from pingan.lib import countries
    from pingan.lib.identity.documents import doc_type_from_label
    from pingan.screening.template import ID_TYPES_EN, SEXES_EN

    zh = openpyxl.load_workbook(io.BytesIO(template))["名单"]
    en = openpyxl.load_workbook(io.BytesIO(roster_template_xlsx("en")))["Roster"]
    zh_row = {f: zh.cell(row=3, column=j + 1).value for j, f in enumerate(CANONICAL_FIELDS)}
    en_row = {f: en.cell(row=3, column=j + 1).value for j, f in enumerate(CANONICAL_FIELDS)}
    assert (en_row["id_type"], en_row["nationality"]) == ("Resident ID card", "China")
    assert en_row["sex"] == ("Male" if zh_row["sex"] == "男" else "Female")
    assert {f: v for f, v in en_row.items() if f not in ("id_type", "sex", "nationality")} == {
        f: v for f, v in zh_row.items() if f not in ("id_type", "sex", "nationality")}  # the same person
    assert doc_type_from_label(en_row["id_type"]) == doc_type_from_label(zh_row["id_type"]) == "ric"
    assert countries.parse(en_row["nationality"]) == countries.parse(zh_row["nationality"]) == "CN"
    # every English drop-down value is the same document as the Chinese one beside it
    from pingan.screening.template import ID_TYPES

    assert [doc_type_from_label(t) for t in ID_TYPES_EN] == [doc_type_from_label(t) for t in ID_TYPES]
    assert len(SEXES_EN) == len(SEXES)
    (row,) = read_roster(roster_template_xlsx("en"), filename="t.xlsx").rejected
    assert row.code == "example_row" and row.name == zh_row["name"]


def test_the_template_is_deterministic(template: bytes) -> None:
    again = read_roster(roster_template_xlsx(), filename="t.xlsx").rejected
    assert again == read_roster(template, filename="t.xlsx").rejected


def test_the_header_carries_notes_and_the_id_column_is_text(template: bytes) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(template))["名单"]
    headers = [ws.cell(row=2, column=j + 1) for j in range(len(CANONICAL_FIELDS))]
    for cell, field in zip(headers, CANONICAL_FIELDS, strict=True):
        assert cell.value.lstrip("*").split("（")[0] == FIELD_LABELS[field]
        assert cell.comment is not None and field in cell.comment.text
        assert cell.font.b
    id_col = headers[CANONICAL_FIELDS.index("id_number")].column_letter
    assert ws.column_dimensions[id_col].number_format == "@"
    assert ws[f"{id_col}3"].number_format == "@" and isinstance(ws[f"{id_col}3"].value, str)
    assert ws.freeze_panes == "A3"
    assert "A1:I1" in {str(r) for r in ws.merged_cells.ranges}


def test_the_template_validates_id_type_sex_phone_and_dates(template: bytes) -> None:
    ws = openpyxl.load_workbook(io.BytesIO(template))["名单"]
    by_col = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            by_col[rng.coord.split(":")[0].rstrip("0123456789")] = dv
    letter = {f: openpyxl.utils.get_column_letter(i + 1) for i, f in enumerate(CANONICAL_FIELDS)}
    assert by_col[letter["id_type"]].type == "list"
    assert by_col[letter["id_type"]].formula1 == '"' + ",".join(ID_TYPES) + '"'
    assert by_col[letter["sex"]].formula1 == '"' + ",".join(SEXES) + '"'
    assert by_col[letter["phone"]].type == "textLength"
    assert by_col[letter["birth_date"]].type == "date" and by_col[letter["start_date"]].type == "date"
    assert all(dv.showErrorMessage and dv.error for dv in by_col.values())
    assert len(by_col[letter["id_type"]].formula1) <= 257  # Excel's 255-character limit for list literals


def test_the_template_has_an_instructions_sheet(template: bytes) -> None:
    wb = openpyxl.load_workbook(io.BytesIO(template))
    assert wb.sheetnames == ["名单", "说明"]
    text = " ".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "证件号码" in text and "文本格式" in text and "id_number_as_number" in text
    # one language per template: each rejection code explained in Chinese, no English sentence beside it
    assert "被 Excel 当作数字保存" in text and "was stored as an Excel number" not in text
    english = openpyxl.load_workbook(io.BytesIO(roster_template_xlsx("en")))
    assert english.sheetnames == ["Roster", "Instructions"]
    text = " ".join(str(c.value) for row in english["Instructions"].iter_rows() for c in row if c.value)
    assert "the ID number was stored as an Excel number" in text and "证件号码" not in text


def test_only_the_name_is_marked_required_and_id_or_phone_says_either(template: bytes) -> None:
    # the roster reader needs a name and an ID number or a phone (issue 11: the template marked the ID column
    # required although a phone alone screens a row)
    import pingan.screening.template as template_mod

    for lang, sheet, notes_sheet in (("zh", "名单", "说明"), ("en", "Roster", "Instructions")):
        wb = openpyxl.load_workbook(io.BytesIO(roster_template_xlsx(lang) if lang == "en" else template))
        ws = wb[sheet]
        headers = {f: ws.cell(row=2, column=j + 1).value for j, f in enumerate(CANONICAL_FIELDS)}
        assert [f for f, v in headers.items() if v.startswith("*")] == ["name"]
        assert ("手机号码" if lang == "zh" else "phone") in headers["id_number"]
        assert ("证件号码" if lang == "zh" else "ID number") in headers["phone"]
        text = " ".join(str(c.value) for row in wb[notes_sheet].iter_rows() for c in row if c.value)
        assert ("至少填一项" if lang == "zh" else "at least one") in text
        assert ("必填（无证件" not in text) and "Required (or at least" not in text
    assert {"name"} == template_mod._REQUIRED
    # a row with a phone and no ID number is read, not rejected
    wb = openpyxl.load_workbook(io.BytesIO(template))
    ws = wb["名单"]
    ws["A3"], ws["C3"], ws["D3"] = "张三", None, "13800138000"
    buf = io.BytesIO()
    wb.save(buf)
    result = read_roster(buf.getvalue(), filename="t.xlsx")
    assert [(a.row, a.name, a.id_number, a.phone) for a in result.accepted] == [(3, "张三", "", "13800138000")]


@pytest.mark.parametrize(("lang", "notes_sheet"), [("zh", "说明"), ("en", "Instructions")])
def test_the_template_says_the_id_column_must_stay_and_lists_the_results_files_codes(lang, notes_sheet) -> None:
    """Issue 11's trial: the template said "证件号码和手机号码至少填一项。只有手机号码的人也会筛查" and headed the
    column "ID number (or phone)", but a roster without the ID-number column is refused (ee8f1b2); the English
    explanation of too_long ended in the constant "(FIELD_MAX_LENGTHS)"; the code column listed formula_name
    where the results file's to_fix_code writes rejection.formula_name."""
    from pingan.screening.roster import REJECTION_CODES

    wb = openpyxl.load_workbook(io.BytesIO(roster_template_xlsx(lang)))
    text = " ".join(str(c.value) for row in wb[notes_sheet].iter_rows() for c in row if c.value)
    assert ("证件号码列必须保留" if lang == "zh" else "Keep the ID-number column") in text
    assert "只有手机号码的人也会筛查" not in text and "FIELD_MAX_LENGTHS" not in text
    codes = [row[1].value for row in wb[notes_sheet].iter_rows() if str(row[1].value or "").startswith("rejection.")]
    assert codes == [f"rejection.{code}" for code in REJECTION_CODES]
    header = wb.worksheets[0].cell(row=2, column=CANONICAL_FIELDS.index("id_number") + 1).value
    assert header != "ID number (or phone)" and ("不可删" if lang == "zh" else "keep the column") in header
