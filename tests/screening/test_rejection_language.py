"""A rejected roster row is a code and its parameters, said in one language at a time (issue 11, "Language":
"第 2 行：… / Row 2: …" was built into every rejection, and whatever read ``.message`` — the engine's reason,
the CLI, logs — got both languages side by side)."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from page_language import assert_language

from pingan.screening.roster import REJECTION_CODES, note_texts, read_roster

ID_A = "11010519491231002X"

#: One roster row per rejection code (with the header ``姓名,证件号码,手机号码,入住日期,备注``).
ROWS = {
    "example_row": f"示例沈云,{ID_A},13800138000,,",
    "blank_required": ",,,,见下页",
    "too_many_columns": f"张伟,{ID_A},13800138000,,,多余",
    "too_long": f"张伟,{ID_A * 4},13800138000,,",
    "missing_name": f",{ID_A},13800138000,,",
    "formula_name": f'"=HYPERLINK(""http://x"",""李四"")",{ID_A},13800138000,,',
    "id_number_as_number": "张伟,1.10105E+17,13800138000,,",
    "missing_id_number": "张伟,,,,",
    "phone_as_number": "张伟,,1.38001E+10,,",
    "bad_date": f"张伟,{ID_A},13800138000,明天,",
    "bad_quote": f'张伟,"{ID_A},13800138000,,',
    "nul_byte": f"张伟,{ID_A},13800138000,,备\x00注",
    "control_character": f"张\u202e伟,{ID_A},13800138000,,",
}


#: The last row of a file that ends in the middle of it (``cut_off``): no line break after it, shorter than the row
#: before it.
CUT_OFF = "张伟,1101051949"


def _csv_rejections():
    text = "姓名,证件号码,手机号码,入住日期,备注\n" + "\n".join(ROWS.values()) + "\n" + CUT_OFF
    return read_roster(text.encode(), filename="a.csv").rejected


def _formula_rejection():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "手机号码"])
    ws.append(["张三", f'="{ID_A}"', "13800138000"])
    buf = io.BytesIO()
    wb.save(buf)
    (rej,) = read_roster(buf.getvalue(), filename="a.xlsx").rejected
    return rej


def test_every_rejection_code_is_said_in_chinese_alone_and_in_english_alone():
    rejections = [*_csv_rejections(), _formula_rejection()]
    assert {r.code for r in rejections} == set(REJECTION_CODES)  # every code is tried
    data = ["示例沈云", "张伟", "张三", "明天", "多余", "见下页", "姓名", "证件号码", "手机号码", "入住日期", "备注",
            ID_A]
    for r in rejections:
        zh, en = r.text("zh-hans"), r.text("en")
        assert zh and en and zh != en, r
        assert " / " not in zh and " / " not in en
        assert_language(zh, "zh-hans", data)
        assert_language(en, "en", data)
        # the text for programs and logs: English, naming the row
        assert r.message == f"row {r.row}: {en}"
        assert not hasattr(r, "__dict__") or "message" not in vars(r)  # nothing stored but code and params


def test_the_notes_on_how_a_roster_was_read_are_codes_said_in_each_language():
    rows = [["名单"], ["姓名", "证件号码", "证件号码"], ["张伟", ID_A, "X"]]
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.create_sheet("另一张")
    buf = io.BytesIO()
    wb.save(buf)
    meta = read_roster(buf.getvalue(), filename="a.xlsx").meta
    assert {n["code"] for n in meta.notes} >= {"title_rows_skipped", "duplicate_column", "sheet_chosen"}
    for zh, en in zip(note_texts(meta.notes, "zh-hans"), note_texts(meta.notes, "en"), strict=True):
        assert_language(zh, "zh-hans", ["名单", "证件号码", "Sheet"])
        # the template's headers are named as they must be typed (data, not words of the sentence)
        assert_language(en, "en", ["名单", "证件号码", "另一张", "姓名", "证件类型", "手机号码"])
    assert meta.warnings == note_texts(meta.notes, "en")


@pytest.mark.parametrize("text", [
    "第 6 行：姓名为空。请填写姓名，或删除这一行。 / Row 6: name (姓名) is empty; fill it in or delete the row.",
    "文件没有 BOM，按 utf-16-le 解码。 / No byte-order mark; decoded as utf-16-le.",
])
def test_a_text_stored_before_the_codes_shows_the_half_of_the_readers_language(text):
    from django.utils import translation

    from pingan.core.texts import legacy

    with translation.override("zh-hans"):
        zh = legacy(text)
    with translation.override("en"):
        en = legacy(text)
    assert zh + " / " + en == text
    assert_language(zh, "zh-hans")
    assert_language(en, "en", ["姓名"])
    assert legacy("plain English") == "plain English"


#: The landlord's instructions, which a police page must not give the officer (fresh-user trial: the police
#: premises page said "请把该列设置为“文本”格式后重新输入…").
ADVICE = {"zh-hans": ("请", "文本", "上传", "删除", "重新输入"),
          "en": ("Format the column", " as Text", "upload", "Delete", "type it again", "fill it in")}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_police_pages_say_what_is_wrong_with_a_row_without_the_landlords_advice(language):
    from django.utils import translation

    from pingan.screening.models import PersonResult
    from pingan.screening.reasons import rejection_message
    from pingan.screening.texts import POLICE_REJECTIONS

    rejections = [*_csv_rejections(), _formula_rejection()]
    assert {f"rejection.{r.code}" for r in rejections} == set(POLICE_REJECTIONS)
    data = ["示例沈云", "张伟", "张三", "明天", "多余", "见下页", "姓名", "证件号码", "手机号码", "入住日期", "备注",
            ID_A, "1.10105E+17", "1.38001E+10"]
    with translation.override(language):
        for r in rejections:
            said = PersonResult(reasons=[rejection_message(r.code, r.params)]).police_reason_text
            assert said and said != PersonResult(reasons=[rejection_message(r.code, r.params)]).reason_text, r
            assert not any(a in said for a in ADVICE[language]), (r.code, said)
            assert not re.search(r"[a-z]+_[a-z_]+", said), (r.code, said)  # a field's label, not its name
            assert_language(said, language, data)
        excel = next(r for r in rejections if r.code == "id_number_as_number")
        said = PersonResult(reasons=[rejection_message(excel.code, excel.params)]).police_reason_text
        assert ("证件号码无法读取（被 Excel 当作数字" if language == "zh-hans" else
                "ID number unreadable (stored by Excel as the number") in said, said
