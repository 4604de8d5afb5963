"""Control, bidirectional-formatting and zero-width characters in text from outside (pingan.lib.textchars; issue
11: U+202E in a roster name reversed the job page, an ANSI escape reached the result CSV). The rule itself, and
each pure reader that takes text from outside: rosters (CSV fast and exact paths, XLSX), duty rosters, bank
statements, device events; and the result writers. No database."""

from __future__ import annotations

import io
import re
import unicodedata

import openpyxl
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given
from hypothesis import strategies as st

from pingan.lib import textchars

REJECTED = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))] + list(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029")
INVISIBLE = list("\u200b\u200c\u200d\u2060\ufeff")
#: any text a reader can hand over: decoded strictly, so no lone surrogates (Arrow, like every UTF-8 file, has none)
text = st.text(st.one_of(st.characters(codec="utf-8"), st.sampled_from(REJECTED + INVISIBLE + ["\t", "\n", "\r"])),
               max_size=30)


@given(text)
def test_the_rule_decides_by_character_class(s):
    bad = [i for i, ch in enumerate(s) if ch in REJECTED]
    found = textchars.find_unsafe(s)
    assert (found is None) == (not bad)
    if found is not None:
        assert found.index == bad[0] and found.code == f"U+{ord(s[bad[0]]):04X}"
        assert re.fullmatch(r"U\+[0-9A-F]{4,6}", found.code)
        assert found.kind == textchars.kind(s[bad[0]]) in ("control", "bidi", "separator")
    single = textchars.find_unsafe(s, allow_newlines=False)
    assert (single is None) == (not [ch for ch in s if ch in REJECTED or ch in "\n\r"])
    assert textchars.strip_invisible(s) == "".join(ch for ch in s if ch not in INVISIBLE)
    out = textchars.for_output(s)
    assert out == "".join(ch for ch in s if ch not in REJECTED and ch not in INVISIBLE)
    assert textchars.has_any(s) == (s != out)


@given(st.lists(text, max_size=5))
def test_the_re2_patterns_match_what_the_python_rule_does(values):
    arr = pa.array(values, pa.string())
    assert pc.match_substring_regex(arr, textchars.UNSAFE_RE2).to_pylist() == [textchars.has_any(v) for v in values]
    assert pc.match_substring_regex(arr, textchars.REJECT_RE2).to_pylist() == [
        textchars.find_unsafe(v) is not None for v in values]
    assert pc.match_substring_regex(arr, textchars.INVISIBLE_RE2).to_pylist() == [
        textchars.strip_invisible(v) != v for v in values]


def test_every_character_of_a_rejected_class_is_named_by_unicode_as_format_or_control():
    for ch in REJECTED:
        assert unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"), ch
    for ch in INVISIBLE:
        assert unicodedata.category(ch) == "Cf", ch


@given(text)
def test_every_refused_character_is_found_and_shown_in_its_place(s):
    found = textchars.find_all_unsafe(s)
    assert [(f.index, f.char) for f in found] == [(i, ch) for i, ch in enumerate(s) if ch in REJECTED]
    assert found[:1] == [f for f in [textchars.find_unsafe(s)] if f is not None]
    shown = textchars.shown(s)
    assert not textchars.has_any(shown) and "\n" not in shown and "\r" not in shown
    if "\u27e8" not in s:  # the marker's bracket is not in the text itself: the text comes back whole
        back = re.sub("\u27e8U\\+([0-9A-F]{4,6})\u27e9", lambda m: chr(int(m.group(1), 16)), shown)
        assert back == s


def test_shown_writes_an_escape_visibly_where_for_output_drops_it():
    assert textchars.shown("李\x1b[31m四") == "李⟨U+001B⟩[31m四"
    assert textchars.for_output("李\x1b[31m四") == "李[31m四"  # a download: removed (a cell is no echo)
    assert textchars.shown("a\nb", allow_newlines=True) == "a\nb" and textchars.shown("a\nb") == "a⟨U+000A⟩b"


# --------------------------------------------------------------------------------------------- rosters

HEAD = "姓名,证件号码,手机号码,地址\n"
ROWS = ("张三,110101199003078515,13800000000,1号\n"
        "赵\u202e六,110101199003078523,13800000001,2号\n"
        "李\x1b[31m四,110101199003078531,13800000002,3号\n"
        "王\u200b五,110101199003078540,13800000003,4号\n"
        "孙七,110101199003078558,13800000004,5\u2066号\n")


def _judged(r):
    return ({a.row: a.name for a in r.accepted},
            {x.row: (x.code, x.column, x.params.get("char"), x.params.get("kind"), x.name) for x in r.rejected})


@pytest.mark.parametrize("quote", [False, True], ids=["fast path", "exact path"])
def test_a_roster_row_with_a_control_or_bidi_character_is_rejected_naming_it(quote):
    from pingan.screening.roster import read_roster

    body = ROWS + ('周八,"110101199003078566",13800000005,6号\n' if quote else "")
    r = read_roster((HEAD + body).encode(), filename="r.csv")
    accepted, rejected = _judged(r)
    # the name as given, each refused character written as its code in its place: nothing dropped (issue 11's
    # trial read "李[31m四", the ESC gone without a word)
    assert rejected == {3: ("control_character", "姓名", "U+202E", "bidi", "赵⟨U+202E⟩六"),
                        4: ("control_character", "姓名", "U+001B", "control", "李⟨U+001B⟩[31m四"),
                        6: ("control_character", "地址", "U+2066", "bidi", "孙七")}
    assert accepted[2] == "张三" and accepted[5] == "王五"  # the zero-width space removed
    assert len(r.accepted) + len(r.rejected) == r.meta.total_rows
    assert r.rejected[0].text("zh-hans").startswith("“姓名”（第 A 列）第 2 个字符是控制文字方向的字符 U+202E")
    assert "U+001B" in r.rejected[1].text("en") and "\x1b" not in r.rejected[1].text("en")
    assert [n["code"] for n in r.meta.notes if n["code"] == "invisible_removed"] == ["invisible_removed"]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_header_label_losing_such_characters_is_said_in_a_note_naming_the_column_and_them(kind):
    """Issue 11: a header holding U+202E had it removed without a word, where a row holding it is refused."""
    from pingan.screening.roster import note_texts, read_roster

    head = ["姓名", "证件号码", "手机号码", "备\u202e注\x1b", "地址\u200b"]
    rows = [["张三", "110101199003078515", "13800000000", "x", "1号"]]
    if kind == "csv":
        data = ("\n".join(",".join(r) for r in [head, *rows]) + "\n").encode()
    else:
        wb = openpyxl.Workbook()
        wb.active.append([h.replace("\x1b", "") for h in head])  # openpyxl refuses an ESC in a cell
        for r in rows:
            wb.active.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        data = buf.getvalue()
    r = read_roster(data, filename=f"r.{kind}")
    said = [n["params"] for n in r.meta.notes if n["code"] == "header_characters_removed"]
    esc = ["U+001B"] if kind == "csv" else []
    assert said == [{"label": "备注", "letter": "D", "chars": ["U+202E", *esc]},
                    {"label": "地址", "letter": "E", "chars": ["U+200B"]}]
    zh = [t for t in note_texts(r.meta.notes, "zh-hans") if "表头" in t]
    chars = "U+202E、U+001B" if esc else "U+202E"
    assert zh[0] == f"第 D 列的表头“备注”中有看不见的字符 {chars}，会改变文字的显示方式，已删除。请在文件的表头中删去。"
    en = [t for t in note_texts(r.meta.notes, "en") if "header of column" in t]
    assert en[1] == ("The header of column E (“地址”) held U+200B, an invisible character that changes how text shows; "
                     "it was removed. Delete it from the header in your file.")
    assert not any(textchars.has_any(t) for t in zh + en)


def test_a_name_with_a_bidi_override_and_an_ansi_escape_names_both_and_drops_neither():
    """Issue 11's trial: a rejected name held U+202E and an ESC; the rejection named U+202E only and the echoed
    name read 李[31m四, the ESC removed without a word."""
    from pingan.screening.roster import read_roster

    r = read_roster((HEAD + "李\u202e\x1b[31m四,110101199003078531,13800000002,3\x07号\n").encode(),
                    filename="r.csv")
    (x,) = r.rejected
    assert (x.code, x.column, x.name) == ("control_character", "姓名", "李⟨U+202E⟩⟨U+001B⟩[31m四")
    assert [(c["char"], c["position"], c["label"]) for c in x.params["chars"]] == [
        ("U+202E", 2, "姓名"), ("U+001B", 3, "姓名"), ("U+0007", 2, "地址")]
    zh, en = x.text("zh-hans"), x.text("en")
    assert zh.startswith("“姓名”（第 A 列）的第 2 个字符是控制文字方向的字符 U+202E、第 3 个字符是控制字符 U+001B；"
                         "“地址”（第 D 列）的第 2 个字符是控制字符 U+0007：")
    assert en.startswith("姓名 (column A) holds a text-direction control character U+202E at character 2, a control "
                         "character U+001B at character 3; 地址 (column D) holds a control character U+0007 at "
                         "character 2: ")
    assert not textchars.has_any(zh + en)
    from django.utils import translation

    from pingan.core.texts import render
    from pingan.screening.texts import for_police

    police = for_police({"code": "rejection.control_character", "params": dict(x.params)})
    with translation.override("zh-hans"):
        assert render(police) == "这一行中有看不见的控制字符 U+202E、U+001B、U+0007，无法按原样显示"


def test_an_xlsx_roster_is_judged_by_the_same_rule():
    from pingan.screening.roster import note_texts, read_roster

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "证件号码", "手机号码"])
    ws.append(["赵\u202e六", "110101199003078523", "13800000001"])
    ws.append(["王\ufeff五", "110101199003078540", "13800000003"])
    buf = io.BytesIO()
    wb.save(buf)
    r = read_roster(buf.getvalue(), filename="r.xlsx")
    assert _judged(r) == ({3: "王五"}, {2: ("control_character", "姓名", "U+202E", "bidi", "赵⟨U+202E⟩六")})
    assert note_texts(r.meta.notes, "en") == [
        "Row 3 held zero-width characters (invisible, usually copied from a web page or chat); they were removed."]


