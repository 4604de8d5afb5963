"""Name keys and name comparison: NFKC, dots, traditional→simplified, surname pinyin, Latin names."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pingan.lib.identity import compare_names, name_keys
from pingan.lib.identity.names import SURNAME_READINGS


@pytest.mark.parametrize(
    ("name", "normalized", "simplified", "pinyin", "script"),
    [
        ("陳大文", "陳大文", "陈大文", "chen da wen", "han"),
        ("陈大文", "陈大文", "陈大文", "chen da wen", "han"),
        ("单田芳", "单田芳", "单田芳", "shan tian fang", "han"),
        ("曾国藩", "曾国藩", "曾国藩", "zeng guo fan", "han"),
        ("解缙", "解缙", "解缙", "xie jin", "han"),
        ("区志坚", "区志坚", "区志坚", "ou zhi jian", "han"),
        ("欧阳修", "欧阳修", "欧阳修", "ou yang xiu", "han"),
        ("歐陽修", "歐陽修", "欧阳修", "ou yang xiu", "han"),
        ("尉迟恭", "尉迟恭", "尉迟恭", "yu chi gong", "han"),
        (" 张  伟 ", "张伟", "张伟", "zhang wei", "han"),
        ("张\u3000伟", "张伟", "张伟", "zhang wei", "han"),
        ("阿不都·热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("阿不都•热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("阿不都．热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("阿不都・热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("阿不都 · 热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("阿不都.热合曼", "阿不都·热合曼", "阿不都·热合曼", "a bu dou re he man", "han"),
        ("Ｊｏｈｎ  Ｓｍｉｔｈ", "John Smith", "John Smith", "", "latin"),
        ("", "", "", "", "empty"),
        (None, "", "", "", "empty"),
    ],
)
def test_it_computes_name_keys(name: str | None, normalized: str, simplified: str, pinyin: str, script: str) -> None:
    keys = name_keys(name)
    assert (keys.normalized, keys.simplified, keys.pinyin, keys.script) == (normalized, simplified, pinyin, script)


def test_a_given_name_is_not_read_with_surname_readings() -> None:
    # 单 is "shan" as a surname but "dan" inside a given name (简单); 曾 likewise "ceng".
    assert name_keys("王单").pinyin == "wang dan"
    assert name_keys("单").pinyin == "dan"  # a lone character is not a surname + given name


def test_latin_keys_ignore_case_diacritics_and_token_order() -> None:
    assert name_keys("José MÜLLER").latin_key == "jose muller"
    assert name_keys("MÜLLER, José").latin_key == "jose muller"
    assert name_keys("Smith John").latin_key == name_keys("JOHN SMITH").latin_key


def test_name_keys_are_memoised_per_distinct_name() -> None:
    assert name_keys("陳大文") is name_keys("陳大文")


@pytest.mark.parametrize(
    ("a", "b", "kind"),
    [
        ("陈大文", "陈大文", "exact"),
        ("阿不都·热合曼", "阿不都•热合曼", "exact"),
        ("阿不都·热合曼", "阿不都热合曼", "exact"),
        ("陳大文", "陈大文", "simplified"),
        ("歐陽修", "欧阳修", "simplified"),
        ("张伟", "章玮", "homophone"),
        ("曾小贤", "增小贤", "homophone"),  # 曾 as surname reads zeng = 增
        ("单田芳", "善田芳", "homophone"),  # 单 as surname reads shan = 善
        ("张伟", "ZHANG Wei", "romanised"),
        ("王小明", "WANG XIAOMING", "romanised"),
        ("欧阳修", "OUYANG Xiu", "romanised"),
        ("John Smith", "smith john", "latin-token"),
        ("José Müller", "JOSE MULLER", "latin-token"),
        ("John Smith", "J. Smith", "initials"),
        ("John Robert Smith", "John Smith", "initials"),
        ("张伟", "李伟", "none"),
        ("John Smith", "Jane Doe", "none"),
        ("J. S.", "John Smith", "none"),  # initials alone are not enough
        ("张伟", None, "none"),
    ],
)
def test_it_compares_names(a: str, b: str | None, kind: str) -> None:
    result = compare_names(a, b)
    assert result.kind == kind, result
    assert result.reason
    assert compare_names(b, a).kind == kind  # symmetric


@settings(deadline=None)
@given(st.text(alphabet="陈陳大文歐欧阳陽·• 　张伟", max_size=8))
def test_normalisation_is_idempotent(name: str) -> None:
    keys = name_keys(name)
    again = name_keys(keys.normalized)
    assert again.normalized == keys.normalized
    assert again.simplified == keys.simplified
    assert again.pinyin == keys.pinyin


@settings(deadline=None)
@given(st.sampled_from(sorted(SURNAME_READINGS)), st.text(alphabet="大文伟明华", min_size=1, max_size=2))
def test_every_listed_surname_is_read_with_its_surname_reading(surname: str, given_name: str) -> None:
    assert name_keys(surname + given_name).pinyin.split()[0] == SURNAME_READINGS[surname]
