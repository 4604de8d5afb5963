"""One ID number, two names: the rows share one ID number; they are not "the same person" (issue 11 trial: the
job page said "名单中有 1 人出现不止一次" of two different names under one number). How a screening says it:
tests/web/test_web_roster_inputs.py."""

from __future__ import annotations

import pyarrow as pa
from django.utils import translation

from pingan.screening.reasons import row_reasons
from pingan.screening.roster import note_texts, read_roster

A, B = "11010519491231002X", "110101199003078515"


def _read(rows: list[tuple[str, str]]):
    text = "姓名,证件号码\n" + "\n".join(f"{n},{i}" for n, i in rows) + "\n"
    return read_roster(text.encode(), filename="a.csv")


def test_a_repeat_under_another_name_is_a_shared_number_not_a_person_twice():
    # row 2 张三 A, 3 李四 A (another name), 4 张 三 A (张三 again, a space apart), 5 王五 B, 6 ｗａｎｇ B, 7 王五 B
    meta = _read([("张三", A), ("李四", A), ("张 三", A), ("王五", B), ("Wang", B), ("王五", B)]).meta
    assert meta.duplicates == [(3, 2), (4, 2), (6, 5), (7, 5)]
    assert meta.shared_numbers == [3, 6]
    notes = {n["code"]: n["params"] for n in meta.notes}
    # the pairs are a list, listed in the reader's language when said (issue 11: "3↔2; 4↔2" in Chinese text)
    assert notes["duplicates"] == {"people": 2, "rows": 2, "pairs": ["4↔2", "7↔5"], "more": False}
    assert notes["shared_numbers"] == {"numbers": 2, "rows": 2, "pairs": ["3↔2", "6↔5"], "more": False}
    zh = note_texts(meta.notes, "zh-hans")
    assert "名单中有 2 人出现不止一次（2 个重复行：4↔2、7↔5），均已保留并标注。" in zh
    assert ("名单中有 2 个证件号码登记在不同姓名下（2 行与前面的行共用同一证件号码：3↔2、6↔5），"
            "请核实号码属于谁并改正其他行；所有行均已保留并标注。") in zh
    en = note_texts(meta.notes, "en")
    assert any(t.startswith("2 ID numbers are each given under different names (2 rows share one ID number")
               and "3↔2, 6↔5" in t for t in en)


def test_a_note_stored_with_its_pairs_as_one_text_is_listed_in_the_language_too():
    stored = [{"code": "duplicates", "params": {"people": 1, "rows": 2, "pairs": "3↔2; 4↔2"}},
              {"code": "invisible_removed", "params": {"rows": "3, 5–7", "n": 4, "more": False}}]
    zh = note_texts(stored, "zh-hans")
    assert "3↔2、4↔2" in zh[0] and "; " not in zh[0]
    assert zh[1].startswith("第 3、5–7 行") and ", " not in zh[1]
    assert "3↔2, 4↔2" in note_texts(stored, "en")[0]


def test_more_than_ten_repeats_are_listed_with_an_ellipsis():
    meta = _read([("张三", A)] * 12).meta
    notes = {n["code"]: n["params"] for n in meta.notes}
    assert len(notes["duplicates"]["pairs"]) == 10 and notes["duplicates"]["more"] is True
    zh = note_texts(meta.notes, "zh-hans")[0]
    assert "3↔2、4↔2、" in zh and "12↔2…）" in zh


def test_names_compared_ignore_spaces_width_and_case():
    meta = _read([("Li Si", A), ("ＬＩ ＳＩ", A), ("li si", A)]).meta
    assert meta.shared_numbers == [] and [n["code"] for n in meta.notes] == ["duplicates"]


def test_different_names_only_say_nobody_appears_twice():
    meta = _read([("张三", A), ("李四", A)]).meta
    assert [n["code"] for n in meta.notes] == ["shared_numbers"]
    assert not any("出现不止一次" in t for t in note_texts(meta.notes, "zh-hans"))


def test_the_row_says_it_shares_the_number_unless_its_identity_check_says_so_already():
    persons = pa.table({"row": [2, 3, 4], "status": ["accepted"] * 3, "rule_ids": [[], [], ["identity-unverified"]],
                        "identity_error": [None, None, "conflicting"],
                        "identity_error_params": [None, None, '{"rows": [2], "count": 1}'],
                        "doc_type": ["ric"] * 3})
    said = row_reasons(persons, roster=None, rejections=[], rule_texts={"identity-unverified": {"en": "verify"}},
                       rule_order=["identity-unverified"], identity_rules=["identity-unverified"],
                       duplicates={3: 2, 4: 2}, shared_numbers=[3, 4])
    assert said[1] == [{"code": "shares_number_with", "params": {"row": 2}}]
    assert [m["code"] for m in said[2]] == ["rule_detail"]  # "the same ID number is given with another name in row 2"
    same = row_reasons(persons, roster=None, rejections=[], rule_texts={}, rule_order=[], identity_rules=[],
                       duplicates={3: 2})
    assert same[1] == [{"code": "duplicate_of", "params": {"row": 2}}]
    with translation.override("zh-hans"):
        from pingan.core.texts import render

        assert render(said[1][0]) == "与第 2 行共用同一证件号码，但姓名不同"