def test_a_header_with_such_characters_is_read_and_named_without_them():
    from pingan.screening.roster import read_roster

    r = read_roster("姓\u200b名,证件号码,手机号码,备\u202e注\n张三,110101199003078515,13800000000,x\n".encode(),
                    filename="r.csv")
    assert [a.name for a in r.accepted] == ["张三"] and r.accepted[0].extra == {"备注": "x"}


def test_no_result_file_carries_such_a_character(tmp_path):
    from pingan.screening.output import write_results

    rows = [{"name": "李\x1b[31m四", "note": "赵\u202e六\u200b", "row": 1}]
    for ext in (".csv", ".xlsx"):
        for source in (rows, pa.Table.from_pylist(rows)):
            path = tmp_path / f"out{ext}"
            write_results(source, path)
            if ext == ".csv":
                written = path.read_text("utf-8-sig")
            else:
                written = "".join(str(c.value) for row in openpyxl.load_workbook(path).active.iter_rows()
                                  for c in row)
            assert "李[31m四" in written and "赵六" in written
            assert not textchars.has_any(written.replace("\r", "").replace("\n", ""))


# --------------------------------------------------------------------------------------------- other readers

def test_a_duty_roster_row_with_a_bidi_character_is_an_error_naming_its_cell():
    from pingan.dispatch import roster_file

    head = ["日期", "班次", "开始", "结束", "单位", "民警", "警力"]
    shifts, errors = roster_file.parse([
        (1, head),
        (2, ["2026-12-07", "夜班", "20:00", "08:00", "350203-LQ", "officer\u202e_a", ""]),
        (3, ["2026-12-07", "夜\u200b班", "20:00", "08:00", "350203-LQ", "chief_a", ""]),
    ])
    assert [(e.row, e.column, e.code, e.params) for e in errors] == [
        (2, "F", "roster_control_character", {"char": ["U+202E"], "position": [8], "n": 1})]
    assert [s.name for s in shifts] == ["夜班"]


