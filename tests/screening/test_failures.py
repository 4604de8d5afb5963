"""Why a file could not be read, in the reader's language: stored as a code and parameters (never
"中文 / English"), rendered at display time; and the texts stored before are read back into codes."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from pingan.core.jobs import FAILURE_MESSAGES, failure_message
from pingan.screening.failures import COLUMN_LABEL_CODES, parse_stored, parse_stored_roster
from pingan.screening.failures import FAILURE_MESSAGES as SCREENING_FAILURES
from pingan.screening.roster import ROSTER_ERRORS, RosterError, column_labels, english, read_roster


def test_every_roster_error_has_a_page_template_with_the_same_english():
    for code, text in ROSTER_ERRORS.items():
        assert code in FAILURE_MESSAGES, code
        with translation.override("en"):
            assert str(FAILURE_MESSAGES[code]) == text, code
        with translation.override("zh-hans"):
            assert str(FAILURE_MESSAGES[code]) != text, code  # translated


def test_a_sheet_named_in_an_error_is_said_in_the_readers_language():
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "租户"
    wb.active.append(["身份证号", "手机号码"])
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(RosterError) as err:
        read_roster(buf.getvalue(), filename="a.xlsx")
    e = err.value
    assert e.message == "Row 1 of a.xlsx (sheet “租户”) is the header (身份证号, 手机号码) but it has no “Name” " \
                        "column: add the column and upload again."
    with translation.override("zh-hans"):
        assert failure_message(e.code, e.params) == (
            "a.xlsx（工作表“租户”） 第 1 行是表头（识别出：身份证号、手机号码），但缺少“姓名”列。"
            "请补上这一列后重新上传。")


# What jobs and imports stored before (the reported texts: Chinese and English side by side)
STORED = [
    ("加密.xlsx 设有打开密码，无法读取。请在 Excel 中取消密码（文件→信息→保护工作簿→用密码进行加密，清空密码）"
     "后重新上传。 / "
     "加密.xlsx is password-protected and cannot be read; remove the password in Excel (File → Info → Protect "
     "Workbook → Encrypt with Password, clear it) and upload again.",
     "roster_password", {"name": "加密.xlsx"}),
    ("a.xlsx（工作表“租户”） 第 1 行是表头（识别出：证件号码、手机号码），但缺少“姓名”列。请补上这一列后重新上传。 / "
     "Row 1 of a.xlsx（工作表“租户”） is the header (id_number, phone) but it has no name column (姓名/name): add "
     "the column and upload again.",
     "roster_header_without_name", {"name": "a.xlsx", "row": "1", "found": "id_number, phone",
                                    "where": {"code": "roster_in_sheet", "params": {"sheet": "租户"}}}),
    ("不支持的文件类型 .pdf（r.pdf）。请上传 .xlsx、.xls 或 .csv 名单。 / Unsupported file type .pdf (r.pdf); upload "
     "an .xlsx, .xls or .csv roster.", "roster_unsupported_type", {"name": "r.pdf", "ext": ".pdf"}),
]


@pytest.mark.parametrize(("text", "code", "params"), STORED, ids=[s[1] for s in STORED])
def test_a_stored_bilingual_text_is_read_back_into_its_code(text, code, params):
    if code in COLUMN_LABEL_CODES:  # the template's column labels, which the message names now
        params = {**column_labels(), **params}
    assert parse_stored_roster(text) == (code, params)
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            shown = failure_message(code, params)
        assert " / " not in shown and shown, (lang, shown)
    assert "/ " not in english(code, params) and english(code, params)[:6] in text


def roster_file(rows: list[list[str]]) -> bytes:
    import io

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "名单"
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize(("rows", "code", "zh", "en"), [
    ([["人员", "号码"], ["张三", "1"]], "roster_no_header", ("“姓名”", "“证件号码”"), ("“Name”", "“ID number”")),
    ([["身份证号", "手机号码"], ["1", "2"]], "roster_header_without_name", ("“姓名”",), ("“Name”",)),
    ([["姓名", "房号"], ["张三", "101"]], "roster_header_without_id", ("“证件号码”",), ("“ID number”",))])
def test_a_missing_header_names_the_templates_columns_in_the_readers_language(rows, code, zh, en):
    """Issue 11's re-check: the header messages said "姓名/name", "证件号码/身份证号/id_number" on the pages of both
    languages; they name the columns by the roster template's header labels, in the reader's language."""
    with pytest.raises(RosterError) as err:
        read_roster(roster_file(rows), filename="a.xlsx")
    e = err.value
    assert e.code == code
    with translation.override("zh-hans"):
        said = failure_message(e.code, e.params)
    assert all(w in said for w in zh) and not re.search(r"[A-Za-z]{2,}", said.replace("a.xlsx", "")), said
    with translation.override("en"):
        said = failure_message(e.code, e.params)
    data = re.sub("|".join(["名单", *rows[0]]), "", said)  # the sheet and the file's own headers, as written
    assert all(w in said for w in en) and not re.search(r"[\u4e00-\u9fff]", data), said
    assert e.message == said  # the API's English is the English page's
    # a job that failed before the message named the labels (its stored parameters lack them)
    old = {k: v for k, v in e.params.items() if not k.endswith("_column") and not k.endswith("_column_zh")}
    with translation.override("zh-hans"):
        assert failure_message(e.code, old, "English fallback") == failure_message(e.code, e.params)


def test_a_stored_text_no_pattern_fits_is_left_alone():
    assert parse_stored("服务器出错 / the server broke", ROSTER_ERRORS) is None


def test_a_file_error_inside_another_message_is_said_in_the_readers_language_too():
    """A bank statement or a duty roster that cannot be read: "the file cannot be read: <why>", all in one
    language (the why travels as a message of its own, RosterError.as_param)."""
    from pingan.antifraud.statements import StatementError, read_statement
    from pingan.core.error_messages import page_message
    from pingan.core.errors import DomainError

    with pytest.raises(StatementError) as err:
        read_statement("备注,说明\n一,二\n".encode(), filename="流水.csv")
    exc = DomainError(err.value.message, code="unreadable_statement", params={"name": "流水.csv",
                                                                             "why": err.value.as_param()})
    with translation.override("zh-hans"):
        assert page_message(exc) == ("无法读取文件：流水.csv 的前 30 行中找不到表头：需要交易时间（或交易日期）列和"
                                     "交易金额（或支出/存入）列。请检查文件是否为银行流水。")
    with translation.override("en"):
        assert page_message(exc) == ("The file cannot be read: 流水.csv: no header row in the first 30 rows with a "
                                     "transaction time (or date) column and an amount (or debit/credit) column; is "
                                     "this a bank statement?")


def _asides(text: str) -> int:
    return text.count("(") + text.count("（")


@pytest.mark.parametrize("code", sorted(SCREENING_FAILURES))
def test_each_failure_says_the_same_in_both_languages(code):
    """Issue 11's fresh-user trial: the ZIP message said in Chinese “(e.g. a Word document or an archive)”, which
    the English lacks; others added “未读取” (not read) or “后再上传” (then upload) where the English does not say
    it. Each language says the same: the same asides, and “not read” / “upload” in both or in neither."""
    params = {k: "x" for k in re.findall(r"%\((\w+)\)s", str(SCREENING_FAILURES[code]))}
    with translation.override("en"):
        en = str(SCREENING_FAILURES[code]) % params
    with translation.override("zh-hans"):
        zh = str(SCREENING_FAILURES[code]) % params
    assert _asides(en) == _asides(zh), (en, zh)
    assert ("not read" in en) == ("未读取" in zh), (en, zh)
    assert ("upload" in en) == ("上传" in zh), (en, zh)
    assert "Word" not in zh or "Word" in en, (en, zh)
