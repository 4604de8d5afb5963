"""The bureau template: Chinese headers, every row accepted or rejected with its reason (no database)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.screening.roster import RosterError
from pingan.stats.importers import bureau
from pingan.stats.template import bureau_template_xlsx

UNITS = {"莲前派出所": "350203-LQ", "江头派出所": "350206-JT", "350206-JT": "350206-JT"}
HEAD = "案件编号,接报时间,发案时间,案件类别,案由,发案地点,辖区,破案时间,损失金额,破案方式,案件状态,涉案金额,受伤人数\n"


def read(text: str, encoding: str = "utf-8", name: str = "week.csv"):
    r = bureau.read(text.encode(encoding), units=UNITS, org="350200", filename=name)
    r.check_accounting()
    return r


def test_it_reads_a_week_of_cases_below_a_title_row():
    r = read("厦门市公安局案件统计（2024年第1周）\n" + HEAD
             + "A1,2024-01-01 08:10,2024-01-01 07:50,刑事案件,盗窃,思明区莲前东路1号3栋201室,莲前派出所,"
               "2024-01-03 10:00,1500,抓获,,,\n"
             + "A2,2024/1/2 9:00,2024年1月2日8时至10时,刑事案件,扒窃,湖里区江头北路公交车上,350206-JT,,300元,,,,\n"
             + "A3,2024-01-02,,刑事案件,抢劫,,莲前派出所,,,,,,\n"
             + "A4,2024-01-03 09:00,,刑事案件,合同诈骗,,莲前派出所,2024-01-20,,,已破,1.5万,\n"
             + "A5,2024-01-04 09:00,2024-01-04 08:00,交通事故,,,江头派出所,,2000,,,,2\n"
             + "A6,2024-01-04 09:00,2024-01-04 08:00,刑事案件,诈骗,,莲前派出所,2024-01-09,,犯罪嫌疑人死亡,,,\n")
    assert not r.rejected and r.rows_total == 6
    a1, a2, a3, a4, a5, a6 = r.records
    assert a1.rows == (3,) and a1.offence == "theft.larceny" and a1.unit == "350203-LQ"
    assert a1.block == "思明区莲前东路"  # house, building and room numbers never reach a public release
    assert (a1.status, a1.clearance, a1.cleared_on, a1.property_loss) == ("cleared", "arrest", dt.date(2024, 1, 3),
                                                                          Decimal("1500.00"))
    assert a1.occurred_from.isoformat() == "2024-01-01T07:50:00+08:00" and a1.count_date == dt.date(2024, 1, 1)
    assert (a2.occurred_from.hour, a2.occurred_to.hour, a2.place_type) == (8, 10, "bus")  # a window; 车扒
    assert a2.property_loss == Decimal("300.00") and a2.unit == "350206-JT"  # the unit by its code
    assert a3.occurred_from is None and a3.count_date == dt.date(2024, 1, 2)  # counted on the report day
    assert a4.amount_involved == Decimal("15000.00") and a4.offence == "economic.contract_fraud"
    assert (a5.offence, a5.injured) == ("traffic.accident", 2)  # 案件类别 decides
    assert (a6.clearance, a6.exceptional_code) == ("exceptional", "A")  # NIBRS A: death of the offender


@pytest.mark.parametrize(("line", "code", "column"), [
    ("B1,2024-01-02,,刑事案件,,,莲前派出所,,,,,,", "missing_charge", "案由"),
    ("B1,2024-01-02,,刑事案件,偷东西,,莲前派出所,,,,,,", "unknown_charge", "案由"),
    ("B1,2024-01-02,,刑事案件,盗窃,,火星派出所,,,,,,", "unknown_unit", "辖区"),
    ("B1,,,刑事案件,盗窃,,莲前派出所,,,,,,", "missing_time", "发案时间"),
    ("B1,2024-13-02,,刑事案件,盗窃,,莲前派出所,,,,,,", "bad_time", "接报时间"),
    ("B1,2024-01-02,2024-01-02 10:00至2024-01-01 09:00,刑事案件,盗窃,,莲前派出所,,,,,,", "bad_window", "发案时间"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,2024-01-03,,也许,,,", "bad_clearance", "破案方式"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,,,,已破,,", "bad_clearance", "破案时间"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,2023-12-30,,,,,", "clearance_before_offence", "破案时间"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,,-5,,,,", "bad_amount", "损失金额"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,,,,,一百,", "bad_amount", "涉案金额"),
    ("B1,2024-01-02,,刑事案件,盗窃,,莲前派出所,,,,,,2.5", "bad_number", "受伤人数"),
])
def test_it_rejects_a_bad_row_naming_the_row_the_column_and_what_to_do(line, code, column):
    r = read(HEAD + "A0,2024-01-01,,刑事案件,盗窃,,莲前派出所,,,,,,\n" + line + "\n")
    assert len(r.records) == 1 and len(r.rejected) == 1
    issue = r.rejected[0]
    if code == "bad_window":  # the window's end is in the 发案时间 cell itself
        column = "发案时间"
    assert (issue.row, issue.code) == (3, code)
    assert issue.column == column, issue.message
    # stored as a message id and params, rendered in the reader's language (never "中文 / English")
    assert issue.message.startswith(f"row 3: column {column}: ") and " / " not in issue.message
    from django.utils import translation

    from pingan.stats.templatetags.stats_tags import issue_text

    with translation.override("zh-hans"):
        zh = issue_text(issue)
    with translation.override("en"):
        assert issue_text(issue) == issue.message
    assert zh.startswith(f"第 3 行：“{column}”列：") and "row 3" not in zh, zh


def test_a_stray_quote_rejects_its_line_and_the_rows_below_are_still_read():
    """Issue 11's trial in a bureau file: the quote before A2's place never closes (the csv module read every
    line below as that one cell); a place typed over two lines (Alt+Enter in Excel) stays."""
    r = read("厦门市公安局案件统计\n" + HEAD
             + "A1,2024-01-01,,刑事案件,盗窃,,莲前派出所,,,,,,\n"
             + 'A2,2024-01-02,,刑事案件,盗窃,"思明区莲前东路1号,莲前派出所,,,,,,\n'
             + 'A3,2024-01-03,,刑事案件,盗窃,"湖里区江头北路\n公交车上",江头派出所,,,,,,\n'
             + "A4,2024-01-04,,刑事案件,诈骗,,莲前派出所,,,,,,\n")
    assert [(rec.source_ref.split(":")[-1], rec.rows) for rec in r.records] == [
        ("A1", (3,)), ("A3", (5,)), ("A4", (7,))]  # numbered by text line once a quote is unbalanced
    assert r.records[1].block.startswith("湖里区江头北路")
    [bad] = r.rejected
    assert (bad.row, bad.code, bad.column) == (4, "bad_quote", "发案地点")
    assert bad.message.startswith("row 4: column 发案地点: a double quote") and "delete the stray quote" in bad.message
    assert r.rows_total == 4
    from django.utils import translation

    from pingan.stats.templatetags.stats_tags import issue_text

    with translation.override("zh-hans"):
        zh = issue_text(bad)
    assert zh.startswith("第 4 行：“发案地点”列：英文双引号") and "删除多余的引号" in zh, zh
    closes = read(HEAD + 'A1,2024-01-01,,刑事案件,盗窃,"x,莲前派出所,,,,,,\nA2,2024-01-02,,刑事案件,盗窃,'
                  + '"y\n",莲前派出所,,,,,,\n')
    assert next((i.row, i.code, i.values["message"]["code"]) for i in closes.rejected) == (
        2, "bad_quote", "import_row_quote_closes_later")


def test_it_rejects_a_repeated_case_number_and_reads_gbk():
    r = read(HEAD + "A1,2024-01-01,,刑事案件,盗窃,,莲前派出所,,,,,,\nA1,2024-01-02,,刑事案件,抢劫,,莲前派出所,,,,,,\n",
             encoding="gbk")
    assert [i.code for i in r.rejected] == ["duplicate_case"] and "duplicates row 2 (case number A1)" in \
        r.rejected[0].message


def test_without_a_case_number_the_same_row_is_the_same_incident():
    text = "接报时间,案由,辖区\n2024-01-01 08:00,盗窃,莲前派出所\n2024-01-01 08:00,盗窃,莲前派出所\n"
    r = read(text)
    assert len(r.records) == 1 and r.records[0].source_ref.startswith("row:")
    assert r.rejected[0].code == "duplicate_case"


def test_a_file_without_the_required_columns_is_refused_as_a_whole():
    with pytest.raises(RosterError, match="案由"):
        bureau.read(b"name,phone\nx,1\n", units=UNITS, org="350200", filename="roster.csv")
    with pytest.raises(RosterError, match="接报时间"):
        bureau.read("案由,辖区\n盗窃,莲前派出所\n".encode(), units=UNITS, org="350200", filename="x.csv")


def test_the_downloadable_template_reads_back_without_rejections():
    r = bureau.read(bureau_template_xlsx(), units=UNITS, org="350200", filename="template.xlsx")
    assert len(r.records) == 1 and not r.rejected
    ex = r.records[0]
    assert (ex.offence, ex.place_type, ex.status, ex.property_loss) == ("theft.larceny.pickpocket", "bus", "cleared",
                                                                         Decimal("1200.00"))


def test_it_reads_an_xlsx_with_real_date_cells():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["案由", "辖区", "发案时间", "破案时间", "损失金额"])
    ws.append(["抢夺", "莲前派出所", dt.datetime(2024, 2, 29, 23, 30), dt.datetime(2024, 3, 1, 9, 0), 880.5])
    buf = io.BytesIO()
    wb.save(buf)
    r = bureau.read(buf.getvalue(), units=UNITS, org="350200", filename="cases.xlsx")
    rec = r.records[0]
    assert rec.count_date == dt.date(2024, 2, 29) and rec.cleared_on == dt.date(2024, 3, 1)
    assert rec.property_loss == Decimal("880.50")


@given(st.decimals(min_value=0, max_value=10**9, places=2))
def test_amounts_read_back_in_every_common_spelling(amount):
    assert bureau.parse_amount(str(amount)) == amount
    assert bureau.parse_amount(f"{amount:,}元") == amount
    assert bureau.parse_amount(f"¥{amount}") == amount
    assert bureau.parse_amount(f"{amount / 10000}万") == (amount / 10000 * 10000).quantize(Decimal("0.01"))


@given(st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2099, 12, 31)).map(
    lambda d: d.replace(second=0, microsecond=0)))
def test_times_read_back_in_every_common_spelling(when):
    for text in (when.strftime("%Y-%m-%d %H:%M"), f"{when.year}/{when.month}/{when.day} {when.hour}:{when.minute:02d}",
                 f"{when.year}年{when.month}月{when.day}日{when.hour}时{when.minute}分", when.strftime("%Y%m%d%H%M"),
                 when.isoformat()):
        assert bureau.parse_time(text) == when, text
    assert bureau.parse_time(when.date().isoformat()) == dt.datetime.combine(when.date(), dt.time())


def test_every_row_message_has_a_page_template_with_the_same_english():
    from django.utils import translation
    from django.utils.translation import ngettext

    from pingan.core.jobs import FAILURE_MESSAGES
    from pingan.stats.importers import QUOTE_MESSAGES
    from pingan.stats.importers.bureau import BUREAU_ROW_MESSAGES

    def said(template):  # a message of one or several (ngettext_lazy on "n"): its (one, several) pair
        kw = getattr(template, "_kw", {})  # a lazy translation's arguments
        return tuple(ngettext(kw["singular"], kw["plural"], n) for n in (1, 2)) if "plural" in kw else str(template)

    for code, text in {**BUREAU_ROW_MESSAGES, **QUOTE_MESSAGES}.items():
        with translation.override("en"):
            assert said(FAILURE_MESSAGES[code]) == text, code
        with translation.override("zh-hans"):
            assert said(FAILURE_MESSAGES[code]) != text, code


def test_a_row_issue_stored_in_both_languages_still_shows_its_readers_half():
    from django.utils import translation

    from pingan.stats.templatetags.stats_tags import issue_text

    stored = "第 3 行：案由为空。 / row 3: the charge is empty."
    with translation.override("zh-hans"):
        assert issue_text(stored) == "第 3 行：案由为空。"
    with translation.override("en"):
        assert issue_text(stored) == "row 3: the charge is empty."


def test_every_open_data_row_message_has_a_page_template_with_the_same_english():
    from django.utils import translation

    from pingan.core.jobs import FAILURE_MESSAGES, failure_message
    from pingan.stats.importers import OPEN_DATA_ROW_MESSAGES, row_issue
    from pingan.stats.templatetags.stats_tags import issue_text

    for code, text in OPEN_DATA_ROW_MESSAGES.items():
        with translation.override("en"):
            assert str(FAILURE_MESSAGES[code]) == text, code
        with translation.override("zh-hans"):
            assert str(FAILURE_MESSAGES[code]) != text and failure_message(code, {}) == "", code
    issue = row_issue(7, "rejected", "bad_date", "row_unreadable_value", "Date", value="13/45/2016")
    assert issue.message == "row 7: cannot read the Date “13/45/2016”." and issue.column == "Date"
    with translation.override("zh-hans"):
        assert issue_text(issue) == "第 7 行：无法识别Date“13/45/2016”。"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_templates_explanations_are_in_one_language_and_it_reads_back_either_way(lang):
    """Issue 11: the notes sheet said "列 / column", "是 / yes" and every note twice, and listed the rejection
    codes with English-only explanations for a Chinese bureau."""
    import io

    import openpyxl
    from page_language import assert_language

    from pingan.stats.importers import mapping
    from pingan.stats.template import COLUMNS, EXAMPLE

    data = bureau_template_xlsx(lang)
    wb = openpyxl.load_workbook(io.BytesIO(data))
    # the file's format (its Chinese headers, the example case, the charge names of the mapping) is data
    fixed = [h for _f, h, *_ in COLUMNS] + [str(v) for v in EXAMPLE if v] + list(mapping("bureau")["charge"])
    fixed += ["案由", "发案时间止", "案件编号", "1.5万", "未遂", "2024-01-05 08:00至10:00"]
    texts = [str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    texts += [c.comment.text for row in wb["案件"].iter_rows(min_row=2, max_row=2) for c in row if c.comment]
    for text in texts:
        assert " / " not in text, text
        assert_language(text, "zh-hans" if lang == "zh" else "en", fixed)
    assert bureau.read(data, units=UNITS, org="350200", filename="template.xlsx").records


def test_the_demo_export_is_what_a_chinese_bureau_would_have():
    """Issue 11: its title row read "（合成演示数据 synthetic demo data）"."""
    import datetime as dt

    from page_language import CJK, ENGLISH_SENTENCE

    from pingan.stats import demo

    title, header = demo.demo_csv(["莲前派出所"], dt.date(2024, 3, 1), dt.date(2024, 3, 2), per_day=2).decode(
        "utf-8-sig").splitlines()[:2]
    assert not ENGLISH_SENTENCE.search(title) and not any(w.isalpha() and w.isascii() for w in title.split())
    assert all(CJK.search(h) for h in header.split(","))  # the headers a bureau's system writes