def test_a_statement_row_with_a_control_character_is_rejected_naming_its_column():
    from pingan.antifraud.statements import read_statement

    r = read_statement(("交易时间,交易金额,对方户名\n"
                        "2024-01-05 13:45:10,100.00,张\u202e三\n"
                        "2024-01-05 13:46:10,100.00,李\u200b四\n").encode(), filename="s.csv")
    assert [(x.row, x.code, x.column, x.value) for x in r.rejected] == [(2, "control_character", "对方户名", "U+202E")]
    assert r.table.column("counterparty_name").to_pylist() == ["李四"]


def test_a_device_event_keeps_its_alarm_and_loses_the_characters():
    from pingan.alerts.events import parse_payload

    payload = ('{"event_id": "e1", "device_id": "35020300001320000101", "type": "anpr", '
               '"time": "2026-12-01T08:30:00+08:00", "attributes": {"plate": "闽D1\\u200b2345", '
               '"zone": "\\u001b[31m东门\\u202e", "list": ["a\\u2028b"]}}')
    for raw in (payload, payload.encode(), __import__("json").loads(payload)):
        ev = parse_payload(raw, source="http")
        assert ev.attributes == {"plate": "闽D12345", "zone": "[31m东门", "list": ["ab"]}


def test_the_other_readers_name_every_character_too():
    """The family of issue 11's finding (only the first character named): a duty-roster cell, a bank statement."""
    from django.utils import translation

    from pingan.antifraud.statements import read_statement
    from pingan.dispatch import roster_file
    from pingan.dispatch.views import roster_error_text

    head = ["日期", "班次", "开始", "结束", "单位", "民警", "警力"]
    _, errors = roster_file.parse([(1, head), (2, ["2026-12-07", "夜\x1b班", "20:00", "08:00", "350203-LQ",
                                                   "officer\u202e\x1b[31m_a", ""])])
    assert [(e.column, e.code, e.params) for e in errors] == [
        ("B", "roster_control_character", {"char": ["U+001B"], "position": [2], "n": 1}),
        ("F", "roster_control_character", {"char": ["U+202E", "U+001B"], "position": [8, 9], "n": 2})]
    with translation.override("zh-hans"):
        assert roster_error_text(errors[1]) == ("单元格的第 8、9 个字符是看不见的控制字符 U+202E、U+001B，"
                                                "会改变文字的显示方式：请重新输入这个单元格。")
    r = read_statement("交易时间,交易金额,对方户名\n2024-01-05 13:45:10,100.00,张\u202e三\x1b\n".encode(),
                       filename="s.csv")
    assert [(x.code, x.value) for x in r.rejected] == [("control_character", "U+202E U+001B")]
