"""Identity problems a fresh user found in batch screening, through roster ingest and the engine.

1. A garbage number under the header 身份证号 (``朱红梅,abc123,12345``) came out a valid passport, green,
   and the phone "12345" was accepted without comment.
2. One resident ID number under two names (rows 2 华桂珍 and 19 黎欢) came out green twice, the second
   only "duplicate of row 2".
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pyarrow as pa
from page_language import assert_language

from pingan.screening.batch import get_engine
from pingan.screening.roster import read_roster_arrow
from pingan.screening.rules import load_ruleset

AS_OF = dt.datetime(2022, 11, 21, tzinfo=ZoneInfo("Asia/Shanghai"))
SHARED = "130925195007121816"
TS = pa.timestamp("us", tz="UTC")
NO_LISTINGS = pa.table({
    "area_key": pa.array([], pa.string()), "community": pa.array([], pa.string()),
    "adcode": pa.array([], pa.string()), "level": pa.array([], pa.string()),
    "listed_from": pa.array([], TS), "listed_until": pa.array([], TS),
})
NO_MOVES = pa.table({
    "id_number": pa.array([], pa.string()), "name": pa.array([], pa.string()), "adcode": pa.array([], pa.string()),
    "place": pa.array([], pa.string()), "start": pa.array([], TS),
    "end": pa.array([], TS),
})


def screen_csv(text: str) -> dict[int, dict]:
    roster, rejected, meta = read_roster_arrow(text.encode(), filename="roster.csv")
    assert not rejected
    result = get_engine().screen(roster, listings=NO_LISTINGS, movements=NO_MOVES, ruleset=load_ruleset(),
                                 as_of=AS_OF, resident_id_column=meta.resident_id_column)
    return {p["row"]: p for p in result.persons.to_pylist()}


def test_it_makes_a_garbage_number_under_a_resident_id_header_yellow_not_a_valid_id_number():
    p = screen_csv("姓名,身份证号,手机号码\n朱红梅,abc123,12345\n")[2]
    assert (p["doc_type"], p["identity_status"]) == ("unknown", "invalid")
    assert "not a valid ID number" in p["identity_reason"]
    assert p["level"] == "yellow" and p["rule_ids"] == ["identity-unverified"]
    assert "identity needs verification" in p["reason"] and "not a valid ID number" in p["reason"]
    assert_language(p["reason"], "en")  # the engine's text: English only, pages say the codes


def test_it_keeps_real_documents_under_a_resident_id_header_and_short_passports_in_a_generic_column():
    under_ric = screen_csv("姓名,公民身份号码\n张伟,E12345678\n陈大文,H1234567801\nMüller Hans,C01X00T47\n")
    assert [p["level"] for p in under_ric.values()] == ["green"] * 3
    generic = screen_csv("姓名,证件号码\nJosé Silva,abc123\n")[2]
    assert (generic["doc_type"], generic["identity_status"], generic["level"]) == ("passport", "valid", "green")


def test_it_applies_the_same_rule_to_a_number_labelled_as_a_resident_id():
    p = screen_csv("姓名,证件类型,证件号码\n朱红梅,身份证,abc123\n")[2]
    assert (p["identity_status"], p["level"]) == ("invalid", "yellow")


def test_it_reports_an_invalid_phone_as_a_warning_without_changing_the_level():
    rows = screen_csv(f"姓名,身份证号,手机号码\n华桂珍,{SHARED},12345\n李娜,11010519491231002X,13800138000\n")
    assert rows[2]["level"] == "green" and rows[2]["rule_ids"] == []
    assert '"12345" is not a valid number' in rows[2]["reason"]
    assert_language(rows[2]["reason"], "en")
    assert rows[3]["reason"] == ""
    garbage = screen_csv("姓名,身份证号,手机号码\n朱红梅,abc123,12345\n")[2]
    assert garbage["reason"].count("; ") == 1 and "12345" in garbage["reason"]


def test_it_marks_both_rows_yellow_when_one_id_number_comes_with_two_names():
    lines = [f"华桂珍,{SHARED},13800138000"] + [f"张{i}伟,,1390000{i:04d}" for i in range(16)]
    lines.append(f"黎欢,{SHARED},13900001111")
    rows = screen_csv("姓名,身份证号,手机号码\n" + "\n".join(lines) + "\n")
    first, second = rows[2], rows[19]
    for p, other in ((first, 19), (second, 2)):
        assert (p["level"], p["identity_status"], p["rule_ids"]) == ("yellow", "conflicting", ["identity-unverified"])
        assert f"the same ID number appears with another name in row {other}" in p["reason"]
        assert_language(p["reason"], "en")


def test_it_keeps_a_repeat_under_the_same_name_written_differently_a_plain_duplicate():
    rows = screen_csv(f"姓名,身份证号\n陈大文,{SHARED}\n陳大文,{SHARED}\nCHEN Dawen,{SHARED}\n")
    assert all((p["level"], p["identity_status"]) == ("green", "valid") for p in rows.values())


def test_it_names_every_other_row_when_three_rows_share_a_number():
    rows = screen_csv(f"姓名,身份证号\n华桂珍,{SHARED}\n黎欢,{SHARED}\n華桂珍,{SHARED}\n")
    assert rows[2]["reason"].endswith("another name in row 3")
    assert rows[3]["reason"].endswith("another name in rows 2, 4") and "in row 3" in rows[4]["reason"]


def test_it_applies_the_resident_id_column_rule_to_a_roster_without_an_id_type_column():
    roster = pa.table({"row": pa.array([2], pa.int64()), "name": ["朱红梅"], "id_number": ["abc123"]})
    result = get_engine().screen(roster, listings=NO_LISTINGS, movements=NO_MOVES, ruleset=load_ruleset(),
                                 as_of=AS_OF, resident_id_column=True)
    (p,) = result.persons.to_pylist()
    assert (p["identity_status"], p["level"]) == ("invalid", "yellow")


# ------------------------------------------- issue 12 item 17: ID-number input families in a screening

LISTED = pa.table({
    "area_key": ["A-high"], "community": ["幸福小区"], "adcode": ["350203"], "level": ["high"],
    "listed_from": pa.array([dt.datetime(2022, 11, 15, tzinfo=AS_OF.tzinfo)], TS),
    "listed_until": pa.array([None], TS),
})


def _rid(first17: str) -> str:
    from pingan.lib.identity.ric import check_character

    return first17 + check_character(first17)


def _screen_with_moves(text: str, numbers_names: list[tuple[str, str]]) -> dict[int, dict]:
    roster, rejected, meta = read_roster_arrow(text.encode(), filename="roster.csv")
    assert not rejected
    stay = dt.datetime(2022, 11, 18, 10, tzinfo=AS_OF.tzinfo)
    moves = pa.table({
        "id_number": [n for n, _ in numbers_names], "name": [m for _, m in numbers_names],
        "adcode": ["350203"] * len(numbers_names), "place": ["幸福小区3栋"] * len(numbers_names),
        "start": pa.array([stay] * len(numbers_names), TS),
        "end": pa.array([stay + dt.timedelta(hours=20)] * len(numbers_names), TS),
    })
    result = get_engine().screen(roster, listings=LISTED, movements=moves, ruleset=load_ruleset(), as_of=AS_OF,
                                 resident_id_column=meta.resident_id_column)
    return {p["row"]: p for p in result.persons.to_pylist()}


def test_an_unlisted_area_code_keeps_its_exact_match_and_is_flagged_for_verification():
    a, b = _rid("43041919900307001"), _rid("32111919850214100")
    rows = _screen_with_moves(f"姓名,身份证号\n张伟,{a}\n李娜,{b}\n", [(a, "张伟"), (b, "李娜")])
    for p, area in ((rows[2], "430419"), (rows[3], "321119")):
        # the movement record in the listed high-risk area is matched: red, not merely "invalid"
        assert p["level"] == "red" and p["rule_ids"] == ["area-high", "identity-unverified"]
        assert p["identity_status"] == "area_code_unlisted" and p["area_code"] == area
        assert [n["code"] for n in p["identity_notes"]] == ["area_code_unlisted"]
        assert f"address code {area}" in p["identity_reason"] and "identity needs verification" in p["reason"]


def test_a_lower_case_x_is_accepted_matched_and_noted_without_changing_the_level():
    number = "11010519491231002X"
    rows = _screen_with_moves(f"姓名,身份证号\n张伟,{number.lower()}\n李娜,{number[:-1]}0\n", [(number, "张伟")])
    p = rows[2]
    assert (p["id_number"], p["identity_status"], p["level"]) == (number, "valid", "red")
    assert [n["code"] for n in p["identity_notes"]] == ["lowercase_x"]
    assert "capital X" in p["reason"] and "大写X" not in p["reason"]
    assert rows[3]["identity_notes"] == []


def test_a_stray_letter_is_reported_to_the_submitter_with_its_position():
    p = screen_csv("姓名,身份证号\n张伟,4403061A8502141005\n")[2]
    assert (p["doc_type"], p["identity_status"], p["level"]) == ("ric", "invalid", "yellow")
    assert "character 8 is 'A'" in p["reason"]
    assert_language(p["reason"], "en")


def test_a_row_without_a_number_meets_its_record_whatever_the_separators_or_script_of_the_names():
    """The name + birth-date fallback's SQL pre-filter must not drop pairs compare_names relates (item 19's
    family): 阿不都·热合曼 / 阿不都热合曼 (exact, the separator aside), 司马光明 / SIMA GUANGMING (romanised)."""
    a, b = _rid("65010219800101123"), _rid("11010119750615123")
    rows = _screen_with_moves("姓名,身份证号,出生日期,手机号码\n阿不都·热合曼,,1980-01-01,13800138000\n"
                              "司马光明,,1975-06-15,13900139000\n",
                              [(a, "阿不都热合曼"), (b, "SIMA GUANGMING")])
    assert rows[2]["level"] == "red" and "area-high" in rows[2]["rule_ids"]
    assert rows[3]["level"] == "red" and "area-high" in rows[3]["rule_ids"]


def test_one_id_number_under_names_that_conversion_used_to_merge():
    """徐乾學 / 徐干学 are two names (乾 is kept in names): one number under both is a conflict; 鍾小明 / 锺小明
    are one name in traditional and simplified characters: a plain duplicate (issue 12 item 18)."""
    number = _rid("11010119750615123")
    rows = screen_csv(f"姓名,身份证号,手机号码\n徐乾學,{number},13800138000\n徐干学,{number},13800138001\n")
    assert [rows[r]["identity_status"] for r in (2, 3)] == ["conflicting", "conflicting"]
    rows = screen_csv(f"姓名,身份证号,手机号码\n鍾小明,{number},13800138000\n锺小明,{number},13800138001\n")
    assert [rows[r]["identity_status"] for r in (2, 3)] == ["valid", "valid"]
