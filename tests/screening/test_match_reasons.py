"""A hit's match reasons in the reader's language (issue 11's trial: the police person page's "Record references"
showed the engine's English ``match_reasons`` on a Chinese page). Every line the engine writes is read back
into a code (``screening.match_reasons.parse``) and every code has a Chinese and an English label."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from test_batch_engine import result  # noqa: F401 - the engine's run over every kind of hit

from pingan.lib.identity.names import compare_names
from pingan.screening import match_reasons

HAN = re.compile(r"[\u4e00-\u9fff]")

#: one line of each form the engines (batch.py and spark.py, identically) write
SAMPLES = [
    "document number equal", "document number equal to a listed document",
    "15-digit ID converted to 18 digits (GB 11643-1999 §6)",
    "stayed in listed high-risk area eaecfe865e306043 while it was listed, within 7 days",
    "stayed in county 350203 while it had listed medium-risk area A-med, outside the area, within 14 days",
    "identity invalid: check character does not match (ISO 7064 MOD 11-2)", "identity unverifiable",
    "ID number corrected: substitution at position 7 (GB 11643-1999 check character)",
    "ID number corrected: transposition at positions 3–4 (GB 11643-1999 check character)",
    "2 corrections equally corroborated", "birth date equal", "birth date equal (read from the invalid ID number)",
    "birth year matches 1990", "birth year and month match 1990-03", "birth date matches 1990-03-07", "phone equal",
    "name homophone (zhang wei) (张伟)", "name exact (王小明)",
]
#: name pairs giving every kind of :func:`compare_names`
NAMES = [("", "张三"), ("张三", "张三"), ("张 三", "张三"), ("張三", "张三"), ("张伟", "章伟"), ("Zhang Wei", "张伟"),
         ("WEI Zhang", "Zhang Wei"), ("Z. Wei", "Zhang Wei"), ("张三", "李四")]


def lines_of_the_engine(run) -> set[str]:
    return {line for h in run.hits.to_pylist() for line in h["match_reasons"] or ()}


def test_every_line_the_engine_wrote_has_a_code(result):  # noqa: F811
    lines = lines_of_the_engine(result)
    assert len(lines) >= 5, lines
    unknown = [line for line in lines if match_reasons.parse(line) is None]
    assert unknown == []


@pytest.mark.parametrize("line", SAMPLES + [compare_names(a, b).reason for a, b in NAMES])
def test_every_form_has_a_code_and_reads_in_each_language(line):
    assert match_reasons.parse(line) is not None, line
    with translation.override("zh-hans"):
        zh = match_reasons.label(line)
    with translation.override("en"):
        en = match_reasons.label(line)
    assert HAN.search(zh), zh
    # the Chinese label is Chinese: no English word of the stored line is left in it
    assert not re.search(r"\b(equal|stayed|listed|within|identity|corrected|name|birth|phone|matches)\b", zh), zh
    assert not HAN.search(en.replace("张伟", "").replace("王小明", "")), en


def test_every_code_has_a_label_in_chinese_and_english():
    codes = {code for code, _ in match_reasons.PATTERNS}
    assert codes == set(match_reasons.LABELS)
    class Values(dict):  # every parameter: a count (for a singular or plural label) or a word
        def __missing__(self, key):
            return 7 if key in ("days", "n") else "x"

    for code, label in match_reasons.LABELS.items():
        with translation.override("zh-hans"):
            zh = str(label % Values())
        with translation.override("en"):
            en = str(label % Values())
        assert HAN.search(zh) and not HAN.search(en) and zh != en, (code, zh, en)


def test_the_labels_say_the_parameters():
    with translation.override("zh-hans"):
        assert match_reasons.label("stayed in listed high-risk area k1 while it was listed, within 7 days") == \
            "7 天内在列为高风险区期间到过该地区"
        assert "思明区" in match_reasons.label(
            "stayed in county 350203 while it had listed high-risk area k1, outside the area, within 7 days")
    with translation.override("en"):
        assert match_reasons.label("name homophone (zhang wei) (张伟)") == \
            "name sounds the same (zhang wei): listed as “张伟”"
        assert "Siming District" in match_reasons.label(
            "stayed in county 350203 while it had listed high-risk area k1, outside the area, within 7 days")
    assert match_reasons.label("something new") == "something new"


@pytest.mark.parametrize("line", SAMPLES + [compare_names(a, b).reason for a, b in NAMES] + ["a line of no form"])
def test_a_reason_is_stored_as_a_code_and_written_back_as_the_engines_line(line):
    """Stored: a code and parameters (issue 11: pages parsed the English at display time); the API's stable
    form is the engine's line again, character for character."""
    import json

    [stored] = match_reasons.stored([line])
    assert set(stored) == {"code", "params"} and json.loads(json.dumps(stored)) == stored
    assert match_reasons.line(stored) == line
    assert match_reasons.stored([stored]) == [stored]  # stored twice: unchanged
    with translation.override("zh-hans"):
        assert match_reasons.label(stored) == match_reasons.label(line)


@given(level=st.sampled_from(["high", "medium", "low"]), area=st.from_regex(r"[0-9a-f]{16}", fullmatch=True),
       days=st.integers(1, 99), county=st.from_regex(r"[1-8]\d{5}", fullmatch=True),
       listed=st.one_of(st.just(""), st.text(alphabet="张王李赵伟芳 ABCxyz.", min_size=1, max_size=12).filter(
           lambda s: s == s.strip() and "(" not in s)))
def test_stored_reasons_round_trip(level, area, days, county, listed):
    for reason in ({"code": "area_stay", "params": {"level": level, "area": area, "days": str(days)}},
                   {"code": "county_stay", "params": {"county": county, "level": level, "area": area,
                                                      "days": str(days)}},
                   {"code": "name_exact", "params": {"listed": listed} if listed else {}}):
        assert match_reasons.stored([match_reasons.line(reason)]) == [reason]


def test_stored_json_converts_a_copy_column():
    import json

    text = match_reasons.stored_json(json.dumps(["document number equal", "phone equal"]))
    assert json.loads(text) == [{"code": "document_equal", "params": {}}, {"code": "phone_equal", "params": {}}]
    assert json.loads(match_reasons.stored_json(None)) == []


def test_a_count_of_one_reads_in_the_singular():
    # issue 11: "1 people" and the like — a one-day look-back, one tied correction
    from django.utils import translation

    from pingan.screening.match_reasons import label

    with translation.override("en"):
        assert label("stayed in listed high-risk area k1 while it was listed, within 1 days").endswith("within 1 day")
        assert label("stayed in listed high-risk area k1 while it was listed, within 7 days").endswith("7 days")
        assert label("1 corrections equally corroborated") == "1 correction equally corroborated"
    with translation.override("zh-hans"):
        assert label("stayed in listed high-risk area k1 while it was listed, within 1 days").startswith("1 天内")
