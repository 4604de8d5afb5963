"""A roster file that ends in the middle of a row (issue 11's trial: a CSV of exactly the 20 MiB upload limit, cut
mid-row, was screened without a hint; its last person screened with half a number): the last row is rejected as
``cut_off`` saying the file looks cut off there, and a note says where (and the size, when it is a whole number of
MiB). Every row still ends accepted or rejected. No database."""

from __future__ import annotations

import pytest
from page_language import assert_language

from pingan.screening.roster import note_texts, read_roster

HEAD = "姓名,证件号码,手机号码,地址\n"
ROW = "张三,110101199003078515,13800000000,思明区莲前东路1号\n"
LAST = "李四,110101199003078523,13800000001,湖里区江头北路2号"


def _read(text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    r = read_roster(data, filename="r.csv")
    assert len(r.accepted) + len(r.rejected) == r.meta.total_rows
    return r


def test_a_file_of_exactly_the_upload_limit_cut_mid_row_says_it_looks_cut_off():
    """The trial's file: rows up to 20 MiB (20,971,520 bytes), the last one cut inside its ID number."""
    limit = 20 * 2**20
    body = (HEAD + ROW * (limit // len(ROW.encode()) + 1)).encode()[:limit]
    assert len(body) == limit and not body.endswith(b"\n")
    r = _read(body)
    last = r.meta.total_rows + 1  # the header is row 1
    (x,) = r.rejected
    assert (x.row, x.code, x.name, x.params) == (last, "cut_off", "张三", {"row": last, "mib": 20})
    assert x.id_number and len(x.id_number) < 18  # what the row gave, as cut
    zh, en = x.text("zh-hans"), x.text("en")
    assert "像是被截断了" in zh and "20 MiB" in zh and "cut off" in en and "20 MiB" in en
    assert_language(zh, "zh-hans", [])
    assert_language(en, "en", [])
    [note] = [n for n in r.meta.notes if n["code"] == "cut_off"]
    assert note["params"] == {"row": last, "mib": 20}
    assert f"第 {last} 行中间结束" in note_texts([note], "zh-hans")[0]
    assert all(a.row < last for a in r.accepted)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
@pytest.mark.parametrize("tail", ["李四,1101011990", "李四", '李四,"110101199003078523,13800000001,湖里'],
                         ids=["in the ID number", "after the name", "inside a quote"])
def test_a_last_row_cut_short_is_rejected_not_screened(tail, end):
    r = _read((HEAD + ROW * 3).replace("\n", end) + tail)
    assert [a.row for a in r.accepted] == [2, 3, 4]
    (x,) = r.rejected
    assert (x.row, x.code) == (5, "cut_off") and x.params == {"row": 5}
    assert [n["code"] for n in r.meta.notes if "cut" in n["code"]] == ["cut_off"]


def test_a_file_cut_inside_a_character_is_read_as_utf8_and_its_last_row_rejected():
    """Cut in the middle of 路 (three bytes in UTF-8): before, the file was no longer UTF-8 and was read as
    another encoding."""
    data = (HEAD + ROW * 3 + LAST).encode()[:-2]
    r = _read(data)
    assert r.meta.encoding == "utf-8" and [a.name for a in r.accepted] == ["张三"] * 3
    (x,) = r.rejected
    assert (x.row, x.code, x.name) == (5, "cut_off", "李四")


def test_a_complete_file_without_a_final_line_break_is_screened_whole():
    r = _read(HEAD + ROW * 3 + LAST)
    assert [a.row for a in r.accepted] == [2, 3, 4, 5] and not r.rejected
    assert not [n for n in r.meta.notes if "cut" in n["code"]]


def test_rows_that_all_lack_their_empty_last_cells_are_not_taken_for_a_cut():
    r = _read(HEAD + "张三,110101199003078515,13800000000\n李四,110101199003078523,13800000001")
    assert [a.row for a in r.accepted] == [2, 3] and not r.rejected


def test_a_whole_number_of_mib_with_a_complete_last_row_asks_to_check_it():
    n, pad = divmod(2**20 - len(HEAD.encode()) - len(LAST.encode()), len(ROW.encode()))
    data = (HEAD + ROW * n + "李" * (pad // 3) + "x" * (pad % 3) + LAST).encode()  # the last name padded
    assert len(data) == 2**20 and not data.endswith(b"\n")
    r = _read(data)
    assert not r.rejected and r.accepted[-1].row == n + 2  # the whole last row is screened
    [note] = [n for n in r.meta.notes if "cut" in n["code"]]
    assert note == {"code": "maybe_cut_off", "params": {"row": n + 2, "mib": 1}}
    assert "可能在这里被截断" in note_texts([note], "zh-hans")[0]
