"""Why a file could not be read, in the reader's language: stored as a code and parameters (never
"中文 / English"), rendered at display time; and the texts stored before are read back into codes."""

from __future__ import annotations

import pytest
from django.utils import translation

from pingan.core.jobs import FAILURE_MESSAGES, failure_message
from pingan.screening.failures import parse_stored
from pingan.screening.roster import ROSTER_ERRORS, RosterError, english, read_roster


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
    assert e.message == "Row 1 of a.xlsx (sheet “租户”) is the header (身份证号, 手机号码) but it has no name column " \
                        "(姓名/name): add the column and upload again."
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
    assert parse_stored(text, ROSTER_ERRORS) == (code, params)
    for lang in ("zh-hans", "en"):
        with translation.override(lang):
            shown = failure_message(code, params)
        assert " / " not in shown and shown, (lang, shown)
    assert "/ " not in english(code, params) and english(code, params)[:6] in text


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
